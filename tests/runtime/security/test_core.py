"""The WS-SecureConversation core (`altinn2.runtime.security`), checked on its own and against
Apache WSS4J (tests/java, built by `make java`; a missing build fails these tests, never skips):

- P_SHA1, the WS-Trust computed key and WS-SC derived keys equal what WSS4J's own classes compute
  for the same inputs (`altinn2codegen.KeyDerivation`);
- the RST/SCT's RSA-SHA1 signature verifies in WSS4J/Santuario against the test CA, covering the
  Timestamp and `To` (`altinn2codegen.RstVerifier`); a tampered or foreign one does not;
- the certificate loads from PKCS#12 and PEM, and no key or password shows anywhere;
- an RSTR is read into a `SecurityContext`: computed key, lifetime, EC2's cookie kept verbatim.
"""

from __future__ import annotations

import base64
import datetime as dt
import pickle
import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from altinn2.runtime.envelope import build_envelope, parse_xml, read_envelope
from altinn2.runtime.errors import ProtocolError, SoapFaultError
from altinn2.runtime.operation import SoapVersion
from altinn2.runtime.secrets import DEFAULT_REDACTOR
from altinn2.runtime.security import message, names, psha1, trust
from altinn2.runtime.security.x509 import Certificate, CertificateError
from altinn2.runtime.wsheaders import wsu_time
from tests import java_peers
from tests.pki import P12_PASSWORD, Pki, make_pki


@pytest.fixture(scope="module")
def certificate(pki: Pki) -> Certificate:
    return Certificate.from_pkcs12(pki.enterprise_p12, P12_PASSWORD)


# -- key derivation: known answers from WSS4J ---------------------------------------------------

SECRET = bytes(range(1, 33))
SEED = bytes.fromhex("a0b1c2d3e4f5061728394a5b6c7d8e9f" * 2)
NONCE = bytes.fromhex("00ff11ee22dd33cc44bb55aa66997788")
LABEL = b"WS-SecureConversation"


