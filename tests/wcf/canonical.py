"""The values the WCF peer and the tests exchange, in one language-neutral form.

A generated dataclass becomes an object keyed by its elements' XML names (a WCF collection by its
wrapper's name), a list an array, every scalar its XML lexical form. `Peer.cs` writes and reads the
same form from .NET objects, so the two sides compare values, not envelopes.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import decimal
import enum
import itertools
import uuid
from typing import Any

from xsdata.formats.converter import converter
from xsdata.models.datatype import XmlDate, XmlDateTime

from altinn2.runtime.codec import context


def to_canonical(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [to_canonical(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        members = {}
        for var in context().build(type(value)).get_all_vars():
            if var.is_attributes or var.is_wildcard:
                continue
            name = var.wrapper.rsplit("}", 1)[-1] if var.wrapper else var.local_name
            members[name] = to_canonical(getattr(value, var.name))
        return members
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return converter.serialize(value)


class Comparison:
    """Compares canonical values leaf by leaf; keeps the differences and the count of values."""

    def __init__(self) -> None:
        self.values = 0
        self.differences: list[str] = []

    def compare(self, expected: Any, actual: Any, path: str) -> None:
        if isinstance(expected, dict) and isinstance(actual, dict):
            for key in sorted(expected.keys() | actual.keys()):
                if key not in actual or key not in expected:
                    side = "the receiver" if key not in actual else "the sender"
                    self.differences.append(f"{path}.{key}: missing on {side}'s side")
                    continue
                self.compare(expected[key], actual[key], f"{path}.{key}")
        elif isinstance(expected, list) and isinstance(actual, list):
            if len(expected) != len(actual):
                self.differences.append(f"{path}: {len(expected)} items sent, {len(actual)} read")
            for index, (sent, read) in enumerate(zip(expected, actual, strict=False)):
                self.compare(sent, read, f"{path}[{index}]")
        else:
            self.values += 1
            if not same_scalar(expected, actual):
                self.differences.append(f"{path}: sent {expected!r}, read {actual!r}")


def same_scalar(expected: Any, actual: Any) -> bool:
    """Equal lexical forms, or the same number or instant written differently (`1.0`/`1`,
    `12:00:00`/`12:00:00.0000000`)."""
    if expected == actual:
        return True
    if not isinstance(expected, str) or not isinstance(actual, str):
        return False
    for parse in (decimal.Decimal, XmlDateTime.from_string, XmlDate.from_string):
        try:
            if parse(expected) == parse(actual):  # type: ignore[operator]
                return True
        except (ValueError, decimal.InvalidOperation):
            continue
    return False


def distinct(value: Any) -> Any:
    """`value` (an `example()` instance) with every scalar made distinct from the others, so that a
    value read into the wrong field shows: strings `name-N`, numbers N, dates N minutes apart,
    booleans alternating."""
    counter = itertools.count(2)
    return _distinct(value, counter, "value")


def _distinct(value: Any, counter: itertools.count[int], name: str) -> Any:
    if isinstance(value, list):
        return [_distinct(item, counter, name) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for var in context().build(type(value)).get_all_vars():
            if var.is_attributes or var.is_wildcard:
                continue
            changes[var.name] = _distinct(getattr(value, var.name), counter, var.local_name)
        return dataclasses.replace(value, **changes)
    n = next(counter)
    if value is None or isinstance(value, enum.Enum):
        return value
    if isinstance(value, bool):
        return n % 2 == 0
    if isinstance(value, int):
        return n
    if isinstance(value, decimal.Decimal):
        return decimal.Decimal(n) / 4
    if isinstance(value, str):
        return f"{name}-{n}"
    if isinstance(value, bytes):
        return f"{name}-{n}".encode()
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=n)
    if isinstance(value, XmlDateTime):
        moved = value.to_datetime() + dt.timedelta(minutes=n)
        return XmlDateTime.from_datetime(moved)
    return value


def emptied(value: Any) -> Any:
    """`value` with every string empty and every list without items: what must arrive as `""`
    and `[]`, not as nil (`None`)."""
    if isinstance(value, list):
        return []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for var in context().build(type(value)).get_all_vars():
            if var.is_attributes or var.is_wildcard:
                continue
            changes[var.name] = emptied(getattr(value, var.name))
        return dataclasses.replace(value, **changes)
    return "" if isinstance(value, str) else value


def in_contract(value: Any, names: frozenset[str]) -> Any:
    """`value` (canonical) without the members whose element the endpoint's contract does not
    declare: a model class may be the union of several WSDLs' compatible definitions (an EC2
    WSDL's type with an element more), and a WCF peer built from one WSDL knows only its own."""
    if isinstance(value, list):
        return [in_contract(item, names) for item in value]
    if isinstance(value, dict):
        return {key: in_contract(item, names) for key, item in value.items() if key in names}
    return value
