"""Schema-valid example instances of the generated types: inputs for tests, the mock's defaults.

`example(cls)` builds the smallest instance the operation's XML Schema accepts: every required
element filled, optional ones left out. `example(cls, full=True)` fills every element once (lists
with one item; a type nested in itself stops at the first level), which gives results with
content. Values are fixed, so two calls build equal objects: strings are the element's name, numbers
1, booleans false, dates 2020-01-01T12:00:00, enumerations their first value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import uuid
from typing import Any, TypeVar

from xsdata.formats.dataclass.models.elements import XmlVar
from xsdata.models.datatype import XmlDate, XmlDateTime, XmlDuration, XmlPeriod, XmlTime

from altinn2.runtime.codec import context
from altinn2.runtime.operation import OperationInfo

T = TypeVar("T")

EXAMPLE_DATETIME = XmlDateTime(2020, 1, 1, 12, 0, 0)
EXAMPLE_UUID = uuid.UUID(int=1)


class ExampleError(TypeError):
    """The type cannot be instantiated from its schema (e.g. it requires itself)."""


def _scalar(kind: type[Any], var: XmlVar) -> Any:
    if issubclass(kind, enum.Enum):
        return next(iter(kind))
    if kind is bool:
        return False
    if kind is int:
        return 1
    if kind is float:
        return 1.0
    if kind is decimal.Decimal:
        return decimal.Decimal(1)
    if kind is str:
        return var.local_name or "text"
    if kind is bytes:
        return b"example"
    if kind is uuid.UUID:
        return EXAMPLE_UUID
    if kind is XmlDateTime:
        return EXAMPLE_DATETIME
    if kind is XmlDate:
        return XmlDate(2020, 1, 1)
    if kind is XmlTime:
        return XmlTime(12, 0, 0)
    if kind is XmlDuration:
        return XmlDuration("PT1S")
    if kind is XmlPeriod:
        return XmlPeriod("--01")
    if kind is dt.datetime:
        return dt.datetime(2020, 1, 1, 12, 0, 0)
    if kind is dt.date:
        return dt.date(2020, 1, 1)
    raise ExampleError(f"no example value for {kind.__name__} ({var.local_name})")


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _build(cls: type[Any], full: bool, stack: tuple[type[Any], ...]) -> Any:
    if cls in stack:
        raise ExampleError(f"{cls.__name__} requires an instance of itself")
    meta = context().build(cls)
    fields = {field.name: field for field in dataclasses.fields(cls) if field.init}
    values: dict[str, Any] = {}
    for var in meta.get_all_vars():
        field = fields.get(var.name)
        if field is None or var.is_wildcard or var.is_attributes or not var.types:
            continue
        needed = var.required or _required(field)
        if not needed and (not full or var.clazz in stack or var.clazz is cls):
            if var.wrapper and var.list_element:
                # A WCF collection's wrapper may be required (minOccurs=1, nillable) though
                # the model's field is optional: an empty wrapper is valid either way.
                values[var.name] = []
            continue
        if not needed and field.default not in (None, dataclasses.MISSING):
            continue  # a fixed or default value: keep it
        kind = var.types[0]
        try:
            value = (
                _build(kind, full, (*stack, cls))
                if dataclasses.is_dataclass(kind)
                else _scalar(kind, var)
            )
        except ExampleError:
            if needed:
                raise
            continue
        values[var.name] = [value] if var.list_element else value
    return cls(**values)


def example(cls: type[T], *, full: bool = False, **values: Any) -> T:
    """An instance of the generated dataclass `cls` that its XML Schema accepts.

    `full=False`: only what the schema requires; `full=True`: every element once. Keyword
    arguments replace top-level fields (`example(GetReceiptBasicV2, receipt=...)`).
    """
    if not dataclasses.is_dataclass(cls):
        raise ExampleError(f"{cls!r} is not a generated model class")
    built: T = _build(cls, full, ())
    return dataclasses.replace(built, **values) if values else built  # type: ignore[type-var]


def example_input(operation: OperationInfo, *, full: bool = False, **values: Any) -> Any:
    """The operation's request body (its input wrapper) as `example` builds it."""
    return example(operation.input, full=full, **values)


def example_output(operation: OperationInfo, *, full: bool = False) -> Any:
    """The operation's response body (its output wrapper) as `example` builds it."""
    if operation.output is None:
        raise ExampleError(f"{operation.label} has no output message")
    return example(operation.output, full=full)


def result_type(operation: OperationInfo) -> type[Any] | None:
    """The class of the output field that holds the result (None: no result field, or a
    primitive)."""
    if operation.output is None or operation.result is None:
        return None
    for var in context().build(operation.output).get_all_vars():
        if var.name == operation.result:
            return var.clazz
    return None


def wrap_result(operation: OperationInfo, value: Any) -> Any:
    """`value` as the operation's output wrapper: returned as is when it already is one,
    else put into the result field (a list result takes a list)."""
    output = operation.output
    if output is None:
        raise ExampleError(f"{operation.label} has no output message")
    if isinstance(value, output):
        return value
    if operation.result is None:
        raise TypeError(
            f"{operation.label} answers with {output.__name__} (it has no result field), "
            f"not {type(value).__name__}"
        )
    holder = result_type(operation)
    items = value if isinstance(value, list) else [value]
    for item in items:
        if dataclasses.is_dataclass(item) and holder is not None and not isinstance(item, holder):
            raise TypeError(
                f"{operation.label} answers with {output.__name__}, whose result is "
                f"{holder.__name__}, not {type(item).__name__}"
            )
    return output(**{operation.result: value})
