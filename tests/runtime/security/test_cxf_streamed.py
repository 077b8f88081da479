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

import contextlib
import datetime as dt
import hashlib
import os
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from altinn2.cli import main
from altinn2.client import AsyncClient, Client
from altinn2.runtime.errors import BadContextTokenError, ConfigurationError
from altinn2.runtime.operation import OperationInfo
from altinn2.runtime.registry import operation_index
from altinn2.runtime.security.context_cache import ContextCache
from altinn2.runtime.security.trust import SecurityContext
from altinn2.runtime.security.x509 import Certificate
from altinn2.runtime.transport import commands
from altinn2.services.broker_service import (
    DOWNLOAD_FILE_STREAMED_EC2,
    UPLOAD_FILE_STREAMED_EC2,
)
from tests.pki import P12_PASSWORD
from tests.runtime.security import test_cxf
from tests.runtime.security.test_cxf import (
    BAD_CONTEXT_TOKEN,
    ENTERPRISE,
    SOAP12_CONTENT,
    Cxf,
    _cxf_cancel_policy,  # noqa: F401  (autouse: CXF's cancel policy, as in test_cxf.py)
    count_issues,
    next_call,
    serve,
    tls,
)

# The streamed EC and EC2 WSDLs (folder/name without .wsdl).
STREAMED = (
    "BrokerServiceExternalStreamed/BrokerServiceExternalECStreamed",
    "BrokerServiceExternalStreamed/BrokerServiceExternalEC2Streamed",
    "IntermediaryInboundStreamed/IntermediaryInboundExternalECStreamed",
    "IntermediaryInboundStreamed/IntermediaryInboundExternalEC2Streamed",
    "ReporteeArchiveExternalStreamed/ReporteeArchiveExternalStreamedEC",
    "ReporteeArchiveExternalStreamed/ReporteeArchiveExternalStreamedEC2",
)
SIZES = (0, 1, 3 * 1024 * 1024 + 17)  # empty, one byte, several chunks and an odd tail
REPORTEE = "910000001"
ENTERPRISE_PASSWORD = "Virksomhet-Passord-9"


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


certificate = test_cxf.certificate  # the enterprise certificate of this module's `cxf`


def base_url(cxf: Cxf) -> str:
    return "/".join(next(iter(cxf.endpoints.values())).url.split("/", 3)[:3])


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
    # EC cancels its context on close (the streamed endpoint's own Cancel); EC2 never does.
    assert actions == (["SCT", "Cancel"] if binding == "EC" else ["SCT"])


@pytest.mark.parametrize("binding", ["EC", "EC2"])
@pytest.mark.parametrize("size", SIZES)
async def test_broker_upload_streamed_through_cxf_async(
    cxf: Cxf, certificate: Certificate, tmp_path: Path, binding: str, size: int
) -> None:
    path, digest = write_file(tmp_path, size)
    async with async_client(cxf, certificate, binding) as altinn:
        actions = count_issues(altinn)
        with path.open("rb") as file:  # a file object, read in a worker thread
            await altinn.broker_service.upload_file_streamed(
                source=file, file_name=path.name, reference="ref-1", reportee=REPORTEE
            )
        assert attachment_line(cxf, "StreamedPayloadECBE", binding) == (size, digest)
        assert actions == ["SCT"]


@pytest.mark.parametrize("binding", ["EC", "EC2"])
def test_attachment_submitted_streamed_through_cxf(
    cxf: Cxf, certificate: Certificate, tmp_path: Path, binding: str
) -> None:
    """SubmitAttachmentStreamedEC: every size under one context, the last from an iterator."""
    with client(cxf, certificate, binding) as altinn:
        actions = count_issues(altinn)
        service = altinn.intermediary_inbound_streamed
        for size in SIZES:
            path, digest = write_file(tmp_path, size)
            service.submit_attachment_streamed(
                reportee_element_id=42, file_name=path.name, name="vedlegg", source=path
            )
            assert attachment_line(cxf, "StreamedAttachmentECBE", binding) == (size, digest)
        chunks = iter([b"first ", b"", b"second"])
        service.submit_attachment_streamed(reportee_element_id=42, source=chunks)
        expected = hashlib.sha256(b"first second").hexdigest()
        assert attachment_line(cxf, "StreamedAttachmentECBE", binding) == (12, expected)
        assert actions == ["SCT"]


