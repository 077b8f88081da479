"""Stage results remembered by content (`generator.stagecache`), and the last output under its
inputs' digest (`generator.lastoutput`): a regeneration after a change, or with nothing changed,
gives byte for byte what a generation from empty caches gives, and an entry that is damaged or
not a result is computed again, never trusted."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from generator import cli, stagecache
from generator.generate import Output, build_output
from generator.lock import Lock, LockedFile, read_lock, sha256
from generator.project import Project
from generator.stagecache import StageCache
from generator.wsdl.namespaces import XSD, q
from tests.conftest import REPO
from tests.generator.test_generate import make_workspace, tree

BROKER_BASIC = "ServiceEngineExternal/BrokerServiceExternalBasic.svc.wsdl"


class Counted:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> list[str]:
        self.calls += 1
        return ["result", str(self.calls)]


def test_a_result_is_computed_once_and_then_remembered(tmp_path: Path) -> None:
    compute = Counted()
    first = StageCache(tmp_path).remembered("stage", b"input", compute)
    again = StageCache(tmp_path).remembered("stage", b"input", compute)
    assert first == again == ["result", "1"]
    assert compute.calls == 1


def test_another_input_or_stage_is_computed_anew(tmp_path: Path) -> None:
    compute = Counted()
    cache = StageCache(tmp_path)
    cache.remembered("stage", b"input", compute)
    assert cache.remembered("stage", b"other", compute) == ["result", "2"]
    assert cache.remembered("other stage", b"input", compute) == ["result", "3"]


def test_a_damaged_entry_is_computed_again(tmp_path: Path) -> None:
    cache = StageCache(tmp_path)
    cache.remembered("stage", b"input", Counted())
    (entry,) = tmp_path.glob("*/*")
    entry.write_bytes(entry.read_bytes()[:-1] + b"X")
    compute = Counted()
    assert StageCache(tmp_path).remembered("stage", b"input", compute) == ["result", "1"]
    assert compute.calls == 1


def test_an_entry_that_is_no_result_is_computed_again(tmp_path: Path) -> None:
    cache = StageCache(tmp_path)
    key = cache.key("stage", b"input")
    cache.put(key, b"not a pickle")  # its own hash matches: only unpickling fails
    compute = Counted()
    assert cache.remembered("stage", b"input", compute) == ["result", "1"]
    assert compute.calls == 1


def test_each_run_keeps_only_the_entries_it_used(tmp_path: Path) -> None:
    cache = StageCache(tmp_path)
    cache.remembered("stage", b"old", Counted())
    cache.remembered("stage", b"kept", Counted())
    later = StageCache(tmp_path)
    later.remembered("stage", b"kept", Counted())
    later.keep_only_used()
    assert [path.name for path in tmp_path.glob("*/*")] == [later.key("stage", b"kept")]


def test_a_sweep_leaves_another_run_s_temporary_files_and_removes_old_ones(
    tmp_path: Path,
) -> None:
    """`.tmp-*` files (an entry's, or the last output's beside the entries) younger than a
    minute may be another run's, still being written; older ones a killed run's."""
    cache = StageCache(tmp_path)
    cache.remembered("stage", b"input", Counted())
    folder = next(path for path in tmp_path.iterdir() if path.is_dir())
    files = {name: folder / f".tmp-{name}" for name in ("fresh", "stale")}
    files |= {f"record-{name}": tmp_path / f".tmp-{name}" for name in ("fresh", "stale")}
    for name, path in files.items():
        path.write_bytes(b"partial")
        if "stale" in name:
            os.utime(path, (time.time() - 3600, time.time() - 3600))
    StageCache(tmp_path).keep_only_used()
    assert sorted(name for name, path in files.items() if path.exists()) == [
        "fresh",
        "record-fresh",
    ]


def test_the_fingerprint_follows_the_generator_s_files_and_libraries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "generator"
    shutil.copytree(REPO / "generator", package, ignore=shutil.ignore_patterns("__pycache__"))
    before = stagecache.fingerprint(package)
    assert stagecache.fingerprint(package) == before
    (package / "naming.py").write_text("# edited\n", encoding="utf-8")
    edited = stagecache.fingerprint(package)
    assert edited != before
    real_version = stagecache.version
    monkeypatch.setattr(
        stagecache, "version", lambda name: "9.9" if name == "markupsafe" else real_version(name)
    )
    assert stagecache.fingerprint(package) != edited
    monkeypatch.setattr(stagecache, "version", real_version)
    monkeypatch.setattr(stagecache, "_native_libraries", lambda: "libxml2 1 yaml SafeLoader")
    assert stagecache.fingerprint(package) != edited


# The same model classes built and pickled in a process of its own (its hash seed given).
STABLE_PICKLE = """
import hashlib, sys
from xsdata.codegen.models import Attr, AttrType, Class, Restrictions
from generator.models.render import stable_pickle

