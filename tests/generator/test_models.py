"""The generated models (altinn2.models, installed editable from generated/) and WCF's quirks:
enums typed as enums, list wrappers as lists, `ser:guid` as UUID, appinfo docs as docstrings,
conflicting definitions under their own Python names with their XML names kept.

Expectations are read from the cached WSDLs themselves where possible, not from the generator.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import functools
import importlib
import os
import pkgutil
import re
import sys
import types
import typing
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from xsdata.models.datatype import XmlDateTime

import altinn2.models
from altinn2.runtime.codec import from_element, qname_of, to_element
from generator.models.docs import ARRAYS, SERIALIZATION
from generator.wsdl.namespaces import XSD, q
from generator.wsdl.xml import resolve_qname
from tests.conftest import REPO

# The workspace whose generated models are checked: the repository, or one regenerated from
# changed WSDLs (tests/generator/test_regeneration.py runs this module there).
WORKSPACE = os.environ.get("ALTINN2_TEST_WORKSPACE")
MODELS = Path(WORKSPACE or REPO) / "generated" / "altinn2" / "models"
CACHE = Path()  # the WSDL cache the models were generated from (set by `cache` below)


@pytest.fixture(autouse=True, scope="module")
def cache(request: pytest.FixtureRequest) -> None:
    """The regenerated workspace's WSDL cache, else the one the rest of the suite reads: the
    session's `fetched` workspace."""
    global CACHE
    if WORKSPACE:
        CACHE = Path(WORKSPACE) / "spec" / "wsdl"
    else:
        CACHE = request.getfixturevalue("fetched").cache_dir


XSI = "http://www.w3.org/2001/XMLSchema-instance"
REPORTEE_ARCHIVE = "http://schemas.altinn.no/services/Archive/ReporteeArchive/2009/10"
BROKER = "http://schemas.altinn.no/services/ServiceEngine/Broker/2015/06"
RECEIPT_2015 = "http://schemas.altinn.no/services/Intermediary/Receipt/2015/06"


def model_modules() -> list[types.ModuleType]:
    return [
        importlib.import_module(f"altinn2.models.{info.name}")
        for info in pkgutil.iter_modules(altinn2.models.__path__)
    ]


def model_classes() -> Iterator[type]:
    """Every class defined (not imported) in a model module."""
    for module in model_modules():
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                yield value


def dataclass_fields(cls: type) -> dict[str, tuple[dataclasses.Field[Any], Any]]:
    """Field name -> (field, resolved type hint)."""
    hints = typing.get_type_hints(cls)
    return {field.name: (field, hints[field.name]) for field in dataclasses.fields(cls)}


def members(hint: Any) -> tuple[Any, ...]:
    """The members of a union (or the type itself)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.get_args(hint)
    return (hint,)


def by_xml_name(cls: type, xml_name: str) -> tuple[dataclasses.Field[Any], Any]:
    found = [
        (field, hint)
        for field, hint in dataclass_fields(cls).values()
        if field.metadata.get("name", field.name) == xml_name
    ]
    assert len(found) == 1, (cls, xml_name)
    return found[0]


# -- what the cached WSDLs define ------------------------------------------------------------


def wsdl_files() -> list[Path]:
    files = sorted(path for path in CACHE.rglob("*") if path.is_file())
    assert files, CACHE
    return files


def schemas() -> Iterator[etree._Element]:
    for path in wsdl_files():
        yield from etree.parse(str(path)).getroot().iter(q(XSD, "schema"))


def enum_types() -> set[str]:
    """Clark names of every enumeration simpleType."""
    found = set()
    for schema in schemas():
        for simple in schema.findall(q(XSD, "simpleType")):
            if simple.find(f"{q(XSD, 'restriction')}/{q(XSD, 'enumeration')}") is not None:
                found.add(f"{{{schema.get('targetNamespace')}}}{simple.get('name')}")
    return found


def elements() -> Iterator[tuple[str, str, str, str | None, str]]:
    """(namespace, owner type or element name, element name, Clark type or None, minOccurs) of
    every local element of a named complexType or of a global element's anonymous type."""
    for schema in schemas():
        namespace = schema.get("targetNamespace", "")
        for owner in schema:
            if not isinstance(owner.tag, str) or owner.get("name") is None:
                continue
            if owner.tag not in (q(XSD, "complexType"), q(XSD, "element")):
                continue
            for element in owner.iter(q(XSD, "element")):
                if element is owner or not element.get("name"):
                    continue
                kind = element.get("type")
                yield (
                    namespace,
                    str(owner.get("name")),
                    str(element.get("name")),
                    resolve_qname(element, kind) if kind else None,
                    element.get("minOccurs", "1"),
                )


