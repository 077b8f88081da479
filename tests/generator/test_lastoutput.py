"""The last output under the digest of its inputs (`generator.lastoutput`): every input of a
generation is in the digest, and a record is used only under its own digest and intact."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import lastoutput
from generator.lastoutput import LastOutput, input_digest
from generator.output import Output
from generator.project import Project

OUTPUT = Output({"altinn2/__init__.py": b"X = 1\n"}, ("report",), ("divergence",), "lock\n")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A workspace's inputs, as files (their content is never parsed here)."""
    files = {
        "spec/endpoints.yaml": "endpoints: []\n",
        "spec/wsdl.lock": "version: 1\n",
        "spec/models.lock": "types: {}\n",
        "spec/wsdl/A/One.svc.wsdl": "<definitions/>\n",
        "spec/wsdl/A/One.svc.xsd0": "<schema/>\n",
        "templates/service.py.jinja": "{{ x }}\n",
        "templates/runtime/codec.py": "Y = 2\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return Project(tmp_path)


def edit(name: str, text: str = "changed\n") -> Callable[[Project], None]:
    def change(project: Project) -> None:
        (project.root / name).parent.mkdir(parents=True, exist_ok=True)
        (project.root / name).write_text(text, encoding="utf-8")

    return change


@pytest.mark.parametrize(
    "change",
    [
        edit("spec/endpoints.yaml"),
        edit("spec/wsdl.lock"),
        edit("spec/models.lock"),
        lambda project: project.names_lock_path.unlink(),
        edit("spec/wsdl/A/One.svc.xsd0"),
        edit("spec/wsdl/A/Two.svc.wsdl"),  # a file more
        lambda project: (project.cache_dir / "A" / "One.svc.xsd0").rename(
            project.cache_dir / "A" / "One.svc.xsd1"  # the same bytes under another name
        ),
        edit("templates/service.py.jinja"),
        edit("templates/runtime/codec.py"),
        edit("templates/testing/mock.py"),
        lambda project: setattr(lastoutput, "FINGERPRINT", "another generator"),
    ],
    ids=[
        "spec",
        "lock",
        "names-lock",
        "names-lock-removed",
        "wsdl-file",
        "wsdl-file-added",
        "wsdl-file-renamed",
        "template",
        "runtime-source",
        "template-added",
        "generator-code-or-libraries",
    ],
)
def test_every_input_is_in_the_digest(
    project: Project, change: Callable[[Project], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lastoutput, "FINGERPRINT", lastoutput.FINGERPRINT)
    before = input_digest(project)
    assert input_digest(project) == before
    change(project)
    assert input_digest(project) != before


def test_what_is_no_input_is_not_in_the_digest(project: Project) -> None:
    before = input_digest(project)
    edit("templates/runtime/__pycache__/codec.cpython-311.pyc")(project)
    edit("generated/altinn2/__init__.py")(project)
    edit(".cache/format/00/entry")(project)
    assert input_digest(project) == before


@pytest.mark.parametrize("folder", ["templates/runtime", "spec/wsdl/A"])
def test_a_linked_folder_is_read_through(project: Project, folder: str, tmp_path: Path) -> None:
    """A folder that is a symbolic link is read as a generation reads it."""
    elsewhere = tmp_path.parent / f"{tmp_path.name}-linked"
    (project.root / folder).rename(elsewhere)
    (project.root / folder).symlink_to(elsewhere, target_is_directory=True)
    before = input_digest(project)
    first = next(path for path in elsewhere.iterdir())
    first.write_text("changed\n", encoding="utf-8")
    assert input_digest(project) != before


def test_a_record_gives_its_output_under_its_own_digest_only(project: Project) -> None:
    record = LastOutput(project)
    assert record.load("digest") is None
    record.save("digest", OUTPUT)
    assert LastOutput(project).load("digest") == OUTPUT
    assert LastOutput(project).load("another digest") is None


def test_a_damaged_record_or_one_of_another_layout_is_not_used(project: Project) -> None:
    record = LastOutput(project)
    record.save("digest", OUTPUT)
    data = record.path.read_bytes()
    record.path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert record.load("digest") is None
    body = b"not a pickle"
    record.path.write_bytes(b"digest\n" + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    assert record.load("digest") is None
