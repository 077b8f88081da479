"""Client configuration: environments, bindings, URLs, lifecycle, async, and what is not there."""

from __future__ import annotations

import pytest
from lxml import etree

from altinn2.client import AsyncClient, Client
from altinn2.endpoints import ENVIRONMENTS
from altinn2.runtime import (
    Binding,
    BindingNotAvailableError,
    ConfigurationError,
    EnterpriseCredentials,
    SystemCredentials,
    UserCredentials,
)
from altinn2.services.receipt_external import ReceiptSearch
from tests.soap_server import (
    RE_2009,
    SOAP11,
    SOAP12,
    SOAP12_XML,
    TLS,
    WSA,
    WSSE,
    Reply,
    SoapServer,
    basic_list_response,
    reportee_element,
    search_be,
    ws_list_response,
)

SYSTEM = SystemCredentials("412", "Systempassord-1")
USER = UserCredentials("01017012345", "Brukerpassord-2", "54321", "AltinnPin")
ENTERPRISE = EnterpriseCredentials("virksomhet", "Virksomhetspassord-3")


# -- environments, bindings, URLs -------------------------------------------------------------


def test_environments() -> None:
    assert Client(verify=TLS).base_url == "https://www.altinn.no"
    for name, url in ENVIRONMENTS.items():
        client = Client(verify=TLS, environment=name)
        assert (client.base_url, client.environment) == (url, name)
    assert Client(verify=TLS, environment="tt02").base_url == "https://tt02.altinn.no"


def test_unknown_environment() -> None:
    with pytest.raises(ConfigurationError, match=r"unknown environment 'tt99' \(known: .*tt02"):
        Client(verify=TLS, environment="tt99")


@pytest.mark.parametrize("binding", ["SOAP", "ws-security", "", "Ec2"])
def test_unknown_binding(binding: str) -> None:
    with pytest.raises(ConfigurationError, match="unknown binding"):
        Client(verify=TLS, binding=binding)


@pytest.mark.parametrize("binding", ["Basic", "WS", Binding.WS, Binding.BASIC])
def test_known_bindings(binding: str) -> None:
    assert Client(verify=TLS, binding=binding).binding == Binding(binding)


@pytest.mark.parametrize(
    "url",
    [
        "http://www.altinn.no",
        "http://tt02.altinn.no/",
        "http://10.0.0.1:8080",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
        "http://0.0.0.0:8080",
    ],
)
def test_plain_http_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="refusing plain http"):
        Client(verify=TLS, base_url=url)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://localhost:8080/", "http://[::1]:8080", "http://127.1.2.3"],
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert Client(verify=TLS, base_url=url).base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["https://412:secret@www.altinn.no", "https://412@www.altinn.no", "http://u:p@[::1]:80"]
)
def test_base_url_with_user_info_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="must not carry credentials"):
        Client(verify=TLS, base_url=url)


@pytest.mark.parametrize("url", ["ftp://www.altinn.no", "www.altinn.no", "https://", "file:///x"])
def test_not_an_http_url_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="not an http"):
        Client(verify=TLS, base_url=url)


def test_a_per_call_base_url_goes_to_the_other_server() -> None:
    with (
        SoapServer() as configured,
        SoapServer(Reply(basic_list_response(reportee_element()))) as other,
        Client(verify=TLS, base_url=configured.url, system=SYSTEM, user=USER) as client,
    ):
        result = client.reportee_element_list.get_reportee_element_list_v2(
            search_be=search_be(), language_id=1044, base_url=other.url
        )
        assert len(result) == 1
        with pytest.raises(ConfigurationError, match="refusing plain http"):
            client.reportee_element_list.get_reportee_element_list_v2(
                search_be=search_be(), language_id=1044, base_url="http://www.altinn.no"
            )
    assert configured.count == 0 and other.count == 1
    assert other.last.path == "/ServiceEngineExternal/ReporteeElementListExternalBasic.svc"


# -- lifecycle --------------------------------------------------------------------------------


def test_client_as_context_manager_closes() -> None:
    with Client(verify=TLS, base_url="http://127.0.0.1:9") as client:
        assert not client.http.is_closed
    assert client.http.is_closed


def test_a_given_http_client_is_left_open() -> None:
    import httpx

    with httpx.Client() as http:
        with Client(verify=TLS, base_url="http://127.0.0.1:9", http_client=http) as client:
            assert client.http is http
        assert not http.is_closed


async def test_async_client_as_context_manager_closes() -> None:
    async with AsyncClient(verify=TLS, base_url="http://127.0.0.1:9") as client:
        assert not client.http.is_closed
    assert client.http.is_closed


# -- AsyncClient ------------------------------------------------------------------------------


