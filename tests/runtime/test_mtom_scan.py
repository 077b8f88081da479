"""The delimiter search two ways (libc `memmem` through ctypes, and `bytes.find`) and the reader
fed two ways (`feed` with bytes, `feed_view` with views of one reused buffer): every way finds
the same delimiters and reads the same parts, on crafted messages cut at every offset and on
random messages cut at random (delimiter fragments, CRs and boundary-like data in the parts)."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator

import pytest

from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.transport import scan
from altinn2.runtime.transport.mtom import (
    MultipartReader,
    PartData,
    PartEnd,
    PartStart,
    PartView,
)

Parts = list[tuple[str | None, bytes]]
# how the reader is fed, and which search it uses
WAYS = ["bytes-find", "bytes-memmem", "view-find", "view-memmem"]


@pytest.fixture(params=WAYS)
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    name: str = request.param
    if name.endswith("memmem"):
        assert scan.memmem_finder() is not None or not sys.platform.startswith("linux")
        monkeypatch.setattr(scan, "FOREIGN_FROM", 0)  # memmem for every chunk, however short
    else:
        monkeypatch.setattr(scan, "memmem_finder", lambda: None)
    return name


def test_memmem_is_there_on_linux() -> None:
    # glibc and musl have it; without it the search falls back to bytes.find (tested below)
    if sys.platform.startswith("linux"):
        assert scan.memmem_finder() is not None


def haystacks(needle: bytes, rng: random.Random) -> Iterator[bytes]:
    """Data with the needle at every kind of place, its prefixes and near-misses."""
    yield b""
    yield needle
    yield needle[:-1]
    yield b"x" + needle[1:]
    for _ in range(200):
        size = rng.choice([1, 7, len(needle), 100, 5000])
        data = bytearray(rng.randbytes(size))
        for _ in range(rng.randrange(4)):  # fragments: prefixes, suffixes, one byte changed
            piece = bytearray(needle[: rng.randrange(1, len(needle) + 1)])
            if piece and rng.random() < 0.3:
                piece[rng.randrange(len(piece))] ^= 1
            at = rng.randrange(len(data) + 1)
            data[at:at] = piece
        if rng.random() < 0.5:
            at = rng.randrange(len(data) + 1)
            data[at:at] = needle
        yield bytes(data)


@pytest.mark.parametrize("needle", [b"\r\n--b", b"\r\n--" + b"q" * 12, b"\r\n--uuid:" + b"7" * 41])
def test_memmem_finds_what_bytes_find_finds(needle: bytes) -> None:
    finder = scan.memmem_finder()
    finders: list[Callable[[scan.Chunk, bytes], int]] = [scan.python_find, scan.find]
    if finder is not None:
        finders.append(finder)
    rng = random.Random(len(needle))
    for data in haystacks(needle, rng):
        expected = data.find(needle)
        # a view into the middle of a larger buffer: the index is the view's own
        padded = bytearray(b"\r\n--" + data + needle)
        spread = bytearray(len(data) * 2)
        spread[::2] = data
        views = [
            memoryview(padded)[4 : 4 + len(data)],  # writable
            memoryview(data),  # read-only
            memoryview(spread)[::2],  # not contiguous
        ]
        for find in finders:
            assert find(data, needle) == expected, (find, data)
            for view in views:
                assert find(view, needle) == expected, (find, view.readonly, data)


def message(boundary: str, parts: Parts, epilogue: bytes = b"") -> bytes:
    out = b""
    for content_id, data in parts:
        head = f"Content-ID: <{content_id}>\r\n" if content_id else "X-Part: 1\r\n"
        out += f"\r\n--{boundary}\r\n{head}\r\n".encode() + data
    return out + f"\r\n--{boundary}--\r\n".encode() + epilogue


def feed_all(content_type: str, pieces: list[bytes], way: str) -> Parts:
    """The parts the reader reads from `pieces`, fed as `way` says. A view's buffer is reused
    for every piece and overwritten once its events are taken: data taken from a view after
    that, or held by the reader, would show as garbage (or as the buffer still being lent)."""
    reader, read = MultipartReader(content_type), []

    def take(events: list[object]) -> None:
        for event in events:
            if isinstance(event, PartStart):
                read.append((event.content_id, b""))
            elif isinstance(event, (PartData, PartView)):
                assert isinstance(event.data, memoryview if isinstance(event, PartView) else bytes)
                read[-1] = (read[-1][0], read[-1][1] + bytes(event.data))
            else:
                assert isinstance(event, PartEnd)

    buffer = bytearray(max([len(piece) for piece in pieces] + [1]))
    for piece in pieces:
        if not way.startswith("view"):
            take(list(reader.feed(piece)))
            continue
        buffer[: len(piece)] = piece
        lent = memoryview(buffer)
        take(list(reader.feed_view(lent[: len(piece)])))
        lent.release()
        buffer.append(0)  # BufferError if anything still held a view of it
        del buffer[-1]
        buffer[:] = b"\xaa" * len(buffer)
    reader.close()
    return read


def content_type(boundary: str) -> str:
    return f'multipart/related; type="application/xop+xml"; boundary="{boundary}"'


def test_every_way_reads_the_parts_cut_at_every_offset(way: str) -> None:
    boundary = "uuid:0a3f6a3e+id=1"
    delimiter = f"\r\n--{boundary}".encode()
    # a part of near-delimiters, CRs and the delimiter's prefixes, then a large one
    tricky = b"\r" + delimiter[:-1] + b"\r\r\n-" + delimiter[:5] + b"\r\n--" + delimiter + b"X"
    tricky = tricky.replace(delimiter + b"X", delimiter[:-1] + b"X")  # no real delimiter
    assert delimiter not in tricky
    parts: Parts = [("root", b"<e/>"), ("file", tricky * 3 + b"y" * 5000 + tricky)]
    whole = message(boundary, parts)
    for cut in range(len(whole) + 1):
        assert feed_all(content_type(boundary), [whole[:cut], whole[cut:]], way) == parts, cut
    for size in (1, 2, 3, len(delimiter) - 1, len(delimiter), len(delimiter) + 1, 4096):
        pieces = [whole[i : i + size] for i in range(0, len(whole), size)]
        assert feed_all(content_type(boundary), pieces, way) == parts, size


def random_message(rng: random.Random) -> tuple[str, Parts, bytes]:
    boundary = "".join(rng.choice("ab-:+=0") for _ in range(rng.randrange(1, 71)))
    delimiter = f"\r\n--{boundary}".encode()
    parts: Parts = []
    for index in range(rng.randrange(1, 4)):
        data = bytearray()
        for _ in range(rng.randrange(6)):
            kind = rng.randrange(4)
            if kind == 0:
                data += rng.randbytes(rng.choice([1, 10, 300, 9000]))
            elif kind == 1:  # a delimiter prefix
                data += delimiter[: rng.randrange(1, len(delimiter))]
            elif kind == 2:  # the delimiter with its last byte changed
                data += delimiter[:-1] + bytes([delimiter[-1] ^ 0x40])
            else:
                data += rng.choice([b"\r", b"\r\n", b"\r\n-", b"\r\n--", b"--"])
        while delimiter in data:  # no real delimiter inside a part
            data = data.replace(delimiter, delimiter[:-1])
        parts.append((f"p{index}", bytes(data)))
    epilogue = rng.choice([b"", b"epilogue\r\n--" + boundary.encode()])
    return boundary, parts, message(boundary, parts, epilogue)


def random_pieces(data: bytes, rng: random.Random) -> list[bytes]:
    pieces, at = [], 0
    while at < len(data):
        size = rng.choice([1, 2, 5, 17, 50, 51, 300, 4096, 5000, 70000])
        pieces.append(data[at : at + size])
        at += size
    return pieces


def test_every_way_reads_random_messages_cut_at_random(way: str) -> None:
    rng = random.Random(20261129)
    for _ in range(300):
        boundary, parts, whole = random_message(rng)
        assert feed_all(content_type(boundary), [whole], way) == parts
        assert feed_all(content_type(boundary), random_pieces(whole, rng), way) == parts


def test_every_way_refuses_a_message_without_its_closing_delimiter(way: str) -> None:
    rng = random.Random(7)
    for _ in range(100):
        boundary, _, whole = random_message(rng)
        cut = whole.rindex(f"\r\n--{boundary}--".encode()) + rng.randrange(len(boundary) + 6)
        with pytest.raises(ProtocolError, match="ended early"):
            feed_all(content_type(boundary), random_pieces(whole[:cut], rng), way)


def test_feed_hands_bytes_and_feed_view_views_of_the_chunk() -> None:
    boundary = "bd"
    head = message(boundary, [("a", b"")])[: -len(f"\r\n--{boundary}--\r\n")]
    for feed_view in (False, True):
        reader = MultipartReader(content_type(boundary))
        reader.feed(head)
        chunk = bytearray(b"z" * 10_000)
        events = reader.feed_view(memoryview(chunk)) if feed_view else reader.feed(bytes(chunk))
        (event,) = events
        if feed_view:
            assert isinstance(event, PartView) and event.data.obj is chunk  # not a copy
        else:
            assert isinstance(event, PartData) and isinstance(event.data, bytes)


@pytest.mark.parametrize("size", [100, 300 * 1024])  # below and above FOREIGN_FROM
def test_feed_reads_a_bytearray_as_bytes(size: int) -> None:
    boundary = "bd"
    closing = f"\r\n--{boundary}--\r\n".encode()
    head = message(boundary, [("a", b"")])[: -len(closing)]
    reader = MultipartReader(content_type(boundary))
    events = [*reader.feed(head), *reader.feed(bytearray(b"x" * size)), *reader.feed(closing)]
    reader.close()
    data = b"".join(event.data for event in events if isinstance(event, PartData))
    assert data == b"x" * size
    assert not any(isinstance(event, PartView) for event in events)
