"""A throw-away PKI for the EC tests, made with `cryptography` (never committed): a CA, an
enterprise certificate it issued, one it issued that has expired, one from another CA, and a
loopback TLS server certificate."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

P12_PASSWORD = "Virksomhets-Passord-7"


def _name(common_name: str, organisation: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    return x509.Name(attributes)


def _certificate(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    *,
    ca: bool = False,
    san: x509.SubjectAlternativeName | None = None,
    expired: bool = False,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=30 if expired else 0, hours=1)
    end = now - dt.timedelta(days=1) if expired else now + dt.timedelta(days=2)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class Pki:
    folder: Path
    ca_pem: Path
    enterprise_p12: Path  # the enterprise certificate and key, password P12_PASSWORD
    enterprise_cert_pem: Path
    enterprise_key_pem: Path  # unencrypted PKCS#8
    server_p12: Path  # the loopback TLS server's key and certificate, password P12_PASSWORD
    server_cert_pem: Path  # the server's certificate, then the CA's
    server_key_pem: Path  # unencrypted PKCS#8
    expired_p12: Path  # an enterprise certificate of the CA that has expired
    stranger_p12: Path  # an enterprise certificate of another CA (same names)


def make_pki(folder: Path) -> Pki:
    def key() -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    ca_key, enterprise_key, server_key, other_ca_key = key(), key(), key(), key()
    ca_name = _name("Test Enterprise CA", "altinn2 tests")
    ca = _certificate(ca_name, ca_key, ca_name, ca_key, ca=True)
    enterprise = _certificate(
        _name("TESTVIRKSOMHET AS", "910000001"), enterprise_key, ca_name, ca_key
    )
    loopback = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    server = _certificate(_name("127.0.0.1"), server_key, ca_name, ca_key, san=loopback)
    password = serialization.BestAvailableEncryption(P12_PASSWORD.encode())
    pem = serialization.Encoding.PEM
    paths = Pki(
        folder=folder,
        ca_pem=folder / "ca.pem",
        enterprise_p12=folder / "enterprise.p12",
        enterprise_cert_pem=folder / "enterprise.pem",
        enterprise_key_pem=folder / "enterprise-key.pem",
        server_p12=folder / "server.p12",
        server_cert_pem=folder / "server.pem",
        server_key_pem=folder / "server-key.pem",
        expired_p12=folder / "expired.p12",
        stranger_p12=folder / "stranger.p12",
    )
    paths.ca_pem.write_bytes(ca.public_bytes(pem))
    paths.enterprise_p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"enterprise", enterprise_key, enterprise, [ca], password
        )
    )
    paths.enterprise_cert_pem.write_bytes(enterprise.public_bytes(pem))
    paths.enterprise_key_pem.write_bytes(
        enterprise_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    paths.server_p12.write_bytes(
        pkcs12.serialize_key_and_certificates(b"server", server_key, server, [ca], password)
    )
    paths.server_cert_pem.write_bytes(server.public_bytes(pem) + ca.public_bytes(pem))
    paths.server_key_pem.write_bytes(
        server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    enterprise_name = _name("TESTVIRKSOMHET AS", "910000001")
    expired = _certificate(enterprise_name, enterprise_key, ca_name, ca_key, expired=True)
    paths.expired_p12.write_bytes(
        pkcs12.serialize_key_and_certificates(b"expired", enterprise_key, expired, [ca], password)
    )
    # Another CA with the same name: only its signature tells the certificates apart.
    other_ca = _certificate(ca_name, other_ca_key, ca_name, other_ca_key, ca=True)
    stranger = _certificate(enterprise_name, enterprise_key, ca_name, other_ca_key)
    paths.stranger_p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"stranger", enterprise_key, stranger, [other_ca], password
        )
    )
    return paths
