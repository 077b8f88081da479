"""A fast path from an lxml tree to the generated dataclasses, for the shapes WCF sends.

xsdata's generic parser spends some fifty Python calls per element; WCF's data contracts need
far less: elements only (no attributes, mixed content or choices), one type per field, values of
a dozen simple types. A `Plan` per class maps each child element name to its field and converter
once, and binding is then a dictionary lookup and a conversion per element, about six times
faster. Whatever the plan does not cover exactly (an `xsi:type`, a value its converter refuses, a
required field the XML lacks, a class with attributes or wildcards) raises `Unsupported`, and the
caller hands the element to xsdata instead: the result is the same, only slower, and a value
neither reader converts is a `ProtocolError` there (see `codec.from_element`).
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import types
import typing
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from lxml import etree
from xsdata.models.datatype import XmlDate, XmlDateTime, XmlDuration, XmlTime

from altinn2.runtime.lexical import wcf_date_time, xsd_ascii, xsd_double, xsd_integer
from altinn2.runtime.ranges import Bounds, bounds_of, within

if TYPE_CHECKING:
    from xsdata.formats.dataclass.context import XmlContext

XSI = "http://www.w3.org/2001/XMLSchema-instance"
NIL = f"{{{XSI}}}nil"
TYPE = f"{{{XSI}}}type"

Converter = Callable[[str], Any]


class Unsupported(Exception):
    """This element needs xsdata's generic parser."""


def _boolean(text: str) -> bool:
    value = text.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise Unsupported(value)


def _enum(cls: type[enum.Enum]) -> Converter:
    members = {str(member.value): member for member in cls}

    def convert(text: str) -> enum.Enum:
        try:
            return members[text.strip()]
        except KeyError:
            raise Unsupported(text) from None

    return convert


def _ranged(bounds: Bounds) -> Converter:
    """An integer field's converter within its inclusive bounds (xs:int, xs:unsignedInt ...)."""

    def convert(text: str) -> int:
        number = xsd_integer(text)
        if not within(number, bounds):
            raise ValueError(f"{number} is out of the field's range")
        return number

    return convert


CONVERTERS: dict[type, Converter] = {
    str: str,
    int: xsd_integer,
    bool: _boolean,
    float: xsd_double,
    Decimal: lambda text: Decimal(text.strip()),
    XmlDateTime: wcf_date_time,
    XmlDate: lambda text: XmlDate.from_string(xsd_ascii(text)),
    XmlTime: lambda text: XmlTime.from_string(xsd_ascii(text)),
    XmlDuration: lambda text: XmlDuration(xsd_ascii(text)),
    uuid.UUID: lambda text: uuid.UUID(text.strip()),
    bytes: lambda text: base64.b64decode(text, validate=True),
}


class Slot(NamedTuple):
    name: str  # the dataclass field
    convert: Converter | None  # a simple value, else `nested`
    nested: type | None
    many: bool  # repeated element: a list
    item: str | None  # a wrapper's item element (the slot's key is the wrapper)
    empty: Any  # what an empty element (not xsi:nil) means: "" for a string, else None
    nullable: bool  # the field's annotation admits None (list items never do)


@dataclasses.dataclass
class Plan:
    cls: type
    slots: dict[str, Slot]
    lists: tuple[str, ...]  # list fields that are repeated elements (not wrappers)


class Binder:
    """Binds elements to classes of one xsdata context, planning each class once."""

    def __init__(self, context: XmlContext) -> None:
        self.context = context
        self.plans: dict[type, Plan | None] = {}

    def plan(self, cls: type) -> Plan | None:
        if cls in self.plans:
            return self.plans[cls]
        meta = self.context.build(cls)
        plan: Plan | None = None
        if not (
            meta.attributes or meta.any_attributes or meta.wildcards or meta.choices or meta.text
        ):
            slots: dict[str, Slot] = {}
            lists: list[str] = []
            hints = typing.get_type_hints(cls)
            metadata = {f.name: f.metadata for f in dataclasses.fields(cls)}
            for var in meta.get_element_vars():
                slot = self._slot(var, _admits_none(hints.get(var.name)), metadata[var.name])
                if slot is None:
                    break
                key = var.wrapper_qname or var.qname
                if key in slots:
                    break
                slots[key] = slot
                if var.list_element and not var.wrapper_qname:
                    lists.append(var.name)
            else:
                plan = Plan(cls, slots, tuple(lists))
        self.plans[cls] = plan
        return plan

    @staticmethod
    def _slot(var: Any, nullable: bool, metadata: typing.Mapping[str, Any]) -> Slot | None:
        if not var.is_element or var.tokens or len(var.types) != 1 or var.is_clazz_union:
            return None
        kind = var.types[0]
        many = bool(var.list_element)
        item = var.qname if var.wrapper_qname else None
        nullable = nullable and not many
        if var.clazz is not None:
            return Slot(var.name, None, var.clazz, many, item, None, nullable)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return Slot(var.name, _enum(kind), None, many, item, None, nullable)
        convert = CONVERTERS.get(kind)
        if convert is None:
            return None
        bounds = bounds_of(metadata)
        if kind is int and bounds is not None:
            convert = _ranged(bounds)
        # Empty is not nil: `<Notice></Notice>` is "", whether or not the element is nillable.
        empty = "" if kind is str else None
        return Slot(var.name, convert, None, many, item, empty, nullable)

    def bind(self, element: etree._Element, cls: type) -> Any:
        """The instance of `cls` that `element` holds; raises Unsupported where it cannot."""
        plan = self.plan(cls)
        if plan is None or TYPE in element.attrib:
            raise Unsupported(cls.__name__)
        values: dict[str, Any] = {name: [] for name in plan.lists}
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            slot = plan.slots.get(tag)
            if slot is None:
                continue  # an element a newer contract added
            if slot.item is not None:
                # A wrapper without items is an empty list; only xsi:nil makes it None.
                if child.get(NIL) not in ("true", "1"):
                    items = [self.value(item, slot) for item in child if item.tag == slot.item]
                    values[slot.name] = items
            elif slot.many:
                values[slot.name].append(self.value(child, slot))
            else:
                values[slot.name] = self.value(child, slot)
        try:
            return cls(**values)
        except TypeError as exc:  # a required field the XML lacks: let xsdata decide
            raise Unsupported(str(exc)) from None

    def value(self, element: etree._Element, slot: Slot) -> Any:
        if element.get(NIL) in ("true", "1"):
            return self._none(slot)
        if slot.nested is not None:
            return self.bind(element, slot.nested)
        if len(element):
            raise Unsupported(slot.name)  # markup where a value belongs
        text = element.text
        if not text:  # "" for a string; for any other type, xsdata decides (an int refuses it)
            if slot.empty is None:
                raise Unsupported(f"{slot.name}: empty")
            return slot.empty
        assert slot.convert is not None
        try:
            return slot.convert(text)
        except (ValueError, ArithmeticError) as exc:
            raise Unsupported(f"{slot.name}: {exc}") from None

    @staticmethod
    def _none(slot: Slot) -> None:
        """No value: only where the annotation admits None (else the caller's fallback and its
        type check decide)."""
        if not slot.nullable:
            raise Unsupported(f"{slot.name}: no value where one is required")
        return None


def _admits_none(hint: Any) -> bool:
    if hint is None or hint is type(None) or hint is Any:
        return True
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return any(_admits_none(arm) for arm in typing.get_args(hint))
    return False
