"""The generated decoders (`altinn2.codecs`) agree with xsdata's generic parser, the reference.

Differential: every output of every generated operation (minimal and full examples), every
recorded envelope body of a generated operation, and randomized instances (hypothesis) of every
class that has a decoder, read by both; the results must be equal, and the decoder must take the
common case itself. What it refuses goes to the reference, which raises `ProtocolError` naming the
operation and the element path.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import enum
import gc
import importlib
import pkgutil
import types
import typing
import warnings
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree
from xsdata.models.datatype import XmlDateTime

import altinn2.codecs
from altinn2.runtime import codec
from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.fastcodec import REFUSED, Fallback
from altinn2.testing.examples import example
from tests.conftest import shared_dir
from tests.runtime.test_binder import generic, messages, recorded_bodies

RECEIPT_2015 = "http://schemas.altinn.no/services/Intermediary/Receipt/2015/06"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def decoded_classes() -> list[type[Any]]:
    found: list[type[Any]] = []
    for info in pkgutil.iter_modules(altinn2.codecs.__path__):
        module = importlib.import_module(f"altinn2.codecs.{info.name}")
        found.extend(module.DECODERS)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def decode(element: etree._Element, cls: type[Any]) -> Any:
    decoder = codec.decoder_of(cls)
    assert decoder is not None, cls.__name__
    return decoder(element)


@pytest.mark.parametrize("full", [False, True], ids=["minimal", "full"])
def test_decoders_equal_xsdata_on_every_answer(full: bool) -> None:
    taken = 0
    for label, cls in messages():
        if not label.endswith("-out") or codec.decoder_of(cls) is None:
            continue
        element = codec.to_element(example(cls, full=full))
        assert decode(element, cls) == generic(element, cls), label
        taken += 1
    assert taken >= 50


def test_every_answer_has_a_decoder() -> None:
    """Altinn's answers are all plain WCF shapes: each output class has its generated decoder."""
    outputs = {cls for label, cls in messages() if label.endswith("-out")}
    assert len(outputs) >= 50
    assert sorted(cls.__name__ for cls in outputs if codec.decoder_of(cls) is None) == []


def test_decoders_equal_xsdata_on_every_recording() -> None:
    answers = [(name, body, cls) for name, body, cls in recorded_bodies() if "-response" in name]
    assert len(answers) >= 9  # every recorded answer that is not a fault
    for name, body, cls in answers:
        assert decode(body, cls) == generic(body, cls), name


def receipt(inner: str) -> tuple[etree._Element, type[Any]]:
    from altinn2.models.receipt_2015_06 import Receipt

    element = etree.fromstring(f'<Receipt xmlns="{RECEIPT_2015}" xmlns:i="{XSI}">{inner}</Receipt>')
    return element, Receipt


def test_empty_is_not_nil() -> None:
    empty, _ = receipt("<ReceiptHistory></ReceiptHistory><ReceiptText/><References/><SubReceipts/>")
    nil, cls = receipt(
        '<ReceiptHistory i:nil="true"/><ReceiptText i:nil="true"/>'
        '<References i:nil="true"/><SubReceipts i:nil="true"/>'
    )
    fields = ("receipt_history", "receipt_text", "references", "sub_receipts")
    assert [getattr(decode(empty, cls), name) for name in fields] == ["", "", [], []]
    assert [getattr(decode(nil, cls), name) for name in fields] == [None, None, None, None]


@pytest.mark.parametrize(
    ("inner", "path"),
    [
        ("<ReceiptId>five</ReceiptId>", "Receipt/ReceiptId"),
        ("<ReceiptStatus>Brand new status</ReceiptStatus>", "Receipt/ReceiptStatus"),
        ("<LastChanged>2020-03-15T25:00:00</LastChanged>", "Receipt/LastChanged"),
        ("<ReceiptId></ReceiptId>", "Receipt/ReceiptId"),  # empty is not nil, nor an int
        (
            "<SubReceipts><Receipt><ParentReceiptId>x1</ParentReceiptId></Receipt></SubReceipts>",
            "Receipt/SubReceipts/Receipt/ParentReceiptId",
        ),
    ],
)
def test_a_value_the_decoder_refuses_is_a_protocol_error_naming_operation_and_path(
    inner: str, path: str
) -> None:
    element, cls = receipt(inner)
    with pytest.raises(REFUSED) as refused:  # what `codec` hands over to the reference
        decode(copy.deepcopy(element), cls)
    assert not isinstance(refused.value, ProtocolError)  # the decoder hands over ...
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ProtocolError) as caught:  # ... and the reference names the path
            codec.from_element(element, cls, "Svc.Op (Basic)")
    assert str(caught.value).startswith(f"Svc.Op (Basic): {path}"), str(caught.value)