def typed_elements() -> Iterator[tuple[str, str, str, str]]:
    """(namespace, owner, element, Clark type) of the elements of `elements()` with a type."""
    for namespace, owner, element, kind, _ in elements():
        if kind is not None:
            yield namespace, owner, element, kind


@functools.cache
def classes_by_wire_name() -> dict[tuple[str, str], list[type]]:
    """(namespace, XML name) -> the dataclasses of that type: one, or one per variant when the
    WSDLs define it differently (`Receipt` and `ReceiptEC`); never looked up by Python name."""
    found: dict[tuple[str, str], list[type]] = {}
    for cls in model_classes():
        if not dataclasses.is_dataclass(cls):
            continue
        meta = getattr(cls, "Meta", None)
        module = sys.modules[cls.__module__]
        namespace = getattr(meta, "namespace", None) or getattr(module, "__NAMESPACE__", "")
        found.setdefault((namespace, getattr(meta, "name", None) or cls.__name__), []).append(cls)
    return found


def with_element(namespace: str, owner: str, element: str) -> list[tuple[type, Any]]:
    """(class, type hint of the field) of every class of the type `{namespace}owner` that has
    the element; [] when no class stands for the type (a dropped WCF wrapper)."""
    classes = classes_by_wire_name().get((namespace, owner), [])
    found = []
    for cls in classes:
        fields = [
            hint
            for field, hint in dataclass_fields(cls).values()
            if field.metadata.get("name", field.name) == element
        ]
        assert len(fields) <= 1, (cls, element)
        found += [(cls, hint) for hint in fields]
    assert found or not classes, f"no class of {{{namespace}}}{owner} has {element}: {classes}"
    return found


# -- enums ------------------------------------------------------------------------------------


def test_enums_are_enum_classes_in_one_module_without_wrappers() -> None:
    from altinn2.models import enums

    defined = [
        v
        for v in vars(enums).values()
        if isinstance(v, type) and v.__module__ == "altinn2.models.enums"
    ]
    assert len(defined) >= 30
    assert all(issubclass(cls, enum.Enum) for cls in defined)
    names = {cls.__name__ for cls in defined}
    for cls in model_classes():
        if issubclass(cls, enum.Enum):
            assert cls.__module__ == "altinn2.models.enums", cls
            continue
        assert cls.__name__ not in names, f"{cls.__module__}.{cls.__name__} wraps an enum"
        fields = dataclass_fields(cls)
        if len(fields) == 1:  # xsdata's element wrapper of an enum: `value: None | X`
            ((_, hint),) = fields.values()
            assert not any(
                isinstance(m, type) and issubclass(m, enum.Enum) for m in members(hint)
            ), f"{cls.__name__} is a wrapper of an enum"


def test_no_numbered_duplicates_of_class_names() -> None:
    """xsdata's way out of a clash is `CorrespondenceStatusTypeV21`, `ReporteeElementStatus1`."""
    names = {cls.__name__ for cls in model_classes()}
    numbered = sorted(
        name
        for name in names
        if (match := re.fullmatch(r"(.*?\D)(\d+)", name))
        and any(name[:cut] in names for cut in range(len(match.group(1)), len(name)))
    )
    assert numbered == []


def test_enum_fields_are_typed_by_their_enum() -> None:
    enums = enum_types()
    assert len(enums) >= 30
    checked = 0
    for namespace, owner, element, kind in typed_elements():
        if kind not in enums:
            continue
        for cls, hint in with_element(namespace, owner, element):
            enum_members = [
                m for m in members(hint) if isinstance(m, type) and issubclass(m, enum.Enum)
            ]
            assert len(enum_members) == 1, f"{cls.__name__}.{element}: {hint}"
            assert enum_members[0].__name__.startswith(kind.rpartition("}")[2]), (cls, element)
            checked += 1
    assert checked >= 40


