"""`altinn-codegen lint`: every row of the table against its WSDL, as a table or as JSON."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from generator.coverage import RowCoverage, Status


def row_json(item: RowCoverage) -> dict[str, Any]:
    row, operation, binding = item.row, item.operation, item.binding
    policy = binding.policy if binding is not None else None
    data: dict[str, Any] = {
        "service": row.service,
        "base_operation": row.effective_base_operation,
        "binding": row.effective_binding,
        "url": row.effective_url,
        "operation": row.operation,
        "wsdl_operation": item.wsdl_operation,
        "status": item.status.value,
        "soap_version": binding.soap_version if binding else None,
        "security": policy.label if policy else None,
        "mtom": policy.mtom if policy else None,
        "addressing": policy.addressing if policy else None,
        "soap_action": operation.soap_action if operation else None,
        "action": operation.input_action if operation else None,
        "wsdl": item.wsdl_file,
        "binding_problem": item.binding_problem,
        "explained": row.explained,
        "note": row.note,
        "line": row.line,
    }
    if row.is_corrected:
        data["as_printed"] = {
            "base_operation": row.base_operation,
            "binding": row.binding,
            "url": row.url,
        }
    return data


def render_json(items: list[RowCoverage]) -> str:
    return json.dumps([row_json(item) for item in items], indent=2, ensure_ascii=False) + "\n"


COLUMNS = (
    "STATUS",
    "SERVICE",
    "BASE OPERATION",
    "BINDING",
    "OPERATION",
    "WSDL OPERATION",
    "SOAP",
    "SECURITY",
)


def render_table(items: list[RowCoverage]) -> str:
    lines = []
    for item in items:
        row = item.row
        status = item.status.value + ("" if not item.needs_erratum else " !")
        if item.row.explained and item.status is not Status.FOUND:
            status += " *"
        lines.append(
            (
                status,
                row.service,
                row.effective_base_operation,
                row.effective_binding,
                row.operation or "(none)",
                item.wsdl_operation if item.wsdl_operation not in (None, row.operation) else "",
                item.binding.soap_version if item.binding else "",
                item.binding.policy.label if item.binding else "",
            )
        )
    widths = [max(len(text[i]) for text in [COLUMNS, *lines]) for i in range(len(COLUMNS))]
    out = [
        "  ".join(text.ljust(width) for text, width in zip(COLUMNS, widths, strict=True)).rstrip()
    ]
    out += [
        "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    out.append("")
    out.append(summary(items))
    out.append("* explained by an erratum in the spec   ! not explained (fails --strict)")
    for item in items:
        if item.binding_problem:
            out.append(
                f"binding: {item.row.service} {item.row.operation_name}: {item.binding_problem}"
            )
    return "\n".join(out) + "\n"


def summary(items: list[RowCoverage]) -> str:
    counts = Counter((item.row.effective_binding, item.status) for item in items)
    bindings = sorted({binding for binding, _ in counts})
    parts = []
    for binding in bindings:
        per = ", ".join(
            f"{counts[(binding, status)]} {status.value}"
            for status in Status
            if counts[(binding, status)]
        )
        total = sum(counts[(binding, status)] for status in Status)
        parts.append(f"{binding} {total} ({per})")
    return f"{len(items)} rows: " + "; ".join(parts)
