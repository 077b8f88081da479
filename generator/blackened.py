"""The templates' long one-line statements written as black writes them, before black runs.

Black formats a module twice when its first pass changes anything (the second pass settles
optional trailing commas) and once when the module is already as it would write it: a service
module that comes out of its template black-stable costs half. This module knows the few shapes
the templates print (a `def` signature, `NAME[: T] = callee(...)`, `return ...`, an argument
`key={...}` of a multi-line call) and black's rules for them: a line that fits stays; otherwise
split at the last bracket, the inside on one line when it fits (a call, a signature) or one item
a line with a trailing comma (too long, or a literal `{...}`/`[...]`/`(...)` with commas; not a
lone item too long for its line, which black splits without adding a comma). Single quotes
become double. A line it is not sure of is left as it is, and the module goes to black
(`blacken_module` says so); a module with none is taken as it is by `generate`, and `check`
has black format it and names it if black would write it otherwise.
"""

from __future__ import annotations

import re

from generator.models.render import LINE_LENGTH
from generator.toplevel import (
    CLOSE as _CLOSE,
    OPEN as _OPEN,
    UnknownShape as _Unsure,
    depth_zero as _depth_zero,
    top_level as _top_level,
)

_IDENTIFIER_END = re.compile(r"[\w\]).]$")


def blacken_lines(source: str) -> str:
    """`source` with each long or single-quoted statement line outside docstrings as black
    would write it (see the module's docstring)."""
    return blacken_module(source)[0]


def blacken_module(source: str) -> tuple[str, bool]:
    """`blacken_lines(source)`, and whether every long line but the imports (isort's to wrap)
    was of a shape this module knows: whether black is left nothing to split."""
    lines: list[str] = []
    in_string = False
    known = True
    for line in source.split("\n"):
        quotes = line.count('"""')
        if in_string or quotes or "'''" in line:
            lines.append(line)
            in_string ^= quotes % 2 == 1
            continue
        try:
            lines += _line(line)
        except _Unsure:
            lines.append(line)
            known = known and (_fits("", line) or line.lstrip().startswith(("from ", "import ")))
    return "\n".join(lines).lstrip("\n"), known


def _line(line: str) -> list[str]:
    code = line.lstrip(" ")
    indent = line[: len(line) - len(code)]
    if not code or ("'" not in code and _fits(indent, code)):
        return [line]  # nothing to change (the common case, without the walk below)
    code = _double_quotes(code)
    if _fits(indent, code):
        return [indent + code]
    if code.startswith(("def ", "async def ")):
        return _signature(indent, code)
    if code.startswith("return "):
        return _right_hand(indent, "return ", code[len("return ") :])
    equals = _top_level(code, " = ")
    if equals is not None:
        return _right_hand(indent, code[: equals + 3], code[equals + 3 :])
    if code.endswith(","):
        return _item(indent, code[:-1], ",")
    raise _Unsure


def _fits(indent: str, code: str) -> bool:
    return len(indent) + len(code) <= LINE_LENGTH


