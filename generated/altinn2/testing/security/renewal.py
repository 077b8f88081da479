"""EC's RST/SCT/Renew: a new key for a live security context, as WCF's session-mode service
(SecuritySessionSecurityTokenAuthenticator) renews one.

WCF's client sends it through the bootstrap's security (the enterprise certificate's RSA-SHA1
signature over the Timestamp and `To`) with the context token as a second, endorsing token (its
HMAC-SHA1 signature over the Timestamp, by a derived key on EC). The body is an RST with
RequestType Renew, a `RenewTarget` naming the context by its Identifier (`c:Instance` attribute
once renewed), fresh entropy and the key size. The service requires the target to be the
context that endorses the message, under its current key, and the certificate to be the one it
was issued to; it answers an RSTR/SCT/Renew whose token keeps the Identifier under a new
`c:Instance` and key (which becomes current once a message uses it: `contexts`).
EC2 (cookie mode) renews nothing: its client issues a new context instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from lxml import etree

from altinn2.runtime.security.names import WSC, WSSE, WST
from altinn2.testing.security.bootstrap import TokenRequest, read_token_request
from altinn2.testing.security.issued import IssuedContext, thumbprint
from altinn2.testing.security.rejected import Rejected

RENEW = f"{WST}/Renew"
ACTION_RENEW = f"{WST}/RST/SCT/Renew"
ACTION_RENEWED = f"{WST}/RSTR/SCT/Renew"
INSTANCE = f"{{{WSC}}}Instance"  # a reference's key generation (attribute), a token's (element)


@dataclass(frozen=True)
class Renewal:
    """A renew request that holds: the context it renews and what the new key needs."""

    context: IssuedContext
    request: TokenRequest


def read_renewal(
    body: etree._Element | None, certificate: x509.Certificate, endorsing: IssuedContext
) -> Renewal:
    """The renewal the RST asks, once its target is `endorsing` (the context whose key signed
    the message) and `certificate` (whose key signed it too) is the context's holder."""
    request = read_token_request(body, certificate, request_type=RENEW)
    assert body is not None  # read_token_request refuses a missing body
    reference = body.find(
        f"{{{WST}}}RenewTarget/{{{WSSE}}}SecurityTokenReference/{{{WSSE}}}Reference"
    )
    if reference is None:
        raise Rejected("the Renew has no RenewTarget reference")
    uri = reference.get("URI")
    named = uri == endorsing.identifier and reference.get(INSTANCE) == endorsing.instance
    if not named and uri != f"#{endorsing.token_id}":
        raise Rejected("the Renew targets another context than the one that endorses it")
    if thumbprint(certificate) != endorsing.holder:
        raise Rejected("the context is renewed by another certificate than its holder's")
    return Renewal(endorsing, request)
