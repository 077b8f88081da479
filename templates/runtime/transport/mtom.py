"""MTOM (SOAP Message Transmission Optimization, XOP) as WCF puts it on the wire, streamed.

A streamed request is `multipart/related; type="application/xop+xml"`: the envelope part, in which
the body's `base64Binary` element holds only an `xop:Include` pointing at the binary part, then the
binary part with the file's bytes (`Content-Transfer-Encoding: binary`). `MtomRequest` produces
that body chunk by chunk from a path, a binary file object or an iterator of bytes (sync and
async); nothing but one chunk of the file is ever in memory.

`MultipartReader` reads such a message back as it arrives (push parser: `feed` a chunk, get the
events it completes), so a response's binary part is streamed to its destination, never buffered.
`xop_references` finds the `xop:Include` elements of an envelope part and empties them, so that
the envelope part reads into the typed result (its streamed field empty).
"""

from __future__ import annotations

import base64
import io
import os
import re
import stat
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, cast
from urllib.parse import unquote

from lxml import etree

from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.operation import SoapVersion
from altinn2.runtime.transport.scan import Chunk, find

XOP_NS = "http://www.w3.org/2004/08/xop/include"
XOP_INCLUDE = f"{{{XOP_NS}}}Include"
XOP_MEDIA = "application/xop+xml"
CHUNK_SIZE = 1024 * 1024
# A received file is written in blocks of at least this size: the page cache takes 1 MiB writes
# several times faster than 256 KiB ones (a streamed transfer's disk writes bound its
# throughput); a larger buffer measured slower again (an extra copy of every chunk).
WRITE_BUFFER = 1024 * 1024
ROOT_ID = "http://tempuri.org/0"
# WCF's boundary: `uuid:` + one GUID per process + `+id=` + a counter.
_PROCESS_ID = uuid.uuid4()
_counter = 0

# A source of a streamed upload: a path, a binary file object or an iterator of bytes.
Source = str | os.PathLike[str] | BinaryIO | Iterable[bytes] | AsyncIterable[bytes]
# Called with the number of file bytes transferred so far (both ways).
Progress = Callable[[int], None]
START_INFO = {SoapVersion.SOAP11: "text/xml", SoapVersion.SOAP12: "application/soap+xml"}


def _boundary() -> str:
    global _counter
    _counter += 1
    return f"uuid:{_PROCESS_ID}+id={_counter}"


def _binary_id(index: int) -> str:
    # WCF: http://tempuri.org/<k>/<DateTime.Now.Ticks>; ticks are 100 ns since year 1.
    ticks = int(time.time() * 10_000_000) + 621_355_968_000_000_000
    return f"http://tempuri.org/{index}/{ticks}"


def include_binary(envelope: bytes, element: str) -> tuple[bytes, str]:
    """The envelope with the body element `element` (a local name, the wrapper's child) holding
    an `xop:Include` instead of its content; and the content ID it points to."""
    root = etree.fromstring(envelope)
    body = root[-1]
    wrapper = body[0] if len(body) else None
    target = None
    if wrapper is not None:
        target = next((child for child in wrapper if etree.QName(child).localname == element), None)
    if target is None:
        raise ValueError(f"the envelope has no body element {element} to stream")
    content_id = _binary_id(1)
    target.text = None
    for child in list(target):
        target.remove(child)
    include = etree.SubElement(target, XOP_INCLUDE, nsmap={"xop": XOP_NS})
    include.set("href", f"cid:{content_id}")
    return etree.tostring(root, encoding="utf-8", xml_declaration=False), content_id


def xop_references(root: etree._Element) -> list[str]:
    """The content IDs the envelope's `xop:Include` elements point to, in document order; each
    Include is removed, leaving its parent empty."""
    found = []
    for include in list(root.iter(XOP_INCLUDE)):
        href = include.get("href") or ""
        if not href.startswith("cid:"):
            raise ProtocolError(f"xop:Include with an href that is not a cid: URL ({href!r})")
        found.append(unquote(href[4:]))
        parent = include.getparent()
        if parent is not None:
            parent.remove(include)
    return found


