"""EC's RST/SCT/Renew at the mock, sent as WCF's session-mode client sends it: through the
bootstrap's security (the enterprise certificate's RSA-SHA1 signature over the Timestamp and
`To`), the context token endorsing it too (an HMAC-SHA1 signature by a derived key), the body
naming the context in `RenewTarget` with fresh entropy. The answer keeps the Identifier under a
new `c:Instance` and key; once a message uses it, the replaced key lasts WCF's rollover interval
(5 minutes) at most. An unknown, cancelled or expired context, another context as target, a key
a renewal replaced, another certificate, a Renew without the certificate's signature or the
context key's, and EC2 (cookie mode) are refused."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import os
from dataclasses import dataclass

import httpx
import pytest
from lxml import etree

from altinn2.runtime import Certificate
from altinn2.runtime.codec import to_element
from altinn2.runtime.envelope import build_envelope, parse_xml, read_envelope
from altinn2.runtime.operation import Binding, OperationInfo
from altinn2.runtime.security import signing, trust
from altinn2.runtime.security.cancel import cancel_request
from altinn2.runtime.security.context_cache import ContextKey
from altinn2.runtime.security.message import (
    SIGNATURE_KEY_BYTES,
    derived_key_token,
    secured_envelope,
)
from altinn2.runtime.security.names import (
    DK_TYPE,
    NONCE,
    SCT_TYPE,
    WSA,
    WSC,
    WSSE,
    WST,
    WSU,
    X509V3,
)
from altinn2.runtime.security.psha1 import computed_key, derived_key
from altinn2.runtime.security.trust import SecurityContext
from altinn2.runtime.wsheaders import (
    BASE64_BINARY,
    Clock,
    addressing_headers,
    message_id,
    must_understand,
    timestamp,
    utc_now,
)
from altinn2.testing import MockAltinn
from tests.pki import P12_PASSWORD, Pki, make_pki
from tests.testing.security.conftest import ENTERPRISE, ec_input, https_mock
from tests.testing.security.test_lifecycle import (
    SOAP12,
    answered,
    current,
    post_under,
    reportee_elements,
    subcodes,
)

RENEW = f"{WST}/Renew"
ACTION_RENEW = f"{WST}/RST/SCT/Renew"
ACTION_RENEWED = f"{WST}/RSTR/SCT/Renew"
SOAP = trust.SOAP
SECURE_CONVERSATION_FAULT = (
    "http://schemas.microsoft.com/ws/2006/05/security/SecureConversationFault"
)


@dataclass(frozen=True)
class RenewRequest:
    envelope: bytes
    message_id: str
    client_entropy: bytes


def renew_request(
    context: SecurityContext,
    certificate: Certificate | None,
    *,
    target: SecurityContext | None = None,
    clock: Clock = utc_now,
) -> RenewRequest:
    """WCF's RST/SCT/Renew for `context` (`target`: the context the body names, by default
    `context`), endorsed by `certificate` (None: not) and by the context's derived key."""
    target = target or context
    message = message_id()
    headers = addressing_headers(SOAP, ACTION_RENEW, context.endpoint, message=message)
    to = etree.Element(f"{{{WSA}}}To", nsmap={"a": WSA, "u": WSU})
    to.set(f"{{{WSU}}}Id", "_1")
    to.text = context.endpoint
    headers[-1] = must_understand(to, SOAP)
    security = trust.security_element()
    security.append(timestamp(clock()))
    if certificate is not None:
        token = etree.SubElement(security, f"{{{WSSE}}}BinarySecurityToken")
        token.set(f"{{{WSU}}}Id", trust.local_id())
        token.set("ValueType", X509V3)
        token.set("EncodingType", BASE64_BINARY)
        token.text = certificate.base64
    security.append(context.token_element())
    nonce = os.urandom(16)
    security.append(derived_key_token(context, nonce))

    entropy = os.urandom(32)
    rst = etree.Element(f"{{{WST}}}RequestSecurityToken", nsmap={"t": WST})
    etree.SubElement(rst, f"{{{WST}}}TokenType").text = SCT_TYPE
    etree.SubElement(rst, f"{{{WST}}}RequestType").text = RENEW
    reference = signing.token_reference(target.identifier, SCT_TYPE)
    if target.instance is not None:
        reference[0].set(f"{{{WSC}}}Instance", target.instance)
    etree.SubElement(rst, f"{{{WST}}}RenewTarget").append(reference)
    secret = etree.SubElement(etree.SubElement(rst, f"{{{WST}}}Entropy"), f"{{{WST}}}BinarySecret")
    secret.set("Type", NONCE)
    secret.text = base64.b64encode(entropy).decode("ascii")
    etree.SubElement(rst, f"{{{WST}}}KeySize").text = "256"

    root = etree.fromstring(build_envelope(SOAP, [*headers, security], [rst]))
    security = trust.find_header(root, f"{{{WSSE}}}Security")
    stamp, sent_to = security[0], trust.find_header(root, f"{{{WSA}}}To")
    if certificate is not None:
        bst = security.find(f"{{{WSSE}}}BinarySecurityToken")
        assert bst is not None
        reference = signing.token_reference(f"#{bst.get(f'{{{WSU}}}Id')}", X509V3)
        signing.sign(
            security, [stamp, sent_to], signing.rsa_key(certificate), signing.RSA_SHA1, reference
        )
    dkt = security.find(f"{{{WSC}}}DerivedKeyToken")
    assert dkt is not None
    key = derived_key(context.key, nonce, SIGNATURE_KEY_BYTES, offset=0)
    reference = signing.token_reference(f"#{dkt.get(f'{{{WSU}}}Id')}", DK_TYPE)
    signing.sign(security, [stamp], signing.hmac_key(key), signing.HMAC_SHA1, reference)
    return RenewRequest(etree.tostring(root), message, entropy)


