"""WS-SecureConversation for the EC and EC2 bindings, one module per job.

- `x509`: the enterprise certificate (PKCS#12 with password, or a PEM pair);
- `psha1`: P_SHA1, the WS-Trust computed key and WS-SC derived keys;
- `trust`: the RST/Issue for a security context token and its RSTR (`SecurityContext`);
- `message`: the security header of every call made under a context;
- `cancel`: EC's RST/Cancel.

XML signatures are made by xmlsec (the xmlsec1 reference implementation), keys handled by
`cryptography`; P_SHA1, the exchange and the header layout are ours.
"""
