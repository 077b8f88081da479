"""Where a one-line statement is outside every bracket and string: what the layout of long lines
(`generator.blackened`, `generator.codecs.layout`) looks for before it splits a line."""

from __future__ import annotations

OPEN = {"(": ")", "[": "]", "{": "}"}
CLOSE = frozenset(OPEN.values())


class UnknownShape(Exception):
    """A line whose shape the layout does not know: it is left as it is, for black."""


def depth_zero(code: str) -> list[bool]:
    """For each character: outside every bracket and (double-quoted) string; a bracket and a
    quote themselves are not. Unbalanced brackets or an open string: `UnknownShape`."""
    flags: list[bool] = []
    depth = 0
    in_string = False
    for char in code:
        if char == '"':
            in_string = not in_string
            flags.append(False)
            continue
        if not in_string:
            if char in OPEN:
                depth += 1
                flags.append(False)
                continue
            if char in CLOSE:
                depth -= 1
                if depth < 0:
                    raise UnknownShape
                flags.append(False)
                continue
        flags.append(depth == 0 and not in_string)
    if depth or in_string:
        raise UnknownShape
    return flags


def top_level(code: str, text: str, start: int = 0) -> int | None:
    """The index of the first `text` outside brackets and strings from `start`, or None."""
    flags = depth_zero(code)
    found = code.find(text, start)
    while found >= 0:
        if all(flags[found : found + len(text)]):
            return found
        found = code.find(text, found + 1)
    return None
