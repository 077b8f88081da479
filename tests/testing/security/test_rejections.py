"""What the mock refuses, as WCF does: a bootstrap from an expired certificate, from another
CA, or whose signature does not verify; a call signed with the wrong key, without the derived
key EC's policy requires, or with an EC2 cookie changed on the way: `o:InvalidSecurity`, and
nothing issued or answered."""

from __future__ import annotations

import base64
import copy
import dataclasses
import datetime as dt
from typing import Any

import httpx
import pytest
from lxml import etree

from altinn2.runtime import Certificate
from altinn2.runtime.codec import to_element
from altinn2.runtime.errors import BadContextTokenError, SoapFaultError
from altinn2.runtime.operation import Binding
from altinn2.runtime.security import message, trust
from altinn2.runtime.security.names import DNSE, WSC, WSU
from altinn2.runtime.security.trust import SecurityContext
from altinn2.runtime.wsheaders import utc_now
from altinn2.testing import MockAltinn
from tests.pki import Pki
from tests.testing.security.conftest import ENTERPRISE, ec_input, p12
from tests.testing.security.test_lifecycle import (
    SOAP12,
    answered,
    post_under,
    reportee_elements,
    subcodes,
)


def issue(mock: MockAltinn, binding: Binding, certificate: Certificate) -> SecurityContext:
    """A context issued by the mock to the runtime's RST."""
    url = mock.url + reportee_elements(binding).path
    request = trust.issue_request(url, certificate)
    answer = post(mock, url, request.envelope)
    return trust.read_issue_response(answer, request)


def post(mock: MockAltinn, url: str, envelope: bytes) -> bytes:
    headers = {"Content-Type": SOAP12}
    return httpx.post(url, content=envelope, headers=headers, verify=mock.verify()).content


@pytest.mark.parametrize(
    ("which", "reason"),
    [
        ("expired_p12", "the certificate has expired"),
        ("stranger_p12", "is no trusted CA"),
    ],
)
@pytest.mark.parametrize("binding", [Binding.EC, Binding.EC2], ids=str)
def test_a_bootstrap_certificate_the_mock_does_not_trust_is_refused(
    mock: MockAltinn, pki: Pki, which: str, reason: str, binding: Binding
) -> None:
    operation = reportee_elements(binding)
    certificate = p12(getattr(pki, which))
    with mock.client(binding, certificate=certificate, enterprise=ENTERPRISE) as client:
        with pytest.raises(SoapFaultError) as caught:
            client.invoke(operation, ec_input(operation), operation.output)
        assert client.conversation.cache.take_all() == []
    assert caught.value.subcodes == ("InvalidSecurity",)
    assert not isinstance(caught.value, BadContextTokenError)
    (call,) = mock.calls
    assert call.fault == "o:InvalidSecurity" and reason in (call.reason or "")
    assert mock.conversations.store.issued == []


def test_a_mock_without_a_ca_trusts_no_certificate(pki: Pki, certificate: Certificate) -> None:
    with MockAltinn() as mock:  # plain HTTP, no CA
        operation = reportee_elements(Binding.EC)
        client = mock.client(Binding.EC, certificate=certificate, enterprise=ENTERPRISE)
        with pytest.raises(SoapFaultError):
            client.invoke(operation, ec_input(operation), operation.output)
        assert "is no trusted CA" in (mock.calls[0].reason or "")


def signed_rst(mock: MockAltinn, certificate: Certificate) -> tuple[str, etree._Element]:
    url = mock.url + reportee_elements(Binding.EC).path
    return url, etree.fromstring(trust.issue_request(url, certificate).envelope)


def test_a_bootstrap_whose_signature_does_not_verify_is_refused(
    mock: MockAltinn, certificate: Certificate
) -> None:
    url, root = signed_rst(mock, certificate)
    to = root.find(".//{http://www.w3.org/2005/08/addressing}To")
    assert to is not None
    to.text = url + "?elsewhere"  # signed, then changed
    assert subcodes(post(mock, url, etree.tostring(root))) == ("InvalidSecurity",)
    assert mock.calls[-1].reason == "the signature does not verify"


def test_a_bootstrap_signed_by_another_key_than_its_certificate_is_refused(
    mock: MockAltinn, certificate: Certificate, pki: Pki
) -> None:
    """The RST's BinarySecurityToken swapped for another certificate of the same CA's name."""
    url, root = signed_rst(mock, certificate)
    other = signed_rst(mock, p12(pki.stranger_p12))[1]
    token = "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd}"
    ours = root.find(f".//{token}BinarySecurityToken")
    theirs = other.find(f".//{token}BinarySecurityToken")
    assert ours is not None and theirs is not None
    ours.text = theirs.text
    assert subcodes(post(mock, url, etree.tostring(root))) == ("InvalidSecurity",)
    assert mock.conversations.store.issued == []


