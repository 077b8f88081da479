"""The security contexts the mock issued, and how a token in a message finds its own.

EC (WCF's session mode): contexts live in the service's memory, by Identifier; a Cancel removes
one. EC2 (cookie mode): the service keeps nothing, the token's `dnse:Cookie` carries the context
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


class ContextStore:
    """What the service knows of the contexts it issued; `issued` and `cancelled` list the
    Identifiers, oldest first (for tests)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[str, IssuedContext] = {}
        self._sealer = CookieSealer()
        self._counter = 0
        self.issued: list[str] = []
        self.cancelled: list[str] = []

    def issue(
        self,
        endpoint: str,
        key: bytes,
        now: dt.datetime,
        lifetime: dt.timedelta,
        *,
        cookie: bool,
    ) -> IssuedContext:
        """A new context for `endpoint`; EC's is kept, EC2's sealed into its cookie."""
        with self._lock:
            self._counter += 1
            number = self._counter
        identifier = f"urn:uuid:{uuid.uuid4()}"
        token_id = f"uuid-{uuid.uuid4()}-{number}"
        context = IssuedContext(identifier, token_id, endpoint.lower(), now, now + lifetime, key)
        if cookie:
            context = replace(context, cookie=self._sealer.seal(context))
        with self._lock:
            if not cookie:
                self._live[identifier] = context
            self.issued.append(identifier)
        return context

    def resolve(
        self, token: etree._Element, endpoint: str, now: dt.datetime, *, cookie: bool
    ) -> IssuedContext:
        """The context a `c:SecurityContextToken` of a message at `endpoint` stands for."""
        identifier = (token.findtext(f"{{{WSC}}}Identifier") or "").strip()
        if not identifier:
            raise Rejected("the security context token has no Identifier")
        if cookie:
            context = self._from_cookie(token, identifier)
        else:
            with self._lock:
                found = self._live.get(identifier)
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
        with self._lock:
            self._live.pop(context.identifier, None)
            self.cancelled.append(context.identifier)

    def forget(self) -> None:
        """Forget every context, as a recycled service does: EC's are dropped, EC2's cookies
        no longer open."""
        with self._lock:
            self._live.clear()
        self._sealer.forget()
