"""`altinn-codegen fetch`: fill the WSDL cache from Altinn or from a mirror folder, and lock it.

Each endpoint's WSDL is fetched with everything it imports (`wsdl:import`, `xs:import`,
`xs:include`). Everything lands in a temporary folder first; only a complete fetch replaces the
cache and the lock, so an interrupted or failed fetch leaves both as they were.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from generator.atomic import replaced_tree, write_atomic
from generator.errors import FetchError, LockMismatchError, WsdlError
from generator.lock import Lock, LockedFile, read_lock, sha256
from generator.project import Project
from generator.wsdl.namespaces import WSDL, XSD, q
from generator.wsdl.xml import parse_bytes

CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
USER_AGENT = "altinn-codegen/0.1 (+WSDL fetch)"
DOCUMENT_ROOTS = frozenset({q(WSDL, "definitions"), q(XSD, "schema")})
_SAFE_SEGMENT = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Fetched:
    data: bytes
    location: str  # the URL documents use for this document
    origin: str  # where the bytes came from


class Unavailable(Exception):
    """The source has no WSDL for this endpoint (reported, not fatal)."""


class Source(Protocol):
    def root(self, endpoint_path: str) -> Fetched:
        """The endpoint's WSDL; raises `Unavailable` when the source has none."""

    def imported(self, location: str, referrer: Fetched) -> Fetched:
        """A document another document imports; raises `FetchError` when it cannot be had."""


# What `fetch --locked` says when the WSDLs changed: how to accept the change.
ACCEPT_HINT = (
    "to accept the change: run the same fetch without --locked, then `altinn-codegen generate`, "
    "review the diff (`git add -N generated/ spec/ && git diff --stat`, `altinn-codegen api-diff`) "
    "and commit spec/wsdl.lock, spec/models.lock and generated/ together"
)


# -- mirror folders -------------------------------------------------------------------------


def read_catalog(path: Path) -> tuple[dict[str, Path], list[tuple[str, str]]]:
    """An OASIS XML catalog: exact `uri`/`system` entries, `rewriteURI`/`rewriteSystem` prefixes."""
    tree = parse_bytes(path.read_bytes(), str(path))
    exact: dict[str, Path] = {}
    rewrites: list[tuple[str, str]] = []
    for element in tree.getroot().iter(q(CATALOG_NS, "uri"), q(CATALOG_NS, "system")):
        name = element.get("name") or element.get("systemId")
        target = element.get("uri")
        if name and target:
            exact[name] = path.parent / target
    for element in tree.getroot().iter(q(CATALOG_NS, "rewriteURI"), q(CATALOG_NS, "rewriteSystem")):
        prefix = element.get("uriStartString") or element.get("systemIdStartString")
        target = element.get("rewritePrefix")
        if prefix and target:
            # The rest of the URI is appended to the prefix as text: keep the prefix's final '/'.
            slash = "/" if target.endswith("/") else ""
            rewrites.append((prefix, str(path.parent / target) + slash))
    rewrites.sort(key=lambda item: -len(item[0]))  # longest prefix wins
    return exact, rewrites


