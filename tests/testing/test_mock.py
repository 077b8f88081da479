"""The mock Altinn checks requests as Altinn's WCF services do and answers a bad one with the fault
they would send; tests steer its answers (typed or raw responses, AltinnFaults, HTTP errors,
delays) and read a record of every call, in which no secret shows.

Requests are built by hand or by mutating what the client's `prepare()` would send; every
network exchange is on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from lxml import etree

from altinn2 import NO_RETRY, Client, SystemCredentials, UserCredentials
from altinn2.cli import main as altinn2_cli
from altinn2.models.broker_2015_06 import BrokerServiceInitiation, BrokerServiceSearch, Manifest
from altinn2.models.receipt_2015_06 import ReceiptSave, ReceiptSearch
from altinn2.models.reportee_archive_2009_10 import ExternalSearchBEV2
from altinn2.models.reportee_element_list_service_2009_10 import (
    GetReporteeElementListBasicV2Response,
)
from altinn2.models.reportee_element_list_service_2010_10 import ReporteeElementBEV2
from altinn2.runtime.client import PreparedCall
from altinn2.runtime.codec import to_element
from altinn2.runtime.envelope import (
    SOAP11,
    SOAP12,
    build_envelope,
    parse_xml,
    raise_fault,
    read_envelope,
)
from altinn2.runtime.errors import (
    AltinnFaultError,
    AuthenticationFailedError,
    BrokerFileNotReadyError,
    GeneralError,
    NotFoundError,
    SoapFaultError,
    TransportError,
)
from altinn2.runtime.operation import Binding, OperationInfo, SoapVersion
from altinn2.runtime.registry import operation_index
from altinn2.runtime.secrets import Secret
from altinn2.runtime.security.username import security_header
from altinn2.runtime.wsheaders import WSA, WSSE, addressing_headers
from altinn2.services.receipt_external import GET_RECEIPT_BASIC_V2, UPDATE_RECEIPT_BASIC
from altinn2.services.reportee_element_list import (
    GET_REPORTEE_ELEMENT_LIST_BASIC_V2,
    GET_REPORTEE_ELEMENT_LIST_EXTERNAL_V2,
)
from altinn2.testing import DEFAULT_SYSTEM, DEFAULT_USER, Fault, MockAltinn, example, example_input

SECRETS = (
    DEFAULT_SYSTEM.password.reveal(),
    DEFAULT_USER.password.reveal(),
    DEFAULT_USER.ssn.reveal(),
    "12345",  # the pin code
)
ALTINN2 = (sys.executable, "-c", "from altinn2.cli import main; main()")
BASIC = GET_REPORTEE_ELEMENT_LIST_BASIC_V2
WS = GET_REPORTEE_ELEMENT_LIST_EXTERNAL_V2


def operation(name: str) -> OperationInfo:
    (found,) = [op for op in operation_index().named(name) if op.binding is not Binding.EC2]
    return found


def prepared(mock: MockAltinn, op: OperationInfo, **values: Any) -> PreparedCall:
    """What the client would send for `op`: a full example body with the mock's credentials."""
    client = mock.client(op.binding)
    body = example_input(op, full=True, **values)
    for name, kind in op.credentials.items():
        setattr(body, name, client.credential(kind) or "")
    return client.prepare(op, body)