def test_an_enum_field_parses_to_its_member() -> None:
    from altinn2.models.broker_2015_06 import BrokerServiceAvailableFile
    from altinn2.models.enums import BrokerServiceAvailableFileStatus

    _, hint = by_xml_name(BrokerServiceAvailableFile, "FileStatus")
    assert hint == BrokerServiceAvailableFileStatus | None
    value = next(iter(BrokerServiceAvailableFileStatus)).value
    parsed = from_element(
        etree.fromstring(f'<x xmlns="{BROKER}"><FileStatus>{value}</FileStatus></x>'),
        BrokerServiceAvailableFile,
    )
    assert parsed.file_status is BrokerServiceAvailableFileStatus(value)


# -- list wrappers ----------------------------------------------------------------------------


def test_list_wrapper_fields_are_optional_lists() -> None:
    from altinn2.models.reportee_archive_2009_10 import ExternalSearchBEV2

    field, hint = dataclass_fields(ExternalSearchBEV2)["service_code_list"]
    assert hint == list[str] | None
    assert field.default is None
    assert field.metadata["wrapper"] == f"{{{REPORTEE_ARCHIVE}}}ServiceCodeList"
    assert (field.metadata["name"], field.metadata["namespace"]) == ("string", ARRAYS)

    min_occurs = {
        (namespace, owner, element): occurs for namespace, owner, element, _, occurs in elements()
    }
    wrapped = required = 0
    for cls in model_classes():
        assert not cls.__name__.startswith("ArrayOf"), cls
        if not dataclasses.is_dataclass(cls):
            continue
        owner = getattr(getattr(cls, "Meta", None), "name", None) or cls.__name__
        for field, hint in dataclass_fields(cls).values():
            if "wrapper" not in field.metadata:
                continue
            wrapped += 1
            where = f"{cls.__name__}.{field.name}"
            match = re.fullmatch(r"\{([^}]+)\}(\w+)", field.metadata["wrapper"])
            assert match, where
            occurs = min_occurs.get((match.group(1), owner, match.group(2)))
            assert occurs is not None, f"{where}: no {match.group(2)} in {owner}'s schema"
            if occurs == "0":  # optional (and nillable) in the schema: None means no wrapper
                items, none = members(hint)
                assert none is type(None) and field.default is None, where
            else:  # required wrapper: always written, empty by default
                (items,) = members(hint)
                assert field.default_factory is list, where
                required += 1
            assert typing.get_origin(items) is list, where
    assert wrapped >= 40 and required >= 1


def search(inner: str) -> Any:
    from altinn2.models.reportee_archive_2009_10 import ExternalSearchBEV2

    xml = (
        f'<ExternalSearchBEV2 xmlns="{REPORTEE_ARCHIVE}" xmlns:a="{ARRAYS}" xmlns:i="{XSI}">'
        f"<FromDate>2019-01-01T00:00:00</FromDate><Reportee>910000000</Reportee>{inner}"
        "<ToDate>2020-03-16T12:00:00</ToDate></ExternalSearchBEV2>"
    )
    return from_element(etree.fromstring(xml), ExternalSearchBEV2)


def test_list_wrapper_round_trips_through_the_codec() -> None:
    parsed = search(
        "<ServiceCodeList><a:string>4711</a:string><a:string>1234</a:string></ServiceCodeList>"
    )
    assert parsed.service_code_list == ["4711", "1234"]
    assert parsed.from_date == XmlDateTime(2019, 1, 1, 0, 0, 0)
    assert parsed.reportee == "910000000"

    element = to_element(parsed)
    wrapper = element.find(f"{{{REPORTEE_ARCHIVE}}}ServiceCodeList")
    assert wrapper is not None, etree.tostring(element)
    assert [(item.tag, item.text) for item in wrapper] == [
        (f"{{{ARRAYS}}}string", "4711"),
        (f"{{{ARRAYS}}}string", "1234"),
    ]
    assert from_element(element, type(parsed)) == parsed


@pytest.mark.parametrize("inner", ['<ServiceCodeList i:nil="true"/>', ""], ids=["nil", "absent"])
def test_nil_or_absent_list_wrapper_is_none(inner: str) -> None:
    parsed = search(inner)
    assert parsed.service_code_list is None
    assert to_element(parsed).find(f"{{{REPORTEE_ARCHIVE}}}ServiceCodeList") is None


