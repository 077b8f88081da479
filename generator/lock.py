"""`spec/wsdl.lock`: sha256, size, location and origin of every file in the WSDL cache.

The lock is committed; the cache (`spec/wsdl/`) is not. A changed WSDL shows up as a changed lock
line in review, and `fetch --locked` refuses content the lock does not know.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.errors import LockMismatchError, UserError

LOCK_VERSION = 1

HEADER = """\
# Every WSDL/XSD file in spec/wsdl/ (not committed) with its sha256, size, the location WSDLs
# refer to it by, and where it was fetched from. Written by `altinn-codegen fetch`; do not edit.
# `altinn-codegen fetch --locked` fails when fetched content differs from this lock.
"""

# libyaml's parser where it is installed (the same documents, many times faster to read).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class LockedFile:
    path: str  # relative to the cache folder, '/'-separated
    location: str  # the URL documents use for it (imports are resolved against these)
    origin: str  # where the bytes came from: a URL, or `mirror:<path in the mirror>`
    size: int
    sha256: str


@dataclass(frozen=True)
class Lock:
    endpoints: dict[str, str | None]  # endpoint path -> root WSDL file, None when unavailable
    files: dict[str, LockedFile]  # by path

    def by_location(self) -> dict[str, LockedFile]:
        return {entry.location: entry for entry in self.files.values()}

    def render(self) -> str:
        document = {
            "version": LOCK_VERSION,
            "endpoints": dict(sorted(self.endpoints.items())),
            "files": [
                {
                    "path": entry.path,
                    "location": entry.location,
                    "origin": entry.origin,
                    "size": entry.size,
                    "sha256": entry.sha256,
                }
                for entry in sorted(self.files.values(), key=lambda item: item.path)
            ],
        }
        body = yaml.safe_dump(document, sort_keys=False, width=1000, allow_unicode=True)
        return HEADER + body

    def differences(self, other: Lock) -> list[str]:
        """What changed from `self` (the lock) to `other` (what was fetched), one line each."""
        problems = []
        for path in sorted(self.files.keys() | other.files.keys()):
            old, new = self.files.get(path), other.files.get(path)
            if old is None:
                problems.append(f"{path}: new file, not in the lock")
            elif new is None:
                problems.append(f"{path}: in the lock, not fetched")
            elif old.sha256 != new.sha256 or old.size != new.size:
                problems.append(
                    f"{path}: content differs (lock sha256 {old.sha256[:12]}… {old.size} B, "
                    f"fetched {new.sha256[:12]}… {new.size} B)"
                )
        for endpoint in sorted(self.endpoints.keys() | other.endpoints.keys()):
            old_root, new_root = self.endpoints.get(endpoint), other.endpoints.get(endpoint)
            if old_root != new_root:
                problems.append(
                    f"{endpoint}: WSDL {old_root or 'unavailable'} -> {new_root or 'unavailable'}"
                )
        return problems


def read_lock(path: Path) -> Lock:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no lock yet; run `altinn-codegen fetch` first") from None
    try:
        document = yaml.load(text, Loader=LOADER)
        if document.get("version") != LOCK_VERSION:
            raise ValueError(f"unsupported version {document.get('version')!r}")
        endpoints = {
            str(k): (str(v) if v is not None else None) for k, v in document["endpoints"].items()
        }
        files = {}
        for item in document["files"]:
            entry = LockedFile(
                path=str(item["path"]),
                location=str(item["location"]),
                origin=str(item["origin"]),
                size=int(item["size"]),
                sha256=str(item["sha256"]),
            )
            files[entry.path] = entry
    except (yaml.YAMLError, AttributeError, KeyError, TypeError, ValueError) as exc:
        reason = str(exc)
        if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
            reason = f"line {exc.problem_mark.line + 1}: {exc.problem}"  # one line, not YAML's 4
        raise UserError(
            f"{path}: not a valid lock file ({reason}); run `altinn-codegen fetch`"
        ) from None
    return Lock(endpoints, files)


def verify_cache(lock: Lock, cache_dir: Path, lock_path: Path) -> None:
    """Fail, naming each file, when the cache does not hold exactly what the lock says."""
    problems = []
    for entry in sorted(lock.files.values(), key=lambda item: item.path):
        file = cache_dir / entry.path
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            problems.append(f"{entry.path}: missing from {cache_dir}")
            continue
        if len(data) != entry.size or sha256(data) != entry.sha256:
            problems.append(f"{entry.path}: differs from the lock")
    if problems:
        raise LockMismatchError(
            lock_path,
            problems,
            "the WSDL cache does not match the lock: run `altinn-codegen fetch --locked` "
            "(with --from <mirror> or --env <env>) to restore it",
        )
