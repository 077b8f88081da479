"""The runtime's WS-SecureConversation core against an independent peer: Apache CXF.

One JVM (tests/java, `altinn2codegen.CxfEcServer`, built by `make java`) serves Altinn's
ReporteeElementList EC and EC2 WSDLs, WSDL-first, on loopback HTTPS with a test certificate, and
enforces their WS-SecurityPolicy: CXF issues the security context token after checking the
bootstrap's RSA signature against the test CA, and checks every call's HMAC endorsing signature,
through a derived key where the policy requires one (EC). The only change to the WSDLs is the one
CXF cannot take (`ADAPTATIONS`, listed in the README). Our side: the runtime's `trust` and
`message` modules, the envelope built by the runtime's builder around a typed body; no client yet.
"""

from __future__ import annotations

import re
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from lxml import etree

from altinn2.models.reportee_element_list_service_2010_10 import (
    GetReporteeElementListEC,
    GetReporteeElementListECResponse,
)
from altinn2.runtime.codec import from_element, to_element
from altinn2.runtime.envelope import parse_xml, read_envelope
from altinn2.runtime.errors import SoapFaultError
from altinn2.runtime.security import cancel, message, trust
from altinn2.runtime.security.x509 import Certificate
from altinn2.services.reportee_element_list import GET_REPORTEE_ELEMENT_LIST_EC
from tests import java_peers
from tests.pki import P12_PASSWORD, Pki, make_pki
from tests.soap_server import search_be

SOAP12_CONTENT = "application/soap+xml; charset=utf-8"

# What CXF cannot take as Altinn publishes it: `sp:HttpToken` (TLS ended at Altinn's load
# balancer) is unknown to CXF, and `sp:HttpsToken` in its place is never asserted for the
# bootstrap's nested policy ("These policy alternatives can not be satisfied: HttpsToken").
# Altinn's own Java client drops the assertion as well; the transport binding stays.
ADAPTATIONS = ((re.compile(r"<sp:HttpToken\s*(/>|>\s*</sp:HttpToken>)"), ""),)
# Not a policy change: WCF's `?wsdl=wsdl0` and `?xsd=xsdN` imports point at Altinn's hosts; the
# mirror's catalog.xml maps each to its local copy beside the WSDL, and the copy points there.
CATALOG = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}uri"
# Every EC and EC2 WSDL that CXF serves in one JVM (the streamed ones wait for MTOM).
ALL_WSDLS = (
    "BrokerServiceExternal/BrokerServiceExternalEC",
    "CaseExternal/CaseEC",
    "CorrespondenceExternal/CorrespondenceExternalEC",
    "IntermediaryInbound/IntermediaryInboundExternalEC",
    "KeyManagementExternal/KeyManagementEC",
    "PreFillEUSExternal/PreFillEUSExternalEC",
    "ReceiptExternal/ReceiptExternalEC",
    "ReporteeArchiveExternal/ReporteeArchiveExternalEC",
    "ReporteeElementListExternal/ReporteeElementListEC",
)
TEST_ACTION = "http://www.altinn.no/services/2009/10/IAltinnContractBase/Test"
TEST_NS = "http://www.altinn.no/services/2009/10"


@dataclass(frozen=True)
class Endpoint:
    name: str  # the WSDL's file name without .wsdl
    wsdl: str
    service: str
    port: str
    url: str
    derived_keys: bool  # the policy says RequireDerivedKeys (EC, not EC2)


