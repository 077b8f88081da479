"""What the generated decoders (`altinn2.codecs.*`) call besides Python's own conversions.

A generated decoder reads one class straight from lxml, its conversions chosen at generation time.
It first tries the children by position: all of them present, in the schema's order (as WCF writes
them), each tag compared and its text converted into one dict display; any other layout (an
element missing or added, another order, a comment) takes its loop by name. Whatever it does not
read exactly as xsdata's parser would (an `xsi:type`, a nil or empty value where the field admits
none, a value its conversion refuses, a required element missing) raises `Fallback` (or the
conversion's own ValueError, KeyError ...), and `codec.from_element` hands the element to xsdata's
parser, the reference: the result is the same, or `ProtocolError` names the operation and the
element path of the value that does not convert.
"""

from __future__ import annotations

import base64
import datetime
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from lxml import etree
from xsdata.models.datatype import XmlDate, XmlDateTime, XmlDuration, XmlTime

from altinn2.runtime.lexical import wcf_date_time, xsd_ascii, xsd_double, xsd_integer
from altinn2.runtime.ranges import INT32, within

XSI = "http://www.w3.org/2001/XMLSchema-instance"
NIL = f"{{{XSI}}}nil"
TYPE = f"{{{XSI}}}type"
T = TypeVar("T")
MISSING: Any = object()  # a required field not read (yet)
_TRUE = ("true", "1")
_FALSE = ("false", "0")


def words(text: str) -> tuple[str, ...]:
    """Names written as one space-separated string (the generated modules stay short)."""
    return tuple(text.split())


def index(*runs: str) -> dict[str, int]:
    """Element name -> slot index, from runs of (namespace in braces or "", local names)."""
    tags = [
        space + name
        for space, names in zip(runs[::2], runs[1::2], strict=True)
        for name in names.split()
    ]
    return {tag: slot for slot, tag in enumerate(tags)}


class Fallback(Exception):
    """This element needs xsdata's generic parser."""


def plain(element: etree._Element) -> None:
    """An element the decoder reads as its class: no `xsi:type`, no `xsi:nil`."""
    if element.get(TYPE) is not None or element.get(NIL) is not None:
        raise Fallback(element.tag)


def blank(element: etree._Element, nullable: bool, string: bool) -> str | None:
    """The value of an element without text: None for xsi:nil (where the field admits None),
    "" for a string (empty is not nil); anything else is for the reference to judge."""
    nil = element.get(NIL)
    if nil in _TRUE:
        if nullable:
            return None
    elif string and not len(element) and (nil is None or nil in _FALSE):
        return ""
    raise Fallback(element.tag)  # an xsi:nil that is not a boolean included


def nil(element: etree._Element, nullable: bool) -> bool:
    """Whether a complex element is xsi:nil (only where the field admits None)."""
    nil = element.get(NIL)
    if nil is None or nil in _FALSE:
        return False
    if nil in _TRUE and nullable:
        return True
    raise Fallback(element.tag)  # where None is not admitted, or not a boolean


def text(element: etree._Element, string: bool) -> str:
    """The text of a list item (never nil)."""
    value = element.text
    if value:
        return value
    result = blank(element, False, string)
    assert result is not None
    return result


def each(
    wrapper: etree._Element, tag: str, decode: Callable[[etree._Element], T], consume: bool
) -> list[T]:
    """The items of a list wrapper, each cleared once read when `consume` (its subtree freed:
    a large answer's tree and its objects are not all held at once)."""
    found = []
    for item in wrapper:
        if item.tag == tag:
            found.append(decode(item))
            if consume:
                item.clear()
    return found


def boolean(value: str) -> bool:
    value = value.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ValueError(value)


_new_tuple = tuple.__new__
_iso_date_time = datetime.datetime.fromisoformat