def http_post(url: str, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(url, content=content, headers=headers, verify=False)


def post(call: PreparedCall, content: bytes | None = None, **headers: str) -> httpx.Response:
    """`call` as the client would send it, with another body or other HTTP headers."""
    sent = {**call.headers, **headers}
    return http_post(call.url, call.content if content is None else content, sent)


def fault(response: httpx.Response) -> SoapFaultError:
    """The typed exception the client would raise for this answer."""
    envelope = read_envelope(parse_xml(response.content))
    assert envelope.fault, response.text
    with pytest.raises(SoapFaultError) as caught:
        raise_fault(envelope)
    return caught.value


def with_body_text(call: PreparedCall, local: str, text: str) -> bytes:
    root = etree.fromstring(call.content)
    (element,) = root.iter(f"{{*}}{local}")
    element.text = text
    return etree.tostring(root)


def ws_envelope(
    mock: MockAltinn, op: OperationInfo, *, security: etree._Element | None, to: str | None = None
) -> bytes:
    call = prepared(mock, op)
    body = read_envelope(parse_xml(call.content)).body
    assert body is not None
    headers = addressing_headers(SoapVersion.SOAP12, op.action, to or call.url)
    if security is not None:
        headers.insert(0, security)
    return build_envelope(SoapVersion.SOAP12, headers, [body])


@pytest.fixture
def mock(altinn2_mock: MockAltinn) -> Iterator[MockAltinn]:
    """The plugin's mock, stateless: answers are the defaults unless a test registers one."""
    altinn2_mock.stateful = False
    yield altinn2_mock


# -- what Altinn (WCF) refuses ---------------------------------------------------------------


def test_wrong_action_is_action_not_supported_in_each_soap_version(mock: MockAltinn) -> None:
    call = prepared(mock, BASIC)
    wrong = BASIC.soap_action.replace("GetReporteeElementListBasicV2", "GetEverything")
    response = post(call, SOAPAction=f'"{wrong}"')
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/xml")
    code = etree.fromstring(response.content).find(".//faultcode")
    assert code is not None and code.text == "a:ActionNotSupported"
    assert code.nsmap["a"] == WSA  # the prefix is WS-Addressing's, as WCF writes it
    assert f"Action '{wrong}'" in fault(response).reason
    assert "ContractFilter mismatch" in fault(response).reason

    ws_call = prepared(mock, WS)
    wrong = WS.action + "X"
    content = ws_call.content.replace(WS.action.encode(), wrong.encode())
    content_type = ws_call.headers["Content-Type"].replace(WS.action, wrong)
    response = post(ws_call, content, **{"Content-Type": content_type})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/soap+xml")
    caught = fault(response)
    assert (caught.code, caught.subcodes) == ("Sender", ("ActionNotSupported",))
    subcode = etree.fromstring(response.content).find(f".//{{{SOAP12}}}Subcode/{{{SOAP12}}}Value")
    assert subcode is not None and subcode.text == "a:ActionNotSupported"
    assert subcode.nsmap["a"] == WSA
    assert [(c.operation, c.fault) for c in mock.calls[-2:]] == [
        (None, "a:ActionNotSupported"),
        (None, "a:ActionNotSupported"),
    ]


def test_soap_11_on_a_soap_12_binding_and_back_is_415(mock: MockAltinn) -> None:
    basic, ws = prepared(mock, BASIC), prepared(mock, WS)
    # A SOAP 1.1 request (text/xml) to the WS endpoint, and a SOAP 1.2 one to the Basic endpoint.
    wrong_ws = http_post(ws.url, basic.content, basic.headers)
    wrong_basic = http_post(basic.url, ws.content, ws.headers)
    for response, expected in ((wrong_ws, "application/soap+xml"), (wrong_basic, "text/xml")):
        assert response.status_code == 415
        assert "Cannot process the message because the content type" in response.text
        assert expected in response.text
    # The right content type with the other version's envelope: VersionMismatch.
    response = post(ws, basic.content)
    assert response.status_code == 500
    assert fault(response).code == "VersionMismatch"
    # A charset WCF's text encoder does not read.
    response = post(basic, **{"Content-Type": "text/xml; charset=iso-8859-1"})
    assert response.status_code == 415
    assert [c.fault for c in mock.calls] == [
        "HTTP 415",
        "HTTP 415",
        "s:VersionMismatch",
        "HTTP 415",
    ]


def test_client_sees_415_as_a_transport_error(mock: MockAltinn) -> None:
    basic = prepared(mock, BASIC)
    client = mock.client("WS")
    call = PreparedCall(WS, basic.url.replace("Basic.svc", ".svc"), basic.headers, basic.content)
    response = post(call)
    with pytest.raises(TransportError) as caught:
        client.finish(
            call, response.status_code, response.headers["content-type"], response.content, object
        )
    assert caught.value.status == 415


def test_body_violating_the_schema_is_altinn_fault_0_like_altinn_sends(
    mock: MockAltinn, shared: Path
) -> None:
    """An empty <languageID/> (xs:int), as in the recorded fault: ErrorID 0, the formatter's
    message naming the parameter, faultcode s:Client, faultstring "An error occurred"."""
    call = prepared(mock, BASIC)
    response = post(call, with_body_text(call, "languageID", ""))
    assert response.status_code == 500
    caught = fault(response)
    assert isinstance(caught, GeneralError) and caught.error_id == 0
    assert caught.code == "Client" and caught.reason == "An error occurred"
    recorded = (
        shared / "altinn2-traffic/ReporteeElementList/GetReporteeElementListBasicV2-fault-1.xml"
    )
    with pytest.raises(GeneralError) as expected:
        raise_fault(read_envelope(parse_xml(recorded.read_bytes())))
    prefix = expected.value.localized_message or ""
    prefix = prefix[: prefix.index("The InnerException")]
    assert (caught.localized_message or "").startswith(prefix)
    assert caught.message is not None and caught.error_guid and caught.error_guid in caught.message
    assert mock.last_call is not None and mock.last_call.fault == "AltinnFault 0"
    assert "languageID" in (mock.last_call.reason or "")

    # The client's own call with a wrong type never gets that far: refused before it is sent.
    client = mock.client()
    calls = len(mock.calls)
    with pytest.raises(TypeError, match=r"language_id: expected int, got str$"):
        client.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=example(ExternalSearchBEV2),
            language_id="English",  # type: ignore[arg-type]
        )
    assert len(mock.calls) == calls


