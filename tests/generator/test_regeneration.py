"""A WSDL changes and the package is regenerated: a compatible change (one WSDL's type gains an
optional element) adds one field and breaks nothing; a genuine divergence is reported, naming
the type, the WSDLs and the difference, and the existing class keeps its name. In both, the
model tests (tests/generator/test_models.py) pass on the regenerated package.

Each test copies the WSDL mirror, changes one WSDL there and regenerates into a temporary
workspace that starts from the repository's spec and spec/models.lock.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from generator import cli
from generator.api.compare import compare
from generator.api.sources import folder_sources
from generator.api.surface import read_surface
from generator.fetch import MirrorSource, fetch
from generator.models.names import read_names_lock
from generator.project import Project
from generator.spec import load_spec
from generator.wsdl.namespaces import XSD, q
from tests.conftest import REPO

BROKER_BASIC = "BrokerServiceExternal/BrokerServiceExternalBasic.wsdl"
BROKER_BASIC_CACHED = "ServiceEngineExternal/BrokerServiceExternalBasic.svc.wsdl"
BROKER = "http://schemas.altinn.no/services/ServiceEngine/Broker/2015/06"
AVAILABLE_FILE = f"{{{BROKER}}}BrokerServiceAvailableFile"
MODELS = "altinn2.models.broker_2015_06"


MODEL_TESTS = "tests/generator/test_models.py"


def change_available_file(mirror: Path, change: Callable[[etree._Element], None]) -> None:
    """Apply `change` to the Basic broker WSDL's BrokerServiceAvailableFile sequence."""
    path = mirror / BROKER_BASIC
    tree = etree.parse(str(path))
    (sequence,) = tree.getroot().iterfind(
        f".//{q(XSD, 'complexType')}[@name='BrokerServiceAvailableFile']/{q(XSD, 'sequence')}"
    )
    change(sequence)
    tree.write(str(path), encoding="utf-8", xml_declaration=True)


def add_optional_priority(sequence: etree._Element) -> None:
    (file_name,) = sequence.iterfind(f"{q(XSD, 'element')}[@name='FileName']")
    # a copy of a parsed element keeps the document's namespace declarations, as a WSDL's would
    priority = copy.deepcopy(file_name)
    priority.attrib.clear()
    priority.attrib.update({"minOccurs": "0", "name": "Priority", "nillable": "true"})
    priority.set("type", f"{file_name.get('type', '').partition(':')[0]}:int")
    file_name.addnext(priority)


def retype_file_size(sequence: etree._Element) -> None:
    (file_size,) = sequence.iterfind(f"{q(XSD, 'element')}[@name='FileSize']")
    file_size.set("type", file_size.get("type", "").replace("long", "string"))


def regenerate(
    tmp: Path,
    mirror: Path,
    change: Callable[[etree._Element], None] | None,
    spec_edit: tuple[str, str] = ("", ""),
) -> Project:
    """A workspace like the repository (spec with `spec_edit` made, names lock, templates), its
    WSDLs fetched from a copy of the mirror in which `change` was made."""
    changed = tmp / "mirror"
    shutil.copytree(mirror, changed)
    if change is not None:
        change_available_file(changed, change)
    root = tmp / "workspace"
    (root / "spec").mkdir(parents=True)
    for name in ("endpoints.yaml", "models.lock"):
        shutil.copy(REPO / "spec" / name, root / "spec" / name)
    if spec_edit[0]:
        spec = (root / "spec" / "endpoints.yaml").read_text(encoding="utf-8")
        assert spec.count(spec_edit[0]) == 1
        (root / "spec" / "endpoints.yaml").write_text(spec.replace(*spec_edit), "utf-8")
    shutil.copytree(REPO / "templates", root / "templates")
    project = Project(root)
    spec = load_spec(project.spec_path)
    fetch(
        project,
        spec.endpoint_paths,
        MirrorSource(changed, spec.base_url("production")),
        locked=False,
    )
    return project


