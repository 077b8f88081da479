"""The security contexts the mock issued, and how a token in a message finds its own.

EC (WCF's session mode): contexts live in the service's memory, by Identifier and key generation
(`c:Instance`); a Cancel removes one with all its generations; a Renew gives it a new key, a new
generation, and leaves the old one usable for WCF's key rollover interval (5 minutes) at most.
EC2 (cookie mode): the service keeps nothing, the token's `dnse:Cookie` carries the context
(`cookies`), and must match the token it sits in (Identifier, the token's `wsu:Id`). Either way
an unknown, expired, cancelled or forgotten context is `BadContextToken`.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from dataclasses import replace

from lxml import etree

from altinn2.runtime.security.names import DNSE, WSC, WSU
from altinn2.testing.security.cookies import CookieSealer
from altinn2.testing.security.issued import IssuedContext
from altinn2.testing.security.rejected import Rejected

# WCF's defaults (LocalServiceSecuritySettings): a session key lives 15 hours, a cookie 10.
SESSION_LIFETIME = dt.timedelta(hours=15)
COOKIE_LIFETIME = dt.timedelta(hours=10)
# SecuritySessionServerSettings: how long the key a renewal replaced stays accepted.
KEY_ROLLOVER = dt.timedelta(minutes=5)

Generation = tuple[str, str | None]  # the Identifier and the Instance (None: the first key)


class ContextStore:
    """What the service knows of the contexts it issued; `issued`, `renewed` and `cancelled`
    list the Identifiers, oldest first (for tests)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[Generation, IssuedContext] = {}
        self._sealer = CookieSealer()
        self._counter = 0
        self.issued: list[str] = []
        self.renewed: list[str] = []
        self.cancelled: list[str] = []

    def _token_id(self) -> str:
        with self._lock:
            self._counter += 1
            number = self._counter
        return f"uuid-{uuid.uuid4()}-{number}"

    def issue(
        self,
        endpoint: str,
        key: bytes,
        now: dt.datetime,
        lifetime: dt.timedelta,
        *,
        cookie: bool,
        holder: str,
    ) -> IssuedContext:
        """A new context for `endpoint`, issued to the certificate of thumbprint `holder`; EC's
        is kept, EC2's sealed into its cookie."""
        identifier = f"urn:uuid:{uuid.uuid4()}"
        context = IssuedContext(
            identifier, self._token_id(), endpoint.lower(), now, now + lifetime, key, holder=holder
        )
        if cookie:
            context = replace(context, cookie=self._sealer.seal(context))
        with self._lock:
            if not cookie:
                self._live[identifier, None] = context
            self.issued.append(identifier)
        return context

    def renew(
        self, current: IssuedContext, key: bytes, now: dt.datetime, lifetime: dt.timedelta
    ) -> IssuedContext:
        """EC's context `current` under a new key: the same Identifier, a new generation and
        token; the generation it replaces is accepted for the key rollover interval at most."""
        renewed = replace(
            current,
            token_id=self._token_id(),
            instance=f"urn:uuid:{uuid.uuid4()}",
            created=now,
            expires=now + lifetime,
            key=key,
        )
        with self._lock:
            if (current.identifier, current.instance) not in self._live:
                raise Rejected("the security context was cancelled meanwhile", bad_context=True)
            rollover = replace(current, expires=min(current.expires, now + KEY_ROLLOVER))
            self._live[current.identifier, current.instance] = rollover
            self._live[renewed.identifier, renewed.instance] = renewed
            self.renewed.append(renewed.identifier)
        return renewed

    def resolve(
        self, token: etree._Element, endpoint: str, now: dt.datetime, *, cookie: bool
    ) -> IssuedContext:
        """The context a `c:SecurityContextToken` of a message at `endpoint` stands for."""
        identifier = (token.findtext(f"{{{WSC}}}Identifier") or "").strip()
        if not identifier:
            raise Rejected("the security context token has no Identifier")
        instance = (token.findtext(f"{{{WSC}}}Instance") or "").strip() or None
        if cookie:
            context = self._from_cookie(token, identifier)
        else:
            with self._lock:
                found = self._live.get((identifier, instance))
            if found is None:
                raise Rejected(
                    "unknown security context (never issued, cancelled or forgotten)",
                    bad_context=True,
                )
            context = found
        if context.endpoint != endpoint.lower():
            raise Rejected("the security context was issued by another endpoint", bad_context=True)
        if now >= context.expires:
            raise Rejected("the security context has expired", bad_context=True)
        return context

    def _from_cookie(self, token: etree._Element, identifier: str) -> IssuedContext:
        element = token.find(f"{{{DNSE}}}Cookie")
        if element is None:
            raise Rejected(
                "the security context token has no cookie (EC2 keeps no context)",
                bad_context=True,
            )
        context = self._sealer.open(element.text or "")
        if context.identifier != identifier or context.token_id != token.get(f"{{{WSU}}}Id"):
            raise Rejected("the token's cookie belongs to another token")
        return context

    def cancel(self, context: IssuedContext) -> None:
        """Forget `context`, every generation of it."""
        with self._lock:
            for generation in [g for g in self._live if g[0] == context.identifier]:
                del self._live[generation]
            self.cancelled.append(context.identifier)

    def forget(self) -> None:
        """Forget every context, as a recycled service does: EC's are dropped, EC2's cookies
        no longer open."""
        with self._lock:
            self._live.clear()
        self._sealer.forget()
