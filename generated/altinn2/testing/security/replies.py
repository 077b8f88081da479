"""What the security service answers, as a WCF service writes it (SOAP 1.2, WS-Addressing).

- the RSTR/SCT: TokenType, the token (EC2: with `dnse:Cookie`), its attached and unattached
  references, `CK/PSHA1` as proof, the server's entropy, Lifetime and KeySize, in WCF's order;
- the RSTR/SCT/Renew: the same, the token under a new `c:Instance` (EC);
- the RSTR/SCT/Cancel: `RequestedTokenCancelled`;
- every answer's `wsse:Security`: a Timestamp (and, on request, a WSS 1.1 SignatureConfirmation;
  a WCF transport binding sends none);
- faults, unsecured, with `a:Action` .../soap/fault: `BadContextToken` (WS-SC),
  `InvalidSecurity` (WSS), `SecureConversationCancellationNotAllowed` (EC2's Cancel).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence

from lxml import etree

from altinn2.runtime.envelope import build_envelope
from altinn2.runtime.operation import SoapVersion
from altinn2.runtime.security.names import (
    ACTION_CANCELLED,
    ACTION_ISSUED,
    DNSE,
    NONCE,
    PSHA1,
    SCT_TYPE,
    WSA,
    WSC,
    WSSE,
    WSSE11,
    WST,
    WSU,
)
from altinn2.runtime.security.signing import token_reference
from altinn2.runtime.security.trust import security_element
from altinn2.runtime.wsheaders import timestamp, wsu_time
from altinn2.testing.faults import (
    CONTENT_TYPES,
    INVALID_SECURITY,
    Reply,
    addressing_reply_headers,
    soap_fault,
)
from altinn2.testing.security.issued import IssuedContext
from altinn2.testing.security.renewal import ACTION_RENEWED

SOAP = SoapVersion.SOAP12
SOAP_FAULT_ACTION = f"{WSA}/soap/fault"
BAD_CONTEXT_TOKEN = (
    "The message could not be processed. This is most likely because the action '{action}' is "
    "incorrect or because the message contains an invalid or expired security context token or "
    "because there is a mismatch between bindings. The security context token would be invalid "
    "if the service aborted the channel due to inactivity. To prevent the service from aborting "
    "idle sessions prematurely increase the Receive timeout on the service endpoint's binding."
)
# WCF's session channel faults a message under an expired session key with this Action.
SECURE_CONVERSATION_FAULT_ACTION = (
    "http://schemas.microsoft.com/ws/2006/05/security/SecureConversationFault"
)
RENEW_NEEDED = "The security session key has expired; renew it and send the message again."
CANCELLATION_NOT_ALLOWED = (
    "The message could not be processed because the binding does not allow security context "
    "cancellation."
)


def security_header(now: dt.datetime, confirmations: Sequence[str] = ()) -> etree._Element:
    """An answer's `wsse:Security`: Timestamp `_0`, then any SignatureConfirmation."""
    security = security_element()
    security.append(timestamp(now))
    for number, value in enumerate(confirmations, start=1):
        confirmation = etree.SubElement(
            security, f"{{{WSSE11}}}SignatureConfirmation", nsmap={"k": WSSE11}
        )
        confirmation.set(f"{{{WSU}}}Id", f"_{number}")
        confirmation.set("Value", value)
    return security


