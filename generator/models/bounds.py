"""The value space of XML Schema's built-in integer types narrower than xs:long, for field metadata.

xsdata maps every integer type to `int`; the field's `min_inclusive`/`max_inclusive` metadata
keeps the range (the runtime reads xs:long's range for every integer already).
"""

from __future__ import annotations

from typing import Any

from xsdata.codegen.models import Attr
from xsdata.models.enums import DataType

# None: no bound on that side narrower than xs:long's.
INTEGER_BOUNDS: dict[DataType, tuple[int | None, int | None]] = {
    DataType.INT: (-(2**31), 2**31 - 1),
    DataType.SHORT: (-(2**15), 2**15 - 1),
    DataType.BYTE: (-(2**7), 2**7 - 1),
    DataType.UNSIGNED_INT: (0, 2**32 - 1),
    DataType.UNSIGNED_SHORT: (0, 2**16 - 1),
    DataType.UNSIGNED_BYTE: (0, 2**8 - 1),
    DataType.UNSIGNED_LONG: (0, None),
    DataType.NON_NEGATIVE_INTEGER: (0, None),
    DataType.POSITIVE_INTEGER: (1, None),
    DataType.NON_POSITIVE_INTEGER: (None, 0),
    DataType.NEGATIVE_INTEGER: (None, -1),
}


def add_integer_bounds(attr: Attr, metadata: dict[str, Any]) -> None:
    """Narrow `metadata`'s inclusive bounds to the attr's built-in integer type (one type only)."""
    if len(attr.types) != 1:
        return
    datatype = attr.types[0].datatype
    if datatype is None or datatype not in INTEGER_BOUNDS:
        return
    low, high = INTEGER_BOUNDS[datatype]
    if low is not None:
        given = metadata.get("min_inclusive")
        metadata["min_inclusive"] = low if not isinstance(given, int) else max(given, low)
    if high is not None:
        given = metadata.get("max_inclusive")
        metadata["max_inclusive"] = high if not isinstance(given, int) else min(given, high)
