"""The RST/SCT: a request for a security context, endorsed by the enterprise certificate.

Its security header holds a Timestamp, the certificate as BinarySecurityToken and an RSA-SHA1
signature over the Timestamp and the WS-Addressing `To` (a WCF service refuses an asymmetric
endorsing signature that leaves `To` unsigned). KeyInfo names the certificate by a direct
reference to the token (WCF) or by its SHA-1 thumbprint (CXF, which sends the token too). The
certificate must come from a trusted CA and be valid now. The body (read in any order: WCF and
CXF order it differently) asks for an SCT (TokenType and RequestType may be absent, as WCF's
cookie-mode client leaves them), brings the client's entropy, and a key size of 256 (Basic256)
when it names one; AppliesTo, Lifetime and ComputedKeyAlgorithm (P_SHA1 only) are tolerated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from cryptography import x509
from lxml import etree

from altinn2.runtime.security.names import DS, ISSUE, PSHA1, SCT_TYPE, WSA, WSSE, WST, WSU
from altinn2.testing.security import signatures
from altinn2.testing.security.encoding import base64_bytes
from altinn2.testing.security.rejected import Rejected
from altinn2.testing.security.timestamps import timestamp_problem
from altinn2.testing.security.trust_anchors import TrustAnchors

KEY_SIZE = 256
X509V3_SUFFIX = "#X509v3"
THUMBPRINT_SUFFIX = "#ThumbprintSHA1"


@dataclass(frozen=True, repr=False)
class TokenRequest:
    certificate: x509.Certificate
    key_size: int
    client_entropy: bytes = field(repr=False)


def _signing_token(security: etree._Element, signature: etree._Element) -> bytes:
    """The DER certificate the signature's KeyInfo names."""
    tokens = [
        token
        for token in security.findall(f"{{{WSSE}}}BinarySecurityToken")
        if (token.get("ValueType") or "").endswith(X509V3_SUFFIX)
    ]
    reference = signature.find(f"{{{DS}}}KeyInfo/{{{WSSE}}}SecurityTokenReference")
    if reference is None:
        raise Rejected("the bootstrap signature's KeyInfo has no SecurityTokenReference")
    direct = reference.find(f"{{{WSSE}}}Reference")
    if direct is not None:
        uri = direct.get("URI") or ""
        for token in tokens:
            if uri == f"#{token.get(f'{{{WSU}}}Id')}":
                return base64_bytes(token.text, "BinarySecurityToken")
        raise Rejected(f"the bootstrap signature names no X.509 token of the message ({uri!r})")
    identifier = reference.find(f"{{{WSSE}}}KeyIdentifier")
    if identifier is not None and (identifier.get("ValueType") or "").endswith(THUMBPRINT_SUFFIX):
        thumbprint = base64_bytes(identifier.text, "thumbprint")
        for token in tokens:
            der = base64_bytes(token.text, "BinarySecurityToken")
            if hashlib.sha1(der).digest() == thumbprint:
                return der
        raise Rejected("no X.509 token of the message has the signature's thumbprint")
    raise Rejected("the bootstrap signature's KeyInfo is neither a reference nor a thumbprint")


def verify_bootstrap(
    security: etree._Element, anchors: TrustAnchors, now: dt.datetime
) -> x509.Certificate:
    """The enterprise certificate that endorsed this RST, once its signature (over the
    Timestamp and `To`) verifies and a trusted CA vouches for it."""
    stamp = security.find(f"{{{WSU}}}Timestamp")
    problem = timestamp_problem(stamp, now, need_id=True)
    if problem:
        raise Rejected(problem)
    signature = signatures.find(security, signatures.RSA_SHA1)
    if signature is None:
        raise Rejected("the RST carries no RSA-SHA1 signature of the enterprise certificate")
    der = _signing_token(security, signature)
    try:
        certificate = x509.load_der_x509_certificate(der)
    except ValueError:
        raise Rejected("the BinarySecurityToken is not an X.509 certificate") from None
    covered = signatures.verify(signature, signatures.rsa_key(der), signatures.RSA_SHA1)
    tags = {element.tag for element in covered}
    if stamp not in covered:
        raise Rejected("the bootstrap signature does not cover the Timestamp")
    if f"{{{WSA}}}To" not in tags:
        raise Rejected("the bootstrap signature does not cover the To header")
    problem = anchors.problem(certificate, now)
    if problem:
        raise Rejected(problem)
    return certificate


def read_token_request(
    body: etree._Element | None, certificate: x509.Certificate, *, request_type: str = ISSUE
) -> TokenRequest:
    """The body of an RST/SCT (or, with `request_type` Renew, of an RST/SCT/Renew): what is
    asked, with the client's entropy. An Issue may leave its RequestType out (WCF's cookie-mode
    client does); a Renew must say it."""
    if body is None or body.tag != f"{{{WST}}}RequestSecurityToken":
        raise Rejected("the body is not a WS-Trust 2005/02 RequestSecurityToken")
    token_type = (body.findtext(f"{{{WST}}}TokenType") or SCT_TYPE).strip()
    if token_type != SCT_TYPE:
        raise Rejected(f"the RST asks for a {token_type!r}, not a security context token")
    said = (body.findtext(f"{{{WST}}}RequestType") or "").strip()
    if not said and request_type == ISSUE:
        said = ISSUE  # left out by WCF's cookie-mode client
    if said != request_type:
        raise Rejected(f"the RST's RequestType {said!r} is not {request_type.rpartition('/')[2]}")
    algorithm = (body.findtext(f"{{{WST}}}ComputedKeyAlgorithm") or PSHA1).strip()
    if algorithm != PSHA1:
        raise Rejected(f"computed-key algorithm {algorithm!r} is not P_SHA1")
    size_text = (body.findtext(f"{{{WST}}}KeySize") or str(KEY_SIZE)).strip()
    if size_text != str(KEY_SIZE):
        raise Rejected(f"key size {size_text!r}: Basic256 takes 256 only")
    secret = body.find(f"{{{WST}}}Entropy/{{{WST}}}BinarySecret")
    if secret is None:
        raise Rejected("the RST brings no entropy (combined entropy needs the client's)")
    entropy = base64_bytes(secret.text, "client entropy")
    if len(entropy) < KEY_SIZE // 16:
        raise Rejected("the client's entropy is too short")
    return TokenRequest(certificate, KEY_SIZE, entropy)
