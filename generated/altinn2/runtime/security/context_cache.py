"""Security contexts shared per endpoint, certificate and enterprise user, by threads and asyncio
tasks alike.

One issue is in flight per key: when fifty calls start at once, one of them asks for the token and
the others wait for that answer (a thread blocks, a task awaits, whichever event loop it runs
on). A context is renewed, by issuing a new one, once 60 % of its lifetime has passed (WCF's own
client does the same); the lifetime is measured on the local clock from when the answer came,
so a server clock that differs from ours does not matter. A context the service no longer knows
(`BadContextToken`) is dropped; the next call issues a new one. Issue failures are not cached.
A context replaced by its renewal is kept aside (`take_replaced`) for the profile to cancel.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from altinn2.runtime.wsheaders import Clock, utc_now

# concurrent.futures and asyncio load with the first EC call, not with every client.
if TYPE_CHECKING:
    import concurrent.futures

    from altinn2.runtime.security.trust import SecurityContext


@dataclass(frozen=True)
class ContextKey:
    endpoint: str
    certificate: str  # the certificate's SHA-1 thumbprint
    user: str  # the enterprise user's name


RENEWAL_FRACTION = 0.6
# How long a context without a Lifetime is trusted before it is renewed.
ASSUMED_LIFETIME = dt.timedelta(minutes=10)


class _Abandoned(Exception):
    """The call issuing a context was cancelled or interrupted: a waiter takes over."""


@dataclass(frozen=True)
class _Entry:
    context: SecurityContext
    renew_at: dt.datetime


class ContextCache:
    def __init__(
        self,
        *,
        clock: Clock = utc_now,
        renewal_fraction: float = RENEWAL_FRACTION,
        assumed_lifetime: dt.timedelta = ASSUMED_LIFETIME,
    ) -> None:
        self._clock = clock
        self._fraction = renewal_fraction
        self._assumed = assumed_lifetime
        self._lock = threading.Lock()
        self._entries: dict[ContextKey, _Entry] = {}
        self._in_flight: dict[ContextKey, concurrent.futures.Future[SecurityContext]] = {}
        self._replaced: list[tuple[ContextKey, SecurityContext]] = []

    def _fresh(self, key: ContextKey) -> SecurityContext | None:
        entry = self._entries.get(key)
        if entry is not None and self._clock() < entry.renew_at:
            return entry.context
        return None

    def _claim(
        self, key: ContextKey
    ) -> tuple[SecurityContext | None, concurrent.futures.Future[SecurityContext], bool]:
        """Under the lock: a fresh context, or the issue in flight (and whether we own it)."""
        import concurrent.futures

        with self._lock:
            context = self._fresh(key)
            if context is not None:
                return context, concurrent.futures.Future(), False
            future = self._in_flight.get(key)
            if future is not None:
                return None, future, False
            future = concurrent.futures.Future()
            self._in_flight[key] = future
            return None, future, True

    def _settle(
        self,
        key: ContextKey,
        future: concurrent.futures.Future[SecurityContext],
        context: SecurityContext | None,
        error: BaseException | None,
    ) -> None:
        with self._lock:
            self._in_flight.pop(key, None)
            if context is not None:
                lifetime = context.expires - context.created if context.expires else self._assumed
                renew_at = self._clock() + lifetime * self._fraction
                old = self._entries.get(key)
                if old is not None and old.context.identifier != context.identifier:
                    self._replaced.append((key, old.context))
                self._entries[key] = _Entry(context, renew_at)
        if context is not None:
            future.set_result(context)
        elif isinstance(error, Exception):
            future.set_exception(error)
        else:  # cancelled or interrupted: not the waiters' failure
            future.set_exception(_Abandoned())

    def get(self, key: ContextKey, issue: Callable[[], SecurityContext]) -> SecurityContext:
        """The context for `key`, issuing it with `issue` unless one is fresh or in flight."""
        while True:
            context, future, owner = self._claim(key)
            if context is not None:
                return context
            if owner:
                break
            try:
                return future.result()
            except _Abandoned:
                continue
        try:
            context = issue()
        except BaseException as exc:
            self._settle(key, future, None, exc)
            raise
        self._settle(key, future, context, None)
        return context

    async def get_async(
        self, key: ContextKey, issue: Callable[[], Awaitable[SecurityContext]]
    ) -> SecurityContext:
        """`get` for asyncio tasks: waiting never blocks the event loop."""
        import asyncio

        while True:
            context, future, owner = self._claim(key)
            if context is not None:
                return context
            if owner:
                break
            try:
                return await asyncio.wrap_future(future)
            except _Abandoned:
                continue
        try:
            context = await issue()
        except BaseException as exc:  # cancellation too: the waiters must not hang
            self._settle(key, future, None, exc)
            raise
        self._settle(key, future, context, None)
        return context

    def drop(self, key: ContextKey, context: SecurityContext) -> None:
        """Forget `context` (the service answered BadContextToken); a newer one for the same key,
        issued meanwhile by another call, stays."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.context.identifier == context.identifier:
                del self._entries[key]

    def take_replaced(self) -> list[tuple[ContextKey, SecurityContext]]:
        """The contexts renewals replaced since the last call, oldest first (EC cancels them:
        the service would otherwise keep each until it expires)."""
        with self._lock:
            replaced, self._replaced = self._replaced, []
        return replaced

    def take_all(self) -> list[tuple[ContextKey, SecurityContext]]:
        """Empty the cache and return what it held, replaced contexts not yet taken included
        (on close: EC cancels each context)."""
        with self._lock:
            entries, self._entries = self._entries, {}
            replaced, self._replaced = self._replaced, []
        return replaced + [
            (key, entry.context)
            for key, entry in sorted(
                entries.items(), key=lambda item: (item[0].endpoint, item[0].user)
            )
        ]
