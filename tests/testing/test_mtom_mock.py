"""Streamed (MTOM) broker rows end to end over loopback against the mock, sync and async: the
sender initiates and uploads a file, the recipient downloads it; content checked by hash. The
mock spools uploads to its own folder on disk and checks the header parts and credentials."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from altinn2 import AsyncClient, Client, EnterpriseCredentials, SystemCredentials
from altinn2.models.broker_2015_06 import BrokerServiceInitiation, File, Manifest, Recipient
from altinn2.runtime.errors import (
    AuthenticationFailedError,
    BrokerError,
    BrokerFileNotReadyError,
    ConfigurationError,
)
from altinn2.testing import MockAltinn

SENDER, RECIPIENT = "910000001", "910000002"
SIZES = [0, 1, 3 * 1024 * 1024 + 5]


def content(size: int) -> bytes:
    return (hashlib.sha256(b"%d" % size).digest() * (size // 32 + 1))[:size]


def initiation() -> BrokerServiceInitiation:
    return BrokerServiceInitiation(
        manifest=Manifest(
            external_service_code="4752",
            external_service_edition_code=1,
            file_list=[File(check_sum=None, file_name="payload.zip")],
            property_list=[],
            reportee=SENDER,
            senders_reference="sender-1",
        ),
        recipient_list=[Recipient(party_number=RECIPIENT)],
    )


@pytest.fixture
def mock() -> MockAltinn:
    with MockAltinn(stateful=True) as running:
        running.scenario.broker_auto_upload = False
        yield running
        running.check()


def uploads(mock: MockAltinn) -> list[str]:
    return sorted(name for name in os.listdir(mock.upload_folder()) if name != "empty")


@pytest.mark.parametrize("size", SIZES)
def test_upload_then_download_sync(mock: MockAltinn, tmp_path: Path, size: int) -> None:
    data = content(size)
    source = tmp_path / "payload.zip"
    source.write_bytes(data)
    client = mock.client()
    broker = client.broker_service
    reference = broker.initiate_broker_service_basic(broker_service_initiation=initiation())
    assert reference is not None
    receipt = broker.upload_file_streamed_basic(
        source=source, file_name="payload.zip", reference=reference, reportee=SENDER
    )
    assert receipt is not None
    (kept,) = uploads(mock)  # on disk, in the mock's folder
    assert (mock.upload_folder() / kept).read_bytes() == data
    target = tmp_path / "received.zip"
    with broker.download_file_streamed_basic(file_reference=reference, reportee=RECIPIENT) as got:
        saved = got.save(target, sha256=hashlib.sha256(data).hexdigest())
    assert target.read_bytes() == data and saved.size == size
    assert mock.scenario.broker_files[0].status == "Downloaded"
    call = mock.calls_to("UploadFileStreamedBasic")[-1]
    assert "mock-system-password" not in repr(call)


@pytest.mark.parametrize("size", SIZES)
def test_upload_then_download_async(mock: MockAltinn, size: int) -> None:
    data = content(size)

    async def run() -> bytes:
        async with mock.async_client() as client:
            broker = client.broker_service
            reference = await broker.initiate_broker_service_basic(
                broker_service_initiation=initiation()
            )
            assert reference is not None

            async def chunks():  # type: ignore[no-untyped-def]
                for start in range(0, len(data), 50_000):
                    yield data[start : start + 50_000]

            await broker.upload_file_streamed_basic(
                source=chunks(), file_name="payload.zip", reference=reference, reportee=SENDER
            )
            answer = await broker.download_file_streamed(
                file_reference=reference, reportee=RECIPIENT
            )
            async with answer:
                return b"".join([chunk async for chunk in answer.aiter_bytes()])

    assert hashlib.sha256(asyncio.run(run())).digest() == hashlib.sha256(data).digest()


def test_wrong_header_credentials_are_refused(mock: MockAltinn, tmp_path: Path) -> None:
    broker = mock.client().broker_service
    reference = broker.initiate_broker_service_basic(broker_service_initiation=initiation())
    with pytest.raises(AuthenticationFailedError):
        broker.upload_file_streamed_basic(
            source=iter([b"abc"]),
            file_name="payload.zip",
            reference=reference,
            reportee=SENDER,
            system_password="wrong-password",
        )
    assert uploads(mock) == []  # the refused upload's file is gone


def test_unknown_reference_and_file_not_ready(mock: MockAltinn) -> None:
    broker = mock.client().broker_service
    with pytest.raises(BrokerError, match="No broker shipment"):
        broker.upload_file_streamed_basic(
            source=iter([b"abc"]), file_name="a.zip", reference="nope", reportee=SENDER
        )
    reference = broker.initiate_broker_service_basic(broker_service_initiation=initiation())
    with pytest.raises(BrokerFileNotReadyError):
        broker.download_file_streamed_basic(file_reference=reference, reportee=RECIPIENT)


def test_text_request_to_a_streamed_endpoint_is_415(mock: MockAltinn) -> None:
    import httpx

    from altinn2.services.broker_service import DOWNLOAD_FILE_STREAMED_BASIC as operation

    envelope = (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        '<DownloadFileStreamedBasic xmlns="http://www.altinn.no/services/ServiceEngine/Broker/'
        '2015/06"/></s:Body></s:Envelope>'
    )
    response = httpx.post(
        mock.url + operation.path,
        content=envelope.encode(),
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{operation.soap_action}"',
        },
    )
    assert response.status_code == 415
    assert "multipart/related" in response.text


def test_ec_streamed_rows_without_a_certificate_are_refused_before_sending(
    mock: MockAltinn,
) -> None:
    """Streamed EC/EC2 rows sign in with the enterprise certificate (the calls themselves are
    proven against CXF, tests/runtime/security/test_cxf_streamed.py): without one, the client
    says so before anything is sent, sync and async."""
    for binding in ("EC", "EC2"):
        options: dict[str, Any] = {
            "base_url": mock.url,
            "binding": binding,
            "enterprise": EnterpriseCredentials("enterprise user", "enterprise password"),
        }
        with (
            Client(system=SystemCredentials("u", "p"), **options) as client,
            pytest.raises(ConfigurationError, match="certificate="),
        ):
            client.broker_service.download_file_streamed(file_reference="x", reportee=RECIPIENT)

        async def download_async(options: dict[str, Any]) -> None:
            async with AsyncClient(system=SystemCredentials("u", "p"), **options) as other:
                service = other.broker_service
                await service.download_file_streamed(file_reference="x", reportee=RECIPIENT)

        with pytest.raises(ConfigurationError, match="certificate="):
            asyncio.run(download_async(options))
    assert mock.calls == ()
