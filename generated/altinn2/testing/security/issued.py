"""`IssuedContext`: one security context the mock issued (EC: kept in the service's memory;
EC2: sealed whole into the token's cookie, `cookies`). An EC context renewed keeps its
Identifier; each key it had is a generation, `instance` (`c:Instance`, None for the first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes


@dataclass(frozen=True, repr=False)
class IssuedContext:
    identifier: str  # urn:uuid:...
    token_id: str  # the SCT element's wsu:Id
    endpoint: str  # the endpoint's path, lower case
    created: dt.datetime
    expires: dt.datetime
    key: bytes = field(repr=False)
    cookie: str | None = None  # EC2: the sealed context, as issued
    instance: str | None = None  # the key's generation after a renewal (urn:uuid:...)
    holder: str = ""  # the SHA-1 thumbprint (hex) of the certificate it was issued to

    def __repr__(self) -> str:
        return f"IssuedContext({self.identifier!r}, {self.endpoint!r})"


def thumbprint(certificate: x509.Certificate) -> str:
    """The certificate's SHA-1 thumbprint (hex), as a context remembers its holder."""
    return certificate.fingerprint(hashes.SHA1()).hex()
