"""The codec modules' long statements laid out as black lays them out, before black sees them.

The template prints each statement of a codec module on one line; the statements too long for
that are of a few shapes, and this module splits them by black's rules for those shapes:

- a `def` signature (`generator.blackened`);
- `NAME = "a long string"`: in parentheses, when the string then fits;
- `TARGET = A if B else C`: the right-hand side in parentheses, on one line when it fits, else
  `A`, `if B` and `else C` a line each; a `C` that is itself `X if Y else Z` stays on the `else`
  line when it fits there, else goes in parentheses of its own, split the same way;
- `NAME = f(g("words" " more words"))`: nested calls of one argument, split at the outermost
  bracket while the inside does not fit; the strings on one line when they fit, else one a line.

A module whose every long line is one of these comes out as black writes it, so black's first
pass leaves it unchanged and it needs no second (`layout_module` says whether that is so); a
line of any other shape is left as it is, and the module goes to black. `generate` takes a
module of known shapes as it is (its imports sorted); `check` has black format it too and names
it if black would write it otherwise.
"""

from __future__ import annotations

from generator.blackened import blacken_lines
from generator.models.render import LINE_LENGTH
from generator.toplevel import UnknownShape as _Unsure, top_level as _top_level


def layout_module(source: str) -> tuple[str, bool]:
    """`source` with its long statement lines split as black splits them, and whether every
    long line was of a known shape (the result is then what black writes)."""
    lines: list[str] = []
    known = True
    in_string = False
    for line in source.split("\n"):
        quotes = line.count('"""')
        if in_string or quotes:
            lines.append(line)
            in_string ^= quotes % 2 == 1
            known = known and _fits(line)
            continue
        try:
            lines += _statement(line)
        except _Unsure:
            lines.append(line)
            known = False
    return "\n".join(lines), known


def _fits(line: str) -> bool:
    return len(line) <= LINE_LENGTH


def _statement(line: str) -> list[str]:
    if _fits(line):
        return [line]
    code = line.lstrip(" ")
    indent = line[: len(line) - len(code)]
    if code.startswith("def "):
        split = blacken_lines(line).split("\n")
        if len(split) == 1:
            raise _Unsure
        return split
    target, equals, expression = code.partition(" = ")
    if not equals or '"' in target.replace('["', "").replace('"]', ""):
        raise _Unsure
    prefix = f"{target} = "
    if _is_string(expression):
        if not _fits(f"{indent}    {expression}"):
            return [line]  # black leaves a line it cannot shorten as it is
        return [f"{indent}{prefix}(", f"{indent}    {expression}", f"{indent})"]
    if _ternary(expression) is not None:
        inner = f"{indent}    "
        return [f"{indent}{prefix}(", *_conditional(inner, expression), f"{indent})"]
    return _calls(indent, prefix, expression)


def _is_string(text: str) -> bool:
    return (
        len(text) >= 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1] and "\\" not in text
    )


def _ternary(code: str) -> tuple[str, str, str] | None:
    """`A if B else C` as (A, B, C); C may be a conditional expression itself."""
    if " lambda " in f" {code}" or code.startswith(("(", "not ")):
        return None
    condition = _top_level(code, " if ")
    if condition is None:
        return None
    otherwise = _top_level(code, " else ", condition)
    if otherwise is None:
        return None
    nested = _top_level(code, " if ", condition + 1)
    if nested is not None and nested < otherwise:
        raise _Unsure  # a conditional expression inside the condition
    return code[:condition], code[condition + 4 : otherwise], code[otherwise + 6 :]


def _conditional(indent: str, code: str) -> list[str]:
    """A conditional expression inside brackets, at `indent`."""
    if _fits(indent + code):
        return [indent + code]
    parts = _ternary(code)
    if parts is None:
        raise _Unsure
    value, condition, other = parts
    lines = [indent + value, f"{indent}if {condition}"]
    if not all(_fits(line) for line in lines) or " if " in value or " if " in condition:
        raise _Unsure
    if _fits(f"{indent}else {other}"):
        return [*lines, f"{indent}else {other}"]
    if _ternary(other) is None:
        raise _Unsure  # black would split inside `other`'s own brackets
    return [*lines, f"{indent}else (", *_conditional(indent + "    ", other), f"{indent})"]


def _calls(indent: str, prefix: str, expression: str) -> list[str]:
    """`f(g("a" " b"))`: calls of one argument down to a run of strings, split at the outermost
    bracket while the inside does not fit."""
    if _fits(indent + prefix + expression):
        return [indent + prefix + expression]
    strings = _strings(expression)
    if strings is not None:
        if prefix:
            raise _Unsure
        return [indent + string for string in strings]
    opening = expression.find("(")
    callee = expression[:opening]
    if opening <= 0 or not expression.endswith(")") or not callee.replace(".", "").isidentifier():
        raise _Unsure
    inside = expression[opening + 1 : -1]
    if "," in inside.replace('", "', "") and _strings(inside) is None:
        raise _Unsure  # more than one argument
    head = f"{indent}{prefix}{callee}("
    if not _fits(head):
        raise _Unsure
    return [head, *_calls(indent + "    ", "", inside), f"{indent})"]


def _strings(code: str) -> list[str] | None:
    """The strings of an implicit concatenation `"a" " b"` (None: not one)."""
    pieces = code.split('" "')
    if len(pieces) == 1:
        return [code] if _is_string(code) else None
    strings = [pieces[0] + '"', *(f'"{piece}"' for piece in pieces[1:-1]), '"' + pieces[-1]]
    return strings if all(_is_string(string) for string in strings) else None


__all__ = ["layout_module"]
