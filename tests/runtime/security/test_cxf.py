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

import asyncio
import dataclasses
import datetime as dt
import re
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from altinn2.client import AsyncClient, Client
from altinn2.models.reportee_element_list_service_2010_10 import (
    GetReporteeElementListEC,
    GetReporteeElementListECResponse,
)
from altinn2.runtime.codec import from_element, qname_of, to_element
from altinn2.runtime.credentials import EnterpriseCredentials
from altinn2.runtime.envelope import parse_xml, read_envelope
from altinn2.runtime.errors import BadContextTokenError, SoapFaultError
from altinn2.runtime.operation import Binding, Effect, OperationInfo
from altinn2.runtime.registry import operation_index
from altinn2.runtime.security import cancel, message, trust
from altinn2.runtime.security.context_cache import ContextCache
from altinn2.runtime.security.conversation import SecureConversation
from altinn2.runtime.security.x509 import Certificate
from altinn2.services.reportee_element_list import GET_REPORTEE_ELEMENT_LIST_EC
from altinn2.testing import example_input
from tests import java_peers
from tests.pki import P12_PASSWORD, Pki, make_pki
from tests.soap_server import search_be

SOAP12_CONTENT = "application/soap+xml; charset=utf-8"

# What CXF cannot take as Altinn publishes it: `sp:HttpToken` (TLS ended at Altinn's load
# balancer) is unknown to CXF, and `sp:HttpsToken` in its place is never asserted for the
# bootstrap's nested policy ("These policy alternatives can not be satisfied: HttpsToken").
# Altinn's own Java client drops the assertion as well; the transport binding stays.
# The streamed WSDLs' MTOM assertion: CXF 4.2.3's MTOMPolicyInterceptor fails with a
# NullPointerException on the endpoint's own RST/SCT exchange (its token service operation has no
# MTOM assertion); MTOM is switched on through the endpoint's `mtom-enabled` property instead, the
# comment left in its place tells CxfEcServer so. The wire is the same: MTOM both ways.
ADAPTATIONS = (
    (re.compile(r"<sp:HttpToken\s*(/>|>\s*</sp:HttpToken>)"), ""),
    (
        re.compile(r"<wsoma:OptimizedMimeSerialization\b[^>]*/>"),
        "<!-- OptimizedMimeSerialization: MTOM through mtom-enabled -->",
    ),
    # IntermediaryInboundExternalECStreamed alone asks the context token's endorsing signature
    # to cover `wsa:To` as well. WCF, whose export this is, signs `To` only with an asymmetric
    # endorsing key (never under a context key) and checks it only there; the client does as
    # WCF does, so CXF is told what WCF enforces.
    (
        re.compile(
            r"(</sp:SecureConversationToken>\s*)<sp:SignedParts>\s*<sp:Header Name=\"To\" "
            r"Namespace=\"http://www.w3.org/2005/08/addressing\"\s*/>\s*</sp:SignedParts>"
        ),
        r"\1",
    ),
)
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


def _adapted_copy(mirror: Path, folder: Path, stems: tuple[str, ...] = ALL_WSDLS) -> Path:
    """The mirror's WSDLs `stems` with their imported parts, adapted for CXF, in `folder`."""
    local = {
        entry.get("name"): Path(entry.get("uri", "")).name
        for entry in etree.parse(str(mirror / "catalog.xml")).getroot().iter(CATALOG)
    }
    for stem in stems:
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
    yield from serve(
        folder, mirror, [f"{stem}{suffix}" for stem in ALL_WSDLS for suffix in ("", "2")]
    )


def serve(
    folder: Path, mirror: Path, stems: list[str], paths: dict[str, str] | None = None
) -> Iterator[Cxf]:
    """One CXF JVM serving the WSDLs `stems` (folder/name without .wsdl), each under
    /ServiceEngineExternal or at its path in `paths` (by WSDL name), until the generator is
    closed."""
    pki = make_pki(folder)
    wsdls = _adapted_copy(mirror, folder / "wsdl", tuple(stems))
    root = f"https://127.0.0.1:{_free_port()}"
    endpoints = {}
    for stem in stems:
        endpoint = _endpoint(wsdls / f"{stem}.wsdl", f"{root}/ServiceEngineExternal")
        if paths and endpoint.name in paths:  # served where the generated client calls it
            endpoint = dataclasses.replace(endpoint, url=root + paths[endpoint.name])
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


