"""Writes that are all or nothing: a file replaced in one step, a folder swapped in whole."""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` in one step: a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; this is an ordinary project file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# The clean-ups of the caches know a file still being written by this prefix (`stagecache.is_kept`).
TEMPORARY_PREFIX = ".tmp-"


def write_checked(path: Path, data: bytes, header: bytes = b"") -> None:
    """Replace `path` in one step with `header`, the SHA-256 of `data` on a line, and `data`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=TEMPORARY_PREFIX)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(header + hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_checked(path: Path, header: bytes = b"") -> bytes | None:
    """The `data` that `write_checked` stored in `path` under `header`; None when the file is
    missing, begins with another header (the rest is not read) or is damaged."""
    try:
        with path.open("rb") as file:
            if file.read(len(header)) != header:
                return None
            check = file.readline().rstrip(b"\n")
            data = file.read()
    except OSError:
        return None
    return data if check == hashlib.sha256(data).hexdigest().encode() else None


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _load_renameat2() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function: Callable[..., int] = libc.renameat2
    except (OSError, AttributeError):
        return None
    return function


_RENAMEAT2 = _load_renameat2() if sys.platform.startswith("linux") else None


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one step (Linux `renameat2(RENAME_EXCHANGE)`). False when the
    system or file system cannot, so that the caller falls back to two renames."""
    if _RENAMEAT2 is None:
        return False
    result = _RENAMEAT2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(first), None, str(second))


def recover(target: Path) -> None:
    """Finish what a killed swap of `target` left: put the old tree back if `target` is gone
    (only the two-rename fallback can leave that), then remove every staging and old folder."""
    parent = target.parent
    if not parent.is_dir():
        return
    olds = sorted(parent.glob(f".{target.name}-old-*"))
    if not target.exists():
        for old in olds:
            if (old / target.name).is_dir():
                (old / target.name).rename(target)
                break
    for leftover in [*olds, *parent.glob(f".{target.name}-new-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def replaced_tree(target: Path, files: Mapping[str, bytes]) -> Iterator[None]:
    """Make `target` hold exactly `files` (relative path -> content), swapped in whole.

    The files are written into a new folder beside `target`, which then takes its place in one
    step (an exchange of the two folders), so that a kill at any point leaves the old tree or
    the new one complete, never none; the next run removes what a kill left beside it. The body
    of the `with` runs once the new tree is in place: if it fails (or the writing does), the old
    tree is put back and nothing half-written stays behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-new-"))
    staging.chmod(0o755)  # mkdtemp makes it private; this is an ordinary project folder
    old: Path | None = None
    swapped = False
    try:
        for name, data in files.items():
            file = staging / name
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(data)
        if target.exists() and exchange(staging, target):
            swapped = True  # `staging` now holds the old tree
        else:
            if target.exists():
                old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-old-"))
                target.rename(old / target.name)
            staging.rename(target)
        yield
    except BaseException:
        if swapped:
            exchange(staging, target)  # the old tree back in place
        else:
            if not staging.exists() and target.exists():
                target.rename(staging)  # the new tree was already in place: take it out again
            if old is not None and (old / target.name).exists():
                (old / target.name).rename(target)
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise
    if swapped:
        shutil.rmtree(staging, ignore_errors=True)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
