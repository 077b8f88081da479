"""The RST's RSA-SHA1 signature checked by Debian's `xmlsec1`, the reference XML-DSig
implementation, independently of the python-xmlsec binding that made it (`make xmlsec1`, part of
`make test`, unpacks it into .cache/ without root; a missing one fails, never skips).

The signature's KeyInfo is a WS-Security token reference, which xmlsec1 does not follow: the key
is given as the enterprise certificate (`--pubkey-cert-pem`), and the `wsu:Id` / `Id` attributes
of the signed Timestamp and `To` are declared as IDs (`--id-attr`).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from altinn2.runtime.security import trust
from altinn2.runtime.security.x509 import Certificate
from tests.pki import P12_PASSWORD, Pki, make_pki

ROOT = Path(__file__).resolve().parents[3] / ".cache" / "xmlsec1"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSA = "http://www.w3.org/2005/08/addressing"
ENDPOINT = "https://127.0.0.1:1/ServiceEngineExternal/ReporteeElementListEC.svc"


@pytest.fixture(scope="module")
def rst(pki: Pki) -> bytes:
    certificate = Certificate.from_pkcs12(pki.enterprise_p12, P12_PASSWORD)
    return trust.issue_request(ENDPOINT, certificate).envelope


def xmlsec1(pki: Pki, document: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    binary = ROOT / "usr" / "bin" / "xmlsec1"
    if not binary.exists():
        pytest.fail("xmlsec1 is not unpacked: run `make xmlsec1` (part of `make test`)")
    libraries = [str(folder) for folder in sorted((ROOT / "usr" / "lib").glob("*-linux-gnu"))]
    environment = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(libraries))
    path = tmp_path / "rst.xml"
    path.write_bytes(document)
    command = [str(binary), "--verify", "--pubkey-cert-pem", str(pki.enterprise_cert_pem)]
    command += ["--id-attr:Id", f"{WSU}:Timestamp", "--id-attr:Id", f"{WSA}:To", str(path)]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60)


def test_xmlsec1_verifies_the_rst_signature(pki: Pki, rst: bytes, tmp_path: Path) -> None:
    assert b'Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"' in rst
    assert b'<Reference URI="#_0">' in rst and b'<Reference URI="#_1">' in rst  # Timestamp, To
    run = xmlsec1(pki, rst, tmp_path)
    assert run.returncode == 0, run.stderr
    assert "OK" in run.stderr and "SignedInfo References (ok/all): 2/2" in run.stderr


def tampered_created(rst: bytes) -> bytes:
    stamp = re.search(rb"<u:Created>([^<]+)</u:Created>", rst)
    assert stamp is not None
    return rst.replace(stamp.group(1), stamp.group(1)[:-5] + b"999Z", 1)


def tampered_signature(rst: bytes) -> bytes:
    value = re.search(rb"<SignatureValue>(.)", rst)
    assert value is not None
    flipped = b"B" if value.group(1) != b"B" else b"C"
    return rst[: value.start(1)] + flipped + rst[value.end(1) :]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda rst: rst.replace(b":1/Service", b":2/Service"),  # the signed To
        tampered_created,
        tampered_signature,
    ],
    ids=["to", "timestamp", "signature-value"],
)
def test_xmlsec1_refuses_a_tampered_rst(
    pki: Pki, rst: bytes, tmp_path: Path, tamper: Callable[[bytes], bytes]
) -> None:
    changed = tamper(rst)
    assert changed != rst
    run = xmlsec1(pki, changed, tmp_path)
    assert run.returncode != 0
    assert "FAIL" in run.stderr or "failed" in run.stderr, run.stderr


def test_xmlsec1_refuses_the_rst_under_another_key(rst: bytes, tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    other = make_pki(tmp_path / "other")  # the same names, new keys
    run = xmlsec1(other, rst, tmp_path)
    assert run.returncode != 0
    assert "FAIL" in run.stderr, run.stderr