async def test_async_basic_call() -> None:
    with SoapServer(Reply(basic_list_response(reportee_element()))) as server:
        async with AsyncClient(verify=TLS, base_url=server.url, system=SYSTEM, user=USER) as client:
            (element,) = await client.reportee_element_list.get_reportee_element_list_v2(
                search_be=search_be(), language_id=1044
            )
    assert element.reportee_element_id == 7992038 and element.archive_id is None
    request = server.last
    assert request.headers["content-type"] == "text/xml; charset=utf-8"
    assert request.headers["soapaction"].startswith(f'"{RE_2009}/')
    assert request.xml.tag == f"{{{SOAP11}}}Envelope"
    body = request.xml.find(f"{{{SOAP11}}}Body/{{{RE_2009}}}GetReporteeElementListBasicV2")
    assert body is not None and body.findtext(f"{{{RE_2009}}}userSSN") == "01017012345"


async def test_async_ws_call() -> None:
    with SoapServer(Reply(ws_list_response(reportee_element()), content_type=SOAP12_XML)) as srv:
        async with AsyncClient(
            verify=TLS, base_url=srv.url, binding="WS", system=SYSTEM, user=USER
        ) as client:
            (element,) = await client.reportee_element_list.get_reportee_element_list_v2(
                search_be=search_be(), language_id=1044
            )
    assert element.title == "RF-1030 Skattemelding"
    request = srv.last
    assert request.headers["content-type"].startswith("application/soap+xml; charset=utf-8;")
    assert "soapaction" not in request.headers
    header = request.xml.find(f"{{{SOAP12}}}Header")
    assert header is not None
    assert header.findtext(f"{{{WSA}}}To") == srv.url + request.path
    assert header.findtext(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken/{{{WSSE}}}Username") == (
        "412"
    )


async def test_async_ec_without_a_certificate_says_so() -> None:
    async with AsyncClient(
        verify=TLS, base_url="http://127.0.0.1:9", binding="EC", enterprise=ENTERPRISE
    ) as c:
        with pytest.raises(ConfigurationError, match="enterprise certificate: pass certificate="):
            await c.reportee_element_list.get_reportee_element_list_v2(
                search_be=search_be(), language_id=1044
            )


# -- what is not available --------------------------------------------------------------------


@pytest.mark.parametrize("enterprise", [ENTERPRISE, None], ids=["with-credentials", "without"])
def test_ec_operations_without_a_certificate_say_so(
    enterprise: EnterpriseCredentials | None,
) -> None:
    """EC signs in with the enterprise certificate; without one the error says so, whatever
    else is (not) configured, and nothing is sent."""
    with (
        SoapServer() as server,
        Client(
            verify=TLS, base_url=server.url, binding="EC", system=SYSTEM, enterprise=enterprise
        ) as client,
    ):
        for call in (
            lambda: client.reportee_element_list.get_reportee_element_list_ec(
                search_be=search_be(), language_id=1044
            ),
            lambda: client.reportee_element_list.get_reportee_element_list_v2(
                search_be=search_be(), language_id=1044
            ),
            lambda: client.reportee_element_list.delete_reportee_element(
                reportee_element_code="A2E7"
            ),
        ):
            with pytest.raises(ConfigurationError) as caught:
                call()
            message = str(caught.value)
            assert "(EC)" in message
            assert "enterprise certificate" in message and "certificate=" in message
    assert server.count == 0


def test_a_base_operation_without_an_endpoint_for_the_binding() -> None:
    with (
        SoapServer() as server,
        Client(verify=TLS, base_url=server.url, binding="WS", system=SYSTEM) as c,
        pytest.raises(BindingNotAvailableError) as caught,
    ):
        c.receipt_external.get_receipt_v2(receipt=ReceiptSearch())
    message = str(caught.value)
    assert "ReceiptExternal.GetReceiptV2 has no WS endpoint" in message
    assert message.endswith("available: Basic, EC, EC2")
    assert server.count == 0


def test_ws_without_system_credentials() -> None:
    with (
        SoapServer() as server,
        Client(verify=TLS, base_url=server.url, binding="WS", user=USER) as client,
        pytest.raises(ConfigurationError, match="UsernameToken: configure SystemCredentials"),
    ):
        client.reportee_element_list.get_reportee_element_list_v2(
            search_be=search_be(), language_id=1044
        )
    assert server.count == 0


def test_basic_without_system_credentials() -> None:
    with (
        SoapServer() as server,
        Client(verify=TLS, base_url=server.url) as client,
        pytest.raises(ConfigurationError, match="needs system_user_name"),
    ):
        client.reportee_element_list.get_reportee_element_list_v2(
            search_be=search_be(), language_id=1044
        )
    assert server.count == 0


def test_person_credentials_may_be_left_out() -> None:
    """Operations that may act without a person send empty person fields."""
    with (
        SoapServer(Reply(basic_list_response())) as server,
        Client(verify=TLS, base_url=server.url, system=SYSTEM) as client,
    ):
        client.reportee_element_list.get_reportee_element_list_v2(
            search_be=search_be(), language_id=1044
        )
    body = server.last.xml.find(f"{{{SOAP11}}}Body/{{{RE_2009}}}GetReporteeElementListBasicV2")
    assert body is not None
    assert [body.findtext(f"{{{RE_2009}}}{name}") for name in ("userSSN", "userPinCode")] == [
        "",
        "",
    ]
    assert etree.QName(body[0]).localname == "systemUserName"
