"""Decode a captured SOAP envelope (request, response or fault) into typed objects.

The operation is found from the body's element (or named by the caller); the result carries the
typed object and a JSON-ready dict of it. Used by `altinn2 decode` and by the interop tests.
Secrets (passwords, pin codes, national identity numbers) are masked unless `reveal` is asked
for; every failure is a `DecodeError` of one line.
"""

from __future__ import annotations

import base64
import dataclasses
import decimal
import enum
import functools
import types
import typing
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xsdata.models.datatype import XmlDate, XmlDateTime, XmlDuration, XmlTime

from altinn2.runtime.codec import context, from_element, qname_of
from altinn2.runtime.envelope import Envelope, parse_xml, raise_fault, read_envelope
from altinn2.runtime.errors import AltinnError, AltinnFaultError, SoapFaultError
from altinn2.runtime.masking import masked
from altinn2.runtime.operation import OperationInfo, SoapVersion
from altinn2.runtime.registry import operation_index

if TYPE_CHECKING:
    from xsdata.formats.dataclass.serializers import DictEncoder


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


@functools.cache
def _encoder() -> DictEncoder:
    """xsdata's dict encoder (its modules load with the first `to_data`)."""
    from xsdata.formats.dataclass.serializers import DictEncoder
    from xsdata.formats.dataclass.serializers.config import SerializerConfig

    return DictEncoder(context=context(), config=SerializerConfig())


def to_data(value: Any) -> Any:
    """A typed object as plain JSON values (field names as in Python, dates as text)."""
    return _encoder().encode(value)


def _fault_action(envelope: Envelope) -> str | None:
    """The WS-Addressing `Action` of a fault (WCF names it after the operation), if any."""
    for header in envelope.headers:
        if str(header.tag).endswith("}Action") and header.text:
            return header.text.strip()
    return None


def _fault_operations(envelope: Envelope) -> tuple[OperationInfo, ...]:
    """The operation whose fault this is, as far as its `Action` tells (WCF's fault action is
    the operation's action and the fault's name, e.g. `...GetReceiptV2AltinnFaultFault`)."""
    action = _fault_action(envelope)
    if not action:
        return ()
    found = [op for op in operation_index().operations if action.startswith(op.action)]
    longest = max((len(op.action) for op in found), default=0)
    return tuple(op for op in found if len(op.action) == longest)


def _fault(envelope: Envelope, operations: tuple[OperationInfo, ...]) -> Decoded:
    operations = operations or _fault_operations(envelope)
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


def from_data(cls: type[Any], data: Any, path: str = "") -> Any:
    """The inverse of `to_data`: plain JSON values (field names as in Python, dates, guids and
    enums as text, bytes as base64) into an instance of the generated dataclass `cls`. Types are
    checked by the call (`altinn2.runtime.arguments`); here only the shapes are read."""
    if not isinstance(data, dict):
        raise DecodeError(f"{path or cls.__name__}: expected a JSON object for {cls.__name__}")
    fields = fields_from_data(cls, data, path)
    missing = [
        item.name
        for item in dataclasses.fields(cls)
        if item.init
        and item.name not in fields
        and item.default is dataclasses.MISSING
        and item.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise DecodeError(f"{path or cls.__name__}: {', '.join(missing)} missing ({cls.__name__})")
    return cls(**fields)


def fields_from_data(cls: type[Any], data: dict[str, Any], path: str = "") -> dict[str, Any]:
    """The fields of `cls` given in `data` (plain JSON values), read as `from_data` reads them."""
    hints = typing.get_type_hints(cls)
    names = {item.name for item in dataclasses.fields(cls) if item.init}
    unknown = sorted(set(data) - names)
    if unknown:
        known = ", ".join(sorted(names))
        raise DecodeError(f"{path or cls.__name__}: unknown field {unknown[0]!r} (fields: {known})")
    return {
        name: _from_value(hints[name], value, f"{path}.{name}" if path else name)
        for name, value in data.items()
    }


def _from_value(hint: Any, value: Any, path: str) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        arms = [arm for arm in typing.get_args(hint) if arm is not type(None)]
        # One type, or an xsdata date type that also takes Python's (read as the first).
        single = len(arms) == 1 or arms[0] in _TEXT_TYPES
        return _from_value(arms[0], value, path) if single else value
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            return value  # the call names the field and the expected type
        return [_from_value(item, entry, f"{path}[{index}]") for index, entry in enumerate(value)]
    if not isinstance(hint, type):
        return value
    if dataclasses.is_dataclass(hint):
        return from_data(hint, value, path)
    if isinstance(value, str):
        parse = _TEXT_TYPES.get(hint)
        try:
            if parse is not None:
                return parse(value)
            if issubclass(hint, enum.Enum):
                return hint(value)
        except ValueError as exc:
            raise DecodeError(f"{path}: {value!r} is not a {hint.__name__}: {exc}") from None
    return value


_TEXT_TYPES: dict[type[Any], Callable[[str], Any]] = {
    XmlDateTime: lambda text: _date_time(text),  # defined below
    XmlDate: XmlDate.from_string,
    XmlTime: XmlTime.from_string,
    XmlDuration: XmlDuration,
    uuid.UUID: uuid.UUID,
    decimal.Decimal: decimal.Decimal,
    bytes: lambda text: base64.b64decode(text, validate=True),
}


def _date_time(text: str) -> XmlDateTime:
    """An xs:dateTime, or a date alone as midnight (as WCF reads it)."""
    if "T" in text:
        return XmlDateTime.from_string(text)
    day = XmlDate.from_string(text)
    return XmlDateTime(day.year, day.month, day.day, 0, 0, 0, offset=day.offset)
