"""spec/endpoints.yaml: every row of Altinn's page, and a schema that catches mistakes by line."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import SpecError
from generator.spec import load_spec, parse_spec
from tests.conftest import REPO

SPEC = REPO / "spec" / "endpoints.yaml"


def page_rows(page: Path) -> list[tuple[str, str, str, str, str]]:
    """The table of the Altinn page, parsed independently of the spec loader.

    Returns (service heading, base operation, binding label, URL, operation) per endpoint row;
    a row with an empty first cell continues the base operation above it.
    """
    rows = []
    service = base = ""
    for line in page.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        heading = re.fullmatch(r"\*\*(\w+)\*\*", cells[0])
        if heading and heading.group(1) != "Basis":
            service = heading.group(1)
            continue
        endpoint = (
            re.fullmatch(r"(WS|Basic|EC)(?:\s+[Hh]ttp)?\s*<(.+)>", cells[1])
            if len(cells) > 2
            else None
        )
        if endpoint is None:
            continue
        base = cells[0] or base
        rows.append((service, base, endpoint.group(1), endpoint.group(2), cells[2]))
    return rows


def test_every_row_of_the_page_is_in_the_spec_as_printed(shared: Path) -> None:
    page = page_rows(shared / "seed" / "endpoints-overview.md")
    spec = load_spec(SPEC)
    transcribed = [
        (r.service, r.base_operation, r.binding, r.url, r.operation)
        for r in spec.endpoints
        if spec.bindings[r.binding].printed
    ]
    assert len(page) == 114
    assert transcribed == page


def test_binding_counts_match_the_page() -> None:
    spec = load_spec(SPEC)
    printed = [row for row in spec.endpoints if spec.bindings[row.binding].printed]
    assert Counter(row.binding for row in printed) == {"Basic": 44, "WS": 41, "EC": 29}
    # EC2, not on the page: the successor of every EC row, each naming its WSDL
    ec2 = [row for row in spec.endpoints if row.binding == "EC2"]
    assert len(ec2) == 29 and all(row.note and ".wsdl" in row.note for row in ec2)
    assert len({row.url for row in ec2}) == 12
    assert len(spec.services) == 13
    assert set(spec.services) == {row.service for row in spec.endpoints}


def test_errata_are_recorded_beside_what_the_page_says() -> None:
    rows = {(r.service, r.operation): r for r in load_spec(SPEC).endpoints}
    mislabelled = rows[("IntermediaryInboundStreamed", "SubmitAttachmentStreamed")]
    assert (mislabelled.binding, mislabelled.effective_binding) == ("Basic", "WS")
    update = rows[("IntermediaryInbound", "UpdateFormDataBasic")]
    assert (update.base_operation, update.effective_base_operation) == (
        "SubmitFormTask",
        "UpdateFormData",
    )
    plural = rows[("CorrespondenceExternal", "GetCorrespondenceForEndUserSystemBasicV2")]
    assert plural.operation_name == "GetCorrespondenceForEndUserSystemsBasicV2"
    unnamed = rows[("Workflow", "")]
    assert unnamed.operation_name == "GetProcessDetailsBasicV3"
    wrong_url = rows[("Workflow", "GetProcessDetailsBasicV2")]
    assert wrong_url.url.endswith("/WorkflowServiceExternal.svc")
    assert wrong_url.path == "/ServiceEngineExternal/WorkflowServiceExternalBasic.svc"
    swapped = rows[("KeyManagement", "GetCertificatesBasic")]
    assert (swapped.binding, swapped.operation_name) == ("WS", "GetCertificatesExternal")
    for row in rows.values():
        assert not row.is_corrected or row.note, row


def test_environments_and_paths() -> None:
    spec = load_spec(SPEC)
    assert spec.environments["production"] == "https://www.altinn.no"
    assert spec.environments["tt02"] == "https://tt02.altinn.no"
    assert {"at22", "at23", "at24", "yt01"} <= spec.environments.keys()
    assert all(path.startswith("/") and path.endswith(".svc") for path in spec.endpoint_paths)
    with pytest.raises(SpecError, match="unknown environment 'prod'"):
        spec.base_url("prod")


GOOD_ROW = """\
  - service: Case
    base_operation: GetCaseList
    binding: EC
    url: https://www.altinn.no/ServiceEngineExternal/CaseEC.svc
    operation: GetCaseListEC
"""


def effects_for(rows: str) -> str:
    """An `effects` section classifying every base operation the rows name (after fixes)."""
    names: dict[str, None] = {}
    for row in rows.split("  - ")[1:]:
        fix = re.search(r"base_operation_fix: *(\S+)", row)
        base = re.search(r"base_operation: *(\S+)", row)
        if fix or base:
            names[(fix or base).group(1)] = None  # type: ignore[union-attr]
    return "effects:\n" + "".join(f"  {name}: read\n" for name in names) if names else ""


def minimal_spec(rows: str = GOOD_ROW, extra_top: str = "", effects: str | None = None) -> str:
    effects = effects_for(rows) if effects is None else effects
    return f"""\