class MirrorSource:
    """A folder of WSDLs named after their endpoints (`<Stem>.wsdl` for `.../<Stem>.svc`)."""

    SKIP_DIRS = frozenset({"alternates", "payload"})
    PART_FILE = re.compile(r"\.(wsdl\d+\.wsdl|xsd\d+\.xsd)$")

    def __init__(self, folder: Path, base_url: str) -> None:
        if not folder.is_dir():
            raise FetchError(f"{folder}: mirror folder does not exist")
        self.folder = folder
        self.base_url = base_url
        self.roots: dict[str, Path] = {}
        for path in sorted(folder.rglob("*.wsdl")):
            relative = path.relative_to(folder)
            if self.SKIP_DIRS & set(relative.parts[:-1]) or self.PART_FILE.search(path.name):
                continue
            if path.stem in self.roots:
                raise FetchError(
                    f"{folder}: two WSDLs for endpoint {path.stem}: "
                    f"{self.roots[path.stem].relative_to(folder)} and {relative}"
                )
            self.roots[path.stem] = path
        catalog = folder / "catalog.xml"
        self.exact, self.rewrites = read_catalog(catalog) if catalog.is_file() else ({}, [])
        self.files: dict[str, Path] = {}  # location -> mirror file, for relative imports

    def _read(self, path: Path, location: str) -> Fetched:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FetchError(f"{path}: cannot read: {exc.strerror}") from None
        try:
            relative = path.resolve().relative_to(self.folder.resolve())
        except ValueError:
            raise FetchError(f"{location}: maps to {path}, outside the mirror folder") from None
        self.files[location] = path
        return Fetched(data, location, "mirror:" + relative.as_posix())

    def _beside(self, location: str, referrer: Fetched) -> Path | None:
        """A relative import, resolved against the importing file's place in the mirror."""
        target, base = urlsplit(location), urlsplit(referrer.location)
        referrer_file = self.files.get(referrer.location)
        if (
            referrer_file is None
            or target.query
            or (target.scheme, target.netloc)
            != (
                base.scheme,
                base.netloc,
            )
        ):
            return None
        relative = posixpath.relpath(target.path, posixpath.dirname(base.path))
        candidate = referrer_file.parent / relative
        return candidate if candidate.is_file() else None

    def root(self, endpoint_path: str) -> Fetched:
        stem = Path(urlsplit(endpoint_path).path).stem
        path = self.roots.get(stem)
        if path is None:
            raise Unavailable(f"no {stem}.wsdl in the mirror")
        return self._read(path, f"{self.base_url}{endpoint_path}?wsdl")

    def imported(self, location: str, referrer: Fetched) -> Fetched:
        path = self.exact.get(location)
        if path is None:
            for prefix, target in self.rewrites:
                if location.startswith(prefix):
                    path = Path(target + location[len(prefix) :])
                    break
        if path is None:
            path = self._beside(location, referrer)
        if path is None or not path.is_file():
            raise FetchError(
                f"{location}: imported by {referrer.origin}, but the mirror has no copy "
                "(map it in the mirror's catalog.xml)"
            )
        return self._read(path, location)


# -- Altinn over HTTP ------------------------------------------------------------------------


class HttpSource:
    """An Altinn environment: `<endpoint>?singleWsdl`, falling back to `?wsdl` and its imports.

    WCF advertises its imports with whatever host name the server believes it has (often an
    internal one, and `http://`). Imports are therefore fetched from the environment's base URL
    with the advertised path and query, and recorded under the advertised location.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        attempts: int = 3,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )

    def close(self) -> None:
        self.client.close()

    def _get(self, url: str) -> httpx.Response:
        last = ""
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.client.get(url)
            except httpx.TimeoutException:
                last = "timed out"
                continue
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                continue
            if response.status_code >= 500 or response.status_code == 429:
                last = f"HTTP {response.status_code} {response.reason_phrase}"
                continue
            return response
        raise FetchError(f"GET {url}: {last} (after {self.attempts} attempts)")

    def _document(self, url: str, location: str) -> Fetched | str:
        """The XML at `url`, or a reason why it is not a WSDL/XSD document."""
        response = self._get(url)
        if response.status_code != 200:
            return f"HTTP {response.status_code} {response.reason_phrase}"
        try:
            root = parse_bytes(response.content, url).getroot()
        except WsdlError:
            kind = response.headers.get("content-type", "unknown content type")
            return f"not XML ({kind})"
        if root.tag not in DOCUMENT_ROOTS:
            return f"not a WSDL or XML Schema (root element {root.tag!s})"
        return Fetched(response.content, location, url)

    def root(self, endpoint_path: str) -> Fetched:
        reasons = []
        for query in ("singleWsdl", "wsdl"):
            url = f"{self.base_url}{endpoint_path}?{query}"
            result = self._document(url, f"{self.base_url}{endpoint_path}?{query}")
            if isinstance(result, Fetched):
                return result
            reasons.append(f"?{query}: {result}")
        raise Unavailable("; ".join(reasons))

    def imported(self, location: str, referrer: Fetched) -> Fetched:
        parts = urlsplit(location)
        url = f"{self.base_url}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        result = self._document(url, location)
        if isinstance(result, Fetched):
            return result
        raise FetchError(f"GET {url}: {result} (imported by {referrer.origin})")


# -- collecting a closure --------------------------------------------------------------------


def imports_of(data: bytes, source: str) -> list[str]:
    """Locations a WSDL or XSD document imports: WSDL imports first, then schema references."""
    root = parse_bytes(data, source).getroot()
    found = [element.get("location", "") for element in root.iter(q(WSDL, "import"))]
    for tag in ("import", "include", "redefine"):
        found += [element.get("schemaLocation", "") for element in root.iter(q(XSD, tag))]
    return [location for location in found if location]


def cache_name(location: str, *, root: bool) -> str:
    """The cache file for a document: its URL path, with WCF's `?wsdl=`/`?xsd=` as a suffix."""
    parts = urlsplit(location)
    segments = [
        _SAFE_SEGMENT.sub("_", s) for s in parts.path.split("/") if s not in ("", ".", "..")
    ]
    name = "/".join(segments) or "document"
    query = parts.query
    if root:
        return f"{name}.wsdl"
    match = re.fullmatch(r"(wsdl|xsd)=([A-Za-z0-9_.-]+)", query)
    if match:
        return f"{name}.{match.group(2)}.{match.group(1)}"
    if query:
        digest = hashlib.sha256(query.encode()).hexdigest()[:8]
        return f"{name}.{digest}.xml"
    return name


