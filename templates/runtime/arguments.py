"""A method's arguments checked against the operation's types before anything is built or sent.

Each value, and each field of a dataclass it holds, is checked against the annotations the
generator wrote (read once per class); a wrong one raises `TypeError` naming the parameter path
(`search_be.from_date`), the expected and the given type. Python's own types are converted where
the field takes an xsdata type, as WCF reads the text they become:

- `datetime.datetime` in an `xs:dateTime` field: naive, it is sent without an offset (WCF reads
  it as `DateTimeKind.Unspecified`, a wall-clock time Altinn takes as Norwegian time); aware, with
  its UTC offset (WCF converts it to the server's local time). Microseconds are kept.
- `datetime.date` in an `xs:dateTime` field: midnight, no offset (as WCF reads a date alone);
  in an `xs:date` field: the date. A `datetime` in an `xs:date` field is refused (its time would
  be lost).
- `datetime.time` in `xs:time`, `datetime.timedelta` in `xs:duration`, `int` in a decimal field.
- an enum field takes the enum's member or its XML value (`"AltinnPin"`).

An int field narrower than xs:long (xs:int, xs:unsignedInt ...: its `min_inclusive`/
`max_inclusive` metadata) refuses an int out of its range (the message names the range, not the
value).

The caller's objects are never changed: a dataclass with a converted field is copied.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import types
import typing
from collections.abc import Callable
from typing import Any

from xsdata.models.datatype import XmlDate, XmlDateTime, XmlDuration, XmlTime

from altinn2.runtime.ranges import bounds_of, span, within

# Converts one value (or raises TypeError); given the value and its path for messages.
Check = Callable[[Any, str], Any]

_CLASS_CHECKS: dict[type[Any], tuple[tuple[str, Check], ...]] = {}
_NONE = type(None)


class ArgumentTypeError(TypeError):
    """An argument (or a field inside one) is not of the type the operation takes."""


def check_argument(value: Any, hint: Any, path: str) -> Any:
    """`value` as the operation sends it, or ArgumentTypeError naming `path`."""
    return _check_for(hint)(value, path)


def field_checks(cls: type[Any]) -> tuple[tuple[str, Check], ...]:
    """The check of each field of a generated dataclass, by field name (computed once)."""
    known = _CLASS_CHECKS.get(cls)
    if known is None:
        hints = typing.get_type_hints(cls)
        known = _CLASS_CHECKS[cls] = tuple(
            (item.name, _bounded(_check_for(hints.get(item.name, Any)), item))
            for item in dataclasses.fields(cls)
            if item.init
        )
    return known


def _bounded(check: Check, item: dataclasses.Field[Any]) -> Check:
    """`check`, then the field's integer range if its metadata gives one (each item of a list)."""
    bounds = bounds_of(item.metadata)
    if bounds is None:
        return check

    def bounded(value: Any, path: str) -> Any:
        converted = check(value, path)
        for entry in converted if isinstance(converted, list) else (converted,):
            if type(entry) is int and not within(entry, bounds):
                raise ArgumentTypeError(f"{path}: an int out of the field's range {span(bounds)}")
        return converted

    return bounded


