"""Typed objects to XML elements and back, with xsdata's binding (tolerant of newer contracts)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, TypeVar

from lxml import etree
from xsdata.exceptions import ConverterError, ParserError
from xsdata.formats.dataclass.models.elements import XmlMeta, XmlVar
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.config import ParserConfig
from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler
from xsdata.formats.dataclass.serializers import TreeSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig

from altinn2.runtime.binder import Binder, Unsupported
from altinn2.runtime.empties import EmptyElements
from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.xmlcontext import WcfXmlContext, register_converters

T = TypeVar("T")

CONTEXT = WcfXmlContext()
register_converters()
# Elements a newer server contract adds are skipped, not fatal.
_PARSER_CONFIG = ParserConfig(fail_on_unknown_properties=False, fail_on_unknown_attributes=False)


_REQUIRED_FIELDS: dict[type[Any], frozenset[str]] = {}


def _required_fields(cls: type[Any]) -> frozenset[str]:
    """Fields without a default: the schema requires the element (minOccurs 1)."""
    required = _REQUIRED_FIELDS.get(cls)
    if required is None:
        required = _REQUIRED_FIELDS[cls] = frozenset(
            f.name
            for f in dataclasses.fields(cls)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        )
    return required


class WcfTreeSerializer(TreeSerializer):
    """Optional fields left as None are omitted (WCF reads an absent optional member as null);
    required nillable fields left as None go as `xsi:nil="true"`, as the schema wants."""

    @classmethod
    def next_value(cls, obj: Any, meta: XmlMeta) -> Iterator[tuple[XmlVar, Any]]:
        required = _required_fields(type(obj))
        for var, value in super().next_value(obj, meta):
            if value is None and var.name not in required:
                continue
            yield var, value


_SERIALIZER = WcfTreeSerializer(context=CONTEXT, config=SerializerConfig())


def to_element(obj: object) -> etree._Element:
    """The XML element for a generated dataclass instance (its own element name), with every
    namespace declared once, on the element itself."""
    element = _SERIALIZER.render(obj).getroot()
    namespaces: dict[str, None] = {}
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            namespaces[node.tag[1:].partition("}")[0]] = None
        for name in node.attrib:
            if name.startswith("{"):
                namespaces[name[1:].partition("}")[0]] = None
    prefixes = {f"n{index}": namespace for index, namespace in enumerate(namespaces)}
    etree.cleanup_namespaces(element, top_nsmap=prefixes)
    return element


_BINDER = Binder(CONTEXT)


def from_element(element: etree._Element, cls: type[T]) -> T:
    """Bind an element (and its subtree) to `cls`. The element may be consumed (cleared).

    The fast binder takes what it covers exactly; the rest goes through xsdata's parser."""
    try:
        bound: T = _BINDER.bind(element, cls)
        return bound
    except Unsupported:
        pass
    try:
        result: T = generic_parse(element, cls)
    except (ParserError, ConverterError, ValueError, TypeError) as exc:
        raise ProtocolError(
            f"cannot read {etree.QName(element).localname} as {cls.__name__}: {exc}"
        ) from None
    return result


def generic_parse(element: etree._Element, cls: type[T]) -> T:
    """xsdata's parser, reading empty elements as XML Schema does (the element is consumed)."""
    parser = XmlParser(context=CONTEXT, config=_PARSER_CONFIG, handler=LxmlEventHandler)
    empties = EmptyElements(CONTEXT)
    empties.mark(element, cls)
    result: T = parser.parse(element, cls)
    empties.fill(result)
    return result


def qname_of(cls: type[Any]) -> str:
    """The qualified element name a generated class serializes as."""
    meta = CONTEXT.build(cls)
    return meta.qname
