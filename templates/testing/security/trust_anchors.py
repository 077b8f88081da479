"""The CAs whose enterprise certificates the mock accepts, and the checks a bootstrap's
certificate passes: issued (and signed) by one of them, within its validity period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature


class TrustAnchors:
    """CA certificates (PEM files or `x509.Certificate`s); none: no enterprise certificate is
    accepted."""

    def __init__(self, certificates: Sequence[x509.Certificate] = ()) -> None:
        self.certificates = tuple(certificates)

    @classmethod
    def from_pem(cls, paths: Iterable[str | Path]) -> TrustAnchors:
        found: list[x509.Certificate] = []
        for path in paths:
            try:
                found += x509.load_pem_x509_certificates(Path(path).read_bytes())
            except (OSError, ValueError) as exc:
                raise ValueError(f"{path}: not a PEM file of CA certificates ({exc})") from None
        return cls(found)

    def __repr__(self) -> str:
        names = ", ".join(ca.subject.rfc4514_string() for ca in self.certificates)
        return f"TrustAnchors({names})"

    def problem(self, certificate: x509.Certificate, now: dt.datetime) -> str | None:
        """Why the certificate is refused (None: a CA here issued it and it is valid now)."""
        if now < certificate.not_valid_before_utc:
            return "the certificate is not valid yet"
        if now > certificate.not_valid_after_utc:
            return "the certificate has expired"
        for ca in self.certificates:
            if ca.subject != certificate.issuer:
                continue
            try:
                certificate.verify_directly_issued_by(ca)
            except (InvalidSignature, ValueError, TypeError):
                continue
            if not ca.not_valid_before_utc <= now <= ca.not_valid_after_utc:
                return "the issuing CA's certificate is not valid now"
            return None
        return f"the certificate's issuer ({certificate.issuer.rfc4514_string()}) is no trusted CA"