def iter_source(source: Source, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The bytes of a source, chunk by chunk (a path is opened here and closed when done)."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as file:
            yield from _iter_file(file, chunk_size)
    elif hasattr(source, "read"):
        yield from _iter_file(source, chunk_size)  # type: ignore[arg-type]
    elif isinstance(source, (bytes, bytearray, memoryview)):
        raise TypeError("source: give a path, a binary file object or an iterator of bytes")
    elif isinstance(source, Iterable):
        for chunk in source:
            if not isinstance(chunk, (bytes, bytearray, memoryview)):
                raise TypeError(f"source: the iterator yielded {type(chunk).__name__}, not bytes")
            yield bytes(chunk)
    else:
        raise TypeError(f"source: cannot stream a {type(source).__name__} (sync client)")


async def aiter_source(source: Source, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
    """`iter_source` for the async client; an async iterator of bytes is accepted too. A path or
    a file object is opened and read in a worker thread, one chunk per hand-off: a slow disk
    never blocks the event loop."""
    if isinstance(source, AsyncIterable):
        async for chunk in source:
            if not isinstance(chunk, (bytes, bytearray, memoryview)):
                raise TypeError(f"source: the iterator yielded {type(chunk).__name__}, not bytes")
            yield bytes(chunk)
    elif isinstance(source, (str, os.PathLike)):
        import asyncio  # loaded by async calls only

        file = await asyncio.to_thread(open, source, "rb")
        try:
            async for chunk in _aiter_file(file, chunk_size):
                yield chunk
        finally:
            await asyncio.to_thread(file.close)
    elif hasattr(source, "read"):
        async for chunk in _aiter_file(source, chunk_size):  # type: ignore[arg-type]
            yield chunk
    else:
        for chunk in iter_source(source, chunk_size):
            yield chunk


async def _aiter_file(file: BinaryIO, chunk_size: int) -> AsyncIterator[bytes]:
    import asyncio  # loaded by async calls only

    while True:
        chunk = await asyncio.to_thread(file.read, chunk_size)
        if not chunk:
            return
        if not isinstance(chunk, bytes):
            raise TypeError("source: the file object is not binary (open it with 'rb')")
        yield chunk


def _remaining_size(source: Source) -> int | None:
    """How many bytes a path or a regular file object holds from where it stands (None: not
    known without reading it)."""
    try:
        if isinstance(source, (str, os.PathLike)):
            info = os.stat(source)
            return info.st_size if stat.S_ISREG(info.st_mode) else None
        fileno = getattr(source, "fileno", None)
        if fileno is None or not getattr(source, "seekable", lambda: False)():
            return None
        info = os.fstat(fileno())
        if not stat.S_ISREG(info.st_mode):
            return None
        position: int = source.tell()  # type: ignore[union-attr]
        return max(0, info.st_size - position)
    except (OSError, ValueError, io.UnsupportedOperation):
        return None


def resender(source: Source | None) -> Callable[[], None] | None:
    """How to send `source` once more from its start (a security retry), or None when it cannot
    be: a path is opened again, a seekable file object is sought back to where it stood now; an
    iterator (sync or async) yields its bytes once only. A list or tuple of chunks is re-read."""
    if source is None or isinstance(source, (str, os.PathLike, list, tuple)):
        return _nothing_to_do
    if hasattr(source, "read"):
        seekable = getattr(source, "seekable", None)
        if seekable is None or not seekable():
            return None
        file: BinaryIO = source  # type: ignore[assignment]
        start = file.tell()

        def rewind() -> None:
            file.seek(start)

        return rewind
    return None


def _nothing_to_do() -> None:
    pass


def _iter_file(file: BinaryIO, chunk_size: int) -> Iterator[bytes]:
    while True:
        chunk = file.read(chunk_size)
        if not chunk:
            return
        if not isinstance(chunk, bytes):
            raise TypeError("source: the file object is not binary (open it with 'rb')")
        yield chunk


@dataclass
class MtomRequest:
    """One MTOM request body: the envelope part and, when `source` is given, the binary part
    `content_id` (from `include_binary`). Iterate it (sync or async) for the body's bytes;
    `progress` hears the file bytes sent so far; `sent` counts them."""

    envelope: bytes = field(repr=False)
    version: SoapVersion
    action: str
    source: Source | None = field(default=None, repr=False)
    content_id: str | None = None
    progress: Progress | None = None
    boundary: str = field(default_factory=_boundary)
    sent: int = 0

    @property
    def content_type(self) -> str:
        start_info = START_INFO[self.version]
        value = (
            f'multipart/related; type="{XOP_MEDIA}"; start="<{ROOT_ID}>"; '
            f'boundary="{self.boundary}"; start-info="{start_info}"'
        )
        if self.version is SoapVersion.SOAP12:
            value += f'; action="{self.action}"'
        return value

    def content_length(self) -> int | None:
        """The message's length when the file's size is known from here to its end (a path, a
        regular file object), else None (then it goes chunked). With a length, HTTP needs no
        chunk framing, and the chunks go out without being copied into frames."""
        if self.source is None:
            return self.framing_length()
        size = _remaining_size(self.source)
        return None if size is None else self.framing_length() + size

    def framing_length(self) -> int:
        """The bytes of the message but the file's (its length is that plus the file's size)."""
        pieces = [self._head(), self._tail()]
        if self.source is not None:
            pieces.append(self._binary_head())
        return sum(len(piece) for piece in pieces)

    def _head(self) -> bytes:
        start_info = START_INFO[self.version]
        text = (
            f"\r\n--{self.boundary}\r\n"
            f"Content-ID: <{ROOT_ID}>\r\n"
            "Content-Transfer-Encoding: 8bit\r\n"
            f'Content-Type: {XOP_MEDIA};charset=utf-8;type="{start_info}"\r\n\r\n'
        )
        return text.encode("ascii") + self.envelope

    def _binary_head(self) -> bytes:
        return (
            f"\r\n--{self.boundary}\r\n"
            f"Content-ID: <{self.content_id}>\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode("ascii")

    def _tail(self) -> bytes:
        return f"\r\n--{self.boundary}--\r\n".encode("ascii")

    def _count(self, chunk: bytes) -> bytes:
        self.sent += len(chunk)
        if self.progress is not None:
            self.progress(self.sent)
        return chunk

    def __iter__(self) -> Iterator[bytes]:
        yield self._head()
        if self.source is not None:
            yield self._binary_head()
            for chunk in iter_source(self.source):
                yield self._count(chunk)
        yield self._tail()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._head()
        if self.source is not None:
            yield self._binary_head()
            async for chunk in aiter_source(self.source):
                yield self._count(chunk)
        yield self._tail()


# -- reading -------------------------------------------------------------------------------------

_PARAMETER = re.compile(r';\s*([A-Za-z0-9_.\-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)')


def media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """A Content-Type's media type (lower case) and parameters (names lower case, unquoted)."""
    media, _, rest = content_type.partition(";")
    parameters = {}
    for name, value in _PARAMETER.findall(";" + rest):
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        parameters[name.lower()] = value
    return media.strip().lower(), parameters


def is_mtom(content_type: str) -> bool:
    media, parameters = media_type(content_type)
    return media == "multipart/related" and parameters.get("type", "").lower() == XOP_MEDIA


@dataclass(frozen=True)
class PartStart:
    headers: dict[str, str]  # names lower case

    @property
    def content_id(self) -> str | None:
        value = self.headers.get("content-id")
        return unquote(value.strip().strip("<>")) if value else None


@dataclass(frozen=True)
class PartData:
    data: bytes


@dataclass(frozen=True)
class PartView:
    """Part data borrowed from the chunk given to `MultipartReader.feed_view` (not a copy):
    valid until the caller writes to that chunk's buffer again."""

    data: memoryview


@dataclass(frozen=True)
class PartEnd:
    pass


def _data(chunk: Chunk) -> PartData | PartView:
    """A view of the caller's buffer stays one (`feed_view`); any other bytes-like is bytes."""
    return PartView(chunk) if isinstance(chunk, memoryview) else PartData(bytes(chunk))


Event = PartStart | PartData | PartEnd
MAX_PART_HEADERS = 16 * 1024


class MultipartReader:
    """A push parser of a multipart body: `feed(chunk)` returns the events the chunk completes
    (a part's headers, its data in pieces, its end); `close()` checks the closing delimiter came.
    Part data is handed on as it arrives, except the few bytes that could begin a delimiter.
    `feed_view` reads a chunk from a reused buffer, handing its data on uncopied."""

    def __init__(self, content_type: str) -> None:
        media, parameters = media_type(content_type)
        boundary = parameters.get("boundary")
        if not media.startswith("multipart/") or not boundary:
            raise ProtocolError(f"not a multipart message (Content-Type {content_type!r})")
        # RFC 2046 allows no CR or LF in a boundary; `_feed_data`'s hold-back relies on it
        if "\r" in boundary or "\n" in boundary:
            raise ProtocolError(f"multipart: a boundary with a line break ({boundary!r})")
        self.start = parameters.get("start")
        self._delimiter = b"\r\n--" + boundary.encode("latin-1")
        # The first delimiter may come without the CRLF before it: pretend it was there.
        self._buffer = bytearray(b"\r\n")
        self._state = "preamble"
        self.parts = 0

    @property
    def finished(self) -> bool:
        return self._state == "done"

    def feed(self, chunk: bytes) -> list[Event]:
        """The events `chunk` completes; their data is bytes."""
        return cast(list[Event], self._feed(chunk))  # a PartView comes of a view only

    def feed_view(self, chunk: memoryview) -> list[Event | PartView]:
        """`feed` for a chunk in a buffer the caller fills again for the next chunk (a reused
        read buffer: no new object per read): part data the chunk holds whole comes as a
        `PartView`, a slice of `chunk`, valid only until the buffer is written again; use it
        before. Data the reader keeps across chunks comes as `PartData`, copied. The reader
        keeps no reference to `chunk`."""
        return self._feed(chunk)

    def _feed(self, chunk: Chunk) -> list[Event | PartView]:
        if self._state == "done":
            return []  # the epilogue is ignored
        if self._state == "data":
            fast = self._feed_data(chunk)
            if fast is not None:
                return fast
        self._buffer += chunk
        events: list[Event | PartView] = []
        while self._step(events):
            pass
        return events

    def _feed_data(self, chunk: Chunk) -> list[Event | PartView] | None:
        """Part data without a delimiter, handed on without copying it (the common case of a
        large part); None when the general path must look (a delimiter may be near)."""
        delimiter, buffer = self._delimiter, self._buffer
        keep = len(delimiter) - 1
        if len(chunk) < keep:  # too short to tell whether the held-back tail is a delimiter
            return None
        if buffer and delimiter in bytes(buffer) + chunk[:keep]:
            return None
        if find(chunk, delimiter) >= 0:
            return None
        events: list[Event | PartView] = []
        if buffer:  # what was held back cannot begin a delimiter any more
            events.append(PartData(bytes(buffer)))
            buffer.clear()
        # Hold back only a tail that begins the delimiter. The delimiter's one CR is its first
        # byte (a boundary holds no CR), so such a tail starts at the chunk's last CR: a chunk
        # whose last CR is followed by anything else goes on whole, uncopied.
        tail = bytes(chunk[len(chunk) - keep :])
        cut = tail.rfind(b"\r")
        if cut < 0 or not delimiter.startswith(tail[cut:]):
            if chunk:
                events.append(_data(chunk))
            return events
        cut += len(chunk) - keep
        if cut:
            events.append(_data(chunk[:cut]))
        buffer += chunk[cut:]
        return events

    def close(self) -> None:
        if self._state != "done":
            where = "in a part's data" if self._state == "data" else f"({self._state})"
            raise ProtocolError(
                f"the multipart message ended early {where}, after {self.parts} part(s): "
                "the closing delimiter never came"
            )

    def _step(self, events: list[Event | PartView]) -> bool:
        buffer, delimiter = self._buffer, self._delimiter
        if self._state in ("preamble", "data"):
            index = buffer.find(delimiter)
            if index < 0:
                keep = len(delimiter) - 1
                if self._state == "data" and len(buffer) > keep:
                    events.append(PartData(bytes(buffer[: len(buffer) - keep])))
                    del buffer[: len(buffer) - keep]
                elif self._state == "preamble" and len(buffer) > keep:
                    del buffer[: len(buffer) - keep]
                return False
            if self._state == "data":
                if index:
                    events.append(PartData(bytes(buffer[:index])))
                events.append(PartEnd())
            del buffer[: index + len(delimiter)]
            self._state = "after-delimiter"
            return True
        if self._state == "after-delimiter":
            if len(buffer) < 2:
                return False
            if buffer.startswith(b"--"):
                self._state = "done"
                buffer.clear()
                return False
            line_end = buffer.find(b"\r\n")
            if line_end < 0:
                if len(buffer) > 1024:
                    raise ProtocolError("multipart: garbage after a delimiter")
                return False
            if buffer[:line_end].strip(b" \t"):
                raise ProtocolError("multipart: garbage after a delimiter")
            del buffer[: line_end + 2]
            self._state = "headers"
            return True
        if self._state == "headers":
            end = buffer.find(b"\r\n\r\n")
            if buffer.startswith(b"\r\n"):
                end, skip = 0, 2
            else:
                skip = 4
            if end < 0:
                if len(buffer) > MAX_PART_HEADERS:
                    raise ProtocolError("multipart: a part's headers are too long")
                return False
            events.append(PartStart(_part_headers(bytes(buffer[:end]))))
            self.parts += 1
            del buffer[: end + skip]
            self._state = "data"
            return True
        return False


def _part_headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    name = None
    for line in block.decode("latin-1").split("\r\n"):
        if line[:1] in (" ", "\t") and name:
            headers[name] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise ProtocolError(f"multipart: not a header line: {line[:80]!r}")
        name = name.strip().lower()
        headers[name] = value.strip()
    return headers


@dataclass(frozen=True)
class ReaderPolicy:
    """What an MTOM reader accepts. Two readers share the parsing: the client's reader of
    answers (`CLIENT_READER`) and the mock's reader of requests (`WCF_SERVICE_READER`), each
    with its own explicit policy. An empty string stands for a missing header or parameter."""

    # The multipart's `type` parameter compared as given (True) or case-insensitively.
    type_parameter_exact: bool
    # Root part's Content-Transfer-Encoding values accepted (None: any).
    root_encodings: frozenset[str] | None
    # Root part's `charset` values accepted, lower case (None: not looked at).
    root_charsets: frozenset[str] | None
    # The root part's `type` parameter must equal the multipart's `start-info`, when given.
    root_type_is_start_info: bool
    # A referenced (binary) part's Content-Transfer-Encoding values accepted.
    binary_encodings: frozenset[str]
    # At most this many parts (None: no limit).
    max_parts: int | None


# Our client reading an answer: tolerant, as it has been (a missing or `8bit` encoding on the
# binary part is read as binary; the root part's parameters are not looked at).
CLIENT_READER = ReaderPolicy(
    type_parameter_exact=False,
    root_encodings=None,
    root_charsets=None,
    root_type_is_start_info=False,
    binary_encodings=frozenset({"binary", "8bit", ""}),
    max_parts=None,
)

# WCF's XmlMtomReader on the service side (reference notes, ec-wire §8 [RS-MTOMR]):
WCF_SERVICE_READER = ReaderPolicy(
    # "type parameter exactly application/xop+xml" [RS-MTOMR]
    type_parameter_exact=True,
    # "Root Content-Transfer-Encoding may be absent, 7bit, 8bit or binary" [RS-MTOMR]
    root_encodings=frozenset({"", "7bit", "8bit", "binary"}),
    # "a non-empty charset (must match a supported encoding)" [RS-MTOMR]; WCF's text encodings
    # are UTF-8 and UTF-16 (either byte order); the names are our choice (the note lists none).
    root_charsets=frozenset({"utf-8", "utf-16", "utf-16le", "utf-16be"}),
    # "when start-info was given, a type parameter exactly equal to it" [RS-MTOMR]
    root_type_is_start_info=True,
    # "must have Content-Transfer-Encoding: binary (missing or anything else -> error)" [RS-MTOMR]
    binary_encodings=frozenset({"binary"}),
    # "max 1000 parts by default" [RS-MTOMR]
    max_parts=1000,
)


def check_message(content_type: str, policy: ReaderPolicy) -> None:
    """The multipart's own Content-Type: `multipart/related`, `type="application/xop+xml"` and a
    boundary (WCF's reader's rules; the client's policy compares the type case-insensitively)."""
    media, parameters = media_type(content_type)
    kind = parameters.get("type", "")
    if not policy.type_parameter_exact:
        kind = kind.lower()
    if media != "multipart/related" or kind != XOP_MEDIA:
        raise ProtocolError(
            f'MTOM: the message is {media or "untyped"} with type="{kind}", '
            f'not multipart/related with type="{XOP_MEDIA}"'
        )
    if not parameters.get("boundary"):
        raise ProtocolError("MTOM: the multipart Content-Type has no boundary")


def check_root_part(part: PartStart, policy: ReaderPolicy, start_info: str | None = None) -> None:
    """The root part of an MTOM message: `application/xop+xml` always (WCF's reader's rule), and
    what `policy` asks of its transfer encoding, charset and `type` (against `start_info`, the
    multipart's `start-info` when it had one)."""
    media, parameters = media_type(part.headers.get("content-type", ""))
    if media != XOP_MEDIA:
        raise ProtocolError(f"MTOM: the root part is {media or 'untyped'}, not {XOP_MEDIA}")
    encoding = part.headers.get("content-transfer-encoding", "").strip().lower()
    if policy.root_encodings is not None and encoding not in policy.root_encodings:
        raise ProtocolError(f"MTOM: the root part has Content-Transfer-Encoding {encoding!r}")
    charset = parameters.get("charset", "").strip().lower()
    if policy.root_charsets is not None and charset not in policy.root_charsets:
        raise ProtocolError(
            f"MTOM: the root part's charset is {charset!r}, not one of "
            + ", ".join(sorted(policy.root_charsets))
        )
    if policy.root_type_is_start_info and start_info is not None:
        kind = parameters.get("type")
        if kind != start_info:
            raise ProtocolError(
                f"MTOM: the root part's type is {kind!r}, the message's start-info {start_info!r}"
            )


def check_binary_part(part: PartStart, policy: ReaderPolicy) -> None:
    """A part an xop:Include points to must be sent as binary, as far as `policy` tells."""
    encoding = part.headers.get("content-transfer-encoding", "").strip().lower()
    if encoding not in policy.binary_encodings:
        shown = repr(encoding) if encoding else "missing"
        raise ProtocolError(f"MTOM: a binary part with Content-Transfer-Encoding {shown}")


def check_part_count(parts: int, policy: ReaderPolicy) -> None:
    if policy.max_parts is not None and parts > policy.max_parts:
        raise ProtocolError(f"MTOM: more than {policy.max_parts} parts")


def streamed_field(cls: type[object]) -> tuple[str, str] | None:
    """The attribute and element name of a message's streamed (`base64Binary`) field, if any."""
    import dataclasses

    if not dataclasses.is_dataclass(cls):
        return None
    for item in dataclasses.fields(cls):
        if item.metadata.get("format") == "base64":
            return item.name, str(item.metadata.get("name", item.name))
    return None


def inline_parts(content_type: str, content: bytes) -> bytes:
    """A small answer as one XML document: an MTOM message's root part with each `xop:Include`
    replaced by its part's bytes in base64; anything else as it came. An MTOM endpoint answers
    its security exchange in MTOM too, and may put the token's cookie in a part of its own
    (CXF-8051): the token is kept, and sent back, inline."""
    if not is_mtom(content_type):
        return content
    reader = MultipartReader(content_type)
    parts: list[tuple[PartStart, bytearray]] = []
    for event in reader.feed(content):
        if isinstance(event, PartStart):
            parts.append((event, bytearray()))
        elif isinstance(event, PartData) and parts:
            parts[-1][1].extend(event.data)
    reader.close()
    start = reader.start.strip("<>") if reader.start else None
    roots = [data for head, data in parts if start is None or head.content_id == start]
    if not roots:
        raise ProtocolError("MTOM: the answer has no root part")
    by_id = {head.content_id: bytes(data) for head, data in parts if head.content_id}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(bytes(roots[0]), parser)
    except etree.XMLSyntaxError as exc:
        raise ProtocolError(f"MTOM: the root part is not XML ({exc})") from None
    for include in list(root.iter(XOP_INCLUDE)):
        href = include.get("href") or ""
        data = by_id.get(unquote(href[4:])) if href.startswith("cid:") else None
        parent = include.getparent()
        if data is None or parent is None:
            raise ProtocolError(f"MTOM: xop:Include points to no part ({href!r})")
        parent.remove(include)
        parent.text = base64.b64encode(data).decode("ascii")
    return etree.tostring(root, encoding="utf-8")
