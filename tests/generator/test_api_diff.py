"""`altinn-codegen api-diff`: the public API of generated/ read with `ast`, compared with a git
revision or a folder, each change classified as added/changed/removed and breaking or not."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import cli
from generator.api.compare import Change, compare
from generator.api.sources import folder_sources
from generator.api.surface import Surface, read_surface
from tests.conftest import REPO

MODEL = """
from dataclasses import dataclass, field
from enum import Enum


class Status(Enum):
    OK = "Ok"
    FAILED = "Failed"


@dataclass(kw_only=True)
class Receipt:
    receipt_id: int = field(metadata={"name": "ReceiptId"})
    text: str | None = field(default=None, metadata={"name": "Text"})
    status: Status | None = None
    attachment: Receipt.Attachment | None = None

    @dataclass(kw_only=True)
    class Attachment:
        name: str

    class Meta:
        name = "Receipt"
        namespace = "urn:r"
"""

SERVICE = '''
from altinn2.runtime.operation import Binding, Effect, OperationInfo

GET_RECEIPT = OperationInfo(
    name="GetReceipt",
    binding=Binding.BASIC,
    path="/R.svc",
    input=GetReceipt,
    output=GetReceiptResponse,
    soap_action="urn:get",
    effect=Effect.READ,
)


class Receipts(Service):
    def get_receipt(self, *, receipt_id: int, base_url: str | None = None) -> Receipt | None:
        """Docs are no API."""
'''


def surface_of(model: str = MODEL, service: str = SERVICE) -> Surface:
    return read_surface(
        {
            "altinn2/__init__.py": "",
            "altinn2/models/receipts.py": textwrap.dedent(model),
            "altinn2/services/receipts.py": textwrap.dedent(service),
            "altinn2/runtime/client.py": "class Hidden:\n    x: int\n",  # a template: not API
        }
    )


def diff(model: str = MODEL, service: str = SERVICE) -> dict[str, Change]:
    changes = compare(surface_of(), surface_of(model, service))
    return {change.path.removeprefix("altinn2."): change for change in changes}


def test_the_surface_covers_classes_fields_members_methods_and_operations() -> None:
    surface = surface_of()
    assert {path.removeprefix("altinn2.") for path in surface} == {
        "models.receipts.Status",
        "models.receipts.Status.OK",
        "models.receipts.Status.FAILED",
        "models.receipts.Receipt",
        "models.receipts.Receipt.receipt_id",
        "models.receipts.Receipt.text",
        "models.receipts.Receipt.status",
        "models.receipts.Receipt.attachment",
        "models.receipts.Receipt.Attachment",
        "models.receipts.Receipt.Attachment.name",
        "services.receipts.GET_RECEIPT",
        "services.receipts.Receipts",
        "services.receipts.Receipts.get_receipt",
    }
    receipt = surface["altinn2.models.receipts.Receipt"]
    assert receipt.signature == "XML {urn:r}Receipt"
    assert surface["altinn2.models.receipts.Receipt.receipt_id"].required
    assert not surface["altinn2.models.receipts.Receipt.text"].required


def test_identical_sources_make_no_change() -> None:
    assert diff() == {}
    # docstrings and formatting are not API
    assert diff(service=SERVICE.replace("Docs are no API.", "Other words.")) == {}


@pytest.mark.parametrize(
    ("model", "path", "change", "breaking"),
    [
        # an optional field more: what a compatible WSDL change gives
        (
            MODEL.replace("    status:", "    note: str | None = field(default=None)\n    status:"),
            "models.receipts.Receipt.note",
            "added",
            False,
        ),
        # a required field more: old constructors break
        (
            MODEL.replace("    status:", "    note: str = field(metadata={})\n    status:"),
            "models.receipts.Receipt.note",
            "added",
            True,
        ),
        (
            MODEL.replace(
                '    text: str | None = field(default=None, metadata={"name": "Text"})\n', ""
            ),
            "models.receipts.Receipt.text",
            "removed",
            True,
        ),
        (
            MODEL.replace("text: str | None", "text: int | None"),
            "models.receipts.Receipt.text",
            "changed",
            True,
        ),
        (
            MODEL.replace("text: str | None = field(default=None, ", "text: str | None = field("),
            "models.receipts.Receipt.text",
            "changed",
            True,
        ),
        (
            MODEL.replace("receipt_id: int = field(", "receipt_id: int = field(default=0, "),
            "models.receipts.Receipt.receipt_id",
            "changed",
            False,
        ),
        (
            MODEL.replace('    FAILED = "Failed"\n', ""),
            "models.receipts.Status.FAILED",
            "removed",
            True,
        ),
        (
            MODEL.replace('    FAILED = "Failed"\n', '    FAILED = "Failed"\n    LATE = "Late"\n'),
            "models.receipts.Status.LATE",
            "added",
            False,
        ),
        (
            MODEL.replace('name = "Receipt"', 'name = "ReceiptV2"'),
            "models.receipts.Receipt",
            "changed",
            True,
        ),
    ],
    ids=[
        "optional-field-added",
        "required-field-added",
        "field-removed",
        "field-type-changed",
        "field-now-required",
        "field-now-optional",
        "enum-member-removed",
        "enum-member-added",
        "xml-name-changed",
    ],
)
def test_model_changes_are_classified(model: str, path: str, change: str, breaking: bool) -> None:
    changes = diff(model=model)
    assert list(changes) == [path]
    assert (changes[path].change, changes[path].breaking) == (change, breaking)


def test_a_new_or_removed_class_is_one_change() -> None:
    added = diff(model=MODEL + "\n\nclass Extra:\n    a: int\n    b: str\n")
    assert [(p, c.change, c.breaking) for p, c in added.items()] == [
        ("models.receipts.Extra", "added", False)
    ]
    removed = diff(model=MODEL.split("@dataclass")[0])
    assert [(p, c.change, c.breaking) for p, c in removed.items()] == [
        ("models.receipts.Receipt", "removed", True)
    ]


@pytest.mark.parametrize(
    ("service", "path", "breaking", "detail"),
    [
        (
            SERVICE.replace(
                "base_url: str | None = None)",
                "base_url: str | None = None, timeout: float | None = None)",
            ),
            "services.receipts.Receipts.get_receipt",
            False,
            "parameter `timeout: float | None = ...` added",
        ),
        (
            SERVICE.replace(
                "base_url: str | None = None)", "base_url: str | None = None, language: int)"
            ),
            "services.receipts.Receipts.get_receipt",
            True,
            "parameter `language: int` added (required)",
        ),
        (
            SERVICE.replace("receipt_id: int, ", ""),
            "services.receipts.Receipts.get_receipt",
            True,
            "parameter `receipt_id` removed",
        ),
        (
            SERVICE.replace("receipt_id: int,", "receipt_id: str,"),
            "services.receipts.Receipts.get_receipt",
            True,
            "`receipt_id`: `int` -> `str`",
        ),
        (
            SERVICE.replace("receipt_id: int,", "receipt_id: int | str,"),
            "services.receipts.Receipts.get_receipt",
            False,
            "`receipt_id`: `int` -> `int | str` (widened)",
        ),
        (
            SERVICE.replace("receipt_id: int,", "receipt_id: list[int | str],"),
            "services.receipts.Receipts.get_receipt",
            True,
            "`receipt_id`: `int` -> `list[int | str]`",
        ),
        (
            SERVICE.replace("-> Receipt | None", "-> Receipt | ReceiptEC | None"),
            "services.receipts.Receipts.get_receipt",
            True,
            "returns `def Receipt | None` -> `def Receipt | ReceiptEC | None`",
        ),
        (
            SERVICE.replace('path="/R.svc"', 'path="/R2.svc"'),
            "services.receipts.GET_RECEIPT",
            True,
            "path: `'/R.svc'` -> `'/R2.svc'`",
        ),
        (
            SERVICE.replace("Binding.BASIC", "Binding.WS"),
            "services.receipts.GET_RECEIPT",
            True,
            "binding: `Binding.BASIC` -> `Binding.WS`",
        ),
        (
            SERVICE.replace("Effect.READ", "Effect.WRITE"),
            "services.receipts.GET_RECEIPT",
            False,
            "effect: `Effect.READ` -> `Effect.WRITE`",
        ),
    ],
    ids=[
        "optional-param",
        "required-param",
        "param-removed",
        "param-type",
        "param-widened",
        "param-in-a-list",
        "return-type",
        "operation-path",
        "operation-binding",
        "operation-retry",
    ],
)
def test_service_changes_are_classified(
    service: str, path: str, breaking: bool, detail: str
) -> None:
    changes = diff(service=service)
    assert list(changes) == [path]
    assert (changes[path].change, changes[path].breaking, changes[path].detail) == (
        "changed",
        breaking,
        detail,
    )


def test_metadata_the_generator_leaves_to_its_defaults_is_no_change() -> None:
    """OperationInfo derives `action` (the SOAP action), `reply_action` (action + "Response") and
    the flags when the generator leaves them out: spelled out, they are the same contract."""
    spelled = SERVICE.replace(
        "    effect=Effect.READ,\n",
        '    effect=Effect.READ,\n    action="urn:get",\n    reply_action="urn:getResponse",\n'
        "    addressing=False,\n    mtom=False,\n",
    )
    assert spelled != SERVICE
    assert diff(service=spelled) == {}
    other = spelled.replace('reply_action="urn:getResponse"', 'reply_action="urn:other"')
    assert diff(service=other)["services.receipts.GET_RECEIPT"].breaking


# -- the command, on the real package --------------------------------------------------------


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with the spec and a copy of generated/'s Python sources, committed."""
    (tmp_path / "spec").mkdir()
    shutil.copy(REPO / "spec" / "endpoints.yaml", tmp_path / "spec" / "endpoints.yaml")
    shutil.copytree(
        REPO / "generated" / "altinn2",
        tmp_path / "generated" / "altinn2",
        ignore=shutil.ignore_patterns("__pycache__", "schemas", "*.xsd"),
    )
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "generated")
    return tmp_path


