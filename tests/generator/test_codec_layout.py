# ruff: noqa: E501  (the sources under test are the long one-line statements the template prints)
"""The codec modules' long statements laid out as black lays them out: black makes the same of
them as of the one-line original, and leaves the result as it is (one pass, not two)."""

from __future__ import annotations

import pytest

from generator import formatcache
from generator.codecs.layout import layout_module

LONG = "AVeryLongClassNameForTheTestOfTheLayout"
RAW_CODEC = f'''"""A codec module."""

from __future__ import annotations

_NS0 = "{{http://schemas.example.org/services/ServiceEngine/SomethingLonger/2010/10}}"
_Q0 = "{{http://www.example.org/services/ServiceEngine/ReporteeElementList/2010/10}}ReporteeElementBEV2"
_Q1 = "{{http://www.example.org/services/ServiceEngine/ReporteeElementList/2010/10/and/more/and/more}}ReporteeElementBEV2"
_V_Short: dict[str, Any] = dict.fromkeys(_f.words("a b c"))
_V_{LONG}: dict[str, Any] = dict.fromkeys(_f.words("allow_forwarding archive_date_time lookup_id"))
_V_{LONG}2: dict[str, Any] = dict.fromkeys(_f.words("attachment_data attachment_function_type_id attachment_id attachment_name attachment_type" " created_by_user_id created_date_time destination_type file_name"))
_V_{LONG}3: dict[str, Any] = dict.fromkeys(_f.words("attachment_data attachment_function_type_id attachment_id" " more"))
_N_{LONG} = _f.words("message valid_from valid_to status and_some_more_names_to_make_it_long")
_N_{LONG}2 = _f.words("attachment_name file_name senders_reference attachment_id created_by_user_id" " reportee_element_id is_added_after_form_fillin is_associated_to_form_set is_encrypted")


def decode_{LONG}(e: _Element, consume: bool = False) -> _m0.{LONG}:
    for c in e:
        if k == 0:
            v["lookup_pdf"] = None if c.keys() and _f.nil(c, True) else _c1.decode_AttachmentBEV2(c, consume)
        elif k == 1:
            v["download_file_streamed_basic_result"] = _f.base64_binary(x) if x else _f.blank(c, False, False)
        elif k == 2:
            v["archive_task_list"] = None if c.keys() and _f.nil(c, True) else _f.each(c, _Q1, decode_ArchiveTaskV2, consume) if len(c) else []
        elif k == 3:
            v["get_available_files_basic_result"] = None if c.keys() and _f.nil(c, True) else _f.each(c, _Q9, _c1.decode_BrokerServiceAvailableFile, consume) if len(c) else []
        elif k == 4:
            v["signed_attachment_list"] = None if c.keys() and _f.nil(c, True) else [int(x) for x in [_f.text(i, False) for i in c if i.tag == _Q0]]
    return o
'''


def _black_once(source: str) -> bool:
    return formatcache.black.format_str(source, mode=formatcache.MODE) == source


def test_codec_shapes_reach_black_as_black_writes_them() -> None:
    laid, known = layout_module(RAW_CODEC)
    assert known
    assert laid != RAW_CODEC
    assert not _black_once(RAW_CODEC)
    assert formatcache.format_source(laid) == formatcache.format_source(RAW_CODEC)
    assert _black_once(laid)
    assert "else (\n" in laid  # the nested conditional in parentheses of its own
    assert "else _f.each(c, _Q1, decode_ArchiveTaskV2, consume) if len(c) else []" in laid


@pytest.mark.parametrize(
    "line",
    [
        "x = some_function(argument_number_one, argument_number_two, argument_three, four, five)",
        "value = first_operand_of_a_long_sum + second_operand_of_the_long_sum + third_operand_x",
    ],
)
def test_a_shape_it_does_not_know_is_left_for_black(line: str) -> None:
    long_line = f"    {line}  # padding"
    assert len(long_line) > 100
    laid, known = layout_module(long_line)
    assert laid == long_line
    assert not known
