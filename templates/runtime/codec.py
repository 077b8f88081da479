"""Typed objects to XML elements and back, with xsdata's binding (tolerant of newer contracts).

Reading is strict about values and tolerant about elements: an element a newer contract added is
skipped, but a value that does not convert to its field's type (an int, an enum member, a bool, a
date, a guid ...) raises `ProtocolError` naming the element path, whichever reader meets it. A
typed result never holds a raw string where its annotation promises something else.

The generated codecs (`altinn2.codecs`) are the ordinary path and need nothing of xsdata's
context, parser or serializer: those (`xmlcontext.context()`, the fast binder, xsdata's parser and
serializer, the empty-element pass, the type check) are imported when a codec refuses something
or a class has none, not by an ordinary call.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import importlib
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from lxml import etree

from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.fastcodec import REFUSED
from altinn2.runtime.secrets import DEFAULT_REDACTOR, MASK, SECRET_ELEMENTS

if TYPE_CHECKING:
    from xsdata.formats.dataclass.parsers.config import ParserConfig
    from xsdata.formats.dataclass.parsers.mixins import XmlHandler
    from xsdata.formats.dataclass.serializers import TreeSerializer

    from altinn2.runtime.binder import Binder
    from altinn2.runtime.xmlcontext import WcfXmlContext

T = TypeVar("T")

_SHOWN_CHARS = 40


def context() -> WcfXmlContext:
    """xsdata's context of the models (`xmlcontext.context()`; xsdata's modules load with it)."""
    from altinn2.runtime.xmlcontext import context

    return context()


@functools.cache
def binder() -> Binder:
    """The fast binder, for a class without a generated decoder."""
    from altinn2.runtime.binder import Binder

    return Binder(context())


@functools.cache
def parser_config() -> ParserConfig:
    """Elements a newer server contract adds are skipped, not fatal; values that do not
    convert are."""
    from xsdata.formats.dataclass.parsers.config import ParserConfig

    return ParserConfig(
        fail_on_unknown_properties=False,
        fail_on_unknown_attributes=False,
        fail_on_converter_warnings=True,
    )


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


@functools.cache
def _serializer() -> TreeSerializer:
    """xsdata's serializer, writing None as WCF reads it."""
    from xsdata.formats.dataclass.models.elements import XmlMeta, XmlVar
    from xsdata.formats.dataclass.serializers import TreeSerializer
    from xsdata.formats.dataclass.serializers.config import SerializerConfig

    class WcfTreeSerializer(TreeSerializer):
        """Optional fields left as None are omitted (WCF reads an absent optional member as
        null); required nillable fields left as None go as `xsi:nil="true"`, as the schema
        wants."""

        @classmethod
        def next_value(cls, obj: Any, meta: XmlMeta) -> Iterator[tuple[XmlVar, Any]]:
            required = _required_fields(type(obj))
            for var, value in super().next_value(obj, meta):
                if value is None and var.name not in required:
                    continue
                yield var, value

    return WcfTreeSerializer(context=context(), config=SerializerConfig())


def _reference_element(obj: object, namespaces: dict[str, None]) -> etree._Element:
    """xsdata's serializer; `namespaces` gets every namespace of the tree in document order."""
    element = _serializer().render(obj).getroot()
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            namespaces[node.tag[1:].partition("}")[0]] = None
        for name in node.attrib:
            if name.startswith("{"):
                namespaces[name[1:].partition("}")[0]] = None
    return element


def to_element(obj: object) -> etree._Element:
    """The XML element for a generated dataclass instance (its own element name), with every
    namespace declared once, on the element itself.

    The class's generated encoder (`altinn2.codecs`) writes what it covers exactly, xsdata's
    serializer (the reference) the rest: the same element either way."""
    namespaces: dict[str, None] = {}  # every namespace of the tree, in document order
    element: etree._Element | None = None
    encoder = encoder_of(type(obj))
    if encoder is not None:
        tag, encode = encoder
        element = etree.Element(tag)
        if tag.startswith("{"):
            namespaces[tag[1:].partition("}")[0]] = None
        try:
            encode(obj, element, namespaces)
        except REFUSED:
            element = None
            namespaces.clear()
    if element is None:
        element = _reference_element(obj, namespaces)
    prefixes = {f"n{index}": namespace for index, namespace in enumerate(namespaces)}
    etree.cleanup_namespaces(element, top_nsmap=prefixes)
    return element