def test_list_of_complex_items_round_trips() -> None:
    from altinn2.models.enums import ReferenceType
    from altinn2.models.receipt_2015_06 import Receipt, Reference

    kinds = list(ReferenceType)
    receipt = Receipt(
        receipt_id=7,
        references=[
            Reference(reference_type=kinds[0], reference_value="a"),
            Reference(reference_type=kinds[-1], reference_value="b"),
        ],
    )
    element = to_element(receipt)
    assert len(element.findall(f"{{{RECEIPT_2015}}}References/{{{RECEIPT_2015}}}Reference")) == 2
    parsed = from_element(element, Receipt)
    assert parsed == receipt


def test_required_nillable_field_left_none_is_sent_as_nil() -> None:
    """FromDate/ToDate have no minOccurs="0": WCF needs them, as `xsi:nil` when None. (The codec
    used to leave every None out, and could not read back what it wrote.)"""
    from altinn2.models.reportee_archive_2009_10 import ExternalSearchBEV2

    field, _ = dataclass_fields(ExternalSearchBEV2)["to_date"]
    assert field.default is dataclasses.MISSING and field.metadata["nillable"] is True
    search = ExternalSearchBEV2(from_date=None, reportee="910000000", to_date=None)
    element = to_element(search)
    to_date = element.find(f"{{{REPORTEE_ARCHIVE}}}ToDate")
    assert to_date is not None and to_date.get(f"{{{XSI}}}nil") == "true"
    assert from_element(element, ExternalSearchBEV2) == search


# -- ser:guid ---------------------------------------------------------------------------------


def test_guid_fields_are_uuids_and_nothing_else_is() -> None:
    guid = f"{{{SERIALIZATION}}}guid"
    expected = set()
    for namespace, owner, element, kind in typed_elements():
        if kind == guid:
            found = with_element(namespace, owner, element)
            assert found, (namespace, owner)
            for cls, hint in found:
                assert hint == uuid.UUID | None, f"{cls.__name__}.{element}: {hint}"
                expected.add((cls, element))
    assert len(expected) >= 3  # BrokerServiceAvailableFile.FileReference, 2 x LargeInboundReference
    typed_uuid = {
        (cls, field.metadata.get("name"))
        for cls in model_classes()
        if dataclasses.is_dataclass(cls)
        for field, hint in dataclass_fields(cls).values()
        if uuid.UUID in members(hint)
    }
    assert typed_uuid == expected


def test_guid_round_trips() -> None:
    from altinn2.models.broker_2015_06 import BrokerServiceAvailableFile

    text = "3F2504E0-4F89-11D3-9A0C-0305E82C3301"
    parsed = from_element(
        etree.fromstring(f'<x xmlns="{BROKER}"><FileReference> {text} </FileReference></x>'),
        BrokerServiceAvailableFile,
    )
    assert isinstance(parsed.file_reference, uuid.UUID)
    assert parsed.file_reference == uuid.UUID(text)
    element = to_element(parsed)
    written = element.find(f"{{{BROKER}}}FileReference")
    assert written is not None and written.text == text.lower()  # as WCF writes it
    assert from_element(element, BrokerServiceAvailableFile) == parsed


# -- docstrings from WCF's appinfo ------------------------------------------------------------

ANNOTATION = "XmlCommentsExporter.Annotation"


def summary(escaped: str) -> str:
    """The `<summary>` of WCF's escaped doc comment, whitespace collapsed (independently of
    generator.models.docs)."""
    match = re.search(r"<summary>(.*?)</summary>", escaped, re.S)
    assert match, escaped
    return " ".join(match.group(1).split())


def appinfo(owner: etree._Element) -> str:
    text = owner.find(
        f"{q(XSD, 'annotation')}/{q(XSD, 'appinfo')}/{q(SERIALIZATION, 'Surrogate')}/"
        f"{{{ANNOTATION}}}{'EnumText' if owner.tag == q(XSD, 'simpleType') else 'Text'}"
    )
    assert text is not None and text.text, etree.tostring(owner)[:200]
    return summary(text.text)


def flat(text: str | None) -> str:
    return " ".join((text or "").split())


@pytest.fixture(scope="module")
def reportee_element_list_ec() -> etree._Element:
    path = CACHE / "ServiceEngineExternal" / "ReporteeElementListEC.svc.wsdl"
    return etree.parse(str(path)).getroot()