def post(mock: MockAltinn, url: str, envelope: bytes) -> bytes:
    return httpx.post(
        url, content=envelope, headers={"Content-Type": SOAP12}, verify=mock.verify()
    ).content


def read_renewed(answer: bytes, request: RenewRequest, endpoint: str) -> SecurityContext:
    """The renewed context of an RSTR/SCT/Renew (its key from both entropies)."""
    envelope = read_envelope(parse_xml(answer), answer)
    assert not envelope.fault, answer
    said = {etree.QName(h).localname: (h.text or "").strip() for h in envelope.headers}
    assert said["Action"] == ACTION_RENEWED and said["RelatesTo"] == request.message_id
    rstr = envelope.body
    assert rstr is not None and rstr.tag == f"{{{WST}}}RequestSecurityTokenResponse"
    token = rstr.find(f"{{{WST}}}RequestedSecurityToken/{{{WSC}}}SecurityContextToken")
    assert token is not None
    unattached = rstr.find(
        f"{{{WST}}}RequestedUnattachedReference/{{{WSSE}}}SecurityTokenReference/{{{WSSE}}}Reference"
    )
    assert unattached is not None
    instance = token.findtext(f"{{{WSC}}}Instance")
    assert instance and unattached.get(f"{{{WSC}}}Instance") == instance
    server_entropy = base64.b64decode(
        rstr.findtext(f"{{{WST}}}Entropy/{{{WST}}}BinarySecret") or ""
    )
    lifetime = rstr.find(f"{{{WST}}}Lifetime")
    assert lifetime is not None
    return SecurityContext(
        endpoint=endpoint,
        identifier=token.findtext(f"{{{WSC}}}Identifier") or "",
        token_id=token.get(f"{{{WSU}}}Id"),
        instance=instance,
        token=etree.tostring(token),
        has_cookie=False,
        created=dt.datetime.fromisoformat(lifetime.findtext(f"{{{WSU}}}Created") or ""),
        expires=dt.datetime.fromisoformat(lifetime.findtext(f"{{{WSU}}}Expires") or ""),
        key=computed_key(request.client_entropy, server_entropy, 256),
    )


def renew(
    mock: MockAltinn,
    context: SecurityContext,
    certificate: Certificate,
    clock: Clock = utc_now,
) -> SecurityContext:
    request = renew_request(context, certificate, clock=clock)
    return read_renewed(post(mock, context.endpoint, request.envelope), request, context.endpoint)


def issue(
    mock: MockAltinn, operation: OperationInfo, certificate: Certificate, clock: Clock = utc_now
) -> SecurityContext:
    """A context issued for the operation's endpoint (the runtime's RST/SCT)."""
    request = trust.issue_request(mock.url + operation.path, certificate, clock=clock)
    answer = post(mock, request.endpoint, request.envelope)
    return trust.read_issue_response(answer, request, clock=clock)


