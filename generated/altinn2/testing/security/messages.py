"""A message under a security context (an EC/EC2 call, EC's Cancel): its security header holds a
Timestamp, the context token (EC2: with its cookie), on EC a DerivedKeyToken, and an HMAC-SHA1
endorsing signature over the Timestamp whose key is the derived key (EC) or the context's own
(EC2). The policy decides: `derived_keys` (EC's RequireDerivedKeys) refuses a signature made
with the context key itself; a derived key shorter than 192 bits is refused (Basic256).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from altinn2.runtime.security import signing
from altinn2.runtime.security.names import DS, WSC, WSSE, WSU
from altinn2.runtime.security.psha1 import DEFAULT_LABEL, derived_key
from altinn2.testing.security import signatures
from altinn2.testing.security.contexts import ContextStore
from altinn2.testing.security.encoding import base64_bytes
from altinn2.testing.security.issued import IssuedContext
from altinn2.testing.security.rejected import Rejected
from altinn2.testing.security.timestamps import timestamp_problem

MIN_DERIVED_KEY_BYTES = 24  # Basic256's signature key length
DEFAULT_DERIVED_KEY_BYTES = 32  # a DerivedKeyToken without Length


@dataclass(frozen=True)
class Verified:
    """A message whose security holds: its context and its signature's value (which a
    SignatureConfirmation would echo)."""

    context: IssuedContext
    signature_value: str


def _number(token: etree._Element, name: str) -> int | None:
    text = token.findtext(f"{{{WSC}}}{name}")
    if text is None:
        return None
    if not text.strip().isdigit():
        raise Rejected(f"the DerivedKeyToken's {name} is not a number")
    return int(text.strip())


def _refers_to(reference: etree._Element | None, context: IssuedContext) -> bool:
    """Does a SecurityTokenReference name the context token (by local id or Identifier)?"""
    target = reference.find(f"{{{WSSE}}}Reference") if reference is not None else None
    uri = target.get("URI") if target is not None else None
    return uri in (f"#{context.token_id}", context.identifier)


def _derived(token: etree._Element, context: IssuedContext) -> bytes:
    """The key of a `c:DerivedKeyToken` derived from the context's key."""
    if not _refers_to(token.find(f"{{{WSSE}}}SecurityTokenReference"), context):
        raise Rejected("the DerivedKeyToken is not derived from the message's context token")
    offset, generation = _number(token, "Offset"), _number(token, "Generation")
    if offset is not None and generation is not None:
        raise Rejected("the DerivedKeyToken has both an Offset and a Generation")
    length = _number(token, "Length") or DEFAULT_DERIVED_KEY_BYTES
    if length < MIN_DERIVED_KEY_BYTES:
        raise Rejected(f"a derived signing key of {length * 8} bits is too short")
    nonce = base64_bytes(token.findtext(f"{{{WSC}}}Nonce"), "DerivedKeyToken's Nonce")
    if not nonce:
        raise Rejected("the DerivedKeyToken has no Nonce")
    label = token.findtext(f"{{{WSC}}}Label")
    return derived_key(
        context.key,
        nonce,
        length,
        offset=offset,
        generation=generation,
        label=label.encode("utf-8") if label is not None else DEFAULT_LABEL,
    )


def _signing_key(
    security: etree._Element, signature: etree._Element, context: IssuedContext
) -> tuple[bytes, bool]:
    """The HMAC key the signature's KeyInfo names, and whether it was derived."""
    reference = signature.find(f"{{{DS}}}KeyInfo/{{{WSSE}}}SecurityTokenReference")
    if _refers_to(reference, context):
        return context.key, False
    target = reference.find(f"{{{WSSE}}}Reference") if reference is not None else None
    uri = (target.get("URI") or "") if target is not None else ""
    for token in security.findall(f"{{{WSC}}}DerivedKeyToken"):
        if uri == f"#{token.get(f'{{{WSU}}}Id')}":
            return _derived(token, context), True
    raise Rejected(
        f"the signature's key ({uri!r}) is neither the context token nor derived from it"
    )


def verify_message(
    security: etree._Element,
    store: ContextStore,
    endpoint: str,
    now: dt.datetime,
    *,
    cookie: bool,
    derived_keys: bool,
    renewing: bool = False,
) -> Verified:
    """The message's context, once its Timestamp, token and signature hold; else `Rejected`
    (`bad_context` when the token is one the service does not know now). `renewing`: the
    message is a Renew, which an EC context's expired current key may still endorse."""
    stamp = security.find(f"{{{WSU}}}Timestamp")
    problem = timestamp_problem(stamp, now, need_id=True)
    if problem:
        raise Rejected(problem)
    token = security.find(f"{{{WSC}}}SecurityContextToken")
    if token is None:
        raise Rejected("no security context token in the Security header")
    context = store.resolve(token, endpoint, now, cookie=cookie, renewing=renewing)
    signature = signatures.find(security, signatures.HMAC_SHA1)
    if signature is None:
        raise Rejected("no HMAC-SHA1 endorsing signature under the security context")
    key, derived = _signing_key(security, signature, context)
    if derived_keys and not derived:
        raise Rejected(
            "the policy requires derived keys; the message is signed with the context key"
        )
    covered = signatures.verify(signature, signing.hmac_key(key), signatures.HMAC_SHA1)
    if stamp not in covered:
        raise Rejected("the endorsing signature does not cover the Timestamp")
    if not cookie:
        store.use(context, now)
    return Verified(context, signatures.signature_value(signature))
