"""A small SOAP server on 127.0.0.1 for the runtime tests, and envelopes to answer with.

`with SoapServer(Reply(...), Reply(...)) as server:` answers POSTs at `server.url` with the replies
in order (the last one repeats), and records every request it received (path, headers, body bytes)
so that tests can look at what went over the wire and count the attempts. A reply can wait before
answering (read timeouts), hang up without answering (a connection lost after the request was
sent), stream an endless body (size limits) or trickle its body a byte at a time
(deadlines). `SoapServer(listen=False)` holds its port without
accepting connections (connection refused) until `listen()`.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any

from lxml import etree
from xsdata.models.datatype import XmlDateTime

from altinn2.services.reportee_element_list import ExternalSearchBEV2
from altinn2.testing.server import read_chunked

# One TLS context for every test client: each client building its own loads the CA bundle (40 ms),
# and these clients only ever talk plain http to 127.0.0.1.
TLS = ssl.create_default_context()

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
TEXT_XML = "text/xml; charset=utf-8"
SOAP12_XML = "application/soap+xml; charset=utf-8"


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str = TEXT_XML
    delay: float = 0.0  # seconds to wait before answering
    drop: bool = False  # read the request, then hang up without a status line
    endless: bool = False  # repeat `body` until the client hangs up (or `endless_limit` bytes)
    endless_limit: int = 256 * 1024 * 1024
    trickle: float = 0.0  # send the body one byte at a time, this many seconds apart
    headers: dict[str, str] = field(default_factory=dict)  # more response headers
    cut: int | None = None  # send only this many body bytes, then hang up (a dropped transfer)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def xml(self) -> etree._Element:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        return etree.fromstring(self.body, parser=parser)


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    owner: SoapServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout, size limit) is expected here; stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr."""

    def do_POST(self) -> None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = read_chunked(self.rfile, 1 << 30) or b""
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.owner._record(Received(self.command, self.path, headers, body))
        if reply.delay:
            self.server.owner._stopping.wait(reply.delay)
        if reply.drop:
            self.close_connection = True
            return
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.endless:
                self.end_headers()  # HTTP/1.0: the body ends when the connection closes
                self._stream(reply)
                return
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if reply.trickle:
                self._trickle(reply)
                return
            if reply.cut is not None:
                self.wfile.write(reply.body[: reply.cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(reply.body)
        except OSError:  # the client went away
            pass

    do_GET = do_POST  # recorded too: nothing should ever GET (an entity's SYSTEM URL, say)

    def _trickle(self, reply: Reply) -> None:
        for index in range(len(reply.body)):
            if self.server.owner._stopping.wait(reply.trickle):
                return
            self.wfile.write(reply.body[index : index + 1])
            self.wfile.flush()

    def _stream(self, reply: Reply) -> None:
        chunk = reply.body or b" " * 65536
        sent = 0
        try:
            while sent < reply.endless_limit and not self.server.owner._stopping.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
        finally:
            self.server.owner._add_streamed(sent)
            self.server.owner.stream_ended.set()


class SoapServer:
    """`with SoapServer(*replies) as server:` answers POSTs at `server.url` for the block."""

    def __init__(self, *replies: Reply, listen: bool = True) -> None:
        self.replies: list[Reply] = list(replies)
        self.received: list[Received] = []
        self.streamed = 0  # body bytes sent by endless replies
        self.stream_ended = threading.Event()  # an endless reply stopped (client gone, or limit)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler, bind_and_activate=False)
        self._httpd.owner = self
        self._httpd.server_bind()  # the port is ours; connections are refused until listen()
        self._listening = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True
        )
        self._listen_now = listen
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def listen(self) -> None:
        """Start accepting connections (a no-op when already listening)."""
        with self._lock:
            if self._listening:
                return
            self._listening = True
        self._httpd.server_activate()
        self._thread.start()

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.received)

    @property
    def last(self) -> Received:
        with self._lock:
            return self.received[-1]

    def _record(self, request: Received) -> Reply:
        with self._lock:
            index = len(self.received)
            self.received.append(request)
            if not self.replies:
                return Reply(b"no reply configured", status=500, content_type="text/plain")
            return self.replies[min(index, len(self.replies) - 1)]

    def _add_streamed(self, sent: int) -> None:
        with self._lock:
            self.streamed += sent

    def __enter__(self) -> SoapServer:
        if self._listen_now:
            self.listen()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopping.set()  # wake handlers that wait out a delay or stream
        if self._listening:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()


