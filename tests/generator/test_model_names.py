"""Which definitions merge and which name each variant gets (generator.models.schemas.resolve
with spec/models.lock's names), on small hand-made definitions."""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from xsdata.codegen.container import ClassContainer
from xsdata.codegen.models import Attr, Class
from xsdata.models.config import GeneratorConfig
from xsdata.models.enums import Tag

from generator.models.layout import merge_duplicate_enums
from generator.models.names import NamesLock, Variant, form_hash, read_names_lock
from generator.models.schemas import Collected, canon_renamed, resolve
from generator.models.variants import describe, union
from generator.wsdl.namespaces import XSD

NS = "urn:altinn:test"
KEY = ("complexType", NS, "Notification")


def complex_type(*elements: str, name: str = "Notification") -> etree._Element:
    body = "".join(elements)
    return etree.fromstring(
        f'<xs:complexType xmlns:xs="{XSD}" name="{name}"><xs:sequence>{body}</xs:sequence>'
        "</xs:complexType>"
    )


def el(name: str, kind: str = "string", optional: bool = False) -> str:
    occurs = ' minOccurs="0"' if optional else ""
    return f'<xs:element{occurs} name="{name}" type="xs:{kind}"/>'


V1 = (el("To"), el("Body"))
V2 = (el("To"), el("Subject"))  # Body removed, Subject required: not compatible with V1


def collected(forms: dict[str, tuple[str, ...]]) -> Collected:
    wsdls = sorted(forms)
    return Collected(
        wsdls=wsdls,
        flavours={wsdl: wsdl.split("-")[0] for wsdl in wsdls},
        definitions={KEY: {wsdl: complex_type(*forms[wsdl]) for wsdl in wsdls}},
    )


def names(forms: dict[str, tuple[str, ...]], lock: NamesLock | None = None) -> dict[str, str]:
    """Final class name -> the sequence's element names."""
    resolution = resolve(collected(forms), lock)
    return {
        key[2]: " ".join(str(e.get("name")) for e in element.iter(f"{{{XSD}}}element"))
        for key, element in resolution.chosen.items()
    }


def test_compatible_definitions_are_one_class_with_the_union_of_the_fields() -> None:
    forms = {"Basic-a": (el("To"), el("Priority", "int", True), el("Body")), "EC-b": V1}
    assert names(forms) == {"Notification": "To Priority Body"}
    assert resolve(collected(forms)).divergences == []


def test_without_a_lock_the_most_common_variant_has_the_name() -> None:
    assert names({"Basic-a": V1, "EC-b": V2, "EC-c": V2}) == {
        "Notification": "To Subject",
        "NotificationBasic": "To Body",
    }


def test_the_lock_keeps_names_when_other_wsdls_make_another_variant_the_majority() -> None:
    first = resolve(collected({"Basic-a": V1, "EC-b": V2}))
    assert first.divergences[0].startswith(
        f"complexType {{{NS}}}Notification diverges in EC-b (generated there as NotificationEC, "
        "XML name kept) from Notification of Basic-a: "
    )
    assert "element Body removed" in first.divergences[0]
    assert "element Subject added (required)" in first.divergences[0]
    lock = first.names
    # Two new WSDLs with the EC variant: it is the majority now, and still NotificationEC.
    grown = {"Basic-a": V1, "EC-b": V2, "EC-c": V2, "EC-d": V2}
    assert names(grown, lock) == {"Notification": "To Body", "NotificationEC": "To Subject"}
    # A third, incompatible variant gets a new name, never an existing one.
    third = {**grown, "EC-e": (el("To", "int"),)}
    assert names(third, lock) == {
        "Notification": "To Body",
        "NotificationEC": "To Subject",
        "NotificationEC2": "To",
    }
    # A compatible change in the only WSDL of a variant: same name, one field more.
    changed = {"Basic-a": (*V1, el("Sent", "dateTime", True)), "EC-b": V2}
    assert names(changed, lock) == {"Notification": "To Body Sent", "NotificationEC": "To Subject"}


def test_the_lock_round_trips(tmp_path: Path) -> None:
    lock = resolve(collected({"Basic-a": V1, "EC-b": V2})).names
    path = tmp_path / "models.lock"
    path.write_text(lock.render(), encoding="utf-8")
    assert read_names_lock(path).types == lock.types
    # a hash of digits only stays a string (YAML would read 012345678901 as a number)
    digits = NamesLock(
        {KEY: [Variant("Notification", frozenset({"012345678901", "1e2345678901"}))]}
    )
    path.write_text(digits.render(), encoding="utf-8")
    assert read_names_lock(path).types == digits.types
    assert read_names_lock(path.with_name("missing.lock")).types == {}


