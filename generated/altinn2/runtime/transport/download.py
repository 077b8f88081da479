"""A streamed answer: the typed result at once, the file's bytes as they arrive.

`Download` (sync) and `AsyncDownload` hold the open HTTP response of a streamed operation. Their
`output` is the operation's typed response wrapper, read from the envelope part; its streamed
`base64Binary` field is left empty (`b""`): the content is read through the object instead,
once, either as chunks (`iter_bytes()` / `aiter_bytes()`) or into a file (`save(path)` /
`asave(path)`). A file is written beside its destination under a temporary name, fsynced and
renamed over the destination only when every byte arrived (and matched `sha256=` if given); on
any failure or interruption (a dropped connection, a full disk, Ctrl-C) the temporary file is
removed and the destination left as it was. Use it as a context manager (or `close()` it): the
connection is held until then.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

from altinn2.runtime.errors import AltinnError, ProtocolError, TransportError
from altinn2.runtime.transport.mtom import (
    CLIENT_READER,
    WRITE_BUFFER,
    MultipartReader,
    PartData,
    PartEnd,
    PartStart,
    Progress,
    check_binary_part,
    check_root_part,
)

T = TypeVar("T")


class ChecksumMismatchError(ProtocolError):
    """The downloaded content does not have the SHA-256 digest the caller expected."""


class DownloadWriteError(AltinnError):
    """The content could not be written to the destination (disk full, permissions); nothing
    was left behind."""


@dataclass(frozen=True)
class SavedFile:
    """A completed download: where it is, how many bytes, their SHA-256 (hex; None unless
    asked for with `sha256=` or `digest=True`)."""

    path: Path
    size: int
    sha256: str | None


class MtomResponseReader:
    """Reads an MTOM answer as it arrives: first its envelope part (`envelope`, bounded by
    `max_envelope_bytes`), then the data of its one binary part, handed on by `feed`."""

    def __init__(self, content_type: str, max_envelope_bytes: int) -> None:
        self._parts = MultipartReader(content_type)
        self._limit = max_envelope_bytes
        self._root = bytearray()
        self._part = 0  # 1 while in the envelope part, 2 in the binary part, 3 after it
        self.envelope: bytes | None = None
        self.content_id: str | None = None
        # The content IDs the envelope's xop:Include elements point to (set once it is read).
        self.references: list[str] = []

    def feed(self, chunk: bytes) -> list[bytes]:
        """The binary data this chunk completes (the envelope part is kept aside)."""
        out: list[bytes] = []
        for event in self._parts.feed(chunk):
            if isinstance(event, PartStart):
                self._part += 1
                if self._part == 1:
                    check_root_part(event, CLIENT_READER)
                    start = self._parts.start
                    if start and event.content_id != start.strip("<>"):
                        raise ProtocolError("MTOM: the root part is not the first part")
                elif self._part == 2:
                    check_binary_part(event, CLIENT_READER)
                    self.content_id = event.content_id
                else:
                    raise ProtocolError("MTOM: more than one binary part in a streamed answer")
            elif isinstance(event, PartData):
                if self._part == 1:
                    self._root += event.data
                    if len(self._root) > self._limit:
                        raise ProtocolError(
                            f"MTOM: the envelope part exceeds {self._limit} bytes; refused"
                        )
                else:
                    out.append(event.data)
            elif isinstance(event, PartEnd) and self._part == 1:
                self.envelope = bytes(self._root)
                self._root.clear()
        return out

    @property
    def finished(self) -> bool:
        return self._parts.finished

    def close(self) -> None:
        """The message ended: its closing delimiter came, and the part the envelope points to."""
        self._parts.close()
        if self.references and self.content_id not in self.references:
            raise ProtocolError(
                f"MTOM: the envelope points to the part <{self.references[0]}>, "
                + ("which never came" if self.content_id is None else f"not <{self.content_id}>")
            )


class _Sink:
    """A temporary file beside `destination`, renamed over it by `commit`, removed by `discard`."""

    def __init__(
        self, destination: str | os.PathLike[str], expected_sha256: str | None, digest: bool
    ) -> None:
        self.destination = Path(destination)
        self.expected = expected_sha256.lower() if expected_sha256 else None
        import hashlib  # here: a service module imports this one for its types only
        import tempfile

        self.digest = hashlib.sha256() if digest or self.expected else None
        self.size = 0
        try:
            handle, name = tempfile.mkstemp(
                prefix=f".{self.destination.name}.", suffix=".part", dir=self.destination.parent
            )
        except OSError as exc:
            raise DownloadWriteError(f"cannot write beside {self.destination}: {exc}") from None
        self.temporary = Path(name)
        self.file = os.fdopen(handle, "wb", buffering=WRITE_BUFFER)

    def write(self, chunk: bytes) -> None:
        try:
            self.file.write(chunk)
        except OSError as exc:
            raise DownloadWriteError(
                f"writing {self.destination} failed after {self.size} bytes "
                f"({exc.strerror or exc}); nothing was saved"
            ) from None
        if self.digest is not None:
            self.digest.update(chunk)
        self.size += len(chunk)

    def commit(self) -> SavedFile:
        sha256 = self.digest.hexdigest() if self.digest is not None else None
        if self.expected is not None and sha256 != self.expected:
            raise ChecksumMismatchError(
                f"the content of {self.destination.name} has SHA-256 {sha256}, expected "
                f"{self.expected}; nothing was saved"
            )
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            os.replace(self.temporary, self.destination)
            _fsync_directory(self.destination.parent)
        except OSError as exc:
            raise DownloadWriteError(
                f"saving {self.destination} failed ({exc.strerror or exc}); nothing was saved"
            ) from None
        return SavedFile(self.destination, self.size, sha256)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(OSError):
            self.temporary.unlink()


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


class _DownloadBase(Generic[T]):
    def __init__(
        self,
        output: T,
        label: str,
        on_error: Callable[[Exception, int], Exception],
    ) -> None:
        self.output = output
        self.label = label
        self.received = 0
        self._on_error = on_error
        self._consumed = False

    def _begin(self) -> None:
        if self._consumed:
            raise RuntimeError(f"{self.label}: the content was already read (once only)")
        self._consumed = True

    def _counted(self, chunk: bytes, progress: Progress | None) -> bytes:
        self.received += len(chunk)
        if progress is not None:
            progress(self.received)
        return chunk

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label}, received={self.received})"


class Download(_DownloadBase[T]):
    """A streamed answer of the sync client (see the module's docstring)."""

    def __init__(
        self,
        output: T,
        label: str,
        chunks: Iterator[bytes],
        close: Callable[[], None],
        on_error: Callable[[Exception, int], Exception],
    ) -> None:
        super().__init__(output, label, on_error)
        self._chunks = chunks
        self._close = close

    def iter_bytes(self, progress: Progress | None = None) -> Generator[bytes, None, None]:
        """The content, chunk by chunk, as it arrives; `progress` hears the bytes so far."""
        self._begin()
        try:
            for chunk in self._chunks:
                if chunk:
                    yield self._counted(chunk, progress)
        except Exception as exc:
            raise self._on_error(exc, self.received) from None
        finally:
            self.close()

    def save(
        self,
        path: str | os.PathLike[str],
        *,
        progress: Progress | None = None,
        sha256: str | None = None,
        digest: bool = False,
    ) -> SavedFile:
        """Write the content to `path` atomically (see the module's docstring); `sha256`: the
        digest expected (a mismatch saves nothing); `digest`: compute it anyway."""
        sink = _Sink(path, sha256, digest)
        chunks = self.iter_bytes(progress)
        try:
            for chunk in chunks:
                sink.write(chunk)
            return sink.commit()
        except BaseException:
            sink.discard()
            raise
        finally:
            chunks.close()  # the connection too, whatever happened

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Download[T]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncDownload(_DownloadBase[T]):
    """A streamed answer of the async client (see the module's docstring)."""

    def __init__(
        self,
        output: T,
        label: str,
        chunks: AsyncIterator[bytes],
        close: Callable[[], Any],
        on_error: Callable[[Exception, int], Exception],
    ) -> None:
        super().__init__(output, label, on_error)
        self._chunks = chunks
        self._close = close

    async def aiter_bytes(self, progress: Progress | None = None) -> AsyncGenerator[bytes, None]:
        """The content, chunk by chunk, as it arrives; `progress` hears the bytes so far."""
        self._begin()
        try:
            async for chunk in self._chunks:
                if chunk:
                    yield self._counted(chunk, progress)
        except Exception as exc:
            raise self._on_error(exc, self.received) from None
        finally:
            await self.aclose()

    async def asave(
        self,
        path: str | os.PathLike[str],
        *,
        progress: Progress | None = None,
        sha256: str | None = None,
        digest: bool = False,
    ) -> SavedFile:
        """Write the content to `path` atomically (see the module's docstring); `sha256`: the
        digest expected (a mismatch saves nothing); `digest`: compute it anyway."""
        sink = _Sink(path, sha256, digest)
        chunks = self.aiter_bytes(progress)
        try:
            async for chunk in chunks:
                sink.write(chunk)
            return sink.commit()
        except BaseException:
            sink.discard()
            raise
        finally:
            await chunks.aclose()  # the connection too, whatever happened

    async def aclose(self) -> None:
        await self._close()

    async def __aenter__(self) -> AsyncDownload[T]:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def transfer_error(label: str, url: str) -> Callable[[Exception, int], Exception]:
    """How a failure while the content streams in is reported: what happened, after how much."""

    def convert(exc: Exception, received: int) -> Exception:
        if isinstance(exc, AltinnError):
            return exc
        what = type(exc).__name__
        return TransportError(
            f"{label}: the transfer from {url} failed after {received} bytes of content ({what}); "
            "nothing was saved",
            url=url,
            sent=True,
        )

    return convert
