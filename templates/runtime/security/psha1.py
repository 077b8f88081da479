"""P_SHA1 (RFC 2246 section 5), the WS-Trust computed key and WS-SecureConversation derived keys."""

from __future__ import annotations

import hashlib
import hmac

# WS-SecureConversation's default label, used when a DerivedKeyToken has no <Label>.
DEFAULT_LABEL = b"WS-SecureConversationWS-SecureConversation"
SHA1_BYTES = 20


def p_sha1(secret: bytes, seed: bytes, length: int, offset: int = 0) -> bytes:
    """`length` bytes of P_SHA1(secret, seed), starting at byte `offset`.

    A(0) = seed, A(i) = HMAC-SHA1(secret, A(i-1)); the output stream is
    HMAC-SHA1(secret, A(1) + seed) || HMAC-SHA1(secret, A(2) + seed) || ...
    """
    if length < 0 or offset < 0:
        raise ValueError("P_SHA1 length and offset must not be negative")
    needed = offset + length
    output = bytearray()
    a = seed
    while len(output) < needed:
        a = hmac.digest(secret, a, hashlib.sha1)
        output += hmac.digest(secret, a + seed, hashlib.sha1)
    return bytes(output[offset:needed])


def computed_key(client_entropy: bytes, server_entropy: bytes, key_size_bits: int = 256) -> bytes:
    """WS-Trust's `CK/PSHA1` proof key: P_SHA1(client entropy, server entropy), key size bits."""
    if key_size_bits <= 0 or key_size_bits % 8:
        raise ValueError(f"key size {key_size_bits} is not a positive number of bytes")
    return p_sha1(client_entropy, server_entropy, key_size_bits // 8)


def derived_key(
    secret: bytes,
    nonce: bytes,
    length: int,
    *,
    offset: int | None = None,
    generation: int | None = None,
    label: bytes = DEFAULT_LABEL,
) -> bytes:
    """A DerivedKeyToken's key: P_SHA1(secret, label + nonce), `length` bytes from `offset`, or
    from `generation * length` when the token gives a Generation instead (never both)."""
    if offset is not None and generation is not None:
        raise ValueError("a derived key has an Offset or a Generation, not both")
    start = offset if offset is not None else (generation or 0) * length
    return p_sha1(secret, label + nonce, length, start)