def test_class_docstrings_carry_the_appinfo_comments(
    reportee_element_list_ec: etree._Element,
) -> None:
    from altinn2.models.fault_2009_10 import AltinnFault

    fault = reportee_element_list_ec.find(f".//{q(XSD, 'complexType')}[@name='AltinnFault']")
    assert fault is not None
    doc = flat(AltinnFault.__doc__)
    assert appinfo(fault) in doc  # "Represents a SOAP fault message used by Altinn ..."
    for element in fault.iter(q(XSD, "element")):
        field, _ = by_xml_name(AltinnFault, str(element.get("name")))
        assert f"{field.name}: {appinfo(element)}" in doc


def test_enum_docstrings_carry_the_member_comments(
    reportee_element_list_ec: etree._Element,
) -> None:
    from altinn2.models.enums import LastChangeTypeV2

    simple = reportee_element_list_ec.find(f".//{q(XSD, 'simpleType')}[@name='LastChangeTypeV2']")
    assert simple is not None
    doc = flat(LastChangeTypeV2.__doc__)
    assert appinfo(simple) in doc  # "Describes the last change to a reportee element."
    pairs = simple.findall(f".//{{{ARRAYS}}}KeyValueOfstringstring")
    assert len(pairs) == len(LastChangeTypeV2) == 4
    for pair in pairs:
        key, value = pair.findtext(f"{{{ARRAYS}}}Key"), pair.findtext(f"{{{ARRAYS}}}Value")
        member = LastChangeTypeV2(key)
        assert f"{member.name}: {summary(value or '')}" in doc


# -- conflicting definitions and names --------------------------------------------------------


def test_conflicting_receipt_definitions_keep_their_xml_name() -> None:
    """Receipt (2015/06) differs in ReceiptExternalEC's WSDL: generated there as ReceiptEC, in
    its own module, still read and written as {.../Receipt/2015/06}Receipt."""
    from altinn2.models.receipt_2015_06 import Receipt
    from altinn2.models.receipt_2015_06_ec import ReceiptEC
    from altinn2.services.receipt_external import ReceiptExternal

    assert ReceiptEC.Meta.name == "Receipt"  # type: ignore[attr-defined]
    assert qname_of(ReceiptEC) == qname_of(Receipt)
    assert qname_of(Receipt) in (f"{{{RECEIPT_2015}}}Receipt", "Receipt")
    # same fields, but in the EC WSDL the list items are of other namespaces and types
    ec, basic = dataclass_fields(ReceiptEC), dataclass_fields(Receipt)
    assert set(ec) == set(basic)
    assert ec["references"][0].metadata["namespace"] != basic["references"][0].metadata["namespace"]
    assert ec["sub_receipts"][1] == list[ReceiptEC] | None
    assert basic["sub_receipts"][1] == list[Receipt] | None
    hints = typing.get_type_hints
    assert hints(ReceiptExternal.get_receipt_ec_v2)["return"] == ReceiptEC | None
    assert hints(ReceiptExternal.get_receipt_basic_v2)["return"] == Receipt | None

    element = to_element(ReceiptEC(receipt_id=1, receipt_text="ok"))
    assert etree.QName(element).localname == "Receipt"
    parsed = from_element(element, ReceiptEC)
    assert (parsed.receipt_id, parsed.receipt_text) == (1, "ok")


def test_renamed_operation_element_keeps_its_xml_name() -> None:
    from altinn2.models.service_meta_data_service_2009_10 import GetCodeList
    from altinn2.models.service_meta_data_service_2009_10_basic import GetCodeListBasic

    assert qname_of(GetCodeListBasic) == qname_of(GetCodeList)
    assert qname_of(GetCodeList).endswith("}GetCodeList")
    assert "system_user_name" in dataclass_fields(GetCodeListBasic)
    assert "system_user_name" not in dataclass_fields(GetCodeList)


def test_no_two_classes_of_a_module_share_a_name() -> None:
    for path in sorted(MODELS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
        imported = [
            alias.asname or alias.name
            for node in tree.body
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        ]
        clashes = [name for name, count in Counter(classes + imported).items() if count > 1]
        assert clashes == [], f"{path.name}: {clashes}"
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                inner = [n.name for n in node.body if isinstance(n, ast.ClassDef)]
                assert len(inner) == len(set(inner)), f"{path.name}: {node.name}"
