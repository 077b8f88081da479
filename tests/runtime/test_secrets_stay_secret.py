"""Secrets stay secret in what the server sends back, in the mock's records, in frames a
traceback shows, and in the history of concurrent calls.

Every server is a loopback server the test starts.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from types import TracebackType

import pytest

from altinn2.client import AsyncClient, Client
from altinn2.runtime import SystemCredentials, UserCredentials
from altinn2.runtime.client import RetryPolicy
from altinn2.runtime.errors import AltinnFaultError, OutcomeUnknownError, SoapFaultError
from altinn2.runtime.hooks import History, Hooks
from altinn2.services.receipt_external import ReceiptSearch
from altinn2.services.reportee_element_list import ExternalSearchBEV2
from altinn2.testing import MockAltinn
from altinn2.testing.examples import example
from tests.soap_server import (
    ALTINN_FAULT,
    TLS,
    XSI,
    Reply,
    SoapServer,
    basic_list_response,
    reportee_element,
    search_be,
    soap11,
)

SYSTEM_PASSWORD = "Systempassord-1"
USER_PASSWORD = "Brukerpassord-2"
PIN = "54321"
SSN = "01017012345"
OTHER_SSN = "24127612345"  # a person the server names, not one of the client's secrets
SECRETS = (SYSTEM_PASSWORD, USER_PASSWORD, PIN, SSN, OTHER_SSN)
SYSTEM = SystemCredentials("412", SYSTEM_PASSWORD)
USER = UserCredentials(SSN, USER_PASSWORD, PIN, "AltinnPin")
NO_RETRY = RetryPolicy(attempts=1)


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def client_for(url: str, **options: object) -> Client:
    return Client(
        verify=TLS,
        base_url=url,
        system=SYSTEM,
        user=USER,
        retry=NO_RETRY,
        hooks=Hooks(log=False),
        **options,  # type: ignore[arg-type]
    )


def read(client: Client) -> object:
    return client.reportee_element_list.get_reportee_element_list_basic_v2(
        search_be=search_be(), language_id=1044
    )


# -- what the server sends back ----------------------------------------------------------------


def altinn_fault_naming(person: str) -> bytes:
    return soap11(
        "<s:Fault><faultcode>s:Client</faultcode>"
        f"<faultstring>No access for {person}</faultstring>"
        f'<detail><AltinnFault xmlns="{ALTINN_FAULT}" xmlns:i="{XSI}">'
        f"<AltinnErrorMessage>User {person} is not authorised</AltinnErrorMessage>"
        f"<AltinnExtendedErrorMessage>ssn={person}</AltinnExtendedErrorMessage>"
        f"<AltinnLocalizedErrorMessage>Bruker {person} mangler</AltinnLocalizedErrorMessage>"
        f"<ErrorGuid>abc</ErrorGuid><ErrorID>14</ErrorID><UserId>{person}</UserId>"
        "</AltinnFault></detail></s:Fault>"
    )


def everything_shown(error: BaseException) -> str:
    parts = [str(error), repr(error), repr(error.args), repr(vars(error))]
    detail = getattr(error, "detail", None)
    if detail is not None:
        parts.append(repr(detail))
    return "\n".join(parts)


@pytest.mark.parametrize("person", [SSN, OTHER_SSN], ids=["the-user", "another-person"])
def test_an_altinn_fault_naming_a_person_is_redacted_everywhere_on_the_exception(
    person: str,
) -> None:
    with (
        SoapServer(Reply(altinn_fault_naming(person), status=500)) as server,
        client_for(server.url) as client,
        pytest.raises(AltinnFaultError) as caught,
    ):
        read(client)
    error = caught.value
    assert error.error_id == 14 and error.detail is not None  # still typed, still useful
    assert "is not authorised" in str(error)
    assert leaks(everything_shown(error)) == []


def test_a_plain_soap_fault_naming_a_person_is_redacted() -> None:
    fault = soap11(
        f"<s:Fault><faultcode>s:Server</faultcode><faultstring>bad {OTHER_SSN}</faultstring>"
        "</s:Fault>"
    )
    with (
        SoapServer(Reply(fault, status=500)) as server,
        client_for(server.url) as client,
        pytest.raises(SoapFaultError) as caught,
    ):
        read(client)
    assert leaks(everything_shown(caught.value)) == []


# -- the mock's records ------------------------------------------------------------------------


def test_the_mock_masks_identity_numbers_in_every_recorded_field() -> None:
    with MockAltinn(defaults="full") as mock:
        client = mock.client("Basic")
        search = example(ExternalSearchBEV2, reportee=OTHER_SSN)
        client.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=search, language_id=1
        )
        (call,) = mock.calls
        assert call.request.search_be.reportee == "***"
        assert leaks(repr(call.request)) == []


# -- frames a traceback shows ------------------------------------------------------------------


def runtime_frames(tb: TracebackType | None) -> Iterator[tuple[str, dict[str, object]]]:
    while tb is not None:
        frame = tb.tb_frame
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith("altinn2."):
            yield f"{module}:{frame.f_code.co_name}", dict(frame.f_locals)
        tb = tb.tb_next


def test_no_runtime_frame_shows_a_secret_in_its_locals() -> None:
    """What `pytest --showlocals` or an error tracker records: the repr of every local of every
    frame of the package on the failing call's traceback."""
    with (
        SoapServer(Reply(drop=True)) as server,
        client_for(server.url) as client,
        pytest.raises(OutcomeUnknownError) as caught,
    ):
        client.reportee_element_list.delete_reportee_element_basic(reportee_element_code="A2E7")
    frames = list(runtime_frames(caught.value.__traceback__))
    assert any(name.endswith(":invoke") for name, _ in frames)
    for name, local_vars in frames:
        for local, value in local_vars.items():
            shown = repr(value)
            assert leaks(shown) == [], f"{name}: {local}"
            if isinstance(value, (str, bytes, bytearray)):
                assert leaks(str(value)) == [], f"{name}: {local}"


