"""The security header of every call made under a security context (EC and EC2).

`wsse:Security` (mustUnderstand) holds, in Strict layout order: a Timestamp (`_0`), the security
context token (EC2: exactly as issued, cookie included), on EC a DerivedKeyToken (offset 0,
24 bytes, a fresh 16-byte nonce, default label), then an HMAC-SHA1 endorsing signature over the
Timestamp alone, KeyInfo a reference to the derived key (EC) or to the token (EC2). WS-Addressing
headers as usual; `To` is not signed (WCF signs it only under an asymmetric key).

A response must carry a fresh Timestamp. SignatureConfirmation is checked when present and not
required: for a transport binding WCF never sends it, whatever the binding's configuration says
(Altinn's recorded EC responses hold only a Timestamp).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from altinn2.runtime.envelope import Envelope, build_envelope
from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.security import signing
from altinn2.runtime.security.names import DK_TYPE, SCT_TYPE, WSA, WSC, WSSE, WSSE11, WSU
from altinn2.runtime.security.psha1 import derived_key
from altinn2.runtime.security.trust import (
    SOAP,
    SecurityContext,
    find_header,
    local_id,
    security_element as new_security_element,
)
from altinn2.runtime.wsheaders import (
    TIMESTAMP_LIFETIME,
    Clock,
    addressing_headers,
    message_id,
    timestamp,
    utc_now,
)

SIGNATURE_KEY_BYTES = 24  # Basic256's signature key length for derived keys (192 bits)
NONCE_BYTES = 16
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class SecuredMessage:
    envelope: bytes
    message_id: str
    signature_value: str  # for SignatureConfirmation, when a service sends one


def token_reference(context: SecurityContext) -> etree._Element:
    """A reference to the context token: by its local id when it has one, else its Identifier."""
    if context.token_id:
        return signing.token_reference(f"#{context.token_id}", SCT_TYPE)
    return signing.token_reference(context.identifier, SCT_TYPE)


def derived_key_token(
    context: SecurityContext, nonce: bytes, length: int = SIGNATURE_KEY_BYTES
) -> etree._Element:
    """`c:DerivedKeyToken` from the context token: Offset 0, Length, Nonce; the default label."""
    token = etree.Element(f"{{{WSC}}}DerivedKeyToken", nsmap={"c": WSC, "u": WSU})
    token.set(f"{{{WSU}}}Id", local_id())
    token.append(token_reference(context))
    etree.SubElement(token, f"{{{WSC}}}Offset").text = "0"
    etree.SubElement(token, f"{{{WSC}}}Length").text = str(length)
    etree.SubElement(token, f"{{{WSC}}}Nonce").text = base64.b64encode(nonce).decode("ascii")
    return token


def secured_envelope(
    context: SecurityContext,
    action: str,
    to: str,
    body: Sequence[etree._Element],
    *,
    derived_keys: bool,
    headers: Sequence[etree._Element] = (),
    clock: Clock = utc_now,
    lifetime: dt.timedelta = TIMESTAMP_LIFETIME,
    nonce: bytes | None = None,
    sign_all: bool = False,
) -> SecuredMessage:
    """A SOAP 1.2 envelope for `action` at `to`, secured under `context` (`derived_keys`: EC).
    `headers`: the operation's own SOAP header blocks, after the addressing headers.
    The signature covers the Timestamp; with `sign_all` also the addressing headers and the Body
    (not WCF's way: CXF's own policy for an RST/Cancel asks it)."""
    message = message_id()
    security = new_security_element()
    security.append(timestamp(clock(), lifetime))
    security.append(context.token_element())
    if derived_keys:
        nonce = nonce if nonce is not None else os.urandom(NONCE_BYTES)
        dk = derived_key_token(context, nonce)
        security.append(dk)
        key = derived_key(context.key, nonce, SIGNATURE_KEY_BYTES, offset=0)
        key_info = signing.token_reference(f"#{dk.get(f'{{{WSU}}}Id')}", DK_TYPE)
    else:
        key, key_info = context.key, token_reference(context)
    addressing = addressing_headers(SOAP, action, to, message=message)
    root = etree.fromstring(build_envelope(SOAP, [*addressing, *headers, security], body))
    security = find_header(root, f"{{{WSSE}}}Security")
    signed = [security[0]]
    if sign_all:
        parts = [h for h in root[0] if etree.QName(h).namespace == WSA] + [root[-1]]
        for number, part in enumerate(parts, start=1):
            part.set(f"{{{WSU}}}Id", f"_{number}")
            signed.append(part)
    signature = signing.sign(security, signed, signing.hmac_key(key), signing.HMAC_SHA1, key_info)
    return SecuredMessage(
        etree.tostring(root, encoding="utf-8"), message, signing.signature_value(signature)
    )


def _time(text: str | None) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise ProtocolError(f"response Timestamp: {text!r} is not a time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def check_response(
    envelope: Envelope,
    sent: SecuredMessage,
    *,
    clock: Clock = utc_now,
    skew: dt.timedelta = CLOCK_SKEW,
) -> None:
    """A response's `wsse:Security`: a Timestamp neither expired nor from the future (within the
    clock skew); any SignatureConfirmation confirms the signature that was sent."""
    security = next((h for h in envelope.headers if h.tag == f"{{{WSSE}}}Security"), None)
    if security is None:
        raise ProtocolError("response without a wsse:Security header")
    stamp = security.find(f"{{{WSU}}}Timestamp")
    if stamp is None:
        raise ProtocolError("response security header without a Timestamp")
    now = clock()
    created = _time(stamp.findtext(f"{{{WSU}}}Created"))
    if created > now + skew:
        raise ProtocolError("response Timestamp was created in the future")
    expires = stamp.findtext(f"{{{WSU}}}Expires")
    if expires is not None and _time(expires) < now - skew:
        raise ProtocolError("response Timestamp has expired")
    for confirmation in security.iter(f"{{{WSSE11}}}SignatureConfirmation"):
        value = "".join((confirmation.get("Value") or "").split())
        if value and value != sent.signature_value:
            raise ProtocolError("response SignatureConfirmation does not confirm our signature")
