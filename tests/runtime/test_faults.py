"""Faults and broken answers become typed exceptions.

The recorded Altinn faults (read in place from the shared traffic folder, never copied) are served
with HTTP 500 from a loopback server; the expected values are read from the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from altinn2.client import Client
from altinn2.models.fault_2009_10 import AltinnFault
from altinn2.runtime import SystemCredentials, UserCredentials
from altinn2.runtime.client import RetryPolicy
from altinn2.runtime.errors import (
    AltinnFaultError,
    AuthenticationFailedError,
    BadContextTokenError,
    BrokerError,
    BrokerFileNotReadyError,
    GeneralError,
    InvalidRequestError,
    NotAuthorizedError,
    ProtocolError,
    RenewNeededError,
    SoapFaultError,
    TransportError,
)
from altinn2.services.reportee_element_list import GET_REPORTEE_ELEMENT_LIST_BASIC_V2
from tests.soap_server import (
    ALTINN_FAULT,
    SOAP12_XML,
    TLS,
    Reply,
    SoapServer,
    basic_list_response,
    search_be,
    soap11,
    soap12,
)

SYSTEM = SystemCredentials("412", "Systempassord-1")
USER = UserCredentials("01017012345", "Brukerpassord-2", "54321", "AltinnPin")
SECRETS = ("Systempassord-1", "01017012345", "Brukerpassord-2", "54321")


def call_basic_list(client: Client) -> object:
    return client.reportee_element_list.get_reportee_element_list_basic_v2(
        search_be=search_be(), language_id=1044
    )


def call_ws_list(client: Client) -> object:
    return client.reportee_element_list.get_reportee_element_list_external_v2(
        search_be=search_be(), language_id=1044
    )


def call_submit(client: Client) -> object:
    return client.intermediary_inbound.submit_form_task_basic()


def call_delete(client: Client) -> object:
    return client.reportee_element_list.delete_reportee_element_basic(reportee_element_code="A2E1")


def answer(
    call: Callable[[Client], object], *replies: Reply, binding: str = "Basic"
) -> tuple[SoapServer, Client]:
    """Make `call` against a server answering `replies`; returns after the call (or raises)."""
    with (
        SoapServer(*replies) as server,
        Client(
            verify=TLS,
            base_url=server.url,
            binding=binding,
            system=SYSTEM,
            user=USER,
            retry=RetryPolicy(attempts=1),
        ) as client,
    ):
        call(client)
        return server, client


# -- recorded Altinn faults -------------------------------------------------------------------

RECORDED = [
    ("Common/AltinnFault-fault-1.xml", call_basic_list, AuthenticationFailedError),
    ("Common/AltinnFault-fault-2.xml", call_basic_list, AuthenticationFailedError),
    (
        "ReporteeElementList/GetReporteeElementListBasicV2-fault-1.xml",
        call_basic_list,
        GeneralError,
    ),
    ("IntermediaryInbound/SubmitFormTaskBasic-fault-1.xml", call_submit, GeneralError),
]


def recorded_value(fault: etree._Element, name: str) -> str | None:
    """An AltinnFault field of the recording (whatever its namespace), None when absent."""
    found = fault.xpath(f"//*[local-name()='AltinnFault']/*[local-name()='{name}']")
    if not found:
        return None
    return "".join(found[0].itertext()).strip()


def test_every_recorded_fault_is_covered(shared: Path) -> None:
    recorded = {
        str(path.relative_to(shared / "altinn2-traffic"))
        for path in (shared / "altinn2-traffic").glob("*/*-fault-*.xml")
    }
    assert recorded == {name for name, _, _ in RECORDED}


@pytest.mark.parametrize(("name", "call", "expected"), RECORDED, ids=[r[0] for r in RECORDED])
def test_recorded_fault_raises_its_registered_class(
    shared: Path,
    name: str,
    call: Callable[[Client], object],
    expected: type[AltinnFaultError],
) -> None:
    data = (shared / "altinn2-traffic" / name).read_bytes()
    recorded = etree.fromstring(data)
    with pytest.raises(AltinnFaultError) as caught:
        answer(call, Reply(data, status=500))
    error = caught.value
    assert type(error) is expected
    assert error.error_id == int(recorded_value(recorded, "ErrorID") or "")
    assert error.error_id == {AuthenticationFailedError: 989, GeneralError: 0}[expected]
    for field, element in [
        ("error_guid", "ErrorGuid"),
        ("user_guid", "UserGuid"),
        ("message", "AltinnErrorMessage"),
        ("extended_message", "AltinnExtendedErrorMessage"),
        ("localized_message", "AltinnLocalizedErrorMessage"),
    ]:
        assert getattr(error, field) == recorded_value(recorded, element), field
    assert (error.user_id or None) == (recorded_value(recorded, "UserId") or None)
    assert error.error_guid and error.error_guid in str(error)
    assert f"Altinn error {error.error_id}: " in str(error)
    # The message says what went wrong, even when the fault has only a localized message.
    assert (error.message or error.localized_message or "-")[:20] in str(error)
    assert isinstance(error, SoapFaultError)
    assert error.operation and error.operation in str(error)
    # The fault detail type the WSDL declares, bound: the typed AltinnFault (the abbreviated
    # documentation example has no namespace, so it is not one, and stays None).
    if recorded_value(recorded, "ErrorID") and b"common/fault/2009/10" in data:
        assert isinstance(error.detail, AltinnFault)
        assert error.detail.error_id == error.error_id
        assert error.detail.error_guid == error.error_guid
    else:
        assert error.detail is None


def test_fault_with_faultcode_keeps_code_and_reason(shared: Path) -> None:
    data = (shared / "altinn2-traffic" / "Common/AltinnFault-fault-1.xml").read_bytes()
    with pytest.raises(AuthenticationFailedError) as caught:
        answer(call_basic_list, Reply(data, status=500))
    assert caught.value.code == "Client"
    assert caught.value.reason == "An errror occurred"


# -- SOAP 1.2 faults (WS) ---------------------------------------------------------------------


def soap12_fault(detail: str = "", subcode: str = "", reason: str = "Det oppstod en feil") -> bytes:
    sub = (
        f'<s:Subcode><s:Value xmlns:b="http://schemas.xmlsoap.org/ws/2005/02/sc">{subcode}'
        "</s:Value></s:Subcode>"
        if subcode
        else ""
    )
    return soap12(
        f"<s:Fault><s:Code><s:Value>s:Sender</s:Value>{sub}</s:Code>"
        f'<s:Reason><s:Text xml:lang="nb-NO">{reason}</s:Text></s:Reason>'
        f"{f'<s:Detail>{detail}</s:Detail>' if detail else ''}</s:Fault>"
    )


def altinn_fault(error_id: int) -> str:
    return (
        f'<AltinnFault xmlns="{ALTINN_FAULT}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
        "<AltinnErrorMessage>Feil</AltinnErrorMessage>"
        '<AltinnExtendedErrorMessage i:nil="true"/>'
        "<ErrorGuid>7d5c4a1e-0000-4000-8000-000000000001</ErrorGuid>"
        f"<ErrorID>{error_id}</ErrorID><UserGuid>-no value-</UserGuid><UserId>42</UserId>"
        "</AltinnFault>"
    )


@pytest.mark.parametrize(
    ("error_id", "expected"),
    [
        (989, AuthenticationFailedError),
        (0, GeneralError),
        (5, NotAuthorizedError),
        (40007, InvalidRequestError),  # in the registered range 40001-40020
        (40207, BrokerFileNotReadyError),
        (40250, BrokerError),
        (123456, AltinnFaultError),  # not registered: the base class
    ],
)
def test_soap12_altinn_fault(error_id: int, expected: type[AltinnFaultError]) -> None:
    reply = Reply(
        soap12_fault(altinn_fault(error_id), subcode="b:SomeSubcode"),
        status=500,
        content_type=SOAP12_XML,
    )
    with pytest.raises(AltinnFaultError) as caught:
        answer(call_ws_list, reply, binding="WS")
    error = caught.value
    assert type(error) is expected
    assert (error.error_id, error.code, error.subcodes) == (error_id, "Sender", ("SomeSubcode",))
    assert error.reason == "Det oppstod en feil"
    assert (error.message, error.extended_message) == ("Feil", None)  # i:nil is None
    assert error.error_guid == "7d5c4a1e-0000-4000-8000-000000000001"
    assert (error.user_guid, error.user_id) == ("-no value-", "42")


def test_soap11_fault_without_altinn_detail() -> None:
    reply = Reply(
        soap11(
            "<s:Fault><faultcode>s:Server</faultcode>"
            "<faultstring>The server was unable to process the request</faultstring></s:Fault>"
        ),
        status=500,
    )
    with pytest.raises(SoapFaultError) as caught:
        answer(call_basic_list, reply)
    assert not isinstance(caught.value, AltinnFaultError)
    assert caught.value.code == "Server"
    assert caught.value.reason == "The server was unable to process the request"
    assert "The server was unable to process the request" in str(caught.value)


def test_soap12_fault_without_altinn_detail() -> None:
    reply = Reply(soap12_fault(reason="Receiver down"), status=500, content_type=SOAP12_XML)
    with pytest.raises(SoapFaultError) as caught:
        answer(call_ws_list, reply, binding="WS")
    assert type(caught.value) is SoapFaultError
    assert (caught.value.code, caught.value.reason) == ("Sender", "Receiver down")


def test_bad_context_token_subcode() -> None:
    reply = Reply(
        soap12_fault(subcode="b:BadContextToken", reason="The security context token is expired"),
        status=500,
        content_type=SOAP12_XML,
    )
    with pytest.raises(BadContextTokenError) as caught:
        answer(call_ws_list, reply, binding="WS")
    assert caught.value.subcodes == ("BadContextToken",)
    assert caught.value.reason == "The security context token is expired"


def test_renew_needed_subcode_is_a_bad_context_token() -> None:
    """WS-SC's RenewNeeded (EC's key expired): the client, which does not renew keys, treats
    it as BadContextToken (issue anew, send once more)."""
    reply = Reply(
        soap12_fault(subcode="c:RenewNeeded", reason="The key has expired"),
        status=500,
        content_type=SOAP12_XML,
    )
    with pytest.raises(RenewNeededError) as caught:
        answer(call_ws_list, reply, binding="WS")
    assert isinstance(caught.value, BadContextTokenError)
    assert caught.value.subcodes == ("RenewNeeded",)


# -- not a fault: transport and protocol errors -----------------------------------------------

HTML_503 = b"<html><head><title>503</title></head><body>Service Unavailable</body></html>"


def test_http_503_with_html_is_a_transport_error() -> None:
    with SoapServer(Reply(HTML_503, status=503, content_type="text/html")) as server:
        url = server.url + GET_REPORTEE_ELEMENT_LIST_BASIC_V2.path
        with (
            Client(
                verify=TLS, base_url=server.url, system=SYSTEM, user=USER, retry=RetryPolicy(1)
            ) as client,
            pytest.raises(TransportError) as caught,
        ):
            call_basic_list(client)
    assert (caught.value.status, caught.value.url) == (503, url)
    assert "HTTP 503" in str(caught.value) and url in str(caught.value)
    assert not [secret for secret in SECRETS if secret in str(caught.value)]


def test_http_error_with_xml_that_is_not_soap_is_a_transport_error() -> None:
    """An HTTP error status without a SOAP fault is a transport error, whatever the body."""
    reply = Reply(b"<?xml version='1.0'?><error>busy</error>", status=500)
    with pytest.raises(TransportError) as caught:
        answer(call_delete, reply)
    assert caught.value.status == 500


def test_http_error_with_an_empty_body_is_a_transport_error() -> None:
    with pytest.raises(TransportError) as caught:
        answer(call_delete, Reply(b"", status=502))
    assert caught.value.status == 502


def test_connection_refused_is_a_transport_error() -> None:
    with (
        SoapServer(listen=False) as server,  # holds the port, refuses connections
        Client(
            verify=TLS, base_url=server.url, system=SYSTEM, user=USER, retry=RetryPolicy(1)
        ) as client,
        pytest.raises(TransportError) as caught,
    ):
        call_basic_list(client)
    assert caught.value.status is None
    assert caught.value.url == server.url + GET_REPORTEE_ELEMENT_LIST_BASIC_V2.path


def test_html_with_status_200_is_a_protocol_error_with_a_redacted_excerpt() -> None:
    page = (
        "<!DOCTYPE html><html><body><h1>Innlogging</h1>"
        "<p>Bruker 01017012345 med passord Brukerpassord-2 og kode 54321 er logget inn.</p>"
        + "<p>fyll</p>" * 100
        + "</body></html>"
    ).encode()
    with pytest.raises(ProtocolError) as caught:
        answer(call_basic_list, Reply(page, content_type="text/html"))
    error = caught.value
    assert error.excerpt.startswith("<!DOCTYPE html><html><body><h1>Innlogging</h1>")
    assert len(error.excerpt) <= 201 and error.excerpt.endswith("…")
    assert "***" in error.excerpt
    assert not [secret for secret in SECRETS if secret in str(error) or secret in error.excerpt]


def test_truncated_xml_is_a_protocol_error() -> None:
    data = basic_list_response()
    with pytest.raises(ProtocolError) as caught:
        answer(call_basic_list, Reply(data[: len(data) // 2]))
    assert "not well-formed" in str(caught.value)
    assert caught.value.excerpt.startswith("<s:Envelope")


def test_empty_body_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="empty response"):
        answer(call_basic_list, Reply(b""))


def test_xml_that_is_not_an_envelope_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="not a SOAP envelope"):
        answer(call_basic_list, Reply(b"<html><body>OK</body></html>"))


def test_the_wrong_response_element_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match=r"expected .*GetReporteeElementListBasicV2Response"):
        answer(call_basic_list, Reply(soap11('<Other xmlns="urn:x"/>')))


def test_an_envelope_without_body_content_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="body is empty"):
        answer(call_basic_list, Reply(soap11("")))