def describe(hint: Any) -> str:
    """A type as a reader writes it: `XmlDateTime | datetime | date | None`."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        names = [describe(arm) for arm in typing.get_args(hint)]
        return " | ".join(dict.fromkeys(" | ".join(names).split(" | ")))  # each type once
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return f"list[{describe(item)}]"
    if hint is _NONE or hint is None:
        return "None"
    if isinstance(hint, type):
        return " | ".join(cls.__name__ for cls in (hint, *_ALSO.get(hint, ())))
    return str(hint).replace("typing.", "")


def _given(value: Any) -> str:
    """The type of what was given (never the value: it may be a secret)."""
    return "None" if value is None else type(value).__name__


def _wrong(path: str, hint: Any, value: Any) -> ArgumentTypeError:
    return ArgumentTypeError(f"{path}: expected {describe(hint)}, got {_given(value)}")


# --- conversions of Python's own types ---------------------------------------------------------


def _datetime(value: Any) -> XmlDateTime | None:
    if isinstance(value, datetime.datetime):
        return XmlDateTime.from_datetime(value)
    if isinstance(value, datetime.date):
        return XmlDateTime(value.year, value.month, value.day, 0, 0, 0)
    return None


def _date(value: Any) -> XmlDate | None:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return XmlDate.from_date(value)
    return None


def _time(value: Any) -> XmlTime | None:
    return XmlTime.from_time(value) if isinstance(value, datetime.time) else None


def _duration(value: Any) -> XmlDuration | None:
    if not isinstance(value, datetime.timedelta):
        return None
    sign = "-" if value < datetime.timedelta(0) else ""
    value = abs(value)
    seconds = f"{value.seconds}.{value.microseconds:06d}".rstrip("0").rstrip(".")
    return XmlDuration(f"{sign}P{value.days}DT{seconds}S")


def _decimal(value: Any) -> decimal.Decimal | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return decimal.Decimal(value)
    return None


# The Python types each xsdata (or number) type also takes, and how they are converted.
_ALSO: dict[type[Any], tuple[type[Any], ...]] = {
    XmlDateTime: (datetime.datetime, datetime.date),
    XmlDate: (datetime.date,),
    XmlTime: (datetime.time,),
    XmlDuration: (datetime.timedelta,),
    decimal.Decimal: (int,),
    float: (int,),
}
_CONVERT: dict[type[Any], Callable[[Any], Any]] = {
    XmlDateTime: _datetime,
    XmlDate: _date,
    XmlTime: _time,
    XmlDuration: _duration,
    decimal.Decimal: _decimal,
}


# --- checks, built once per annotation ----------------------------------------------------------


def _check_for(hint: Any) -> Check:
    origin = typing.get_origin(hint)
    if hint is Any or hint is object:
        return lambda value, path: value
    if origin in (typing.Union, types.UnionType):
        return _union(hint)
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return _list(hint, _check_for(item))
    if hint is _NONE or hint is None:
        return _exact(hint, _NONE)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum(hint)
    if isinstance(hint, type):
        return _scalar(hint)
    return lambda value, path: value  # a typing construct the models do not use: not checked


def _union(hint: Any) -> Check:
    arms = typing.get_args(hint)
    allows_none = _NONE in arms
    # One arm besides None is the models' only union; several arms are tried in order.
    checks = [_check_for(arm) for arm in arms if arm is not _NONE]

    def check(value: Any, path: str) -> Any:
        if value is None:
            if allows_none:
                return None
            raise _wrong(path, hint, value)
        if len(checks) == 1:
            try:
                return checks[0](value, path)
            except ArgumentTypeError as exc:
                if _is_here(exc, path):  # the value itself, not a field inside it
                    raise _wrong(path, hint, value) from None
                raise
        for arm in checks:
            try:
                return arm(value, path)
            except ArgumentTypeError:
                continue
        raise _wrong(path, hint, value)

    return check


def _is_here(exc: ArgumentTypeError, path: str) -> bool:
    return str(exc).startswith(f"{path}: ")


def _list(hint: Any, item: Check) -> Check:
    def check(value: Any, path: str) -> Any:
        if not isinstance(value, (list, tuple)):
            raise _wrong(path, hint, value)
        return [item(entry, f"{path}[{index}]") for index, entry in enumerate(value)]

    return check


def _exact(hint: Any, cls: type[Any]) -> Check:
    def check(value: Any, path: str) -> Any:
        if not isinstance(value, cls):
            raise _wrong(path, hint, value)
        return value

    return check


def _dataclass(cls: type[Any]) -> Check:
    def check(value: Any, path: str) -> Any:
        if type(value) is not cls and not isinstance(value, cls):
            raise _wrong(path, cls, value)
        changes = {}
        for name, field_check in field_checks(cls):
            current = getattr(value, name)
            converted = field_check(current, f"{path}.{name}")
            if converted is not current:
                changes[name] = converted
        return dataclasses.replace(value, **changes) if changes else value

    return check


def _enum(cls: type[enum.Enum]) -> Check:
    def check(value: Any, path: str) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            try:
                return cls(value)
            except ValueError:
                names = ", ".join(repr(member.value) for member in cls)
                raise ArgumentTypeError(
                    f"{path}: {value!r} is not a value of {cls.__name__} ({names})"
                ) from None
        raise _wrong(path, cls, value)

    return check


def _scalar(cls: type[Any]) -> Check:
    convert = _CONVERT.get(cls)

    def check(value: Any, path: str) -> Any:
        if isinstance(value, bool) and cls is not bool:  # True is an int to Python, not to XML
            raise _wrong(path, cls, value)
        if isinstance(value, cls):
            return value
        if cls is float and isinstance(value, int):
            return float(value)
        if convert is not None:
            converted = convert(value)
            if converted is not None:
                return converted
        raise _wrong(path, cls, value)

    return check


__all__ = ["ArgumentTypeError", "check_argument", "describe", "field_checks"]