@pytest.mark.filterwarnings("ignore::xsdata.exceptions.ConverterWarning")
def test_schema_check_catches_missing_required_elements_and_wrong_bodies(
    mock: MockAltinn,
) -> None:
    call = prepared(mock, BASIC)
    root = etree.fromstring(call.content)
    (element,) = root.iter("{*}searchBE")
    element.getparent().remove(element)  # type: ignore[union-attr]
    caught = fault(post(call, etree.tostring(root)))
    assert isinstance(caught, GeneralError)
    assert "searchBE" in (caught.localized_message or "")
    # The body of another operation under this operation's action.
    other = prepared(mock, operation("GetFormSetElementsBasicV2"))
    caught = fault(post(call, other.content))
    assert isinstance(caught, GeneralError)
    assert "OperationFormatter encountered an invalid Message body" in (
        caught.localized_message or ""
    )
    # WCF reads an xs:date in an xs:dateTime field (tt02 accepted such searches): so does the mock.
    ok = post(call, with_body_text(call, "FromDate", "2019-01-01"))
    assert ok.status_code == 200, ok.text


def test_wrong_credentials_basic_989_and_ws_invalid_security(mock: MockAltinn) -> None:
    wrong = SystemCredentials(DEFAULT_SYSTEM.user_name, "not-the-password")
    client = mock.client(system=wrong)
    search = example(ExternalSearchBEV2)
    with pytest.raises(AuthenticationFailedError) as caught:
        client.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=search, language_id=1044
        )
    assert caught.value.error_id == 989
    assert caught.value.message == "Incorrect username/password/pin given for user"
    assert caught.value.code == "Client"

    ws_client = mock.client("WS", system=wrong)
    with pytest.raises(SoapFaultError) as refused:
        ws_client.reportee_element_list.get_reportee_element_list_external_v2(
            search_be=search, language_id=1044
        )
    assert not isinstance(refused.value, AltinnFaultError)
    assert (refused.value.code, refused.value.subcodes) == ("Sender", ("InvalidSecurity",))
    assert refused.value.reason == "An error occurred when verifying security for the message."
    assert mock.last_call is not None and mock.last_call.fault == "o:InvalidSecurity"
    assert "UsernameToken" in (mock.last_call.reason or "")

    # A person's wrong pin: 989 on both bindings.
    person = UserCredentials(DEFAULT_USER.ssn, DEFAULT_USER.password, "99999", "AltinnPin")
    for binding in ("Basic", "WS"):
        with pytest.raises(AuthenticationFailedError):
            mock.client(binding, user=person).reportee_element_list.get_reportee_element_list_v2(
                search_be=search, language_id=1044
            )


