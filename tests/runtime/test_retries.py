"""Retries: reads are retried with backoff; writes are never resent once they may have arrived.

The loopback server counts the requests that reached it; a request hook counts the attempts the
client made (including those that never connected).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest

from altinn2.client import AsyncClient, Client
from altinn2.runtime import SystemCredentials, UserCredentials
from altinn2.runtime.client import RetryPolicy
from altinn2.runtime.errors import TransportError
from altinn2.runtime.hooks import Hooks, RequestEvent
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
OK_LIST = Reply(basic_list_response(reportee_element()))
HTML = "text/html"


@dataclass(frozen=True)
class RecordingPolicy(RetryPolicy):
    """A retry policy that notes each backoff it is asked for (and may act on it)."""

    delays: list[float] = field(default_factory=list, compare=False)
    on_delay: Callable[[int], None] | None = field(default=None, compare=False)

    def delay(self, attempt: int) -> float:
        value = super().delay(attempt)
        self.delays.append(value)
        if self.on_delay is not None:
            self.on_delay(attempt)
        return value


class Attempts:
    """A request hook: one event per attempt the client makes."""

    def __init__(self) -> None:
        self.events: list[RequestEvent] = []

    def __call__(self, event: RequestEvent) -> None:
        self.events.append(event)

    def __len__(self) -> int:
        return len(self.events)


def client_for(url: str, policy: RetryPolicy, attempts: Attempts, **options: object) -> Client:
    return Client(
        verify=TLS,
        base_url=url,
        system=SYSTEM,
        user=USER,
        retry=policy,
        hooks=Hooks(request=[attempts], log=False),
        **options,
    )


def read(client: Client) -> object:
    return client.reportee_element_list.get_reportee_element_list_basic_v2(
        search_be=search_be(), language_id=1044
    )


def delete(client: Client) -> object:
    return client.reportee_element_list.delete_reportee_element_basic(reportee_element_code="A2E7")


def submit(client: Client) -> object:
    return client.intermediary_inbound.submit_form_task_basic()


SUBMIT_OK = Reply(
    soap11(
        '<SubmitFormTaskBasicResponse xmlns="http://www.altinn.no/services/Intermediary/'
        'Shipment/IntermediaryInbound/2009/10"/>'
    )
)
WRITES = [
    pytest.param(delete, Reply(basic_delete_response()), id="DeleteReporteeElementBasic"),
    pytest.param(submit, SUBMIT_OK, id="SubmitFormTaskBasic"),
]


# -- reads ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [503, 502, 504, 429])
def test_a_read_is_retried_on_transient_statuses(status: int) -> None:
    policy, attempts = RecordingPolicy(attempts=3, backoff=0.0), Attempts()
    busy = Reply(b"<html>busy</html>", status=status, content_type=HTML)
    with SoapServer(busy, busy, OK_LIST) as server, client_for(server.url, policy, attempts) as c:
        (element,) = read(c)  # type: ignore[misc]
    assert element.reportee_element_id == 7992038
    assert server.count == 3 and len(attempts) == 3


def test_a_read_gives_up_after_the_attempts() -> None:
    policy, attempts = RecordingPolicy(attempts=3, backoff=0.0), Attempts()
    busy = Reply(b"<html>busy</html>", status=503, content_type=HTML)
    with (
        SoapServer(busy) as server,
        client_for(server.url, policy, attempts) as client,
        pytest.raises(TransportError) as caught,
    ):
        read(client)
    assert server.count == 3 and caught.value.status == 503
    assert policy.delays == [0.0, 0.0]


def test_a_read_is_not_retried_on_a_fault() -> None:
    policy, attempts = RecordingPolicy(attempts=3, backoff=0.0), Attempts()
    fault = Reply(
        soap11("<s:Fault><faultcode>s:Client</faultcode><faultstring>x</faultstring></s:Fault>"),
        status=500,
    )
    with (
        SoapServer(fault, OK_LIST) as server,
        client_for(server.url, policy, attempts) as client,
        pytest.raises(Exception, match="x"),
    ):
        read(client)
    assert server.count == 1


def test_a_read_backs_off_between_attempts() -> None:
    policy, attempts = RecordingPolicy(attempts=3, backoff=0.02), Attempts()
    busy = Reply(b"", status=503, content_type=HTML)
    with SoapServer(busy, busy, OK_LIST) as server, client_for(server.url, policy, attempts) as c:
        started = time.monotonic()
        read(c)
        elapsed = time.monotonic() - started
    assert policy.delays == [0.02, 0.04]
    assert elapsed >= 0.06


def test_backoff_doubles_up_to_its_ceiling() -> None:
    policy = RetryPolicy(attempts=6, backoff=0.5, max_backoff=3.0)
    assert [policy.delay(attempt) for attempt in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_a_read_is_retried_when_the_connection_is_lost() -> None:
    """The server takes the request and hangs up without an answer: a read may be resent."""
    policy, attempts = RecordingPolicy(attempts=3, backoff=0.0), Attempts()
    lost = Reply(drop=True)
    with SoapServer(lost, lost, OK_LIST) as server, client_for(server.url, policy, attempts) as c:
        assert len(read(c)) == 1  # type: ignore[arg-type]
    assert server.count == 3


def test_a_read_gives_up_when_nothing_listens() -> None:
    policy, attempts = RecordingPolicy(attempts=3, backoff=0.0), Attempts()
    with (
        SoapServer(listen=False) as server,
        client_for(server.url, policy, attempts) as client,
        pytest.raises(TransportError, match="after 3 attempts") as caught,
    ):
        read(client)
    assert len(attempts) == 3 and server.count == 0
    assert policy.delays == [0.0, 0.0]  # backed off before each new attempt
    assert caught.value.url == server.url + attempts.events[0].url.removeprefix(server.url)


def test_a_read_times_out_and_is_retried() -> None:
    policy, attempts = RecordingPolicy(attempts=2, backoff=0.0), Attempts()
    slow = Reply(basic_list_response(), delay=5)
    with (
        SoapServer(slow, OK_LIST) as server,
        client_for(server.url, policy, attempts, timeout=0.3) as client,
    ):
        read(client)
    assert server.count == 2


# -- writes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "ok"), WRITES)
@pytest.mark.parametrize("status", [503, 429])
def test_a_write_is_never_resent_after_a_status(
    call: Callable[[Client], object], ok: Reply, status: int
) -> None:
    policy, attempts = RecordingPolicy(attempts=3, backoff=0.0), Attempts()
    busy = Reply(b"<html>busy</html>", status=status, content_type=HTML)
    with (
        SoapServer(busy, ok) as server,
        client_for(server.url, policy, attempts) as client,
        pytest.raises(TransportError) as caught,
    ):
        call(client)
    assert server.count == 1 and len(attempts) == 1
    assert caught.value.status == status
    assert policy.delays == []


@pytest.mark.parametrize(("call", "ok"), WRITES)
def test_a_write_is_never_resent_after_a_read_timeout(
    call: Callable[[Client], object], ok: Reply
) -> None:
    policy, attempts = RecordingPolicy(attempts=3, backoff=0.0), Attempts()
    with (
        SoapServer(Reply(basic_delete_response(), delay=5), ok) as server,
        client_for(server.url, policy, attempts, timeout=0.3) as client,
        pytest.raises(TransportError, match="timed out") as caught,
    ):
        call(client)
    assert server.count == 1 and len(attempts) == 1
    assert caught.value.status is None


@pytest.mark.parametrize(("call", "ok"), WRITES)
def test_a_write_is_never_resent_when_the_connection_is_lost(
    call: Callable[[Client], object], ok: Reply
) -> None:
    policy, attempts = RecordingPolicy(attempts=3, backoff=0.0), Attempts()
    with (
        SoapServer(Reply(drop=True), ok) as server,
        client_for(server.url, policy, attempts) as client,
        pytest.raises(TransportError),
    ):
        call(client)
    assert server.count == 1


@pytest.mark.parametrize(("call", "ok"), WRITES)
def test_a_write_is_retried_when_the_connection_could_not_be_opened(
    call: Callable[[Client], object], ok: Reply
) -> None:
    """Connection refused: nothing was sent, so even a write may try again."""
    attempts = Attempts()
    with SoapServer(ok, listen=False) as server:
        policy = RecordingPolicy(attempts=3, backoff=0.0, on_delay=lambda _: server.listen())
        with client_for(server.url, policy, attempts) as client:
            call(client)
    assert len(attempts) == 2 and server.count == 1
    assert policy.delays == [0.0]


class FailsToConnect(httpx.BaseTransport):
    """The first request fails before anything is sent (with `error`); then real HTTP."""

    def __init__(self, error: type[httpx.TransportError]) -> None:
        self.error = error
        self.failures = 0
        self.real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.failures:
            self.failures += 1
            raise self.error("could not connect", request=request)
        return self.real.handle_request(request)

    def close(self) -> None:
        self.real.close()


@pytest.mark.parametrize("error", [httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ConnectError])
def test_a_write_is_retried_when_connecting_timed_out(error: type[httpx.TransportError]) -> None:
    """A connect (or pool) timeout also means nothing was sent."""
    attempts, policy = Attempts(), RecordingPolicy(attempts=3, backoff=0.0)
    transport = FailsToConnect(error)
    with (
        SoapServer(Reply(basic_delete_response())) as server,
        httpx.Client(transport=transport) as http,
        client_for(server.url, policy, attempts, http_client=http) as client,
    ):
        delete(client)
    assert transport.failures == 1 and len(attempts) == 2 and server.count == 1


# -- async ------------------------------------------------------------------------------------


async def test_async_read_is_retried_and_write_is_not() -> None:
    busy = Reply(b"<html>busy</html>", status=503, content_type=HTML)
    with SoapServer(busy, OK_LIST) as server:
        async with AsyncClient(
            verify=TLS,
            base_url=server.url,
            system=SYSTEM,
            user=USER,
            retry=RetryPolicy(3, backoff=0.0),
        ) as client:
            result = await client.reportee_element_list.get_reportee_element_list_basic_v2(
                search_be=search_be(), language_id=1044
            )
        assert len(result) == 1 and server.count == 2
    with SoapServer(busy, Reply(basic_delete_response())) as server:
        async with AsyncClient(
            verify=TLS,
            base_url=server.url,
            system=SYSTEM,
            user=USER,
            retry=RetryPolicy(3, backoff=0.0),
        ) as client:
            with pytest.raises(TransportError):
                await client.reportee_element_list.delete_reportee_element_basic(
                    reportee_element_code="A2E7"
                )
        assert server.count == 1


async def test_async_write_is_retried_when_the_connection_could_not_be_opened() -> None:
    attempts = Attempts()
    with SoapServer(Reply(basic_delete_response()), listen=False) as server:
        policy = RecordingPolicy(attempts=3, backoff=0.0, on_delay=lambda _: server.listen())
        async with AsyncClient(
            verify=TLS,
            base_url=server.url,
            system=SYSTEM,
            user=USER,
            retry=policy,
            hooks=Hooks(request=[attempts], log=False),
        ) as client:
            await client.reportee_element_list.delete_reportee_element_basic(
                reportee_element_code="A2E7"
            )
    assert len(attempts) == 2 and server.count == 1