@pytest.mark.parametrize("binding", ["EC", "EC2"])
async def test_attachment_submitted_streamed_through_cxf_async(
    cxf: Cxf, certificate: Certificate, tmp_path: Path, binding: str
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for piece in (b"async ", b"chunks"):
            yield piece

    async with async_client(cxf, certificate, binding) as altinn:
        service = altinn.intermediary_inbound_streamed
        for size in SIZES:
            path, digest = write_file(tmp_path, size)
            await service.submit_attachment_streamed(reportee_element_id=7, source=path)
            assert attachment_line(cxf, "StreamedAttachmentECBE", binding) == (size, digest)
        await service.submit_attachment_streamed(reportee_element_id=7, source=chunks())
        expected = hashlib.sha256(b"async chunks").hexdigest()
        assert attachment_line(cxf, "StreamedAttachmentECBE", binding) == (12, expected)


def download_line(cxf: Cxf, request: str, binding: str) -> int:
    line = next_call(cxf)
    assert line.startswith(f"CALL {request} "), line
    assert ("DKT" in line) == (binding == "EC") and "SCT" in line, line
    return int(line.rsplit(" sent=", 1)[1])


@pytest.mark.parametrize("binding", ["EC", "EC2"])
def test_downloads_streamed_through_cxf(
    cxf: Cxf, certificate: Certificate, tmp_path: Path, binding: str
) -> None:
    """DownloadFileStreamedEC into a file (atomic, hashed) and GetAttachmentDataECStreamed as
    chunks: the bytes CXF sent in its binary part, every size, one context per endpoint."""
    with client(cxf, certificate, binding) as altinn:
        actions = count_issues(altinn)
        for size in SIZES:
            expected = expected_content(size)
            target = tmp_path / f"download-{size}.bin"
            with altinn.broker_service.download_file_streamed(
                file_reference=str(size), reportee=REPORTEE
            ) as answer:
                saved = answer.save(target, sha256=hashlib.sha256(expected).hexdigest())
            assert download_line(cxf, "DownloadFileStreamedEC", binding) == size
            assert saved.size == size and target.read_bytes() == expected
            archive = altinn.reportee_archive_external
            with archive.get_attachment_data_streamed(attachment_id=size) as answer:
                received = b"".join(answer.iter_bytes())
            assert download_line(cxf, "GetAttachmentDataECStreamed", binding) == size
            assert hashlib.sha256(received).digest() == hashlib.sha256(expected).digest()
        assert actions == ["SCT", "SCT"]  # one per endpoint: broker, archive
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"download-{size}.bin" for size in SIZES
    )  # no temporary file left behind


@pytest.mark.parametrize("binding", ["EC", "EC2"])
async def test_downloads_streamed_through_cxf_async(
    cxf: Cxf, certificate: Certificate, tmp_path: Path, binding: str
) -> None:
    async with async_client(cxf, certificate, binding) as altinn:
        actions = count_issues(altinn)
        for size in SIZES:
            expected = expected_content(size)
            answer = await altinn.broker_service.download_file_streamed(
                file_reference=str(size), reportee=REPORTEE
            )
            async with answer:
                saved = await answer.asave(tmp_path / "broker.bin", digest=True)
            assert download_line(cxf, "DownloadFileStreamedEC", binding) == size
            assert saved.sha256 == hashlib.sha256(expected).hexdigest()
            answer = await altinn.reportee_archive_external.get_attachment_data_streamed(
                attachment_id=size
            )
            async with answer:
                received = b"".join([chunk async for chunk in answer.aiter_bytes()])
            assert download_line(cxf, "GetAttachmentDataECStreamed", binding) == size
            assert received == expected
        assert actions == ["SCT", "SCT"]


