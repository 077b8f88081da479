"""generator/naming.py on WCF's names, and the module each XML namespace's models go to."""

from __future__ import annotations

import builtins
import keyword

import pytest

from generator.errors import WsdlError
from generator.models.docs import ARRAYS, SERIALIZATION
from generator.models.layout import ENUMS_MODULE, module_for_namespace
from generator.naming import (
    RESERVED,
    RESERVED_PARAMETERS,
    constant_case,
    module_name,
    pascal_case,
    snake_case,
    words,
)
from generator.services import Param
from generator.services.checks import check_parameter_names
from generator.services.types import TypeRef


@pytest.mark.parametrize(
    ("name", "snake", "constant"),
    [
        # a version after a word, after an acronym, lower-case after an acronym
        (
            "GetReporteeElementListBasicV2",
            "get_reportee_element_list_basic_v2",
            "GET_REPORTEE_ELEMENT_LIST_BASIC_V2",
        ),
        ("GetReceiptECV2", "get_receipt_ec_v2", "GET_RECEIPT_EC_V2"),
        ("ReporteeElementBEV2", "reportee_element_be_v2", "REPORTEE_ELEMENT_BE_V2"),
        ("PrefillDataBEv2", "prefill_data_be_v2", "PREFILL_DATA_BE_V2"),
        ("ReporteeElementBEV2List", "reportee_element_be_v2_list", "REPORTEE_ELEMENT_BE_V2_LIST"),
        ("GetReceiptECV2Response", "get_receipt_ec_v2_response", "GET_RECEIPT_EC_V2_RESPONSE"),
        # acronyms stay together, before a word and at the end
        ("SEReporteeElementID", "se_reportee_element_id", "SE_REPORTEE_ELEMENT_ID"),
        ("userSSN", "user_ssn", "USER_SSN"),
        ("SMSPin", "sms_pin", "SMS_PIN"),
        ("GetAttachmentDataECStreamed", "get_attachment_data_ec_streamed", None),
        ("EDialogue", "e_dialogue", "E_DIALOGUE"),
        ("NorwegianNO", "norwegian_no", "NORWEGIAN_NO"),
        ("languageID", "language_id", "LANGUAGE_ID"),
        # digits belong to the word before them
        ("Level3Id", "level3_id", "LEVEL3_ID"),
        ("altinn1ArchiveUnitId", "altinn1_archive_unit_id", "ALTINN1_ARCHIVE_UNIT_ID"),
        # separators
        ("get-thing.v2", "get_thing_v2", "GET_THING_V2"),
        ("Some_Name", "some_name", "SOME_NAME"),
    ],
)
def test_wcf_names(name: str, snake: str, constant: str | None) -> None:
    assert snake_case(name) == snake
    if constant is not None:
        assert constant_case(name) == constant
    assert module_name(name) == snake


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("class", "class_value"),
        ("import", "import_value"),
        ("None", "none"),  # `None` is a keyword, `none` is not
        ("match", "match_value"),  # soft keywords too
        ("int", "int_value"),  # a builtin the annotations use
        ("Int", "int_value"),
        ("str", "str_value"),
        ("list", "list_value"),
        ("UUID", "uuid"),
        ("field", "field_value"),  # dataclasses.field, in every model module
        ("self", "self_value"),
    ],
)
def test_snake_case_avoids_keywords_and_names_the_annotations_use(name: str, expected: str) -> None:
    assert snake_case(name) == expected


@pytest.mark.parametrize("name", ["2FA", "123", "3DSecure", "_1", "", "-"])
def test_names_starting_with_digits_or_empty_become_identifiers(name: str) -> None:
    for convert in (snake_case, constant_case, pascal_case):
        result = convert(name)
        assert result.isidentifier() and not keyword.iskeyword(result), (convert, result)
    assert snake_case("2FA") == "value_2_fa"
    assert constant_case("2FA") == "VALUE_2_FA"
    assert pascal_case("2FA") == "Type2FA"


def test_every_result_is_a_usable_identifier() -> None:
    names = [
        *keyword.kwlist,
        *keyword.softkwlist,
        *(name for name in dir(builtins) if not name.startswith("_")),
        *RESERVED,
        "ArrayOfstring",
        "KeyValueOfstringstring",
        "ÆØÅ",
        "a b",
    ]
    for name in names:
        snake = snake_case(name)
        assert snake.isidentifier() and not keyword.iskeyword(snake), name
        assert snake not in RESERVED, name
        constant = constant_case(name)
        assert constant.isidentifier() and not keyword.iskeyword(constant), name
        pascal = pascal_case(name)
        assert pascal.isidentifier() and not keyword.iskeyword(pascal), name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ExternalSearchBEV2", "ExternalSearchBEV2"),  # WCF's spelling kept (mixedPascalCase)
        ("ReporteeElementBEV2", "ReporteeElementBEV2"),
        ("PrefillDataBEv2", "PrefillDataBEv2"),
        ("receiptSearch", "ReceiptSearch"),
        ("ArrayOfstring", "ArrayOfstring"),
        ("get-thing.v2", "GetThingV2"),
        ("None", "None_"),
        ("class", "Class"),
        ("", "Type"),
    ],
)
def test_pascal_case(name: str, expected: str) -> None:
    assert pascal_case(name) == expected


