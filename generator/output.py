"""A generation's output and how it reaches disk: written in one swap (nothing written when
generated/ already holds it), compared file by file (`check`). Light on imports: `generate`
with nothing to do uses this and none of the generating modules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.atomic import recover, replaced_tree, write_atomic
from generator.project import Project


@dataclass(frozen=True)
class Output:
    files: dict[str, bytes]  # path inside generated/ -> content
    report: tuple[str, ...]
    divergences: tuple[str, ...] = ()  # definitions of one type that are not compatible
    names_lock: str | None = None  # spec/models.lock as this generation leaves it
    # Modules the generator lays out itself that black formats otherwise (only when verified).
    unstable: tuple[str, ...] = ()


def write_output(output: Output, target: Path) -> bool:
    """Make `target` hold exactly `output`, in one swap; False (nothing written) when it holds
    exactly that already (build and cache artefacts aside, as `differences` has them). The
    caller holds the workspace lock (`generator.runlock`): another run's staging folder is never
    taken for a killed run's."""
    recover(target)  # what a killed run left beside, before looking at the tree
    if holds(target, output):
        return False
    with replaced_tree(target, output.files):
        pass
    return True


def write_names_lock(output: Output, project: Project) -> bool:
    """Make spec/models.lock what this generation leaves; whether it was written."""
    if output.names_lock is not None and names_lock_differs(output, project):
        write_atomic(project.names_lock_path, output.names_lock)
        return True
    return False


def names_lock_differs(output: Output, project: Project) -> bool:
    """Whether spec/models.lock is not what this generation would write."""
    if output.names_lock is None:
        return False
    try:
        return project.names_lock_path.read_text(encoding="utf-8") != output.names_lock
    except FileNotFoundError:
        return True


# What tools leave in generated/ (`pip install ./generated` builds in place, linters and test
# runners cache): never generated, never compared.
BUILD_DIRS = frozenset({"build", "dist", ".eggs"})  # at the top of generated/
CACHE_DIRS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
ARTEFACT_SUFFIXES = (".egg-info", ".pyc", ".pyo")


def is_artefact(relative: Path) -> bool:
    """A build or cache artefact (path relative to generated/)."""
    parts = relative.parts
    return bool(parts) and (
        parts[0] in BUILD_DIRS
        or any(part in CACHE_DIRS or part.endswith(ARTEFACT_SUFFIXES) for part in parts)
    )


def existing_files(target: Path) -> dict[str, Path]:
    found = {}
    if target.is_dir():
        for path in target.rglob("*"):
            relative = path.relative_to(target)
            if path.is_file() and not is_artefact(relative):
                found[relative.as_posix()] = path
    return found


def holds(target: Path, output: Output) -> bool:
    """Whether `target` holds exactly `output`'s files (`differences` finds none); reads up
    to the first difference."""
    present = existing_files(target)
    return present.keys() == output.files.keys() and all(
        present[path].read_bytes() == data for path, data in output.files.items()
    )


def differences(output: Output, target: Path) -> list[str]:
    """Each file of `target` that differs from `output`, is missing or is extra."""
    present = existing_files(target)
    problems = []
    for path in sorted(output.files.keys() | present.keys()):
        if path not in present:
            problems.append(f"missing: {path}")
        elif path not in output.files:
            problems.append(f"not generated: {path}")
        elif present[path].read_bytes() != output.files[path]:
            problems.append(f"differs: {path}")
    return problems
