"""Secrets stay secret: in reprs, logs, recorded history and error messages.

`Secret` wraps a password, pin code or national identity number so that printing it, logging it or
putting it in an exception shows `***`. `Redactor` scrubs envelopes and text before anything is
logged, recorded or raised: the text of credential elements, the secret values the client knows,
and anything shaped like a Norwegian national identity number (11 digits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

MASK = "***"

# Local names (case-insensitive) of elements whose text is a secret, wherever they appear.
SECRET_ELEMENTS = (
    "password",
    "systempassword",
    "userpassword",
    "userpincode",
    "pincode",
    "userssn",
    "ssn",
    "socialsecuritynumber",
    "nonce",
    "binarysecret",  # WS-Trust entropy: with the other side's, it gives the context key
)

_ELEMENT_TEXT = re.compile(
    r"(<(?:[\w.-]+:)?(" + "|".join(SECRET_ELEMENTS) + r")\b[^>]*?(?<!/)>)([^<]*)(</)",
    re.IGNORECASE,
)
_SECRET_OPEN_TAG = re.compile(
    r"<(?:[\w.-]+:)?(?:" + "|".join(SECRET_ELEMENTS) + r")\b[^>]*?(?<!/)>", re.IGNORECASE
)
# Eleven digits, not part of a longer number or a decimal (`12345678901.50`); a full stop or a
# comma after them (end of a sentence, a list) or a hyphen before them (`ref-…`) does not make
# them any less an identity number.
_NATIONAL_ID = r"(?<!\d)(?<!\d[.,])\d{11}(?!\d)(?![.,]\d)"
# A UUID standing alone (message and context identifiers, `urn:uuid:…`) is matched first and
# kept whole: eleven digits in a row in its last group (`…-a03344893087`) are no identity number.
_UUID = r"(?<![0-9A-Za-z_])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![0-9A-Za-z_])"
_NATIONAL_ID_OR_UUID = re.compile(f"(?P<uuid>{_UUID})|{_NATIONAL_ID}")
_WORD = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
# How far past a cut `Redactor.bytes` looks for a secret that the cut would split.
_LOOKAHEAD = 1024


def _mask_national_id(match: re.Match[str]) -> str:
    return match.group() if match.group("uuid") else MASK


class Secret:
    """A string that never shows itself: `repr()`, `str()` and f-strings give `***`."""

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret) -> None:
        self._value = value.reveal() if isinstance(value, Secret) else str(value)

    def reveal(self) -> str:
        """The secret itself, for putting on the wire."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret is not pickled")


class SealedRequest:
    """A request's body and SOAP header objects, which carry credentials: the runtime passes
    them in this holder, whose repr hides them, so that a traceback that shows local variables
    (pytest `--showlocals`, error trackers) shows no password, pin code or identity number."""

    __slots__ = ("_body", "_headers")

    def __init__(self, body: object, headers: Sequence[object] = ()) -> None:
        self._body = body
        self._headers = tuple(headers)

    @property
    def body(self) -> Any:
        return self._body

    @property
    def headers(self) -> tuple[Any, ...]:
        return self._headers

    def __repr__(self) -> str:
        return f"SealedRequest({type(self._body).__name__}, {len(self._headers)} headers, {MASK})"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a SealedRequest is not pickled")


def secret(value: str | Secret | None) -> Secret | None:
    return None if value is None else Secret(value) if not isinstance(value, Secret) else value


class Redactor:
    """Scrubs secrets out of text: credential elements, known values, national identity numbers."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values = sorted({value for value in values if len(value) >= 4}, key=len, reverse=True)

    def with_values(self, values: Iterable[str]) -> Redactor:
        return Redactor([*self._values, *values])

    def text(self, text: str) -> str:
        text = _ELEMENT_TEXT.sub(lambda match: f"{match.group(1)}{MASK}{match.group(4)}", text)
        # Identity numbers first: a known value inside one (a pin code `12345` in `24127612345`)
        # must not leave the rest of the number standing.
        text = _NATIONAL_ID_OR_UUID.sub(_mask_national_id, text)
        for value in self._values:
            text = text.replace(value, MASK)
            escaped = _xml_escape(value)
            if escaped != value:
                text = text.replace(escaped, MASK)
        return text

    def bytes(self, data: bytes, limit: int | None = None) -> str:
        """`data` decoded and scrubbed; with `limit`, at most `limit` characters, cut where the
        cut splits no secret (one across the cut is left out whole, not shown in part)."""
        if limit is None:
            return self.text(data.decode("utf-8", "replace"))
        text = data[: 4 * (limit + _LOOKAHEAD)].decode("utf-8", "replace")
        cut = min(limit, len(text))
        while (start := self._secret_across(text, cut)) is not None:
            cut = start
        return self.text(text[:cut])

    def _secret_across(self, text: str, cut: int) -> int | None:
        """Where a secret starts that cutting `text` at `cut` would split; None if none does."""
        if cut >= len(text):
            return None
        tag_start = text.rfind("<", 0, cut)
        if tag_start >= 0:
            tag = _SECRET_OPEN_TAG.match(text, tag_start, cut)
            if tag is not None and tag.end() < cut:  # the cut is in a credential element's text
                return tag.end()
        if cut > 0 and text[cut - 1] in _WORD and text[cut] in _WORD:
            # A word or number across the cut: cut before it. Its part before the cut could
            # read differently alone (an identity number, or a token that becomes a UUID).
            start = cut - 1
            while start > 0 and text[start - 1] in _WORD:
                start -= 1
            return start
        for value in self._values:
            for form in {value, _xml_escape(value)}:
                found = text.find(form, max(0, cut - len(form) + 1), cut + len(form) - 1)
                if found != -1:
                    return found
        return None


def _xml_escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


DEFAULT_REDACTOR = Redactor()
