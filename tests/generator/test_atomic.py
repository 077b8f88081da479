"""Generation stays whole: a process killed (SIGKILL) at any point of swapping a tree in leaves
the old tree or the new one complete, and the next run removes whatever the kill left beside it.

Each scenario runs `replaced_tree` in a child process that kills itself at one chosen point.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from generator.atomic import recover, replaced_tree

OLD = {"a.txt": b"old a\n", "pkg/old.py": b"OLD = 1\n"}
NEW = {f"pkg/m{index}.py": f"M = {index}\n".encode() for index in range(20)} | {"a.txt": b"new\n"}

CHILD = """
import os, shutil, signal, sys
from pathlib import Path
from generator import atomic

target, point, fallback = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "fallback"
new = {f"pkg/m{index}.py": f"M = {index}\\n".encode() for index in range(20)} | {"a.txt": b"new\\n"}
die = lambda: os.kill(os.getpid(), signal.SIGKILL)
real_write, real_rename, real_exchange = Path.write_bytes, Path.rename, atomic.exchange
written = []

def write_bytes(self, data):
    written.append(self)
    if point == "writing" and len(written) == 10:
        die()
    return real_write(self, data)

def rename(self, other):
    if point == "before-rename" or (point == "between-renames" and ".generated-new-" in self.name):
        die()
    result = real_rename(self, other)
    if point == "after-renames" and ".generated-new-" in self.name:
        die()
    return result

def exchange(first, second):
    if fallback:
        return False
    if point == "before-rename":
        die()
    done = real_exchange(first, second)
    if point in ("between-renames", "after-renames"):
        die()
    return done

real_rmtree = shutil.rmtree
def rmtree(path, *args, **kwargs):
    if point == "cleaning":
        die()
    return real_rmtree(path, *args, **kwargs)

Path.write_bytes, Path.rename, shutil.rmtree = write_bytes, rename, rmtree
atomic.exchange = exchange
with atomic.replaced_tree(target, new):
    pass
"""

POINTS = ["writing", "before-rename", "between-renames", "after-renames", "cleaning"]


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(parent: Path) -> list[str]:
    return sorted(path.name for path in parent.iterdir() if path.name.startswith(".generated-"))


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
@pytest.mark.parametrize("point", POINTS)
def test_a_kill_at_any_point_leaves_a_whole_tree_and_the_next_run_cleans_up(
    tmp_path: Path, point: str, mode: str
) -> None:
    target = tmp_path / "generated"
    with replaced_tree(target, OLD):
        pass
    root = Path(__file__).resolve().parents[2]
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(target), point, mode],
        cwd=root,
        capture_output=True,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    if mode == "fallback":
        # Two renames cannot be one step: between them the old tree waits beside, whole, and
        # the recovery that starts every run puts it back.
        recover(target)
    assert files_of(target) in (OLD, NEW)  # never none, never half
    with replaced_tree(target, NEW):  # the next run
        pass
    assert files_of(target) == NEW
    assert leftovers(tmp_path) == []