def test_expired_or_future_timestamp_is_invalid_security(mock: MockAltinn) -> None:
    now = dt.datetime.now(dt.UTC)
    for created, problem in (
        (now - dt.timedelta(minutes=11), "expired"),
        (now + dt.timedelta(minutes=6), "future"),
    ):
        security = security_header(
            SoapVersion.SOAP12,
            DEFAULT_SYSTEM.user_name,
            DEFAULT_SYSTEM.password,
            clock=lambda moment=created: moment,  # type: ignore[misc]
        )
        call = prepared(mock, WS)
        response = post(call, ws_envelope(mock, WS, security=security))
        assert response.status_code == 500
        caught = fault(response)
        assert (caught.code, caught.subcodes) == ("Sender", ("InvalidSecurity",))
        code = etree.fromstring(response.content).find(f".//{{{SOAP12}}}Subcode/{{{SOAP12}}}Value")
        assert code is not None and code.text == "o:InvalidSecurity" and code.nsmap["o"] == WSSE
        assert mock.last_call is not None and problem in (mock.last_call.reason or "")
    # Within the 5-minute clock skew: accepted.
    security = security_header(
        SoapVersion.SOAP12,
        DEFAULT_SYSTEM.user_name,
        DEFAULT_SYSTEM.password,
        clock=lambda: now - dt.timedelta(minutes=8),
    )
    assert post(prepared(mock, WS), ws_envelope(mock, WS, security=security)).status_code == 200
    # No Security header at all.
    response = post(prepared(mock, WS), ws_envelope(mock, WS, security=None))
    assert fault(response).subcodes == ("InvalidSecurity",)


def test_ws_addressing_to_action_and_must_understand(mock: MockAltinn) -> None:
    security = security_header(
        SoapVersion.SOAP12, DEFAULT_SYSTEM.user_name, DEFAULT_SYSTEM.password
    )
    call = prepared(mock, WS)
    elsewhere = ws_envelope(mock, WS, security=security, to="http://127.0.0.1/Other.svc")
    caught = fault(post(call, elsewhere))
    assert caught.subcodes == ("DestinationUnreachable",)
    assert "AddressFilter mismatch" in caught.reason
    # The content type's action and the Action header disagree.
    content_type = call.headers["Content-Type"].replace(WS.action, WS.action + "Other")
    response = post(call, **{"Content-Type": content_type})
    assert (response.status_code, fault(response).subcodes) == (500, ("ActionMismatch",))
    # No Action header.
    root = etree.fromstring(call.content)
    action = root.find(f".//{{{WSA}}}Action")
    assert action is not None
    action.getparent().remove(action)  # type: ignore[union-attr]
    response = post(call, etree.tostring(root))
    assert fault(response).subcodes == ("MessageAddressingHeaderRequired",)
    # A mustUnderstand WS-Security header on the Basic binding, which has no message security.
    basic = prepared(mock, BASIC)
    root = etree.fromstring(basic.content)
    header = etree.SubElement(root, f"{{{SOAP11}}}Header")
    root.insert(0, header)
    header.append(security_header(SoapVersion.SOAP11, "10000", Secret("x")))
    response = post(basic, etree.tostring(root))
    caught = fault(response)
    assert caught.code == "MustUnderstand" and "'Security'" in caught.reason


def test_http_level_refusals(mock: MockAltinn) -> None:
    call = prepared(mock, BASIC)
    response = httpx.get(call.url, verify=False)
    assert (response.status_code, response.headers["allow"]) == (405, "POST")
    assert http_post(mock.url + "/Nowhere.svc", b"<x/>").status_code == 404
    assert post(call, b"<s:Envelope").status_code == 400
    assert post(call, b"<NotAnEnvelope/>").status_code == 400
    # A Latin-1 body: Altinn's recorded answer is AltinnFault 0 "Unable to translate bytes".
    latin1 = call.content.replace(b"AltinnPin", "AltinnPinæ".encode("latin-1"))
    caught = fault(post(call, latin1))
    assert isinstance(caught, GeneralError)
    assert "Unable to translate bytes [E6]" in (caught.message or "")
    # An EC endpoint takes no UsernameToken: a message without a security context is refused.
    ec = operation("GetReporteeElementListEC")
    ec_call = PreparedCall(
        ec, mock.url + ec.path, prepared(mock, WS).headers, prepared(mock, WS).content
    )
    assert fault(post(ec_call)).subcodes == ("InvalidSecurity",)
    assert [c.fault for c in mock.calls][-6:] == [
        "HTTP 405",
        "HTTP 404",
        "HTTP 400",
        "HTTP 400",
        "AltinnFault 0",
        "o:InvalidSecurity",
    ]


