"""The WSDL model (generator/wsdl) on real cached WSDLs, and on broken ones it must refuse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.cache import WsdlCache
from generator.errors import WsdlError
from generator.project import Project
from generator.wsdl import SecurityProfile, Wsdl, load_wsdl
from generator.wsdl.namespaces import SOAP11_BINDING, SOAP12_BINDING

REL = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList"
BROKER = "http://www.altinn.no/services/ServiceEngine/Broker/2015/06"
FAULT = "{http://www.altinn.no/services/common/fault/2009/10}AltinnFault"
SOAP_HTTP = "http://schemas.xmlsoap.org/soap/http"

BASIC = "/ServiceEngineExternal/ReporteeElementListExternalBasic.svc"
WS = "/ServiceEngineExternal/ReporteeElementListExternal.svc"
EC = "/ServiceEngineExternal/ReporteeElementListEC.svc"
STREAMED_BASIC = "/ServiceEngineExternal/BrokerServiceExternalBasicStreamed.svc"
STREAMED_EC = "/ServiceEngineExternal/BrokerServiceExternalECStreamed.svc"
INTERMEDIARY_EC = "/IntermediaryExternal/IntermediaryInboundExternalEC.svc"


@pytest.fixture(scope="module")
def cache(fetched: Project) -> WsdlCache:
    return WsdlCache.open(fetched)


def endpoint(cache: WsdlCache, path: str) -> Wsdl:
    wsdl = cache.endpoint_wsdl(path)
    assert wsdl is not None, path
    return wsdl


# -- real WSDLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "soap_version", "label", "addressing", "https"),
    [
        (BASIC, "1.1", "none", False, False),
        (WS, "1.2", "UsernameToken", True, True),
        (EC, "1.2", "SecureConversation/X509", True, True),
        (STREAMED_BASIC, "1.1", "none+MTOM", False, False),
        (STREAMED_EC, "1.2", "SecureConversation/X509+MTOM", True, True),
    ],
)
def test_binding_soap_version_and_policy(
    cache: WsdlCache, path: str, soap_version: str, label: str, addressing: bool, https: bool
) -> None:
    binding = endpoint(cache, path).main_binding()
    assert binding.soap_version == soap_version
    assert binding.transport == SOAP_HTTP
    assert binding.style == "document"
    policy = binding.policy
    assert policy.label == label
    assert (policy.addressing, policy.https) == (addressing, https)
    assert policy.mtom is label.endswith("+MTOM")
    if label.startswith("SecureConversation"):
        assert policy.derived_keys and policy.include_timestamp
        assert policy.bootstrap_token == "X509"
    if label == "none":
        assert policy.id == ""  # ReporteeElementListExternalBasic has no policy at all


def test_operation_actions_of_each_binding(cache: WsdlCache) -> None:
    cases = [
        (
            BASIC,
            "GetReporteeElementListBasicV2",
            f"{REL}/2009/10/IReporteeElementListExternalBasic",
        ),
        (WS, "GetReporteeElementListExternalV2", f"{REL}/2009/10/IReporteeElementListExternal"),
        (EC, "GetReporteeElementListEC", f"{REL}/2010/10/IReporteeElementListEC"),
    ]
    for path, name, contract in cases:
        wsdl = endpoint(cache, path)
        operation = wsdl.operation(wsdl.main_binding(), name)
        action = f"{contract}/{name}"
        assert operation.soap_action == action  # soap:operation/@soapAction
        assert operation.input_action == action  # wsaw:Action of the portType input
        assert operation.output_action == f"{action}Response"
        assert operation.action == action
        assert [(f.name, f.element, f.action) for f in operation.faults] == [
            ("AltinnFaultFault", FAULT, f"{action}AltinnFaultFault")
        ]
        assert len(operation.input_body) == len(operation.output_body) == 1
        assert operation.input_body[0].element.endswith("}" + name)
        assert operation.output_body[0].element.endswith("}" + name + "Response")
        assert operation.input_headers == operation.output_headers == ()
        assert operation.documentation  # the portType's wsdl:documentation


def test_every_binding_operation_resolves(cache: WsdlCache) -> None:
    for path, file in sorted(cache.lock.endpoints.items()):
        if file is None:
            continue
        wsdl = endpoint(cache, path)
        binding = wsdl.main_binding()
        operations = wsdl.operations(binding)
        assert "Test" in binding.operations  # every Altinn contract has it
        for operation in operations:
            assert operation.soap_version == binding.soap_version
            assert operation.policy == binding.policy
            assert operation.action, (path, operation.name)
            assert FAULT in {fault.element for fault in operation.faults}, (path, operation.name)


def test_streamed_upload_takes_its_values_as_soap_headers(cache: WsdlCache) -> None:
    wsdl = endpoint(cache, STREAMED_BASIC)
    operation = wsdl.operation(wsdl.main_binding(), "UploadFileStreamedBasic")
    headers = [(ref.part, ref.element) for ref in operation.input_headers]
    names = ["FileName", "Reference", "Reportee", "SystemPassword", "SystemUserName"]
    assert headers == [(name, f"{{{BROKER}}}{name}") for name in names]
    assert [ref.element for ref in operation.input_body] == [f"{{{BROKER}}}StreamedPayloadBasicBE"]
    assert [ref.element for ref in operation.output_body] == [
        f"{{{BROKER}}}ReceiptExternalStreamedBE"
    ]
    assert operation.policy.mtom and operation.soap_version == "1.1"
    download = wsdl.operation(wsdl.main_binding(), "DownloadFileStreamedBasic")
    assert download.input_headers == ()


def test_split_wsdl_resolves_its_wsdl0_import(cache: WsdlCache) -> None:
    """IntermediaryInboundExternalEC.svc?wsdl holds the service; its binding, portType, messages,
    schemas and policy are in ?wsdl=wsdl0, which the lock maps to a cache file."""
    wsdl = endpoint(cache, INTERMEDIARY_EC)
    assert len(wsdl.documents) == 2
    assert wsdl.documents[1].endswith("IntermediaryInboundExternalEC.svc?wsdl=wsdl0")
    entry = cache.lock.by_location()[wsdl.documents[1]]
    assert entry.path == "IntermediaryExternal/IntermediaryInboundExternalEC.svc.wsdl0.wsdl"
    binding = wsdl.main_binding()
    assert binding.name.endswith("}CustomBinding_IIntermediaryInboundExternalEC")
    assert binding.policy.label == "SecureConversation/X509"  # a policy of the imported document
    assert {"SubmitFormTaskEC", "CompleteAndSignShipmentEC", "UpdateFormDataEC"} <= set(
        binding.operations
    )
    operation = wsdl.operation(binding, "SubmitFormTaskEC")
    assert operation.soap_version == "1.2"
    assert operation.input_action == operation.soap_action
    assert {schema.source for schema in wsdl.schemas} == {wsdl.documents[1]}


def test_cache_refuses_an_import_that_is_not_in_the_lock(cache: WsdlCache) -> None:
    with pytest.raises(WsdlError, match=r"imports https://elsewhere\.example/x\.xsd, which is not"):
        cache.resolve("https://elsewhere.example/x.xsd", "https://www.altinn.no/A.svc?wsdl")


# -- synthetic WSDLs: what the loader reads, and what it refuses -------------------------------

POLICY = """
  <wsp:Policy wsu:Id="P">
    <wsp:ExactlyOne><wsp:All>
      {assertions}
      <wsaw:UsingAddressing/>
    </wsp:All></wsp:ExactlyOne>
  </wsp:Policy>"""

USERNAME_TOKEN = """<sp:SignedSupportingTokens><wsp:Policy><sp:UsernameToken/></wsp:Policy>
      </sp:SignedSupportingTokens>"""
MTOM = "<wsoma:OptimizedMimeSerialization/>"


def wsdl_text(
    *,
    policy: str | None = None,
    reference: str | None = None,
    soap: str = "soap12",
    use: str = "literal",
    part: str = 'element="tns:Ping"',
    ports: int = 1,
    prolog: str = "",
) -> str:
    policies = POLICY.format(assertions=policy) if policy is not None else ""
    ref = f'<wsp:PolicyReference URI="#{reference}"/>' if reference else ""
    port_xml = "".join(
        f'<wsdl:port name="P{i}" binding="tns:B{i}"><{soap}:address location="https://h/s.svc"/>'
        "</wsdl:port>"
        for i in range(ports)
    )
    bindings = "".join(f"""
  <wsdl:binding name="B{i}" type="tns:IPing">
    {ref}
    <{soap}:binding transport="{SOAP_HTTP}"/>
    <wsdl:operation name="Ping">
      <{soap}:operation soapAction="urn:ping" style="document"/>
      <wsdl:input><{soap}:body use="{use}"/></wsdl:input>
      <wsdl:output><{soap}:body use="{use}"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>""" for i in range(ports))
    return f"""<?xml version="1.0" encoding="utf-8"?>{prolog}
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="{SOAP11_BINDING}" xmlns:soap12="{SOAP12_BINDING}"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"
    xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    xmlns:sp="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy"
    xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"
    xmlns:wsoma="http://schemas.xmlsoap.org/ws/2004/09/policy/optimizedmimeserialization"
    xmlns:tns="urn:test" targetNamespace="urn:test">{policies}
  <wsdl:types>
    <xs:schema targetNamespace="urn:test" elementFormDefault="qualified">
      <xs:element name="Ping"><xs:complexType><xs:sequence/></xs:complexType></xs:element>
      <xs:element name="PingResponse"><xs:complexType><xs:sequence/></xs:complexType></xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="PingIn"><wsdl:part name="parameters" {part}/></wsdl:message>
  <wsdl:message name="PingOut">
    <wsdl:part name="parameters" element="tns:PingResponse"/>
  </wsdl:message>
  <wsdl:portType name="IPing">
    <wsdl:operation name="Ping">
      <wsdl:input wsaw:Action="urn:ping" message="tns:PingIn"/>
      <wsdl:output wsaw:Action="urn:pingResponse" message="tns:PingOut"/>
    </wsdl:operation>
  </wsdl:portType>{bindings}
  <wsdl:service name="S">{port_xml}</wsdl:service>
