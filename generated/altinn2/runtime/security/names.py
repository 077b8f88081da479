"""Namespaces and URIs of WS-Security 1.0/1.1, WS-Trust 2005/02 and WS-SecureConversation 2005/02,
as Altinn's WCF services (and the EC/EC2 WSDLs' policies) use them."""

from __future__ import annotations

from altinn2.runtime.wsheaders import BASE64_BINARY, WSA, WSSE, WSU

DS = "http://www.w3.org/2000/09/xmldsig#"
WSSE11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
WST = "http://schemas.xmlsoap.org/ws/2005/02/trust"
WSC = "http://schemas.xmlsoap.org/ws/2005/02/sc"
# WCF's own security namespace: the EC2 token's `Cookie`.
DNSE = "http://schemas.microsoft.com/ws/2006/05/security"

X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
SCT_TYPE = f"{WSC}/sct"
DK_TYPE = f"{WSC}/dk"

ISSUE = f"{WST}/Issue"
CANCEL = f"{WST}/Cancel"
NONCE = f"{WST}/Nonce"
PSHA1 = f"{WST}/CK/PSHA1"

ACTION_ISSUE = f"{WST}/RST/SCT"
ACTION_ISSUED = f"{WST}/RSTR/SCT"
ACTION_CANCEL = f"{WST}/RST/SCT/Cancel"
ACTION_CANCELLED = f"{WST}/RSTR/SCT/Cancel"

NSMAP = {"o": WSSE, "u": WSU, "t": WST, "c": WSC}

__all__ = [
    "ACTION_CANCEL",
    "ACTION_CANCELLED",
    "ACTION_ISSUE",
    "ACTION_ISSUED",
    "BASE64_BINARY",
    "CANCEL",
    "DK_TYPE",
    "DNSE",
    "DS",
    "ISSUE",
    "NONCE",
    "NSMAP",
    "PSHA1",
    "SCT_TYPE",
    "WSA",
    "WSC",
    "WSSE",
    "WSSE11",
    "WST",
    "WSU",
    "X509V3",
]
