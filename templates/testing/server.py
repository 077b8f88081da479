"""The HTTP side of the mock: a threaded HTTP/1.1 server on loopback, plain or over TLS (the
EC and EC2 endpoints' transport), that hands every request to an application
(`MockAltinn.handle`) and writes its `Reply`.

Keep-alive is supported (one thread per connection); `close_connections()` ends idle ones when
the mock stops. Bodies come with Content-Length or chunked; above the application's
`max_request_bytes` the answer is 413. A client that goes away is logged, not printed.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from lxml import etree

from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.transport.mtom import is_mtom
from altinn2.testing.faults import Reply, http_error
from altinn2.testing.mtom import Attachment, receive

logger = logging.getLogger("altinn2.testing")


class Application(Protocol):
    max_request_bytes: int
    upload_digests: bool

    def upload_folder(self) -> Path: ...

    def handle(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes,
        attachment: Attachment | None = None,
        root: etree._Element | None = None,
    ) -> Reply: ...


CHUNK = 1024 * 1024  # a read of the request body (a larger one: fewer calls per GiB)


# The listen backlog: an app's test suite may open hundreds of connections at once (Python's
# default of 5 refuses them); the kernel caps it at its own limit (net.core.somaxconn).
LISTEN_BACKLOG = 1024


def server_tls(certificate: Path, key: Path | None = None) -> ssl.SSLContext:
    """A TLS server context (TLS 1.2 or later) from a PEM certificate, its chain after it, and
    its key (in the same file when `key` is None)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(certificate), str(key) if key is not None else None)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(
            f"{certificate}: cannot load the TLS certificate and key ({exc})"
        ) from None
    return context


class MockServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        application: Application,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.application = application
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)
        if tls is not None:
            # The handshake happens in the connection's own thread (`_Handler.setup`), never in
            # the accepting loop, where one slow client would hold up the others.
            self.socket = tls.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (reset, timeout) is no failure of the mock: no traceback.
        logger.debug("altinn2 mock: connection from %s ended abruptly", client_address)

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        """Shut every open connection (idle keep-alive ones included) down."""
        with self._connections_lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart
    server_version = "altinn2-mock"
    sys_version = ""
    timeout = 60
    server: MockServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except OSError:  # ssl.SSLError too: the client refused us, or is no TLS client
                self.server.track(self.connection, False)
                raise

    def finish(self) -> None:
        self.server.track(self.connection, False)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # the mock logs every call itself
        pass

    def _body(self) -> bytes | None:
        limit = self.server.application.max_request_bytes
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return read_chunked(self.rfile, limit)
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            return None
        return self.rfile.read(length) if length else b""

    def _chunks(self) -> Iterator[bytes | memoryview]:
        """The request body as it arrives (Content-Length or chunked), never held whole. With a
        Content-Length, each chunk is a view of one buffer, read into again for the next: a new
        1 MiB object per read cost the mock about a fifth more CPU than the reused buffer."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            yield from iter_chunked(self.rfile)
            return
        left = int(self.headers.get("Content-Length") or 0)
        buffer = memoryview(bytearray(max(0, min(CHUNK, left))))
        while left > 0:
            read = self.rfile.readinto(buffer[: min(CHUNK, left)])
            if not read:
                raise ValueError("the request body ended early")
            left -= read
            yield buffer[:read]

    def _serve_mtom(self, content_type: str) -> None:
        """A streamed request: its file spooled to disk as it arrives (see `testing.mtom`)."""
        application = self.server.application
        try:
            received = receive(
                self._chunks(),
                content_type,
                application.upload_folder(),
                application.max_request_bytes,
                application.upload_digests,
            )
        except (ValueError, ProtocolError, OSError) as exc:
            # WCF: the encoder's XmlException becomes a ProtocolException, answered 400
            # (referencesource HttpChannelHelpers.cs ReadStreamedMessage, HttpChannelListener.cs
            # HandleProcessInboundException).
            self._send(http_error(400, f"Bad Request: unreadable MTOM body ({exc})"))
            self.close_connection = True
            return
        headers = dict(self.headers.items())
        reply = application.handle(
            self.command, self.path, headers, received.envelope, received.attachment, received.root
        )
        self._send(reply)

    def _serve(self) -> None:
        content_type = self.headers.get("Content-Type") or ""
        if self.command == "POST" and is_mtom(content_type):
            self._serve_mtom(content_type)
            return
        try:
            body = self._body()
        except ValueError:
            self._send(http_error(400, "Bad Request: unreadable body"))
            self.close_connection = True
            return
        if body is None:
            self._send(http_error(413, "Request Entity Too Large"))
            self.close_connection = True
            return
        headers = dict(self.headers.items())
        self._send(self.server.application.handle(self.command, self.path, headers, body))

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.stream is not None:
            length, chunks = reply.stream
            self.send_header("Content-Length", str(length))
            self.end_headers()
            for chunk in chunks:
                self.wfile.write(chunk)
            return
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD" and reply.body:
            self.wfile.write(reply.body)

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve


def iter_chunked(stream: io.BufferedIOBase) -> Iterator[bytes]:
    """A chunked request body, chunk by chunk."""
    while True:
        line = stream.readline(1024).strip()
        length = int(line.split(b";")[0], 16)
        if length == 0:
            while stream.readline(1024).strip():
                pass
            return
        while length > 0:
            piece = stream.read(min(CHUNK, length))
            if not piece:
                raise ValueError("the chunked body ended early")
            length -= len(piece)
            yield piece
        stream.readline(1024)


def read_chunked(stream: io.BufferedIOBase, limit: int) -> bytes | None:
    """A chunked request body; None when it grows above `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    for piece in iter_chunked(stream):
        size += len(piece)
        if size > limit:
            return None
        chunks.append(piece)
    return b"".join(chunks)