environments:
  production: https://www.altinn.no
default_environment: production
bindings:
  EC:
    label: EC
    description: certificate
services:
  - Case
{extra_top}endpoints:
{rows}{effects}"""


@pytest.mark.parametrize(
    ("rows", "line", "field", "message"),
    [
        (GOOD_ROW + "    colour: red\n", 16, "endpoints[0].colour", "unknown key"),
        (
            GOOD_ROW + GOOD_ROW,
            16,
            "endpoints[1]",
            "duplicate row: Case GetCaseList EC (first on line 11)",
        ),
        (
            GOOD_ROW.replace("binding: EC", "binding: Soap"),
            13,
            "endpoints[0].binding",
            "unknown binding 'Soap'",
        ),
        (
            GOOD_ROW.replace("service: Case", "service: Cases"),
            11,
            "endpoints[0].service",
            "unknown service",
        ),
        (
            GOOD_ROW.replace("https://www.altinn.no/", "htps:/www.altinn.no/"),
            14,
            "endpoints[0].url",
            "not an http(s) URL",
        ),
        (
            GOOD_ROW.replace("https://www.altinn.no", "https://www.altinn.no:99999"),
            14,
            "endpoints[0].url",
            "not a URL",
        ),
        (
            GOOD_ROW.replace("www.altinn.no", "tt02.altinn.no"),
            14,
            "endpoints[0].url",
            "production URLs",
        ),
        (GOOD_ROW.replace("CaseEC.svc", "CaseEC.asmx"), 14, "endpoints[0].url", "ending in .svc"),
        (
            GOOD_ROW.replace("    operation: GetCaseListEC\n", ""),
            11,
            "endpoints[0].operation",
            "missing",
        ),
        (
            GOOD_ROW + "    operation: Again\n",
            16,
            "endpoints[0].operation",
            "duplicate key (first on line 15)",
        ),
        (GOOD_ROW + "    wsdl_operation: GetCases\n", 11, "endpoints[0].note", "needs a note"),
        (
            GOOD_ROW.replace("operation: GetCaseListEC", 'operation: ""'),
            11,
            "endpoints[0].wsdl_operation",
            "no operation name",
        ),
        (
            GOOD_ROW.replace("base_operation: GetCaseList", "base_operation: Get[1]"),
            11,
            "endpoints[0].base_operation_fix",
            "not a name",
        ),
    ],
)
def test_schema_errors_name_file_line_and_field(
    rows: str, line: int, field: str, message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec(minimal_spec(rows), "spec/endpoints.yaml")
    error = caught.value
    assert (error.line, error.field) == (line, field), str(error)
    assert message in error.message
    assert str(error).startswith(f"spec/endpoints.yaml:{line}: {field}: ")
    assert "\n" not in str(error)


def test_minimal_spec_is_valid() -> None:
    spec = parse_spec(minimal_spec())
    assert [row.operation for row in spec.endpoints] == ["GetCaseListEC"]
    assert spec.endpoints[0].line == 11


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("environments: [\n", "invalid YAML"),
        ("- a list\n", "expected a mapping"),
        (
            minimal_spec().replace("default_environment: production", "default_environment: dev"),
            "unknown environment 'dev'",
        ),
        (minimal_spec(extra_top="flavour: mint\n"), "flavour: unknown key"),
        (
            minimal_spec().replace("services:\n  - Case\n", "services:\n  - Case\n  - Case\n"),
            "duplicate service 'Case'",
        ),
    ],
)
def test_document_level_errors(text: str, expected: str) -> None:
    with pytest.raises(SpecError, match=re.escape(expected)):
        parse_spec(text, "spec/endpoints.yaml")


def test_cli_reports_a_spec_error_on_one_line_with_exit_status_2(tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    broken = SPEC.read_text(encoding="utf-8").replace("binding: EC\n", "binding: ECC\n", 1)
    (tmp_path / "spec" / "endpoints.yaml").write_text(broken, encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", "--root", str(tmp_path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(
        r"error: .*spec/endpoints\.yaml:\d+: endpoints\[2\]\.binding: "
        r"unknown binding 'ECC' \(known: Basic, WS, EC, EC2\)",
        lines[0],
    )


def test_a_binding_the_runtime_does_not_know_is_one_line_with_exit_status_2(
    tmp_path: Path,
) -> None:
    """The set of bindings is the spec's; one the runtime lacks is named with its line."""
    (tmp_path / "spec").mkdir()
    broken = SPEC.read_text(encoding="utf-8").replace(
        "  EC2:\n    label: EC2\n", "  EC3:\n    label: EC3\n", 1
    )
    (tmp_path / "spec" / "endpoints.yaml").write_text(broken, encoding="utf-8")
    for command in ("lint", "generate"):
        result = CliRunner().invoke(main, [command, "--root", str(tmp_path)])
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, result.output
        assert re.fullmatch(
            r"error: .*spec/endpoints\.yaml:\d+: bindings\.EC3: unknown binding 'EC3' "
            r"\(the runtime knows: Basic, WS, EC, EC2\)",
            lines[0],
        )