# -- the first try by position: every child present, in the schema's order (as WCF writes) -----


class LoopUsed(Exception):
    """The decoder read by name (its loop) instead of by position (not one of `REFUSED`)."""


class _LoopGuard(dict[str, Any]):
    def copy(self) -> dict[str, Any]:  # the loop's first step: its class's initial values
        raise LoopUsed


@contextlib.contextmanager
def by_position_only(*classes: type[Any]) -> Iterator[None]:
    """The decoders of `classes` (every class with fields if none given) fail with `LoopUsed`
    when they fall back to reading by name."""
    with contextlib.ExitStack() as stack:
        for info in pkgutil.iter_modules(altinn2.codecs.__path__):
            module = importlib.import_module(f"altinn2.codecs.{info.name}")
            for cls in module.DECODERS:
                initial = getattr(module, f"_V_{cls.__name__}")
                if initial and (not classes or cls in classes):
                    guard = _LoopGuard(initial)
                    stack.enter_context(mock.patch.object(module, f"_V_{cls.__name__}", guard))
        yield


def test_every_full_answer_is_read_by_position() -> None:
    """The examples with every field set, written in the schema's order as WCF writes them:
    no decoder of a class with fields needs its loop by name."""
    taken = 0
    for label, cls in messages():
        if not label.endswith("-out") or codec.decoder_of(cls) is None:
            continue
        element = codec.to_element(example(cls, full=True))
        expected = generic(element, cls)
        with by_position_only():
            assert decode(element, cls) == expected, label
        taken += 1
    assert taken >= 50


def in_order_receipt(**texts: str | None) -> tuple[etree._Element, type[Any]]:
    """The full example receipt (every child, in order) with the named children's text
    replaced (None: `xsi:nil`, its children removed)."""
    from altinn2.models.receipt_2015_06 import Receipt

    element = codec.to_element(example(Receipt, full=True))
    for name, text in texts.items():
        child = element.find(f"{{{RECEIPT_2015}}}{name}")
        assert child is not None, name
        child[:] = []
        child.text = text
        if text is None:
            child.set(f"{{{XSI}}}nil", "true")
    return element, Receipt


def test_nil_and_empty_read_by_position_as_the_reference_reads_them() -> None:
    from altinn2.models.receipt_2015_06 import Receipt

    element, cls = in_order_receipt(
        ReceiptHistory="", ReceiptText=None, ReceiptTemplate=None, References=None
    )
    with by_position_only(Receipt):
        read = decode(element, cls)
    assert read == generic(element, cls)
    assert (read.receipt_history, read.receipt_text, read.receipt_template) == ("", None, None)
    assert (read.references, read.sub_receipts) == (None, [])
    assert read.receipt_id == 1 and read.last_changed == XmlDateTime(2020, 1, 1, 12, 0, 0)


@pytest.mark.parametrize(
    ("texts", "path"),
    [
        ({"ReceiptId": "five"}, "Receipt/ReceiptId"),
        ({"ReceiptStatus": "Brand new status"}, "Receipt/ReceiptStatus"),
        ({"LastChanged": "2020-03-15T25:00:00"}, "Receipt/LastChanged"),
        ({"ReceiptId": ""}, "Receipt/ReceiptId"),  # empty is not nil, nor an int
        ({"ParentReceiptId": "1.5"}, "Receipt/ParentReceiptId"),
    ],
)
def test_a_value_refused_by_position_is_a_protocol_error_naming_the_path(
    texts: dict[str, str], path: str
) -> None:
    element, cls = in_order_receipt(**texts)
    with by_position_only(cls), pytest.raises(REFUSED) as refused:
        decode(copy.deepcopy(element), cls)  # refused by position, not left to the loop
    assert not isinstance(refused.value, ProtocolError)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ProtocolError) as caught:
            codec.from_element(element, cls, "Svc.Op (Basic)")
    assert str(caught.value).startswith(f"Svc.Op (Basic): {path}"), str(caught.value)


def test_a_required_item_value_that_is_nil_is_refused_by_position() -> None:
    element, cls = in_order_receipt()
    kind = element.find(f"{{{RECEIPT_2015}}}References/{{{RECEIPT_2015}}}Reference")
    assert kind is not None
    kind[0].text = None
    kind[0].set(f"{{{XSI}}}nil", "true")  # ReferenceType: no None in the model
    with by_position_only(cls), pytest.raises(Fallback):
        decode(copy.deepcopy(element), cls)


