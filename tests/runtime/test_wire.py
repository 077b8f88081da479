"""What the client puts on the wire: SOAP 1.2 + WS-Addressing for WS, SOAP 1.1 for Basic.

Every request goes to a server on 127.0.0.1 that records it; the assertions are on the bytes and
HTTP headers that server received.
"""

from __future__ import annotations

import re
import uuid

from lxml import etree

from altinn2.client import Client
from altinn2.runtime import SystemCredentials, UserCredentials
from altinn2.services.reportee_element_list import (
    GET_REPORTEE_ELEMENT_LIST_BASIC_V2,
    GET_REPORTEE_ELEMENT_LIST_EXTERNAL_V2,
)
from tests.soap_server import (
    RE_2009,
    SOAP11,
    SOAP12,
    SOAP12_XML,
    TLS,
    WSA,
    WSSE,
    Received,
    Reply,
    SoapServer,
    basic_list_response,
    search_be,
    ws_list_response,
)

SYSTEM = SystemCredentials("412", "Systempassord-1")
USER = UserCredentials("01017012345", "Brukerpassord-2", "54321", "AltinnPin")
WS_OPERATION = GET_REPORTEE_ELEMENT_LIST_EXTERNAL_V2
BASIC_OPERATION = GET_REPORTEE_ELEMENT_LIST_BASIC_V2


def ws_calls(count: int = 1, **call: object) -> tuple[SoapServer, list[Received]]:
    with (
        SoapServer(Reply(ws_list_response(), content_type=SOAP12_XML)) as server,
        Client(verify=TLS, base_url=server.url, binding="WS", system=SYSTEM, user=USER) as client,
    ):
        for _ in range(count):
            client.reportee_element_list.get_reportee_element_list_v2(
                search_be=search_be(), language_id=1044, **call
            )
    return server, server.received


def header_blocks(request: Received) -> etree._Element:
    header = request.xml.find(f"{{{SOAP12}}}Header")
    assert header is not None
    return header


def test_ws_call_is_soap12_with_addressing() -> None:
    server, (request,) = ws_calls()
    assert request.path == WS_OPERATION.path
    assert request.xml.tag == f"{{{SOAP12}}}Envelope"
    header = header_blocks(request)
    must_understand = f"{{{SOAP12}}}mustUnderstand"

    action = header.find(f"{{{WSA}}}Action")
    assert action is not None and action.text == WS_OPERATION.action
    assert action.text.endswith("/IReporteeElementListExternal/GetReporteeElementListExternalV2")
    assert action.get(must_understand) == "1"

    to = header.find(f"{{{WSA}}}To")
    assert to is not None and to.text == server.url + WS_OPERATION.path
    assert to.get(must_understand) == "1"

    message_id = header.findtext(f"{{{WSA}}}MessageID") or ""
    match = re.fullmatch(r"urn:uuid:([0-9a-f-]{36})", message_id)
    assert match and uuid.UUID(match.group(1)).version == 4

    assert header.findtext(f"{{{WSA}}}ReplyTo/{{{WSA}}}Address") == f"{WSA}/anonymous"
    assert header.find(f"{{{WSSE}}}Security") is not None


def test_ws_http_headers() -> None:
    _, (request,) = ws_calls()
    assert request.headers["content-type"] == (
        f'application/soap+xml; charset=utf-8; action="{WS_OPERATION.action}"'
    )
    assert "soapaction" not in request.headers


def test_ws_message_ids_are_unique_per_call() -> None:
    _, requests = ws_calls(count=3)
    ids = {header_blocks(request).findtext(f"{{{WSA}}}MessageID") for request in requests}
    assert len(ids) == 3


def test_ws_to_follows_a_per_call_base_url() -> None:
    with (
        SoapServer(Reply(ws_list_response(), content_type=SOAP12_XML)) as other,
        SoapServer() as configured,
        Client(verify=TLS, base_url=configured.url, binding="WS", system=SYSTEM) as client,
    ):
        client.reportee_element_list.get_reportee_element_list_external_v2(
            search_be=search_be(), language_id=1044, base_url=other.url + "/"
        )
    assert configured.count == 0
    assert header_blocks(other.last).findtext(f"{{{WSA}}}To") == other.url + WS_OPERATION.path


