"""One `generate` at a time (`generator.runlock`): a second run started while the first writes
generated/ waits for it, and the tree swapped in is complete; `generate` says when it rewrote
spec/models.lock, and a record built while the generator's code changed is not kept; `fetch`
swaps the WSDL cache under the same lock."""

from __future__ import annotations

import fcntl
import os
import pathlib
import threading
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import atomic, cli, fetch, runlock
from generator.lastoutput import LastOutput
from generator.output import Output
from generator.project import Project
from tests.generator.test_generate import tree

FILES = {f"altinn2/part{n % 4}/module{n}.py": f"N = {n}\n".encode() for n in range(24)}
OUTPUT = Output(FILES, ("report",), (), "names: {}\n")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A workspace whose build gives `OUTPUT` (no generation: only the writing is tested)."""
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "endpoints.yaml").write_text("endpoints: []\n", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    monkeypatch.setattr(cli, "build_output", lambda project, verify=False: OUTPUT)
    return Project(tmp_path)


def test_a_second_generate_waits_for_the_first_and_the_tree_is_complete(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run pauses after its second file in the staging folder; the second run starts
    then (it cleared the staging folder and swapped in its tree before the lock)."""
    paused, resume, second_waits = threading.Event(), threading.Event(), threading.Event()
    write_bytes = pathlib.Path.write_bytes
    written: list[Path] = []
    first: list[threading.Thread] = []

    def slow_write(self: Path, data: bytes) -> int:
        count = write_bytes(self, data)
        if threading.current_thread() in first and ".generated-new-" in str(self):
            written.append(self)
            if len(written) == 2:
                paused.set()
                assert resume.wait(60)
        return count

    acquire = runlock._acquire

    def noted_acquire(handle: int, shared: bool) -> None:
        if threading.current_thread() not in first:
            second_waits.set()  # about to wait for the first run's lock
        acquire(handle, shared)

    monkeypatch.setattr(pathlib.Path, "write_bytes", slow_write)
    monkeypatch.setattr(runlock, "_acquire", noted_acquire)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            cli.regenerate(project)
        except BaseException as exc:  # reported below
            errors.append(exc)

    first.append(threading.Thread(target=run))
    second = threading.Thread(target=run)
    first[0].start()
    assert paused.wait(60)
    second.start()
    while not (second_waits.is_set() or not second.is_alive()):
        second.join(0.01)
    resume.set()
    first[0].join(60)
    second.join(60)
    assert errors == []
    assert tree(project.generated_dir) == FILES
    assert not [path for path in project.root.iterdir() if path.name.startswith(".generated-")]


def test_generate_says_when_it_rewrote_the_names_lock(project: Project) -> None:
    assert cli.regenerate(project)[1:] == (True, True)
    assert cli.regenerate(project)[1:] == (False, False)
    project.names_lock_path.write_text("edited\n", encoding="utf-8")
    assert cli.regenerate(project)[1:] == (False, True)
    assert project.names_lock_path.read_text(encoding="utf-8") == OUTPUT.names_lock


def test_a_record_built_while_the_generator_changed_is_not_kept(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import stagecache

    def build_while_edited(project: Project, verify: bool = False) -> Output:
        monkeypatch.setattr(stagecache, "fingerprint", lambda package=None: "edited meanwhile")
        return OUTPUT

    monkeypatch.setattr(cli, "build_output", build_while_edited)
    cli.regenerate(project)
    assert tree(project.generated_dir) == FILES
    assert not LastOutput(project).path.exists()
    monkeypatch.undo()
    monkeypatch.setattr(cli, "build_output", lambda project, verify=False: OUTPUT)
    cli.regenerate(project)
    assert LastOutput(project).path.exists()  # built with the code it names: kept


def lock_is_held(project: Project) -> bool:
    """Whether another open file of the workspace lock is refused it now."""
    handle = os.open(project.run_lock_path, os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)
    return False


def test_fetch_swaps_the_wsdl_cache_under_the_workspace_lock(
    workspace: Project, mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[bool] = []
    replaced_tree = atomic.replaced_tree

    def noted(target: Path, files: Mapping[str, bytes]) -> AbstractContextManager[None]:
        held.append(lock_is_held(workspace))
        return replaced_tree(target, files)

    monkeypatch.setattr(fetch, "replaced_tree", noted)
    result = CliRunner().invoke(
        cli.main, ["fetch", "--root", str(workspace.root), "--from", str(mirror)]
    )
    assert result.exit_code == 0, result.output
    assert held == [True]
    assert not lock_is_held(workspace)  # released
