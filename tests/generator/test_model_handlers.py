"""The WCF class handlers on xsdata classes built in the test."""

from __future__ import annotations

from typing import Any

from xsdata.codegen.models import Attr, AttrType, Class, Restrictions
from xsdata.models.enums import Tag
from xsdata.utils.namespaces import build_qname

from generator.models.docs import SERIALIZATION
from generator.models.handlers import (
    GUID_PATTERN,
    XS,
    FlattenListWrappers,
    MapSerializationTypes,
    is_guid,
    is_list_wrapper,
    is_required_wrapper,
)

ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
NS = "http://example.test/types"


def element(name: str, qname: str, *, native: bool = False, low: int = 1, high: int = 1) -> Attr:
    return Attr(
        tag=Tag.ELEMENT,
        name=name,
        namespace=NS,
        types=[AttrType(qname=qname, native=native)],
        restrictions=Restrictions(min_occurs=low, max_occurs=high),
    )


def complex_type(qname: str, *attrs: Attr) -> Class:
    return Class(qname=qname, tag=Tag.COMPLEX_TYPE, location="test.xsd", attrs=list(attrs))


class Container:
    """What the handlers ask of xsdata's container: classes by qname."""

    def __init__(self, *classes: Class) -> None:
        self.classes = {cls.qname: cls for cls in classes}

    def find(self, qname: str, condition: Any = None) -> Class | None:
        return self.classes.get(qname)


def test_serialization_types_are_mapped_on_purpose() -> None:
    owner = complex_type(
        build_qname(NS, "Thing"),
        element("Id", build_qname(SERIALIZATION, "guid")),
        element("Wait", build_qname(SERIALIZATION, "duration")),
        element("Letter", build_qname(SERIALIZATION, "char")),
    )
    MapSerializationTypes(Container()).process(owner)  # type: ignore[arg-type]
    guid, wait, letter = owner.attrs
    assert is_guid(guid) and guid.restrictions.pattern == GUID_PATTERN
    assert [tp.qname for tp in guid.types] == [build_qname(XS, "string")]
    assert [tp.qname for tp in wait.types] == [build_qname(XS, "duration")]
    assert [tp.qname for tp in letter.types] == [build_qname(XS, "int")]
    assert all(tp.native for attr in owner.attrs for tp in attr.types)


def wrapper_and_owner(low: int) -> tuple[Class, Class]:
    strings = complex_type(
        build_qname(ARRAYS, "ArrayOfstring"),
        element("string", build_qname(XS, "string"), native=True, low=0, high=9999),
    )
    owner = complex_type(
        build_qname(NS, "Search"),
        element("Tags", strings.qname, low=low),
        element("Name", build_qname(XS, "string"), native=True, low=0),
    )
    return strings, owner


def test_a_list_wrapper_becomes_a_list_field_with_its_wrapper_element() -> None:
    strings, owner = wrapper_and_owner(low=0)
    assert is_list_wrapper(strings) and not is_list_wrapper(owner)
    flattened: set[str] = set()
    FlattenListWrappers(Container(strings, owner), flattened).process(owner)  # type: ignore[arg-type]
    tags, name = owner.attrs
    assert tags.name == "Tags" and tags.is_list
    assert tags.wrapper == build_qname(NS, "Tags")
    assert [tp.qname for tp in tags.types] == [build_qname(XS, "string")]
    assert tags.restrictions.nillable is None
    assert not is_required_wrapper(tags)  # minOccurs=0: `list[str] | None`
    assert name.wrapper is None and flattened == {strings.qname}


def test_a_required_wrapper_is_marked_on_its_field() -> None:
    strings, owner = wrapper_and_owner(low=1)
    FlattenListWrappers(Container(strings, owner), set()).process(owner)  # type: ignore[arg-type]
    assert is_required_wrapper(owner.attrs[0])
    assert is_required_wrapper(owner.attrs[0].clone())  # survives xsdata's later copies
    assert not is_required_wrapper(owner.attrs[1])