# -- the history of concurrent calls -----------------------------------------------------------


def test_history_pairs_each_response_with_its_own_request_under_threads() -> None:
    history = History(size=200)
    calls = 24
    ok = Reply(basic_list_response(reportee_element()), delay=0.05)
    with SoapServer(ok) as server:
        client = Client(
            verify=TLS,
            base_url=server.url,
            system=SYSTEM,
            user=USER,
            hooks=Hooks(history=history, log=False),
        )
        barrier = threading.Barrier(calls)

        def one(index: int) -> None:
            barrier.wait()
            client.reportee_element_list.get_reportee_element_list_basic_v2(
                search_be=search_be(), language_id=index
            )

        threads = [threading.Thread(target=one, args=(index,)) for index in range(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        client.close()
    exchanges = list(history)
    assert len(exchanges) == calls  # none dropped
    languages = set()
    for exchange in exchanges:
        assert exchange.response is not None
        assert exchange.request.call_id == exchange.response.call_id
        languages.add(exchange.request.envelope.split("languageID>")[1].split("<")[0])
    assert languages == {str(index) for index in range(calls)}


# -- the mock under load -----------------------------------------------------------------------


async def test_the_mock_takes_hundreds_of_concurrent_calls() -> None:
    calls = 400
    with MockAltinn(defaults="full") as mock:
        async with AsyncClient(
            base_url=mock.url,
            system=mock.system,
            retry=NO_RETRY,
            hooks=Hooks(log=False),
        ) as client:
            results = await asyncio.gather(
                *(
                    client.receipt_external.get_receipt_basic_v2(
                        receipt=ReceiptSearch(receipt_id=index)
                    )
                    for index in range(calls)
                ),
                return_exceptions=True,
            )
    failures = [result for result in results if isinstance(result, BaseException)]
    assert failures == []
    assert len(mock.calls) == calls


def test_an_identity_number_holding_a_known_secret_is_masked_whole() -> None:
    from altinn2.runtime.secrets import Redactor

    assert Redactor(["12345"]).text(f"reportee {OTHER_SSN}") == "reportee ***"