</wsdl:definitions>
"""


def write(tmp_path: Path, text: str, name: str = "ping.wsdl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("policy", "label", "version"),
    [
        (None, "none", "1.2"),
        (USERNAME_TOKEN, "UsernameToken", "1.2"),
        (USERNAME_TOKEN + MTOM, "UsernameToken+MTOM", "1.2"),
    ],
)
def test_synthetic_wsdl_loads(tmp_path: Path, policy: str | None, label: str, version: str) -> None:
    wsdl = load_wsdl(
        write(tmp_path, wsdl_text(policy=policy, reference="P" if policy is not None else None))
    )
    binding = wsdl.main_binding()
    assert (binding.soap_version, binding.policy.label) == (version, label)
    assert binding.policy.security is (
        SecurityProfile.USERNAME_TOKEN if policy else SecurityProfile.NONE
    )
    operation = wsdl.operation(binding, "Ping")
    assert (operation.soap_action, operation.input_action, operation.output_action) == (
        "urn:ping",
        "urn:ping",
        "urn:pingResponse",
    )
    assert [ref.element for ref in operation.input_body] == ["{urn:test}Ping"]


def test_soap11_binding(tmp_path: Path) -> None:
    wsdl = load_wsdl(write(tmp_path, wsdl_text(soap="soap")))
    assert wsdl.main_binding().soap_version == "1.1"


BILLION_LAUGHS = """
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>"""
XXE = '\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            wsdl_text(reference="missing"),
            r"binding \{urn:test\}B0 refers to unknown policy missing$",
        ),
        (wsdl_text(policy=USERNAME_TOKEN, reference="other"), r"refers to unknown policy other$"),
        (
            '<?xml version="1.0"?><html><body/></html>',
            r"not a WSDL 1\.1 document \(root is html\)$",
        ),
        (
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>',
            r"not a WSDL 1\.1 document \(root is \{http://www\.w3\.org/2001/XMLSchema\}schema\)$",
        ),
        (wsdl_text(prolog="\n<!DOCTYPE definitions>"), r"has a DOCTYPE; WSDLs and XSDs are read"),
        (wsdl_text(prolog=BILLION_LAUGHS), r"has a DOCTYPE"),
        (wsdl_text(prolog=XXE), r"has a DOCTYPE"),
        (wsdl_text()[:400], r":\d+: not well-formed XML: "),
        (wsdl_text(use="encoded"), r"only use='literal' is supported$"),
        (wsdl_text(part='element="nope:Ping"'), r"unknown namespace prefix 'nope' in 'nope:Ping'$"),
    ],
    ids=[
        "unknown-policy",
        "other-policy",
        "html-root",
        "xsd-root",
        "doctype",
        "entity-expansion",
        "external-entity",
        "truncated",
        "encoded",
        "unknown-prefix",
    ],
)
def test_broken_wsdls_are_refused_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(WsdlError) as info:
        load_wsdl(path)
    error = str(info.value)
    assert "\n" not in error
    assert error.startswith(str(path)), error
    assert re.search(message, error), error
    assert info.value.exit_code == 2


def test_which_binding_is_ambiguous_with_two_ports(tmp_path: Path) -> None:
    wsdl = load_wsdl(write(tmp_path, wsdl_text(ports=2)))
    with pytest.raises(WsdlError, match=r"several bindings \(\{urn:test\}B0, \{urn:test\}B1\)"):
        wsdl.main_binding()


def test_local_imports_are_followed_and_remote_ones_refused(tmp_path: Path) -> None:
    full = wsdl_text()
    start = full.index("  <wsdl:types>")
    end = full.index("  <wsdl:service")
    imported = full[:start] + full[start:end] + "</wsdl:definitions>\n"
    write(tmp_path, imported, "parts.wsdl")
    importer = (
        full[:start] + '  <wsdl:import namespace="urn:test" location="parts.wsdl"/>\n' + full[end:]
    )
    wsdl = load_wsdl(write(tmp_path, importer))
    assert [Path(doc).name for doc in wsdl.documents] == ["ping.wsdl", "parts.wsdl"]
    assert wsdl.operation(wsdl.main_binding(), "Ping").soap_action == "urn:ping"

    remote = importer.replace('location="parts.wsdl"', 'location="https://h/s.svc?wsdl=wsdl0"')
    with pytest.raises(WsdlError, match="is remote and has no local copy"):
        load_wsdl(write(tmp_path, remote, "remote.wsdl"))
