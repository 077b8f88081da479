"""XSD's lexical forms of the simple values WCF sends, read strictly (ASCII digits, XSD's spaces
only): what the generated decoders, the fast binder and xsdata's converters share. Nothing of
xsdata's parser or context is imported here."""

from __future__ import annotations

import re

from xsdata.models.datatype import XmlDate, XmlDateTime

_XSD_SPACE = " \t\r\n"


def xsd_ascii(text: str) -> str:
    """A date, time or duration's text without XSD's spaces around it; ValueError when it holds
    anything but ASCII (XSD's digits are ASCII; Python's date parsers read other scripts' too)."""
    value = text.strip(_XSD_SPACE)
    if not value.isascii():
        raise ValueError(f"not in XSD's lexical form: {text!r}")
    return value


def wcf_date_time(text: str) -> XmlDateTime:
    """An xs:dateTime as WCF reads it.

    The one deliberate tolerance: WCF's DataContractSerializer reads a date alone
    (`1999-12-22`, as Altinn's own ReporteeElementList examples send in `FromDate`/`ToDate`)
    in a dateTime field as midnight of that day, so this does too: the field holds an
    `XmlDateTime` (`1999-12-22T00:00:00`), never the raw text. Anything else that is not an
    xs:dateTime raises ValueError, other scripts' digits (which Python reads) included."""
    value = xsd_ascii(text)
    try:
        return XmlDateTime.from_string(value)
    except ValueError:
        if "T" in value:
            raise
    date = XmlDate.from_string(value)  # ValueError when it is not a date either
    return XmlDateTime(date.year, date.month, date.day, 0, 0, 0, offset=date.offset)


# XSD's whitespace "collapse" for these types: only these four characters around the value.
_XSD_INTEGER = re.compile(r"[+-]?[0-9]+")
_XSD_DOUBLE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|-?INF|NaN")
# Every integer field of Altinn's schemas is xs:int, xs:long or xs:unsignedInt: none holds a
# value outside xs:long's range (the models do not record which of the three a field is).
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1


def xsd_integer(text: str) -> int:
    """An integer in XSD's lexical form (ASCII digits, an optional sign, no `_`) within xs:long's
    range; anything else (what Python's `int` also reads: `1_000`, other scripts' digits) raises
    ValueError."""
    value = text.strip(_XSD_SPACE)
    if not _XSD_INTEGER.fullmatch(value):
        raise ValueError(f"not an xs:integer: {text!r}")
    number = int(value)
    if not LONG_MIN <= number <= LONG_MAX:
        raise ValueError(f"out of xs:long's range: {value}")
    return number


def xsd_double(text: str) -> float:
    """An xs:double/xs:float in XSD's lexical form (`INF`, `-INF`, `NaN`, no `_`, not Python's
    `inf`/`nan`/`Infinity`); anything else raises ValueError."""
    value = text.strip(_XSD_SPACE)
    if not _XSD_DOUBLE.fullmatch(value):
        raise ValueError(f"not an xs:double: {text!r}")
    return float(value)