def test_every_endpoint_path_is_served(mock: MockAltinn) -> None:
    paths = {op.path.lower() for op in operation_index().operations}
    assert set(mock.endpoints) == paths
    with httpx.Client(verify=False) as http:
        for endpoint in mock.endpoints.values():
            response = http.post(mock.url + endpoint.path, content=b"", headers={})
            assert response.status_code == 415  # found, but not a SOAP request


# -- what tests register ---------------------------------------------------------------------


def test_registered_responses_typed_result_raw_and_callable(mock: MockAltinn, shared: Path) -> None:
    client = mock.client()
    search = example(ExternalSearchBEV2)
    listing = client.reportee_element_list.get_reportee_element_list_basic_v2
    item = example(ReporteeElementBEV2, title="Registered")
    mock.respond("GetReporteeElementListBasicV2", [item])
    assert [e.title for e in listing(search_be=search, language_id=1)] == ["Registered"]
    mock.respond(BASIC, GetReporteeElementListBasicV2Response(), times=1)
    assert listing(search_be=search, language_id=1) == []
    assert [e.title for e in listing(search_be=search, language_id=1)] == ["Registered"]

    # A recorded answer of the real Altinn, as raw XML.
    recorded = (
        shared / "altinn2-traffic/ReporteeElementList/GetReporteeElementListBasicV2-response-1.xml"
    )
    mock.respond(BASIC, recorded.read_bytes(), times=1)
    assert len(listing(search_be=search, language_id=1)) >= 1
    # A body element (wrapped in the binding's envelope), and a responder that reads the request.
    body = etree.tostring(to_element(GetReporteeElementListBasicV2Response()))
    mock.respond(BASIC, body, times=1)
    assert listing(search_be=search, language_id=1) == []
    seen: list[Any] = []

    def responder(request: Any) -> object:
        seen.append(request.language_id)
        return [example(ReporteeElementBEV2, title=f"for {request.language_id}")]

    mock.respond("ReporteeElementList.GetReporteeElementListV2", responder)  # every binding
    assert listing(search_be=search, language_id=1044)[0].title == "for 1044"
    ws = mock.client("WS").reportee_element_list.get_reportee_element_list_external_v2
    assert ws(search_be=search, language_id=2068)[0].title == "for 2068"
    assert seen == [1044, 2068]


def test_registered_responses_are_checked(mock: MockAltinn) -> None:
    with pytest.raises(ValueError, match="answers with"):
        mock.respond(BASIC, example(ExternalSearchBEV2))  # not the output type
    with pytest.raises(ValueError, match="violates the schema"):
        mock.respond(
            BASIC,
            b"<GetReporteeElementListBasicV2Response xmlns="
            b"'http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2009/10'>"
            b"<Unexpected/></GetReporteeElementListBasicV2Response>",
        )
    with pytest.raises(ValueError, match="no generated operation"):
        mock.respond("NoSuchOperation", None)


def test_fault_injection_by_error_id(mock: MockAltinn) -> None:
    mock.defaults = "full"  # a receipt, not None, when no fault is injected
    client = mock.client()
    mock.fault(GET_RECEIPT_BASIC_V2, 30008, times=1)
    with pytest.raises(NotFoundError) as caught:
        client.receipt_external.get_receipt_basic_v2(receipt=ReceiptSearch(receipt_id=1))
    assert caught.value.error_id == 30008 and caught.value.error_guid
    assert client.receipt_external.get_receipt_basic_v2(receipt=ReceiptSearch(receipt_id=1))
    mock.fault("GetAvailableFilesBasic", 40207, "nothing here")
    with pytest.raises(BrokerFileNotReadyError, match="nothing here"):
        client.broker_service.get_available_files_basic(
            search_parameters=example(BrokerServiceSearch)
        )
    # On WS (SOAP 1.2) the fault carries the WSDL's fault action.
    mock.fault(WS, 14)
    call = prepared(mock, WS)
    response = post(call)
    action = etree.fromstring(response.content).find(f".//{{{WSA}}}Action")
    assert action is not None and action.text == WS.action + "AltinnFaultFault"
    assert fault(response).error_id == 14  # type: ignore[attr-defined]


