"""Base64 text of a received message (a token, an entropy, a nonce, a cookie) as bytes."""

from __future__ import annotations

import base64
import binascii

from altinn2.testing.security.rejected import Rejected


def base64_bytes(text: str | None, what: str) -> bytes:
    """The bytes `text` encodes (whitespace ignored); anything else is `Rejected`, naming
    `what`."""
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise Rejected(f"the {what} is not base64") from None
