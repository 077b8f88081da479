"""An integer field's inclusive range, from its `min_inclusive`/`max_inclusive` metadata (what
the generator records for xs:int, xs:unsignedInt ...: xsdata maps every integer type to `int`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Bounds = tuple[int | None, int | None]  # (low, high), inclusive; None: no bound that side

INT32: tuple[int, int] = (-(2**31), 2**31 - 1)


def bounds_of(metadata: Mapping[str, Any]) -> Bounds | None:
    """The field's range, or None when its metadata gives neither bound."""
    low, high = metadata.get("min_inclusive"), metadata.get("max_inclusive")
    return None if low is None and high is None else (low, high)


def within(value: int, bounds: Bounds) -> bool:
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)


def span(bounds: Bounds) -> str:
    """`low..high` as the errors name a range (a missing bound left empty)."""
    low, high = bounds
    return f"{'' if low is None else low}..{'' if high is None else high}"