def refused(mock: MockAltinn, answer: bytes, subcode: str, reason: str) -> None:
    assert subcodes(answer) == (subcode,)
    last = mock.calls[-1]
    assert last.action == ACTION_RENEW and last.reason == reason, last


def post_under_at(
    mock: MockAltinn, context: SecurityContext, operation: OperationInfo, clock: Clock
) -> bytes:
    """`post_under` with the message's Timestamp from `clock` (the mock's)."""
    sent = secured_envelope(
        context,
        operation.action,
        mock.url + operation.path,
        [to_element(ec_input(operation))],
        derived_keys=True,
        clock=clock,
    )
    return post(mock, mock.url + operation.path, sent.envelope)


# -- renewal --------------------------------------------------------------------------------------


def test_a_renewed_context_keeps_its_identifier_under_a_new_key_and_calls_go_on(
    pki: Pki, certificate: Certificate
) -> None:
    """The client's context renewed by WCF's RST/Renew; the client's next call is signed under
    the renewed one (its new token in the message), twice renewed as well."""
    operation = reportee_elements(Binding.EC)
    lifetime = dt.timedelta(hours=1)
    with https_mock(pki, token_lifetime=lifetime) as mock:
        with mock.client(Binding.EC, certificate=certificate, enterprise=ENTERPRISE) as client:
            client.invoke(operation, ec_input(operation), operation.output)
            first = current(client, operation)
            renewed = renew(mock, first, certificate)
            assert renewed.identifier == first.identifier
            assert renewed.instance and renewed.token_id != first.token_id
            assert renewed.key != first.key and len(renewed.key) == 32
            assert renewed.expires is not None
            assert renewed.expires - renewed.created == lifetime
            assert (
                mock.calls[-1].reason == f"renewed {first.identifier} (instance {renewed.instance})"
            )
            assert mock.conversations.store.renewed == [first.identifier]

            # The client goes on under the renewed context (its cache given the new one).
            key = ContextKey(
                client.url_for(operation), certificate.thumbprint_sha1, ENTERPRISE.user_name
            )
            client.conversation.cache.drop(key, first)
            assert client.conversation.cache.get(key, lambda: renewed) is renewed
            answer = client.invoke(operation, ec_input(operation), operation.output)
            assert isinstance(answer, operation.output)
            answered(mock, operation)
            assert renewed.instance in mock.calls[-1].envelope

            again = renew(mock, renewed, certificate)  # the target names its c:Instance now
            assert again.identifier == first.identifier and again.instance != renewed.instance
            assert b"Fault" not in post_under(mock, again, operation)
            answered(mock, operation)
        # Closing cancels the context: every generation of it.
        assert mock.conversations.store.cancelled == [first.identifier]
        for gone in (first, renewed, again):
            assert subcodes(post_under(mock, gone, operation)) == ("BadContextToken",)
        mock.check()


def test_the_replaced_key_lasts_the_rollover_interval_once_the_new_one_is_used(
    pki: Pki, certificate: Certificate
) -> None:
    """As WCF's session channel: the renewed key waits for its first use, the old one stays
    current meanwhile; from that use on, the old one lasts the rollover interval (5 minutes)."""
    operation = reportee_elements(Binding.EC)
    offset = [dt.timedelta(0)]

    def clock() -> dt.datetime:
        return utc_now() + offset[0]

    with https_mock(pki, clock=clock) as mock:
        first = issue(mock, operation, certificate, clock)
        renewed = renew(mock, first, certificate, clock)
        offset[0] = dt.timedelta(minutes=6)
        assert b"Fault" not in post_under_at(mock, first, operation, clock)
        assert b"Fault" not in post_under_at(mock, renewed, operation, clock)  # now current
        offset[0] = dt.timedelta(minutes=10)
        assert b"Fault" not in post_under_at(mock, first, operation, clock)
        offset[0] = dt.timedelta(minutes=11, seconds=1)
        assert subcodes(post_under_at(mock, first, operation, clock)) == ("BadContextToken",)
        assert mock.calls[-1].reason == "the security context has expired"
        assert b"Fault" not in post_under_at(mock, renewed, operation, clock)