name = sys.argv[1]
sequences = [object() for _ in range(3)]  # xsdata numbers by id(): other numbers each run
string = "{http://www.w3.org/2001/XMLSchema}string"
attrs = [
    Attr(
        tag="Element",
        name=attr,
        types=[AttrType(qname=string, native=True)],
        restrictions=Restrictions(min_occurs=1, path=[("s", id(sequences[n]), 1, 1)]),
    )
    for n, attr in enumerate([name, "b", "c"])
]
owner = Class(qname="{urn:x}A", tag="ComplexType", location="x.xsd", attrs=attrs)
print(hashlib.sha256(stable_pickle([owner])).hexdigest())
"""


def pickled_in_a_process(seed: str, name: str) -> str:
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run(
        [sys.executable, "-c", STABLE_PICKLE, name],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_stable_pickle_gives_the_same_bytes_in_every_process() -> None:
    first = pickled_in_a_process("1", "a")
    assert pickled_in_a_process("2", "a") == first
    assert pickled_in_a_process("2", "a2") != first


def add_optional_element(project: Project, name: str) -> None:
    """An optional element more in a type of the Basic broker WSDL, the lock to match."""
    path = project.cache_dir / BROKER_BASIC
    tree = etree.parse(str(path))
    (file_name,) = tree.getroot().iterfind(
        f".//{q(XSD, 'complexType')}[@name='BrokerServiceAvailableFile']/{q(XSD, 'sequence')}"
        f"/{q(XSD, 'element')}[@name='FileName']"
    )
    added = etree.Element(q(XSD, "element"), minOccurs="0", name=name, nillable="true")
    added.set("type", f"{file_name.get('type', '').partition(':')[0]}:int")
    file_name.addnext(added)
    tree.write(str(path), encoding="utf-8", xml_declaration=True)
    data = path.read_bytes()
    lock = read_lock(project.lock_path)
    old = lock.files[BROKER_BASIC]
    changed = LockedFile(old.path, old.location, old.origin, len(data), sha256(data))
    project.lock_path.write_text(
        Lock(lock.endpoints, {**lock.files, BROKER_BASIC: changed}).render(), encoding="utf-8"
    )


def test_a_warm_regeneration_after_a_wsdl_change_is_byte_identical_to_a_cold_one(
    fetched: Project, tmp_path: Path
) -> None:
    warm = make_workspace(tmp_path / "warm", fetched)
    before = build_output(warm)  # fills the caches
    assert any(warm.stage_cache_dir.glob("*/*"))
    add_optional_element(warm, "StageCacheProbe")
    after = build_output(warm)
    cold = make_workspace(tmp_path / "cold", fetched)
    add_optional_element(cold, "StageCacheProbe")
    fresh = build_output(cold)
    assert after.files == fresh.files
    assert after.report == fresh.report and after.names_lock == fresh.names_lock
    changed = {path for path in after.files if after.files[path] != before.files.get(path)}
    assert "altinn2/models/broker_2015_06.py" in changed  # the change reached the output


def generate(project: Project) -> str:
    result = CliRunner().invoke(cli.main, ["generate", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[-1]


def with_names_lock(project: Project) -> Project:
    shutil.copy(REPO / "spec" / "models.lock", project.names_lock_path)
    return project


def test_cached_generate_commands_write_what_a_cold_generate_writes(
    fetched: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`generate` from empty caches, then with nothing changed (from the last run's record,
    nothing built), with generated/ edited by hand, and after a WSDL change (the stage and
    formatting caches of the earlier runs): every tree is byte for byte what a cold `generate`
    of the same inputs writes."""
    warm = with_names_lock(make_workspace(tmp_path / "warm", fetched))
    assert generate(warm).startswith("wrote ")
    first = tree(warm.generated_dir)
    assert first == tree(REPO / "generated")  # the repository's inputs: its package

    def no_build(project: Project, verify: bool = False) -> Output:
        raise AssertionError("built although nothing changed")

    with monkeypatch.context() as patched:
        patched.setattr(cli, "build_output", no_build)
        assert "none written" in generate(warm)
        assert tree(warm.generated_dir) == first
        (warm.generated_dir / "altinn2" / "client.py").write_text("# edited\n", "utf-8")
        (warm.generated_dir / "altinn2" / "models" / "enums.py").unlink()
        assert generate(warm).startswith("wrote ")  # put back from the record
        assert tree(warm.generated_dir) == first

    add_optional_element(warm, "CachedCliProbe")
    assert generate(warm).startswith("wrote ")
    cold = with_names_lock(make_workspace(tmp_path / "cold", fetched))
    add_optional_element(cold, "CachedCliProbe")
    assert not cold.stage_cache_dir.exists() and not cold.format_cache_dir.exists()
    generate(cold)
    assert tree(warm.generated_dir) == tree(cold.generated_dir) != first
    assert warm.names_lock_path.read_bytes() == cold.names_lock_path.read_bytes()
    # The change rewrote spec/models.lock, an input: built once more (nothing to write), and
    # from then on the record.
    assert "none written" in generate(warm)
    with monkeypatch.context() as patched:
        patched.setattr(cli, "build_output", no_build)
        assert "none written" in generate(warm)
    assert CliRunner().invoke(cli.main, ["check", "--root", str(warm.root)]).exit_code == 0


def test_check_takes_no_formatted_module_from_the_format_cache(
    fetched: Project, tmp_path: Path
) -> None:
    """An entry of the format cache that is intact (its hash line matches) but is not what
    black writes: `generate` takes it, `check` formats for itself and finds the difference."""
    project = with_names_lock(make_workspace(tmp_path / "workspace", fetched))
    generate(project)
    module = "altinn2/models/broker_2015_06.py"
    formatted = (project.generated_dir / module).read_text(encoding="utf-8")
    entries = [
        path
        for path in project.format_cache_dir.glob("*/*")
        if path.read_text(encoding="utf-8").partition("\n")[2] == formatted
    ]
    assert entries
    tampered = formatted + "TAMPERED = 1\n"
    for entry in entries:
        entry.write_text(f"{sha256(tampered.encode())}\n{tampered}", encoding="utf-8")
    (project.stage_cache_dir / "last-output").unlink()
    generate(project)
    assert (project.generated_dir / module).read_text(encoding="utf-8") == tampered
    result = CliRunner().invoke(cli.main, ["check", "--root", str(project.root)])
    assert result.exit_code == 1
    assert f"differs: {module}" in result.output
