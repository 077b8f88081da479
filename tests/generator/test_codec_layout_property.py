"""Property: whenever `layout_module` calls a codec module known, it is what black writes of it.

Random statements of each shape the codec template prints (names, strings, word lists and
conditional chains drawn so that the lines fall on both sides of the line limit) are laid out
and compared with black's own output; a mismatch is a layout rule that disagrees with black."""

from __future__ import annotations

import keyword
from collections.abc import Callable

import pytest
from hypothesis import strategies as st

from generator.codecs.layout import layout_module
from tests.generator.black_agreement import assert_known_is_black

LOWER = "abcdefghijklmnopqrstuvwxyz"


def _name(max_size: int = 24) -> st.SearchStrategy[str]:
    word = st.text(LOWER, min_size=1, max_size=8).filter(lambda w: not keyword.iskeyword(w))
    return st.builds("_".join, st.lists(word, min_size=1, max_size=max_size // 5))


def _class(min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    alphabet = LOWER.upper() + LOWER + "0123456789"
    return st.text(alphabet, min_size=min_size, max_size=max_size).map(lambda w: "A" + w)


def _nested(statement: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """`statement` at depth 0 to 3 (inside a function and `if` blocks)."""

    def place(depth: int, line: str) -> str:
        if depth == 0:
            return f"{line}\n"
        blocks = ["def f() -> None:", *(f"{'    ' * d}if x:" for d in range(1, depth))]
        return "\n".join([*blocks, "    " * depth + line]) + "\n"

    return st.builds(place, st.integers(0, 3), statement)


def _signature() -> st.SearchStrategy[str]:
    return st.builds(
        "def {}_{}(e: _Element{}) -> _m{}.{}:\n    pass\n".format,
        st.sampled_from(["decode", "encode", "_decode"]),
        _class(10),
        st.sampled_from(["", ", consume: bool = False", ", consume: bool = False, nil: bool = X"]),
        st.integers(0, 12),
        _class(10),
    )


def _string() -> st.SearchStrategy[str]:
    text = st.text(LOWER + "{}/:._ ", min_size=60, max_size=110)
    return _nested(st.builds('{} = "{}"'.format, _name(20).map(str.upper), text))


def _ternary() -> st.SearchStrategy[str]:
    decoder = st.builds("_c{}.decode_{}(c, consume)".format, st.integers(0, 9), _class(10, 30))
    each = st.builds(
        "_f.each(c, _Q{}, decode_{}, consume)".format, st.integers(0, 99), _class(10, 30)
    )
    value = st.one_of(
        st.sampled_from(["None", "[]", "x", "_f.blank(c, False, False)", "_f.base64_binary(x)"]),
        decoder,
        each,
        st.just("[int(x) for x in [_f.text(i, False) for i in c if i.tag == _Q0]]"),
    )
    condition = st.sampled_from(["c.keys() and _f.nil(c, True)", "len(c)", "x"])
    chain = st.builds(
        lambda first, rest: first + "".join(f" if {c} else {v}" for c, v in rest),
        value,
        st.lists(st.tuples(condition, value), min_size=1, max_size=3),
    )
    return _nested(st.builds('v["{}"] = {}'.format, _name(40), chain))


def _words() -> st.SearchStrategy[str]:
    piece = st.lists(_name(30), min_size=2, max_size=8).map(" ".join)
    strings = st.lists(piece, min_size=1, max_size=3).map(
        lambda pieces: '"' + '" " '.join(pieces) + '"'
    )
    return st.one_of(
        st.builds(
            "_V_{}: dict[str, Any] = dict.fromkeys(_f.words({}))\n".format, _class(10), strings
        ),
        st.builds("_N_{} = _f.words({})\n".format, _class(10), strings),
    )


SHAPES: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    "signature": _signature,
    "string": _string,
    "conditional": _ternary,
    "word list": _words,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_module_called_known_is_what_black_writes(shape: str) -> None:
    assert_known_is_black(layout_module, SHAPES[shape]())
