"""`generate` and `check`: the committed generated/ is what the generator makes today, the same
whatever the hash seed, written in one swap, and bad input stops with one line before any write.

The module builds the package twice, in parallel subprocesses with hash seeds 0 and 12345; the
first build is the one every other test compares with (the CLI tests get it instead of building
again: their comparing and writing stay real).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import cli
from generator.formatcache import format_source as format_module
from generator.generate import (
    STATIC_PACKAGES,
    Output,
    differences,
    existing_files,
    write_output,
)
from generator.lock import Lock, LockedFile, read_lock, sha256
from generator.project import Project
from tests.conftest import REPO

SEEDS = ("0", "12345")
GENERATION_TIMEOUT = 600


# -- workspaces -------------------------------------------------------------------------------


def make_workspace(root: Path, fetched: Project, output: Output | None = None) -> Project:
    """A workspace like the repository: its spec, the `fetched` WSDL cache and lock (copies a
    test may change), a snapshot of templates/ and, given `output`, a generated/ holding it."""
    (root / "spec").mkdir(parents=True)
    shutil.copy(REPO / "spec" / "endpoints.yaml", root / "spec" / "endpoints.yaml")
    shutil.copy(fetched.lock_path, root / "spec" / "wsdl.lock")
    shutil.copytree(fetched.cache_dir, root / "spec" / "wsdl")
    shutil.copytree(REPO / "templates", root / "templates")
    project = Project(root)
    if output is not None:
        write_output(output, project.generated_dir)
    return project


def tree(folder: Path) -> dict[str, bytes]:
    """Every file of a generated tree (caches and egg-info left out, as `check` does)."""
    return {path: file.read_bytes() for path, file in sorted(existing_files(folder).items())}


def leftovers(parent: Path) -> list[str]:
    return sorted(path.name for path in parent.iterdir() if path.name.startswith(".generated-"))


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


# Builds the repository's package (its spec, WSDL cache and templates) into another folder.
GENERATE = """
import sys
from pathlib import Path
from generator.generate import build_output, write_output
from generator.project import Project
write_output(build_output(Project(Path(sys.argv[1]))), Path(sys.argv[2]))
"""


@dataclass
class Generation:
    """A whole generation running in a subprocess with a fixed PYTHONHASHSEED."""

    seed: str
    target: Path
    process: subprocess.Popen[str]

    def finish(self) -> dict[str, bytes]:
        stdout, stderr = self.process.communicate(timeout=GENERATION_TIMEOUT)
        assert self.process.returncode == 0, f"seed {self.seed}: {stdout}{stderr}"
        return tree(self.target)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Generation]]:
    """Two generations of the repository's package, in parallel, one per hash seed."""
    runs = {}
    for seed in SEEDS:
        target = tmp_path_factory.mktemp(f"seed-{seed}") / "generated"
        process = subprocess.Popen(
            [sys.executable, "-c", GENERATE, str(REPO), str(target)],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        runs[seed] = Generation(seed, target, process)
    yield runs
    for run in runs.values():
        if run.process.poll() is None:
            run.process.kill()
            run.process.communicate()


@pytest.fixture(scope="module")
def output(seeded: dict[str, Generation]) -> Output:
    """What the generator makes today from the repository (spec, WSDL cache and templates):
    the hash-seed-0 generation, the module's one build that every other test reuses."""
    return Output(seeded[SEEDS[0]].finish(), ())


@pytest.fixture
def built(output: Output, monkeypatch: pytest.MonkeyPatch) -> Output:
    """The CLI's `check`/`generate` use the module's build instead of building again (the
    comparison and the writing stay real)."""
    monkeypatch.setattr(cli, "build_output", lambda project, verify=False: output)
    return output


@pytest.fixture
def copy(output: Output, fetched: Project, tmp_path: Path) -> Project:
    """A workspace whose generated/ holds exactly `output`."""
    return make_workspace(tmp_path / "ws", fetched, output)


# -- 1. golden --------------------------------------------------------------------------------


def test_committed_generated_is_what_the_generator_makes_today(output: Output) -> None:
    problems = differences(output, REPO / "generated")
    assert problems == [], (
        "generated/ is stale; run `python -m generator generate` and review the diff:\n"
        + "\n".join(problems)
    )
    assert {"OPERATIONS.md", "pyproject.toml", "altinn2/py.typed", "altinn2/client.py"} <= set(
        output.files
    )


def test_check_cli_passes_on_the_repository(built: Output) -> None:
    result = run_cli("check", "--root", str(REPO))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"generated/ is up to date ({len(built.files)} files)\n"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("edit", "differs: altinn2/services/case.py"),
        ("add", "not generated: altinn2/services/extra.py"),
        ("remove", "missing: altinn2/models/enums.py"),
        ("empty", "differs: OPERATIONS.md"),
    ],
)
def test_check_cli_fails_naming_each_changed_file(
    built: Output, copy: Project, change: str, expected: str
) -> None:
    assert run_cli("check", "--root", str(copy.root)).exit_code == 0
    generated = copy.generated_dir
    if change == "edit":
        path = generated / "altinn2/services/case.py"
        path.write_bytes(path.read_bytes().replace(b"class Case(", b"class Case2(", 1))
    elif change == "add":
        (generated / "altinn2/services/extra.py").write_text("x = 1\n", encoding="utf-8")
    elif change == "remove":
        (generated / "altinn2/models/enums.py").unlink()
    else:
        (generated / "OPERATIONS.md").write_bytes(b"")

    result = run_cli("check", "--root", str(copy.root))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "generated/ is not what the generator makes today (1 files):",
        f"  {expected}",
        "run `altinn-codegen generate` and review the diff",
    ]


