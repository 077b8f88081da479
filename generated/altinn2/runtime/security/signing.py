"""Enveloped-by-reference XML signatures in a `wsse:Security` header, made by xmlsec.

xmlsec (the xmlsec1 reference implementation) canonicalizes (exclusive c14n), digests and signs;
this module only lays out which elements are referenced (by `wsu:Id`) and what KeyInfo says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import xmlsec
from lxml import etree

from altinn2.runtime.security.names import WSSE, WSU
from altinn2.runtime.security.x509 import Certificate

RSA_SHA1 = xmlsec.constants.TransformRsaSha1
HMAC_SHA1 = xmlsec.constants.TransformHmacSha1


def rsa_key(certificate: Certificate) -> xmlsec.Key:
    return xmlsec.Key.from_memory(
        certificate.private_key_pem(), xmlsec.constants.KeyDataFormatPem, None
    )


def hmac_key(secret: bytes) -> xmlsec.Key:
    return xmlsec.Key.from_binary_data(xmlsec.constants.KeyDataHmac, secret)


def token_reference(uri: str, value_type: str) -> etree._Element:
    """`o:SecurityTokenReference/o:Reference` to a token (`#local-id` or an identifier)."""
    reference = etree.Element(f"{{{WSSE}}}SecurityTokenReference", nsmap={"o": WSSE})
    target = etree.SubElement(reference, f"{{{WSSE}}}Reference")
    target.set("URI", uri)
    target.set("ValueType", value_type)
    return reference


def sign(
    security: etree._Element,
    signed: Sequence[etree._Element],
    key: xmlsec.Key,
    method: Any,  # an xmlsec.constants.Transform*: RSA_SHA1 or HMAC_SHA1
    key_info: etree._Element,
) -> etree._Element:
    """Append a `ds:Signature` to `security` over the `signed` elements (each has a `wsu:Id`),
    exclusive c14n and SHA-1 digests, signed with `key` by `method`; KeyInfo holds `key_info`.
    `security` must sit in the whole envelope's tree, where the references resolve."""
    signature = xmlsec.template.create(security, xmlsec.constants.TransformExclC14N, method)
    for element in signed:
        element_id = element.get(f"{{{WSU}}}Id")
        if not element_id:
            raise ValueError(f"{etree.QName(element).localname} has no wsu:Id to sign")
        reference = xmlsec.template.add_reference(
            signature, xmlsec.constants.TransformSha1, uri=f"#{element_id}"
        )
        xmlsec.template.add_transform(reference, xmlsec.constants.TransformExclC14N)
    xmlsec.template.ensure_key_info(signature).append(key_info)
    security.append(signature)
    context = xmlsec.SignatureContext()
    context.key = key
    for element in signed:
        context.register_id(element, "Id", WSU)
    context.sign(signature)
    return signature


def signature_value(signature: etree._Element) -> str:
    value = signature.findtext("{http://www.w3.org/2000/09/xmldsig#}SignatureValue") or ""
    return "".join(value.split())