def test_only_the_current_key_is_renewed(mock: MockAltinn, certificate: Certificate) -> None:
    """WCF refuses a Renew endorsed by a key a renewal replaced (CurrentSessionTokenNotRenewed),
    and keeps at most 5 renewed keys waiting; the first one used drops the others."""
    operation = reportee_elements(Binding.EC)
    first = issue(mock, operation, certificate)
    waiting = [renew(mock, first, certificate) for _ in range(5)]
    answer = post(mock, first.endpoint, renew_request(first, certificate).envelope)
    refused(mock, answer, "InvalidSecurity", "5 renewed keys of the context wait to be used")
    assert b"Fault" not in post_under(mock, waiting[2], operation)  # the current key now
    for dropped in (*waiting[:2], *waiting[3:]):
        assert subcodes(post_under(mock, dropped, operation)) == ("BadContextToken",)
    answer = post(mock, first.endpoint, renew_request(first, certificate).envelope)
    refused(
        mock,
        answer,
        "InvalidSecurity",
        "the Renew is endorsed by a replaced key, not the context's current one",
    )
    assert b"Fault" not in post_under(mock, first, operation)  # still within the rollover
    assert renew(mock, waiting[2], certificate).identifier == first.identifier


def test_a_renewal_needs_the_context_key(mock: MockAltinn, certificate: Certificate) -> None:
    """The certificate alone renews nothing: the context's (derived) key must sign too."""
    operation = reportee_elements(Binding.EC)
    context = issue(mock, operation, certificate)
    forged = dataclasses.replace(context, key=os.urandom(len(context.key)))
    answer = post(mock, context.endpoint, renew_request(forged, certificate).envelope)
    refused(mock, answer, "InvalidSecurity", "the signature does not verify")
    assert mock.conversations.store.renewed == []


# -- refusals -------------------------------------------------------------------------------------


def test_an_expired_key_asks_for_its_renewal_which_it_may_endorse(
    pki: Pki, certificate: Certificate
) -> None:
    """As WCF's session channel: a message under the context's current key past its expiry is
    answered `c:RenewNeeded` (Action .../SecureConversationFault), not BadContextToken; that key
    still endorses the Renew, and the call goes through under the renewed one."""
    operation = reportee_elements(Binding.EC)
    offset = [dt.timedelta(0)]

    def clock() -> dt.datetime:
        return utc_now() + offset[0]

    with https_mock(pki, clock=clock, token_lifetime=dt.timedelta(seconds=60)) as mock:
        context = issue(mock, operation, certificate, clock)
        offset[0] = dt.timedelta(seconds=61)
        answer = post_under_at(mock, context, operation, clock)
        assert subcodes(answer) == ("RenewNeeded",)
        envelope = read_envelope(parse_xml(answer), answer)
        actions = [h.text for h in envelope.headers if h.tag == f"{{{WSA}}}Action"]
        assert actions == [SECURE_CONVERSATION_FAULT]
        assert mock.calls[-1].reason == "the security context's key has expired"
        renewed = renew(mock, context, certificate, clock)
        assert renewed.identifier == context.identifier
        assert b"Fault" not in post_under_at(mock, renewed, operation, clock)
        assert mock.conversations.store.renewed == [context.identifier]


def test_a_replaced_key_past_its_rollover_is_not_renewed(
    pki: Pki, certificate: Certificate
) -> None:
    """Only the current key asks for a renewal: one a renewal replaced is gone once its
    rollover ends (BadContextToken)."""
    operation = reportee_elements(Binding.EC)
    offset = [dt.timedelta(0)]

    def clock() -> dt.datetime:
        return utc_now() + offset[0]

    with https_mock(pki, clock=clock) as mock:
        first = issue(mock, operation, certificate, clock)
        renewed = renew(mock, first, certificate, clock)
        assert b"Fault" not in post_under_at(mock, renewed, operation, clock)
        offset[0] = dt.timedelta(minutes=6)
        answer = post(mock, first.endpoint, renew_request(first, certificate, clock=clock).envelope)
        refused(mock, answer, "BadContextToken", "the security context has expired")
        assert mock.conversations.store.renewed == [first.identifier]


@pytest.mark.parametrize("how", ["forgotten", "cancelled"])
def test_an_unknown_context_is_not_renewed(
    mock: MockAltinn, certificate: Certificate, how: str
) -> None:
    operation = reportee_elements(Binding.EC)
    context = issue(mock, operation, certificate)
    if how == "forgotten":
        mock.forget_contexts()
    else:
        post(mock, context.endpoint, cancel_request(context).envelope)
        assert mock.conversations.store.cancelled == [context.identifier]
    answer = post(mock, context.endpoint, renew_request(context, certificate).envelope)
    refused(
        mock,
        answer,
        "BadContextToken",
        "unknown security context (never issued, cancelled or forgotten)",
    )