def test_check_cli_names_a_laid_out_module_black_would_change(
    output: Output, copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`generate` takes the modules it lays out without black; `check` has black format them
    (`verify`) and fails naming any black writes otherwise, even when the files match."""
    asked: list[bool] = []

    def verified(project: Project, verify: bool = False) -> Output:
        asked.append(verify)
        return dataclasses.replace(output, unstable=("altinn2/services/case.py",))

    monkeypatch.setattr(cli, "build_output", verified)
    result = run_cli("check", "--root", str(copy.root))
    assert asked == [True]
    assert result.exit_code == 1
    assert (
        "  black formats altinn2/services/case.py otherwise than the generator lays it out"
        in result.stdout
    )


def test_check_ignores_caches_but_not_other_files(built: Output, copy: Project) -> None:
    generated = copy.generated_dir
    artefacts = (
        "altinn2/__pycache__/client.cpython-311.pyc",
        ".mypy_cache/x.json",
        # what `pip install ./generated` (setuptools) leaves behind
        "build/lib/altinn2/client.py",
        "build/bdist.linux-x86_64/wheel/altinn2/__init__.py",
        "altinn2.egg-info/PKG-INFO",
        "dist/altinn2-0.1.0-py3-none-any.whl",
    )
    for cache in artefacts:
        (generated / cache).parent.mkdir(parents=True, exist_ok=True)
        (generated / cache).write_bytes(b"cache")
    assert run_cli("check", "--root", str(copy.root)).exit_code == 0
    (generated / "notes.txt").write_text("hand-written\n", encoding="utf-8")
    (generated / "altinn2/build.py").write_text("x = 1\n", encoding="utf-8")
    result = run_cli("check", "--root", str(copy.root))
    assert result.exit_code == 1
    assert "  not generated: notes.txt" in result.stdout
    assert "  not generated: altinn2/build.py" in result.stdout


def test_check_without_generated_lists_every_file_missing(built: Output, tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    shutil.copy(REPO / "spec" / "endpoints.yaml", tmp_path / "spec" / "endpoints.yaml")
    result = run_cli("check", "--root", str(tmp_path))
    assert result.exit_code == 1
    missing = [line for line in result.stdout.splitlines() if line.startswith("  missing: ")]
    assert len(missing) == len(built.files)


# -- 2. determinism ---------------------------------------------------------------------------


def test_generation_is_byte_identical_whatever_the_hash_seed(
    seeded: dict[str, Generation],
) -> None:
    first, second = (seeded[seed].finish() for seed in SEEDS)
    assert len(first) > 50
    assert sorted(first) == sorted(second)
    different = [path for path in first if first[path] != second[path]]
    assert different == [], f"PYTHONHASHSEED changes {different}"


def test_no_timestamps_in_generated_files(output: Output) -> None:
    """Nothing in the output depends on when it was generated. (The hand-written packages are
    copied from templates/ and may quote example timestamps in their docstrings.)"""
    now = dt.datetime.now(dt.UTC)
    today = [now.date(), (now - dt.timedelta(days=1)).date()]
    stamps = [day.isoformat() for day in today] + [day.strftime("%d.%m.%Y") for day in today]
    timestamp = re.compile(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
    static = tuple(f"altinn2/{package}/" for package in STATIC_PACKAGES)
    for path, data in output.files.items():
        for stamp in stamps:
            assert stamp.encode() not in data, f"{path} contains today's date {stamp}"
        if not path.startswith(static):
            assert not timestamp.search(data), f"{path}: {timestamp.search(data)}"


def test_hand_written_packages_are_copied_from_templates(output: Output) -> None:
    """altinn2/runtime and altinn2/testing are templates/runtime and templates/testing: the same
    modules, changed at most by the formatting every generated module gets."""
    for package in STATIC_PACKAGES:
        prefix = f"altinn2/{package}/"
        copied = {
            path.removeprefix(prefix): data
            for path, data in output.files.items()
            if path.startswith(prefix) and path.endswith(".py") and "/" not in path[len(prefix) :]
        }
        templates = REPO / "templates" / package
        assert sorted(copied) == sorted(path.name for path in templates.glob("*.py")), package
        for name, data in copied.items():
            source = (templates / name).read_bytes()
            if data != source:  # then only black and isort may have changed it
                formatted = format_module(source.decode("utf-8"))
                assert data.decode("utf-8") == formatted, f"{package}/{name} differs"


# -- 3. atomic writes and bad input -----------------------------------------------------------

SMALL = Output({"a.txt": b"new a\n", "pkg/b.py": b"B = 2\n", "pkg/c.py": b"C = 3\n"}, ())


@pytest.fixture
def old_tree(tmp_path: Path) -> Path:
    target = tmp_path / "generated"
    write_output(Output({"a.txt": b"old a\n", "pkg/old.py": b"OLD = 1\n"}, ()), target)
    return target


def test_write_output_replaces_the_tree_exactly(old_tree: Path) -> None:
    write_output(SMALL, old_tree)
    assert tree(old_tree) == SMALL.files
    assert leftovers(old_tree.parent) == []


def test_write_output_failing_midway_keeps_the_old_tree(
    old_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree(old_tree)
    real = Path.write_bytes
    written: list[Path] = []

    def failing(self: Path, data: bytes) -> int:
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(self)
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    with pytest.raises(OSError, match="No space left"):
        write_output(SMALL, old_tree)
    assert len(written) == 2  # it did fail midway, in the staging folder
    assert all(".generated-new-" in str(path) for path in written)
    assert tree(old_tree) == before
    assert leftovers(old_tree.parent) == []


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, OSError])
def test_write_output_failing_at_the_swap_puts_the_old_tree_back(
    old_tree: Path, monkeypatch: pytest.MonkeyPatch, interrupt: type[BaseException]
) -> None:
    """Where folders cannot be exchanged in one step (the two-rename fallback), the old tree is
    already moved aside when the new one cannot be moved in."""
    from generator import atomic

    monkeypatch.setattr(atomic, "exchange", lambda first, second: False)
    before = tree(old_tree)
    real = Path.rename
    moved: list[str] = []

    def failing(self: Path, target: Path) -> Path:
        if self.name.startswith(".generated-new-"):
            raise interrupt()
        moved.append(f"{self.name} -> {Path(target).parent.name}/{Path(target).name}")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", failing)
    with pytest.raises(interrupt):
        write_output(SMALL, old_tree)
    assert moved[0].startswith("generated -> .generated-old-")  # the old tree was aside
    assert tree(old_tree) == before
    assert leftovers(old_tree.parent) == []


def test_cli_generate_failing_midway_keeps_generated(
    built: Output, copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.write_bytes
    count = [0]

    def failing(self: Path, data: bytes) -> int:
        count[0] += 1
        if count[0] > len(built.files) // 2:
            raise OSError(13, "Permission denied")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    (copy.generated_dir / "altinn2/models/enums.py").unlink()  # so that a good run would differ
    before = tree(copy.generated_dir)
    result = run_cli("generate", "--root", str(copy.root))
    assert result.exit_code != 0
    assert isinstance(result.exception, OSError)
    assert tree(copy.generated_dir) == before
    assert leftovers(copy.root) == []


def test_cli_generate_writes_and_then_check_passes(built: Output, copy: Project) -> None:
    shutil.rmtree(copy.generated_dir / "altinn2" / "services")
    (copy.generated_dir / "stale.py").write_text("", encoding="utf-8")
    result = run_cli("generate", "--root", str(copy.root))
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        rf"wrote {len(built.files)} files to generated/ in \d+\.\d s\n", result.stdout
    )
    assert tree(copy.generated_dir) == built.files
    assert leftovers(copy.root) == []


def relock(project: Project, name: str, data: bytes) -> None:
    """Put `data` into cache file `name` and make the lock agree with it."""
    (project.cache_dir / name).write_bytes(data)
    lock = read_lock(project.lock_path)
    old = lock.files[name]
    files = {
        **lock.files,
        name: LockedFile(old.path, old.location, old.origin, len(data), sha256(data)),
    }
    project.lock_path.write_text(Lock(lock.endpoints, files).render(), encoding="utf-8")


RECEIPT_EC = "IntermediaryExternal/ReceiptExternalEC.svc.wsdl"


def break_spec(project: Project) -> str:
    text = project.spec_path.read_text(encoding="utf-8")
    line = text.splitlines().index("endpoints:") + 3  # inside the first row
    lines = text.splitlines(keepends=True)
    lines.insert(line, "    colour: blue\n")
    project.spec_path.write_text("".join(lines), encoding="utf-8")
    return rf"^error: \S*spec/endpoints\.yaml:{line + 1}: endpoints\[0\]\.colour: unknown key "


def break_encoding(project: Project) -> str:
    data = project.spec_path.read_bytes()
    project.spec_path.write_bytes(data.replace(b"default_environment: production", b"\xff", 1))
    return r"^error: \S*spec/endpoints\.yaml:\d+: not UTF-8: byte 0xff at column 1$"


def break_cache(project: Project) -> str:
    path = project.cache_dir / RECEIPT_EC
    path.write_bytes(path.read_bytes().replace(b"ReceiptExternalEC", b"ReceiptExternalXX", 1))
    return r"^error: spec/wsdl\.lock: content differs from the lock:$"


def break_policy(project: Project) -> str:
    data = (project.cache_dir / RECEIPT_EC).read_bytes()
    reference = b'PolicyReference URI="#CustomBinding_IReceiptExternalEC_policy"'
    assert reference in data
    relock(project, RECEIPT_EC, data.replace(reference, b'PolicyReference URI="#nowhere"'))
    return r"^error: \S*ReceiptExternalEC\.svc\?wsdl: binding \S+ refers to unknown policy nowhere$"


def break_xml(project: Project) -> str:
    data = (project.cache_dir / RECEIPT_EC).read_bytes()
    relock(project, RECEIPT_EC, data[: len(data) // 2])
    return r"^error: \S*ReceiptExternalEC\.svc\?wsdl:\d+: not well-formed XML: "


@pytest.mark.parametrize(
    ("breakage", "status"),
    [(break_spec, 2), (break_encoding, 2), (break_cache, 1), (break_policy, 2), (break_xml, 2)],
    ids=[
        "spec-error",
        "spec-not-utf8",
        "cache-differs-from-lock",
        "unknown-policy",
        "truncated-wsdl",
    ],
)
@pytest.mark.parametrize("command", ["generate", "check"])
def test_bad_input_is_one_line_and_leaves_generated_untouched(
    fetched: Project, tmp_path: Path, breakage: object, status: int, command: str
) -> None:
    project = make_workspace(tmp_path / "ws", fetched)
    # generated/ deliberately stale: a generation that got through would change it.
    write_output(Output({"altinn2/__init__.py": b"# old\n"}, ()), project.generated_dir)
    before = tree(project.generated_dir)
    assert callable(breakage)
    pattern = breakage(project)

    result = run_cli(command, "--root", str(project.root))
    assert result.exit_code == status, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert re.search(pattern, lines[0]), lines
    if status == 2:
        assert len(lines) == 1, lines
    else:  # a lock mismatch: the heading, one line per file, what to do
        assert lines[1] == f"  {RECEIPT_EC}: differs from the lock"
        assert "altinn-codegen fetch --locked" in lines[2]
    assert tree(project.generated_dir) == before
    assert leftovers(project.root) == []
