"""The security contexts the mock issued, and how a token in a message finds its own.

EC (WCF's session mode): contexts live in the service's memory, by Identifier and key generation
(`c:Instance`); a Cancel removes one with all its generations. As WCF's session channel does, only
the current key may be renewed; a renewed key waits (5 at most) until a message first uses it, then
becomes the current one, the key it replaces accepted for the key rollover interval (5 minutes)
more at most, and the other waiting keys dropped; a replaced key past its rollover is dropped at
the context's next use or renewal.
EC2 (cookie mode): the service keeps nothing, the token's `dnse:Cookie` carries the context
(`cookies`), and must match the token it sits in (Identifier, the token's `wsu:Id`). Either way
an unknown, expired, cancelled or forgotten context is `BadContextToken`; except EC's current
key past its expiry: as WCF's session channel (ServerSecuritySessionChannel) the session lives
on and the message is answered `RenewNeeded` (Action .../SecureConversationFault), the expired
key still endorsing the Renew. The mock models no inactivity timeout: such a session waits for
its Renew or Cancel.
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
# SecuritySessionServerSettings: how long the key a renewal replaced stays accepted once the new
# one is used; how many renewed keys may wait to be used.
KEY_ROLLOVER = dt.timedelta(minutes=5)
MAX_PENDING_KEYS = 5

Generation = tuple[str, str | None]  # the Identifier and the Instance (None: the first key)


class ContextStore:
    """What the service knows of the contexts it issued; `issued`, `renewed` and `cancelled`
    list the Identifiers, oldest first (for tests)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[Generation, IssuedContext] = {}
        self._current: dict[str, str | None] = {}  # EC: the Instance of each context's key in use
        self._pending: dict[str, list[str]] = {}  # EC: renewed Instances no message used yet
        self._replaced: dict[str, list[str | None]] = {}  # EC: Instances a renewal's use replaced
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
                self._current[identifier] = None
            self.issued.append(identifier)
        return context

    def renew(
        self, current: IssuedContext, key: bytes, now: dt.datetime, lifetime: dt.timedelta
    ) -> IssuedContext:
        """EC's context `current` under a new key: the same Identifier, a new generation and
        token, waiting until a message uses it (`use`). Only the key in use is renewed."""
        renewed = replace(
            current,
            token_id=self._token_id(),
            instance=f"urn:uuid:{uuid.uuid4()}",
            created=now,
            expires=now + lifetime,
            key=key,
        )
        identifier = current.identifier
        with self._lock:
            self._prune(identifier, now)
            if (identifier, current.instance) not in self._live:
                raise Rejected("the security context was cancelled meanwhile", bad_context=True)
            if self._current.get(identifier) != current.instance:
                raise Rejected(
                    "the Renew is endorsed by a replaced key, not the context's current one"
                )
            pending = self._pending.setdefault(identifier, [])
            if len(pending) >= MAX_PENDING_KEYS:
                raise Rejected(f"{MAX_PENDING_KEYS} renewed keys of the context wait to be used")
            assert renewed.instance is not None
            pending.append(renewed.instance)
            self._live[identifier, renewed.instance] = renewed
            self.renewed.append(identifier)
        return renewed

    def use(self, context: IssuedContext, now: dt.datetime) -> None:
        """A message verified under `context`: a renewed key's first use makes it the current
        one; the key it replaces lasts the rollover interval at most, other waiting keys go."""
        identifier = context.identifier
        with self._lock:
            self._prune(identifier, now)
            pending = self._pending.get(identifier) or []
            if context.instance not in pending:
                return
            replaced = (identifier, self._current.get(identifier))
            old = self._live.get(replaced)
            if old is not None:
                self._live[replaced] = replace(old, expires=min(old.expires, now + KEY_ROLLOVER))
                self._replaced.setdefault(identifier, []).append(replaced[1])
            for instance in pending:
                if instance != context.instance:
                    self._live.pop((identifier, instance), None)
            self._current[identifier] = context.instance
            del self._pending[identifier]

    def _prune(self, identifier: str, now: dt.datetime) -> None:
        """Drop the replaced keys of `identifier` past their rollover (under the lock): they
        are refused anyway, and a long-running service must not hold them forever."""
        replaced = self._replaced.get(identifier)
        if not replaced:
            return
        for instance in list(replaced):
            generation = self._live.get((identifier, instance))
            if generation is None or now >= generation.expires:
                self._live.pop((identifier, instance), None)
                replaced.remove(instance)
        if not replaced:
            del self._replaced[identifier]

    def generations(self) -> int:
        """How many EC keys (every generation of every context) the service holds."""
        with self._lock:
            return len(self._live)

    def resolve(
        self,
        token: etree._Element,
        endpoint: str,
        now: dt.datetime,
        *,
        cookie: bool,
        renewing: bool = False,
    ) -> IssuedContext:
        """The context a `c:SecurityContextToken` of a message at `endpoint` stands for. EC's
        current key past its expiry asks for a renewal (`RenewNeeded`), which it may endorse
        (`renewing`); a replaced key past its rollover, or an EC2 cookie past its, is gone."""
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
            if not cookie and self._is_current(context):
                if renewing:
                    return context
                raise Rejected("the security context's key has expired", renew_needed=True)
            raise Rejected("the security context has expired", bad_context=True)
        return context

    def _is_current(self, context: IssuedContext) -> bool:
        with self._lock:
            return self._current.get(context.identifier, "") == context.instance

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
            self._current.pop(context.identifier, None)
            self._pending.pop(context.identifier, None)
            self._replaced.pop(context.identifier, None)
            self.cancelled.append(context.identifier)

    def forget(self) -> None:
        """Forget every context, as a recycled service does: EC's are dropped, EC2's cookies
        no longer open."""
        with self._lock:
            self._live.clear()
            self._current.clear()
            self._pending.clear()
            self._replaced.clear()
        self._sealer.forget()
