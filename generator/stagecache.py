"""Stage results remembered by content: a regeneration redoes only the work whose input changed.

Some stages are pure functions of a text or bytes input and of the generator itself: xsdata's
parse of one merged schema document, the layout of one rendered module. Their results are kept
under the hash of the input, of the stage's name and of `FINGERPRINT` (every file of the
generator, the versions of the libraries it runs and Python's), in `.cache/stages/` of the workspace
(git-ignored, beside the formatting cache). An entry carries the hash of its own bytes and is
ignored when that does not match (a damaged entry is computed again, never trusted); a result
that cannot be read back is computed again too. Each run removes the entries it did not use.
Output is byte-identical with or without the cache.
"""

from __future__ import annotations

import hashlib
import pickle
import shutil
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar, cast

from generator.atomic import TEMPORARY_PREFIX, read_checked, write_checked

T = TypeVar("T")

LIBRARIES = ("xsdata", "lxml", "jinja2", "markupsafe", "black", "isort", "PyYAML")


def _native_libraries() -> str:
    """What a library's version does not say: the libxml2 lxml runs on, and which YAML loader
    (libyaml's or the pure Python one) reads the spec."""
    import yaml
    from lxml import etree

    loader = "CSafeLoader" if hasattr(yaml, "CSafeLoader") else "SafeLoader"
    return f"libxml2 {etree.LIBXML_VERSION} yaml {loader}"


def fingerprint(package: Path | None = None) -> str:
    """The generator's own files (of `package`, by default this one), its libraries' versions
    and Python's: any change there is a new key."""
    digest = hashlib.sha256(f"{sys.implementation.name} {sys.version}\0".encode())
    for name in LIBRARIES:
        digest.update(f"{name} {version(name)}\0".encode())
    digest.update(f"{_native_libraries()}\0".encode())
    package = package or Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


FINGERPRINT = fingerprint()


# A temporary file (`.tmp-*`) younger than this may be another run's, still being written.
TEMPORARY_LIFETIME = 60.0


def is_kept(path: Path) -> bool:
    """Whether a clean-up leaves `path`: a temporary file that may still be in use."""
    if not path.name.startswith(TEMPORARY_PREFIX):
        return False
    try:
        return time.time() - path.stat().st_mtime < TEMPORARY_LIFETIME
    except FileNotFoundError:
        return True  # gone already


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class StageCache:
    """Pickled stage results in `folder`, one file per (stage, input)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def key(self, stage: str, data: bytes) -> str:
        return _digest(f"{FINGERPRINT}\0{stage}\0".encode() + data)

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> bytes | None:
        return read_checked(self.path(key))

    def put(self, key: str, data: bytes) -> None:
        write_checked(self.path(key), data)

    def remembered(self, stage: str, data: bytes, compute: Callable[[], T]) -> T:
        """`compute()`, or its result stored under (`stage`, `data`) by an earlier run."""
        key, stored = self.recall(stage, data)
        if stored is not None:
            return cast(T, stored)  # pickled from this stage's `compute`
        result = compute()
        self.keep(key, result)
        return result

    def recall(self, stage: str, data: bytes) -> tuple[str, object | None]:
        """The key of (`stage`, `data`) and the result stored under it (None when there is none
        or it cannot be read back): for a stage that computes its misses together (`keep`)."""
        key = self.key(stage, data)
        self.used.add(key)
        stored = self.get(key)
        if stored is not None:
            try:
                result: object = pickle.loads(stored)
                return key, result
            except Exception:  # an entry of another layout: computed again
                pass
        return key, None

    def keep(self, key: str, result: object) -> None:
        """Store `result` under `key` (from `recall`)."""
        self.put(key, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))

    @property
    def compiled_templates(self) -> Path:
        """Jinja's bytecode cache, one folder per generator (its settings are the generator's
        code; Jinja keys each template by its source and checks its own and Python's version)."""
        return self.folder / f"templates-{FINGERPRINT[:16]}"

    def keep_only_used(self) -> None:
        """Remove every entry this run did not use, the compiled templates of other generators
        and a killed run's temporary files (here and beside the last output's record)."""
        if not self.folder.is_dir():
            return
        for path in [*self.folder.glob("??/*"), *self.folder.glob(".tmp-*")]:
            if path.name not in self.used and not is_kept(path):
                path.unlink(missing_ok=True)
        for folder in self.folder.glob("templates-*"):
            if folder != self.compiled_templates:
                shutil.rmtree(folder, ignore_errors=True)


class NoCache(StageCache):
    """Computes every time (tests, and callers without a workspace)."""

    def __init__(self) -> None:
        super().__init__(Path())

    def remembered(self, stage: str, data: bytes, compute: Callable[[], T]) -> T:
        return compute()

    def recall(self, stage: str, data: bytes) -> tuple[str, object | None]:
        return "", None

    def keep(self, key: str, result: object) -> None:
        pass

    @property
    def compiled_templates(self) -> None:  # type: ignore[override]
        return None

    def keep_only_used(self) -> None:
        pass
