"""A small WSDL server on 127.0.0.1 for the fetch tests: canned documents by path+query, and faults.

Each route answers one request target (`/Service/Foo.svc?wsdl=wsdl0`). A route can fail its first
few requests (with a status, or by hanging up without an answer) before it succeeds, or wait before
answering, to test retries and timeouts; every request is recorded so that tests can count them.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/xml; charset=utf-8"
    failures: int = 0  # its first `failures` requests fail (with `failure_status`, or `drop`)
    failure_status: int = 500
    drop: bool = False  # fail by closing the connection without an answer
    delay: float = 0.0  # seconds to wait before answering
    requests: int = 0  # how many requests this route has had


@dataclass(frozen=True)
class Request:
    target: str  # path and query, as sent
    host: str
    user_agent: str


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: WsdlServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout) is expected here; stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr."""

    def do_GET(self) -> None:
        owner = self.server.owner
        route, count = owner._record(
            Request(self.path, self.headers.get("Host", ""), self.headers.get("User-Agent", ""))
        )
        if route is None:
            self._answer(404, b"<html><body>Endpoint not found.</body></html>", "text/html")
            return
        if route.delay:
            owner._stopping.wait(route.delay)
        failing = count <= route.failures or (route.drop and not route.failures)
        if failing and route.drop:
            self.close_connection = True  # hang up without a status line
            return
        if failing:
            self._answer(route.failure_status, b"<html>Server Error</html>", "text/html")
            return
        self._answer(route.status, route.body, route.content_type)

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client timed out and went away
            pass


class WsdlServer:
    """`with WsdlServer() as server:` serves `server.routes` at `server.url` for the block."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.fallback: Route | None = None  # answers targets with no route; None: 404
        self.requests: list[Request] = []
        self._hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.host = f"127.0.0.1:{self._httpd.server_address[1]}"
        self.url = f"http://{self.host}"

    def add(self, target: str, body: bytes = b"", **options: Any) -> Route:
        route = Route(body, **options)
        self.routes[target] = route
        return route

    def hits(self, target: str) -> int:
        with self._lock:
            return self._hits[target]

    def targets(self) -> list[str]:
        with self._lock:
            return [request.target for request in self.requests]

    def _record(self, request: Request) -> tuple[Route | None, int]:
        with self._lock:
            self.requests.append(request)
            self._hits[request.target] += 1
            route = self.routes.get(request.target, self.fallback)
            if route is None:
                return None, 0
            route.requests += 1
            return route, route.requests

    def __enter__(self) -> WsdlServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopping.set()  # wake handlers that are still waiting out a delay
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