# -- the real client (`Client`/`AsyncClient` with `certificate=`) through CXF ------------------

ENTERPRISE = EnterpriseCredentials(user_name="virksomhetsbruker", password="Virksomhet-Passord-9")
EC_WSDLS = tuple(Path(stem).name for stem in ALL_WSDLS)


def client_operation(cxf: Cxf, name: str) -> OperationInfo:
    """A generated, non-streamed operation of the EC or EC2 WSDL `name`, with the policy the
    generator read from that WSDL, at CXF's address for it (CXF serves every WSDL under one
    folder)."""
    binding = Binding.EC2 if name.endswith("2") else Binding.EC
    operation = next(
        op
        for op in operation_index().operations
        if op.binding is binding and not op.mtom and op.path.endswith(f"/{name}.svc")
    )
    assert operation.policy.derived_keys is (binding is Binding.EC)
    assert operation.policy.must_not_send_cancel is (binding is Binding.EC2)
    return dataclasses.replace(operation, path="/" + cxf.endpoints[name].url.split("/", 3)[3])


def local_name(kind: type[Any]) -> str:
    return qname_of(kind).rpartition("}")[2]


def cxf_base(cxf: Cxf) -> str:
    return cxf.ec.url.split("/ServiceEngineExternal/")[0]


def tls(cxf: Cxf) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cxf.pki.ca_pem))


def count_issues(client: Client | AsyncClient) -> list[str]:
    """Spy on the client's security round trips: the actions it posted, in order."""
    actions: list[str] = []
    post_security = client._post_security

    if isinstance(client, Client):

        def spy(url: str, envelope: bytes, action: str) -> bytes:
            actions.append(action.rsplit("/", 1)[-1])
            return post_security(url, envelope, action)  # type: ignore[return-value]

    else:

        async def spy(url: str, envelope: bytes, action: str) -> bytes:  # type: ignore[misc]
            actions.append(action.rsplit("/", 1)[-1])
            return await post_security(url, envelope, action)  # type: ignore[no-any-return,misc]

    client._post_security = spy  # type: ignore[method-assign]
    return actions


@pytest.mark.parametrize("name", [f"{n}{s}" for n in EC_WSDLS for s in ("", "2")])
def test_our_client_calls_every_ec_and_ec2_wsdl_through_cxf(
    cxf: Cxf, certificate: Certificate, name: str
) -> None:
    operation = client_operation(cxf, name)
    with Client(
        base_url=cxf_base(cxf), verify=tls(cxf), certificate=certificate, enterprise=ENTERPRISE
    ) as client:
        actions = count_issues(client)
        for _ in range(2):
            answer = client.invoke(operation, example_input(operation), operation.output)
            assert isinstance(answer, operation.output)
            line = next_call(cxf)
            assert line.startswith(f"CALL {local_name(operation.input)} "), line
            assert ("DKT" in line) == (not name.endswith("2")), line
            assert "SCT" in line and "SIGN" in line, line
        assert actions == ["SCT"]  # one context for both calls
    # EC cancels its context on close (CXF's cancel policy wants the body signed too); EC2 never.
    assert actions == (["SCT"] if name.endswith("2") else ["SCT", "Cancel"])


def post_never(url: str, envelope: bytes, action: str) -> bytes:
    raise AssertionError(f"no round trip expected ({action})")


