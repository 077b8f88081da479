"""`altinn-codegen lint` against the real WSDLs, and against the reference coverage table."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.project import Project

REQUIRED_KEYS = {
    "service",
    "base_operation",
    "binding",
    "url",
    "operation",
    "wsdl_operation",
    "soap_version",
    "security",
    "status",
}


def run_lint(project: Project, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["lint", "--root", str(project.root), *args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def lint_rows(fetched: Project) -> list[dict[str, Any]]:
    code, output = run_lint(fetched, "--json")
    assert code == 0, output
    rows: list[dict[str, Any]] = json.loads(output)
    return rows


def coverage_rows(shared: Path) -> list[dict[str, str]]:
    """The coverage table of reference/wsdl-coverage.md, one dict per row."""
    text = (shared / "reference" / "wsdl-coverage.md").read_text(encoding="utf-8")
    section = text.split("## Coverage table", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[1:]:
        cells = [cell.strip().strip("`*") for cell in line.strip().strip("|").split("|")]
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def test_every_row_has_the_required_keys(lint_rows: list[dict[str, Any]]) -> None:
    assert len(lint_rows) == 143
    for row in lint_rows:
        assert row.keys() >= REQUIRED_KEYS
        assert row["status"] in {"FOUND", "NAME-DIFFERS", "NOT-IN-WSDL", "NO-WSDL"}


def test_found_rows_carry_what_the_wsdl_says(lint_rows: list[dict[str, Any]]) -> None:
    by_op = {row["operation"]: row for row in lint_rows}
    basic = by_op["GetReporteeElementListBasicV2"]
    assert basic["status"] == "FOUND"
    assert (basic["soap_version"], basic["security"], basic["addressing"]) == ("1.1", "none", False)
    assert basic["soap_action"] == (
        "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2009/10/"
        "IReporteeElementListExternalBasic/GetReporteeElementListBasicV2"
    )
    ws = by_op["GetReporteeElementListExternalV2"]
    assert (ws["soap_version"], ws["security"], ws["addressing"]) == ("1.2", "UsernameToken", True)
    ec = by_op["GetReporteeElementListEC"]
    assert (ec["soap_version"], ec["security"]) == ("1.2", "SecureConversation/X509")
    streamed = by_op["UploadFileStreamedBasic"]
    assert streamed["security"] == "none+MTOM" and streamed["mtom"] is True
    renamed = by_op["GetAttachmentDataStreamedEC"]
    assert (renamed["status"], renamed["wsdl_operation"]) == (
        "NAME-DIFFERS",
        "GetAttachmentDataECStreamed",
    )
    assert renamed["explained"] is True


def test_lint_agrees_with_the_reference_coverage(
    shared: Path, lint_rows: list[dict[str, Any]]
) -> None:
    """Row by row, matched on (binding, base operation). The page's rows that the reference
    leaves out are the two broker WS rows printed with the Basic streamed URL; its one N/A row
    (DeleteCorrespondence EC) is not on the page."""
    ours = {(row["binding"], row["base_operation"]): row for row in lint_rows}
    assert len(ours) == len(lint_rows)
    # EC2 is not on the page, nor in the reference: each EC2 row is found in its own WSDL
    ec2 = [key for key in ours if key[0] == "EC2"]
    assert len(ec2) == 29 and all(ours[key]["status"] == "FOUND" for key in ec2)
    ours = {key: row for key, row in ours.items() if key[0] != "EC2"}
    matched = set()
    for ref in coverage_rows(shared):
        key = (ref["Binding"], ref["Base op (doc)"])
        if ref["Status"] == "N/A":
            assert key not in ours
            continue
        row = ours[key]
        matched.add(key)
        assert row["url"].endswith(
            "/" + ref["Endpoint (.svc, prod host https://www.altinn.no/)"]
        ), key
        if ref["Status"] == "MISSING":
            assert row["status"] in {"NO-WSDL", "NOT-IN-WSDL"}, key
            assert row["wsdl_operation"] is None
            continue
        assert ref["Status"] == "FOUND"
        expected = "FOUND" if ref["Operation name in WSDL"] == row["operation"] else "NAME-DIFFERS"
        assert row["status"] == expected, key
        assert row["wsdl_operation"] == ref["Operation name in WSDL"]
        assert row["soap_action"] == ref["soapAction"]
        assert row["soap_version"] == ref["SOAP"]
    left_out = {key for key in ours if key not in matched}
    assert left_out == {("WS", "UploadFileStreamed"), ("WS", "DownloadFileStreamed")}
    assert all(ours[key]["status"] == "NOT-IN-WSDL" and ours[key]["explained"] for key in left_out)


def test_table_output_and_summary(fetched: Project) -> None:
    code, output = run_lint(fetched)
    assert code == 0
    assert re.search(
        r"^FOUND\s+ReporteeElementList\s+GetReporteeElementListV2\s+WS\s+", output, re.M
    )
    assert "143 rows: Basic 43 (21 FOUND, 1 NAME-DIFFERS, 2 NOT-IN-WSDL, 19 NO-WSDL)" in output
    assert "EC2 29 (29 FOUND)" in output


def test_strict_passes_when_every_mismatch_is_explained(fetched: Project) -> None:
    code, output = run_lint(fetched, "--strict")
    assert code == 0, output


def test_strict_fails_on_an_unexplained_mismatch(fetched: Project, tmp_path: Path) -> None:
    project = Project(tmp_path)
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "wsdl").symlink_to(fetched.cache_dir)
    (tmp_path / "spec" / "wsdl.lock").write_bytes(fetched.lock_path.read_bytes())
    text = fetched.spec_path.read_text(encoding="utf-8")
    text = text.replace(
        "    wsdl_operation: GetAttachmentDataECStreamed\n"
        "    note: The WSDL puts EC before Streamed (GetAttachmentDataECStreamed).\n",
        "",
    )
    project.spec_path.write_text(text, encoding="utf-8")
    code, output = run_lint(project, "--json")
    assert code == 0
    row = next(r for r in json.loads(output) if r["operation"] == "GetAttachmentDataStreamedEC")
    # Without the erratum lint still finds the close name, but says nothing explains it.
    assert (row["status"], row["wsdl_operation"], row["explained"]) == (
        "NAME-DIFFERS",
        "GetAttachmentDataECStreamed",
        False,
    )
    code, output = run_lint(project, "--strict")
    assert code == 1
    assert re.search(
        r"error: spec/endpoints\.yaml:\d+: ReporteeArchiveExternal GetAttachmentDataStreamedEC: "
        r"NAME-DIFFERS with no erratum",
        output,
    )
