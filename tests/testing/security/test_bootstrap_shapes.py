"""The RST shapes the mock's issuer must take besides the runtime's own: CXF's (its body in
another order with AppliesTo, Lifetime and ComputedKeyAlgorithm; the certificate named by its
ThumbprintSHA1 KeyIdentifier) and WCF's cookie-mode client's (no TokenType, no RequestType).
Each is re-signed here with the enterprise certificate, so only the shape differs."""

from __future__ import annotations

import base64
import hashlib

from lxml import etree

from altinn2.runtime import Certificate
from altinn2.runtime.operation import Binding
from altinn2.runtime.security import signing, trust
from altinn2.runtime.security.names import DS, PSHA1, SCT_TYPE, WSA, WSSE, WST, WSU
from altinn2.testing import MockAltinn
from tests.testing.security.test_lifecycle import reportee_elements, subcodes
from tests.testing.security.test_rejections import post

THUMBPRINT = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1"
BASE64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"
    "#Base64Binary"
)


def resigned(root: etree._Element, certificate: Certificate, key_info: etree._Element) -> bytes:
    """The RST with its signature made anew over the Timestamp and `To`, KeyInfo `key_info`."""
    security = root.find(f".//{{{WSSE}}}Security")
    assert security is not None
    old = security.find(f"{{{DS}}}Signature")
    assert old is not None
    security.remove(old)
    stamp = security.find(f"{{{WSU}}}Timestamp")
    to = root.find(f".//{{{WSA}}}To")
    assert stamp is not None and to is not None
    signing.sign(security, [stamp, to], signing.rsa_key(certificate), signing.RSA_SHA1, key_info)
    return etree.tostring(root)


def thumbprint_reference(certificate: Certificate) -> etree._Element:
    reference = etree.Element(f"{{{WSSE}}}SecurityTokenReference", nsmap={"o": WSSE})
    identifier = etree.SubElement(reference, f"{{{WSSE}}}KeyIdentifier")
    identifier.set("ValueType", THUMBPRINT)
    identifier.set("EncodingType", BASE64)
    identifier.text = base64.b64encode(hashlib.sha1(certificate.der).digest()).decode()
    return reference


def test_a_cxf_shaped_rst_is_issued_a_context(mock: MockAltinn, certificate: Certificate) -> None:
    url = mock.url + reportee_elements(Binding.EC).path
    request = trust.issue_request(url, certificate)
    root = etree.fromstring(request.envelope)
    rst = root.find(f".//{{{WST}}}RequestSecurityToken")
    assert rst is not None
    children = {etree.QName(child).localname: child for child in rst}
    for child in list(rst):
        rst.remove(child)
    policy = "http://schemas.xmlsoap.org/ws/2004/09/policy"
    applies = etree.SubElement(rst, f"{{{policy}}}AppliesTo", nsmap={"wsp": policy})
    reference = etree.SubElement(applies, f"{{{WSA}}}EndpointReference")
    etree.SubElement(reference, f"{{{WSA}}}Address").text = url
    rst.append(children["RequestType"])
    lifetime = etree.SubElement(rst, f"{{{WST}}}Lifetime")
    etree.SubElement(lifetime, f"{{{WSU}}}Created").text = "2026-01-01T00:00:00Z"
    etree.SubElement(lifetime, f"{{{WSU}}}Expires").text = "2026-01-01T00:05:00Z"
    for name in ("TokenType", "KeySize", "Entropy"):
        rst.append(children[name])
    etree.SubElement(rst, f"{{{WST}}}ComputedKeyAlgorithm").text = PSHA1
    answer = post(mock, url, resigned(root, certificate, thumbprint_reference(certificate)))
    context = trust.read_issue_response(answer, request)
    assert context.identifier in mock.conversations.store.issued
    assert not context.has_cookie


def test_a_wcf_cookie_mode_rst_without_token_and_request_type_is_issued_a_context(
    mock: MockAltinn, certificate: Certificate
) -> None:
    url = mock.url + reportee_elements(Binding.EC2).path
    request = trust.issue_request(url, certificate)
    root = etree.fromstring(request.envelope)
    for name in ("TokenType", "RequestType"):
        element = root.find(f".//{{{WST}}}{name}")
        assert element is not None
        element.getparent().remove(element)  # type: ignore[union-attr]
    token = root.find(f".//{{{WSSE}}}BinarySecurityToken")
    assert token is not None
    key_info = signing.token_reference(f"#{token.get(f'{{{WSU}}}Id')}", token.get("ValueType", ""))
    context = trust.read_issue_response(
        post(mock, url, resigned(root, certificate, key_info)), request
    )
    assert context.has_cookie


def test_an_rst_for_another_token_type_or_key_size_is_refused(
    mock: MockAltinn, certificate: Certificate
) -> None:
    url = mock.url + reportee_elements(Binding.EC).path
    for name, value, reason in (
        ("TokenType", SCT_TYPE + "x", "not a security context token"),
        ("KeySize", "128", "Basic256 takes 256 only"),
    ):
        root = etree.fromstring(trust.issue_request(url, certificate).envelope)
        element = root.find(f".//{{{WST}}}{name}")
        assert element is not None
        element.text = value
        token = root.find(f".//{{{WSSE}}}BinarySecurityToken")
        assert token is not None
        key_info = signing.token_reference(
            f"#{token.get(f'{{{WSU}}}Id')}", token.get("ValueType", "")
        )
        assert subcodes(post(mock, url, resigned(root, certificate, key_info))) == (
            "InvalidSecurity",
        )
        assert reason in (mock.calls[-1].reason or "")
