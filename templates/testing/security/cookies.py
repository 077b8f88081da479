"""EC2's cookie: the whole security context (identifier, the token's local id, endpoint, key,
lifetime), sealed by AES-GCM under a key of the mock, so that the service keeps no state, as
WCF's cookie mode does (WCF seals it with DPAPI).

A cookie sealed under a key the mock no longer has (`forget`: the farm's key changed) names a
context the service does not know: `BadContextToken`. One that does not open under a key it has
was changed on the way: `InvalidSecurity`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from altinn2.testing.security.encoding import base64_bytes
from altinn2.testing.security.issued import IssuedContext
from altinn2.testing.security.rejected import Rejected

KEY_ID_BYTES = 4
NONCE_BYTES = 12


def _encode(content: IssuedContext) -> bytes:
    """The context, but its cookie (what the cookie is made of)."""
    return json.dumps(
        {
            "identifier": content.identifier,
            "token_id": content.token_id,
            "endpoint": content.endpoint,
            "created": content.created.isoformat(),
            "expires": content.expires.isoformat(),
            "key": base64.b64encode(content.key).decode("ascii"),
            "instance": content.instance,
            "holder": content.holder,
        },
        sort_keys=True,
    ).encode("utf-8")


def _decode(data: bytes, cookie: str) -> IssuedContext:
    fields = json.loads(data)
    return IssuedContext(
        identifier=fields["identifier"],
        token_id=fields["token_id"],
        endpoint=fields["endpoint"],
        created=dt.datetime.fromisoformat(fields["created"]),
        expires=dt.datetime.fromisoformat(fields["expires"]),
        key=base64.b64decode(fields["key"]),
        cookie=cookie,
        instance=fields["instance"],
        holder=fields["holder"],
    )


class CookieSealer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[bytes, AESGCM] = {}
        self._current = b""
        self.forget()

    def __repr__(self) -> str:
        return "CookieSealer()"

    def forget(self) -> None:
        """A new key; cookies sealed before no longer open (their contexts are unknown)."""
        with self._lock:
            self._current = os.urandom(KEY_ID_BYTES)
            self._keys = {self._current: AESGCM(AESGCM.generate_key(bit_length=256))}

    def seal(self, content: IssuedContext) -> str:
        with self._lock:
            key_id, cipher = self._current, self._keys[self._current]
        nonce = os.urandom(NONCE_BYTES)
        sealed = cipher.encrypt(nonce, _encode(content), key_id)
        return base64.b64encode(key_id + nonce + sealed).decode("ascii")

    def open(self, text: str) -> IssuedContext:
        """The context `text` seals, its cookie `text` itself."""
        data = base64_bytes(text, "token's cookie")
        key_id = data[:KEY_ID_BYTES]
        nonce = data[KEY_ID_BYTES : KEY_ID_BYTES + NONCE_BYTES]
        with self._lock:
            cipher = self._keys.get(key_id)
        if cipher is None:
            raise Rejected("the token's cookie was sealed by a key of the past", bad_context=True)
        try:
            return _decode(cipher.decrypt(nonce, data[KEY_ID_BYTES + NONCE_BYTES :], key_id), text)
        except (InvalidTag, ValueError, KeyError):
            raise Rejected("the token's cookie is not one the service issued") from None