def test_words_split_acronyms_versions_and_digits() -> None:
    assert words("GetReceiptECV2") == ["Get", "Receipt", "EC", "V2"]
    assert words("PrefillDataBEv2") == ["Prefill", "Data", "BE", "V2"]
    assert words("SEReporteeElementID") == ["SE", "Reportee", "Element", "ID"]
    assert words("userSSN") == ["user", "SSN"]
    assert words("ECV2Response") == ["EC", "V2", "Response"]
    assert words("Level3Id") == ["Level3", "Id"]


def test_distinct_operations_of_one_service_stay_distinct() -> None:
    """Method names are snake_case of the WSDL's operation names: no two collapse into one."""
    names = [
        "GetReporteeElementListBasic",
        "GetReporteeElementListBasicV2",
        "GetReporteeElementListEC",
        "GetReporteeElementListExternal",
        "GetReporteeElementListExternalV2",
        "GetAttachmentDataEC",
        "GetAttachmentDataECStreamed",
        "GetReceiptECV2",
        "GetReceiptBasicV2",
        "GetReceiptListECV2",
    ]
    assert len({snake_case(name) for name in names}) == len(names)


# -- layout.module_for_namespace --------------------------------------------------------------


@pytest.mark.parametrize(
    ("namespace", "module"),
    [
        # data contracts (schemas.altinn.no): last path part and date
        (
            "http://schemas.altinn.no/services/ServiceEngine/Correspondence/2010/10",
            "correspondence_2010_10",
        ),
        (
            "http://schemas.altinn.no/services/Archive/ReporteeArchive/2009/10",
            "reportee_archive_2009_10",
        ),
        ("http://schemas.altinn.no/services/serviceEntity/2015/06", "service_entity_2015_06"),
        # operations (www.altinn.no): `_service`
        (
            "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2009/10",
            "reportee_element_list_service_2009_10",
        ),
        (
            "http://www.altinn.no/services/Archive/ReporteeArchive/2013/06/Imports",
            "imports_service",
        ),
        # .NET data contract namespaces: the last two parts of the .NET namespace
        (
            "http://schemas.datacontract.org/2004/07/Altinn.Common.SBL.Entities.Intermediary",
            "entities_intermediary",
        ),
        ("http://schemas.datacontract.org/2004/07/System", "system"),
        # fixed names
        (SERIALIZATION, "wcf_serialization"),
        (ARRAYS, "wcf_arrays"),
        ("http://schemas.microsoft.com/Message", "wcf_message"),
        ("http://www.altinn.no/services/2009/10", "common_service_2009_10"),
        ("http://www.altinn.no/services/common/fault/2009/10", "fault_2009_10"),
        # no namespace, no path
        ("", "unqualified"),
        ("http://tempuri.org/", "tempuri_org"),
        ("urn:altinn:contracts", "altinn_contracts"),
    ],
)
def test_module_for_namespace(namespace: str, module: str) -> None:
    assert module_for_namespace(namespace) == module


@pytest.mark.parametrize(
    "namespace",
    [
        "http://example.com/2019",
        "http://example.com/2009/10",
        "http://example.com/v1/2019/01",
        "urn:2019:contracts",
        "http://example.com/class",
        "http://example.com/import",
        "http://example.com/Ærlig/Søknad",
    ],
)
def test_module_for_namespace_is_always_an_importable_module_name(namespace: str) -> None:
    module = module_for_namespace(namespace)
    assert module.isidentifier() and not keyword.iskeyword(module), module
    assert module != ENUMS_MODULE and not module.startswith("_")


def test_module_for_namespace_keeps_dates_apart() -> None:
    modules = {
        module_for_namespace(f"http://schemas.altinn.no/services/ServiceEngine/Broker/{date}")
        for date in ("2015/06", "2020/01")
    }
    assert modules == {"broker_2015_06", "broker_2020_01"}


# -- names a generated method's parameters may not take --------------------------------------


def param(name: str) -> Param:
    return Param(name=name, type=TypeRef.of("str"), field=name, required=True)


def test_parameters_are_unique_and_never_a_method_local() -> None:
    check_parameter_names("Op", [param("reportee"), param("file_name"), param("response")])
    for name in ("self", "base_url"):
        with pytest.raises(WsdlError, match=f"^Op: parameter {name} collides with a name the"):
            check_parameter_names("Op", [param("reportee"), param(name)])
    with pytest.raises(WsdlError, match=r"^Op: parameter reportee is used twice$"):
        check_parameter_names("Op", [param("reportee"), param("file_name"), param("reportee")])
    assert {"self", "base_url"} == RESERVED_PARAMETERS
