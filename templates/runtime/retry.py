"""When a failed call is tried again: reads only, unless nothing was sent."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    """Retries for operations that are safe to repeat (reads): transport errors and 429/502/503/504.

    A connection that could not be opened is retried for every operation: nothing was sent.
    """

    attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    statuses: frozenset[int] = field(default=frozenset({429, 502, 503, 504}))

    def delay(self, attempt: int) -> float:
        return float(min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(attempts=1)


def not_sent(exc: BaseException) -> bool:
    """The request never left: no connection (refused, unreachable, TLS), or none in time. Safe
    to retry for every operation. (httpx is loaded: it raised `exc`.)"""
    import httpx

    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
