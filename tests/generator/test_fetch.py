"""The WSDL supply chain: `fetch` from a mirror or over HTTP, the lock, `--locked`, the cache.

Every test works in a temporary workspace (the `workspace` fixture) and reads the shared WSDL mirror
in place; HTTP tests talk to a server the test starts on 127.0.0.1, and an autouse guard fails any
attempt to resolve another host name.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from click.testing import CliRunner, Result

from generator.cache import WsdlCache
from generator.cli import main
from generator.errors import FetchError, LockMismatchError, UserError, WsdlError
from generator.fetch import (
    Fetched,
    FetchResult,
    HttpSource,
    MirrorSource,
    Source,
    Unavailable,
    cache_name,
    collect,
    fetch,
    imports_of,
)
from generator.lock import read_lock
from generator.project import Project
from generator.spec import load_spec
from tests.wsdl_server import Route, WsdlServer

PRODUCTION = "https://www.altinn.no"
INTERMEDIARY_EC = "/IntermediaryExternal/IntermediaryInboundExternalEC.svc"
STREAMED_EC = "/ArchiveExternal/ReporteeArchiveExternalStreamedEC.svc"
CASE_EC = "/ServiceEngineExternal/CaseEC.svc"
RECEIPT_BASIC = "/IntermediaryExternal/ReceiptExternalBasic.svc"
NO_WSDL = "/ServiceEngineExternal/WorkflowServiceExternal.svc"  # in the spec, not in the mirror

WSDL0_LOCATION = f"http://at01.ai.basefarm.net{INTERMEDIARY_EC}?wsdl=wsdl0"
WSDL0_FILE = "IntermediaryExternal/IntermediaryInboundExternalEC.svc.wsdl0.wsdl"
WSDL0_MIRROR_FILE = "IntermediaryInbound/IntermediaryInboundExternalEC.wsdl0.wsdl"
CASE_FILE = "ServiceEngineExternal/CaseEC.svc.wsdl"
# cache file -> (location the WSDLs use, mirror file) for the streamed archive's five schemas
XSD_FILES = {
    f"ArchiveExternal/ReporteeArchiveExternalStreamedEC.svc.xsd{n}.xsd": (
        f"http://st01.altinn.basefarm.net{STREAMED_EC}?xsd=xsd{n}",
        f"ReporteeArchiveExternalStreamed/ReporteeArchiveExternalStreamedEC.xsd{n}.xsd",
    )
    for n in range(5)
}
# What the EC2 WSDLs import besides their roots (from the mirror's catalog.xml)
EC2_IMPORTS = {
    "IntermediaryExternal/IntermediaryInboundExternalEC2.svc.wsdl0.wsdl",
    *(f"ServiceEngineExternal/BrokerServiceExternalEC2.svc.xsd{n}.xsd" for n in range(8)),
}
XSD4_FILE = "ArchiveExternal/ReporteeArchiveExternalStreamedEC.svc.xsd4.xsd"
# Mirror file of each endpoint the HTTP tests serve.
MIRROR_FILES = {
    CASE_EC: "CaseExternal/CaseEC.wsdl",
    RECEIPT_BASIC: "ReceiptExternal/ReceiptExternalBasic.wsdl",
    INTERMEDIARY_EC: "IntermediaryInbound/IntermediaryInboundExternalEC.wsdl",
    STREAMED_EC: "ReporteeArchiveExternalStreamed/ReporteeArchiveExternalStreamedEC.wsdl",
}

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
CATALOG_OPEN = '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach the network: resolving any host but 127.0.0.1 fails the test."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", b"127.0.0.1"):
            raise AssertionError(f"tried to resolve {host!r}; tests only use 127.0.0.1")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    for proxy in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(proxy, raising=False)  # 127.0.0.1 directly, never through a proxy


@pytest.fixture(scope="session")
def endpoints(fetched: Project) -> tuple[str, ...]:
    """The spec's endpoint paths (every workspace has a copy of the same spec)."""
    return load_spec(fetched.spec_path).endpoint_paths


@pytest.fixture
def prefetched(workspace: Project, fetched: Project) -> Project:
    """The workspace with a cache and lock fetched from the mirror: where a fetch starts from."""
    shutil.copytree(fetched.cache_dir, workspace.cache_dir)
    shutil.copy(fetched.lock_path, workspace.lock_path)
    return workspace


@pytest.fixture
def mirror_copy(mirror: Path, tmp_path: Path) -> Path:
    """A private copy of the mirror that a test may change."""
    return Path(shutil.copytree(mirror, tmp_path / "mirror-copy"))


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff sleeps of the fetcher, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr("generator.fetch.time", SimpleNamespace(sleep=recorded.append))
    return recorded


@pytest.fixture
def server() -> Iterator[WsdlServer]:
    with WsdlServer() as running:
        yield running


# -- helpers ----------------------------------------------------------------------------------


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def mirror_fetch(project: Project, endpoints: Sequence[str], mirror: Path) -> FetchResult:
    return fetch(project, endpoints, MirrorSource(mirror, PRODUCTION), locked=False)


def http_source(base_url: str, **options: Any) -> HttpSource:
    """An `HttpSource` whose transport skips loading the CA bundle (some 50 ms a client): the
    tests only speak plain HTTP to 127.0.0.1. The CLI tests use the default transport."""
    defaults = {"timeout": 5.0, "attempts": 1, "backoff": 0.0}
    return HttpSource(base_url, **(defaults | options), transport=httpx.HTTPTransport(verify=False))


def http_fetch(
    project: Project, endpoints: Sequence[str], base_url: str, **options: Any
) -> FetchResult:
    source = http_source(base_url, **options)
    try:
        return fetch(project, endpoints, source, locked=False)
    finally:
        source.close()


def snapshot(project: Project) -> dict[str, bytes | None]:
    """Everything under spec/ (folders as None), to compare before and after a failed fetch."""
    spec = project.root / "spec"
    return {
        path.relative_to(spec).as_posix(): (None if path.is_dir() else path.read_bytes())
        for path in sorted(spec.rglob("*"))
    }


