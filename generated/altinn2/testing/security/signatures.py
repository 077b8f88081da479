"""Verifying a `ds:Signature` of a security header by xmlsec (exclusive c14n, digests and the
signature value are xmlsec's), and what it covers: the elements its references name by `wsu:Id`.
"""

from __future__ import annotations

from collections import Counter

import xmlsec
from lxml import etree

from altinn2.runtime.security import signing
from altinn2.runtime.security.names import DS, WSU
from altinn2.testing.security.rejected import Rejected

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA1 = signing.RSA_SHA1.href
HMAC_SHA1 = signing.HMAC_SHA1.href
ID = f"{{{WSU}}}Id"


def rsa_key(certificate_der: bytes) -> xmlsec.Key:
    return xmlsec.Key.from_memory(certificate_der, xmlsec.constants.KeyDataFormatCertDer, None)


def find(security: etree._Element, method: str) -> etree._Element | None:
    """The security header's first `ds:Signature` made by `method` (an RST/Renew holds two:
    the certificate's, RSA-SHA1, and the context's, HMAC-SHA1)."""
    for signature in security.findall(f"{{{DS}}}Signature"):
        if (
            signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod[@Algorithm='{method}']")
            is not None
        ):
            return signature
    return None


def verify(signature: etree._Element, key: xmlsec.Key, method: str) -> list[etree._Element]:
    """Verify `signature` (in its whole envelope) with `key`; it must be signed by `method`
    with exclusive c14n. Returns the elements it covers; each reference must name one element of
    the envelope by its `wsu:Id` (an Id found twice could make it cover another copy)."""
    signed_info = signature.find(f"{{{DS}}}SignedInfo")
    if signed_info is None:
        raise Rejected("the signature has no SignedInfo")
    c14n = signed_info.find(f"{{{DS}}}CanonicalizationMethod")
    if c14n is None or c14n.get("Algorithm") != EXC_C14N:
        raise Rejected("the signature is not canonicalized by exclusive c14n")
    used = signed_info.find(f"{{{DS}}}SignatureMethod")
    if used is None or used.get("Algorithm") != method:
        raise Rejected(f"the signature method is not {method.rpartition('#')[2]}")
    root = signature.getroottree().getroot()
    holders = [element for element in root.iter() if element.get(ID)]
    twice = [name for name, count in Counter(e.get(ID) for e in holders).items() if count > 1]
    if twice:
        raise Rejected(f"wsu:Id {twice[0]!r} is not unique in the message")
    by_id = {element.get(ID): element for element in holders}
    covered: list[etree._Element] = []
    for reference in signed_info.iter(f"{{{DS}}}Reference"):
        uri = reference.get("URI") or ""
        if not uri.startswith("#") or uri[1:] not in by_id:
            raise Rejected(f"the signature's reference {uri!r} names no element by its wsu:Id")
        covered.append(by_id[uri[1:]])
    if not covered:
        raise Rejected("the signature covers nothing")
    context = xmlsec.SignatureContext()
    context.key = key
    for element in holders:
        context.register_id(element, "Id", WSU)
    try:
        context.verify(signature)
    except xmlsec.Error:
        raise Rejected("the signature does not verify") from None
    return covered


def signature_value(signature: etree._Element) -> str:
    return "".join((signature.findtext(f"{{{DS}}}SignatureValue") or "").split())
