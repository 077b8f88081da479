"""Decode a captured SOAP envelope (request, response or fault) into typed objects.

The operation is found from the body's element (or named by the caller); the result carries the
typed object and a JSON-ready dict of it. Used by `altinn2 decode` and by the interop tests.
Secrets (passwords, pin codes, national identity numbers) are masked unless `reveal` is asked
for; every failure is a `DecodeError` of one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xsdata.formats.dataclass.serializers import DictEncoder
from xsdata.formats.dataclass.serializers.config import SerializerConfig

from altinn2.runtime.codec import CONTEXT, from_element, qname_of
from altinn2.runtime.envelope import Envelope, parse_xml, raise_fault, read_envelope
from altinn2.runtime.errors import AltinnError, AltinnFaultError, SoapFaultError
from altinn2.runtime.masking import masked
from altinn2.runtime.operation import OperationInfo, SoapVersion
from altinn2.runtime.registry import operation_index

_ENCODER = DictEncoder(context=CONTEXT, config=SerializerConfig())


class DecodeError(AltinnError):
    """The input is not an envelope of a generated operation (one line, no secrets)."""


@dataclass(frozen=True)
class Decoded:
    service: str | None
    operation: str | None
    kind: str  # "request", "response" or "fault"
    value: Any  # the typed body (None for a fault)
    headers: tuple[Any, ...]  # typed SOAP header parts of the operation, in order
    data: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "operation": self.operation,
            "kind": self.kind,
            "data": self.data,
        }


def to_data(value: Any) -> Any:
    """A typed object as plain JSON values (field names as in Python, dates as text)."""
    return _ENCODER.encode(value)


def _fault(envelope: Envelope, operations: tuple[OperationInfo, ...]) -> Decoded:
    op = operations[0] if len(operations) == 1 else None
    try:
        raise_fault(envelope)
    except AltinnFaultError as fault:
        data: dict[str, Any] = {
            "error_id": fault.error_id,
            "error_guid": fault.error_guid,
            "user_guid": fault.user_guid,
            "user_id": fault.user_id,
            "message": fault.message,
            "extended_message": fault.extended_message,
            "localized_message": fault.localized_message,
            "code": fault.code,
            "reason": fault.reason,
            "error_class": type(fault).__name__,
        }
    except SoapFaultError as fault:
        data = {"code": fault.code, "subcodes": list(fault.subcodes), "reason": fault.reason}
    return Decoded(op.service if op else None, op.name if op else None, "fault", None, (), data)


def _pick(body_tag: str, version: SoapVersion, operation: str | None) -> tuple[str, OperationInfo]:
    index = operation_index()
    allowed = index.named(operation) if operation else index.operations
    if operation and not allowed:
        raise DecodeError(f"no generated operation is named {operation!r}")
    found = [("request", op) for op in index.requests.get(body_tag, ()) if op in allowed]
    found += [("response", op) for op in index.responses.get(body_tag, ()) if op in allowed]
    # Bindings may share a message (e.g. a streamed receipt); the SOAP version tells them apart.
    same_version = [(kind, op) for kind, op in found if op.soap_version is version]
    found = same_version or found
    if not found:
        where = f" of {operation}" if operation else " of any generated operation"
        raise DecodeError(f"body element {body_tag} is not the request or response{where}")
    names = sorted({f"{op.service}.{op.name}" for _, op in found})
    if len(names) > 1:
        raise DecodeError(f"{body_tag} belongs to {', '.join(names)}: name one with --operation")
    return found[0]


def decode(data: bytes, operation: str | None = None, *, reveal: bool = False) -> Decoded:
    """The typed content of a captured envelope; its secrets masked unless `reveal`."""
    try:
        envelope = read_envelope(parse_xml(data), data)
    except AltinnError as exc:
        raise DecodeError(str(exc)) from None
    if envelope.fault:
        return _fault(envelope, operation_index().named(operation) if operation else ())
    if envelope.body is None:
        raise DecodeError("the envelope's body is empty")
    kind, op = _pick(str(envelope.body.tag), envelope.version, operation)
    header_types = op.input_headers if kind == "request" else ()
    wanted = {qname_of(cls): cls for cls in header_types}
    cls = op.input if kind == "request" else op.output
    assert cls is not None
    label = f"{op.service}.{op.name}"
    try:
        headers = tuple(
            from_element(element, wanted[str(element.tag)], label)
            for element in envelope.headers
            if str(element.tag) in wanted
        )
        value = from_element(envelope.body, cls, label)
    except AltinnError as exc:
        raise DecodeError(str(exc)) from None
    if not reveal:
        value = masked(value)
        headers = tuple(masked(header) for header in headers)
    payload = to_data(value)
    if headers:
        payload = {"headers": [to_data(header) for header in headers], "body": payload}
    return Decoded(op.service, op.name, kind, value, headers, payload)