def strays(project: Project) -> list[str]:
    """Temporary files or folders a fetch left in spec/."""
    return sorted(path.name for path in (project.root / "spec").iterdir() if path.name[0] == ".")


def cache_files(project: Project) -> set[str]:
    cache = project.cache_dir
    return {path.relative_to(cache).as_posix() for path in cache.rglob("*") if path.is_file()}


def assert_lock_matches_cache(project: Project) -> dict[str, Any]:
    """The lock names exactly the cached files, each with its true size and sha256."""
    document: dict[str, Any] = yaml.safe_load(project.lock_path.read_text(encoding="utf-8"))
    entries = {item["path"]: item for item in document["files"]}
    assert len(entries) == len(document["files"]), "a path is listed twice"
    assert set(entries) == cache_files(project)
    for path, item in entries.items():
        data = (project.cache_dir / path).read_bytes()
        assert item["size"] == len(data), path
        assert item["sha256"] == hashlib.sha256(data).hexdigest(), path
    return document


def mirror_root_file(mirror: Path, endpoint: str) -> Path | None:
    """The mirror's WSDL for an endpoint (`<Stem>.wsdl` for `<Stem>.svc`), found independently."""
    stem = PurePosixPath(endpoint).stem
    found = [
        path
        for path in mirror.rglob(f"{stem}.wsdl")
        if not {"alternates", "payload"} & set(path.relative_to(mirror).parts)
    ]
    assert len(found) <= 1, found
    return found[0] if found else None


def append_comment(folder: Path, name: str) -> None:
    """Change a file's bytes, keeping it well-formed XML."""
    with (folder / name).open("ab") as handle:
        handle.write(b"<!-- changed upstream -->\n")


def serve_examples(server: WsdlServer, mirror: Path) -> None:
    """Four real endpoints, served the way WCF serves them.

    CaseEC and ReceiptExternalBasic answer `?singleWsdl`; the other two are older services with
    `?wsdl` only (404 for `?singleWsdl`), whose imports name other hosts (at01/st01), as WCF does.
    """
    for endpoint in (CASE_EC, RECEIPT_BASIC):
        server.add(f"{endpoint}?singleWsdl", (mirror / MIRROR_FILES[endpoint]).read_bytes())
    for endpoint in (INTERMEDIARY_EC, STREAMED_EC):
        server.add(f"{endpoint}?wsdl", (mirror / MIRROR_FILES[endpoint]).read_bytes())
    server.add(f"{INTERMEDIARY_EC}?wsdl=wsdl0", (mirror / WSDL0_MIRROR_FILE).read_bytes())
    for location, mirror_file in XSD_FILES.values():
        server.add(f"{STREAMED_EC}?{urlsplit(location).query}", (mirror / mirror_file).read_bytes())


def wsdl_importing(*locations: str, schema_locations: Sequence[str] = ()) -> bytes:
    imports = "".join(f'<wsdl:import namespace="urn:i" location="{loc}"/>' for loc in locations)
    schemas = "".join(
        f'<xs:import namespace="urn:s" schemaLocation="{loc}"/>' for loc in schema_locations
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<wsdl:definitions xmlns:wsdl="{WSDL_NS}" '
        f'xmlns:xs="{XSD_NS}" targetNamespace="urn:t">{imports}<wsdl:types>'
        f'<xs:schema targetNamespace="urn:t">{schemas}</xs:schema></wsdl:types>'
        "</wsdl:definitions>\n"
    ).encode()


def xsd_including(*schema_locations: str) -> bytes:
    includes = "".join(f'<xs:include schemaLocation="{loc}"/>' for loc in schema_locations)
    return (
        f'<xs:schema xmlns:xs="{XSD_NS}" targetNamespace="urn:s">{includes}</xs:schema>\n'.encode()
    )


class FakeSource:
    """An in-memory source: endpoint -> root document, location -> imported document."""

    def __init__(self, roots: dict[str, bytes], documents: dict[str, bytes]) -> None:
        self.roots = roots
        self.documents = documents

    def root(self, endpoint_path: str) -> Fetched:
        location = f"{PRODUCTION}{endpoint_path}?wsdl"
        return Fetched(self.roots[endpoint_path], location, f"fake:{location}")

    def imported(self, location: str, referrer: Fetched) -> Fetched:
        return Fetched(self.documents[location], location, f"fake:{location}")


class FailingSource:
    """Delegates to another source, but its `imported()` raises on the n-th call."""

    def __init__(self, inner: Source, fail_on_call: int, error: BaseException) -> None:
        self.inner = inner
        self.fail_on_call = fail_on_call
        self.error = error
        self.calls = 0

    def root(self, endpoint_path: str) -> Fetched:
        return self.inner.root(endpoint_path)

    def imported(self, location: str, referrer: Fetched) -> Fetched:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise self.error
        return self.inner.imported(location, referrer)


# -- 1. fetching from the mirror --------------------------------------------------------------


