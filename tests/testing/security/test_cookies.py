"""EC2's cookie: the context sealed under the mock's key; changed bytes are refused as invalid
security, a cookie of a forgotten key as an unknown context."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import replace

import pytest

from altinn2.testing.security.cookies import CookieSealer
from altinn2.testing.security.issued import IssuedContext
from altinn2.testing.security.rejected import Rejected

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
CONTENT = IssuedContext(
    "urn:uuid:1", "uuid-2-1", "/a/b.svc", NOW, NOW + dt.timedelta(hours=10), b"k" * 32
)


def test_a_sealed_cookie_opens_to_its_content_and_hides_the_key() -> None:
    sealer = CookieSealer()
    sealed = sealer.seal(CONTENT)
    assert sealer.open(sealed) == replace(CONTENT, cookie=sealed)  # the context, its cookie too
    assert base64.b64encode(CONTENT.key).decode() not in sealed
    assert "kkkk" not in repr(CONTENT) and "kkkk" not in sealed


@pytest.mark.parametrize("position", [0, 5, 20, -1])
def test_a_changed_byte_is_refused(position: int) -> None:
    sealer = CookieSealer()
    raw = bytearray(base64.b64decode(sealer.seal(CONTENT)))
    raw[position] ^= 0x01
    with pytest.raises(Rejected) as caught:
        sealer.open(base64.b64encode(bytes(raw)).decode())
    # The first bytes name the key: changed, they name one the mock does not have.
    assert caught.value.bad_context is (position == 0)


def test_after_forget_an_old_cookie_is_an_unknown_context() -> None:
    sealer = CookieSealer()
    sealed = sealer.seal(CONTENT)
    sealer.forget()
    with pytest.raises(Rejected) as caught:
        sealer.open(sealed)
    assert caught.value.bad_context
    again = sealer.seal(CONTENT)
    assert sealer.open(again) == replace(CONTENT, cookie=again)


def test_text_that_is_not_base64_is_refused() -> None:
    with pytest.raises(Rejected) as caught:
        CookieSealer().open("not base64!")
    assert not caught.value.bad_context
