"""The mock's side of MTOM: a streamed request's file spooled to disk as it arrives (never held
in memory), and a streamed answer written from a file on disk.

`receive` reads a `multipart/related; type="application/xop+xml"` request body chunk by chunk,
under the rules of WCF's service reader (`WCF_SERVICE_READER`): the envelope part is kept
(bounded; parsed once, when it points to a binary part, and that tree passed on to the checks),
the part its `xop:Include` points to goes to a file in the mock's upload folder, other parts are
read past.
`answer` writes an answer as WCF does: the envelope part, then the file (if any) as the binary
part its `xop:Include` points to, with a Content-Length (the file's size is known).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from altinn2.runtime.envelope import parse_xml
from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.operation import SoapVersion
from altinn2.runtime.transport.mtom import (
    WCF_SERVICE_READER,
    XOP_NS,
    MtomRequest,
    MultipartReader,
    PartData,
    PartEnd,
    PartStart,
    PartView,
    check_binary_part,
    check_message,
    check_part_count,
    check_root_part,
    media_type,
    xop_references,
)

# The spool's write buffer: smaller than the server's reads of the body (1 MiB), so that a read's
# data goes to the file as it is, not copied into the buffer first; smaller pieces are gathered.
SPOOL_BUFFER = 256 * 1024


@dataclass(frozen=True)
class Attachment:
    """A file a streamed request carried, spooled to `path`; its size and SHA-256 (hex; None
    when the mock was told not to compute it)."""

    content_id: str | None
    path: Path
    size: int
    sha256: str | None


@dataclass(frozen=True)
class Received:
    """A streamed request as `receive` read it: its envelope part; that part's tree when it
    points to a binary part (parsed to find the part, each `xop:Include` taken out, leaving its
    parent empty), else None (the checks parse it); the binary part, spooled."""

    envelope: bytes
    root: etree._Element | None
    attachment: Attachment | None


def inner_content_type(content_type: str) -> str:
    """The content type the envelope part stands for (`start-info`, with the multipart's
    `action` for SOAP 1.2): what the mock's checks of a plain SOAP request look at."""
    _, parameters = media_type(content_type)
    start_info = parameters.get("start-info", "text/xml")
    inner, inner_parameters = media_type(start_info)
    action = inner_parameters.get("action") or parameters.get("action")
    text = f"{inner}; charset=utf-8"
    return f'{text}; action="{action}"' if action else text