def test_http_errors_are_retried_for_reads_only_and_delays_time_out(mock: MockAltinn) -> None:
    mock.defaults = "full"
    client = mock.client()
    mock.http_error(GET_RECEIPT_BASIC_V2, 503, body="<html>Service Unavailable</html>", times=2)
    assert client.receipt_external.get_receipt_basic_v2(receipt=ReceiptSearch(receipt_id=1))
    assert [c.status for c in mock.calls_to(GET_RECEIPT_BASIC_V2)] == [503, 503, 200]
    mock.http_error(UPDATE_RECEIPT_BASIC, 503, times=1)
    with pytest.raises(TransportError) as caught:
        client.receipt_external.update_receipt_basic(receipt=example(ReceiptSave))
    assert caught.value.status == 503
    assert len(mock.calls_to(UPDATE_RECEIPT_BASIC)) == 1  # an update is never resent

    rule = mock.delay(GET_RECEIPT_BASIC_V2, 2.0)
    impatient = mock.client(timeout=0.2, retry=NO_RETRY)
    started = time.monotonic()
    with pytest.raises(TransportError, match="timed out"):
        impatient.receipt_external.get_receipt_basic_v2(receipt=ReceiptSearch(receipt_id=1))
    assert time.monotonic() - started < 1.5
    rule.cancel()
    assert impatient.receipt_external.get_receipt_basic_v2(receipt=ReceiptSearch(receipt_id=1))


def test_delays_end_when_the_mock_stops() -> None:
    with MockAltinn(defaults="full") as mock:
        mock.delay(None, 30)
        client = mock.client(retry=NO_RETRY)
        started = time.monotonic()

        def stop_soon() -> None:
            time.sleep(0.2)
            mock.stop()

        threading.Thread(target=stop_soon).start()
        with pytest.raises(TransportError):
            client.receipt_external.get_receipt_basic_v2(receipt=ReceiptSearch(receipt_id=1))
        assert time.monotonic() - started < 5


# -- records, secrets and the mock's own failures --------------------------------------------


def test_calls_are_recorded_typed_and_without_secrets(
    mock: MockAltinn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="altinn2.testing")
    client = mock.client("Basic")
    ws = mock.client("WS")
    search = example(ExternalSearchBEV2, reportee="910000001")
    client.reportee_element_list.get_reportee_element_list_basic_v2(search_be=search, language_id=1)
    ws.reportee_element_list.get_reportee_element_list_external_v2(search_be=search, language_id=1)
    basic_call, ws_call = mock.calls
    assert (basic_call.operation, basic_call.binding.value if basic_call.binding else None) == (
        "GetReporteeElementListBasicV2",
        "Basic",
    )
    assert basic_call.headers["SOAPAction"] == f'"{BASIC.soap_action}"'
    assert basic_call.request.search_be.reportee == "910000001"
    assert basic_call.request.system_user_name == DEFAULT_SYSTEM.user_name
    assert basic_call.request.system_password == "***"
    assert basic_call.request.user_pin_code == "***"
    assert ws_call.action == WS.action and ws_call.binding and ws_call.binding.value == "WS"
    assert "application/soap+xml" in ws_call.headers["Content-Type"]
    shown = "\n".join(
        [repr(mock.calls), str(basic_call.request), str(ws_call.request)]
        + [call.envelope for call in mock.calls]
        + [record.getMessage() for record in caplog.records]
    )
    assert "GetReporteeElementListBasicV2" in shown and "<" in shown
    for secret in SECRETS:
        assert secret not in shown
    # The records are copies: changing them does not change what the mock saw.
    assert mock.calls_to("GetReporteeElementListV2") == list(mock.calls)


