"""Which model classes only requests carry: their date fields may take Python's own types.

A class reachable from an operation's request message (body or header part) and from no answer
or fault is never read back into, so widening its `XmlDateTime` fields to also take
`datetime.datetime` and `datetime.date` (converted before sending, `altinn2.runtime.arguments`)
leaves every result typed as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from xsdata.codegen.models import Class

from generator.coverage import RowCoverage


def message_elements(coverage: Iterable[RowCoverage]) -> tuple[set[str], set[str]]:
    """The element names of the generated operations' requests, and of their answers and faults."""
    requests: set[str] = set()
    answers: set[str] = set()
    for item in coverage:
        operation = item.operation
        if operation is None or not item.generated:
            continue
        requests.update(ref.element for ref in (*operation.input_body, *operation.input_headers))
        answers.update(ref.element for ref in (*operation.output_body, *operation.output_headers))
        answers.update(fault.element for fault in operation.faults)
    return requests, answers


def wire_name(cls: Class) -> str:
    name = cls.meta_name or cls.name
    return f"{{{cls.target_namespace}}}{name}" if cls.target_namespace else name


def request_only(classes: list[Class], requests: set[str], answers: set[str]) -> set[str]:
    """The qnames of the classes reachable from `requests` and not from `answers`."""
    by_qname = {cls.qname: cls for cls in classes}

    def reachable(elements: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = [cls.qname for cls in classes if wire_name(cls) in elements]
        while todo:
            qname = todo.pop()
            if qname in seen or qname not in by_qname:
                continue
            seen.add(qname)
            cls = by_qname[qname]
            todo.extend(tp.qname for attr in cls.attrs for tp in attr.types if not tp.native)
            todo.extend(ext.type.qname for ext in cls.extensions)
            todo.extend(inner.qname for inner in cls.inner)
        return seen

    return reachable(requests) - reachable(answers)
