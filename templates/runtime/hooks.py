"""Request/response events and a history recorder; everything they see is already redacted."""

from __future__ import annotations

import collections
import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

logger = logging.getLogger("altinn2")


@dataclass(frozen=True)
class RequestEvent:
    operation: str
    binding: str
    url: str
    headers: dict[str, str]
    envelope: str  # redacted
    call_id: int = 0  # the attempt's id: its response event carries the same


@dataclass(frozen=True)
class ResponseEvent:
    operation: str
    url: str
    status: int
    headers: dict[str, str]
    envelope: str  # redacted (and cut at `Hooks.max_chars`)
    elapsed: float  # seconds
    call_id: int = 0  # the id of the request event it answers


_CALL_IDS = itertools.count(1)


def next_call_id() -> int:
    """A process-wide id for one attempt of a call (`next` on a count is atomic in CPython)."""
    return next(_CALL_IDS)


RequestHook = Callable[[RequestEvent], None]
ResponseHook = Callable[[ResponseEvent], None]


@dataclass(frozen=True)
class Exchange:
    request: RequestEvent
    response: ResponseEvent | None


class History:
    """The last `size` exchanges (redacted), for debugging and for tests' assertions.

    Each response is paired with its own request by the attempt's `call_id`, so concurrent calls
    (threads, asyncio tasks) sharing one client never swap or lose entries. A request that got no
    response (a transport error) is kept with `response=None` once `size` later requests are
    waiting."""

    def __init__(self, size: int = 20) -> None:
        self._size = size
        self._items: collections.deque[Exchange] = collections.deque(maxlen=size)
        self._pending: dict[int, RequestEvent] = {}
        self._lock = threading.Lock()

    def on_request(self, event: RequestEvent) -> None:
        with self._lock:
            self._pending[event.call_id] = event
            while len(self._pending) > self._size:
                oldest = next(iter(self._pending))
                self._items.append(Exchange(self._pending.pop(oldest), None))

    def on_response(self, event: ResponseEvent) -> None:
        with self._lock:
            request = self._pending.pop(event.call_id, None)
            if request is not None:
                self._items.append(Exchange(request, event))

    def __iter__(self) -> Iterator[Exchange]:
        with self._lock:
            return iter(list(self._items))

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def last(self) -> Exchange | None:
        with self._lock:
            return self._items[-1] if self._items else None


@dataclass
class Hooks:
    """Callbacks on every exchange; with `log=True`, also the `altinn2` logger (DEBUG)."""

    request: list[RequestHook]
    response: list[ResponseHook]
    log: bool = True
    max_chars: int = 20_000

    def __init__(
        self,
        request: list[RequestHook] | None = None,
        response: list[ResponseHook] | None = None,
        *,
        history: History | None = None,
        log: bool = True,
        max_chars: int = 20_000,
    ) -> None:
        self.request = list(request or [])
        self.response = list(response or [])
        if history is not None:
            self.request.append(history.on_request)
            self.response.append(history.on_response)
        self.log = log
        self.max_chars = max_chars

    @property
    def active(self) -> bool:
        return bool(self.request or self.response) or (
            self.log and logger.isEnabledFor(logging.DEBUG)
        )

    def emit_request(self, event: RequestEvent) -> None:
        if self.log:
            logger.debug("%s -> %s\n%s", event.operation, event.url, event.envelope)
        for hook in self.request:
            hook(event)

    def emit_response(self, event: ResponseEvent) -> None:
        if self.log:
            logger.debug(
                "%s <- %s %s (%.3f s)\n%s",
                event.operation,
                event.url,
                event.status,
                event.elapsed,
                event.envelope,
            )
        for hook in self.response:
            hook(event)
