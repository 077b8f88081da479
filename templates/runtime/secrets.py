"""Secrets stay secret: in reprs, logs, recorded history and error messages.

`Secret` wraps a password, pin code or national identity number so that printing it, logging it or
putting it in an exception shows `***`. `Redactor` scrubs envelopes and text before anything is
logged, recorded or raised: the text of credential elements, the secret values the client knows,
and anything shaped like a Norwegian national identity number (11 digits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
)

_ELEMENT_TEXT = re.compile(
    r"(<(?:[\w.-]+:)?(" + "|".join(SECRET_ELEMENTS) + r")\b[^>]*?(?<!/)>)([^<]*)(</)",
    re.IGNORECASE,
)
_NATIONAL_ID = re.compile(r"(?<![\d.,-])\d{11}(?![\d.,])")


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
        for value in self._values:
            text = text.replace(value, MASK)
            escaped = _xml_escape(value)
            if escaped != value:
                text = text.replace(escaped, MASK)
        return _NATIONAL_ID.sub(MASK, text)

    def bytes(self, data: bytes, limit: int | None = None) -> str:
        text = (
            data[:limit].decode("utf-8", "replace")
            if limit is not None
            else data.decode("utf-8", "replace")
        )
        return self.text(text)


def _xml_escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


DEFAULT_REDACTOR = Redactor()