def _reordered(element: etree._Element) -> etree._Element:
    element[0], element[1] = copy.deepcopy(element[1]), copy.deepcopy(element[0])
    return element


def _extra(element: etree._Element) -> etree._Element:
    etree.SubElement(element, f"{{{RECEIPT_2015}}}NewInANewerContract").text = "x"
    return element


def _missing(element: etree._Element) -> etree._Element:
    del element[3]
    return element


def _commented(element: etree._Element) -> etree._Element:
    element.insert(2, etree.Comment("note"))
    return element


@pytest.mark.parametrize("change", [_reordered, _extra, _missing, _commented])
def test_children_not_in_the_schema_s_order_are_read_by_name(
    change: Callable[[etree._Element], etree._Element],
) -> None:
    element, cls = in_order_receipt()
    changed = change(element)
    expected = generic(changed, cls)
    with by_position_only(cls), pytest.raises(LoopUsed):
        decode(copy.deepcopy(changed), cls)
    assert decode(changed, cls) == expected


def test_the_collector_is_paused_only_while_a_large_answer_s_decoder_runs() -> None:
    element, cls = in_order_receipt()
    seen: list[bool] = []
    decoder = codec.decoder_of(cls)
    assert decoder is not None

    def spy(e: etree._Element, consume: bool = False) -> Any:
        seen.append(gc.isenabled())
        return decoder(e, consume)

    assert gc.isenabled()
    with mock.patch.object(codec, "decoder_of", return_value=spy):
        assert codec.from_element(copy.deepcopy(element), cls, large=True) == generic(element, cls)
        assert seen == [False] and gc.isenabled()  # paused while it ran, resumed after
        assert codec.from_element(copy.deepcopy(element), cls) == generic(element, cls)
        assert seen == [False, True]  # a small answer leaves the switch alone
    gc.disable()
    try:  # a program that runs without the collector keeps it off
        with mock.patch.object(codec, "decoder_of", return_value=spy):
            codec.from_element(copy.deepcopy(element), cls, large=True)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_is_resumed_when_the_decoder_hands_over() -> None:
    element, cls = in_order_receipt(ReceiptId="five")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ProtocolError):
            codec.from_element(element, cls, "Svc.Op (Basic)", large=True)
    assert gc.isenabled()


def test_dates_as_wcf_writes_them_read_as_the_reference_reads_them() -> None:
    from altinn2.runtime import fastcodec
    from altinn2.runtime.lexical import wcf_date_time

    for text in (
        "2020-03-15T15:23:17.43",
        "2020-03-15T15:23:17",
        "2020-03-15T15:23:17.1234567Z",
        "0001-01-01T00:00:00",
        "2020-03-15T15:23:17.4300000+01:00",
        "2020-02-29T23:59:59.999999999",
    ):
        assert fastcodec.date_time(text) == wcf_date_time(text), text
    for bad in ("2019-02-29T00:00:00", "2020-03-15T25:00:00", "2020-13-01T00:00:00", "x"):
        with pytest.raises(ValueError):
            fastcodec.date_time(bad)


def _outcome(read: Any, text: str) -> tuple[object, ...]:
    try:
        value = read(text)
    except ValueError:
        return ("refused",)
    return (type(value), tuple(value))


DATE_TIME_LIKE = st.from_regex(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,10})?(Z|[+-]\d\d:\d\d)?", fullmatch=True
) | st.text(st.sampled_from("0123456789-T:.Z+ \u0663"), max_size=32)


@settings(max_examples=400, deadline=None)
@given(DATE_TIME_LIKE)
def test_the_fast_date_time_reads_and_refuses_as_the_reference(text: str) -> None:
    from altinn2.runtime import fastcodec
    from altinn2.runtime.lexical import wcf_date_time

    assert _outcome(fastcodec.date_time, text) == _outcome(wcf_date_time, text), text


def test_the_fast_date_time_leaves_the_unusual_layouts_to_the_reference() -> None:
    from altinn2.runtime import fastcodec
    from altinn2.runtime.lexical import wcf_date_time

    for text in (
        "2020-01-01T12:00:Z",  # datetime.fromisoformat would read it; xs:dateTime does not
        "2020-01-01T24:00:00",
        "0000-01-01T00:00:00",
        "2020-01-01T12:00:00.Z",
        "2020-01-01T12:00:00.1234567890",
        "2020-01-01T1\u0663:00:00",
        " 2020-01-01T12:00:00 ",
        "2020-01-01",
        "2020-01-01 12:00:00",  # Python's datetime takes any separator
        "2020-01-01T12:00:0Z",
        "2020-01-01T12:00:00.\u0663",  # a non-ASCII digit in the fraction
        "\uff12020-01-01T12:00:00",  # ... or in the year
        "2020-W01-1T12:00:00",  # an ISO week date, not xs:dateTime
    ):
        assert _outcome(fastcodec.date_time, text) == _outcome(wcf_date_time, text), text