def test_ws_person_credentials_stay_in_the_body() -> None:
    """System credentials go in the UsernameToken; the person's are body parameters."""
    _, (request,) = ws_calls()
    body = request.xml.find(f"{{{SOAP12}}}Body/{{{RE_2009}}}GetReporteeElementListExternalV2")
    assert body is not None
    names = [etree.QName(child).localname for child in body]
    assert names == [
        "userSSN",
        "userPassword",
        "userPinCode",
        "authMethod",
        "searchBE",
        "languageID",
    ]
    assert [child.text for child in body][:4] == [
        "01017012345",
        "Brukerpassord-2",
        "54321",
        "AltinnPin",
    ]


# -- Basic ------------------------------------------------------------------------------------


def basic_call(user: UserCredentials = USER, **call: object) -> Received:
    with (
        SoapServer(Reply(basic_list_response())) as server,
        Client(verify=TLS, base_url=server.url, system=SYSTEM, user=user) as client,
    ):
        assert client.binding.value == "Basic"  # the default
        client.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=call.pop("search", search_be()), language_id=1044, **call
        )
    return server.last


def test_basic_call_is_soap11_with_soap_action() -> None:
    request = basic_call()
    assert request.path == BASIC_OPERATION.path
    assert request.headers["content-type"] == "text/xml; charset=utf-8"
    assert request.headers["soapaction"] == f'"{BASIC_OPERATION.soap_action}"'
    assert BASIC_OPERATION.soap_action == (
        f"{RE_2009}/IReporteeElementListExternalBasic/GetReporteeElementListBasicV2"
    )
    root = request.xml
    assert root.tag == f"{{{SOAP11}}}Envelope"
    everything = {node.tag for node in root.iter() if isinstance(node.tag, str)}
    assert not [tag for tag in everything if tag.startswith((f"{{{WSA}}}", f"{{{WSSE}}}"))]
    assert b"mustUnderstand" not in request.body


def test_basic_credentials_are_in_the_body_in_schema_order() -> None:
    request = basic_call()
    body = request.xml.find(f"{{{SOAP11}}}Body/{{{RE_2009}}}GetReporteeElementListBasicV2")
    assert body is not None
    fields = [(etree.QName(child).localname, child.text) for child in body]
    assert fields[:6] == [
        ("systemUserName", "412"),
        ("systemPassword", "Systempassord-1"),
        ("userSSN", "01017012345"),
        ("userPassword", "Brukerpassord-2"),
        ("userPinCode", "54321"),
        ("authMethod", "AltinnPin"),
    ]
    assert [name for name, _ in fields[6:]] == ["searchBE", "languageID"]


def test_basic_body_is_utf8_bytes() -> None:
    """Altinn answers a Latin-1 `æ` with a fault (ErrorID 0): the body must be UTF-8."""
    request = basic_call(
        user=UserCredentials("01017012345", "blåbærsyltetøy-ÆØÅ"),
        search=search_be(search_name="Bjørn Ærø Åsen"),
    )
    text = request.body.decode("utf-8")  # strict: fails on anything that is not UTF-8
    assert "blåbærsyltetøy-ÆØÅ" in text and "Bjørn Ærø Åsen" in text
    assert "blåbærsyltetøy".encode() in request.body
    assert "Bjørn".encode("latin-1") not in request.body
    assert not request.body.startswith(b"<?xml") or b"utf-8" in request.body[:60].lower()
    body = request.xml.find(f"{{{SOAP11}}}Body/{{{RE_2009}}}GetReporteeElementListBasicV2")
    assert body is not None and body.findtext(f"{{{RE_2009}}}userPassword") == "blåbærsyltetøy-ÆØÅ"


def test_per_call_credentials_override_the_clients() -> None:
    request = basic_call(user_pin_code="99999", system_password="Annet-Passord-3")
    body = request.xml.find(f"{{{SOAP11}}}Body/{{{RE_2009}}}GetReporteeElementListBasicV2")
    assert body is not None
    assert body.findtext(f"{{{RE_2009}}}userPinCode") == "99999"
    assert body.findtext(f"{{{RE_2009}}}systemPassword") == "Annet-Passord-3"
    assert body.findtext(f"{{{RE_2009}}}userPassword") == "Brukerpassord-2"  # still the client's