_CODEC_MODULES: dict[str, ModuleType | None] = {}
CODECS_PACKAGE = "altinn2.codecs"
Encoder = Callable[[Any, etree._Element, dict[str, None]], None]


def _codec_module(cls: type[Any]) -> ModuleType | None:
    """The generated codec module of `cls`'s model module (imported on first use), if any."""
    models, _, module = cls.__module__.rpartition(".")
    if models != "altinn2.models":
        return None
    try:
        return _CODEC_MODULES[module]
    except KeyError:
        pass
    name = f"{CODECS_PACKAGE}.{module}"
    found: ModuleType | None = None
    try:
        found = importlib.import_module(name)
    except ModuleNotFoundError as exc:  # no class of that module is in a message
        if exc.name != name:
            raise
    _CODEC_MODULES[module] = found
    return found


def decoder_of(cls: type[T]) -> Callable[[etree._Element, bool], T] | None:
    """The generated decoder of `cls`, if there is one."""
    codecs = _codec_module(cls)
    return None if codecs is None else codecs.DECODERS.get(cls)


_ENCODERS: dict[type[Any], tuple[str, Encoder] | None] = {}


def encoder_of(cls: type[Any]) -> tuple[str, Encoder] | None:
    """The element name and the generated encoder of `cls`, if there is one."""
    try:
        return _ENCODERS[cls]
    except KeyError:
        pass
    codecs = _codec_module(cls)
    encode = None if codecs is None else codecs.ENCODERS.get(cls)
    found = _ENCODERS[cls] = None if encode is None else (qname_of(cls), encode)
    return found


def shown(path: str, value: object) -> str:
    """A value for an error message: masked under a credential element, else redacted, short."""
    names = {part.split("[", 1)[0].lower() for part in path.split("/")}
    if names & set(SECRET_ELEMENTS):
        return MASK
    text = DEFAULT_REDACTOR.text(str(value))
    return repr(text[:_SHOWN_CHARS] + ("…" if len(text) > _SHOWN_CHARS else ""))


class _Tracking(Protocol):
    """What a path-tracking handler tells of where it stopped."""

    path: list[str]
    text: str | None


@functools.cache
def _path_tracking_handler() -> Callable[..., _Tracking]:
    """xsdata's lxml handler, keeping the path of open elements so that a value it cannot
    convert is reported where it is."""
    from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler
    from xsdata.models.enums import EventType

    class PathTrackingHandler(LxmlEventHandler):
        path: list[str]
        text: str | None = None

        def process_context(
            self, context: Iterable[tuple[str, Any]], ns_map: dict[str | None, str]
        ) -> Any:
            self.path = []
            for event, element in context:
                if event == EventType.START:
                    self.path.append(etree.QName(element).localname)
                    self.parser.start(
                        self.clazz,
                        self.queue,
                        self.objects,
                        element.tag,
                        element.attrib,
                        element.nsmap,
                    )
                elif event == EventType.END:
                    self.text = element.text
                    self.parser.end(
                        self.queue, self.objects, element.tag, element.text, element.tail
                    )
                    element.clear()
                    self.path.pop()
                elif event == EventType.START_NS:
                    prefix, uri = element
                    self.parser.register_namespace(ns_map, prefix or None, uri)
            return self.objects[-1][1] if self.objects else None

    return PathTrackingHandler


# From this size on, an answer's decode runs with the cyclic garbage collector paused.
LARGE_ANSWER_BYTES = 256 * 1024


def _collector_paused(
    decode: Callable[[etree._Element, bool], T], element: etree._Element, consume: bool
) -> T:
    """A generated decoder's run with Python's cyclic garbage collector paused: what it builds is
    a tree of new objects (dataclasses, their dicts and lists, strings), no cycle to find, yet
    each collection that the allocations trigger walks what is alive, which makes a large
    answer's decode grow faster than its size. The collector is resumed after, unless it was
    off before; the fallback to xsdata's parser runs with it. The switch is the process's:
    another thread's garbage cycles wait for the decode's end (a few hundred milliseconds at
    10,000 items); decodes that overlap in threads pause it once, and the first to end resumes
    it (the others finish with it running); a `gc.disable()` in another thread while a decode
    runs is undone at its end. So only a large answer's decode pauses it (`from_element`'s
    `large`): a small one gains nothing measurable and leaves the switch alone."""
    if not gc.isenabled():
        return decode(element, consume)
    gc.disable()
    try:
        return decode(element, consume)
    finally:
        gc.enable()