# -- randomized instances -----------------------------------------------------------------------

XML_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xD7FF, exclude_characters="\r"),
    max_size=12,
)
DATE_TIMES = st.builds(
    lambda moment, fraction, utc: XmlDateTime(
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        fraction,
        0 if utc else None,
    ),
    st.datetimes(),
    st.sampled_from([0, 430_000_000, 123_456_700]),
    st.booleans(),
)
SIMPLE: dict[Any, st.SearchStrategy[Any]] = {
    str: XML_TEXT,
    bool: st.booleans(),
    XmlDateTime: DATE_TIMES,
}


def _value(
    hint: Any, depth: int, metadata: Mapping[str, Any] = MappingProxyType({})
) -> st.SearchStrategy[Any] | None:
    """Values of `hint`; an int within its field's range (`metadata`, else xs:long's)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        arms = [arm for arm in typing.get_args(hint) if arm is not type(None)]
        inner = _value(arms[0], depth, metadata) if len(arms) == 1 else None
        return None if inner is None else st.one_of(st.none(), inner)
    if origin is list:
        (item,) = typing.get_args(hint)
        inner = _value(item, depth, metadata)
        return None if inner is None else st.lists(inner, max_size=3)
    if hint is int:
        low = metadata.get("min_inclusive", -(2**63))
        return st.integers(low, metadata.get("max_inclusive", 2**63 - 1))
    if hint in SIMPLE:
        return SIMPLE[hint]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return instances(hint, depth + 1) if depth < 3 else None
    return None


def instances(cls: type[Any], depth: int = 0) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for item in dataclasses.fields(cls):
        strategy = _value(hints[item.name], depth, item.metadata)
        required = (
            item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
        )
        if strategy is None:
            if required:
                return st.just(example(cls))
            continue
        fields[item.name] = strategy
    return st.builds(cls, **fields)


CLASSES = decoded_classes()


@pytest.mark.parametrize("cls", CLASSES, ids=[cls.__name__ for cls in CLASSES])
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_decoder_equals_xsdata_on_random_instances(cls: type[Any], data: st.DataObject) -> None:
    instance = data.draw(instances(cls))
    element = codec.to_element(instance)
    assert decode(copy.deepcopy(element), cls) == generic(element, cls)


# -- encoders -----------------------------------------------------------------------------------


def encoded_classes() -> list[type[Any]]:
    found: list[type[Any]] = []
    for info in pkgutil.iter_modules(altinn2.codecs.__path__):
        module = importlib.import_module(f"altinn2.codecs.{info.name}")
        found.extend(module.ENCODERS)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def reference_bytes(obj: Any) -> bytes:
    """The element xsdata's serializer writes (the encoders switched off)."""
    with mock.patch.object(codec, "encoder_of", lambda cls: None):
        return etree.tostring(codec.to_element(obj))


def encoded_bytes(obj: Any) -> bytes:
    """The element the generated encoder writes; it must not hand over to the reference."""
    encoder = codec.encoder_of(type(obj))
    assert encoder is not None, type(obj).__name__
    with mock.patch.object(codec, "_reference_element", side_effect=AssertionError("refused")):
        return etree.tostring(codec.to_element(obj))


@pytest.mark.parametrize("full", [False, True], ids=["minimal", "full"])
def test_encoders_write_what_xsdata_writes_for_every_request(full: bool) -> None:
    taken = 0
    for label, cls in messages():
        if not label.endswith("-in"):
            continue
        obj = example(cls, full=full)
        assert encoded_bytes(obj) == reference_bytes(obj), label
        taken += 1
    assert taken >= 50


def test_a_value_of_another_type_is_left_to_the_reference() -> None:
    from altinn2.models.reportee_archive_2009_10 import ExternalSearchBEV2

    search = example(ExternalSearchBEV2)
    search.case_id = "12"  # type: ignore[assignment]  # not an int: xsdata writes it as it is
    with mock.patch.object(codec, "_reference_element", wraps=codec._reference_element) as ref:
        written = etree.tostring(codec.to_element(search))
    assert ref.called
    assert b">12</" in written


ENCODED = encoded_classes()


@pytest.mark.parametrize("cls", ENCODED, ids=[cls.__name__ for cls in ENCODED])
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_encoder_writes_what_xsdata_writes_for_random_instances(
    cls: type[Any], data: st.DataObject
) -> None:
    instance = data.draw(instances(cls))
    assert encoded_bytes(instance) == reference_bytes(instance)


