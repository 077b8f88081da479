"""Property: whenever `blacken_module` calls a module known, it is what black writes of it.

Random lines of each shape the templates print (identifiers, strings and counts drawn so that
the lines fall on both sides of the line limit) are laid out and compared with black's own
output; a mismatch is a layout rule that disagrees with black."""

from __future__ import annotations

import keyword
from collections.abc import Callable

import pytest
from hypothesis import strategies as st

from generator.blackened import blacken_module
from tests.generator.black_agreement import assert_known_is_black

LOWER = "abcdefghijklmnopqrstuvwxyz"


def _word(alphabet: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=min_size, max_size=max_size).filter(
        lambda w: w.isidentifier() and not keyword.iskeyword(w)
    )


def _name(max_size: int = 24) -> st.SearchStrategy[str]:
    return st.builds("_".join, st.lists(_word(LOWER, 1, 8), min_size=1, max_size=max_size // 5))


def _class(max_size: int = 24) -> st.SearchStrategy[str]:
    return _word(LOWER.upper() + LOWER, 1, max_size).map(lambda w: w[0].upper() + w[1:])


def _text(max_size: int = 60) -> st.SearchStrategy[str]:
    """A plain string literal in the single quotes `repr()` gives."""
    return st.text(LOWER + "/:.- _", max_size=max_size).map(lambda s: f"'{s}'")


def _type() -> st.SearchStrategy[str]:
    plain = st.one_of(_class(16), st.sampled_from(["int", "str", "bool", "Secret"]))
    listed = plain.map(lambda t: f"list[{t}]")
    member = st.one_of(plain, listed)
    return st.lists(member, min_size=1, max_size=4).map(" | ".join)


def _signature() -> st.SearchStrategy[str]:
    parameter = st.one_of(
        st.builds("{}: {}".format, _name(), _type()),
        st.builds("{}: {} | None = None".format, _name(), _type()),
    )
    return st.builds(
        "    {}def {}({}{}) -> {}:\n        pass\n".format,
        st.sampled_from(["", "async "]),
        _name(),
        st.sampled_from(["self, *, ", ""]),
        st.lists(parameter, min_size=1, max_size=6).map(", ".join),
        _type(),
    ).map(lambda body: f"class C:\n{body}")


def _argument() -> st.SearchStrategy[str]:
    attribute = st.builds("{}.{}".format, _class(), _name())
    value = st.one_of(_name(), _text(), st.just("None"), attribute)
    mapping = st.lists(st.builds("{}: {}".format, _text(20), value), min_size=1, max_size=4).map(
        lambda items: "{" + ", ".join(items) + "}"
    )
    call = st.builds("{}({}, {}({}))".format, _class(8), _text(40), _class(8), _text(20))
    return st.one_of(
        value,
        st.builds("{}={}".format, _name(), st.one_of(value, mapping, call)),
    )


def _call() -> st.SearchStrategy[str]:
    return st.builds(
        "{}({})".format,
        st.one_of(_class(), st.builds("_{}.operation".format, _name())),
        st.lists(_argument(), min_size=1, max_size=6).map(", ".join),
    )


def _assignment() -> st.SearchStrategy[str]:
    annotation = st.one_of(st.just(""), st.builds(": {}[{}]".format, _class(16), _type()))
    statement = st.builds("{}{} = {}".format, _name(30).map(str.upper), annotation, _call())
    return st.one_of(
        statement.map(lambda line: f"{line}\n"),
        statement.map(lambda line: f"def g() -> None:\n    {line}\n"),
    )


def _return() -> st.SearchStrategy[str]:
    call = st.builds("self._call({}, locals())".format, _name(40).map(str.upper))
    plain = st.builds("{}.{}{}".format, call, _name(40), st.sampled_from(["", " or []"]))
    awaited = st.builds("(await {}).{}{}".format, call, _name(40), st.sampled_from(["", " or []"]))
    return st.one_of(
        plain.map(lambda r: f"def g(self) -> None:\n    return {r}\n"),
        awaited.map(lambda r: f"async def g(self) -> None:\n    return {r}\n"),
    )


def _item() -> st.SearchStrategy[str]:
    """An argument line of a call the template prints one argument a line."""
    return st.builds(
        "X = {}(\n    {},\n)\n".format,
        _class(),
        st.builds("{}={}".format, _name(), _call()),
    )


SHAPES: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    "signature": _signature,
    "assignment": _assignment,
    "return": _return,
    "item": _item,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_module_called_known_is_what_black_writes(shape: str) -> None:
    assert_known_is_black(blacken_module, SHAPES[shape]())