def search_be(**fields: Any) -> ExternalSearchBEV2:
    """A GetReporteeElementList search, as recorded (`searchBE` with Reportee, FromDate, ToDate)."""
    values: dict[str, Any] = {
        "reportee": "910453092",
        "from_date": XmlDateTime(2019, 1, 1, 0, 0, 0),
        "to_date": XmlDateTime(2020, 3, 16, 0, 0, 0),
    }
    return ExternalSearchBEV2(**(values | fields))


# -- envelopes ---------------------------------------------------------------------------------

RE_2009 = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2009/10"
RE_2010 = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2010/10"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
ALTINN_FAULT = "http://www.altinn.no/services/common/fault/2009/10"


def soap11(body: str, header: str = "") -> bytes:
    head = f"<s:Header>{header}</s:Header>" if header else ""
    return (f'<s:Envelope xmlns:s="{SOAP11}">{head}<s:Body>{body}</s:Body></s:Envelope>').encode()


def soap12(body: str, header: str = "") -> bytes:
    head = f"<s:Header>{header}</s:Header>" if header else ""
    return (
        f'<s:Envelope xmlns:s="{SOAP12}" xmlns:a="{WSA}" xmlns:u="{WSU}">'
        f"{head}<s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def wcf_response_header(action: str, relates_to: str = "urn:uuid:0") -> str:
    """What WCF puts in a WS (SOAP 1.2) response's header: Action, RelatesTo, a Timestamp."""
    return (
        f'<a:Action s:mustUnderstand="1">{action}</a:Action>'
        f"<a:RelatesTo>{relates_to}</a:RelatesTo>"
        f'<o:Security s:mustUnderstand="1" xmlns:o="{WSSE}">'
        '<u:Timestamp u:Id="_0"><u:Created>2012-11-29T07:19:14.278Z</u:Created>'
        "<u:Expires>2012-11-29T07:24:14.278Z</u:Expires></u:Timestamp></o:Security>"
    )


def reportee_element(fields: str = "", *, last_changed: str = "2020-03-15T15:23:17.43") -> str:
    """One `ReporteeElementBEV2` as WCF writes it (prefix `a`, alphabetical, `i:nil` nulls)."""
    return (
        "<a:ReporteeElementBEV2>"
        "<a:AllowDelete>true</a:AllowDelete>"
        '<a:ArchiveId i:nil="true"/>'
        '<a:DueDate i:nil="true"/>'
        "<a:ExternalServiceCode>3349</a:ExternalServiceCode>"
        f"<a:LastChangedDate>{last_changed}</a:LastChangedDate>"
        '<a:Notice i:nil="true"/>'
        "<a:ReporteeElementId>7992038</a:ReporteeElementId>"
        "<a:ReporteeElementType>FormTask</a:ReporteeElementType>"
        f"{fields}"
        "<a:Title>RF-1030 Skattemelding</a:Title>"
        "</a:ReporteeElementBEV2>"
    )


def reportee_list(operation: str, *elements: str) -> str:
    """The body of a GetReporteeElementList{BasicV2,ExternalV2} response."""
    return (
        f'<{operation}Response xmlns="{RE_2009}">'
        f'<{operation}Result xmlns:a="{RE_2010}" xmlns:i="{XSI}">'
        f"{''.join(elements)}"
        f"</{operation}Result></{operation}Response>"
    )


def basic_list_response(*elements: str) -> bytes:
    return soap11(reportee_list("GetReporteeElementListBasicV2", *elements))


def ws_list_response(*elements: str, action: str = "") -> bytes:
    operation = "GetReporteeElementListExternalV2"
    action = action or (
        f"{RE_2009}/IReporteeElementListExternal/GetReporteeElementListExternalV2Response"
    )
    return soap12(reportee_list(operation, *elements), wcf_response_header(action))


def basic_delete_response() -> bytes:
    return soap11(f'<DeleteReporteeElementBasicResponse xmlns="{RE_2009}"/>')


def altinn_fault_11(error_id: int, message: str = "An error", guid: str = "") -> bytes:
    return soap11(
        "<s:Fault><faultcode>s:Client</faultcode>"
        '<faultstring xml:lang="nb-NO">An errror occurred</faultstring>'
        f'<detail><AltinnFault xmlns="{ALTINN_FAULT}" xmlns:i="{XSI}">'
        f"<AltinnErrorMessage>{message}</AltinnErrorMessage>"
        f"<ErrorGuid>{guid}</ErrorGuid><ErrorID>{error_id}</ErrorID>"
        "</AltinnFault></detail></s:Fault>"
    )
