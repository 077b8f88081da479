"""Typed objects to XML elements and back, with xsdata's binding (tolerant of newer contracts)."""

from __future__ import annotations

from typing import Any, TypeVar

from lxml import etree
from xsdata.exceptions import ConverterError, ParserError
from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.config import ParserConfig
from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler
from xsdata.formats.dataclass.serializers import TreeSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig

from altinn2.runtime.errors import ProtocolError

T = TypeVar("T")

_CONTEXT = XmlContext()
# Elements a newer server contract adds are skipped, not fatal.
_PARSER_CONFIG = ParserConfig(fail_on_unknown_properties=False, fail_on_unknown_attributes=False)
_SERIALIZER = TreeSerializer(context=_CONTEXT, config=SerializerConfig())


def to_element(obj: object) -> etree._Element:
    """The XML element for a generated dataclass instance (its own element name)."""
    return _SERIALIZER.render(obj).getroot()


def from_element(element: etree._Element, cls: type[T]) -> T:
    """Bind an element (and its subtree) to `cls`. The element is consumed (cleared)."""
    parser = XmlParser(context=_CONTEXT, config=_PARSER_CONFIG, handler=LxmlEventHandler)
    try:
        result: T = parser.parse(element, cls)
    except (ParserError, ConverterError, ValueError, TypeError) as exc:
        raise ProtocolError(f"cannot read {etree.QName(element).localname} as {cls.__name__}: {exc}") from None
    return result


def qname_of(cls: type[Any]) -> str:
    """The qualified element name a generated class serializes as."""
    meta = _CONTEXT.build(cls)
    return meta.qname