def receive(
    chunks: Iterable[bytes | memoryview],
    content_type: str,
    folder: Path,
    max_envelope_bytes: int,
    digests: bool = True,
) -> Received:
    """The envelope part and the spooled binary part (at most one) of an MTOM request, read as
    WCF's service reads it (`WCF_SERVICE_READER`); ProtocolError names a broken rule. With
    `digests`, the file's SHA-256 is computed as it arrives. A chunk may be a memoryview of a
    buffer that the iterator fills again for its next chunk: each is read whole (spooled, or
    copied into the envelope) before the next is asked for."""
    policy = WCF_SERVICE_READER
    check_message(content_type, policy)
    _, parameters = media_type(content_type)
    start, start_info = parameters.get("start"), parameters.get("start-info")
    reader = MultipartReader(content_type)
    envelope = bytearray()
    wanted: set[str] | None = None  # the content IDs the envelope points to, once it is read
    root: etree._Element | None = None  # the envelope part, parsed if it points to any
    into = "root"  # where the current part's data goes: root, spool or nowhere (skip)
    spool: BinaryIO | None = None
    attachment: Attachment | None = None
    size = 0
    digest = hashlib.sha256() if digests else None
    content_id: str | None = None
    name = ""
    parts = 0  # counted here: one chunk's events come after the reader has read it whole
    try:
        for chunk in chunks:
            events = (
                reader.feed_view(chunk) if isinstance(chunk, memoryview) else reader.feed(chunk)
            )
            for event in events:
                if isinstance(event, PartStart):
                    parts += 1
                    check_part_count(parts, policy)
                    if parts == 1:
                        # "With start, the root part is located by Content-ID (angle brackets
                        # added if missing)" [RS-MTOMR]. WCF would look for it further on; the
                        # mock streams, so the root must come first.
                        if start is not None and event.content_id != start.strip().strip("<>"):
                            raise ProtocolError(
                                f"MTOM: the first part is {event.content_id!r}, not the root "
                                f"part {start!r} that start names"
                            )
                        check_root_part(event, policy, start_info)
                        into = "root"
                    elif wanted and event.content_id in wanted:
                        check_binary_part(event, policy)
                        wanted.discard(event.content_id)
                        content_id = event.content_id
                        handle, name = tempfile.mkstemp(dir=folder, suffix=".upload")
                        spool = os.fdopen(handle, "wb", buffering=SPOOL_BUFFER)
                        into = "spool"
                    else:
                        # "Parts without Content-ID are skipped" [RS-MTOMR]; so is a part no
                        # xop:Include points to (read past, never kept).
                        into = "skip"
                elif isinstance(event, (PartData, PartView)):
                    if into == "root":
                        envelope += event.data
                        if len(envelope) > max_envelope_bytes:
                            raise ProtocolError("MTOM: the envelope part is too large")
                    elif into == "spool" and spool is not None:
                        spool.write(event.data)
                        if digest is not None:
                            digest.update(event.data)
                        size += len(event.data)
                elif isinstance(event, PartEnd):
                    if into == "root":
                        root, wanted = _referenced(bytes(envelope), max_envelope_bytes)
                    elif into == "spool" and spool is not None:
                        spool.close()
                        sha256 = digest.hexdigest() if digest is not None else None
                        attachment = Attachment(content_id, Path(name), size, sha256)
                    into = "skip"
        reader.close()
        if wanted:
            raise ProtocolError(f"MTOM: xop:Include points to no part ({sorted(wanted)[0]!r})")
    except BaseException:
        if spool is not None:
            spool.close()
            Path(name).unlink(missing_ok=True)
        raise
    return Received(bytes(envelope), root, attachment)


def _referenced(envelope: bytes, max_bytes: int) -> tuple[etree._Element | None, set[str]]:
    """The envelope part's tree, its `xop:Include` elements taken out, and the content IDs they
    pointed to; no tree (unparsed) when it has none."""
    if XOP_NS.encode() not in envelope:
        return None, set()
    try:
        root = parse_xml(envelope, max_bytes=max_bytes)
    except ProtocolError as exc:
        raise ProtocolError(f"MTOM: the root part is refused: {exc.message}") from None
    references = xop_references(root)
    if len(set(references)) < len(references):
        # "a part may be referenced only once" [RS-MTOMR]
        raise ProtocolError("MTOM: a part is referenced by more than one xop:Include")
    if len(references) > 1:  # the mock's own limit: a streamed operation carries one file
        raise ProtocolError("MTOM: more than one binary part referenced")
    return root, set(references)


def answer(
    envelope: bytes, version: SoapVersion, action: str, file: Path | None, content_id: str | None
) -> tuple[str, int, Iterator[bytes]]:
    """An MTOM answer: its content type, its length and its bytes, chunk by chunk."""
    message = MtomRequest(envelope, version, action, file, content_id)
    length = message.framing_length() + (file.stat().st_size if file is not None else 0)
    return message.content_type, length, iter(message)


def without_includes(
    envelope: bytes, attachment: Attachment | None, max_bytes: int
) -> etree._Element | None:
    """The envelope part's tree, its `xop:Include` taken out (None, unparsed, when it has none),
    as `receive` gives it, for a streamed request given to the mock without `receive`; parsed
    under the same limits (ProtocolError). ValueError unless it points to exactly the binary
    part that came (or to none, when none came)."""
    root, references = _referenced(envelope, max_bytes)
    expected = [attachment.content_id] if attachment is not None else []
    if sorted(references) != expected:  # one reference at most (`_referenced`)
        raise ValueError(
            f"xop:Include points to {sorted(references)}, the message carries {expected}"
        )
    return root