def test_the_real_package_has_every_kind_of_entry() -> None:
    surface = read_surface(folder_sources(REPO / "generated"))
    kinds = {entry.kind for entry in surface.values()}
    assert kinds == {"class", "enum", "field", "member", "method", "operation"}
    assert "altinn2.services.receipt_external.GET_RECEIPT_BASIC_V2" in surface
    method = surface["altinn2.services.receipt_external.ReceiptExternal.get_receipt_basic_v2"]
    assert method.params[0].name == "receipt"
    assert not any(path.startswith(("altinn2.runtime", "altinn2.testing")) for path in surface)


def test_cli_against_head_and_a_folder(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = run_cli("api-diff", "--root", str(repo), "--fail-on-breaking")
    assert result.exit_code == 0, result.output
    assert "No change to the public API." in result.stdout

    before = tmp_path_factory.mktemp("before")
    shutil.copytree(repo / "generated", before / "generated")
    module = repo / "generated" / "altinn2" / "models" / "receipt_2015_06.py"
    text = module.read_text(encoding="utf-8")
    assert "    receipt_text: str | None = field(\n" in text
    module.write_text(
        text.replace(
            "    receipt_text: str | None = field(\n", "    receipt_text: int | None = field(\n", 1
        ),
        encoding="utf-8",
    )
    (repo / "generated" / "altinn2" / "models" / "extra_2030_01.py").write_text(
        "class NewType:\n    a: int\n", encoding="utf-8"
    )

    for args in ((), ("HEAD",), ("--against", str(before / "generated"))):
        result = run_cli("api-diff", "--root", str(repo), *args)
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert "1 breaking, 1 not breaking (1 added, 1 changed, 0 removed)." in lines
        assert (
            "| changed | `models.receipt_2015_06.Receipt.receipt_text` | field "
            "| `str \\| None` -> `int \\| None` |" in lines
        )
        assert "| added | `models.extra_2030_01.NewType` | class | class |" in lines
        assert lines.index("### Breaking for an app") < lines.index("### Not breaking")

    result = run_cli("api-diff", "--root", str(repo), "--fail-on-breaking")
    assert result.exit_code == 1 and "1 breaking" in result.stdout


def test_cli_names_a_bad_revision_or_folder(repo: Path, tmp_path: Path) -> None:
    result = run_cli("api-diff", "--root", str(repo), "no-such-rev")
    assert result.exit_code != 0
    assert result.stderr.startswith("error: git archive") and result.stderr.endswith("\n")
    (tmp_path / "empty").mkdir()
    result = run_cli("api-diff", "--root", str(repo), "--against", str(tmp_path / "empty"))
    assert result.stderr == f"error: {tmp_path / 'empty'}: no generated `altinn2` package here\n"