@dataclass(frozen=True)
class Cxf:
    pki: Pki
    endpoints: dict[str, Endpoint]
    process: subprocess.Popen[str]
    log: list[str]

    @property
    def ec(self) -> Endpoint:
        return self.endpoints["ReporteeElementListEC"]

    @property
    def ec2(self) -> Endpoint:
        return self.endpoints["ReporteeElementListEC2"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _adapted_copy(mirror: Path, folder: Path) -> Path:
    """The mirror's EC/EC2 WSDLs with their imported parts, adapted for CXF, in `folder`."""
    local = {
        entry.get("name"): Path(entry.get("uri", "")).name
        for entry in etree.parse(str(mirror / "catalog.xml")).getroot().iter(CATALOG)
    }
    for stem in ALL_WSDLS:
        for source in (mirror / stem).parent.glob(f"{Path(stem).name}*.*"):
            text = source.read_text(encoding="utf-8")
            for pattern, replacement in ADAPTATIONS:
                text = pattern.sub(replacement, text)
            for remote, name in local.items():
                text = text.replace(f'ocation="{remote}"', f'ocation="{name}"')
            target = folder / source.relative_to(mirror)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return folder


def _endpoint(wsdl: Path, base: str) -> Endpoint:
    root = etree.parse(str(wsdl)).getroot()
    namespace = root.get("targetNamespace")
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/"}
    (service,) = root.xpath("w:service", namespaces=ns)
    (port,) = service.xpath("w:port", namespaces=ns)
    name = wsdl.name.removesuffix(".wsdl")
    policies = "".join(path.read_text() for path in wsdl.parent.glob(f"{name}.wsdl*"))
    return Endpoint(
        name,
        str(wsdl),
        f"{{{namespace}}}{service.get('name')}",
        f"{{{namespace}}}{port.get('name')}",
        f"{base}/{name}.svc",
        "<sp:RequireDerivedKeys" in policies,
    )


@pytest.fixture(scope="module")
def cxf(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> Iterator[Cxf]:
    folder = tmp_path_factory.mktemp("cxf")
    pki = make_pki(folder)
    wsdls = _adapted_copy(mirror, folder / "wsdl")
    base = f"https://127.0.0.1:{_free_port()}/ServiceEngineExternal"
    endpoints = {}
    for stem in ALL_WSDLS:
        for name in (f"{stem}.wsdl", f"{stem}2.wsdl"):
            endpoint = _endpoint(wsdls / name, base)
            endpoints[endpoint.name] = endpoint
    args = [str(pki.server_p12), P12_PASSWORD, str(pki.ca_pem)]
    for endpoint in endpoints.values():
        args += [endpoint.wsdl, endpoint.service, endpoint.port, endpoint.url]
    process = java_peers.start("CxfEcServer", args, stdin=True)
    log: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:  # the peer says READY, or FAILED and exits
        log.append(line.rstrip())
        if line.startswith("READY"):
            break
    else:
        process.wait()
        pytest.fail("CXF did not start:\n" + "\n".join(log[-40:]))
    server = Cxf(pki, endpoints, process, log)
    try:
        yield server
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def https(cxf: Cxf) -> Iterator[httpx.Client]:
    with httpx.Client(verify=ssl.create_default_context(cafile=str(cxf.pki.ca_pem))) as client:
        yield client


@pytest.fixture(scope="module")
def certificate(cxf: Cxf) -> Certificate:
    return Certificate.from_pkcs12(cxf.pki.enterprise_p12, P12_PASSWORD)


def post(https: httpx.Client, url: str, envelope: bytes) -> httpx.Response:
    return https.post(url, content=envelope, headers={"Content-Type": SOAP12_CONTENT})


def next_call(cxf: Cxf) -> str:
    """The server's next CALL line (it prints one before answering)."""
    assert cxf.process.stdout is not None
    for line in cxf.process.stdout:
        cxf.log.append(line.rstrip())
        if line.startswith("CALL "):
            return line.rstrip()
    raise AssertionError("CXF stopped:\n" + "\n".join(cxf.log[-20:]))


def issue(
    https: httpx.Client, endpoint: Endpoint, certificate: Certificate
) -> trust.SecurityContext:
    request = trust.issue_request(endpoint.url, certificate)
    response = post(https, endpoint.url, request.envelope)
    return trust.read_issue_response(response.content, request)


def the_body() -> etree._Element:
    return to_element(
        GetReporteeElementListEC(
            user_name="virksomhetsbruker",
            password="Virksomhet-Passord-9",
            search_be=search_be(),
            language_id=1044,
        )
    )


def call(
    https: httpx.Client, context: trust.SecurityContext, url: str, *, derived_keys: bool
) -> tuple[httpx.Response, message.SecuredMessage]:
    sent = message.secured_envelope(
        context,
        GET_REPORTEE_ELEMENT_LIST_EC.action,
        url,
        [the_body()],
        derived_keys=derived_keys,
    )
    return post(https, url, sent.envelope), sent


def test_cxf_issues_a_context_and_accepts_an_ec_call_signed_with_a_derived_key(
    cxf: Cxf, https: httpx.Client, certificate: Certificate
) -> None:
    context = issue(https, cxf.ec, certificate)
    assert context.identifier and context.token_id and not context.has_cookie
    assert len(context.key) == 32
    assert context.expires is not None and context.expires > context.created
    assert "key" not in repr(context).replace("key=", "")  # the key itself never shows
    assert context.key.hex() not in repr(context)

    response, sent = call(https, context, cxf.ec.url, derived_keys=True)
    assert response.status_code == 200, response.text
    # What CXF's WS-Security processing validated: the token, the derived key, the signature.
    line = next_call(cxf)
    assert line.startswith("CALL GetReporteeElementListEC ")
    assert all(action in line for action in ("SCT", "DKT", "SIGN", "TS")), line
    envelope = read_envelope(parse_xml(response.content), response.content)
    message.check_response(envelope, sent)
    assert envelope.body is not None
    typed = from_element(envelope.body, GetReporteeElementListECResponse)
    assert typed.get_reportee_element_list_ec_result is None

    # Several calls under one context, each with a fresh derived key.
    for _ in range(2):
        response, _sent = call(https, context, cxf.ec.url, derived_keys=True)
        assert response.status_code == 200, response.text
        assert "DKT" in next_call(cxf)


def test_cxf_refuses_an_ec_call_without_the_derived_key_its_policy_requires(
    cxf: Cxf, https: httpx.Client, certificate: Certificate
) -> None:
    context = issue(https, cxf.ec, certificate)
    response, _sent = call(https, context, cxf.ec.url, derived_keys=False)
    assert response.status_code == 500
    assert "DerivedKeys" in response.text or "derived" in response.text.lower(), response.text


def test_cxf_accepts_an_ec2_call_signed_with_the_context_key(
    cxf: Cxf, https: httpx.Client, certificate: Certificate
) -> None:
    context = issue(https, cxf.ec2, certificate)
    response, sent = call(https, context, cxf.ec2.url, derived_keys=False)
    assert response.status_code == 200, response.text
    line = next_call(cxf)
    assert "SCT" in line and "SIGN" in line and "DKT" not in line, line
    message.check_response(read_envelope(parse_xml(response.content)), sent)


def test_cxf_refuses_a_call_signed_with_another_key(
    cxf: Cxf, https: httpx.Client, certificate: Certificate
) -> None:
    context = issue(https, cxf.ec2, certificate)
    forged = trust.SecurityContext(
        **{**context.__dict__, "key": bytes(b ^ 0x5A for b in context.key)}
    )
    response, _sent = call(https, forged, cxf.ec2.url, derived_keys=False)
    assert response.status_code == 500
    assert b"Fault" in response.content


def test_cxf_refuses_a_bootstrap_signed_by_a_certificate_of_another_ca(
    cxf: Cxf, https: httpx.Client, tmp_path: Path
) -> None:
    stranger = make_pki(tmp_path)  # the same shape, another CA
    request = trust.issue_request(
        cxf.ec.url, Certificate.from_pkcs12(stranger.enterprise_p12, P12_PASSWORD)
    )
    response = post(https, cxf.ec.url, request.envelope)
    with pytest.raises(SoapFaultError):
        trust.read_issue_response(response.content, request)


def test_cxf_cancels_an_ec_context_and_refuses_it_afterwards(
    cxf: Cxf, https: httpx.Client, certificate: Certificate
) -> None:
    """CXF's own cancel policy wants the body and the addressing headers signed too (WCF signs
    only the Timestamp): the runtime signs them on request; the cancelled context is refused
    from then on."""
    context = issue(https, cxf.ec, certificate)
    unsigned_body = post(https, cxf.ec.url, cancel.cancel_request(context).envelope)
    assert unsigned_body.status_code == 500 and "Body is not SIGNED" in unsigned_body.text
    sent = cancel.cancel_request(context, derived_keys=True, sign_all=True)
    response = post(https, cxf.ec.url, sent.envelope)
    assert response.status_code == 200, response.text
    cancel.read_cancel_response(response.content)
    response, _sent = call(https, context, cxf.ec.url, derived_keys=True)
    assert response.status_code == 500, response.text


@pytest.mark.parametrize(
    "name", [f"{Path(stem).name}{suffix}" for stem in ALL_WSDLS for suffix in ("", "2")]
)
def test_every_ec_and_ec2_wsdl_served_by_cxf_takes_our_context_and_call(
    cxf: Cxf, https: httpx.Client, certificate: Certificate, name: str
) -> None:
    """Each EC/EC2 WSDL's own policy, as CXF reads it: a context issued to our RST, then the
    contract's `Test` operation signed through a derived key exactly where the policy asks."""
    endpoint = cxf.endpoints[name]
    assert endpoint.derived_keys == (not name.endswith("2")), "EC derives keys, EC2 does not"
    context = issue(https, endpoint, certificate)
    sent = message.secured_envelope(
        context,
        TEST_ACTION,
        endpoint.url,
        [etree.Element(f"{{{TEST_NS}}}Test", nsmap={None: TEST_NS})],
        derived_keys=endpoint.derived_keys,
    )
    response = post(https, endpoint.url, sent.envelope)
    assert response.status_code == 200, response.text
    line = next_call(cxf)
    assert line.startswith("CALL Test "), line
    assert ("DKT" in line) == endpoint.derived_keys, line
    envelope = read_envelope(parse_xml(response.content), response.content)
    message.check_response(envelope, sent)
    assert envelope.body is not None and envelope.body.tag == f"{{{TEST_NS}}}TestResponse"
