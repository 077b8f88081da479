"""The synthetic input corpus (`tests/inputs/<case>/`, one feature each): generate a package from
each case's spec and WSDLs, then import and run it (`check.py`, in a fresh interpreter) or, for a
case that must fail, compare the one-line error (`error.txt`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import UserError
from generator.fetch import MirrorSource, fetch
from generator.generate import build_output, write_output
from generator.project import Project
from generator.spec import load_spec

REPO = Path(__file__).resolve().parents[2]
INPUTS = REPO / "tests" / "inputs"
CASES = sorted(path for path in INPUTS.iterdir() if (path / "endpoints.yaml").is_file())


def generate_case(case: Path, root: Path) -> Path:
    """Generate the case's package into `root/generated` (its own workspace, the repo's
    templates)."""
    (root / "spec").mkdir(parents=True)
    shutil.copy(case / "endpoints.yaml", root / "spec" / "endpoints.yaml")
    (root / "templates").symlink_to(REPO / "templates")
    project = Project(root)
    spec = load_spec(project.spec_path)
    fetch(
        project,
        spec.endpoint_paths,
        MirrorSource(case / "wsdl", spec.base_url("production")),
        locked=False,
    )
    write_output(build_output(project), project.generated_dir)
    return project.generated_dir


def test_the_corpus_has_cases() -> None:
    assert CASES, INPUTS
    for case in CASES:
        assert (case / "check.py").is_file() != (case / "error.txt").is_file(), case.name


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case: Path, tmp_path: Path) -> None:
    expected_error = case / "error.txt"
    if expected_error.is_file():
        with pytest.raises(UserError) as raised:
            generate_case(case, tmp_path)
        message = str(raised.value)
        assert "\n" not in message
        assert message == expected_error.read_text(encoding="utf-8").strip()
        return
    generated = generate_case(case, tmp_path)
    result = subprocess.run(
        [sys.executable, str(case / "check.py"), str(generated)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
