"""An operation's request built from a method's arguments and the operation's metadata.

The generated methods hand over their arguments (`locals()`: every parameter by name); the body
and the SOAP header parts are built here, once for the sync and the async service classes.
Every argument is checked (and Python's own types converted) first: `altinn2.runtime.arguments`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from altinn2.runtime.arguments import ArgumentTypeError, Check, field_checks
from altinn2.runtime.operation import Credential, OperationInfo
from altinn2.runtime.secrets import Secret

# Looks a credential up: (kind, the caller's value, the schema requires a value) -> the value.
CredentialLookup = Callable[[Credential, str | Secret | None, bool], str | None]


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    is_list: bool  # a list (or list wrapper) field: None from the caller means an empty list
    required: bool  # no default: the schema requires a value


_FIELDS: dict[type[Any], tuple[_Field, ...]] = {}


def _fields(cls: type[Any]) -> tuple[_Field, ...]:
    known = _FIELDS.get(cls)
    if known is not None:
        return known
    known = _FIELDS[cls] = tuple(
        _Field(
            name=item.name,
            is_list=item.default_factory is list or "wrapper" in item.metadata,
            required=item.default is dataclasses.MISSING
            and item.default_factory is dataclasses.MISSING,
        )
        for item in dataclasses.fields(cls)
        if item.init
    )
    return known


def build_body(
    operation: OperationInfo, arguments: Mapping[str, Any], lookup: CredentialLookup
) -> Any:
    """The input wrapper: each field from the parameter of its name, credentials looked up."""
    values: dict[str, Any] = {}
    checks = dict(field_checks(operation.input))
    # A streamed upload's file is no argument: the transport sends it as the MTOM attachment.
    streamed = None
    if operation.mtom:  # the streamed calls' module loads with the first of them
        from altinn2.runtime.transport.mtom import streamed_field

        streamed = streamed_field(operation.input)
    for item in _fields(operation.input):
        given = arguments.get(item.name)
        kind = operation.credentials.get(item.name)
        if kind is not None:
            values[item.name] = lookup(kind, given, item.required)
        elif streamed is not None and item.name == streamed[0]:
            values[item.name] = b""
        else:
            given = [] if given is None and item.is_list else given
            values[item.name] = _checked(operation, checks[item.name], given, item.name)
    return operation.input(**values)


def _checked(operation: OperationInfo, check: Check, value: Any, path: str) -> Any:
    try:
        return check(value, path)
    except ArgumentTypeError as exc:
        raise ArgumentTypeError(f"{operation.label}: {exc}") from None


def build_headers(
    operation: OperationInfo, arguments: Mapping[str, Any], lookup: CredentialLookup
) -> list[Any]:
    """The SOAP header parts, in order: each holds the value of its parameter."""
    headers = []
    for cls, parameter in zip(operation.input_headers, operation.header_parameters, strict=True):
        (value_field,) = _fields(cls)
        kind = operation.credentials.get(parameter)
        given = arguments.get(parameter)
        if kind is not None:
            value = lookup(kind, given, False)
        else:
            (check,) = (check for name, check in field_checks(cls) if name == value_field.name)
            value = _checked(operation, check, given, parameter)
        headers.append(cls(**{value_field.name: value}))
    return headers