def token_response(context: IssuedContext, server_entropy: bytes, key_size: int) -> etree._Element:
    """The RSTR's body: `t:RequestSecurityTokenResponse` in WCF's order."""
    rstr = etree.Element(
        f"{{{WST}}}RequestSecurityTokenResponse", nsmap={"t": WST, "u": WSU, "c": WSC}
    )
    etree.SubElement(rstr, f"{{{WST}}}TokenType").text = SCT_TYPE
    requested = etree.SubElement(rstr, f"{{{WST}}}RequestedSecurityToken")
    token = etree.SubElement(requested, f"{{{WSC}}}SecurityContextToken")
    token.set(f"{{{WSU}}}Id", context.token_id)
    etree.SubElement(token, f"{{{WSC}}}Identifier").text = context.identifier
    if context.instance is not None:  # a renewed key's generation
        etree.SubElement(token, f"{{{WSC}}}Instance").text = context.instance
    if context.cookie is not None:
        cookie = etree.SubElement(token, f"{{{DNSE}}}Cookie", nsmap={"dnse": DNSE})
        cookie.text = context.cookie
    attached = etree.SubElement(rstr, f"{{{WST}}}RequestedAttachedReference")
    attached.append(token_reference(f"#{context.token_id}", SCT_TYPE))
    unattached = etree.SubElement(rstr, f"{{{WST}}}RequestedUnattachedReference")
    reference = token_reference(context.identifier, SCT_TYPE)
    if context.instance is not None:
        reference[0].set(f"{{{WSC}}}Instance", context.instance)
    unattached.append(reference)
    proof = etree.SubElement(rstr, f"{{{WST}}}RequestedProofToken")
    etree.SubElement(proof, f"{{{WST}}}ComputedKey").text = PSHA1
    secret = etree.SubElement(etree.SubElement(rstr, f"{{{WST}}}Entropy"), f"{{{WST}}}BinarySecret")
    secret.set(f"{{{WSU}}}Id", f"uuid-{context.token_id.removeprefix('uuid-')}-entropy")
    secret.set("Type", NONCE)
    secret.text = base64.b64encode(server_entropy).decode("ascii")
    lifetime = etree.SubElement(rstr, f"{{{WST}}}Lifetime")
    etree.SubElement(lifetime, f"{{{WSU}}}Created").text = wsu_time(context.created)
    etree.SubElement(lifetime, f"{{{WSU}}}Expires").text = wsu_time(context.expires)
    etree.SubElement(rstr, f"{{{WST}}}KeySize").text = str(key_size)
    return rstr


def secured_reply(
    action: str,
    relates_to: str | None,
    body: etree._Element,
    now: dt.datetime,
    confirmations: Sequence[str] = (),
    *,
    outcome: str = "ok",
) -> Reply:
    headers = addressing_reply_headers(SOAP, action, relates_to)
    headers.append(security_header(now, confirmations))
    return Reply(200, build_envelope(SOAP, headers, [body]), CONTENT_TYPES[SOAP], outcome=outcome)


def issued(
    context: IssuedContext,
    server_entropy: bytes,
    key_size: int,
    relates_to: str | None,
    now: dt.datetime,
) -> Reply:
    """The RSTR/SCT answering an RST."""
    body = token_response(context, server_entropy, key_size)
    return secured_reply(ACTION_ISSUED, relates_to, body, now)


def renewed(
    context: IssuedContext,
    server_entropy: bytes,
    key_size: int,
    relates_to: str | None,
    now: dt.datetime,
) -> Reply:
    """The RSTR/SCT/Renew answering EC's RST/SCT/Renew: the renewed token, its new key's
    entropy and lifetime."""
    body = token_response(context, server_entropy, key_size)
    return secured_reply(ACTION_RENEWED, relates_to, body, now)


def cancelled(relates_to: str | None, now: dt.datetime, confirmations: Sequence[str]) -> Reply:
    """The RSTR/SCT/Cancel confirming a Cancel."""
    body = etree.Element(f"{{{WST}}}RequestSecurityTokenResponse", nsmap={"t": WST})
    etree.SubElement(body, f"{{{WST}}}RequestedTokenCancelled")
    return secured_reply(ACTION_CANCELLED, relates_to, body, now, confirmations)


def security_fault(
    subcode: tuple[str, str, str], reason: str, action: str = SOAP_FAULT_ACTION
) -> Reply:
    """A security fault as WCF sends it: `Sender` with `subcode` (prefix, namespace, name),
    unsecured, `a:Action` .../soap/fault (or `action`), HTTP 500."""
    headers = addressing_reply_headers(SOAP, action, None)
    body = soap_fault(SOAP, "Sender", reason, subcode=subcode, headers=headers)
    return Reply(500, body, CONTENT_TYPES[SOAP], outcome=f"{subcode[0]}:{subcode[2]}")


def bad_context_token(action: str) -> Reply:
    return security_fault(("c", WSC, "BadContextToken"), BAD_CONTEXT_TOKEN.format(action=action))


def renew_needed() -> Reply:
    return security_fault(
        ("c", WSC, "RenewNeeded"), RENEW_NEEDED, action=SECURE_CONVERSATION_FAULT_ACTION
    )


def invalid_security() -> Reply:
    return security_fault(("o", WSSE, "InvalidSecurity"), INVALID_SECURITY)


def cancellation_not_allowed() -> Reply:
    return security_fault(
        ("dnse", DNSE, "SecureConversationCancellationNotAllowed"), CANCELLATION_NOT_ALLOWED
    )
