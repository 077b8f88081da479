"""Numbers in XSD's lexical forms only, on both paths: the generated decoders and xsdata's parser
(the reference) read the same texts as the same values and refuse the same texts; what Python's
`int`/`float` read beyond XSD (`1_000`, other scripts' digits, `inf`) is a `ProtocolError` naming
the element's path, never a value."""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from lxml import etree
from xsdata.models.datatype import XmlDate, XmlDuration, XmlTime

from altinn2.runtime import binder, codec, fastcodec
from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.fastcodec import REFUSED
from altinn2.runtime.lexical import xsd_double, xsd_integer
from altinn2.testing.examples import example
from tests.runtime.test_codecs import by_position_only, decode, in_order_receipt, receipt

ARCHIVE_2010 = "http://schemas.altinn.no/services/Archive/ReporteeArchive/2010/10"


def archived_form_task(inner: str) -> tuple[etree._Element, type[Any]]:
    """An element of the one decoded class with a float (xs:double) field."""
    from altinn2.models.reportee_archive_2010_10 import ArchivedFormTaskV2

    element = etree.fromstring(
        f'<ArchivedFormTaskV2 xmlns="{ARCHIVE_2010}">{inner}</ArchivedFormTaskV2>'
    )
    return element, ArchivedFormTaskV2


