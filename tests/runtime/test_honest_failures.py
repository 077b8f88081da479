"""Failures tell the truth: an unknown outcome says so, a refused certificate says so and is not
retried, a call ends at its deadline however slowly the server trickles, and proxies from the
environment never see credentials.

Every server here is a loopback server the test starts.
"""

from __future__ import annotations

import ssl
import subprocess
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from altinn2.client import AsyncClient, Client
from altinn2.runtime import SystemCredentials, UserCredentials, client as client_module
from altinn2.runtime.client import RetryPolicy
from altinn2.runtime.errors import (
    CertificateError,
    DeadlineExceededError,
    OutcomeUnknownError,
    TransportError,
)
from altinn2.runtime.hooks import Hooks
from tests.soap_server import (
    TLS,
    Reply,
    SoapServer,
    basic_delete_response,
    basic_list_response,
    reportee_element,
    search_be,
    soap11,
)

SYSTEM = SystemCredentials("412", "Systempassord-1")
USER = UserCredentials("01017012345", "Brukerpassord-2", "54321", "AltinnPin")
RETRY = RetryPolicy(attempts=3, backoff=0.0)
CHALLENGE_OK = Reply(
    soap11(
        '<GetAuthenticationChallengeResponse xmlns="http://www.altinn.no/services/Authentication/'
        'SystemAuthentication/2009/10"/>'
    )
)


def client_for(url: str, **options: Any) -> Client:
    options.setdefault("retry", RETRY)
    return Client(
        verify=TLS, base_url=url, system=SYSTEM, user=USER, hooks=Hooks(log=False), **options
    )


def delete(client: Client) -> object:
    return client.reportee_element_list.delete_reportee_element_basic(reportee_element_code="A2E7")


def read(client: Client) -> object:
    return client.reportee_element_list.get_reportee_element_list_basic_v2(
        search_be=search_be(), language_id=1044
    )


def challenge(client: Client) -> object:
    return client.system_authentication.get_authentication_challenge_basic()


# -- an unknown outcome ------------------------------------------------------------------------


@pytest.mark.parametrize("call", [delete, challenge], ids=["write", "read-with-side-effect"])
def test_a_lost_connection_after_sending_is_an_unknown_outcome_not_resent(call: Any) -> None:
    lost = Reply(drop=True)
    with (
        SoapServer(lost, Reply(basic_delete_response())) as server,
        client_for(server.url) as client,
        pytest.raises(OutcomeUnknownError) as caught,
    ):
        call(client)
    assert server.count == 1  # not resent: one pin message, one deletion at most
    error = caught.value
    assert error.sent is True
    assert "outcome is unknown" in str(error) and "receipt" in str(error)
    assert isinstance(error, TransportError)  # existing `except TransportError` still catch it


def test_a_write_that_never_left_is_a_plain_transport_error_saying_so() -> None:
    with (
        SoapServer(listen=False) as server,
        client_for(server.url) as client,
        pytest.raises(TransportError) as caught,
    ):
        delete(client)
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert caught.value.sent is False
    assert server.count == 0


def test_a_gateway_timeout_on_a_write_is_an_unknown_outcome() -> None:
    gateway = Reply(b"<html>gateway timeout</html>", status=504, content_type="text/html")
    with (
        SoapServer(gateway) as server,
        client_for(server.url) as client,
        pytest.raises(OutcomeUnknownError) as caught,
    ):
        delete(client)
    assert server.count == 1 and caught.value.status == 504


async def test_the_async_client_reports_an_unknown_outcome_too() -> None:
    with SoapServer(Reply(drop=True)) as server:
        async with AsyncClient(
            verify=TLS, base_url=server.url, system=SYSTEM, user=USER, retry=RETRY
        ) as client:
            with pytest.raises(OutcomeUnknownError):
                await client.reportee_element_list.delete_reportee_element_basic(
                    reportee_element_code="A2E7"
                )
        assert server.count == 1


