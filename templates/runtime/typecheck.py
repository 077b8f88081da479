"""Does a typed result hold what its annotations promise? The whole object graph, checked.

A generated dataclass read from XML must never carry a raw string where an int, an enum, a date
or a nested object belongs. `first_mismatch` walks an instance against its type hints and names
the first field (as an element path) whose value is not of its declared type, or an integer out
of its field's range (`min_inclusive`/`max_inclusive` metadata: xs:int, xs:unsignedInt ...).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, NamedTuple

from altinn2.runtime.ranges import bounds_of, span, within

_HINTS: dict[type, dict[str, Any]] = {}


class Mismatch(NamedTuple):
    path: str  # element names from the checked object down, e.g. "Receipt/ReceiptId"
    expected: str  # the declared type, as written
    value: Any  # the value found (callers redact it before showing it)


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _in_range(value: Any, field: dataclasses.Field[Any]) -> bool:
    """An int within its field's inclusive bounds (anything else is not checked here)."""
    bounds = bounds_of(field.metadata)
    return value.__class__ is not int or bounds is None or within(value, bounds)


def _ranged(hint: str, field: dataclasses.Field[Any]) -> str:
    bounds = bounds_of(field.metadata)
    return hint if bounds is None else f"{hint} ({span(bounds)})"


def _element_name(field: dataclasses.Field[Any]) -> str:
    name = field.metadata.get("name")
    return str(name) if name else field.name


def _matches(value: Any, hint: Any) -> bool:
    """A shallow check of one value (lists and dataclasses are walked by the caller)."""
    if hint is Any or hint is object:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arm) for arm in typing.get_args(hint))
    if hint is None or hint is type(None):
        return value is None
    if origin is list:
        return isinstance(value, list)
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if origin is not None:
        return isinstance(value, origin)
    if not isinstance(hint, type):
        return True  # a typing construct these models do not use: not checked
    if hint is int or hint is float:  # bool is an int to Python, not to XML Schema
        if isinstance(value, bool):
            return False
        return isinstance(value, int) if hint is int else isinstance(value, (int, float))
    return isinstance(value, hint)


def _item_hint(hint: Any, value: list[Any]) -> Any:
    """The item type of the list arm of `hint` (Any when it declares none)."""
    arms = (
        typing.get_args(hint)
        if typing.get_origin(hint) in (typing.Union, types.UnionType)
        else (hint,)
    )
    for arm in arms:
        if typing.get_origin(arm) is list:
            args = typing.get_args(arm)
            return args[0] if args else Any
    return Any


def first_mismatch(obj: Any, root: str | None = None) -> Mismatch | None:
    """The first value in `obj`'s graph that is not of its field's declared type, or None."""
    path = root or type(obj).__name__
    stack: list[tuple[Any, str]] = [(obj, path)]
    while stack:
        current, where = stack.pop()
        if not dataclasses.is_dataclass(current) or isinstance(current, type):
            continue
        hints = _hints(type(current))
        for field in dataclasses.fields(current):
            value = getattr(current, field.name)
            hint = hints.get(field.name, Any)
            here = f"{where}/{_element_name(field)}"
            if not _matches(value, hint):
                return Mismatch(here, _describe(hint), value)
            if not _in_range(value, field):
                return Mismatch(here, _ranged(_describe(hint), field), value)
            if isinstance(value, list):
                item = _item_hint(hint, value)
                for index, entry in enumerate(value):
                    if not _matches(entry, item):
                        return Mismatch(f"{here}[{index}]", _describe(item), entry)
                    if not _in_range(entry, field):
                        return Mismatch(f"{here}[{index}]", _ranged(_describe(item), field), entry)
                    stack.append((entry, f"{here}[{index}]"))
            else:
                stack.append((value, here))
    return None


def _describe(hint: Any) -> str:
    if isinstance(hint, type):
        return hint.__name__
    return str(hint).replace("typing.", "")