class ForgetsOnce(httpx.HTTPTransport):
    """To CXF, except the first streamed message: refused as WCF refuses a context it no longer
    knows (before acting on the message; the request body is read to its end first)."""

    def __init__(self, verify: ssl.SSLContext) -> None:
        super().__init__(verify=verify)
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.refused == 0 and request.headers["content-type"].startswith("multipart/"):
            self.refused += 1
            request.read()
            return httpx.Response(
                500, content=BAD_CONTEXT_TOKEN, headers={"content-type": SOAP12_CONTENT}
            )
        return super().handle_request(request)


@pytest.mark.parametrize("kind", ["path", "seekable file"])
def test_an_upload_refused_for_its_context_is_sent_again_under_a_new_one(
    cxf: Cxf, certificate: Certificate, tmp_path: Path, kind: str
) -> None:
    """BadContextToken: the service refused the upload before acting on it; the client drops the
    context, issues a new one and sends the file once more from its start."""
    path, digest = write_file(tmp_path, SIZES[-1])
    transport = ForgetsOnce(tls(cxf))
    with (
        client(cxf, certificate, "EC2", http_client=httpx.Client(transport=transport)) as altinn,
        path.open("rb") as file,
    ):
        actions = count_issues(altinn)
        file.seek(0)
        source = path if kind == "path" else file
        altinn.broker_service.upload_file_streamed(source=source, reportee=REPORTEE)
        assert transport.refused == 1 and actions == ["SCT", "SCT"]
        assert attachment_line(cxf, "StreamedPayloadECBE", "EC2") == (path.stat().st_size, digest)


def test_an_upload_from_an_iterator_refused_for_its_context_is_not_resent(
    cxf: Cxf, certificate: Certificate
) -> None:
    """A one-shot iterator cannot be read again: the error says so, and what to pass instead."""
    transport = ForgetsOnce(tls(cxf))
    with client(cxf, certificate, "EC", http_client=httpx.Client(transport=transport)) as altinn:
        actions = count_issues(altinn)
        with pytest.raises(BadContextTokenError, match="one-shot iterator") as caught:
            altinn.broker_service.upload_file_streamed(
                source=iter([b"only once"]), reportee=REPORTEE
            )
        assert "seekable file" in str(caught.value)
        assert transport.refused == 1 and actions == ["SCT"]
        # The refused context was dropped: the next call issues a new one.
        altinn.broker_service.upload_file_streamed(source=[b"again"], reportee=REPORTEE)
        assert actions == ["SCT", "SCT"]
        assert attachment_line(cxf, "StreamedPayloadECBE", "EC")[0] == 5


async def test_an_async_download_refused_for_its_context_is_asked_again(
    cxf: Cxf, certificate: Certificate
) -> None:
    class AsyncForgetsOnce(httpx.AsyncHTTPTransport):
        refused = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if self.refused == 0 and request.headers["content-type"].startswith("multipart/"):
                self.refused += 1
                return httpx.Response(
                    500, content=BAD_CONTEXT_TOKEN, headers={"content-type": SOAP12_CONTENT}
                )
            return await super().handle_async_request(request)

    transport = AsyncForgetsOnce(verify=tls(cxf))
    async with AsyncClient(
        base_url=base_url(cxf),
        binding="EC",
        certificate=certificate,
        enterprise=ENTERPRISE,
        http_client=httpx.AsyncClient(transport=transport),
    ) as altinn:
        actions = count_issues(altinn)
        answer = await altinn.reportee_archive_external.get_attachment_data_streamed(
            attachment_id=100
        )
        async with answer:
            received = b"".join([chunk async for chunk in answer.aiter_bytes()])
        assert received == expected_content(100)
        assert transport.refused == 1 and actions == ["SCT", "SCT"]
        assert download_line(cxf, "GetAttachmentDataECStreamed", "EC") == 100


