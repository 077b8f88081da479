"""Which classes get a generated decoder, and how each reads its child elements.

A decoder is planned from xsdata's own metadata of the class (`WcfXmlContext.build`), for WCF's
data contracts: elements only (no attributes, wildcards, choices or text), one type per field,
a simple type the runtime converts or a class that has a decoder itself. Each child element's
name maps to a slot index; slots are laid out by kind (strings, ints, bools, dateTimes first,
then one branch per other field), so that the decoder converts without looking anything up but
the index. Each slot also keeps its place in the schema's sequence, for the decoder's first try by
position (`render.InOrder`).
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from generator.codecs.probe import public_name

# Simple types: the conversion of a non-empty text `x` (None: kept as it is, a string).
GROUPED = ("str", "int", "int32", "bool", "datetime", "enum")
# The range of xs:int, the integer type of most fields; other ranges are the kind "ranged".
INT32 = (-(2**31), 2**31 - 1)
# An int's text is read by Python's `int` when it is ASCII without `_` and at most 18 characters
# long (within xs:long): there `int` reads XSD's lexical forms only (its other spaces, \v and \f,
# cannot be in XML text). Any other (`1_000`, other scripts' digits, out of range) goes to
# `_f.integer`, which reads or refuses it as the reference does.
CONVERSIONS: dict[str, str] = {
    "int": 'int(x) if x.isascii() and "_" not in x and len(x) < 19 else _f.integer(x)',
    # at most 9 characters: within xs:int's range, no check needed
    "int32": 'int(x) if x.isascii() and "_" not in x and len(x) < 10 else _f.int32(x)',
    "bool": 'True if x == "true" else False if x == "false" else _f.boolean(x)',
    "datetime": "_f.date_time(x)",
    "enum": "members[k][x]",  # the slot's enum table
    "float": "_f.double(x)",
    "decimal": "_f.decimal(x)",
    "date": "_f.date(x)",
    "time": "_f.time(x)",
    "duration": "_f.duration(x)",
    "guid": "_f.guid(x)",
    "bytes": "_f.base64_binary(x)",
}


def _kind_of(kind: Any) -> str | None:
    names = {
        str: "str",
        int: "int",
        bool: "bool",
        float: "float",
        Decimal: "decimal",
        uuid.UUID: "guid",
        bytes: "bytes",
    }
    if kind in names:
        return names[kind]
    xsdata_names = {
        "XmlDateTime": "datetime",
        "XmlDate": "date",
        "XmlTime": "time",
        "XmlDuration": "duration",
    }
    if isinstance(kind, type) and kind.__module__ == "xsdata.models.datatype":
        return xsdata_names.get(kind.__name__)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return "enum"
    return None


@dataclasses.dataclass(frozen=True)
class Slot:
    index: int
    field: str  # the dataclass field
    tag: str  # the child element read (a list wrapper's name for a wrapper)
    kind: str  # a simple kind, "enum" or "class"
    many: bool  # repeated element or wrapper: a list
    item: str | None  # a wrapper's item element
    nullable: bool  # the annotation admits None
    target: type | None  # the enum or the class
    required: bool = False  # no default: the schema requires the element
    nillable: bool = False  # the schema lets it be xsi:nil
    position: int = 0  # the element's place in the schema's sequence (WCF writes them so)
    bounds: tuple[int | None, int | None] = (None, None)  # a "ranged" int's inclusive bounds


@dataclasses.dataclass(frozen=True)
class ClassPlan:
    cls: type
    slots: tuple[Slot, ...]
    bounds: tuple[int, ...]  # end index of each of GROUPED's kinds
    defaults: tuple[tuple[str, str], ...]  # field -> the expression of its initial value
    required: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.cls.__name__

    @property
    def module(self) -> str:
        return public_name(self.cls.__module__)


_LITERALS = (type(None), bool, int, float, str)


def _admits_none(hint: Any) -> bool:
    if hint is None or hint is type(None) or hint is Any:
        return True
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return any(_admits_none(arm) for arm in typing.get_args(hint))
    return False


def _raw_slots(context: Any, cls: type) -> list[Slot] | None:
    meta = context.build(cls)
    if meta.attributes or meta.any_attributes or meta.wildcards or meta.choices or meta.text:
        return None
    for f in dataclasses.fields(cls):
        factory = f.default_factory
        if not f.init or (factory is not dataclasses.MISSING and factory is not list):
            return None
        if f.default is not dataclasses.MISSING and type(f.default) not in _LITERALS:
            return None  # a default the decoder could not write as a literal
    hints = typing.get_type_hints(cls)
    required_fields = {
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    metadata = {f.name: f.metadata for f in dataclasses.fields(cls)}
    slots: list[Slot] = []
    tags: set[str] = set()
    for var in meta.get_element_vars():
        if not var.is_element or var.tokens or len(var.types) != 1 or var.is_clazz_union:
            return None
        many = bool(var.list_element)
        tag = var.wrapper_qname or var.qname
        if tag in tags:
            return None
        tags.add(tag)
        item = var.qname if var.wrapper_qname else None
        # a wrapper may be nil (the field None); a repeated element's items never are
        nullable = _admits_none(hints.get(var.name)) and (item is not None or not many)
        if var.clazz is not None:
            kind: str | None = "class"
            target: type | None = var.clazz
        else:
            kind = _kind_of(var.types[0])
            target = var.types[0] if kind == "enum" else None
        if kind is None or (kind == "bytes" and var.format != "base64"):
            return None
        required = var.name in required_fields
        bounds = (
            metadata[var.name].get("min_inclusive"),
            metadata[var.name].get("max_inclusive"),
        )
        if kind == "int" and bounds == INT32:
            kind = "int32"
        elif kind == "int" and bounds != (None, None):
            kind = "ranged"
        slots.append(
            Slot(
                0,
                var.name,
                tag,
                kind,
                many,
                item,
                nullable,
                target,
                required,
                var.nillable,
                len(slots),
                bounds,
            )
        )
    return slots


def _layout(cls: type, slots: list[Slot]) -> ClassPlan:
    """Indices: the grouped simple kinds first (single elements), then everything else."""

    def rank(slot: Slot) -> int:
        if not slot.many and slot.kind in GROUPED:
            return GROUPED.index(slot.kind)
        return len(GROUPED)

    ordered = sorted(slots, key=rank)  # stable: the schema's order within a group
    placed = tuple(dataclasses.replace(slot, index=i) for i, slot in enumerate(ordered))
    bounds = tuple(
        sum(1 for slot in placed if rank(slot) <= group) for group in range(len(GROUPED))
    )
    defaults: list[tuple[str, str]] = []
    required: list[str] = []
    for f in dataclasses.fields(cls):
        if f.default_factory is not dataclasses.MISSING:
            defaults.append((f.name, "[]"))
        elif f.default is dataclasses.MISSING:
            defaults.append((f.name, "_f.MISSING"))
            required.append(f.name)
        else:
            defaults.append((f.name, repr(f.default)))
    return ClassPlan(cls, placed, bounds, tuple(defaults), tuple(required))


def plan_decoders(context: Any, roots: Iterable[type]) -> dict[type, ClassPlan]:
    """A plan for every class reachable from `roots` whose whole graph of classes is planned."""
    raw = _reachable(context, roots)
    return {cls: _layout(cls, slots) for cls, slots in raw.items() if slots is not None}


@dataclasses.dataclass(frozen=True)
class EncoderPlan:
    cls: type
    qname: str  # the element a root instance is written as
    slots: tuple[Slot, ...]  # in xsdata's order of writing

    @property
    def name(self) -> str:
        return self.cls.__name__

    @property
    def module(self) -> str:
        return public_name(self.cls.__module__)


def plan_encoders(context: Any, roots: Iterable[type]) -> dict[type, EncoderPlan]:
    raw = _reachable(context, roots)
    return {
        cls: EncoderPlan(cls, context.build(cls).qname, tuple(slots))
        for cls, slots in raw.items()
        if slots is not None
    }


def _reachable(context: Any, roots: Iterable[type]) -> dict[type, list[Slot] | None]:
    """The slots of every class reachable from `roots` (None: not planned, nor is any class that
    holds it)."""
    raw: dict[type, list[Slot] | None] = {}
    todo = list(roots)
    while todo:
        cls = todo.pop()
        if cls in raw:
            continue
        raw[cls] = slots = _raw_slots(context, cls)
        for slot in slots or ():
            if slot.kind == "class" and slot.target is not None:
                todo.append(slot.target)
    changed = True
    while changed:  # a class that holds one without a plan has none either
        changed = False
        for cls, slots in raw.items():
            if slots is not None and any(
                s.kind == "class" and raw.get(s.target) is None for s in slots  # type: ignore[arg-type]
            ):
                raw[cls] = None
                changed = True
    return raw
