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
import tempfile
from importlib.metadata import version
from pathlib import Path

import black
import isort

from generator.models.render import LINE_LENGTH

ISORT = isort.Config(
    profile="black", line_length=LINE_LENGTH, known_first_party=["altinn2"], combine_as_imports=True
)
MODE = black.Mode(line_length=LINE_LENGTH, target_versions={black.mode.TargetVersion.PY311})
# What the result depends on besides the source: a formatter upgrade formats everything anew.
SETTINGS = f"black {version('black')} isort {version('isort')} {LINE_LENGTH} py311 v1"


def format_source(source: str) -> str:
    """Imports sorted (isort, black profile), then black."""
    return black.format_str(isort.code(source, config=ISORT), mode=MODE)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FormatCache:
    """Formatted sources in `folder`, one file per unformatted source."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, source: str) -> str:
        return _digest(f"{SETTINGS}\0{source}")

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> str | None:
        try:
            stored = self.path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        check, _, text = stored.partition("\n")
        return text if check == _digest(text) else None

    def put(self, key: str, text: str) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
                file.write(f"{_digest(text)}\n{text}")
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def keep_only(self, keys: set[str]) -> None:
        """Remove every entry (and leftover temporary file) not in `keys`."""
        if not self.folder.is_dir():
            return
        for path in self.folder.glob("*/*"):
            if path.name not in keys:
                path.unlink(missing_ok=True)


def format_python(files: dict[str, str], cache: FormatCache | None = None) -> dict[str, str]:
    """isort and black every module: from `cache` where it has them, the rest in a process pool
    (both formatters are CPU-bound); the results go into `cache`."""
    keys = {path: cache.key(source) for path, source in files.items()} if cache else {}
    done: dict[str, str] = {}
    if cache is not None:
        for path, key in keys.items():
            text = cache.get(key)
            if text is not None:
                done[path] = text
    todo = sorted((path for path in files if path not in done), key=lambda p: -len(files[p]))
    workers = min(os.cpu_count() or 1, 4)
    if workers == 1 or len(todo) < 8:
        formatted = [format_source(files[path]) for path in todo]
    else:
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            formatted = list(pool.map(format_source, [files[path] for path in todo], chunksize=1))
    for path, text in zip(todo, formatted, strict=True):
        done[path] = text
        if cache is not None:
            cache.put(keys[path], text)
    if cache is not None:
        cache.keep_only(set(keys.values()))
    return {path: done[path] for path in files}
