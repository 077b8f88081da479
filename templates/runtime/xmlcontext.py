"""xsdata glue for WCF's data contracts: `uuid.UUID` values, WCF's reading of xs:dateTime and
cross-namespace list wrappers."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from xsdata.exceptions import ConverterError
from xsdata.formats.converter import Converter, FloatConverter, converter
from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.models.builders import XmlMetaBuilder
from xsdata.formats.dataclass.models.elements import XmlVar
from xsdata.models.datatype import XmlDate, XmlDateTime


class UuidConverter(Converter):
    """`ser:guid` <-> `uuid.UUID` (written in the lower-case "D" format, as WCF writes it)."""

    def deserialize(self, value: Any, **kwargs: Any) -> uuid.UUID:
        try:
            return uuid.UUID(str(value).strip())
        except ValueError as exc:
            raise ConverterError(str(exc)) from None

    def serialize(self, value: Any, **kwargs: Any) -> str:
        return str(value)


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


class WcfDateTimeConverter(Converter):
    """xs:dateTime, with WCF's reading of a date alone (see `wcf_date_time`)."""

    def deserialize(self, value: Any, **kwargs: Any) -> XmlDateTime:
        if isinstance(value, XmlDateTime):
            return value
        try:
            return wcf_date_time(str(value))
        except ValueError as exc:
            raise ConverterError(str(exc)) from None

    def serialize(self, value: Any, **kwargs: Any) -> str:
        return str(value)


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


class XsdIntegerConverter(Converter):
    """int fields: XSD's lexical form only (see `xsd_integer`)."""

    def deserialize(self, value: Any, **kwargs: Any) -> int:
        if value.__class__ is int:
            return int(value)
        try:
            return xsd_integer(value if isinstance(value, str) else str(value))
        except ValueError as exc:
            raise ConverterError(str(exc)) from None

    def serialize(self, value: Any, **kwargs: Any) -> str:
        return str(value)


class XsdDoubleConverter(FloatConverter):
    """float fields: XSD's lexical form only (see `xsd_double`); written as xsdata writes them
    (`INF`, `-INF`, `NaN`)."""

    def deserialize(self, value: Any, **kwargs: Any) -> float:
        if value.__class__ is float:
            return float(value)
        try:
            return xsd_double(value if isinstance(value, str) else str(value))
        except ValueError as exc:
            raise ConverterError(str(exc)) from None


def register_converters() -> None:
    converter.register_converter(uuid.UUID, UuidConverter())
    converter.register_converter(XmlDateTime, WcfDateTimeConverter())
    converter.register_converter(int, XsdIntegerConverter())
    converter.register_converter(float, XsdDoubleConverter())


# A request-only class's date field also takes Python's dates (`altinn2.runtime.arguments`
# converts them before anything is serialized); on the wire it is its xsdata type.
_READ_AS: dict[frozenset[type], type] = {
    frozenset({XmlDateTime, datetime.datetime, datetime.date}): XmlDateTime,
    frozenset({XmlDate, datetime.date}): XmlDate,
}


class WcfMetaBuilder(XmlMetaBuilder):
    """A field's `wrapper` in Clark notation (`{ns}Name`) keeps its own namespace.

    xsdata builds a wrapper's name from the items' namespace; WCF puts the wrapper in the
    containing type's namespace and the items in the collection type's (e.g. WCF's Arrays).
    """

    def build_vars(
        self,
        clazz: type,
        namespace: str | None,
        element_name_generator: Callable[..., Any],
        attribute_name_generator: Callable[..., Any],
    ) -> Iterator[XmlVar]:
        for var in super().build_vars(
            clazz, namespace, element_name_generator, attribute_name_generator
        ):
            if var.wrapper and var.wrapper.startswith("{"):
                var.wrapper_qname = var.wrapper
            xsdata_type = _READ_AS.get(frozenset(var.types))
            if xsdata_type is not None:
                var.types = (xsdata_type,)
            yield var


class WcfXmlContext(XmlContext):
    """The xsdata context every parser and serializer of these models must use."""

    def get_builder(self, globalns: dict[str, Callable[..., Any]] | None = None) -> XmlMetaBuilder:
        return WcfMetaBuilder(
            class_type=self.class_type,
            element_name_generator=self.element_name_generator,
            attribute_name_generator=self.attribute_name_generator,
            globalns=globalns,
        )
