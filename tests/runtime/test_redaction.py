"""Secrets stay secret everywhere but on the wire.

Passwords, pin codes and national identity numbers never show in reprs, exception messages,
hook events, the history or the `altinn2` logger's DEBUG output; the server still receives them.
"""

from __future__ import annotations

import asyncio
import logging
import pickle

import pytest

from altinn2.client import AsyncClient, Client
from altinn2.runtime import (
    ConfigurationError,
    EnterpriseCredentials,
    ProtocolError,
    Secret,
    SystemCredentials,
    TransportError,
    UserCredentials,
)
from altinn2.runtime.client import RetryPolicy
from altinn2.runtime.envelope import excerpt
from altinn2.runtime.hooks import History, Hooks, RequestEvent, ResponseEvent
from altinn2.runtime.secrets import Redactor
from tests.soap_server import (
    SOAP12_XML,
    TLS,
    Reply,
    SoapServer,
    basic_list_response,
    reportee_element,
    search_be,
    ws_list_response,
)

SYSTEM_PASSWORD = "Sys<&>passord-1"  # XML-escaped on the wire
USER_PASSWORD = "Brukerpassord-2"
PIN = "54321"
SSN = "01017012345"
ENTERPRISE_PASSWORD = "Virksomhetspassord-3"
SECRETS = (SYSTEM_PASSWORD, "Sys&lt;&amp;&gt;passord-1", USER_PASSWORD, PIN, SSN)

SYSTEM = SystemCredentials("412", SYSTEM_PASSWORD)
USER = UserCredentials(SSN, USER_PASSWORD, PIN, "AltinnPin")
ENTERPRISE = EnterpriseCredentials("virksomhet", ENTERPRISE_PASSWORD)
OTHER_SSN = "24127612345"  # a person in a response, not one of the client's secrets


def leaks(text: str) -> list[str]:
    return [secret for secret in (*SECRETS, ENTERPRISE_PASSWORD, OTHER_SSN) if secret in text]


def echoing_response(ws: bool = False) -> bytes:
    """A response that names people by national identity number and echoes a password."""
    element = reportee_element(
        f"<a:ReporteeName>{OTHER_SSN} OLA NORDMANN</a:ReporteeName>",
    ).replace("RF-1030 Skattemelding", "Sys&lt;&amp;&gt;passord-1")
    return ws_list_response(element) if ws else basic_list_response(element)


# -- reprs ------------------------------------------------------------------------------------


def test_reprs_show_no_secrets() -> None:
    client = Client(
        verify=TLS,
        base_url="https://www.altinn.no",
        system=SYSTEM,
        user=USER,
        enterprise=ENTERPRISE,
    )
    async_client = AsyncClient(
        verify=TLS, base_url="https://www.altinn.no", system=SYSTEM, user=USER
    )
    texts = [
        repr(client),
        str(client),
        repr(async_client),
        repr(client.reportee_element_list),
        repr(SYSTEM),
        repr(USER),
        repr(USER.with_pin("99999")),
        repr(ENTERPRISE),
        str(vars(client)),
    ]
    secret = Secret(USER_PASSWORD)
    texts += [repr(secret), str(secret), f"{secret}", f"{secret:>30}"]
    for text in texts:
        assert not leaks(text), text
    assert "***" in repr(SYSTEM) and "***" in str(secret)
    assert secret.reveal() == USER_PASSWORD and secret == Secret(USER_PASSWORD)
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    client.close()
    asyncio.run(async_client.aclose())


# -- exceptions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [
        f"https://412:{USER_PASSWORD}@www.altinn.no",
        f"http://412:{USER_PASSWORD}@www.altinn.no",
        f"http://412:{USER_PASSWORD}@127.0.0.1:8080",
        f"ftp://412:{USER_PASSWORD}@www.altinn.no",
        f"https://www.altinn.no?password={USER_PASSWORD}&ssn={SSN}",
    ],
)
def test_configuration_errors_show_no_secrets(base_url: str) -> None:
    try:
        Client(verify=TLS, base_url=base_url, system=SYSTEM, user=USER).close()
    except ConfigurationError as error:
        assert not leaks(str(error)) and not leaks(repr(error))
    else:  # a query string is not refused, but it is not shown either
        assert "?" in base_url


def test_a_configuration_error_about_missing_credentials_shows_no_secrets() -> None:
    with (
        Client(verify=TLS, base_url="http://127.0.0.1:9", binding="WS", user=USER) as client,
        pytest.raises(ConfigurationError, match="SystemCredentials") as caught,
    ):
        client.reportee_element_list.get_reportee_element_list_v2(
            search_be=search_be(), language_id=1044
        )
    assert not leaks(str(caught.value))


