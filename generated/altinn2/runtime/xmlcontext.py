"""xsdata glue for WCF's data contracts: `uuid.UUID` values, WCF's reading of xs:dateTime and
cross-namespace list wrappers. Imported only where xsdata's context is needed (`context()`)."""

from __future__ import annotations

import datetime
import functools
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from xsdata.exceptions import ConverterError
from xsdata.formats.converter import Converter, FloatConverter, converter
from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.models.builders import XmlMetaBuilder
from xsdata.formats.dataclass.models.elements import XmlVar
from xsdata.models.datatype import XmlDate, XmlDateTime

from altinn2.runtime.lexical import wcf_date_time, xsd_double, xsd_integer


class UuidConverter(Converter):
    """`ser:guid` <-> `uuid.UUID` (written in the lower-case "D" format, as WCF writes it)."""

    def deserialize(self, value: Any, **kwargs: Any) -> uuid.UUID:
        try:
            return uuid.UUID(str(value).strip())
        except ValueError as exc:
            raise ConverterError(str(exc)) from None

    def serialize(self, value: Any, **kwargs: Any) -> str:
        return str(value)


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


@functools.cache
def register_converters() -> None:
    """Put the runtime's converters in xsdata's place (once: later calls do nothing)."""
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
    """The xsdata context every parser and serializer of these models must use; making one
    registers the runtime's converters with xsdata (`register_converters`). `context()` is the
    runtime's own, made once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        register_converters()
        super().__init__(*args, **kwargs)

    def get_builder(self, globalns: dict[str, Callable[..., Any]] | None = None) -> XmlMetaBuilder:
        return WcfMetaBuilder(
            class_type=self.class_type,
            element_name_generator=self.element_name_generator,
            attribute_name_generator=self.attribute_name_generator,
            globalns=globalns,
        )


@functools.cache
def context() -> WcfXmlContext:
    """The runtime's one xsdata context (its class metadata built once per class). xsdata's
    context and converters load with the first call: the generated codecs need none of it,
    only xsdata's parser and serializer (the fallback), masking, `to_data` and the mock do.
    The runtime's converters are registered with xsdata on the way (see `WcfXmlContext`)."""
    return WcfXmlContext()
