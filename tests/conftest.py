"""Shared fixtures: where the shared Altinn material is, and a fresh workspace per test.

The WSDLs, recorded envelopes and the Altinn page are data from elsewhere and are never copied into
the repository: tests read them from `$ALTINN2_SHARED` (default: `../shared` beside the checkout),
or from `$ALTINN2_WSDL_DIR` for the WSDL mirror alone.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.project import Project
from tests.pki import Pki, make_pki

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    return Path(os.environ.get("ALTINN2_SHARED", REPO.parent / "shared")).resolve()


def wsdl_mirror() -> Path:
    return Path(os.environ.get("ALTINN2_WSDL_DIR", shared_dir() / "altinn2-wsdl")).resolve()


@pytest.fixture(scope="session")
def shared() -> Path:
    folder = shared_dir()
    if not folder.is_dir():
        pytest.fail(f"shared material not found at {folder}; set ALTINN2_SHARED")
    return folder


@pytest.fixture(scope="session")
def mirror() -> Path:
    folder = wsdl_mirror()
    if not (folder / "catalog.xml").is_file():
        pytest.fail(f"WSDL mirror not found at {folder}; set ALTINN2_WSDL_DIR")
    return folder


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A test PKI (tests/pki.py), made once for the session and never changed: a test that
    needs another CA makes its own with `make_pki`."""
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def workspace(tmp_path: Path) -> Project:
    """A copy of the repository's spec (and lock, if any) in a temporary workspace."""
    (tmp_path / "spec").mkdir()
    shutil.copy(REPO / "spec" / "endpoints.yaml", tmp_path / "spec" / "endpoints.yaml")
    lock = REPO / "spec" / "wsdl.lock"
    if lock.exists():
        shutil.copy(lock, tmp_path / "spec" / "wsdl.lock")
    return Project(tmp_path)


@pytest.fixture(scope="session")
def fetched(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> Project:
    """A workspace whose WSDL cache was fetched from the mirror (session-wide: read only)."""
    from generator.fetch import MirrorSource, fetch
    from generator.spec import load_spec

    root = tmp_path_factory.mktemp("fetched")
    (root / "spec").mkdir()
    shutil.copy(REPO / "spec" / "endpoints.yaml", root / "spec" / "endpoints.yaml")
    project = Project(root)
    spec = load_spec(project.spec_path)
    fetch(
        project,
        spec.endpoint_paths,
        MirrorSource(mirror, spec.base_url("production")),
        locked=False,
    )
    return project
