"""Integer fields keep their XSD type's range (xsdata maps xs:int, xs:long, xs:unsignedInt ... all
to `int`; the generator records each narrower type's bounds in the field's metadata): a value
out of its field's range is a `ProtocolError` naming the element's path, whichever reader meets it
(the generated decoder hands it to the reference, xsdata's parser; the binder does likewise)."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest
from lxml import etree

from altinn2.runtime import codec
from altinn2.runtime.binder import Unsupported
from altinn2.runtime.errors import ProtocolError
from tests.runtime.test_codecs import by_position_only, decode, in_order_receipt, receipt
from tests.runtime.test_numbers import reference, refused_on_both_paths

BROKER_2015 = "http://schemas.altinn.no/services/ServiceEngine/Broker/2015/06"
INBOUND_2010 = "http://www.altinn.no/services/Intermediary/Shipment/IntermediaryInbound/2010/10"
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def metadata(cls: type[Any], name: str) -> Any:
    return next(f.metadata for f in dataclasses.fields(cls) if f.name == name)


def available_file(size: str) -> tuple[etree._Element, type[Any]]:
    """A decoded class with an xs:long field (FileSize)."""
    from altinn2.models.broker_2015_06 import BrokerServiceAvailableFile

    element = etree.fromstring(
        f'<BrokerServiceAvailableFile xmlns="{BROKER_2015}"><FileSize>{size}</FileSize>'
        "</BrokerServiceAvailableFile>"
    )
    return element, BrokerServiceAvailableFile


def delegated_user(number: str) -> tuple[etree._Element, type[Any]]:
    """A class (bound by the binder, no generated decoder) with an xs:unsignedInt field."""
    from altinn2.models.intermediary_inbound_service_2010_10 import DelegatedUserBE

    element = etree.fromstring(
        f'<DelegatedUserBE xmlns="{INBOUND_2010}">'
        f"<NumberOfSignaturesAllowed>{number}</NumberOfSignaturesAllowed>"
        "<SigningOptions>None</SigningOptions></DelegatedUserBE>"
    )
    return element, DelegatedUserBE


def test_the_generator_records_the_range_of_types_narrower_than_xs_long() -> None:
    from altinn2.models.broker_2015_06 import BrokerServiceAvailableFile
    from altinn2.models.intermediary_inbound_service_2010_10 import DelegatedUserBE
    from altinn2.models.receipt_2015_06 import Receipt

    assert metadata(Receipt, "receipt_id")["min_inclusive"] == INT_MIN
    assert metadata(Receipt, "receipt_id")["max_inclusive"] == INT_MAX
    unsigned = metadata(DelegatedUserBE, "number_of_signatures_allowed")
    assert (unsigned["min_inclusive"], unsigned["max_inclusive"]) == (0, 2**32 - 1)
    assert "max_inclusive" not in metadata(BrokerServiceAvailableFile, "file_size")


@pytest.mark.parametrize("text", ["2147483648", "-2147483649", "3000000000", "02147483648"])
def test_an_xs_int_out_of_range_is_refused_on_both_paths(text: str) -> None:
    element, cls = receipt(f"<ReceiptId>{text}</ReceiptId>")
    refused_on_both_paths(element, cls, "Receipt/ReceiptId")


@pytest.mark.parametrize("text", ["2147483648", "-2147483649"])
def test_an_xs_int_out_of_range_is_refused_by_position(text: str) -> None:
    element, cls = in_order_receipt(ParentReceiptId=text)
    with by_position_only(cls):
        refused_on_both_paths(element, cls, "Receipt/ParentReceiptId")


@pytest.mark.parametrize(
    ("text", "value"),
    [("2147483647", INT_MAX), ("-2147483648", INT_MIN), ("+002147483647", INT_MAX), ("-0", 0)],
)
def test_an_xs_int_at_its_bounds_reads_equal_on_both_paths(text: str, value: int) -> None:
    for element, cls, field in (
        (*receipt(f"<ReceiptId>{text}</ReceiptId>"), "receipt_id"),
        (*in_order_receipt(ParentReceiptId=text), "parent_receipt_id"),
    ):
        fast = decode(copy.deepcopy(element), cls)
        assert getattr(fast, field) == value
        assert fast == reference(element, cls)


@pytest.mark.parametrize("value", [3000000000, 2**63 - 1, -(2**63)])
def test_an_xs_long_takes_its_whole_range_on_both_paths(value: int) -> None:
    element, cls = available_file(str(value))
    fast = decode(copy.deepcopy(element), cls)
    assert fast.file_size == value
    assert fast == reference(element, cls)


@pytest.mark.parametrize("text", ["-1", "4294967296"])
def test_an_xs_unsigned_int_out_of_range_is_refused(text: str) -> None:
    element, cls = delegated_user(text)
    assert codec.decoder_of(cls) is None  # read by the binder, else by xsdata
    with pytest.raises(Unsupported, match="is out of the field"):
        codec.binder().bind(copy.deepcopy(element), cls)
    for read in (codec.from_element, lambda e, c, op: reference(e, c)):
        with pytest.raises(ProtocolError) as caught:
            read(copy.deepcopy(element), cls, "Svc.Op (Basic)")
        assert str(caught.value).startswith(
            "Svc.Op (Basic): DelegatedUserBE/NumberOfSignaturesAllowed"
        ), str(caught.value)


def test_an_xs_unsigned_int_at_its_bounds_is_read() -> None:
    for value in (0, 2**32 - 1):
        element, cls = delegated_user(str(value))
        bound = codec.binder().bind(copy.deepcopy(element), cls)
        assert bound.number_of_signatures_allowed == value
        assert bound == reference(element, cls)


def test_a_request_with_an_int_out_of_its_field_s_range_is_refused_before_sending() -> None:
    from altinn2.services.reportee_element_list import ExternalSearchBEV2
    from altinn2.testing import MockAltinn, example

    with MockAltinn() as mock, mock.client() as client:
        service = client.reportee_element_list
        for value in (INT_MAX + 1, INT_MIN - 1):
            with pytest.raises(TypeError) as caught:
                service.get_reportee_element_list_basic_v2(
                    search_be=example(ExternalSearchBEV2), language_id=value
                )
            message = str(caught.value)
            assert message.endswith(
                f"language_id: an int out of the field's range {INT_MIN}..{INT_MAX}"
            ), message  # the range, never the value (it may be a secret)
        assert mock.calls == ()
        service.get_reportee_element_list_basic_v2(
            search_be=example(ExternalSearchBEV2), language_id=INT_MAX
        )
        assert len(mock.calls) == 1