def from_element(
    element: etree._Element,
    cls: type[T],
    operation: str | None = None,
    reread: Callable[[], etree._Element] | None = None,
    large: bool = False,
) -> T:
    """Bind an element (and its subtree) to `cls`. The element may be consumed (cleared).

    With `reread` (the same element parsed again), the generated decoder frees what it has read
    as it goes (a large answer's tree and its objects are not all held at once), and a fallback
    reads the element `reread` gives. `large` (an answer of `LARGE_ANSWER_BYTES` or more): the
    generated decoder runs with the cyclic garbage collector paused (`_collector_paused`).

    The class's generated decoder (`altinn2.codecs`), else the fast binder, takes what it covers
    exactly; the rest goes through xsdata's parser. Either
    way the result holds only values of the declared types, or `ProtocolError` names the element
    path (and `operation`) of the first value that is not."""
    where = f"{operation}: " if operation else ""
    decode = decoder_of(cls)
    if decode is not None:
        try:
            if large:
                return _collector_paused(decode, element, reread is not None)
            return decode(element, reread is not None)
        except REFUSED:
            if reread is not None:  # partly consumed: the reference reads it whole again
                element = reread()
    else:
        from altinn2.runtime.binder import Unsupported

        try:
            bound: T = binder().bind(element, cls)
            return bound
        except Unsupported:
            pass
    from xsdata.exceptions import ConverterError, ParserError
    from xsdata.formats.dataclass.models.generics import DerivedElement

    from altinn2.runtime.typecheck import first_mismatch

    root = etree.QName(element).localname
    handlers: list[_Tracking] = []
    handler_type = _path_tracking_handler()

    def tracking_handler(**options: Any) -> _Tracking:
        handlers.append(handler_type(**options))
        return handlers[-1]

    # xsdata asks for a handler class; a factory that keeps the instance is called the same way
    factory = cast("type[XmlHandler]", tracking_handler)
    try:
        result: T = generic_parse(element, cls, factory)
    except (ParserError, ConverterError, ValueError, TypeError) as exc:
        handler = handlers[-1] if handlers else None
        path = "/".join(handler.path if handler else ()) or root
        if handler is not None and str(exc).startswith("Failed to convert value"):
            field = str(exc).split("`", 2)[1] if "`" in str(exc) else cls.__name__
            raise ProtocolError(
                f"{where}{path}: {shown(path, handler.text)} is not a valid value for {field}"
            ) from None
        detail = DEFAULT_REDACTOR.text(" ".join(str(exc).split()))
        raise ProtocolError(f"{where}cannot read {path} as {cls.__name__}: {detail}") from None
    if isinstance(result, DerivedElement):  # an xsi:type: the value is what the caller wants
        result = result.value
    if not isinstance(result, cls):
        raise ProtocolError(f"{where}cannot read {root} as {cls.__name__}")
    mismatch = first_mismatch(result, root)
    if mismatch is not None:
        raise ProtocolError(
            f"{where}{mismatch.path}: {shown(mismatch.path, mismatch.value)} is not "
            f"of the declared type {mismatch.expected}"
        )
    return result


def generic_parse(
    element: etree._Element, cls: type[T], handler: type[XmlHandler] | None = None
) -> T:
    """xsdata's parser, reading empty elements as XML Schema does (the element is consumed);
    `handler` defaults to xsdata's `LxmlEventHandler`."""
    from xsdata.formats.dataclass.parsers import XmlParser
    from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler

    from altinn2.runtime.empties import EmptyElements

    parser = XmlParser(
        context=context(), config=parser_config(), handler=handler or LxmlEventHandler
    )
    empties = EmptyElements(context())
    empties.mark(element, cls)
    result: T = parser.parse(element, cls)
    empties.fill(result)
    return result


def qname_of(cls: type[Any]) -> str:
    """The qualified element name a generated class serializes as: an operation's message class
    from its codec module's table (`QNAMES`, written from xsdata's metadata), any other from
    xsdata's context."""
    codecs = _codec_module(cls)
    if codecs is not None:
        qname: str | None = codecs.QNAMES.get(cls)
        if qname is not None:
            return qname
    return context().build(cls).qname
