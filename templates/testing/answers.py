"""The mock's answers: checking what a test registers, and the reply an answer becomes.

An answer is a typed object (the operation's output, or its result), raw XML (`Raw`: a body
element or a whole envelope), a bare HTTP error (`HttpError`) or nothing (the schema-valid default,
`example()` of the output type). Typed and XML answers must be the operation's output element and
valid against its schema; `reply` puts them in the envelope of the operation's binding, with the
WS-Addressing and WS-Security headers WCF adds to an answer. (An AltinnFault is answered by
`altinn2.testing.faults.altinn_fault`.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from altinn2.runtime.codec import qname_of, to_element
from altinn2.runtime.envelope import (
    ENVELOPE_VERSIONS,
    build_envelope,
    must_understand,
    parse_xml,
    read_envelope,
)
from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.operation import OperationInfo, Security
from altinn2.runtime.wsheaders import WSSE, Clock, timestamp
from altinn2.testing.examples import example, wrap_result
from altinn2.testing.faults import CONTENT_TYPES, Reply, addressing_reply_headers
from altinn2.testing.schemas import violations


@dataclass(frozen=True)
class Raw:
    """Registered XML: a whole envelope (sent as it is) or a body element (wrapped)."""

    data: bytes
    envelope: bool


@dataclass(frozen=True)
class HttpError:
    """A bare HTTP error to answer with (a proxy's 502, a 429, ...)."""

    status: int
    body: bytes
    content_type: str | None

    def reply(self) -> Reply:
        return Reply(self.status, self.body, self.content_type, outcome=f"HTTP {self.status}")


def check_element(operation: OperationInfo, element: etree._Element) -> None:
    """ValueError unless `element` is the operation's output element, valid against its schema."""
    expected = qname_of(operation.output) if operation.output is not None else None
    if element.tag != expected:
        raise ValueError(f"{operation.label} answers with {expected}, not {element.tag!s}")
    problems = violations(element, operation.output.__name__ if operation.output else None)
    if problems:
        raise ValueError(
            f"{operation.label}: the answer violates the schema: "
            + "; ".join(str(problem) for problem in problems[:3])
        )


def check_answer(operation: OperationInfo, value: object) -> etree._Element:
    """A typed answer (output or result) as the operation's output element; ValueError if it is
    not one or violates the schema."""
    try:
        element = to_element(wrap_result(operation, value))
    except Exception as exc:  # not a type of this operation, or not serializable
        raise ValueError(f"{operation.label} cannot answer with {value!r:.80}: {exc}") from None
    check_element(operation, element)
    return element


def raw_answer(data: str | bytes, targets: Iterable[OperationInfo] = ()) -> Raw:
    """Registered XML, checked as an answer of every operation in `targets`: an envelope of the
    operation's SOAP version (a fault, or a valid output), or a valid output element."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        root = parse_xml(raw)
        envelope = read_envelope(root, raw) if str(root.tag) in ENVELOPE_VERSIONS else None
    except ProtocolError as exc:
        raise ValueError(f"not an answer: {exc}") from None
    if envelope is not None:
        for target in targets:
            if envelope.version is not target.soap_version:
                raise ValueError(
                    f"{target.label} answers in SOAP {target.soap_version.value}, not "
                    f"{envelope.version.value}"
                )
            if envelope.body is not None and not envelope.fault:
                check_element(target, envelope.body)
        return Raw(raw, True)
    for target in targets:
        check_element(target, root)
    return Raw(raw, False)


def reply(
    operation: OperationInfo,
    value: Any,
    message_id: str | None,
    *,
    full: bool,
    validate: bool,
    clock: Clock,
    security: etree._Element | None = None,
) -> Reply:
    """The reply to a call of `operation` answered with `value` (`Raw`, typed, or None: the
    default, minimal or `full`); `validate` checks a typed answer against the schema first.
    `security`: the answer's `wsse:Security` under a security context (EC, EC2)."""
    version = operation.soap_version
    if isinstance(value, Raw):
        if value.envelope:
            is_fault = b"Fault" in value.data and _is_fault(value.data)
            return Reply(
                500 if is_fault else 200,
                value.data,
                CONTENT_TYPES[version],
                outcome="registered fault" if is_fault else "ok",
            )
        element = parse_xml(value.data)
    else:
        if value is None:
            if operation.output is None:
                return Reply(202)
            value = example(operation.output, full=full)
        element = to_element(wrap_result(operation, value))
        if validate:
            check_element(operation, element)
    body = reply_envelope(operation, element, message_id, clock, security)
    return Reply(200, body, CONTENT_TYPES[version])


def reply_envelope(
    operation: OperationInfo,
    body: etree._Element,
    message_id: str | None,
    clock: Clock,
    security: etree._Element | None = None,
) -> bytes:
    """`body` in the envelope WCF answers with on the operation's binding: `a:Action` and
    `a:RelatesTo` with addressing, a `wsse:Security` Timestamp with UsernameToken security, the
    `security` header given under a security context."""
    version = operation.soap_version
    headers: list[etree._Element] = []
    if operation.addressing:
        headers = addressing_reply_headers(
            version, operation.reply_action or f"{operation.action}Response", message_id
        )
    if operation.security is Security.USERNAME_TOKEN:
        security = must_understand(etree.Element(f"{{{WSSE}}}Security", nsmap={"o": WSSE}), version)
        security.append(timestamp(clock()))
        headers.append(security)
    elif security is not None:
        headers.append(security)
    return build_envelope(version, headers, [body])


def _is_fault(data: bytes) -> bool:
    return read_envelope(parse_xml(data), data).fault