def test_a_renewal_targets_the_context_that_endorses_it(
    mock: MockAltinn, certificate: Certificate
) -> None:
    operation = reportee_elements(Binding.EC)
    mine, other = issue(mock, operation, certificate), issue(mock, operation, certificate)
    sent = renew_request(mine, certificate, target=other)
    answer = post(mock, mine.endpoint, sent.envelope)
    refused(
        mock,
        answer,
        "InvalidSecurity",
        "the Renew targets another context than the one that endorses it",
    )
    assert mock.conversations.store.renewed == []


def test_a_renewal_needs_the_certificate_of_the_contexts_holder(
    pki: Pki, certificate: Certificate, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Without the certificate's signature it is not a Renew WCF accepts; with another trusted
    certificate's, not the holder's."""
    operation = reportee_elements(Binding.EC)
    other_pki = make_pki(tmp_path_factory.mktemp("other-pki"))
    stranger = Certificate.from_pkcs12(other_pki.enterprise_p12, P12_PASSWORD)
    with MockAltinn(
        tls_cert=pki.server_cert_pem,
        tls_key=pki.server_key_pem,
        ca=[pki.ca_pem, other_pki.ca_pem],
        enterprise=ENTERPRISE,
    ) as mock:
        context = issue(mock, operation, certificate)
        answer = post(mock, context.endpoint, renew_request(context, None).envelope)
        refused(
            mock,
            answer,
            "InvalidSecurity",
            "the RST carries no RSA-SHA1 signature of the enterprise certificate",
        )
        answer = post(mock, context.endpoint, renew_request(context, stranger).envelope)
        refused(
            mock,
            answer,
            "InvalidSecurity",
            "the context is renewed by another certificate than its holder's",
        )
        assert mock.conversations.store.renewed == []
        assert renew(mock, context, certificate).identifier == context.identifier


def test_ec2_renews_no_context(mock: MockAltinn, certificate: Certificate) -> None:
    """EC2 (cookie mode): WCF's client issues a new context instead; the mock refuses a Renew."""
    operation = reportee_elements(Binding.EC2)
    context = issue(mock, operation, certificate)
    assert context.has_cookie
    answer = post(mock, context.endpoint, renew_request(context, certificate).envelope)
    refused(
        mock,
        answer,
        "InvalidSecurity",
        "EC2 (cookie mode) renews no context; its client issues a new one",
    )


def test_a_renewal_says_its_request_type(mock: MockAltinn, certificate: Certificate) -> None:
    """Only an Issue may leave its RequestType out (WCF's cookie-mode client does)."""
    operation = reportee_elements(Binding.EC)
    context = issue(mock, operation, certificate)
    sent = renew_request(context, certificate).envelope
    unsaid = sent.replace(f"<t:RequestType>{RENEW}</t:RequestType>".encode(), b"")
    assert unsaid != sent  # the body is not signed: the signatures still hold
    answer = post(mock, context.endpoint, unsaid)
    refused(mock, answer, "InvalidSecurity", "the RST's RequestType '' is not Renew")
    assert mock.conversations.store.renewed == []


def test_replaced_keys_past_their_rollover_are_dropped(pki: Pki, certificate: Certificate) -> None:
    """A long-running service does not hold every key a renewal replaced: once past its
    rollover interval, the next use or renewal of the context drops it."""
    operation = reportee_elements(Binding.EC)
    offset = [dt.timedelta(0)]

    def clock() -> dt.datetime:
        return utc_now() + offset[0]

    with https_mock(pki, clock=clock) as mock:
        store = mock.conversations.store
        context = issue(mock, operation, certificate, clock)
        held = []
        for _ in range(6):
            context = renew(mock, context, certificate, clock)
            assert b"Fault" not in post_under_at(mock, context, operation, clock)
            held.append(store.generations())
            offset[0] += dt.timedelta(minutes=6)
        assert held == [2, 2, 2, 2, 2, 2]  # the current key and the one it replaced, no more
        assert b"Fault" not in post_under_at(mock, context, operation, clock)
        assert store.generations() == 1