def test_a_streamed_ec_call_is_refused_before_sending_without_a_certificate(
    cxf: Cxf,
) -> None:
    with (
        Client(base_url=base_url(cxf), binding="EC2", enterprise=ENTERPRISE) as altinn,
        pytest.raises(ConfigurationError, match="certificate="),
    ):
        altinn.broker_service.upload_file_streamed(source=[b"x"], reportee=REPORTEE)


# -- `altinn2 attachment upload/download` (EC and EC2 only), through CXF ---------------------------


def run_cli(cxf: Cxf, *arguments: str) -> tuple[int, str, str]:
    environment = {
        "ALTINN2_CERTIFICATE": str(cxf.pki.enterprise_p12),
        "ALTINN2_CERTIFICATE_PASSWORD": P12_PASSWORD,
        "ALTINN2_ENTERPRISE_USER": "virksomhetsbruker",
        "ALTINN2_ENTERPRISE_PASSWORD": ENTERPRISE_PASSWORD,
        "ALTINN2_CA_FILE": str(cxf.pki.ca_pem),
    }
    result = CliRunner().invoke(
        main, [*arguments, "--base-url", base_url(cxf)], env=environment, catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("binding", ["EC", "EC2"])
def test_attachment_commands_through_cxf(cxf: Cxf, tmp_path: Path, binding: str) -> None:
    """Upload a file and download an archived attachment from the command line: quiet when not
    on a terminal, the content checked by hash, no password in the output."""
    path, digest = write_file(tmp_path, SIZES[-1])
    status, out, err = run_cli(
        cxf,
        "attachment",
        "upload",
        str(path),
        "--reportee-element-id",
        "42",
        "--binding",
        binding,
    )
    assert status == 0, err
    assert out == "sent\n" and err == ""  # CXF's receipt is empty; no progress bar
    assert attachment_line(cxf, "StreamedAttachmentECBE", binding) == (path.stat().st_size, digest)

    size = SIZES[-1]
    expected = hashlib.sha256(expected_content(size)).hexdigest()
    target = tmp_path / "attachment.bin"
    status, out, err = run_cli(
        cxf,
        "attachment",
        "download",
        str(size),
        "--output",
        str(target),
        "--sha256",
        expected,
        "--binding",
        binding,
    )
    assert status == 0, err
    assert download_line(cxf, "GetAttachmentDataECStreamed", binding) == size
    assert out == f"{target}: {size} bytes, sha256 {expected}\n" and err == ""
    assert target.read_bytes() == expected_content(size)
    for secret in (P12_PASSWORD, ENTERPRISE_PASSWORD):
        assert secret not in out + err


def test_attachment_commands_show_progress_on_a_terminal(
    cxf: Cxf, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commands, "_on_terminal", lambda: True)
    path, digest = write_file(tmp_path, SIZES[-1])
    status, _, err = run_cli(cxf, "attachment", "upload", str(path), "--reportee-element-id", "42")
    assert status == 0 and "uploading" in err, err
    assert attachment_line(cxf, "StreamedAttachmentECBE", "EC2")[1] == digest
    status, _, err = run_cli(
        cxf, "attachment", "download", "5000", "--output", str(tmp_path / "a.bin")
    )
    assert status == 0 and "downloading" in err, err
    assert download_line(cxf, "GetAttachmentDataECStreamed", "EC2") == 5000


def test_attachment_download_interrupted_leaves_nothing(
    cxf: Cxf, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C midway: exit 130, one line, no partial file (nor temporary one) left."""

    @contextlib.contextmanager
    def interrupting(total: int | None, label: str) -> Iterator[Callable[[int], None]]:
        def progress(done: int) -> None:
            if done > 500_000:
                raise KeyboardInterrupt

        yield progress

    monkeypatch.setattr(commands, "_progress", interrupting)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    status, _, err = run_cli(
        cxf, "attachment", "download", str(SIZES[-1]), "--output", str(out_dir / "a.bin")
    )
    assert status == 130 and "interrupted: nothing was saved" in err
    assert os.listdir(out_dir) == []
    download_line(cxf, "GetAttachmentDataECStreamed", "EC2")

    path, _digest = write_file(tmp_path, SIZES[-1])
    status, _, err = run_cli(cxf, "attachment", "upload", str(path), "--reportee-element-id", "42")
    assert status == 130 and "interrupted: the upload was not completed" in err


def test_attachment_command_with_a_wrong_certificate_password_is_one_line(
    cxf: Cxf, tmp_path: Path
) -> None:
    path, _digest = write_file(tmp_path, 1)
    status, out, err = run_cli(
        cxf,
        "attachment",
        "upload",
        str(path),
        "--reportee-element-id",
        "42",
        "--certificate-password",
        "not-the-password",
    )
    assert status == 1 and err.startswith("error: ") and err.count("\n") == 1, err
    assert "not-the-password" not in out + err and P12_PASSWORD not in out + err


def test_a_streamed_call_renews_the_context_before_it_expires(
    cxf: Cxf, certificate: Certificate, tmp_path: Path
) -> None:
    """Past 60 % of the context's lifetime, the next streamed call on the endpoint (here a
    download after an upload) issues a new context first."""
    now = [dt.datetime.now(dt.UTC)]
    path, digest = write_file(tmp_path, 1000)
    with client(cxf, certificate, "EC2") as altinn:
        altinn.conversation.cache = ContextCache(clock=lambda: now[0])
        actions = count_issues(altinn)
        broker = altinn.broker_service
        broker.upload_file_streamed(source=path, reportee=REPORTEE)
        assert attachment_line(cxf, "StreamedPayloadECBE", "EC2") == (1000, digest)
        first = current_context(altinn, UPLOAD_FILE_STREAMED_EC2)
        assert first.expires is not None
        now[0] += (first.expires - first.created) * 0.7  # past the renewal point (60 %)
        with broker.download_file_streamed(file_reference="10", reportee=REPORTEE) as answer:
            assert b"".join(answer.iter_bytes()) == expected_content(10)
        assert download_line(cxf, "DownloadFileStreamedEC", "EC2") == 10
        second = current_context(altinn, DOWNLOAD_FILE_STREAMED_EC2)
        assert second.identifier != first.identifier
        assert actions == ["SCT", "SCT"]


def current_context(altinn: Client, operation: OperationInfo) -> SecurityContext:
    def post_never(url: str, envelope: bytes, action: str) -> bytes:
        raise AssertionError(f"no round trip expected ({action})")

    return altinn.conversation.context(operation, altinn.url_for(operation), post_never)


async def test_an_async_upload_from_an_async_iterator_refused_for_its_context_is_not_resent(
    cxf: Cxf, certificate: Certificate, tmp_path: Path
) -> None:
    class AsyncForgetsOnce(httpx.AsyncHTTPTransport):
        refused = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if self.refused == 0 and request.headers["content-type"].startswith("multipart/"):
                self.refused += 1
                await request.aread()
                return httpx.Response(
                    500, content=BAD_CONTEXT_TOKEN, headers={"content-type": SOAP12_CONTENT}
                )
            return await super().handle_async_request(request)

    async def once() -> AsyncIterator[bytes]:
        yield b"only once"

    transport = AsyncForgetsOnce(verify=tls(cxf))
    path, digest = write_file(tmp_path, 1000)
    async with AsyncClient(
        base_url=base_url(cxf),
        binding="EC2",
        certificate=certificate,
        enterprise=ENTERPRISE,
        http_client=httpx.AsyncClient(transport=transport),
    ) as altinn:
        actions = count_issues(altinn)
        service = altinn.intermediary_inbound_streamed
        with pytest.raises(BadContextTokenError, match="one-shot iterator"):
            await service.submit_attachment_streamed(reportee_element_id=1, source=once())
        assert transport.refused == 1 and actions == ["SCT"]
        transport.refused = 0  # refused once more: from a path, sent again under a new context
        await service.submit_attachment_streamed(reportee_element_id=1, source=path)
        assert transport.refused == 1 and actions == ["SCT", "SCT", "SCT"]
        assert attachment_line(cxf, "StreamedAttachmentECBE", "EC2") == (1000, digest)
