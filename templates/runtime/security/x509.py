"""The enterprise certificate: an RSA key and its X.509 certificate, from PKCS#12 or PEM.

Norwegian enterprise certificates come as PKCS#12 files protected by a password; a PEM pair
(certificate, private key) works too. Neither the private key nor a password ever shows in a
repr, a str or an error message.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

# cryptography loads when a certificate is loaded or checked, not with every client.
if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

from altinn2.runtime.errors import ConfigurationError
from altinn2.runtime.secrets import Secret


class CertificateError(ConfigurationError):
    """The certificate or its key could not be loaded (the message never holds a secret)."""


def _password_bytes(password: str | Secret | bytes | None) -> bytes | None:
    if password is None:
        return None
    if isinstance(password, bytes):
        return password
    return (password.reveal() if isinstance(password, Secret) else password).encode("utf-8")


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CertificateError(f"{path}: cannot read the {what} ({exc.strerror})") from None


@dataclass(frozen=True, eq=False, repr=False)
class Certificate:
    """An RSA certificate with its private key, as the bootstrap signature needs it."""

    certificate: x509.Certificate
    _key: rsa.RSAPrivateKey = field(repr=False)
    chain: tuple[x509.Certificate, ...] = ()

    def __post_init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        if not isinstance(self._key, rsa.RSAPrivateKey):
            raise CertificateError("the private key is not an RSA key (RSA-SHA1 needs one)")
        public = self.certificate.public_key()
        if not (
            isinstance(public, rsa.RSAPublicKey)
            and public.public_numbers() == self._key.public_key().public_numbers()
        ):
            raise CertificateError(
                f"the private key does not belong to the certificate {self.subject}"
            )

    @classmethod
    def from_pkcs12(cls, path: str | Path, password: str | Secret | bytes | None) -> Certificate:
        """Load a PKCS#12 (.p12/.pfx) file; the password is used once and not kept."""
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.hazmat.primitives.serialization import pkcs12

        path = Path(path)
        data = _read(path, "PKCS#12 file")
        try:
            key, certificate, chain = pkcs12.load_key_and_certificates(
                data, _password_bytes(password)
            )
        except ValueError:
            raise CertificateError(
                f"{path}: not a PKCS#12 file, or the password is wrong"
            ) from None
        if key is None or certificate is None:
            raise CertificateError(f"{path}: the PKCS#12 file has no private key or certificate")
        if not isinstance(key, rsa.RSAPrivateKey):
            raise CertificateError(f"{path}: the private key is not an RSA key")
        return cls(certificate, key, tuple(chain))

    @classmethod
    def from_pem(
        cls,
        certificate_path: str | Path,
        key_path: str | Path,
        password: str | Secret | bytes | None = None,
    ) -> Certificate:
        """Load a PEM certificate (followed by its chain, if any) and a PEM private key."""
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        certificate_path, key_path = Path(certificate_path), Path(key_path)
        try:
            certificates = x509.load_pem_x509_certificates(_read(certificate_path, "certificate"))
        except ValueError:
            raise CertificateError(f"{certificate_path}: not a PEM certificate") from None
        try:
            key = serialization.load_pem_private_key(
                _read(key_path, "private key"), _password_bytes(password)
            )
        except (ValueError, TypeError):
            raise CertificateError(
                f"{key_path}: not a PEM private key, or the password is wrong or missing"
            ) from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise CertificateError(f"{key_path}: the private key is not an RSA key")
        return cls(certificates[0], key, tuple(certificates[1:]))

    @property
    def der(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def base64(self) -> str:
        """The DER certificate in base64, a BinarySecurityToken's content."""
        return base64.b64encode(self.der).decode("ascii")

    @property
    def thumbprint_sha1(self) -> str:
        """Base64 SHA-1 of the DER certificate (WSS 1.1 ThumbprintSHA1 key identifier)."""
        import hashlib  # (with EC's first call: the package's import does not need it)

        return base64.b64encode(hashlib.sha1(self.der).digest()).decode("ascii")

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def not_valid_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc

    def private_key_pem(self) -> bytes:
        """The private key, unencrypted PKCS#8 PEM, for handing to the signer (never logged)."""
        from cryptography.hazmat.primitives import serialization

        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def __repr__(self) -> str:
        return (
            f"Certificate(subject={self.subject!r}, serial={self.certificate.serial_number:x}, "
            f"not_valid_after={self.not_valid_after.isoformat()})"
        )

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a Certificate with its private key is not pickled")