def test_locked_variants_stay_apart_even_when_compatible() -> None:
    """An existing class keeps its fields: GetCodeList and GetCodeListBasic stay two classes."""
    forms = {"Basic-a": (el("To"), el("Body", optional=True)), "EC-b": (el("To"),)}
    assert names(forms) == {"Notification": "To Body"}  # compatible: merged when new
    hashes = {
        wsdl: form_hash(canon_renamed(complex_type(*form), {})) for wsdl, form in forms.items()
    }
    lock = NamesLock(
        {
            KEY: [
                Variant("Notification", frozenset({hashes["EC-b"]})),
                Variant("NotificationBasic", frozenset({hashes["Basic-a"]})),
            ]
        }
    )
    kept = resolve(collected(forms), lock)
    assert names(forms, lock) == {"Notification": "To", "NotificationBasic": "To Body"}
    assert kept.divergences == []
    assert any("NotificationBasic of Basic-a kept apart" in line for line in kept.report)
    # The EC form gains an optional element: still compatible with the Basic one, but the
    # class that stood for the old EC form keeps its name and gains the field.
    grown = {**forms, "EC-b": (el("To"), el("Extra", optional=True))}
    assert names(grown, lock) == {"Notification": "To Extra", "NotificationBasic": "To Body"}


def test_union_needs_optional_additions_in_one_order() -> None:
    base = complex_type(el("A"), el("C"))
    assert union(base, complex_type(el("A"), el("B", optional=True), el("C"))) is not None
    assert union(base, complex_type(el("A"), el("B"), el("C"))) is None  # required B
    assert union(base, complex_type(el("C"), el("A"))) is None  # another order
    assert union(base, complex_type(el("A"), el("C", "int"))) is None  # another type
    assert union(base, complex_type(el("A"))) is None  # required C removed
    merged = union(
        complex_type(el("A"), el("X", optional=True), el("C")),
        complex_type(el("A"), el("C"), el("Y", optional=True)),
    )
    assert merged is not None
    assert [e.get("name") for e in merged.iter(f"{{{XSD}}}element")] == ["A", "X", "C", "Y"]
    assert describe(base, complex_type(el("A"), el("C", "int"))) == (
        f"element C: type {{{XSD}}}string -> {{{XSD}}}int"
    )


def enum_class(namespace: str, *values: str) -> Class:
    return Class(
        qname=f"{{{namespace}}}Status",
        tag=Tag.SIMPLE_TYPE,
        location="",
        attrs=[Attr(tag=Tag.ENUMERATION, name=value, default=value) for value in values],
    )


def enum_names(known: frozenset[str]) -> dict[str, str]:
    """XML namespace -> Python name of two same-named enums with other members."""
    container = ClassContainer(GeneratorConfig())
    container.extend([enum_class("urn:a:old", "X"), enum_class("urn:b:new", "Y")])
    merge_duplicate_enums(container, known)
    return {str(cls.target_namespace): cls.name for cls in container}


def test_an_enum_generated_before_keeps_its_name_when_a_new_namespace_sorts_first() -> None:
    assert enum_names(frozenset()) == {"urn:a:old": "Status", "urn:b:new": "StatusBNew"}
    # urn:b:new's enum was there first: urn:a:old's, new, gets the suffix.
    assert enum_names(frozenset({"{urn:b:new}Status"})) == {
        "urn:a:old": "StatusAOld",
        "urn:b:new": "Status",
    }


def test_operation_messages_are_never_merged() -> None:
    """A Basic request's body credentials must not become fields of the WS request."""
    key = ("element", NS, "GetCodeList")

    def request(*elements: str) -> etree._Element:
        return etree.fromstring(
            f'<xs:element xmlns:xs="{XSD}" name="GetCodeList"><xs:complexType><xs:sequence>'
            f'{"".join(elements)}</xs:sequence></xs:complexType></xs:element>'
        )

    basic = request(el("systemUserName", optional=True), el("codeListName", optional=True))
    ws = request(el("codeListName", optional=True))
    found = Collected(
        wsdls=["Basic-a", "WS-b"],
        flavours={"Basic-a": "Basic", "WS-b": "WS"},
        definitions={key: {"Basic-a": basic, "WS-b": ws}},
    )
    assert len(resolve(found).chosen) == 1  # a data type: one union
    found.message_elements.add(f"{{{NS}}}GetCodeList")
    resolution = resolve(found)
    assert sorted(k[2] for k in resolution.chosen) == ["GetCodeList", "GetCodeListWS"]
    assert resolution.divergences == []
    assert any("an operation message of its own binding" in line for line in resolution.report)
