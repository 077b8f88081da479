"""`ConversationService`: the token issuer and message checker of the mock's EC and EC2
endpoints, as a WCF service with `SecureConversation` over a `CertificateOverTransport`
bootstrap behaves.

- RST/SCT: the bootstrap verified (`bootstrap`), a context issued, key P_SHA1(client entropy,
  server entropy), answered with the RSTR (`replies.issued`);
- RST/SCT/Renew (EC): verified as the bootstrap (the certificate's signature) and as a message
  under the context it renews (`renewal`); the context gets a new key and generation, answered
  with the RSTR/SCT/Renew (`replies.renewed`); EC2 renews nothing (its client issues anew);
- RST/SCT/Cancel: EC verifies it like any message and forgets the context (its token then
  faults `BadContextToken`); EC2 refuses it (`SecureConversationCancellationNotAllowed`,
  `MustNotSendCancel`);
- any other message: verified under its context (`messages`); the operation answers it, with a
  Timestamp in its security header (`response_security`).

Whether an endpoint is EC (session mode, contexts in memory, derived keys) or EC2 (cookie mode)
comes from its WSDL's policy, as the generator read it: `MustNotSendCancel`, `RequireDerivedKeys`.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from lxml import etree

from altinn2.runtime.envelope import Envelope
from altinn2.runtime.operation import SecurityPolicy
from altinn2.runtime.security.names import ACTION_CANCEL, ACTION_ISSUE, CANCEL, WSSE, WST
from altinn2.runtime.security.psha1 import computed_key
from altinn2.runtime.wsheaders import Clock, utc_now
from altinn2.testing.faults import Reply
from altinn2.testing.security import replies
from altinn2.testing.security.bootstrap import read_token_request, verify_bootstrap
from altinn2.testing.security.contexts import COOKIE_LIFETIME, SESSION_LIFETIME, ContextStore
from altinn2.testing.security.issued import thumbprint
from altinn2.testing.security.messages import Verified, verify_message
from altinn2.testing.security.rejected import Rejected
from altinn2.testing.security.renewal import ACTION_RENEW, read_renewal
from altinn2.testing.security.trust_anchors import TrustAnchors

__all__ = ["Answer", "ConversationService", "Rejected", "Verified"]

ENTROPY_BYTES = 32


@dataclass(frozen=True)
class Answer:
    """A message the security service answers itself (issue, cancel), and what it did."""

    reason: str
    reply: Reply


def _server_entropy() -> bytes:
    """32 random bytes, none zero (as WCF makes them)."""
    entropy = bytearray(os.urandom(ENTROPY_BYTES))
    for index, byte in enumerate(entropy):
        while byte == 0:
            byte = os.urandom(1)[0]
        entropy[index] = byte
    return bytes(entropy)


class ConversationService:
    """`anchors`: the CAs whose enterprise certificates are accepted. `token_lifetime`: how long
    an issued context lives (None: WCF's defaults, 15 hours on EC, 10 on EC2). With
    `signature_confirmation`, answers confirm the request's signature (WSS 1.1; a WCF
    transport binding never does)."""

    def __init__(
        self,
        anchors: TrustAnchors,
        *,
        clock: Clock = utc_now,
        token_lifetime: dt.timedelta | None = None,
        signature_confirmation: bool = False,
    ) -> None:
        self.anchors = anchors
        self.clock = clock
        self.token_lifetime = token_lifetime
        self.signature_confirmation = signature_confirmation
        self.store = ContextStore()

    def __repr__(self) -> str:
        return f"ConversationService({self.anchors!r})"

    def forget(self) -> None:
        """Forget every context issued so far (a recycled service): their tokens now fault
        `BadContextToken`."""
        self.store.forget()

    def accept(
        self,
        path: str,
        policy: SecurityPolicy,
        envelope: Envelope,
        action: str,
        message_id: str | None,
    ) -> Verified | Answer:
        """What the message at endpoint `path` is: a call whose security holds (`Verified`),
        or an exchange answered here (`Answer`). Raises `Rejected`."""
        security = next((h for h in envelope.headers if h.tag == f"{{{WSSE}}}Security"), None)
        cookie = policy.must_not_send_cancel
        if action == ACTION_CANCEL and cookie:
            return Answer(
                "EC2 refuses Cancel (MustNotSendCancel)", replies.cancellation_not_allowed()
            )
        if security is None:
            raise Rejected("no wsse:Security header")
        now = self.clock()
        if action == ACTION_ISSUE:
            return self._issue(path, security, envelope.body, message_id, now, cookie=cookie)
        if action == ACTION_RENEW:
            if cookie:
                raise Rejected("EC2 (cookie mode) renews no context; its client issues a new one")
            return self._renew(path, policy, security, envelope.body, message_id, now)
        verified = verify_message(
            security,
            self.store,
            path,
            now,
            cookie=cookie,
            derived_keys=policy.derived_keys,
        )
        if action == ACTION_CANCEL:
            return self._cancel(verified, envelope.body, message_id)
        return verified

    def _issue(
        self,
        path: str,
        security: etree._Element,
        body: etree._Element | None,
        message_id: str | None,
        now: dt.datetime,
        *,
        cookie: bool,
    ) -> Answer:
        certificate = verify_bootstrap(security, self.anchors, now)
        request = read_token_request(body, certificate)
        entropy = _server_entropy()
        key = computed_key(request.client_entropy, entropy, request.key_size)
        lifetime = self.token_lifetime or (COOKIE_LIFETIME if cookie else SESSION_LIFETIME)
        context = self.store.issue(
            path, key, now, lifetime, cookie=cookie, holder=thumbprint(certificate)
        )
        subject = certificate.subject.rfc4514_string()
        return Answer(
            f"issued {context.identifier} to {subject}",
            replies.issued(context, entropy, request.key_size, message_id, now),
        )

    def _renew(
        self,
        path: str,
        policy: SecurityPolicy,
        security: etree._Element,
        body: etree._Element | None,
        message_id: str | None,
        now: dt.datetime,
    ) -> Answer:
        certificate = verify_bootstrap(security, self.anchors, now)
        endorsing = verify_message(
            security,
            self.store,
            path,
            now,
            cookie=False,
            derived_keys=policy.derived_keys,
            renewing=True,
        )
        renewal = read_renewal(body, certificate, endorsing.context)
        entropy = _server_entropy()
        request = renewal.request
        key = computed_key(request.client_entropy, entropy, request.key_size)
        context = self.store.renew(
            renewal.context, key, now, self.token_lifetime or SESSION_LIFETIME
        )
        return Answer(
            f"renewed {context.identifier} (instance {context.instance})",
            replies.renewed(context, entropy, request.key_size, message_id, now),
        )

    def _cancel(
        self, verified: Verified, body: etree._Element | None, message_id: str | None
    ) -> Answer:
        context = verified.context
        if body is None or body.tag != f"{{{WST}}}RequestSecurityToken":
            raise Rejected("the Cancel's body is not a RequestSecurityToken")
        if (body.findtext(f"{{{WST}}}RequestType") or "").strip() != CANCEL:
            raise Rejected("the Cancel's RequestType is not Cancel")
        target = body.find(
            f"{{{WST}}}CancelTarget/{{{WSSE}}}SecurityTokenReference/{{{WSSE}}}Reference"
        )
        uri = target.get("URI") if target is not None else None
        if uri not in (context.identifier, f"#{context.token_id}"):
            raise Rejected("the Cancel targets another context than the one it is signed under")
        self.store.cancel(context)
        return Answer(
            f"cancelled {context.identifier}",
            replies.cancelled(message_id, self.clock(), self.confirmations(verified)),
        )

    def confirmations(self, verified: Verified) -> list[str]:
        return [verified.signature_value] if self.signature_confirmation else []

    def response_security(self, verified: Verified) -> etree._Element:
        """The security header of the answer to a verified call."""
        return replies.security_header(self.clock(), self.confirmations(verified))

    @staticmethod
    def refusal(rejected: Rejected, action: str) -> Reply:
        """The fault WCF answers a refused message with."""
        if rejected.renew_needed:
            return replies.renew_needed()
        if rejected.bad_context:
            return replies.bad_context_token(action)
        return replies.invalid_security()