def test_mirror_fetch_fills_cache_and_lock(
    workspace: Project, mirror: Path, endpoints: tuple[str, ...]
) -> None:
    workspace.lock_path.unlink(missing_ok=True)
    result = mirror_fetch(workspace, endpoints, mirror)

    document = assert_lock_matches_cache(workspace)
    lock = read_lock(workspace.lock_path)
    assert document["version"] == 1
    assert list(document["endpoints"]) == sorted(endpoints)
    assert result.lock == lock

    # The split WSDL's part, reached through catalog.xml, under the location WSDLs use for it.
    part = lock.files[WSDL0_FILE]
    assert part.location == WSDL0_LOCATION
    assert part.origin == f"mirror:{WSDL0_MIRROR_FILE}"
    cached = (workspace.cache_dir / WSDL0_FILE).read_bytes()
    assert cached == (mirror / WSDL0_MIRROR_FILE).read_bytes()
    # The five schemas the streamed archive WSDL imports (xsd4 twice: by the WSDL and by xsd3).
    for name, (location, mirror_file) in XSD_FILES.items():
        assert lock.files[name].location == location
        assert lock.files[name].origin == f"mirror:{mirror_file}"
        assert (workspace.cache_dir / name).read_bytes() == (mirror / mirror_file).read_bytes()

    # Every endpoint: its own mirror file, or null (reported, not fatal) when the mirror has none.
    for endpoint in endpoints:
        expected = mirror_root_file(mirror, endpoint)
        root_file = lock.endpoints[endpoint]
        if expected is None:
            assert root_file is None, endpoint
            reason = f"no {PurePosixPath(endpoint).stem}.wsdl in the mirror"
            assert result.unavailable[endpoint] == reason
            continue
        assert root_file == endpoint.lstrip("/") + ".wsdl"
        entry = lock.files[root_file]
        assert entry.location == f"{PRODUCTION}{endpoint}?wsdl"
        assert entry.origin == f"mirror:{expected.relative_to(mirror).as_posix()}"
        assert (workspace.cache_dir / root_file).read_bytes() == expected.read_bytes()
    assert set(result.unavailable) == {e for e, name in lock.endpoints.items() if name is None}
    assert NO_WSDL in result.unavailable
    # Only what the endpoints need: roots plus their imports, nothing from alternates/ or payload/.
    roots = {name for name in lock.endpoints.values() if name}
    assert set(lock.files) == roots | {WSDL0_FILE, *XSD_FILES, *EC2_IMPORTS}

    # Origins are portable: relative to the mirror, never a path of this machine.
    text = workspace.lock_path.read_text(encoding="utf-8")
    for machine_path in {str(mirror), str(mirror.parent), str(workspace.root), str(Path.home())}:
        assert machine_path not in text
    for entry in lock.files.values():
        relative = entry.origin.removeprefix("mirror:")
        assert entry.origin.startswith("mirror:") and not relative.startswith("/")
        assert ".." not in PurePosixPath(relative).parts
        assert (mirror / relative).read_bytes() == (workspace.cache_dir / entry.path).read_bytes()
    assert strays(workspace) == []


def test_cli_fetch_from_mirror_reports_endpoints_without_wsdl(
    workspace: Project, mirror: Path, endpoints: tuple[str, ...]
) -> None:
    workspace.lock_path.unlink(missing_ok=True)
    result = run_cli("fetch", "--root", str(workspace.root), "--from", str(mirror))

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert_lock_matches_cache(workspace)
    lock = read_lock(workspace.lock_path)
    missing = [e for e in endpoints if mirror_root_file(mirror, e) is None]
    assert NO_WSDL in missing and len(missing) < len(endpoints)
    assert [e for e in endpoints if lock.endpoints[e] is None] == missing

    first, *rest = result.stdout.splitlines()
    found = len(endpoints) - len(missing)
    assert first.startswith(f"fetched {len(lock.files)} files (")
    assert first.endswith(
        f"from {mirror}: WSDLs for {found} of {len(endpoints)} endpoints; wrote spec/wsdl.lock"
    )
    assert rest == [
        f"  no WSDL: {e}: no {PurePosixPath(e).stem}.wsdl in the mirror" for e in missing
    ]
    assert WSDL0_FILE in lock.files and set(XSD_FILES) <= set(lock.files)


