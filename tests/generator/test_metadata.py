"""The operations' metadata printed compactly: one `Endpoint` per binding and path, per operation
only what differs from what the endpoint derives. The generator's mirror of the runtime's
derivations, the runtime's `Endpoint.operation`, and the API reader of both forms agree."""

from __future__ import annotations

import pytest

from altinn2.runtime.operation import (
    NO_SECURITY,
    Binding,
    Credential,
    Effect,
    Endpoint,
    OperationInfo,
    SoapVersion,
    base_operation_of,
    result_field,
)
from generator.api.surface import read_surface
from generator.services import metadata

NAMES = [
    "GetReceiptBasicV2",
    "GetReceiptECV2",
    "GetReporteeElementListBasicV2",
    "SEReporteeElementID",
    "GetBEv2Things",
    "SubmitAttachmentStreamedEC",
    "Test",
    "checkIfAvailableFilesBasic",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_runtime_derives_the_result_field_as_the_generator_expects(name: str) -> None:
    assert result_field(name) == metadata.result_field(name)


@pytest.mark.parametrize("binding", list(Binding))
@pytest.mark.parametrize("name", NAMES)
def test_the_runtime_derives_the_base_operation_as_the_generator_expects(
    name: str, binding: Binding
) -> None:
    generator_binding = {"BASIC": "Basic"}.get(binding.name, binding.name)
    assert base_operation_of(name, binding) == metadata.base_operation_of(name, generator_binding)


def test_base_operation_and_result_follow_from_the_name() -> None:
    assert base_operation_of("GetReceiptBasicV2", Binding.BASIC) == "GetReceiptV2"
    assert base_operation_of("GetReceiptECV2", Binding.EC2) == "GetReceiptV2"
    assert base_operation_of("GetReceiptV2", Binding.WS) == "GetReceiptV2"
    assert result_field("GetReceiptECV2") == "get_receipt_ec_v2_result"


class In:
    pass


class Out:
    pass


def test_an_endpoint_operation_is_the_operation_info_written_out() -> None:
    endpoint = Endpoint(
        service="Receipts",
        binding=Binding.EC,
        path="/R.svc",
        actions="urn:r/IR",
        faults=(ValueError,),
        credentials={"password": Credential.ENTERPRISE_PASSWORD},
    )
    built = endpoint.operation(Effect.READ, In, Out, name="GetReceiptEC", result=None, mtom=True)
    assert built == OperationInfo(
        service="Receipts",
        base_operation="GetReceipt",
        name="GetReceiptEC",
        binding=Binding.EC,
        path="/R.svc",
        soap_version=SoapVersion.SOAP12,
        soap_action="urn:r/IR/GetReceiptEC",
        policy=NO_SECURITY,
        effect=Effect.READ,
        input=In,
        output=Out,
        addressing=True,
        mtom=True,
        faults=(ValueError,),
        credentials={"password": Credential.ENTERPRISE_PASSWORD},
    )
    assert built.credentials is not endpoint.credentials  # each its own dict
    assert endpoint.operation(Effect.WRITE, In, None).name == "In"  # the input class's name


WRITTEN_OUT = """
GET_RECEIPT_BASIC = OperationInfo(
    service="Receipts",
    base_operation="GetReceipt",
    name="GetReceiptBasic",
    binding=Binding.BASIC,
    path="/R.svc",
    soap_version=SoapVersion.SOAP11,
    soap_action="urn:r/IR/GetReceiptBasic",
    reply_action="urn:other",
    policy=NO_SECURITY,
    effect=Effect.READ,
    input=GetReceiptBasic,
    output=GetReceiptBasicResponse,
    faults=(AltinnFault,),
    credentials={"system_password": Credential.SYSTEM_PASSWORD},
)
"""

COMPACT = """
_BASIC = Endpoint(
    service="Receipts",
    binding=Binding.BASIC,
    path="/R.svc",
    actions="urn:r/IR",
    faults=(AltinnFault,),
    credentials={"system_password": Credential.SYSTEM_PASSWORD},
)

GET_RECEIPT_BASIC = _BASIC.operation(
    Effect.READ,
    GetReceiptBasic,
    GetReceiptBasicResponse,
    reply_action="urn:other",
    result=None,
)
"""


def test_the_api_reader_sees_the_same_operation_in_both_forms() -> None:
    written_out = read_surface({"altinn2/services/r.py": WRITTEN_OUT})
    compact = read_surface({"altinn2/services/r.py": COMPACT})
    assert set(written_out) == {"altinn2.services.r.GET_RECEIPT_BASIC"}
    assert compact == written_out
    changed = read_surface({"altinn2/services/r.py": COMPACT.replace("urn:r/IR", "urn:r/IX")})
    assert changed != written_out
