"""One `generate` at a time in a workspace: a lock on `.cache/generate.lock` held for the whole
run (`check` holds it shared, so that it never reads a tree being swapped). Another run waits
for it; the lock goes with the process, so a killed run never leaves it taken."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _acquire(handle: int, shared: bool) -> None:
    """Wait until `handle`'s lock is taken (shared or exclusive)."""
    if sys.platform == "win32":  # msvcrt's byte-range lock: exclusive only
        import msvcrt

        while True:
            try:
                msvcrt.locking(handle, msvcrt.LK_LOCK, 1)  # tries for 10 s, then raises
                return
            except OSError:
                continue
    else:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)


def _release(handle: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def workspace_lock(path: Path, shared: bool = False) -> Iterator[None]:
    """Hold the lock file `path` (made when missing) for the body of the `with`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(handle, shared)
        try:
            yield
        finally:
            _release(handle)
    finally:
        os.close(handle)
