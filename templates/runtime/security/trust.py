"""WS-Trust 2005/02 issuance of a security context token (the EC/EC2 bootstrap).

The request (RST/SCT) goes to the service endpoint itself, SOAP 1.2 with WS-Addressing, over
TLS. Its security header is what WCF writes for `CertificateOverTransport` (Strict layout): a
Timestamp (`_0`), the certificate as BinarySecurityToken, and an RSA-SHA1 signature, exclusive
c14n, over the Timestamp and the `To` header (`_1`; a WCF service refuses an asymmetric endorsing
signature that leaves `To` unsigned), KeyInfo a direct reference to the BinarySecurityToken. The
body asks for an SCT with 32 bytes of client entropy and a 256-bit key (Basic256). RequestType
`Issue` is sent for EC and EC2 alike: WCF's cookie-mode service accepts it, and CXF needs it.

The response (RSTR/SCT) gives the token (its Identifier, maybe an Instance and, on EC2, WCF's
`Cookie`, kept exactly as issued), the server's entropy and `CK/PSHA1`: the context key is
P_SHA1(client entropy, server entropy).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
import uuid
from dataclasses import dataclass, field

from lxml import etree

from altinn2.runtime.envelope import (
    ENVELOPE_NS,
    build_envelope,
    fault_error,
    must_understand,
    parse_xml,
    read_envelope,
)
from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.operation import SoapVersion
from altinn2.runtime.security import signing
from altinn2.runtime.security.names import (
    ACTION_ISSUE,
    ACTION_ISSUED,
    BASE64_BINARY,
    DNSE,
    ISSUE,
    NONCE,
    PSHA1,
    SCT_TYPE,
    WSA,
    WSC,
    WSSE,
    WST,
    WSU,
    X509V3,
)
from altinn2.runtime.security.psha1 import computed_key
from altinn2.runtime.security.x509 import Certificate
from altinn2.runtime.wsheaders import (
    TIMESTAMP_LIFETIME,
    Clock,
    addressing_headers,
    message_id,
    timestamp,
    utc_now,
)

KEY_SIZE = 256  # Basic256: WCF accepts no other
SOAP = SoapVersion.SOAP12


def security_element() -> etree._Element:
    return must_understand(etree.Element(f"{{{WSSE}}}Security", nsmap={"o": WSSE, "u": WSU}), SOAP)


def local_id() -> str:
    """A `wsu:Id` as WCF makes them (`uuid-<guid>-<n>`)."""
    return f"uuid-{uuid.uuid4()}-1"


def find_header(root: etree._Element, tag: str) -> etree._Element:
    header = root.find(f"{{{ENVELOPE_NS[SOAP]}}}Header")
    found = header.find(tag) if header is not None else None
    if found is None:
        raise ValueError(f"no {tag} header")
    return found


@dataclass(frozen=True, repr=False)
class IssueRequest:
    """An RST/SCT ready to post, and what reading its answer needs (the client entropy)."""

    endpoint: str
    envelope: bytes
    message_id: str
    key_size: int
    client_entropy: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"IssueRequest(endpoint={self.endpoint!r}, message_id={self.message_id!r})"


def _request_body(entropy: bytes, key_size: int) -> etree._Element:
    rst = etree.Element(f"{{{WST}}}RequestSecurityToken", nsmap={"t": WST})
    etree.SubElement(rst, f"{{{WST}}}TokenType").text = SCT_TYPE
    etree.SubElement(rst, f"{{{WST}}}RequestType").text = ISSUE
    secret = etree.SubElement(etree.SubElement(rst, f"{{{WST}}}Entropy"), f"{{{WST}}}BinarySecret")
    secret.set(f"{{{WSU}}}Id", local_id())
    secret.set("Type", NONCE)
    secret.text = base64.b64encode(entropy).decode("ascii")
    etree.SubElement(rst, f"{{{WST}}}KeySize").text = str(key_size)
    return rst


def issue_request(
    endpoint: str,
    certificate: Certificate,
    *,
    key_size: int = KEY_SIZE,
    clock: Clock = utc_now,
    entropy: bytes | None = None,
    lifetime: dt.timedelta = TIMESTAMP_LIFETIME,
) -> IssueRequest:
    """The RST/SCT for `endpoint`, signed with the enterprise certificate."""
    entropy = entropy if entropy is not None else os.urandom(key_size // 8)
    message = message_id()
    headers = addressing_headers(SOAP, ACTION_ISSUE, endpoint, message=message)
    to = etree.Element(f"{{{WSA}}}To", nsmap={"a": WSA, "u": WSU})  # signed below, so an Id
    to.set(f"{{{WSU}}}Id", "_1")
    to.text = endpoint
    headers[-1] = must_understand(to, SOAP)
    security = security_element()
    security.append(timestamp(clock(), lifetime))
    token = etree.SubElement(security, f"{{{WSSE}}}BinarySecurityToken")
    token.set(f"{{{WSU}}}Id", local_id())
    token.set("ValueType", X509V3)
    token.set("EncodingType", BASE64_BINARY)
    token.text = certificate.base64
    unsigned = build_envelope(SOAP, [*headers, security], [_request_body(entropy, key_size)])

    root = etree.fromstring(unsigned)
    security = find_header(root, f"{{{WSSE}}}Security")
    signing.sign(
        security,
        [security[0], find_header(root, f"{{{WSA}}}To")],
        signing.rsa_key(certificate),
        signing.RSA_SHA1,
        signing.token_reference(f"#{token.get(f'{{{WSU}}}Id')}", X509V3),
    )
    envelope = etree.tostring(root, encoding="utf-8")
    return IssueRequest(endpoint, envelope, message, key_size, entropy)


@dataclass(frozen=True, repr=False)
class SecurityContext:
    """An issued security context token and its key (the key never shows in a repr)."""

    endpoint: str
    identifier: str  # c:Identifier, `urn:uuid:...`
    token_id: str | None  # the SCT element's wsu:Id, what messages reference
    instance: str | None
    token: bytes  # the c:SecurityContextToken element exactly as issued (EC2: with its cookie)
    has_cookie: bool
    created: dt.datetime
    expires: dt.datetime | None
    key: bytes = field(repr=False)

    def token_element(self) -> etree._Element:
        """A fresh copy of the token element, for a message's security header."""
        return etree.fromstring(self.token)

    def __repr__(self) -> str:
        expires = self.expires.isoformat() if self.expires else None
        return (
            f"SecurityContext(endpoint={self.endpoint!r}, identifier={self.identifier!r}, "
            f"cookie={self.has_cookie}, expires={expires!r})"
        )