@pytest.fixture(autouse=True)
def _cxf_cancel_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """CXF's own RST/Cancel policy asks for the body and addressing headers signed (WCF signs
    the Timestamp alone): the profile is told so for these tests."""
    original = SecureConversation.__init__

    def init(self: SecureConversation, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.cancel_signs_all = True

    monkeypatch.setattr(SecureConversation, "__init__", init)


@pytest.mark.parametrize("name", [f"{n}{s}" for n in EC_WSDLS for s in ("", "2")])
async def test_our_async_client_calls_every_ec_and_ec2_wsdl_through_cxf(
    cxf: Cxf, certificate: Certificate, name: str
) -> None:
    operation = client_operation(cxf, name)
    async with AsyncClient(
        base_url=cxf_base(cxf), verify=tls(cxf), certificate=certificate, enterprise=ENTERPRISE
    ) as client:
        actions = count_issues(client)
        answers = await asyncio.gather(
            *(
                client.invoke(operation, example_input(operation), operation.output)
                for _ in range(5)
            )
        )
        assert all(isinstance(answer, operation.output) for answer in answers)
        for _ in range(5):
            line = next_call(cxf)
            assert ("DKT" in line) == (not name.endswith("2")), line
        assert actions == ["SCT"]  # five calls at once, one issue in flight
    assert actions == (["SCT"] if name.endswith("2") else ["SCT", "Cancel"])


def test_the_client_cancels_ec_contexts_on_close_and_cxf_refuses_them_afterwards(
    cxf: Cxf, https: httpx.Client, certificate: Certificate
) -> None:
    operation = client_operation(cxf, "ReporteeElementListEC")
    with Client(
        base_url=cxf_base(cxf), verify=tls(cxf), certificate=certificate, enterprise=ENTERPRISE
    ) as client:
        client.invoke(operation, example_input(operation), operation.output)
        next_call(cxf)
        context = client.conversation.context(operation, client.url_for(operation), post_never)
        response, _sent = call(https, context, cxf.ec.url, derived_keys=True)
        assert response.status_code == 200
        next_call(cxf)
    response, _sent = call(https, context, cxf.ec.url, derived_keys=True)
    assert response.status_code == 500, response.text


def test_the_client_renews_a_context_before_it_expires(cxf: Cxf, certificate: Certificate) -> None:
    now = [dt.datetime.now(dt.UTC)]
    operation = client_operation(cxf, "ReporteeElementListEC2")
    with Client(
        base_url=cxf_base(cxf), verify=tls(cxf), certificate=certificate, enterprise=ENTERPRISE
    ) as client:
        client.conversation.cache = ContextCache(clock=lambda: now[0])
        actions = count_issues(client)
        client.invoke(operation, example_input(operation), operation.output)
        first = client.conversation.context(operation, client.url_for(operation), post_never)
        assert first.expires is not None
        now[0] += (first.expires - first.created) * 0.7  # past the renewal point (60 %)
        client.invoke(operation, example_input(operation), operation.output)
        second = client.conversation.context(operation, client.url_for(operation), post_never)
        assert second.identifier != first.identifier
        assert actions == ["SCT", "SCT"]
        next_call(cxf), next_call(cxf)


# What a WCF service answers for a context it does not know (expired, cancelled, or issued by
# another server of the farm): SOAP 1.2 Sender / wsc:BadContextToken.
BAD_CONTEXT_TOKEN = (
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
    b"<s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode>"
    b'<s:Value xmlns:a="http://schemas.xmlsoap.org/ws/2005/02/sc">a:BadContextToken</s:Value>'
    b'</s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">The message could not be processed. '
    b"The security context token is invalid or expired.</s:Text></s:Reason></s:Fault></s:Body>"
    b"</s:Envelope>"
)


class ForgetsOnce(httpx.HTTPTransport):
    """To CXF, except the first message with `action`: refused as WCF refuses a context it no
    longer knows (the message never reaches the service)."""

    def __init__(self, action: str, verify: ssl.SSLContext) -> None:
        super().__init__(verify=verify)
        self.action = action
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.refused == 0 and f'action="{self.action}"' in request.headers["content-type"]:
            self.refused += 1
            return httpx.Response(
                500, content=BAD_CONTEXT_TOKEN, headers={"content-type": SOAP12_CONTENT}
            )
        return super().handle_request(request)


def test_the_client_reissues_once_when_the_service_forgot_the_context(
    cxf: Cxf, certificate: Certificate
) -> None:
    """BadContextToken: the service refused the message before acting on it; the client drops
    the context, issues a new one and sends the call once more, a write included."""
    write = next(
        op
        for op in operation_index().operations
        if op.path == GET_REPORTEE_ELEMENT_LIST_EC.path and op.effect is Effect.WRITE
    )
    write = dataclasses.replace(write, path=client_operation(cxf, "ReporteeElementListEC").path)
    transport = ForgetsOnce(write.action, tls(cxf))
    with Client(
        base_url=cxf_base(cxf),
        http_client=httpx.Client(transport=transport),
        certificate=certificate,
        enterprise=ENTERPRISE,
    ) as client:
        actions = count_issues(client)
        answer = client.invoke(write, example_input(write), write.output)
        assert isinstance(answer, write.output)
        assert transport.refused == 1 and actions == ["SCT", "SCT"]
        assert next_call(cxf).startswith(f"CALL {local_name(write.input)} ")
        # Refused again under the new context: raised, not retried a second time.
        transport.refused = 0
        client.conversation.cache.take_all()
        with pytest.raises(BadContextTokenError):
            transport.handle_request = (  # type: ignore[method-assign]
                lambda request: (
                    httpx.Response(
                        500, content=BAD_CONTEXT_TOKEN, headers={"content-type": SOAP12_CONTENT}
                    )
                    if "RST/SCT" not in request.headers["content-type"]
                    else httpx.HTTPTransport.handle_request(transport, request)
                )
            )
            client.invoke(write, example_input(write), write.output)
        assert actions == ["SCT", "SCT", "SCT", "SCT"]


@pytest.mark.parametrize("binding", ["EC", "EC2"])
def test_a_base_method_on_the_ec_and_ec2_bindings_through_cxf(
    cxf: Cxf, certificate: Certificate, binding: str
) -> None:
    """What an app writes: `binding="EC"` or `"EC2"` and the base method; the generated paths of
    ReporteeElementList are where CXF serves them."""
    with Client(
        base_url=cxf_base(cxf),
        binding=binding,
        verify=tls(cxf),
        certificate=certificate,
        enterprise=ENTERPRISE,
    ) as client:
        result = client.reportee_element_list.get_reportee_element_list_v2(
            search_be=search_be(), language_id=1044
        )
        assert result == []  # CXF answers with an empty response element: an empty list
        line = next_call(cxf)
        assert line.startswith("CALL GetReporteeElementListEC "), line
        assert ("DKT" in line) == (binding == "EC"), line


async def test_an_async_base_method_on_ec2_through_cxf(cxf: Cxf, certificate: Certificate) -> None:
    async with AsyncClient(
        base_url=cxf_base(cxf),
        binding="EC2",
        verify=tls(cxf),
        certificate=certificate,
        enterprise=ENTERPRISE,
    ) as client:
        result = await client.reportee_element_list.get_reportee_element_list_v2(
            search_be=search_be(), language_id=1044
        )
        assert result == []
        line = next_call(cxf)
        assert line.startswith("CALL GetReporteeElementListEC ") and "DKT" not in line, line


def test_the_client_reports_a_refused_bootstrap_without_secrets_and_caches_nothing(
    cxf: Cxf, tmp_path: Path
) -> None:
    """A certificate of another CA: CXF refuses the RST; the client raises the service's fault,
    caches no context, and neither its repr nor the error holds the key or a password."""
    stranger = Certificate.from_pkcs12(make_pki(tmp_path).enterprise_p12, P12_PASSWORD)
    key = stranger.private_key_pem().decode("ascii").splitlines()[1]
    operation = client_operation(cxf, "ReporteeElementListEC")
    with Client(
        base_url=cxf_base(cxf), verify=tls(cxf), certificate=stranger, enterprise=ENTERPRISE
    ) as client:
        shown = repr(client) + repr(client.conversation)
        with pytest.raises(SoapFaultError) as caught:
            client.invoke(operation, example_input(operation), operation.output)
        assert client.conversation.cache.take_all() == []
    for text in (shown, str(caught.value), repr(caught.value)):
        assert key not in text and P12_PASSWORD not in text
        assert ENTERPRISE.password is not None
        assert ENTERPRISE.password.reveal() not in text