def _double_quotes(code: str) -> str:
    """Plain single-quoted strings in double quotes; anything else with a quote is unsure."""
    out: list[str] = []
    index = 0
    while index < len(code):
        char = code[index]
        if char == "#":
            raise _Unsure
        if char in "'\"":
            end = code.find(char, index + 1)
            body = code[index + 1 : end]
            if end < 0 or "\\" in body or (index and code[index - 1].isalnum()):
                raise _Unsure
            if char == "'" and '"' in body:
                raise _Unsure
            out.append(f'"{body}"')
            index = end + 1
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _brackets(code: str) -> dict[int, int]:
    """Opening index -> closing index of every bracket pair (strings are double-quoted)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    in_string = False
    for index, char in enumerate(code):
        if char == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif char in _OPEN:
            stack.append(index)
        elif char in _CLOSE:
            if not stack or _OPEN[code[stack[-1]]] != char:
                raise _Unsure
            pairs[stack.pop()] = index
    if stack or in_string:
        raise _Unsure
    return pairs


def _items(body: str) -> list[str]:
    """`body` split at its top-level commas (a trailing comma gives no empty item)."""
    flags = _depth_zero(body)
    items: list[str] = []
    start = 0
    for index, char in enumerate(body):
        if char == "," and flags[index]:
            items.append(body[start:index].strip())
            start = index + 1
    last = body[start:].strip()
    if last:
        items.append(last)
    if not all(items):
        raise _Unsure
    return items


def _signature(indent: str, code: str) -> list[str]:
    """A `def` too long: split at its parameters (black's left-hand split)."""
    opening = code.index("(")
    closing = _brackets(code)[opening]
    head, body, tail = code[: opening + 1], code[opening + 1 : closing], code[closing:]
    if not tail.startswith(") -> ") or not tail.endswith(":"):
        raise _Unsure
    if not body.strip():
        raise _Unsure  # black splits the return annotation instead
    if len(_items(body)) == 1:
        body += ","  # black adds a trailing comma to a lone parameter, then one a line
    parameters = _inside(indent + "    ", body, literal=False)
    if _fits(indent, tail):
        return [indent + head, *parameters, indent + tail]
    # A union too long for the return annotation's line: in parentheses, one member a line.
    members = tail[len(") -> ") : -1].split(" | ")
    inner = indent + "    "
    if _fits(inner, " | ".join(members)) or any("(" in member for member in members):
        raise _Unsure
    union = [inner + members[0], *(f"{inner}| {member}" for member in members[1:])]
    if not all(_fits("", line) for line in union):
        raise _Unsure
    return [indent + head, *parameters, indent + ") -> (", *union, indent + "):"]


def _right_hand(indent: str, prefix: str, expression: str) -> list[str]:
    """`prefix expression` too long (prefix `NAME = `, `NAME: T = ` or `return `)."""
    if _fits(indent, prefix + expression):
        return [indent + prefix + expression]
    flags = _depth_zero(expression)
    top = "".join(char if flag else "_" for char, flag in zip(expression, flags, strict=True))
    if re.fullmatch(r"[\w.]+_*", top) and expression.endswith(")") and "await" not in expression:
        # A call (`callee(...)`): split inside its brackets, the optional parentheses omitted.
        opening = max(i for i, j in _brackets(expression).items() if j == len(expression) - 1)
        if not _IDENTIFIER_END.search(expression[:opening]):
            raise _Unsure
        if not _fits(indent, prefix + expression[: opening + 1]):
            return _long_target(indent, prefix, expression)
        return _split_at(indent, prefix, expression, opening, "")
    if re.fullmatch(r"[\w.]+_*\.\w+", top) and "await" not in expression:
        # `call(...).attribute`: split inside the call's brackets.
        closing = len(expression) - len(expression.rsplit(".", 1)[1]) - 2
        opening = max(i for i, j in _brackets(expression).items() if j == closing)
        if not _IDENTIFIER_END.search(expression[:opening]):
            raise _Unsure
        return _split_at(indent, prefix, expression, opening, "")
    if expression.startswith("(await ") and re.fullmatch(r"_+\.\w+(?: or __)?", top):
        # `(await call(...)).attribute`: split inside the parentheses.
        return _split_at(indent, prefix, expression, 0, "")
    if prefix == "return " and re.fullmatch(r"[\w.]+_*\.\w+ or _+", top):
        # `call(...).attribute or []`: in parentheses of its own, one operand a line if need be.
        inner = indent + "    "
        if _fits(inner, expression):
            return [indent + "return (", inner + expression, indent + ")"]
        left = expression[: -len(" or []")]
        return [indent + "return (", *_right_hand(inner, "", left), inner + "or []", indent + ")"]
    raise _Unsure


def _long_target(indent: str, prefix: str, expression: str) -> list[str]:
    """`NAME: T = call(...)` whose target and call's name do not fit on one line: the call in
    parentheses, or, when even `NAME: T = (` is too long, the annotation's subscript split."""
    if prefix != "return " and _fits(indent, prefix + "("):
        inner = _right_hand(indent + "    ", "", expression)
        return [indent + prefix + "(", *inner, indent + ")"]
    match = re.fullmatch(r"(\w+: \w+\[)([^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*)(\] = )", prefix)
    if match is None or not _fits(indent + "    ", match[2]):
        raise _Unsure
    return [
        indent + match[1],
        indent + "    " + match[2],
        *_right_hand(indent, match[3], expression),
    ]


def _split_at(indent: str, prefix: str, code: str, opening: int, suffix: str) -> list[str]:
    """`prefix code suffix` split inside the brackets of `code` opened at `opening`."""
    closing = _brackets(code)[opening]
    head, body, tail = prefix + code[: opening + 1], code[opening + 1 : closing], code[closing:]
    if not _fits(indent, head) or not _fits(indent, tail + suffix):
        raise _Unsure
    literal = not _IDENTIFIER_END.search(head[:-1])
    return [indent + head, *_inside(indent + "    ", body, literal), indent + tail + suffix]


def _inside(indent: str, body: str, literal: bool) -> list[str]:
    """The inside of split brackets: one line when it fits (a literal with commas never), else
    one item a line with a trailing comma."""
    items = _items(body)
    magic = body.rstrip().endswith(",")
    exploded = magic or (literal and len(items) > 1)
    if not exploded and _fits(indent, body.strip()):
        return [indent + body.strip()]
    if len(items) == 1 and not magic:
        raise _Unsure  # black splits a lone item too long for its line without adding a comma
    lines: list[str] = []
    for item in items:
        lines += _item(indent, item, ",")
    return lines


def _item(indent: str, item: str, suffix: str) -> list[str]:
    """One item of a split (`value`, `key=value`, `name: T = value`) and its comma."""
    if _fits(indent, item + suffix) or not any(char in _OPEN for char in item):
        return [indent + item + suffix]  # black leaves a line it cannot split as it is
    if not item.endswith(tuple(_CLOSE)):
        raise _Unsure
    opening = max(i for i, j in _brackets(item).items() if j == len(item) - 1)
    flags = _depth_zero(item)
    if any(char == " " and flags[i] for i, char in enumerate(item[:opening])):
        raise _Unsure
    return _split_at(indent, "", item, opening, suffix)
