"""EC's RST/Cancel: ending a security context when the client is done (never on EC2, whose
policy says `MustNotSendCancel` and whose service refuses it).

Secured like any call under the context; the body names the token by its Identifier (the RSTR's
unattached reference). The answer is an RSTR holding `RequestedTokenCancelled`.
"""

from __future__ import annotations

from lxml import etree

from altinn2.runtime.envelope import fault_error, parse_xml, read_envelope
from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.security import signing
from altinn2.runtime.security.message import SecuredMessage, secured_envelope
from altinn2.runtime.security.names import ACTION_CANCEL, CANCEL, SCT_TYPE, WST
from altinn2.runtime.security.trust import SecurityContext
from altinn2.runtime.wsheaders import Clock, utc_now


def cancel_body(context: SecurityContext) -> etree._Element:
    rst = etree.Element(f"{{{WST}}}RequestSecurityToken", nsmap={"t": WST})
    etree.SubElement(rst, f"{{{WST}}}RequestType").text = CANCEL
    target = etree.SubElement(rst, f"{{{WST}}}CancelTarget")
    target.append(signing.token_reference(context.identifier, SCT_TYPE))
    return rst


def cancel_request(
    context: SecurityContext,
    *,
    derived_keys: bool = True,
    clock: Clock = utc_now,
    sign_all: bool = False,
) -> SecuredMessage:
    """The RST/Cancel for `context`, posted to the endpoint that issued it (`sign_all`: for a
    service that wants the body and addressing headers signed too, as CXF does)."""
    return secured_envelope(
        context,
        ACTION_CANCEL,
        context.endpoint,
        [cancel_body(context)],
        derived_keys=derived_keys,
        clock=clock,
        sign_all=sign_all,
    )


def read_cancel_response(data: bytes) -> None:
    """Returns when the service confirms the cancellation; raises its fault or a ProtocolError."""
    envelope = read_envelope(parse_xml(data), data)
    if envelope.fault:
        raise fault_error(envelope, "RST/SCT/Cancel")
    body = envelope.body
    if body is None or body.find(f".//{{{WST}}}RequestedTokenCancelled") is None:
        raise ProtocolError("the answer to RST/Cancel does not say RequestedTokenCancelled")