def test_transport_errors_show_no_secrets() -> None:
    for reply in (Reply(b"<html>busy</html>", status=503, content_type="text/html"),):
        with (
            SoapServer(reply) as server,
            Client(
                verify=TLS, base_url=server.url, system=SYSTEM, user=USER, retry=RetryPolicy(1)
            ) as c,
            pytest.raises(TransportError) as caught,
        ):
            c.reportee_element_list.get_reportee_element_list_basic_v2(
                search_be=search_be(), language_id=1044
            )
        assert not leaks(str(caught.value)) and not leaks(caught.value.url)
    with (
        SoapServer(listen=False) as server,
        Client(
            verify=TLS, base_url=server.url, system=SYSTEM, user=USER, retry=RetryPolicy(1)
        ) as c,
        pytest.raises(TransportError) as caught,
    ):
        c.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=search_be(), language_id=1044
        )
    assert not leaks(str(caught.value))


@pytest.mark.parametrize(
    "body",
    [
        # XML that is not SOAP, echoing the request's credential elements
        (
            f"<Echo><systemPassword>{SECRETS[1]}</systemPassword><userSSN>{SSN}</userSSN>"
            f"<userPinCode>{PIN}</userPinCode><note>{USER_PASSWORD} {OTHER_SSN}</note></Echo>"
        ),
        # HTML echoing them as text
        f"<html><body>{SSN} / {USER_PASSWORD} / {PIN} / {SYSTEM_PASSWORD} / {OTHER_SSN}</body>",
        # truncated XML
        f"<s:Envelope><userPassword>{USER_PASSWORD}</userPassword><b:SSN>{OTHER_SSN}",
    ],
)
def test_protocol_error_excerpts_show_no_secrets(body: str) -> None:
    with (
        SoapServer(Reply(body.encode(), content_type="text/html")) as server,
        Client(verify=TLS, base_url=server.url, system=SYSTEM, user=USER) as client,
        pytest.raises(ProtocolError) as caught,
    ):
        client.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=search_be(), language_id=1044
        )
    assert caught.value.excerpt and "***" in caught.value.excerpt
    assert not leaks(str(caught.value)), str(caught.value)


@pytest.mark.parametrize("cut", range(0, 64))
def test_excerpts_never_cut_a_secret_in_half(cut: int) -> None:
    """Wherever the excerpt ends, no part of a secret shows."""
    redactor = Redactor([USER_PASSWORD])
    data = (
        " " * (800 - cut)
        + f"<userPassword>{USER_PASSWORD}</userPassword> {USER_PASSWORD} <b:SSN>{SSN}</b:SSN>"
    ).encode()
    shown = excerpt(data, redactor)
    assert not [part for part in ("Brukerp", "passord-2", "0101701", "7012345") if part in shown]


# -- hooks, history, logging ------------------------------------------------------------------


def exchange_both_bindings(**options: object) -> tuple[SoapServer, SoapServer]:
    """One Basic call and one WS call, each answered with an echoing response."""
    with (
        SoapServer(Reply(echoing_response())) as basic,
        SoapServer(Reply(echoing_response(ws=True), content_type=SOAP12_XML)) as ws,
    ):
        with Client(verify=TLS, base_url=basic.url, system=SYSTEM, user=USER, **options) as client:
            client.reportee_element_list.get_reportee_element_list_basic_v2(
                search_be=search_be(), language_id=1044
            )
        with Client(
            verify=TLS, base_url=ws.url, binding="WS", system=SYSTEM, user=USER, **options
        ) as client:
            client.reportee_element_list.get_reportee_element_list_external_v2(
                search_be=search_be(), language_id=1044
            )
    return basic, ws


def test_secrets_go_on_the_wire() -> None:
    basic, ws = exchange_both_bindings()
    for server in (basic, ws):
        body = server.last.body.decode()
        for secret in (USER_PASSWORD, PIN, SSN):
            assert secret in body
    assert SECRETS[1] in basic.last.body.decode() and SECRETS[1] in ws.last.body.decode()


def test_hook_events_and_history_show_no_secrets() -> None:
    requests: list[RequestEvent] = []
    responses: list[ResponseEvent] = []
    history = History()
    exchange_both_bindings(
        hooks=Hooks([requests.append], [responses.append], history=history, log=False)
    )
    assert len(requests) == len(responses) == len(history) == 2
    for event in requests:
        assert "***" in event.envelope and "GetReporteeElementList" in event.envelope
        assert not leaks(event.envelope) and not leaks(str(event.headers)) and not leaks(event.url)
    for event in responses:
        assert "OLA NORDMANN" in event.envelope
        assert not leaks(event.envelope) and not leaks(str(event.headers))
    for exchange in history:
        assert not leaks(repr(exchange))
    ws_request = requests[1].envelope
    assert "<o:Password" in ws_request and "<o:Nonce" in ws_request