# -- the deadline ------------------------------------------------------------------------------


@pytest.mark.parametrize("deadline", [0.5])
def test_a_trickling_server_cannot_hold_a_call_past_its_deadline(deadline: float) -> None:
    """One byte every 0.1 s keeps every read under the 1 s timeout; the deadline ends the call."""
    body = basic_list_response(reportee_element())
    trickle = Reply(body, trickle=0.1)
    with (
        SoapServer(trickle) as server,
        client_for(server.url, timeout=1.0, deadline=deadline) as client,
        pytest.raises(DeadlineExceededError, match=r"deadline of 0\.5 s passed"),
    ):
        read(client)
    assert server.count == 1  # the retries share the deadline: none was left for one


def test_a_deadline_passing_during_a_write_is_an_unknown_outcome() -> None:
    trickle = Reply(basic_delete_response(), trickle=0.1)
    with (
        SoapServer(trickle) as server,
        client_for(server.url, timeout=1.0, deadline=0.3) as client,
        pytest.raises(OutcomeUnknownError, match="deadline"),
    ):
        delete(client)
    assert server.count == 1


def test_a_call_within_its_deadline_is_untouched() -> None:
    ok = Reply(basic_list_response(reportee_element()))
    with SoapServer(ok) as server, client_for(server.url, deadline=60.0) as client:
        assert len(read(client)) == 1  # type: ignore[arg-type]


# -- TLS ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


class _Counting(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        _Counting.hits.append(self.path)
        self.send_response(500)
        self.end_headers()


@pytest.fixture
def tls_server(self_signed: tuple[Path, Path]) -> Iterator[str]:
    key, cert = self_signed
    httpd = HTTPServer(("127.0.0.1", 0), _Counting)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    accepted: list[int] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                httpd.handle_request()
                accepted.append(1)
            except OSError:
                accepted.append(1)

    stop = threading.Event()
    httpd.timeout = 0.05
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        httpd.server_close()


def test_a_refused_certificate_says_so_and_is_not_retried(tls_server: str) -> None:
    _Counting.hits.clear()
    attempts: list[object] = []
    with (
        Client(
            base_url=tls_server,
            system=SYSTEM,
            retry=RETRY,
            hooks=Hooks(request=[attempts.append], log=False),
        ) as client,
        pytest.raises(CertificateError, match=r"certificate .* was not accepted"),
    ):
        read(client)  # a read: it would be retried on any other connection error
    assert len(attempts) == 1 and _Counting.hits == []


def test_verify_false_warns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "_warned_insecure", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Client(base_url="https://127.0.0.1:1", verify=False).close()
        Client(base_url="https://127.0.0.1:1", verify=False).close()
    insecure = [w for w in caught if issubclass(w.category, client_module.InsecureTransportWarning)]
    assert len(insecure) == 1


# -- proxies -----------------------------------------------------------------------------------


@pytest.mark.parametrize("trust_env", [False, True], ids=["default", "trust_env"])
def test_an_environment_proxy_never_sees_plain_http_credentials(
    monkeypatch: pytest.MonkeyPatch, trust_env: bool
) -> None:
    """The proxy is a loopback server too: whatever reaches it would have carried the password in
    clear text. With the default (`trust_env` off) and with it on, the loopback endpoint is called
    directly."""
    ok = Reply(basic_list_response(reportee_element()))
    with SoapServer(ok) as proxy, SoapServer(ok) as altinn:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        options = {"trust_env": True} if trust_env else {}  # the default: not given
        with client_for(altinn.url, **options) as client:
            read(client)
            # another loopback endpoint for one call (`base_url=`): not proxied either
            client.reportee_element_list.get_reportee_element_list_basic_v2(
                search_be=search_be(), language_id=1044, base_url=f"http://localhost:{altinn.port}"
            )
        assert proxy.count == 0
        assert altinn.count == 2
        assert b"Systempassord-1" not in b"".join(r.body for r in proxy.received)