def reference(element: etree._Element, cls: type[Any]) -> Any:
    """xsdata's parser alone (the decoders switched off)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codec, "decoder_of", lambda cls: None)
        return codec.from_element(element, cls, "Svc.Op (Basic)")


def refused_on_both_paths(element: etree._Element, cls: type[Any], path: str) -> None:
    with pytest.raises(REFUSED) as refused:  # the decoder hands over ...
        decode(copy.deepcopy(element), cls)
    assert not isinstance(refused.value, ProtocolError)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for read in (codec.from_element, lambda e, c, op: reference(e, c)):
            with pytest.raises(ProtocolError) as caught:  # ... and the reference names the path
                read(copy.deepcopy(element), cls, "Svc.Op (Basic)")
            assert str(caught.value).startswith(f"Svc.Op (Basic): {path}"), str(caught.value)


BAD_INTEGERS = [
    "1_000",
    "\u0665",  # Arabic-Indic five
    "\uff11\uff12",  # fullwidth 12
    "99999999999999999999",  # beyond xs:long, let alone xs:int
    "9223372036854775808",  # xs:long's maximum + 1
    "-9223372036854775809",
    "1.0",
    "\xa05",  # a space to Python, not to XSD
    "+-5",
]
GOOD_INTEGERS = {
    "+5": 5,
    "-0": 0,
    " 12 ": 12,
    "\t\n12\r\n": 12,
    "007": 7,
    "-42": -42,
    "2147483647": 2**31 - 1,  # Receipt/ReceiptId is an xs:int (xs:long: test_integer_ranges)
    "-2147483648": -(2**31),
}


@pytest.mark.parametrize("text", BAD_INTEGERS)
def test_an_integer_not_in_xsd_s_form_is_refused_on_both_paths(text: str) -> None:
    element, cls = receipt(f"<ReceiptId>{text}</ReceiptId>")
    refused_on_both_paths(element, cls, "Receipt/ReceiptId")


@pytest.mark.parametrize("text", BAD_INTEGERS[:4])
def test_an_integer_not_in_xsd_s_form_is_refused_by_position(text: str) -> None:
    element, cls = in_order_receipt(ParentReceiptId=text)
    with by_position_only(cls):
        refused_on_both_paths(element, cls, "Receipt/ParentReceiptId")


@pytest.mark.parametrize(("text", "value"), GOOD_INTEGERS.items())
def test_an_integer_in_xsd_s_forms_reads_equal_on_both_paths(text: str, value: int) -> None:
    element, cls = receipt(f"<ReceiptId>{text}</ReceiptId>")
    fast = decode(copy.deepcopy(element), cls)
    assert fast.receipt_id == value
    assert type(fast.receipt_id) is int
    assert fast == reference(element, cls)


BAD_DOUBLES = ["1_0", "inf", "-inf", "+INF", "Infinity", "nan", "NAN", "1e", ".", "\u0665", "1.5f"]
GOOD_DOUBLES = {
    "INF": math.inf,
    "-INF": -math.inf,
    "1E3": 1000.0,
    ".5": 0.5,
    "5.": 5.0,
    " -1.25e-2 ": -0.0125,
    "+5": 5.0,
    "-0": -0.0,
}


@pytest.mark.parametrize("text", BAD_DOUBLES)
def test_a_double_not_in_xsd_s_form_is_refused_on_both_paths(text: str) -> None:
    element, cls = archived_form_task(f"<InvoiceInformation>{text}</InvoiceInformation>")
    refused_on_both_paths(element, cls, "ArchivedFormTaskV2/InvoiceInformation")


@pytest.mark.parametrize(("text", "value"), GOOD_DOUBLES.items())
def test_a_double_in_xsd_s_forms_reads_equal_on_both_paths(text: str, value: float) -> None:
    element, cls = archived_form_task(f"<InvoiceInformation>{text}</InvoiceInformation>")
    fast = decode(copy.deepcopy(element), cls).invoice_information
    slow = reference(element, cls).invoice_information
    assert type(fast) is float and type(slow) is float
    assert (fast, math.copysign(1, fast)) == (value, math.copysign(1, value))
    assert (slow, math.copysign(1, slow)) == (value, math.copysign(1, value))


def test_nan_reads_as_nan_on_both_paths() -> None:
    element, cls = archived_form_task("<InvoiceInformation>NaN</InvoiceInformation>")
    assert math.isnan(decode(copy.deepcopy(element), cls).invoice_information)
    assert math.isnan(reference(element, cls).invoice_information)


@pytest.mark.parametrize(
    ("value", "text"), [(math.inf, "INF"), (-math.inf, "-INF"), (math.nan, "NaN"), (1e3, "1000.0")]
)
def test_a_double_is_written_in_xsd_s_form(value: float, text: str) -> None:
    from altinn2.models.reportee_archive_2010_10 import ArchivedFormTaskV2

    task = example(ArchivedFormTaskV2)
    task.invoice_information = value
    written = codec.to_element(task).find(f"{{{ARCHIVE_2010}}}InvoiceInformation")
    assert written is not None
    assert written.text == text


@pytest.mark.parametrize("text", ["\x0c5", "5\x0b", "\u20035"])
def test_only_xsd_s_four_spaces_are_collapsed(text: str) -> None:
    """Python's `int`/`float` strip these too (they cannot be in XML text; a value the
    runtime is handed otherwise must not be read either)."""
    assert int(text) == 5
    with pytest.raises(ValueError):
        xsd_integer(text)
    with pytest.raises(ValueError):
        xsd_double(text)


BAD_DATE_TIMES = [
    "\uff12020-01-01T12:00:00",  # a fullwidth digit in the year
    "2020-01-01T12:00:00.\u0663",  # an Arabic-Indic digit in the fraction
    "2020-01-01T1\u0662:00:00Z",
    "\u0662\u0660\u0662\u0660-01-01",  # a date alone, as WCF reads it, but not ASCII
]


@pytest.mark.parametrize("text", BAD_DATE_TIMES)
def test_a_date_time_with_other_scripts_digits_is_refused_on_both_paths(text: str) -> None:
    element, cls = receipt(f"<LastChanged>{text}</LastChanged>")
    refused_on_both_paths(element, cls, "Receipt/LastChanged")


@pytest.mark.parametrize("text", BAD_DATE_TIMES[:3])
def test_a_date_time_with_other_scripts_digits_is_refused_by_position(text: str) -> None:
    element, cls = in_order_receipt(LastChanged=text)
    with by_position_only(cls):
        refused_on_both_paths(element, cls, "Receipt/LastChanged")


@pytest.mark.parametrize(
    "read",
    [fastcodec.date, fastcodec.time, fastcodec.duration]
    + [binder.CONVERTERS[t] for t in (XmlDate, XmlTime, XmlDuration)],
)
@pytest.mark.parametrize("text", ["\uff12020-01-01", "1\u0662:00:00", "P\u0661D"])
def test_dates_times_and_durations_take_ascii_digits_only(
    read: Callable[[str], object], text: str
) -> None:
    with pytest.raises(ValueError):
        read(text)


def test_dates_times_and_durations_in_xsd_s_form_still_read() -> None:
    assert fastcodec.date(" 2020-01-31\n") == XmlDate(2020, 1, 31)
    assert fastcodec.time("12:30:05") == XmlTime(12, 30, 5)
    assert fastcodec.duration("P1DT2H") == XmlDuration("P1DT2H")
    assert binder.CONVERTERS[XmlDate]("2020-01-31") == XmlDate(2020, 1, 31)