@pytest.mark.parametrize("binding", [Binding.EC, Binding.EC2], ids=str)
def test_a_call_signed_with_another_key_is_refused(
    mock: MockAltinn, certificate: Certificate, binding: Binding
) -> None:
    context = issue(mock, binding, certificate)
    forged = dataclasses.replace(context, key=bytes(b ^ 0x5A for b in context.key))
    answer = post_under(mock, forged, reportee_elements(binding))
    assert subcodes(answer) == ("InvalidSecurity",)
    assert mock.calls[-1].reason == "the signature does not verify"
    assert b"Fault" not in post_under(mock, context, reportee_elements(binding))
    answered(mock, reportee_elements(binding))  # the genuine key is still taken


def test_an_ec_call_without_the_derived_key_its_policy_requires_is_refused(
    mock: MockAltinn, certificate: Certificate
) -> None:
    operation = reportee_elements(Binding.EC)
    context = issue(mock, Binding.EC, certificate)
    underived = dataclasses.replace(
        operation, policy=dataclasses.replace(operation.policy, derived_keys=False)
    )
    assert subcodes(post_under(mock, context, underived)) == ("InvalidSecurity",)
    assert "requires derived keys" in (mock.calls[-1].reason or "")


def with_cookie(context: SecurityContext, change: bytes) -> SecurityContext:
    """The context with its token's cookie bytes XORed with `change` at the start."""
    token = etree.fromstring(context.token)
    cookie = token.find(f"{{{DNSE}}}Cookie")
    assert cookie is not None and cookie.text
    raw = bytearray(base64.b64decode(cookie.text))
    for index, value in enumerate(change):
        raw[20 + index] ^= value
    cookie.text = base64.b64encode(bytes(raw)).decode("ascii")
    return dataclasses.replace(context, token=etree.tostring(token))


def test_an_ec2_cookie_changed_on_the_way_is_refused(
    mock: MockAltinn, certificate: Certificate
) -> None:
    operation = reportee_elements(Binding.EC2)
    context = issue(mock, Binding.EC2, certificate)
    assert context.has_cookie
    assert subcodes(post_under(mock, with_cookie(context, b"\x01"), operation)) == (
        "InvalidSecurity",
    )
    assert mock.calls[-1].reason == "the token's cookie is not one the service issued"
    assert b"Fault" not in post_under(mock, context, operation)
    answered(mock, operation)  # the cookie as issued is still taken


def test_an_ec2_cookie_moved_into_another_token_is_refused(
    mock: MockAltinn, certificate: Certificate
) -> None:
    """A cookie is bound to its token: put under another Identifier, it does not count."""
    operation = reportee_elements(Binding.EC2)
    first, second = issue(mock, Binding.EC2, certificate), issue(mock, Binding.EC2, certificate)
    token = etree.fromstring(first.token)
    identifier = token.find(f"{{{WSC}}}Identifier")
    assert identifier is not None
    identifier.text = second.identifier
    moved = dataclasses.replace(first, token=etree.tostring(token), identifier=second.identifier)
    assert subcodes(post_under(mock, moved, operation)) == ("InvalidSecurity",)
    assert mock.calls[-1].reason == "the token's cookie belongs to another token"


def test_an_ec_token_of_another_endpoint_is_unknown_there(
    mock: MockAltinn, certificate: Certificate
) -> None:
    context = issue(mock, Binding.EC, certificate)
    elsewhere = next(
        op
        for op in mock.operations
        if op.binding is Binding.EC
        and not op.mtom
        and op.path != context.endpoint
        and op.path.lower() != reportee_elements(Binding.EC).path.lower()
    )
    assert subcodes(post_under(mock, context, elsewhere)) == ("BadContextToken",)
    assert mock.calls[-1].reason == "the security context was issued by another endpoint"


def secured(mock: MockAltinn, context: SecurityContext, **options: Any) -> bytes:
    operation = reportee_elements(Binding.EC2)
    return message.secured_envelope(
        context,
        operation.action,
        mock.url + operation.path,
        [to_element(ec_input(operation))],
        derived_keys=False,
        **options,
    ).envelope


def test_a_call_with_an_expired_timestamp_is_refused(
    mock: MockAltinn, certificate: Certificate
) -> None:
    context = issue(mock, Binding.EC2, certificate)
    old = secured(mock, context, clock=lambda: utc_now() - dt.timedelta(minutes=20))
    assert subcodes(post(mock, context.endpoint, old)) == ("InvalidSecurity",)
    assert mock.calls[-1].reason == "the Timestamp has expired"


def test_a_second_element_with_the_signed_timestamps_id_is_refused(
    mock: MockAltinn, certificate: Certificate
) -> None:
    """Signature wrapping: a copy of the signed Timestamp elsewhere, under the same wsu:Id, must
    not let another element pass as the signed one."""
    context = issue(mock, Binding.EC2, certificate)
    root = etree.fromstring(secured(mock, context))
    stamp = root.find(f".//{{{WSU}}}Timestamp")
    assert stamp is not None
    root[0].append(copy.deepcopy(stamp))
    assert subcodes(post(mock, context.endpoint, etree.tostring(root))) == ("InvalidSecurity",)
    assert mock.calls[-1].reason == "wsu:Id '_0' is not unique in the message"
