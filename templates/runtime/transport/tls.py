"""The https transport, made with the first https request.

Its TLS context (the trusted certificates loaded) is most of what making an HTTP client costs; a
client that talks plain http only (to a loopback address: a mock, a test server) never needs it.
The transport is httpx's own, with the client's transport options; made once, under a lock, then
every request goes straight to it. Closing closes it if it was made, and a request after that is
refused, as httpx refuses one on a closed client. Imported with the first call (it imports httpx).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

import httpx

T = TypeVar("T")

_CLOSED = "Cannot send a request, as the transport has been closed."


class _Once(Generic[T]):
    """A value made by `make` when first asked for, once, whichever thread asks first; none
    once closed."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._closed = False
        self.value: T | None = None

    def get(self) -> T:
        value = self.value
        if value is None:
            with self._lock:
                if self._closed:
                    raise RuntimeError(_CLOSED)
                if self.value is None:
                    self.value = self._make()
                value = self.value
        return value

    def close(self) -> T | None:
        """The value to close, if one was made; from now on `get` refuses."""
        with self._lock:
            self._closed = True
            value, self.value = self.value, None
            return value


class DeferredTransport(httpx.BaseTransport):
    """The transport `make` returns, made with the first request."""

    def __init__(self, make: Callable[[], httpx.BaseTransport]) -> None:
        self._transport = _Once(make)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._transport.get().handle_request(request)

    def close(self) -> None:
        transport = self._transport.close()
        if transport is not None:
            transport.close()


class AsyncDeferredTransport(httpx.AsyncBaseTransport):
    """`DeferredTransport` for the async client."""

    def __init__(self, make: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._transport = _Once(make)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._transport.get().handle_async_request(request)

    async def aclose(self) -> None:
        transport = self._transport.close()
        if transport is not None:
            await transport.aclose()