def wss4j_answers(cases: list[str]) -> list[bytes]:
    """WSS4J's answers, one per case line (see KeyDerivation.java), from one JVM."""
    done = subprocess.run(
        java_peers.command("KeyDerivation"),
        input="\n".join(cases) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [bytes.fromhex(line) for line in done.stdout.split()]


@pytest.fixture(scope="module")
def known_answers() -> dict[str, bytes]:
    cases = {
        "psha1 20": f"psha1 {SECRET.hex()} {SEED.hex()} 0 20",
        "psha1 32": f"psha1 {SECRET.hex()} {SEED.hex()} 0 32",
        "psha1 77 at 13": f"psha1 {SECRET.hex()} {SEED.hex()} 13 77",
        "ck 256": f"ck {SECRET.hex()} {SEED.hex()} 256",
        "dk 24": f"dk {SECRET.hex()} {NONCE.hex()} 0 24",
        "dk 32 at 24": f"dk {SECRET.hex()} {NONCE.hex()} 24 32",
        "dk label": f"dklabel {LABEL.decode()} {SECRET.hex()} {NONCE.hex()} 0 24",
    }
    return dict(zip(cases, wss4j_answers(list(cases.values())), strict=True))


def test_p_sha1_matches_wss4j(known_answers: dict[str, bytes]) -> None:
    assert psha1.p_sha1(SECRET, SEED, 20) == known_answers["psha1 20"]
    assert psha1.p_sha1(SECRET, SEED, 32) == known_answers["psha1 32"]
    # Across several HMAC blocks, from an offset inside the first one.
    assert psha1.p_sha1(SECRET, SEED, 77, offset=13) == known_answers["psha1 77 at 13"]
    assert len(known_answers["psha1 77 at 13"]) == 77


def test_computed_key_matches_wss4j(known_answers: dict[str, bytes]) -> None:
    key = psha1.computed_key(SECRET, SEED, 256)
    assert key == known_answers["ck 256"] and len(key) == 32


def test_derived_keys_match_wss4j(known_answers: dict[str, bytes]) -> None:
    """The default label (`WS-SecureConversation` twice), offsets; Generation = offset/length."""
    assert psha1.derived_key(SECRET, NONCE, 24, offset=0) == known_answers["dk 24"]
    assert psha1.derived_key(SECRET, NONCE, 32, offset=24) == known_answers["dk 32 at 24"]
    assert psha1.derived_key(SECRET, NONCE, 24, label=LABEL) == known_answers["dk label"]
    assert known_answers["dk label"] != known_answers["dk 24"]
    generation_1 = psha1.derived_key(SECRET, NONCE, 24, generation=1)
    assert generation_1 == psha1.p_sha1(SECRET, psha1.DEFAULT_LABEL + NONCE, 24, offset=24)
    with pytest.raises(ValueError):
        psha1.derived_key(SECRET, NONCE, 24, offset=0, generation=1)


# -- the certificate ---------------------------------------------------------------------------


def test_pkcs12_and_pem_give_the_same_certificate(pki: Pki, certificate: Certificate) -> None:
    pem = Certificate.from_pem(pki.enterprise_cert_pem, pki.enterprise_key_pem)
    assert pem.der == certificate.der
    assert certificate.subject == "O=910000001,CN=TESTVIRKSOMHET AS"
    assert len(base64.b64decode(certificate.thumbprint_sha1)) == 20
    assert len(certificate.chain) == 1  # the CA came along in the PKCS#12 file


def test_no_key_or_password_in_reprs_or_errors(
    pki: Pki, certificate: Certificate, tmp_path: Path
) -> None:
    key_pem = certificate.private_key_pem().decode()
    key_body = "".join(key_pem.splitlines()[1:-1])
    for text in (repr(certificate), str(certificate), f"{certificate}"):
        assert "PRIVATE" not in text and key_body[:40] not in text
        assert P12_PASSWORD not in text
    with pytest.raises(TypeError):
        pickle.dumps(certificate)
    with pytest.raises(CertificateError) as wrong:
        Certificate.from_pkcs12(pki.enterprise_p12, "Feil-Passord-3")
    assert "password is wrong" in str(wrong.value)
    assert "Feil-Passord-3" not in str(wrong.value) and wrong.value.__cause__ is None
    assert wrong.value.__suppress_context__
    with pytest.raises(CertificateError, match="cannot read"):
        Certificate.from_pkcs12(pki.folder / "missing.p12", P12_PASSWORD)
    other = make_pki(tmp_path)  # the session's PKI stays as it was made
    with pytest.raises(CertificateError, match="does not belong"):
        Certificate.from_pem(pki.enterprise_cert_pem, other.enterprise_key_pem)


# -- the RST, verified by WSS4J ----------------------------------------------------------------

ENDPOINT = "https://127.0.0.1:1/ServiceEngineExternal/ReporteeElementListEC.svc"


def rst_verdict(ca: Path, *files: Path) -> tuple[int, str]:
    run = java_peers.run("RstVerifier", str(ca), *(str(file) for file in files))
    return run.returncode, run.stdout + run.stderr


def test_wss4j_verifies_the_rst_signature(
    pki: Pki, certificate: Certificate, tmp_path: Path
) -> None:
    request = trust.issue_request(ENDPOINT, certificate)
    good = tmp_path / "rst.xml"
    good.write_bytes(request.envelope)
    # Tampering with a signed part (To) or the Timestamp breaks the signature.
    tampered = tmp_path / "rst-to.xml"
    tampered.write_bytes(request.envelope.replace(b":1/Service", b":2/Service"))
    stamp = re.search(rb"<u:Created>([^<]+)</u:Created>", request.envelope)
    assert stamp is not None
    moved = tmp_path / "rst-created.xml"
    moved.write_bytes(request.envelope.replace(stamp.group(1), stamp.group(1)[:-5] + b"999Z", 1))
    code, output = rst_verdict(pki.ca_pem, good, tampered, moved)
    assert code == 1, output
    lines = output.splitlines()
    assert f"OK {good}" in lines, output
    signature = next(line for line in lines if line.strip().startswith("Signature "))
    assert "method=http://www.w3.org/2000/09/xmldsig#rsa-sha1" in signature
    assert "c14n=http://www.w3.org/2001/10/xml-exc-c14n#" in signature
    assert "signed=Timestamp,To" in signature and "reference=DIRECT_REF" in signature
    assert "CN=TESTVIRKSOMHET AS" in signature
    assert any(line.startswith(f"REJECTED {tampered}") for line in lines), output
    assert any(line.startswith(f"REJECTED {moved}") for line in lines), output


def test_wss4j_refuses_an_rst_from_a_certificate_of_another_ca(
    certificate: Certificate, tmp_path: Path
) -> None:
    other = make_pki(tmp_path)
    path = tmp_path / "rst.xml"
    path.write_bytes(trust.issue_request(ENDPOINT, certificate).envelope)
    code, output = rst_verdict(other.ca_pem, path)
    assert code == 1 and f"REJECTED {path}" in output, output


def test_rst_body_asks_for_an_sct_with_client_entropy(certificate: Certificate) -> None:
    entropy = bytes(range(32))
    request = trust.issue_request(ENDPOINT, certificate, entropy=entropy)
    assert "entropy" not in repr(request).lower()
    # What the runtime logs or records of it: the entropy (half of the key's making) is masked.
    logged = DEFAULT_REDACTOR.bytes(request.envelope)
    assert base64.b64encode(entropy).decode() not in logged and "BinarySecret" in logged
    root = etree.fromstring(request.envelope)
    ns = {"t": names.WST, "u": names.WSU, "a": names.WSA, "o": names.WSSE}
    (rst,) = root.xpath("//t:RequestSecurityToken", namespaces=ns)
    assert [etree.QName(child).localname for child in rst] == [
        "TokenType",
        "RequestType",
        "Entropy",
        "KeySize",
    ]
    assert rst.findtext(f"{{{names.WST}}}TokenType") == names.SCT_TYPE
    assert rst.findtext(f"{{{names.WST}}}RequestType") == names.ISSUE
    assert rst.findtext(f"{{{names.WST}}}KeySize") == "256"
    secret = rst.find(f"{{{names.WST}}}Entropy/{{{names.WST}}}BinarySecret")
    assert secret is not None and secret.get("Type") == names.NONCE
    assert base64.b64decode(secret.text or "") == entropy
    assert root.xpath("string(//a:Action)", namespaces=ns) == names.ACTION_ISSUE
    (security,) = root.xpath("//o:Security", namespaces=ns)
    assert [etree.QName(child).localname for child in security] == [
        "Timestamp",
        "BinarySecurityToken",
        "Signature",
    ]


# -- the RSTR ----------------------------------------------------------------------------------

COOKIE = "AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAA" + "x" * 40 + "=="


def rstr(
    request: trust.IssueRequest,
    server_entropy: bytes,
    *,
    cookie: bool = False,
    relates_to: str | None = None,
) -> bytes:
    """An RSTR laid out as WCF writes it (element order, prefixes), EC2 with a cookie."""
    cookie_xml = f'<dnse:Cookie xmlns:dnse="{names.DNSE}">{COOKIE}</dnse:Cookie>' if cookie else ""
    body = f"""<t:RequestSecurityTokenResponse xmlns:t="{names.WST}" xmlns:u="{names.WSU}">
<t:TokenType>{names.SCT_TYPE}</t:TokenType>
<t:RequestedSecurityToken><c:SecurityContextToken u:Id="uuid-6a2d-1" xmlns:c="{names.WSC}">
<c:Identifier>urn:uuid:0b8ab2a8-3c53-4d57-a3b8-7a5e6c4a5f6e</c:Identifier>{cookie_xml}
</c:SecurityContextToken></t:RequestedSecurityToken>
<t:RequestedProofToken><t:ComputedKey>{names.PSHA1}</t:ComputedKey></t:RequestedProofToken>
<t:Entropy><t:BinarySecret u:Id="uuid-6a2d-2" Type="{names.NONCE}">{
        base64.b64encode(server_entropy).decode()}</t:BinarySecret></t:Entropy>
<t:Lifetime><u:Created>2026-11-29T10:00:00.000Z</u:Created>
<u:Expires>2026-11-29T20:00:00.000Z</u:Expires></t:Lifetime>
<t:KeySize>256</t:KeySize></t:RequestSecurityTokenResponse>"""
    headers = [
        etree.fromstring(f'<a:Action xmlns:a="{names.WSA}">{names.ACTION_ISSUED}</a:Action>'),
        etree.fromstring(
            f'<a:RelatesTo xmlns:a="{names.WSA}">{relates_to or request.message_id}</a:RelatesTo>'
        ),
    ]
    return build_envelope(SoapVersion.SOAP12, headers, [etree.fromstring(body)])


def test_an_rstr_becomes_a_security_context(certificate: Certificate) -> None:
    client, server = bytes(range(32)), bytes(range(100, 132))
    request = trust.issue_request(ENDPOINT, certificate, entropy=client)
    context = trust.read_issue_response(rstr(request, server, cookie=True), request)
    assert context.key == psha1.computed_key(client, server)
    assert context.identifier == "urn:uuid:0b8ab2a8-3c53-4d57-a3b8-7a5e6c4a5f6e"
    assert context.token_id == "uuid-6a2d-1" and context.has_cookie
    assert context.created == dt.datetime(2026, 11, 29, 10, tzinfo=dt.UTC)
    assert context.expires == dt.datetime(2026, 11, 29, 20, tzinfo=dt.UTC)
    assert context.key.hex() not in repr(context) and "key=" not in repr(context)
    # The token goes back as issued: same element, same cookie text, byte for byte.
    issued = etree.fromstring(rstr(request, server, cookie=True)).find(
        f".//{{{names.WSC}}}SecurityContextToken"
    )
    assert issued is not None
    assert etree.tostring(context.token_element(), method="c14n") == etree.tostring(
        issued, method="c14n"
    )
    assert f">{COOKIE}<".encode() in context.token


def test_an_rstr_for_another_request_or_a_fault_is_refused(certificate: Certificate) -> None:
    request = trust.issue_request(ENDPOINT, certificate)
    with pytest.raises(ProtocolError, match="RelatesTo"):
        trust.read_issue_response(rstr(request, b"x" * 32, relates_to="urn:uuid:other"), request)
    fault = f"""<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault>
<s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:o="{names.WSSE}">o:InvalidSecurity
</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">An error occurred when verifying
security for the message.</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>""".encode()
    with pytest.raises(SoapFaultError) as refused:
        trust.read_issue_response(fault, request)
    assert refused.value.subcodes == ("InvalidSecurity",)


# -- the per-call header -----------------------------------------------------------------------


def a_context(certificate: Certificate, *, cookie: bool) -> trust.SecurityContext:
    request = trust.issue_request(ENDPOINT, certificate, entropy=bytes(32))
    return trust.read_issue_response(rstr(request, bytes(range(32)), cookie=cookie), request)


def test_the_ec_header_derives_a_key_and_the_ec2_header_carries_the_token_as_issued(
    certificate: Certificate,
) -> None:
    ns = {"o": names.WSSE, "c": names.WSC, "ds": names.DS, "u": names.WSU}
    body = [etree.Element("{urn:test}Ping")]
    ec = a_context(certificate, cookie=False)
    sent = message.secured_envelope(
        ec, "urn:test/Ping", ENDPOINT, body, derived_keys=True, nonce=NONCE
    )
    (security,) = etree.fromstring(sent.envelope).xpath("//o:Security", namespaces=ns)
    assert [etree.QName(child).localname for child in security] == [
        "Timestamp",
        "SecurityContextToken",
        "DerivedKeyToken",
        "Signature",
    ]
    (dk,) = security.xpath("c:DerivedKeyToken", namespaces=ns)
    assert dk.xpath("string(o:SecurityTokenReference/o:Reference/@URI)", namespaces=ns) == (
        "#uuid-6a2d-1"
    )
    assert (dk.findtext(f"{{{names.WSC}}}Offset"), dk.findtext(f"{{{names.WSC}}}Length")) == (
        "0",
        "24",
    )
    assert base64.b64decode(dk.findtext(f"{{{names.WSC}}}Nonce") or "") == NONCE
    key_ref = security.xpath(
        "ds:Signature/ds:KeyInfo/o:SecurityTokenReference/o:Reference", namespaces=ns
    )[0]
    assert key_ref.get("URI") == f"#{dk.get(f'{{{names.WSU}}}Id')}"
    assert key_ref.get("ValueType") == names.DK_TYPE
    assert security.xpath("ds:Signature/ds:SignedInfo/ds:Reference/@URI", namespaces=ns) == ["#_0"]
    assert security.xpath(
        "string(ds:Signature/ds:SignedInfo/ds:SignatureMethod/@Algorithm)", namespaces=ns
    ) == ("http://www.w3.org/2000/09/xmldsig#hmac-sha1")

    ec2 = a_context(certificate, cookie=True)
    sent = message.secured_envelope(ec2, "urn:test/Ping", ENDPOINT, body, derived_keys=False)
    (security,) = etree.fromstring(sent.envelope).xpath("//o:Security", namespaces=ns)
    assert [etree.QName(child).localname for child in security] == [
        "Timestamp",
        "SecurityContextToken",
        "Signature",
    ]
    assert (
        security.xpath("string(c:SecurityContextToken/*[local-name()='Cookie'])", namespaces=ns)
        == COOKIE
    )
    key_ref = security.xpath(
        "ds:Signature/ds:KeyInfo/o:SecurityTokenReference/o:Reference", namespaces=ns
    )[0]
    assert (key_ref.get("URI"), key_ref.get("ValueType")) == ("#uuid-6a2d-1", names.SCT_TYPE)


def response_with(security_xml: str) -> bytes:
    return f"""<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>
<o:Security xmlns:o="{names.WSSE}" xmlns:u="{names.WSU}" xmlns:k="{names.WSSE11}">{security_xml}
</o:Security></s:Header><s:Body><Pong xmlns="urn:test"/></s:Body></s:Envelope>""".encode()


def test_the_response_timestamp_is_checked_and_signature_confirmation_optional(
    certificate: Certificate,
) -> None:
    sent = message.secured_envelope(
        a_context(certificate, cookie=True), "urn:test/Ping", ENDPOINT, [], derived_keys=False
    )
    now = dt.datetime.now(dt.UTC)

    def check(security_xml: str) -> None:
        data = response_with(security_xml)
        message.check_response(read_envelope(parse_xml(data), data), sent)

    def stamp(created: dt.datetime) -> str:
        return (
            f'<u:Timestamp u:Id="_0"><u:Created>{wsu_time(created)}</u:Created>'
            f"<u:Expires>{wsu_time(created + dt.timedelta(minutes=5))}</u:Expires></u:Timestamp>"
        )

    check(stamp(now))  # WCF's answer: a Timestamp, no SignatureConfirmation
    check(stamp(now) + f'<k:SignatureConfirmation Value="{sent.signature_value}"/>')
    with pytest.raises(ProtocolError, match="SignatureConfirmation"):
        check(stamp(now) + '<k:SignatureConfirmation Value="AAAA"/>')
    with pytest.raises(ProtocolError, match="expired"):
        check(stamp(now - dt.timedelta(hours=1)))
    with pytest.raises(ProtocolError, match="future"):
        check(stamp(now + dt.timedelta(hours=1)))
    with pytest.raises(ProtocolError, match="without a Timestamp"):
        check("")
