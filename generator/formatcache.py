"""isort and black, remembered by content: a regeneration formats only the modules that changed.

Formatting is a pure function of the unformatted source and the formatters' versions and
settings, so its result is kept under the hash of those (`.cache/format/` in the workspace,
git-ignored). An entry carries the hash of its own text and is ignored when that does not match
(a damaged file is formatted again, never trusted), and each run removes the entries it did not
use, which keeps the folder at one generation's size. Output is byte-identical with or without
the cache.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
from importlib.metadata import version
from pathlib import Path

import black
import isort

from generator.atomic import read_checked, write_checked
from generator.models.render import LINE_LENGTH
from generator.stagecache import FINGERPRINT, is_kept

ISORT = isort.Config(
    profile="black", line_length=LINE_LENGTH, known_first_party=["altinn2"], combine_as_imports=True
)
MODE = black.Mode(line_length=LINE_LENGTH, target_versions={black.mode.TargetVersion.PY311})
# What the result depends on besides the source: a formatter upgrade formats everything anew.
SETTINGS = f"black {version('black')} isort {version('isort')} {LINE_LENGTH} py311 v1"


def sort_imports(source: str) -> str:
    """Imports sorted (isort, black profile)."""
    return isort.code(source, config=ISORT)


def format_source(source: str) -> str:
    """Imports sorted (isort, black profile), then black."""
    return black.format_str(sort_imports(source), mode=MODE)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FormatCache:
    """Formatted sources in `folder`, one file per unformatted source."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, source: str) -> str:
        return _digest(f"{FINGERPRINT}\0{SETTINGS}\0{source}")

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> str | None:
        data = read_checked(self.path(key))
        try:
            return None if data is None else data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def put(self, key: str, text: str) -> None:
        write_checked(self.path(key), text.encode("utf-8"))

    def keep_only(self, keys: set[str]) -> None:
        """Remove every entry (and a killed run's temporary file) not in `keys`."""
        if not self.folder.is_dir():
            return
        for path in self.folder.glob("*/*"):
            if path.name not in keys and not is_kept(path):
                path.unlink(missing_ok=True)


class Formatting:
    """isort and black over modules handed in as they are ready (`submit`), so that the worker
    processes format some while the caller renders the others; `result` waits for all of them.
    From `cache` where it has them, the rest in a process pool (both formatters are CPU-bound)
    once there are 8 to do, else in this process; the results go into `cache`, and the entries
    no module used are removed from it.

    Modules the generator lays out as black writes them (`submit_laid_out`) get their imports
    sorted and are taken as they are; with `verify`, black formats them too, and `unstable`
    names those it changed (a layout rule that is not black's)."""

    def __init__(self, cache: FormatCache | None = None, verify: bool = False) -> None:
        self.cache = cache
        self.verify = verify
        self.laid_out: dict[str, str] = {}  # path -> the module as laid out, imports sorted
        self.sources: dict[str, str] = {}
        self.keys: dict[str, str] = {}
        self.sorted_keys: set[str] = set()  # entries of laid-out modules' sorted imports
        self.done: dict[str, str] = {}
        self.waiting: list[str] = []  # not yet handed to a worker
        self.futures: dict[str, concurrent.futures.Future[str]] = {}
        self.workers = min(os.cpu_count() or 1, 4)
        self.pool: concurrent.futures.ProcessPoolExecutor | None = None

    def __enter__(self) -> Formatting:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def submit(self, files: dict[str, str]) -> None:
        for path, source in files.items():
            self.sources[path] = source
            if self.cache is not None:
                self.keys[path] = key = self.cache.key(source)
                text = self.cache.get(key)
                if text is not None:
                    self.done[path] = text
                    continue
            self.waiting.append(path)
        if self.pool is None and self.workers > 1 and len(self.waiting) >= 8:
            self.pool = concurrent.futures.ProcessPoolExecutor(max_workers=self.workers)
        if self.pool is not None:
            for path in sorted(self.waiting, key=lambda p: -len(self.sources[p])):
                self.futures[path] = self.pool.submit(format_source, self.sources[path])
            self.waiting.clear()

    def submit_laid_out(self, files: dict[str, str]) -> None:
        """Modules black would leave as they are once their imports are sorted."""
        for path, source in files.items():
            self.laid_out[path] = text = self._sorted(source)
            if self.verify:
                self.submit({path: source})
                continue
            self.sources[path] = source
            self.done[path] = text
            if self.cache is not None:  # a verifying run's entry stays
                self.keys[path] = self.cache.key(source)

    def _sorted(self, source: str) -> str:
        """`sort_imports(source)`, from `cache` where it has it."""
        if self.cache is None:
            return sort_imports(source)
        key = self.cache.key(f"imports sorted\0{source}")
        self.sorted_keys.add(key)
        text = self.cache.get(key)
        if text is None:
            text = sort_imports(source)
            self.cache.put(key, text)
        return text

    def unstable(self) -> list[str]:
        """The laid-out modules black formatted differently (after `result`; with `verify`)."""
        return sorted(path for path, text in self.laid_out.items() if self.done[path] != text)

    def result(self) -> dict[str, str]:
        formatted = {path: format_source(self.sources[path]) for path in self.waiting}
        formatted |= {path: future.result() for path, future in self.futures.items()}
        for path, text in sorted(formatted.items()):
            self.done[path] = text
            if self.cache is not None:
                self.cache.put(self.keys[path], text)
        if self.cache is not None:
            self.cache.keep_only(set(self.keys.values()) | self.sorted_keys)
        return {path: self.done[path] for path in self.sources}


def format_python(files: dict[str, str], cache: FormatCache | None = None) -> dict[str, str]:
    """isort and black every module (see `Formatting`)."""
    with Formatting(cache) as formatting:
        formatting.submit(files)
        return formatting.result()