def _only(parent: etree._Element, tag: str, what: str) -> etree._Element:
    found = parent.findall(tag)
    if len(found) != 1:
        raise ProtocolError(f"RSTR: expected one {what}, found {len(found)}")
    return found[0]


def _base64(element: etree._Element, what: str) -> bytes:
    try:
        return base64.b64decode("".join((element.text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise ProtocolError(f"RSTR: {what} is not base64") from None


def _time(text: str | None, what: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise ProtocolError(f"RSTR: {what} {text!r} is not a time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _proof_key(rstr: etree._Element, request: IssueRequest, key_size: int) -> bytes:
    proof = _only(rstr, f"{{{WST}}}RequestedProofToken", "RequestedProofToken")
    computed = proof.find(f"{{{WST}}}ComputedKey")
    if computed is not None:
        algorithm = (computed.text or "").strip()
        if algorithm != PSHA1:
            raise ProtocolError(f"RSTR: computed-key algorithm {algorithm!r} is not P_SHA1")
        entropy = rstr.find(f"{{{WST}}}Entropy/{{{WST}}}BinarySecret")
        if entropy is None:
            raise ProtocolError("RSTR: a computed key without server entropy")
        return computed_key(request.client_entropy, _base64(entropy, "server entropy"), key_size)
    secret = proof.find(f"{{{WST}}}BinarySecret")
    if secret is not None:  # the service chose the key itself
        return _base64(secret, "proof-token secret")
    raise ProtocolError("RSTR: the proof token is neither a computed key nor a binary secret")


def read_issue_response(
    data: bytes, request: IssueRequest, *, clock: Clock = utc_now
) -> SecurityContext:
    """The `SecurityContext` in an RSTR/SCT; a SOAP fault is raised as the runtime's fault error."""
    envelope = read_envelope(parse_xml(data), data)
    if envelope.fault:
        raise fault_error(envelope, "RST/SCT")
    for header in envelope.headers:
        if header.tag == f"{{{WSA}}}Action" and (header.text or "").strip() != ACTION_ISSUED:
            raise ProtocolError(f"RSTR: unexpected action {(header.text or '').strip()!r}")
        if header.tag == f"{{{WSA}}}RelatesTo" and (header.text or "").strip() != (
            request.message_id
        ):
            raise ProtocolError("RSTR: RelatesTo is not the request's MessageID")
    rstr = envelope.body
    if rstr is not None and rstr.tag == f"{{{WST}}}RequestSecurityTokenResponseCollection":
        rstr = rstr.find(f"{{{WST}}}RequestSecurityTokenResponse")
    if rstr is None or rstr.tag != f"{{{WST}}}RequestSecurityTokenResponse":
        raise ProtocolError("RSTR: the body is not a WS-Trust 2005/02 RequestSecurityTokenResponse")

    requested = _only(rstr, f"{{{WST}}}RequestedSecurityToken", "RequestedSecurityToken")
    token = _only(requested, f"{{{WSC}}}SecurityContextToken", "SecurityContextToken")
    identifier = (token.findtext(f"{{{WSC}}}Identifier") or "").strip()
    if not identifier:
        raise ProtocolError("RSTR: the SecurityContextToken has no Identifier")
    size_text = rstr.findtext(f"{{{WST}}}KeySize")
    key_size = int(size_text) if size_text and size_text.strip().isdigit() else request.key_size
    lifetime = rstr.find(f"{{{WST}}}Lifetime")
    created = clock()
    expires = None
    if lifetime is not None:
        if lifetime.find(f"{{{WSU}}}Created") is not None:
            created = _time(lifetime.findtext(f"{{{WSU}}}Created"), "Lifetime/Created")
        if lifetime.find(f"{{{WSU}}}Expires") is not None:
            expires = _time(lifetime.findtext(f"{{{WSU}}}Expires"), "Lifetime/Expires")
    instance = token.findtext(f"{{{WSC}}}Instance")
    return SecurityContext(
        endpoint=request.endpoint,
        identifier=identifier,
        token_id=token.get(f"{{{WSU}}}Id"),
        instance=instance.strip() if instance else None,
        token=etree.tostring(token),
        has_cookie=token.find(f"{{{DNSE}}}Cookie") is not None,
        created=created,
        expires=expires,
        key=_proof_key(rstr, request, key_size),
    )
