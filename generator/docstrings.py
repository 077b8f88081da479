"""Docstrings of the generated service modules: the WSDL's words and the Altinn page's row."""

from __future__ import annotations

import textwrap

from generator.coverage import RowCoverage, Status
from generator.services import BaseMethod, EndpointMethod, ServiceModule
from generator.spec import EndpointRow
from generator.wsdl.model import Policy, SecurityProfile

WIDTH = 96


def docstring(text: str, indent: int) -> str:
    """A triple-quoted docstring, wrapped paragraph by paragraph, safe for any text."""
    pad = " " * indent
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    paragraphs = []
    for paragraph in text.split("\n\n"):
        lines = []
        for line in paragraph.splitlines():
            lead = len(line) - len(line.lstrip())
            wrapped = textwrap.wrap(
                line.strip(),
                width=WIDTH - indent - lead,
                subsequent_indent=" "
                * (4 if line.lstrip().startswith(("- ", "* ")) or lead else 0),
                break_long_words=False,
                break_on_hyphens=False,
            ) or [""]
            lines += [" " * lead + piece for piece in wrapped]
        paragraphs.append("\n".join(lines))
    body = "\n\n".join(paragraphs)
    if "\n" not in body and len(body) + indent + 6 <= WIDTH + 4:
        return f'"""{body}"""'
    body = textwrap.indent(body, pad, lambda line: bool(line.strip()))
    return f'"""{body.lstrip()}\n{pad}"""'


def row_text(row: EndpointRow) -> str:
    label = f"{row.binding} {row.url} {row.operation or '(no operation name)'}"
    text = f"{row.service} / {row.base_operation}: {label}"
    if row.note:
        text += f". Erratum: {row.note}"
    return text.rstrip(".")  # the sentence's own full stop follows


def security_text(policy: Policy) -> str:
    """`no message security`, `UsernameToken security`, `... security, MTOM`."""
    kind = "no message" if policy.security is SecurityProfile.NONE else policy.label.split("+")[0]
    return f"{kind} security" + (", MTOM" if policy.mtom else "")


def method_doc(method: EndpointMethod) -> str:
    parts = []
    if method.documentation:
        parts.append(method.documentation)
    op = method.operation
    kind = {
        "read": "a read, retried on transient errors",
        "write": "a write, not retried once sent",
        "read-with-side-effect": "a read with a side effect, not retried once sent",
    }[method.effect]
    security = security_text(op.policy)
    parts.append(
        f"{method.binding} endpoint operation {op.name} (SOAP {op.soap_version}, {security}; "
        f"{kind}). The Altinn page's row: {row_text(method.row)}."
    )
    args = [
        f"{p.name}: {p.doc or 'see the ' + method.input.name + ' model.'}"
        for p in method.business_params
    ]
    args += [
        f"{header.param.name}: the {header.model.name} SOAP header. {header.param.doc}".rstrip()
        for header in method.headers
        if header.param.credential is None
    ]
    args += [f"{param.name}: {param.doc}" for param in method.stream_params]
    credentials = [p.name for p in method.credential_params]
    if credentials:
        args.append(f"{', '.join(credentials)}: override the client's credentials for this call.")
    args.append("base_url: call this base URL instead of the client's (same endpoint path).")
    parts.append("Args:\n" + "\n".join(f"    {arg}" for arg in args))
    if method.streamed == "download":
        parts.append(STREAMED_DOWNLOAD_DOC)
    return "\n\n".join(parts)


STREAMED_DOWNLOAD_DOC = (
    "Returns a Download (use it in a `with` block): its `output` is the typed answer (the "
    "streamed field left empty); the content is read once, as it arrives, with "
    "`save(path, progress=, sha256=)` (atomic: a temporary file beside `path`, renamed when "
    "complete) or `iter_bytes()` (async: `asave`, `aiter_bytes`)."
)


def base_doc(base: BaseMethod) -> str:
    methods = ", ".join(f"{m.binding}: `{m.name}`" for m in base.endpoints)
    text = f"{base.base_operation} over the client's binding ({methods})."
    if base.missing:
        absent = ", ".join(
            f"{row.effective_binding} ({row.operation or row.operation_name})"
            for row in base.missing
        )
        text += f"\n\nNot generated (no WSDL operation known): {absent}."
    return text


def class_doc(service: ServiceModule, sync: bool) -> str:
    kind = "" if sync else "Asynchronous "
    generated = sum(1 for item in service.rows if item.generated)
    text = (
        f"{kind}{service.service}: {generated} of the {len(service.rows)} endpoint operations "
        "Altinn's page lists for this service have a WSDL and a method here."
    )
    if not service.endpoints:
        text += " None of them has a WSDL that could be found, so this class has no methods yet."
    return text


STATUS_TEXT = {
    Status.FOUND: "generated",
    Status.NAME_DIFFERS: "generated (the WSDL spells it {wsdl})",
    Status.NOT_IN_WSDL: "not generated: the endpoint's WSDL has no such operation",
    Status.NO_WSDL: "not generated: no WSDL for the endpoint",
}


def status_text(item: RowCoverage) -> str:
    if item.status is Status.NAME_DIFFERS and not item.generated:
        return f"not generated: the WSDL has {item.wsdl_operation}, which the spec does not confirm"
    return STATUS_TEXT[item.status].format(wsdl=item.wsdl_operation)


def module_doc(service: ServiceModule) -> str:
    lines = [f"{service.service}: the client for this service of Altinn's endpoint table.", ""]
    lines.append("Rows of the table (binding, endpoint operation: status):")
    for item in service.rows:
        row = item.row
        name = row.operation or row.operation_name
        lines.append(
            f"- {row.effective_base_operation}, {row.effective_binding} {name}: {status_text(item)}"
        )
    lines += [
        "",
        "Generated by altinn-codegen from spec/endpoints.yaml and the WSDLs; do not edit.",
    ]
    return "\n".join(lines)
