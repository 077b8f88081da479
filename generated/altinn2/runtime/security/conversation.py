"""The EC and EC2 bindings' message security: WS-SecureConversation bootstrapped by the
enterprise certificate.

Before the first call to an endpoint, a security context is issued (`trust`: RST/SCT signed with
the certificate, key from both sides' entropy); every call is then signed under it (`message`:
on EC through a derived key, on EC2 with the token's cookie as issued). Contexts are shared per
endpoint, certificate and enterprise user by every thread and task of the client
(`context_cache`: one issue in flight, renewal before expiry). On close, EC's contexts are
cancelled (`cancel`); EC2's never are (`MustNotSendCancel`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lxml import etree

from altinn2.runtime.envelope import Envelope
from altinn2.runtime.errors import AltinnError, ConfigurationError
from altinn2.runtime.operation import OperationInfo, SecurityPolicy
from altinn2.runtime.security.context_cache import ContextCache, ContextKey
from altinn2.runtime.security.names import ACTION_CANCEL, ACTION_ISSUE
from altinn2.runtime.security.profile import AsyncSend, Secured, SecurityProfile, Send
from altinn2.runtime.wsheaders import Clock, utc_now

# The signing modules (xmlsec, cryptography) load with the first EC call, not with every client.
if TYPE_CHECKING:
    from altinn2.runtime.security.trust import SecurityContext
    from altinn2.runtime.security.x509 import Certificate


class SecureConversation(SecurityProfile):
    """EC and EC2. `cancel_signs_all`: sign the body and addressing headers of an RST/Cancel
    too (a CXF service's own cancel policy asks it; WCF signs the Timestamp alone)."""

    def __init__(
        self,
        certificate: Certificate | None,
        enterprise_user: str | None,
        *,
        cache: ContextCache | None = None,
        clock: Clock = utc_now,
        cancel_signs_all: bool = False,
    ) -> None:
        self.certificate = certificate
        self.enterprise_user = enterprise_user or ""
        self.cache = cache if cache is not None else ContextCache(clock=clock)
        self.cancel_signs_all = cancel_signs_all
        self._clock = clock
        self._lock = threading.Lock()
        self._policies: dict[ContextKey, SecurityPolicy] = {}

    def __repr__(self) -> str:
        return f"SecureConversation(certificate={self.certificate!r})"

    def _key(self, operation: OperationInfo, url: str) -> tuple[ContextKey, Certificate]:
        if self.certificate is None:
            raise ConfigurationError(
                f"{operation.label}: EC endpoints sign in with the enterprise certificate: "
                "pass certificate=Certificate.from_pkcs12(path, password) to the client"
            )
        key = ContextKey(url, self.certificate.thumbprint_sha1, self.enterprise_user)
        with self._lock:
            self._policies[key] = operation.policy
        return key, self.certificate

    def context(self, operation: OperationInfo, url: str, send: Send) -> SecurityContext:
        from altinn2.runtime.security import trust

        key, certificate = self._key(operation, url)

        def issue() -> SecurityContext:
            request = trust.issue_request(url, certificate, clock=self._clock)
            answer = send(url, request.envelope, ACTION_ISSUE)
            return trust.read_issue_response(answer, request, clock=self._clock)

        context = self.cache.get(key, issue)
        for old, policy in self._cancellable(self.cache.take_replaced()):
            self._cancel_quietly(old, policy, send)
        return context

    async def context_async(
        self, operation: OperationInfo, url: str, send: AsyncSend
    ) -> SecurityContext:
        from altinn2.runtime.security import trust

        key, certificate = self._key(operation, url)

        async def issue() -> SecurityContext:
            request = trust.issue_request(url, certificate, clock=self._clock)
            answer = await send(url, request.envelope, ACTION_ISSUE)
            return trust.read_issue_response(answer, request, clock=self._clock)

        context = await self.cache.get_async(key, issue)
        for old, policy in self._cancellable(self.cache.take_replaced()):
            await self._acancel_quietly(old, policy, send)
        return context

    def secure(
        self,
        operation: OperationInfo,
        url: str,
        headers: Sequence[etree._Element],
        body: etree._Element,
        context: object = None,
    ) -> Secured:
        from altinn2.runtime.security import message
        from altinn2.runtime.security.trust import SecurityContext

        if not isinstance(context, SecurityContext):
            raise ConfigurationError(
                f"{operation.label}: a WS-SecureConversation message needs a security context "
                "(send it through the client's invoke)"
            )
        sent = message.secured_envelope(
            context,
            operation.action,
            url,
            [body],
            headers=headers,
            derived_keys=operation.policy.derived_keys,
            clock=self._clock,
        )

        def check(envelope: Envelope) -> None:
            message.check_response(envelope, sent, clock=self._clock)

        return Secured(sent.envelope, check)

    def refused(self, operation: OperationInfo, url: str, context: object) -> None:
        from altinn2.runtime.security.trust import SecurityContext

        if isinstance(context, SecurityContext):
            key, _certificate = self._key(operation, url)
            self.cache.drop(key, context)

    def _cancellable(
        self, taken: list[tuple[ContextKey, SecurityContext]]
    ) -> list[tuple[SecurityContext, SecurityPolicy]]:
        """Of the `taken` contexts, those whose policy allows a Cancel (EC, not EC2)."""
        with self._lock:
            policies = dict(self._policies)
        return [
            (context, policies[key])
            for key, context in taken
            if key in policies and not policies[key].must_not_send_cancel
        ]

    def _cancel_request(self, context: SecurityContext, policy: SecurityPolicy) -> bytes:
        from altinn2.runtime.security import cancel

        return cancel.cancel_request(
            context,
            derived_keys=policy.derived_keys,
            clock=self._clock,
            sign_all=self.cancel_signs_all,
        ).envelope

    # A failed Cancel is not the caller's problem: the context expires on the server anyway, and
    # neither closing a client nor the call whose renewal replaced the context may raise for it.
    # A call still under way with a replaced context may then meet BadContextToken: it is sent
    # once more under the new context, as any call whose context the service forgot.
    def _cancel_quietly(self, context: SecurityContext, policy: SecurityPolicy, send: Send) -> None:
        try:
            envelope = self._cancel_request(context, policy)
            _read_cancel_response(send(context.endpoint, envelope, ACTION_CANCEL))
        except AltinnError:
            pass

    async def _acancel_quietly(
        self, context: SecurityContext, policy: SecurityPolicy, send: AsyncSend
    ) -> None:
        try:
            envelope = self._cancel_request(context, policy)
            _read_cancel_response(await send(context.endpoint, envelope, ACTION_CANCEL))
        except AltinnError:
            pass

    def close(self, send: Send) -> None:
        for context, policy in self._cancellable(self.cache.take_all()):
            self._cancel_quietly(context, policy, send)

    async def aclose(self, send: AsyncSend) -> None:
        for context, policy in self._cancellable(self.cache.take_all()):
            await self._acancel_quietly(context, policy, send)


def _read_cancel_response(answer: bytes) -> None:
    from altinn2.runtime.security import cancel

    cancel.read_cancel_response(answer)