@dataclass
class FetchResult:
    files: dict[str, tuple[LockedFile, bytes]] = field(default_factory=dict)
    endpoints: dict[str, str | None] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)

    @property
    def lock(self) -> Lock:
        return Lock(dict(self.endpoints), {path: entry for path, (entry, _) in self.files.items()})


def collect(endpoint_paths: Iterable[str], source: Source) -> FetchResult:
    result = FetchResult()
    by_location: dict[str, str] = {}

    def add(fetched: Fetched, *, root: bool) -> str:
        name = cache_name(fetched.location, root=root)
        if name in result.files and result.files[name][0].location != fetched.location:
            digest = hashlib.sha256(fetched.location.encode()).hexdigest()[:8]
            stem, dot, suffix = name.rpartition(".")
            name = f"{stem}.{digest}{dot}{suffix}"
        entry = LockedFile(
            name, fetched.location, fetched.origin, len(fetched.data), sha256(fetched.data)
        )
        result.files[name] = (entry, fetched.data)
        by_location[fetched.location] = name
        return name

    def walk(document: Fetched) -> None:
        for location in imports_of(document.data, document.origin):
            target = urljoin(document.location, location)
            if target in by_location:
                continue
            imported = source.imported(target, document)
            add(imported, root=False)
            walk(imported)

    for endpoint in endpoint_paths:
        try:
            fetched = source.root(endpoint)
        except Unavailable as reason:
            result.endpoints[endpoint] = None
            result.unavailable[endpoint] = str(reason)
            continue
        if fetched.location in by_location:
            result.endpoints[endpoint] = by_location[fetched.location]
            continue
        result.endpoints[endpoint] = add(fetched, root=True)
        walk(fetched)
    return result


# -- writing ----------------------------------------------------------------------------------


def install(result: FetchResult, project: Project, *, locked: bool) -> None:
    """Install the fetched files as the cache and write the lock.

    With `locked`, the fetched files must match the lock first; the cache is then (re)installed
    from them and the lock is left as it is.
    """
    new_lock = result.lock
    if locked:
        problems = read_lock(project.lock_path).differences(new_lock)
        if problems:
            raise LockMismatchError(project.relative(project.lock_path), problems, ACCEPT_HINT)
    files = {name: data for name, (_, data) in result.files.items()}
    with replaced_tree(project.cache_dir, files):
        # The lock last, while the old cache can still be put back if writing it fails.
        if not locked:
            write_atomic(project.lock_path, new_lock.render())


def fetch(
    project: Project, endpoint_paths: Iterable[str], source: Source, *, locked: bool
) -> FetchResult:
    result = collect(endpoint_paths, source)
    install(result, project, locked=locked)
    return result


__all__ = [
    "FetchResult",
    "Fetched",
    "HttpSource",
    "MirrorSource",
    "Source",
    "Unavailable",
    "cache_name",
    "collect",
    "fetch",
    "imports_of",
    "install",
]