def test_mirror_fetch_is_deterministic_wherever_the_mirror_lives(
    workspace: Project,
    mirror: Path,
    endpoints: tuple[str, ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mirror_fetch(workspace, endpoints, mirror)
    first_lock = workspace.lock_path.read_bytes()
    first_state = snapshot(workspace)

    mirror_fetch(workspace, endpoints, mirror)
    assert workspace.lock_path.read_bytes() == first_lock
    assert snapshot(workspace) == first_state

    # Another copy, named by a relative path from another working directory: the same lock.
    elsewhere = Path(shutil.copytree(mirror, tmp_path / "other" / "place" / "mirror"))
    monkeypatch.chdir(tmp_path / "other")
    result = run_cli("fetch", "--root", str(workspace.root), "--from", os.path.relpath(elsewhere))
    assert result.exit_code == 0, result.output
    assert workspace.lock_path.read_bytes() == first_lock
    assert snapshot(workspace) == first_state


def test_committed_lock_matches_the_mirror(
    workspace: Project, mirror: Path, endpoints: tuple[str, ...]
) -> None:
    """The repository's lock (copied into the workspace) is what the shared mirror gives."""
    if not workspace.lock_path.exists():
        pytest.skip("the repository has no spec/wsdl.lock yet")
    lock = read_lock(workspace.lock_path)
    if not all(entry.origin.startswith("mirror:") for entry in lock.files.values()):
        pytest.skip("the committed lock was not made from a mirror")
    committed = workspace.lock_path.read_bytes()
    result = run_cli("fetch", "--root", str(workspace.root), "--from", str(mirror), "--locked")
    assert result.exit_code == 0, result.output
    assert "(matches the lock)" in result.stdout
    assert workspace.lock_path.read_bytes() == committed
    mirror_fetch(workspace, endpoints, mirror)  # and a fresh fetch writes it byte for byte
    assert workspace.lock_path.read_bytes() == committed


def test_cli_rejects_bad_sources(workspace: Project, mirror: Path, tmp_path: Path) -> None:
    root = str(workspace.root)
    both = run_cli(
        "fetch", "--root", root, "--from", str(mirror), "--base-url", "http://127.0.0.1:9"
    )
    assert both.exit_code == 1
    assert both.stderr == "error: --from takes the WSDLs from a folder; drop --env/--base-url\n"

    nowhere = tmp_path / "no-such-mirror"
    absent = run_cli("fetch", "--root", root, "--from", str(nowhere))
    assert absent.exit_code == 1
    assert absent.stderr == f"error: {nowhere}: mirror folder does not exist\n"
    assert not workspace.cache_dir.exists()


# -- mirror details: roots, catalog, relative imports ------------------------------------------


def test_mirror_roots_skip_parts_alternates_and_payload(mirror: Path) -> None:
    source = MirrorSource(mirror, PRODUCTION)
    assert source.roots["IntermediaryInboundExternalEC"] == mirror / MIRROR_FILES[INTERMEDIARY_EC]
    for stem, path in source.roots.items():
        assert not {"alternates", "payload"} & set(path.relative_to(mirror).parts), path
        assert path.name == f"{stem}.wsdl"
        assert ".wsdl0." not in path.name
    assert not any("singlefile" in stem for stem in source.roots)
    with pytest.raises(Unavailable, match=r"^no WorkflowServiceExternal\.wsdl in the mirror$"):
        source.root(NO_WSDL)


def test_mirror_with_two_wsdls_for_one_endpoint_is_refused(mirror_copy: Path) -> None:
    (mirror_copy / "Extra").mkdir()
    shutil.copy(mirror_copy / MIRROR_FILES[CASE_EC], mirror_copy / "Extra/CaseEC.wsdl")
    with pytest.raises(FetchError) as info:
        MirrorSource(mirror_copy, PRODUCTION)
    message = str(info.value)
    assert "two WSDLs for endpoint CaseEC" in message
    assert "CaseExternal/CaseEC.wsdl" in message and "Extra/CaseEC.wsdl" in message


def test_mirror_import_missing_from_catalog_fails_cleanly(
    prefetched: Project, mirror_copy: Path
) -> None:
    before = snapshot(prefetched)
    catalog = mirror_copy / "catalog.xml"
    lines = catalog.read_text(encoding="utf-8").splitlines(keepends=True)
    catalog.write_text("".join(line for line in lines if "wsdl=wsdl0" not in line), "utf-8")

    result = run_cli("fetch", "--root", str(prefetched.root), "--from", str(mirror_copy))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {WSDL0_LOCATION}: imported by mirror:{MIRROR_FILES[INTERMEDIARY_EC]}, "
        "but the mirror has no copy (map it in the mirror's catalog.xml)"
    ]
    assert snapshot(prefetched) == before
    assert strays(prefetched) == []


def test_mirror_resolves_relative_imports_and_rewrite_prefixes(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    (folder / "Svc").mkdir(parents=True)
    (folder / "shared" / "common").mkdir(parents=True)
    (folder / "catalog.xml").write_text(
        CATALOG_OPEN
        + '<rewriteURI uriStartString="http://schemas.example/" rewritePrefix="shared/"/>'
        '<uri name="http://exact.example/x.xsd" uri="shared/x.xsd"/></catalog>',
        encoding="utf-8",
    )
    imports = ("types.xsd", "http://schemas.example/common/base.xsd", "http://exact.example/x.xsd")
    (folder / "Svc/Foo.wsdl").write_bytes(wsdl_importing(schema_locations=imports))
    (folder / "Svc/types.xsd").write_bytes(xsd_including("more.xsd"))
    (folder / "Svc/more.xsd").write_bytes(xsd_including())
    (folder / "shared/common/base.xsd").write_bytes(xsd_including())
    (folder / "shared/x.xsd").write_bytes(xsd_including())

    result = collect(["/X/Foo.svc"], MirrorSource(folder, PRODUCTION))
    assert {entry.location: (entry.path, entry.origin) for entry in result.lock.files.values()} == {
        f"{PRODUCTION}/X/Foo.svc?wsdl": ("X/Foo.svc.wsdl", "mirror:Svc/Foo.wsdl"),
        f"{PRODUCTION}/X/types.xsd": ("X/types.xsd", "mirror:Svc/types.xsd"),
        f"{PRODUCTION}/X/more.xsd": ("X/more.xsd", "mirror:Svc/more.xsd"),
        "http://schemas.example/common/base.xsd": (
            "common/base.xsd",
            "mirror:shared/common/base.xsd",
        ),
        "http://exact.example/x.xsd": ("x.xsd", "mirror:shared/x.xsd"),
    }


def test_mirror_catalog_cannot_reach_outside_the_mirror(tmp_path: Path) -> None:
    """A catalog entry or rewrite that leads out of the mirror is a clean error, not a crash."""
    folder = tmp_path / "m"
    (folder / "Svc").mkdir(parents=True)
    (tmp_path / "outside.xsd").write_bytes(xsd_including())
    (folder / "catalog.xml").write_text(
        CATALOG_OPEN + '<uri name="http://h/outside.xsd" uri="../outside.xsd"/>'
        '<rewriteURI uriStartString="http://r/" rewritePrefix="Svc/"/></catalog>',
        encoding="utf-8",
    )
    for stem, location in (("A", "http://h/outside.xsd"), ("B", "http://r/../../outside.xsd")):
        (folder / f"Svc/{stem}.wsdl").write_bytes(wsdl_importing(schema_locations=(location,)))
        with pytest.raises(FetchError, match="outside the mirror folder") as info:
            collect([f"/X/{stem}.svc"], MirrorSource(folder, PRODUCTION))
        assert str(info.value).startswith(f"{location}: ")


# -- 2. --locked ------------------------------------------------------------------------------


def test_locked_fetch_passes_and_restores_the_cache(prefetched: Project, mirror: Path) -> None:
    fetched_state = snapshot(prefetched)
    lock_bytes = prefetched.lock_path.read_bytes()
    # Someone edits one cached file and deletes another: --locked puts back what the lock says.
    append_comment(prefetched.cache_dir, CASE_FILE)
    (prefetched.cache_dir / WSDL0_FILE).unlink()

    result = run_cli("fetch", "--root", str(prefetched.root), "--from", str(mirror), "--locked")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith("(matches the lock)")
    assert prefetched.lock_path.read_bytes() == lock_bytes
    assert snapshot(prefetched) == fetched_state
    WsdlCache.open(prefetched)
    assert strays(prefetched) == []


def _changed(copy: Path) -> list[str]:
    append_comment(copy, MIRROR_FILES[CASE_EC])
    append_comment(copy, XSD_FILES[XSD4_FILE][1])
    return [f"{XSD4_FILE}: content differs", f"{CASE_FILE}: content differs"]


def _new(copy: Path) -> list[str]:
    target = copy / "ReporteeArchiveExternal/ReporteeArchiveExternalBasic.wsdl"
    shutil.copy(copy / MIRROR_FILES[RECEIPT_BASIC], target)
    name = "ArchiveExternal/ReporteeArchiveExternalBasic.svc.wsdl"
    return [
        f"{name}: new file, not in the lock",
        f"/ArchiveExternal/ReporteeArchiveExternalBasic.svc: WSDL unavailable -> {name}",
    ]


def _missing(copy: Path) -> list[str]:
    (copy / MIRROR_FILES[CASE_EC]).unlink()
    return [f"{CASE_FILE}: in the lock, not fetched", f"{CASE_EC}: WSDL {CASE_FILE} -> unavailable"]


@pytest.mark.parametrize("mutate", [_changed, _new, _missing], ids=["changed", "new", "missing"])
def test_locked_fetch_fails_naming_each_difference(
    prefetched: Project,
    mirror_copy: Path,
    endpoints: tuple[str, ...],
    mutate: Callable[[Path], list[str]],
) -> None:
    before = snapshot(prefetched)
    expected = mutate(mirror_copy)

    result = run_cli(
        "fetch", "--root", str(prefetched.root), "--from", str(mirror_copy), "--locked"
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    header, *problems, hint = result.stderr.splitlines()
    assert header == "error: spec/wsdl.lock: content differs from the lock:"
    assert hint.startswith("to accept the change: run the same fetch without --locked")
    assert "commit spec/wsdl.lock" in hint
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(f"  {start}"), problem
    assert snapshot(prefetched) == before
    assert strays(prefetched) == []

    # Without --locked the same fetch is accepted, and the lock records the change.
    mirror_fetch(prefetched, endpoints, mirror_copy)
    assert prefetched.lock_path.read_bytes() != before["wsdl.lock"]
    assert_lock_matches_cache(prefetched)


def test_locked_fetch_without_a_lock_says_to_fetch_first(workspace: Project, mirror: Path) -> None:
    workspace.lock_path.unlink(missing_ok=True)
    result = run_cli("fetch", "--root", str(workspace.root), "--from", str(mirror), "--locked")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {workspace.lock_path}: no lock yet; run `altinn-codegen fetch` first"
    ]
    assert not workspace.cache_dir.exists() and not workspace.lock_path.exists()
    assert strays(workspace) == []


# -- 3. atomicity -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error", [FetchError("mirror went away"), KeyboardInterrupt()], ids=["error", "interrupt"]
)
def test_interrupted_collection_leaves_cache_and_lock(
    prefetched: Project, mirror_copy: Path, endpoints: tuple[str, ...], error: BaseException
) -> None:
    before = snapshot(prefetched)
    append_comment(mirror_copy, MIRROR_FILES[CASE_EC])  # a complete fetch would change things
    source = FailingSource(MirrorSource(mirror_copy, PRODUCTION), 3, error)

    with pytest.raises(type(error)):
        fetch(prefetched, endpoints, source, locked=False)
    assert source.calls == 3
    assert snapshot(prefetched) == before
    assert strays(prefetched) == []


def _fail_writing_files(monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.write_bytes
    calls: list[Path] = []

    def write_bytes(self: Path, data: bytes) -> int:
        calls.append(self)
        if len(calls) == 5:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def _fail_writing_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    def write_atomic(path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("generator.fetch.write_atomic", write_atomic)


def _interrupt_swap(monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.rename

    def rename(self: Path, target: Any) -> Path:
        if self.name.startswith(".wsdl-new-"):  # the new cache moving into place
            raise KeyboardInterrupt
        return real(self, target)

    monkeypatch.setattr(Path, "rename", rename)

    def exchange(first: Path, second: Path) -> bool:  # the swap in one step, where it exists
        if first.name.startswith(".wsdl-new-"):
            raise KeyboardInterrupt
        return False

    monkeypatch.setattr("generator.atomic.exchange", exchange)


@pytest.mark.parametrize(
    "break_install",
    [_fail_writing_files, _fail_writing_lock, _interrupt_swap],
    ids=["cache-write", "lock-write", "swap"],
)
def test_failed_install_leaves_cache_and_lock(
    prefetched: Project,
    mirror_copy: Path,
    endpoints: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
    break_install: Callable[[pytest.MonkeyPatch], None],
) -> None:
    before = snapshot(prefetched)
    append_comment(mirror_copy, MIRROR_FILES[CASE_EC])
    break_install(monkeypatch)

    with pytest.raises((OSError, KeyboardInterrupt)):
        mirror_fetch(prefetched, endpoints, mirror_copy)
    monkeypatch.undo()
    assert snapshot(prefetched) == before
    assert strays(prefetched) == []
    WsdlCache.open(prefetched)


def test_failed_first_fetch_leaves_nothing(
    workspace: Project, mirror: Path, endpoints: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace.lock_path.unlink(missing_ok=True)
    _fail_writing_lock(monkeypatch)
    with pytest.raises(OSError):
        mirror_fetch(workspace, endpoints, mirror)
    assert sorted((workspace.root / "spec").iterdir()) == [workspace.spec_path]


# -- 4. fetching over HTTP --------------------------------------------------------------------


def test_http_fetch_single_and_split_wsdls(
    workspace: Project, mirror: Path, server: WsdlServer
) -> None:
    serve_examples(server, mirror)
    wanted = [CASE_EC, INTERMEDIARY_EC, STREAMED_EC, RECEIPT_BASIC, NO_WSDL]
    result = http_fetch(workspace, wanted, server.url, attempts=3)

    assert_lock_matches_cache(workspace)
    lock = read_lock(workspace.lock_path)
    assert lock.endpoints == {
        CASE_EC: CASE_FILE,
        INTERMEDIARY_EC: "IntermediaryExternal/IntermediaryInboundExternalEC.svc.wsdl",
        STREAMED_EC: "ArchiveExternal/ReporteeArchiveExternalStreamedEC.svc.wsdl",
        RECEIPT_BASIC: "IntermediaryExternal/ReceiptExternalBasic.svc.wsdl",
        NO_WSDL: None,
    }
    roots = {name for name in lock.endpoints.values() if name}
    assert set(lock.files) == roots | {WSDL0_FILE, *XSD_FILES}
    # Roots: ?singleWsdl where served, else ?wsdl; location and origin are the URL fetched.
    queries = {CASE_EC: "singleWsdl", RECEIPT_BASIC: "singleWsdl"}
    for endpoint in (CASE_EC, RECEIPT_BASIC, INTERMEDIARY_EC, STREAMED_EC):
        entry = lock.files[str(lock.endpoints[endpoint])]
        url = f"{server.url}{endpoint}?{queries.get(endpoint, 'wsdl')}"
        assert entry.location == entry.origin == url
        cached = (workspace.cache_dir / entry.path).read_bytes()
        assert cached == (mirror / MIRROR_FILES[endpoint]).read_bytes()
    # Imports: fetched from the server by path+query, recorded under the advertised location.
    assert lock.files[WSDL0_FILE].location == WSDL0_LOCATION
    assert lock.files[WSDL0_FILE].origin == f"{server.url}{INTERMEDIARY_EC}?wsdl=wsdl0"
    for name, (location, mirror_file) in XSD_FILES.items():
        assert lock.files[name].location == location
        assert lock.files[name].origin == f"{server.url}{STREAMED_EC}?{urlsplit(location).query}"
        assert (workspace.cache_dir / name).read_bytes() == (mirror / mirror_file).read_bytes()

    assert result.unavailable == {
        NO_WSDL: "?singleWsdl: HTTP 404 Not Found; ?wsdl: HTTP 404 Not Found"
    }
    # Each document once (xsd4 is imported twice), 404s not retried, only this server asked.
    hits = Counter(server.targets())
    assert set(hits.values()) == {1}
    tried = {f"{e}?singleWsdl" for e in (INTERMEDIARY_EC, STREAMED_EC, NO_WSDL)}
    assert set(hits) == set(server.routes) | tried | {f"{NO_WSDL}?wsdl"}
    assert {request.host for request in server.requests} == {server.host}
    assert all(r.user_agent.startswith("altinn-codegen/") for r in server.requests)

    # The cache is usable: the split WSDL loads with its part resolved through the lock.
    cache = WsdlCache.open(workspace)
    wsdl = cache.endpoint_wsdl(INTERMEDIARY_EC)
    assert wsdl is not None and WSDL0_LOCATION in wsdl.documents and wsdl.port_types
    assert cache.endpoint_wsdl(NO_WSDL) is None


def test_http_root_that_is_not_xml_falls_back_to_wsdl(
    workspace: Project, mirror: Path, server: WsdlServer
) -> None:
    body = (mirror / MIRROR_FILES[CASE_EC]).read_bytes()
    html = {"content_type": "text/html"}
    server.add(f"{CASE_EC}?singleWsdl", b"<html><body>Oops<br></body></html>", **html)
    server.add(f"{CASE_EC}?wsdl", body)
    server.add(f"{RECEIPT_BASIC}?singleWsdl", b"<html>Down for maintenance<br>", **html)
    result = http_fetch(workspace, [CASE_EC, RECEIPT_BASIC], server.url)

    assert result.endpoints == {CASE_EC: CASE_FILE, RECEIPT_BASIC: None}
    assert (workspace.cache_dir / CASE_FILE).read_bytes() == body
    assert result.unavailable[RECEIPT_BASIC] == (
        "?singleWsdl: not XML (text/html); ?wsdl: HTTP 404 Not Found"
    )


def test_http_missing_import_is_fatal_and_keeps_old_state(
    prefetched: Project, mirror: Path, server: WsdlServer
) -> None:
    before = snapshot(prefetched)
    serve_examples(server, mirror)
    del server.routes[f"{INTERMEDIARY_EC}?wsdl=wsdl0"]

    with pytest.raises(FetchError) as info:
        http_fetch(prefetched, [CASE_EC, INTERMEDIARY_EC], server.url, attempts=3)
    assert str(info.value) == (
        f"GET {server.url}{INTERMEDIARY_EC}?wsdl=wsdl0: HTTP 404 Not Found "
        f"(imported by {server.url}{INTERMEDIARY_EC}?wsdl)"
    )
    assert server.hits(f"{INTERMEDIARY_EC}?wsdl=wsdl0") == 1
    assert snapshot(prefetched) == before
    assert strays(prefetched) == []


@pytest.mark.parametrize(
    "failure",
    [{"failure_status": 500}, {"failure_status": 503}, {"failure_status": 429}, {"drop": True}],
    ids=["500", "503", "429", "hang-up"],
)
def test_http_retries_with_backoff(
    workspace: Project,
    mirror: Path,
    server: WsdlServer,
    sleeps: list[float],
    failure: dict[str, Any],
) -> None:
    body = (mirror / MIRROR_FILES[STREAMED_EC]).read_bytes()
    target = f"{STREAMED_EC}?singleWsdl"
    server.add(target, body, failures=2, **failure)
    xsd = XSD_FILES[XSD4_FILE]
    serve_examples(server, mirror)
    del server.routes[f"{STREAMED_EC}?wsdl"]
    server.add(f"{STREAMED_EC}?xsd=xsd4", (mirror / xsd[1]).read_bytes(), failures=1, **failure)

    result = http_fetch(workspace, [STREAMED_EC], server.url, attempts=3, backoff=0.25)
    assert result.endpoints == {
        STREAMED_EC: "ArchiveExternal/ReporteeArchiveExternalStreamedEC.svc.wsdl"
    }
    assert (workspace.cache_dir / str(result.endpoints[STREAMED_EC])).read_bytes() == body
    assert (workspace.cache_dir / XSD4_FILE).read_bytes() == (mirror / xsd[1]).read_bytes()
    assert server.hits(target) == 3
    assert server.hits(f"{STREAMED_EC}?xsd=xsd4") == 2
    assert sleeps == [0.25, 0.5, 0.25]  # exponential per document: the root's two, xsd4's one

    # One attempt fewer is not enough.
    server.routes[target] = Route(body, failures=2, **failure)
    with pytest.raises(FetchError, match=r"\(after 2 attempts\)$"):
        http_fetch(workspace, [STREAMED_EC], server.url, attempts=2, backoff=0.25)
    assert server.hits(target) == 3 + 2


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (Route(b"<html>oops</html>", status=500), "HTTP 500 Internal Server Error"),
        (Route(b"", status=503), "HTTP 503 Service Unavailable"),
        (Route(drop=True), "RemoteProtocolError: Server disconnected without sending a response."),
    ],
    ids=["500", "503", "hang-up"],
)
def test_cli_http_server_failure_is_one_line_and_keeps_old_state(
    prefetched: Project,
    endpoints: tuple[str, ...],
    server: WsdlServer,
    sleeps: list[float],
    route: Route,
    reason: str,
) -> None:
    before = snapshot(prefetched)
    server.fallback = route
    first = f"{endpoints[0]}?singleWsdl"

    result = run_cli(
        "fetch", "--root", str(prefetched.root), "--base-url", server.url, "--attempts", "2"
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: GET {server.url}{first}: {reason} (after 2 attempts)\n"
    assert server.targets() == [first, first]  # stopped at the first document that failed
    assert sleeps == [0.5]  # the default backoff, once between the two attempts
    assert snapshot(prefetched) == before
    assert strays(prefetched) == []


def test_cli_http_timeout(
    prefetched: Project, endpoints: tuple[str, ...], server: WsdlServer, sleeps: list[float]
) -> None:
    before = snapshot(prefetched)
    server.fallback = Route(b"", delay=5.0)  # answers long after the client has given up
    first = f"{endpoints[0]}?singleWsdl"

    started = time.monotonic()
    args = ("--base-url", server.url, "--timeout", "0.1", "--attempts", "2")
    result = run_cli("fetch", "--root", str(prefetched.root), *args)
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert result.stderr == f"error: GET {server.url}{first}: timed out (after 2 attempts)\n"
    assert server.hits(first) == 2
    assert elapsed < 2.0, "the timeout was not applied"
    assert snapshot(prefetched) == before
    assert strays(prefetched) == []


def test_cli_fetch_over_http(
    workspace: Project, mirror: Path, endpoints: tuple[str, ...], server: WsdlServer
) -> None:
    workspace.lock_path.unlink(missing_ok=True)
    serve_examples(server, mirror)
    result = run_cli(
        "fetch", "--root", str(workspace.root), "--base-url", server.url + "/", "--attempts", "1"
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    first, *rest = result.stdout.splitlines()
    assert first.startswith("fetched 10 files (")
    assert first.endswith(
        f"from {server.url}/: WSDLs for 4 of {len(endpoints)} endpoints; wrote spec/wsdl.lock"
    )
    served = {CASE_EC, RECEIPT_BASIC, INTERMEDIARY_EC, STREAMED_EC}
    reason = "?singleWsdl: HTTP 404 Not Found; ?wsdl: HTTP 404 Not Found"
    assert rest == [f"  no WSDL: {e}: {reason}" for e in endpoints if e not in served]
    assert_lock_matches_cache(workspace)
    lock = read_lock(workspace.lock_path)
    assert lock.files[WSDL0_FILE].location == WSDL0_LOCATION
    assert {e for e, name in lock.endpoints.items() if name} == served
    assert {request.host for request in server.requests} == {server.host}
    WsdlCache.open(workspace)


def test_http_content_equal_to_the_mirror_passes_the_mirror_lock(
    prefetched: Project, server: WsdlServer
) -> None:
    """Cache names and the lock check do not depend on where the bytes came from."""
    lock = read_lock(prefetched.lock_path)
    lock_bytes = prefetched.lock_path.read_bytes()
    roots = {name for name in lock.endpoints.values() if name}
    for entry in lock.files.values():
        parts = urlsplit(entry.location)
        target = f"{parts.path}?wsdl" if entry.path in roots else f"{parts.path}?{parts.query}"
        server.add(target, (prefetched.cache_dir / entry.path).read_bytes())
    args = ("fetch", "--root", str(prefetched.root), "--base-url", server.url, "--locked")

    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    assert "(matches the lock)" in result.stdout
    assert prefetched.lock_path.read_bytes() == lock_bytes
    assert_lock_matches_cache(prefetched)
    assert {request.host for request in server.requests} == {server.host}


# -- 5. opening the cache ---------------------------------------------------------------------


def test_cache_open_accepts_a_fresh_fetch(prefetched: Project) -> None:
    cache = WsdlCache.open(prefetched)
    wsdl = cache.endpoint_wsdl(INTERMEDIARY_EC)
    assert wsdl is not None and WSDL0_LOCATION in wsdl.documents
    assert cache.endpoint_wsdl(NO_WSDL) is None


def test_cache_open_refuses_a_cache_that_differs_from_the_lock(prefetched: Project) -> None:
    append_comment(prefetched.cache_dir, CASE_FILE)
    (prefetched.cache_dir / WSDL0_FILE).unlink()

    with pytest.raises(LockMismatchError) as info:
        WsdlCache.open(prefetched)
    assert len(info.value.problems) == 2
    assert info.value.problems[0].startswith(f"{WSDL0_FILE}: missing")
    assert info.value.problems[1] == f"{CASE_FILE}: differs from the lock"
    assert "run `altinn-codegen fetch --locked`" in str(info.value)

    result = run_cli("lint", "--root", str(prefetched.root))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[:3] == [
        "error: spec/wsdl.lock: content differs from the lock:",
        f"  {info.value.problems[0]}",
        f"  {CASE_FILE}: differs from the lock",
    ]
    assert "run `altinn-codegen fetch --locked`" in result.stderr.splitlines()[3]


def test_cache_open_without_lock_or_cache(prefetched: Project) -> None:
    shutil.rmtree(prefetched.cache_dir)
    with pytest.raises(UserError, match=r"^spec/wsdl: no WSDL cache; run `altinn-codegen fetch"):
        WsdlCache.open(prefetched)

    prefetched.lock_path.unlink()
    with pytest.raises(UserError) as info:
        WsdlCache.open(prefetched)
    assert str(info.value) == (
        f"{prefetched.lock_path}: no lock yet; run `altinn-codegen fetch` first"
    )


def test_cache_open_with_a_broken_lock_is_one_clear_line(
    prefetched: Project, fetched: Project
) -> None:
    """A lock with merge-conflict markers: one line naming the lock and what to do."""
    text = fetched.lock_path.read_text(encoding="utf-8")
    first_file = text.index("- path:")
    prefetched.lock_path.write_text(
        text[:first_file] + "<<<<<<< HEAD\n" + text[first_file:] + "=======\n>>>>>>> other\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError, match="not a valid lock file"):
        WsdlCache.open(prefetched)

    result = run_cli("lint", "--root", str(prefetched.root))
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"error: {prefetched.lock_path}: not a valid lock file (")
    assert result.stderr.endswith("; run `altinn-codegen fetch`\n")


# -- 6. cache names and imports ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "root", "expected"),
    [
        (WSDL0_LOCATION, False, WSDL0_FILE),
        (XSD_FILES[XSD4_FILE][0], False, XSD4_FILE),
        (f"https://elsewhere.example:8443{STREAMED_EC}?xsd=xsd4", False, XSD4_FILE),
        (f"{PRODUCTION}{CASE_EC}?wsdl", True, CASE_FILE),
        (f"http://127.0.0.1:8080{CASE_EC}?singleWsdl", True, CASE_FILE),
        ("https://h/X/schemas/types.xsd", False, "X/schemas/types.xsd"),
        ("https://h/My Service/a+b.xsd", False, "My_Service/a_b.xsd"),
        ("https://h/", False, "document"),
    ],
)
def test_cache_name(location: str, root: bool, expected: str) -> None:
    assert cache_name(location, root=root) == expected


def test_cache_name_of_other_queries_is_stable_and_distinct() -> None:
    first = cache_name("https://h/a.svc?foo=bar", root=False)
    assert first == cache_name("https://other/a.svc?foo=bar", root=False)
    assert first.startswith("a.svc.") and first.endswith(".xml")
    assert first != cache_name("https://h/a.svc?foo=baz", root=False)


@pytest.mark.parametrize(
    "location",
    [
        "../../etc/passwd",
        "http://evil.example/../../etc/passwd",
        "http://evil.example/a/../../../../etc/passwd?xsd=xsd0",
        "http://evil.example/a/..%2f..%2f..%2fetc%2fpasswd",
        "file:///etc/passwd",
        "/etc/passwd",
        "..\\..\\windows\\system.ini",
        "C:\\Windows\\system.ini",
        "http://evil.example/a?xsd=..",
        "http://evil.example/a?wsdl=../../../x",
        "http://evil.example/./././",
        "http://evil.example//..//..//x",
        "http://evil.example/a\x00b/../c",
    ],
)
@pytest.mark.parametrize("root", [False, True])
def test_cache_name_cannot_escape_the_cache(location: str, root: bool, tmp_path: Path) -> None:
    cache = tmp_path / "spec" / "wsdl"
    name = cache_name(location, root=root)
    assert name and not name.startswith("/") and "\\" not in name and "\x00" not in name
    assert all(part not in ("", ".", "..") for part in name.split("/")), name
    assert cache in (cache / name).resolve().parents


def test_fetch_writes_hostile_imports_inside_the_cache(workspace: Project) -> None:
    hostile = (
        "http://evil.example/../../../../outside.xsd",
        "../../../../outside2.xsd",
        "http://evil.example/x?xsd=../../outside3",
    )
    documents = {
        hostile[0]: xsd_including(),
        f"{PRODUCTION}/outside2.xsd": xsd_including(),  # where the relative one resolves to
        hostile[2]: xsd_including(),
    }
    source = FakeSource({"/A/B.svc": wsdl_importing(schema_locations=hostile)}, documents)
    result = fetch(workspace, ["/A/B.svc"], source, locked=False)

    assert len(result.files) == 4
    written = [path for path in workspace.root.rglob("*") if path.is_file()]
    outside = [path for path in written if workspace.cache_dir not in path.parents]
    assert sorted(outside) == [workspace.spec_path, workspace.lock_path]
    assert cache_files(workspace) == set(result.files)
    assert_lock_matches_cache(workspace)


def test_imports_of_real_wsdls(mirror: Path) -> None:
    split = mirror / MIRROR_FILES[INTERMEDIARY_EC]
    assert imports_of(split.read_bytes(), str(split)) == [WSDL0_LOCATION]

    streamed = mirror / MIRROR_FILES[STREAMED_EC]
    base = f"http://st01.altinn.basefarm.net{STREAMED_EC}?xsd=xsd"
    expected = [f"{base}{n}" for n in (0, 2, 1, 3, 4)]  # document order
    assert imports_of(streamed.read_bytes(), str(streamed)) == expected
    xsd3 = mirror / XSD_FILES["ArchiveExternal/ReporteeArchiveExternalStreamedEC.svc.xsd3.xsd"][1]
    assert imports_of(xsd3.read_bytes(), str(xsd3)) == [f"{base}4"]

    single = mirror / MIRROR_FILES[CASE_EC]
    assert imports_of(single.read_bytes(), str(single)) == []


def test_imports_of_every_kind_and_nothing_else() -> None:
    document = f"""<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="{WSDL_NS}" xmlns:xs="{XSD_NS}" xmlns:o="urn:other">
  <wsdl:import namespace="urn:a" location="a.wsdl"/>
  <wsdl:import namespace="urn:no-location"/>
  <o:import location="not-wsdl.wsdl" schemaLocation="not-xsd.xsd"/>
  <wsdl:types>
    <xs:schema>
      <xs:import namespace="urn:b" schemaLocation="b.xsd"/>
      <xs:import namespace="urn:no-schema-location"/>
      <xs:include schemaLocation="c.xsd"/>
      <xs:redefine schemaLocation="d.xsd"/>
    </xs:schema>
  </wsdl:types>
</wsdl:definitions>""".encode()
    assert sorted(imports_of(document, "doc.wsdl")) == ["a.wsdl", "b.xsd", "c.xsd", "d.xsd"]
    assert imports_of(xsd_including("e.xsd", "f.xsd"), "e.xsd") == ["e.xsd", "f.xsd"]


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body>not xml<br></body></html>",
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        b"",
    ],
    ids=["html", "doctype", "empty"],
)
def test_imports_of_refuses_what_is_not_a_plain_xml_document(data: bytes) -> None:
    with pytest.raises(WsdlError) as info:
        imports_of(data, "http://h/doc.wsdl")
    assert str(info.value).startswith("http://h/doc.wsdl")