def generate(project: Project) -> tuple[str, str]:
    result = CliRunner().invoke(cli.main, ["generate", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def run_model_tests(project: Project) -> None:
    """tests/generator/test_models.py against the regenerated package and its WSDL cache."""
    env = {
        **os.environ,
        "PYTHONPATH": str(project.generated_dir),
        "ALTINN2_TEST_WORKSPACE": str(project.root),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/generator/test_models.py",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout


def api_changes(project: Project) -> dict[str, tuple[str, bool, str]]:
    old = read_surface(folder_sources(REPO / "generated"))
    new = read_surface(folder_sources(project.generated_dir))
    return {c.path: (c.change, c.breaking, c.detail) for c in compare(old, new)}


def variant_names(path: Path) -> dict[tuple[str, str, str], list[str]]:
    return {
        key: [v.name for v in variants] for key, variants in read_names_lock(path).types.items()
    }


def test_an_added_optional_element_adds_one_field_and_breaks_nothing(
    tmp_path: Path, mirror: Path
) -> None:
    project = regenerate(tmp_path, mirror, add_optional_priority)
    stdout, stderr = generate(project)

    assert AVAILABLE_FILE not in stderr  # no divergence
    assert (
        f"  complexType {AVAILABLE_FILE}: 2 compatible definitions merged into their union: "
        "element Priority added for ServiceEngineExternal/BrokerServiceExternalEC.svc.wsdl, "
        "ServiceEngineExternal/BrokerServiceExternalEC2.svc.wsdl"
    ) in stdout.splitlines()
    # The EC methods keep their return types; the one class gains an optional field.
    assert api_changes(project) == {
        f"{MODELS}.BrokerServiceAvailableFile.priority": ("added", False, "int | None")
    }
    assert variant_names(project.names_lock_path) == variant_names(REPO / "spec" / "models.lock")
    # Regenerating changes nothing: the lock now knows both forms; `check` compares it too.
    assert CliRunner().invoke(cli.main, ["check", "--root", str(project.root)]).exit_code == 0
    lock = project.names_lock_path.read_text(encoding="utf-8")
    stale = re.sub(r"(FactoryType: )[0-9a-f]{12}", r"\g<1>abcdefabcdef", lock)
    assert stale != lock
    project.names_lock_path.write_text(stale, "utf-8")
    result = CliRunner().invoke(cli.main, ["check", "--root", str(project.root)])
    assert result.exit_code == 1
    assert "  differs: spec/models.lock (public names)" in result.stdout.splitlines()
    run_model_tests(project)


def test_a_divergent_definition_is_reported_and_the_existing_class_keeps_its_name(
    tmp_path: Path, mirror: Path
) -> None:
    project = regenerate(tmp_path, mirror, retype_file_size)
    stdout, stderr = generate(project)

    # One warning: the list and the elements that refer to the type only follow it (stdout).
    (warning,) = [line for line in stderr.splitlines() if AVAILABLE_FILE in line]
    assert (
        f"  complexType {AVAILABLE_FILE}List: BrokerServiceAvailableFileListBasic of "
        f"{BROKER_BASIC_CACHED} follows the variants it refers to: "
    ) in stdout
    assert warning.startswith(
        f"warning: complexType {AVAILABLE_FILE} diverges in {BROKER_BASIC_CACHED} "
        "(generated there as BrokerServiceAvailableFileBasic, XML name kept) from "
        "BrokerServiceAvailableFile of "
    )
    assert warning.endswith(f"element FileSize: type {{{XSD}}}long -> {{{XSD}}}string"), warning
    changes = api_changes(project)
    # The existing class is untouched; the Basic WSDL's variant is a new class of its own.
    assert not [path for path in changes if path.startswith(f"{MODELS}.BrokerServiceAvailableFile")]
    assert changes[f"{MODELS}_basic.BrokerServiceAvailableFileBasic"][:2] == ("added", False)
    # Only what the Basic WSDL changed moves: no EC method or operation.
    moved = sorted(path for path in changes if not path.startswith("altinn2.models."))
    assert moved and all(
        "basic" in path.lower() or path.endswith("get_available_files") for path in moved
    ), moved
    run_model_tests(project)


def test_the_prefill_ec2_wsdl_adds_fields_and_takes_no_name(tmp_path: Path, mirror: Path) -> None:
    """The prefill EC endpoint's successor (EC2) defines Notification and PrefillFormTask with
    optional elements more. Generated without its row (the workspace) and with it (the
    repository), the model classes differ by those fields alone: the EC2 WSDL added them and
    renamed or retyped no class."""
    spec = (REPO / "spec" / "endpoints.yaml").read_text(encoding="utf-8")
    (row,) = re.findall(
        r"  - service: PrefillEUSExternal\n(?:    .*\n)*?    binding: EC2\n(?:    .*\n)*",
        spec,
    )
    project = regenerate(tmp_path, mirror, None, (row, ""))
    stdout, stderr = generate(project)

    assert "Notification" not in stderr
    assert "PreFillEUSExternalEC2" not in stdout
    models = {
        path.removeprefix("altinn2.models."): change
        for path, change in api_changes(project).items()
        if path.startswith("altinn2.models.")
    }
    assert models["notification_2009_10.Notification.notify_type"][:2] == ("removed", True)
    assert models["notification_2009_10.Notification.reportee_id"][:2] == ("removed", True)
    # only the fields the EC2 WSDL brought, the enum of one and EC2's own variant of the
    # operation's message; no class renamed or retyped
    assert all(change == "removed" for change, _, _ in models.values()), models
    own = {"enums.NotificationType", "pre_fill_service_2010_10_ec.GetPrefillDataECV2EC"}
    assert [path for path in models if path.count(".") != 2 and path not in own] == []
    before = variant_names(project.names_lock_path)
    after = variant_names(REPO / "spec" / "models.lock")  # EC2 may add a variant, keep all
    assert [
        key for key in before.keys() & after.keys() if before[key] != after[key][: len(before[key])]
    ] == []
