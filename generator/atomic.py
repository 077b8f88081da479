"""Writes that are all or nothing: a file replaced in one step, a folder swapped in whole."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
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


@contextmanager
def replaced_tree(target: Path, files: Mapping[str, bytes]) -> Iterator[None]:
    """Make `target` hold exactly `files` (relative path -> content), swapped in whole.

    The files are written into a new folder beside `target`, which then takes its place. The
    body of the `with` runs once the new tree is in place: if it fails (or the writing does),
    the old tree is put back and nothing half-written stays behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-new-"))
    staging.chmod(0o755)  # mkdtemp makes it private; this is an ordinary project folder
    old: Path | None = None
    try:
        for name, data in files.items():
            file = staging / name
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(data)
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-old-"))
            target.rename(old / target.name)
        staging.rename(target)
        yield
    except BaseException:
        if not staging.exists() and target.exists():
            target.rename(staging)  # the new tree was already in place: take it out again
        if old is not None and (old / target.name).exists():
            (old / target.name).rename(target)
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