def test_hook_envelopes_cut_short_show_no_part_of_a_secret() -> None:
    """`Hooks.max_chars` cuts the envelope: wherever the cut falls inside a secret, no part of the
    secret shows (the cut falls at every character of every secret in turn)."""
    requests: list[RequestEvent] = []
    hooks = Hooks([requests.append], log=False)
    with (
        SoapServer(Reply(basic_list_response())) as server,
        Client(verify=TLS, base_url=server.url, system=SYSTEM, user=USER, hooks=hooks) as client,
    ):

        def envelope(max_chars: int) -> str:
            hooks.max_chars = max_chars
            client.reportee_element_list.get_reportee_element_list_basic_v2(
                search_be=search_be(), language_id=1044
            )
            return requests[-1].envelope

        assert "***" in envelope(100_000)
        wire = server.last.body.decode()
        cuts = sorted(
            {
                start + offset
                for secret in SECRETS
                for start in [wire.find(secret)]
                if start >= 0
                for offset in range(1, len(secret))
            }
        )
        assert len(cuts) > 30
        fragments = ("Sys&lt;", "passord-1", "Brukerp", "passord-2", "0101701", "7012345", "5432")
        for cut in cuts:
            shown = envelope(cut)
            assert len(shown) <= cut
            assert not [part for part in fragments if part in shown], (cut, shown[-60:])


def test_debug_logging_shows_no_secrets(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="altinn2")
    exchange_both_bindings()
    with (
        SoapServer(Reply(b"<html>busy</html>", status=503, content_type="text/html")) as server,
        Client(
            verify=TLS, base_url=server.url, system=SYSTEM, user=USER, retry=RetryPolicy(2, 0.0)
        ) as c,
        pytest.raises(TransportError),
    ):
        c.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=search_be(), language_id=1044
        )
    logged = caplog.text
    assert (
        "GetReporteeElementListBasicV2" in logged and "GetReporteeElementListExternalV2" in logged
    )
    assert "OLA NORDMANN" in logged and "***" in logged
    assert not leaks(logged)
    assert all(record.name.startswith("altinn2") for record in caplog.records)


def test_no_logging_without_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="altinn2")
    exchange_both_bindings()
    assert not [record for record in caplog.records if record.name.startswith("altinn2")]


def test_a_new_user_is_redacted_too() -> None:
    requests: list[RequestEvent] = []
    with (
        SoapServer(Reply(basic_list_response())) as server,
        Client(
            verify=TLS,
            base_url=server.url,
            system=SYSTEM,
            user=USER,
            hooks=Hooks([requests.append], log=False),
        ) as client,
    ):
        client.set_user(USER.with_pin("86420"))
        client.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=search_be(), language_id=1044
        )
        assert b"86420" in server.last.body
    assert "86420" not in requests[0].envelope


def test_redactor_masks_national_ids_but_not_other_numbers() -> None:
    redactor = Redactor()
    assert redactor.text(f"id {SSN}.") == "id ***."
    assert redactor.text("org 910453092, ref 7992038, amount 12345678901.50") == (
        "org 910453092, ref 7992038, amount 12345678901.50"
    )
    assert redactor.text("<x>123456789012</x>") == "<x>123456789012</x>"


def test_redactor_keeps_uuids_whole_but_not_an_id_before_one() -> None:
    redactor = Redactor()
    identifier = "urn:uuid:5f0c7e2a-9b1d-4c3e-8a7f-b03344893087"  # eleven digits in its last group
    assert redactor.text(f"<Identifier>{identifier}</Identifier>") == (
        f"<Identifier>{identifier}</Identifier>"
    )
    # an identity number that a UUID-shaped run starts inside is still masked (leftmost match)
    assert redactor.text(f"{SSN}-9b1d-4c3e-8a7f-b0334489308a") == "***-9b1d-4c3e-8a7f-b0334489308a"
    assert redactor.text(f"id {SSN}, context {identifier}") == f"id ***, context {identifier}"


@pytest.mark.parametrize(
    "text",
    [
        f"ref-{SSN}",
        f"ssn: -{SSN}",
        f"{SSN}-{SSN}",
        f"urn:uuid:5f0c7e2a-9b1d-4c3e-8a7f-b03344893087-{SSN}",
        f"5f0c7e2a-9b1d-4c3e-8a7f-b{SSN}x",  # UUID-shaped, but inside a longer token
        f"zz5f0c7e2a-9b1d-4c3e-8a7f-b{SSN}",
        f"5f0c7e2a-9b1d-4c3e-8a7f-b{SSN}_1",
    ],
)
def test_an_identity_number_beside_a_hyphen_or_in_a_uuid_shaped_token_is_masked(text: str) -> None:
    assert SSN not in Redactor().text(text)


def test_a_cut_never_turns_a_masked_token_into_a_kept_uuid() -> None:
    # whole, the token's last group has 13 characters (no UUID): its number is masked; cut just
    # after the digits, what is left would read as a UUID and be kept
    for after in ("c", "_"):
        text = f"ctx 5f0c7e2a-9b1d-4c3e-8a7f-b{SSN}{after} tail"
        assert SSN not in Redactor().text(text)
        for limit in range(len(text) + 1):
            assert SSN not in Redactor().bytes(text.encode(), limit=limit), limit
