"""Streamed (MTOM) EC and EC2 calls through the real client, against Apache CXF.

One JVM (tests/java, `altinn2codegen.CxfEcServer`) serves Altinn's six streamed EC and EC2 WSDLs,
WSDL-first, on loopback HTTPS, each at its generated path, with MTOM on as their policy
(`wsoma:OptimizedMimeSerialization`) says, enforcing their WS-SecurityPolicy as in test_cxf.py
(the same single adaptation, `ADAPTATIONS`). Uploads (UploadFileStreamedEC,
SubmitAttachmentStreamedEC): CXF reports the size and SHA-256 of the attachment it received.
Downloads (DownloadFileStreamedEC, GetAttachmentDataECStreamed): CXF answers with an xop:Include
of a binary part holding `expected_content(n)` bytes, n the request's file reference or
attachment id. Sync and async, 0 bytes, 1 byte and a larger file; the security context is issued
once per endpoint and reused, and a BadContextToken answer makes the client re-issue and send the
file once more when it can be read again.
"""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from altinn2.client import AsyncClient, Client
from altinn2.runtime.registry import operation_index
from altinn2.runtime.security.x509 import Certificate
from tests.pki import P12_PASSWORD
from tests.runtime.security.test_cxf import (
    ENTERPRISE,
    Cxf,
    count_issues,
    next_call,
    serve,
)

# The streamed EC and EC2 WSDLs (folder/name without .wsdl), each with the operations it has.
STREAMED = {
    "BrokerServiceExternalStreamed/BrokerServiceExternalECStreamed": "broker",
    "BrokerServiceExternalStreamed/BrokerServiceExternalEC2Streamed": "broker",
    "IntermediaryInboundStreamed/IntermediaryInboundExternalECStreamed": "attachment",
    "IntermediaryInboundStreamed/IntermediaryInboundExternalEC2Streamed": "attachment",
    "ReporteeArchiveExternalStreamed/ReporteeArchiveExternalStreamedEC": "archive",
    "ReporteeArchiveExternalStreamed/ReporteeArchiveExternalStreamedEC2": "archive",
}
SIZES = (0, 1, 3 * 1024 * 1024 + 17)  # empty, one byte, several chunks and an odd tail
REPORTEE = "910000001"


def expected_content(length: int) -> bytes:
    """What CxfEcServer sends for n: SHA-256(0) || SHA-256(1) || ... (8-byte big-endian)."""
    blocks = (hashlib.sha256(counter.to_bytes(8, "big")).digest() for counter in range(length))
    out = bytearray()
    for block in blocks:
        if len(out) >= length:
            break
        out += block
    return bytes(out[:length])


def generated_paths() -> dict[str, str]:
    """Each streamed EC/EC2 WSDL's generated endpoint path, by the WSDL's name."""
    paths = {}
    for operation in operation_index().operations:
        if operation.mtom and operation.binding.value in ("EC", "EC2"):
            paths[operation.path.rsplit("/", 1)[1].removesuffix(".svc")] = operation.path
    return paths


@pytest.fixture(scope="module")
def cxf(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> Iterator[Cxf]:
    yield from serve(
        tmp_path_factory.mktemp("cxf-streamed"), mirror, list(STREAMED), generated_paths()
    )


@pytest.fixture(scope="module")
def certificate(cxf: Cxf) -> Certificate:
    return Certificate.from_pkcs12(cxf.pki.enterprise_p12, P12_PASSWORD)


def base_url(cxf: Cxf) -> str:
    return "/".join(next(iter(cxf.endpoints.values())).url.split("/", 3)[:3])


def tls(cxf: Cxf) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cxf.pki.ca_pem))


def client(cxf: Cxf, certificate: Certificate, binding: str, **options: object) -> Client:
    return Client(
        base_url=base_url(cxf),
        binding=binding,
        verify=tls(cxf),
        certificate=certificate,
        enterprise=ENTERPRISE,
        **options,  # type: ignore[arg-type]
    )


def async_client(cxf: Cxf, certificate: Certificate, binding: str) -> AsyncClient:
    return AsyncClient(
        base_url=base_url(cxf),
        binding=binding,
        verify=tls(cxf),
        certificate=certificate,
        enterprise=ENTERPRISE,
    )


def attachment_line(cxf: Cxf, request: str, binding: str) -> tuple[int, str]:
    """The size and SHA-256 CXF reported for the next upload, after checking its security."""
    line = next_call(cxf)
    assert line.startswith(f"CALL {request} "), line
    assert "SCT" in line and "SIGN" in line, line
    assert ("DKT" in line) == (binding == "EC"), line
    size, _, digest = line.rsplit(" attachment=", 1)[1].partition(":")
    return int(size), digest


def write_file(tmp_path: Path, size: int) -> tuple[Path, str]:
    path = tmp_path / f"file-{size}.bin"
    data = expected_content(size)[::-1]  # other bytes than the server's
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("binding", ["EC", "EC2"])
@pytest.mark.parametrize("size", SIZES)
def test_broker_upload_streamed_through_cxf(
    cxf: Cxf, certificate: Certificate, tmp_path: Path, binding: str, size: int
) -> None:
    path, digest = write_file(tmp_path, size)
    seen: list[int] = []
    with client(cxf, certificate, binding) as altinn:
        actions = count_issues(altinn)
        receipt = altinn.broker_service.upload_file_streamed(
            source=path,
            file_name=path.name,
            reference="ref-1",
            reportee=REPORTEE,
            progress=seen.append,
        )
        assert receipt is not None
        assert attachment_line(cxf, "StreamedPayloadECBE", binding) == (size, digest)
        assert (seen[-1] if seen else 0) == size
        assert actions == ["SCT"]