def date_time(value: str) -> XmlDateTime:
    """xs:dateTime as `wcf_date_time` reads it. WCF's usual layouts (`2020-01-01T12:00:00`, a
    fraction of up to 9 digits, `Z`) are read by position: with the separators in place, Python's
    datetime takes only ASCII digits in the other places and checks the calendar; anything else
    (an offset, spaces, hour 24, year 0, ...) goes to `wcf_date_time`, which reads or refuses it.
    `XmlDateTime` is a named tuple without checks of its own: it is built straight from the
    checked numbers."""
    if value[4:17:3] != "--T::" or value[11:13] == "24":
        return wcf_date_time(value)
    zone = None
    if len(value) == 19:  # no fraction, no zone: the most usual
        nanos = 0
    else:
        rest = value[19:]
        if rest[-1:] == "Z":
            zone, rest = 0, rest[:-1]
        if not rest:
            nanos = 0
        elif rest[0] == "." and 1 < len(rest) <= 10 and rest.isascii() and rest[1:].isdigit():
            nanos = int(rest[1:].ljust(9, "0"))
        else:
            return wcf_date_time(value)
    try:
        d = _iso_date_time(value[:19])
    except ValueError:
        return wcf_date_time(value)  # the reference decides (year 0, say)
    if d.tzinfo is not None:
        return wcf_date_time(value)  # `12:00:Z` and the like
    fields = (d.year, d.month, d.day, d.hour, d.minute, d.second, nanos, zone)
    return _new_tuple(XmlDateTime, fields)


# Numbers other than an int's usual text: XSD's lexical forms only, as the reference reads them.
integer = xsd_integer


def ranged(value: str, low: int | None, high: int | None) -> int:
    """An integer within a field's inclusive bounds (xs:unsignedInt, xs:short ...)."""
    number = xsd_integer(value)
    if not within(number, (low, high)):
        raise ValueError(f"{number} is out of the field's range")
    return number


def int32(value: str) -> int:
    """An xs:int (its fast reading took the texts of at most 9 characters)."""
    return ranged(value, *INT32)


double = xsd_double


def date(value: str) -> XmlDate:
    return XmlDate.from_string(xsd_ascii(value))


def time(value: str) -> XmlTime:
    return XmlTime.from_string(xsd_ascii(value))


def duration(value: str) -> XmlDuration:
    return XmlDuration(xsd_ascii(value))


def guid(value: str) -> uuid.UUID:
    return uuid.UUID(value.strip())


def decimal(value: str) -> Decimal:
    return Decimal(value.strip())


def base64_binary(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


# Exceptions a decoder's conversions raise on a value they do not read: the reference decides.
REFUSED = (Fallback, ValueError, KeyError, TypeError, ArithmeticError, AssertionError)


# -- writing: the text of a value of the declared type; anything else goes to the reference -----


def refuse(value: object) -> str:
    """A value the encoders leave to xsdata's serializer (a type they do not write)."""
    raise Fallback(type(value).__name__)


def str_text(value: object) -> str | None:
    if value.__class__ is str:
        return value or None
    return refuse(value)


def int_text(value: object) -> str:
    return str(value) if value.__class__ is int else refuse(value)


def ranged_text(value: object, low: int | None, high: int | None) -> str:
    if type(value) is int and within(value, (low, high)):
        return str(value)
    return refuse(value)


_INT32_LOW, _INT32_HIGH = INT32


def int32_text(value: object) -> str:
    if type(value) is int and _INT32_LOW <= value <= _INT32_HIGH:  # inline: every xs:int written
        return str(value)
    return refuse(value)


def bool_text(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return refuse(value)


def date_time_text(value: object) -> str:
    return str(value) if value.__class__ is XmlDateTime else refuse(value)


def guid_text(value: object) -> str:
    return str(value) if value.__class__ is uuid.UUID else refuse(value)


def bytes_text(value: object) -> str:
    if value.__class__ is bytes:
        return base64.b64encode(value).decode()
    return refuse(value)


def enum_text(value: object, cls: type) -> str:
    return str(value.value) if value.__class__ is cls else refuse(value)  # type: ignore[attr-defined]


def nil_if_empty(element: etree._Element, ns: dict[str, None]) -> None:
    """A nillable element whose object wrote nothing is `xsi:nil="true"` (as xsdata writes it)."""
    if not len(element) and element.text is None:
        element.set(NIL, "true")
        ns[XSI] = None


def absent(parent: etree._Element, tag: str, nillable: bool, ns: dict[str, None]) -> None:
    """A required field left as None: `xsi:nil="true"` where the schema allows it."""
    if not nillable:
        raise Fallback(tag)
    etree.SubElement(parent, tag).set(NIL, "true")
    if tag.startswith("{"):
        ns[tag[1:].partition("}")[0]] = None
    ns[XSI] = None