def test_a_failing_responder_is_a_receiver_fault_and_an_error_of_the_mock() -> None:
    with MockAltinn() as mock:

        def broken(request: Any) -> object:
            raise RuntimeError(f"boom for {DEFAULT_SYSTEM.password.reveal()}")

        mock.respond(BASIC, broken)
        with pytest.raises(SoapFaultError, match="The Altinn mock failed") as caught:
            mock.client().reportee_element_list.get_reportee_element_list_basic_v2(
                search_be=example(ExternalSearchBEV2), language_id=1
            )
        assert caught.value.code == "Server"
        assert DEFAULT_SYSTEM.password.reveal() not in str(caught.value)
        assert mock.errors and "RuntimeError" in mock.errors[0]
        with pytest.raises(AssertionError, match="the Altinn mock failed"):
            mock.check()
        # A Fault raised by a responder is an answer, not a failure.
        mock.respond(BASIC, lambda request: (_ for _ in ()).throw(Fault(5)))
        with pytest.raises(AltinnFaultError) as answered:
            mock.client().reportee_element_list.get_reportee_element_list_basic_v2(
                search_be=example(ExternalSearchBEV2), language_id=1
            )
        assert answered.value.error_id == 5 and len(mock.errors) == 1


def test_loopback_only_and_any_port() -> None:
    with pytest.raises(ValueError, match="loopback"):
        MockAltinn(host="0.0.0.0")
    with MockAltinn(port=0) as first, MockAltinn(port=0) as second:
        assert first.url != second.url
        assert first.url.startswith("http://127.0.0.1:")
    with pytest.raises(RuntimeError):
        first.url  # noqa: B018 (stopped)


def test_plain_client_against_the_url_with_the_mock_credentials(mock: MockAltinn) -> None:
    with Client(base_url=mock.url, system=DEFAULT_SYSTEM, user=DEFAULT_USER) as client:
        found = client.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=example(ExternalSearchBEV2), language_id=1044
        )
    assert found == []  # the minimal default answer


def test_mock_serve_command(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*ALTINN2, "mock", "serve", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        with Client(base_url=url, system=DEFAULT_SYSTEM, user=DEFAULT_USER) as client:
            found = client.reportee_element_list.get_reportee_element_list_basic_v2(
                search_be=example(ExternalSearchBEV2), language_id=1044
            )
        assert found == []  # stateful by default: nobody has elements yet
        response = httpx.get(url + BASIC.path, verify=False)
        assert response.status_code == 405
    finally:
        process.terminate()
        process.wait(timeout=10)
    refused = CliRunner().invoke(altinn2_cli, ["mock", "serve", "--host", "0.0.0.0"])
    assert refused.exit_code == 2 and "loopback" in refused.output


def test_large_and_chunked_bodies() -> None:
    with MockAltinn(max_request_bytes=20_000) as mock:
        call = prepared(mock, BASIC)
        assert len(call.content) < 20_000
        response = post(call, call.content + b" " * 20_000)
        assert response.status_code == 413
        chunks = [call.content[:100], call.content[100:]]
        response = httpx.post(call.url, content=iter(chunks), headers=call.headers, verify=False)
        assert response.status_code == 200, response.text
        assert [c.status for c in mock.calls] == [200]  # 413 is the server's, before the mock


def test_example_builds_schema_valid_instances_of_generated_types() -> None:
    minimal = example(ExternalSearchBEV2)
    full = example(ExternalSearchBEV2, full=True)
    assert minimal == example(ExternalSearchBEV2)  # deterministic
    assert minimal.reportee == "Reportee"  # required (minOccurs=1, nillable): filled
    assert minimal.archive_reference is None and full.archive_reference == "ArchiveReference"
    assert full.service_code_list == ["string"]
    assert example(ExternalSearchBEV2, reportee="910000001").reportee == "910000001"
    with pytest.raises(TypeError):
        example(int)


def test_client_sends_required_nillable_fields_as_nil(altinn2_client: Client) -> None:
    manifest = Manifest(
        external_service_code="4752",
        external_service_edition_code=1,
        reportee="910000001",
        senders_reference=None,
    )
    altinn2_client.broker_service.initiate_broker_service_basic(
        broker_service_initiation=BrokerServiceInitiation(manifest=manifest, recipient_list=[])
    )
