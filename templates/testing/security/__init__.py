"""The mock's WS-SecureConversation service for the EC and EC2 endpoints: it issues security
context tokens to enterprise certificates and checks every message signed under one, as
Altinn's WCF services do. One module per job:

- `timestamps`: WCF's checks of a `wsu:Timestamp`;
- `trust_anchors`: the CAs whose enterprise certificates the mock accepts (issuer, signature and
  validity period of a certificate);
- `signatures`: verifying a `ds:Signature` of a security header (xmlsec) and what it covers;
- `issued`: `IssuedContext`, one context the mock issued;
- `encoding`: base64 text of a message as bytes (else `Rejected`);
- `cookies`: EC2's cookie, the whole context sealed (AES-GCM) under a key of the mock;
- `contexts`: the issued contexts (EC: kept in memory; EC2: carried by the cookie), expiry,
  cancellation, forgetting them all;
- `bootstrap`: the RST/SCT: its certificate, RSA-SHA1 signature and entropy;
- `renewal`: EC's RST/SCT/Renew: its target, holder and entropy;
- `messages`: a message under a context: Timestamp, token, derived key, HMAC-SHA1 signature;
- `replies`: the RSTR, the Cancel's RSTR, a response's security header, the WS-SC faults;
- `service`: `ConversationService`, what `MockAltinn` calls for an EC or EC2 endpoint.

Signatures are verified by xmlsec (exclusive c14n included), keys derived by the runtime's
`psha1`; nothing here canonicalizes by hand.
"""

from altinn2.testing.security.service import ConversationService, Rejected, Verified
from altinn2.testing.security.trust_anchors import TrustAnchors

__all__ = ["ConversationService", "Rejected", "TrustAnchors", "Verified"]