def test_a_fallback_after_the_decoder_consumed_items_reads_the_answer_whole_again() -> None:
    """Through `Client.finish` the decoder frees each item it has read; when it hands over at
    the third item (an `xsi:type`, which xsdata reads), the reference gets the answer parsed
    again, not the consumed tree."""
    from altinn2.client import Client
    from altinn2.runtime.client import PreparedCall
    from altinn2.runtime.envelope import parse_xml, read_envelope
    from altinn2.services.reportee_element_list import GET_REPORTEE_ELEMENT_LIST_BASIC_V2 as OP

    recorded = shared_dir() / "altinn2-traffic/ReporteeElementList"
    data = (recorded / "GetReporteeElementListBasicV2-response-1.xml").read_bytes()
    item, typed = (
        b"<a:ReporteeElementBEV2>",
        b'<a:ReporteeElementBEV2 i:type="a:ReporteeElementBEV2">',
    )
    marked = data.replace(item, typed, 3).replace(typed, item, 2)  # the third item typed
    body = read_envelope(parse_xml(marked)).body
    assert body is not None
    decode = codec.decoder_of(OP.output)
    assert decode is not None
    with pytest.raises(Fallback) as refused:  # the xsi:type item, for xsdata to read
        decode(body, True)
    assert not isinstance(refused.value, ProtocolError)
    assert len(body[0][0]) == 0  # the first item was consumed before the decoder handed over
    client = Client(base_url="https://127.0.0.1")
    call = PreparedCall(OP, "https://127.0.0.1" + OP.path, {}, b"")
    read = client.finish(call, 200, "text/xml; charset=utf-8", marked, OP.output)
    whole = read_envelope(parse_xml(data)).body
    assert whole is not None
    assert read == generic(whole, OP.output)
    assert len(read.get_reportee_element_list_basic_v2_result or []) == 5


def test_client_finish_pauses_the_collector_for_large_answers_only() -> None:
    """`Client.finish` tells the codec an answer is large from its size in bytes."""
    from altinn2.client import Client
    from altinn2.runtime.client import PreparedCall
    from altinn2.services.reportee_element_list import GET_REPORTEE_ELEMENT_LIST_BASIC_V2 as OP

    recorded = shared_dir() / "altinn2-traffic/ReporteeElementList"
    small = (recorded / "GetReporteeElementListBasicV2-response-1.xml").read_bytes()
    padding = b"<!--" + b" " * codec.LARGE_ANSWER_BYTES + b"-->"
    large = small.replace(b"<s:Body>", b"<s:Body>" + padding, 1)
    assert len(small) < codec.LARGE_ANSWER_BYTES <= len(large)
    decoder = codec.decoder_of(OP.output)
    assert decoder is not None
    seen: list[bool] = []

    def spy(e: etree._Element, consume: bool = False) -> Any:
        seen.append(gc.isenabled())
        return decoder(e, consume)

    client = Client(base_url="https://127.0.0.1")
    call = PreparedCall(OP, "https://127.0.0.1" + OP.path, {}, b"")
    with mock.patch.object(codec, "decoder_of", return_value=spy):
        read = [client.finish(call, 200, "text/xml", body, OP.output) for body in (small, large)]
    assert read[0] == read[1]
    assert seen == [True, False]


@pytest.mark.parametrize("inner", ['<ReceiptText i:nil="maybe"/>', '<References i:nil="yes"/>'])
def test_an_xsi_nil_that_is_not_a_boolean_is_a_protocol_error(inner: str) -> None:
    """XML Schema's xsi:nil is a boolean; xsdata would read any value as nil (and the fuzzer
    found it crashing the empty-list pass), the decoders as not nil: both refuse it now."""
    element, cls = receipt(inner)
    with pytest.raises(REFUSED):
        decode(copy.deepcopy(element), cls)
    with pytest.raises(ProtocolError, match=r"xsi:nil of \w+ is not a boolean"):
        codec.from_element(element, cls, "Svc.Op (Basic)")


@pytest.mark.parametrize(
    ("inner", "text", "references"),
    [
        ('<ReceiptText i:nil="false"/><References i:nil="0"/>', "", []),
        ('<ReceiptText i:nil="1"/><References i:nil="true"/>', None, None),
    ],
)
def test_xsi_nil_s_four_boolean_forms_read_on_both_paths(
    inner: str, text: str | None, references: list[Any] | None
) -> None:
    element, cls = receipt(inner)
    fast = decode(copy.deepcopy(element), cls)
    assert (fast.receipt_text, fast.references) == (text, references)
    assert fast == generic(element, cls)
