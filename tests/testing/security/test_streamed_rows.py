"""Every streamed (MTOM) EC and EC2 row, called end to end through the generated client over
loopback HTTPS against the mock, sync and async, with files of 0 bytes, 1 byte and a few MiB.

The rows come from the generated metadata (each EC/EC2 `OperationInfo` with `mtom`, and the
service method that calls it). Uploads: the mock's record of the call holds the size and SHA-256
of the file it spooled. Downloads: the mock answers with content given through `respond()`. The
broker rows also go round the stateful scenario: the file uploaded is kept on the mock's disk and
a recipient's download gets it back. One context per endpoint, EC's Cancel on close; renewal and
a forgotten context (`BadContextToken`: issued anew, the file sent once more) on the streamed
path too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import typing
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from altinn2.models.broker_2015_06 import BrokerServiceInitiation, File, Manifest, Recipient
from altinn2.runtime import Certificate
from altinn2.runtime.operation import Binding, OperationInfo
from altinn2.runtime.registry import operation_index
from altinn2.runtime.security.context_cache import ContextCache
from altinn2.runtime.transport.mtom import streamed_field
from altinn2.runtime.wsheaders import utc_now
from altinn2.testing import MockAltinn
from tests.pki import Pki
from tests.testing.security.conftest import ENTERPRISE, https_mock
from tests.testing.security.test_calls import exchanges, expected
from tests.testing.security.test_lifecycle import kinds
from tests.testing.test_operations import EndpointMethod, arguments, endpoint_methods, matches

SIZES = (0, 1, 3 * 1024 * 1024 + 17)  # empty, one byte, several chunks and an odd tail
SENDER, RECIPIENT = "910000001", "910000002"


def secured_and_streamed(operation: OperationInfo) -> bool:
    return operation.binding in (Binding.EC, Binding.EC2) and operation.mtom


ROWS = [method for method in endpoint_methods() if secured_and_streamed(method.operation)]
UPLOADS = [row for row in ROWS if streamed_field(row.operation.input) is not None]
DOWNLOADS = [
    row
    for row in ROWS
    if row.operation.output is not None and streamed_field(row.operation.output) is not None
]


def content(size: int) -> bytes:
    return (hashlib.sha256(b"%d" % size).digest() * (size // 32 + 1))[:size]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_every_streamed_ec_and_ec2_row_is_an_upload_or_a_download() -> None:
    operations = [op for op in operation_index().operations if secured_and_streamed(op)]
    assert sorted(row.operation.label for row in ROWS) == sorted(op.label for op in operations)
    assert {op.binding for op in operations} == {Binding.EC, Binding.EC2}
    assert len(UPLOADS) + len(DOWNLOADS) == len(ROWS) and UPLOADS and DOWNLOADS


def method(client: Any, row: EndpointMethod) -> Any:
    return getattr(getattr(client, row.service), row.method)


def call_arguments(row: EndpointMethod, function: Any) -> dict[str, Any]:
    """The method's inputs from an example (header parts and body), without the file."""
    values = arguments(row, function)
    values.pop("source", None)
    return values


def write(tmp_path: Path, size: int) -> Path:
    path = tmp_path / f"file-{size}.bin"
    path.write_bytes(content(size))
    return path


def attachment_of(mock: MockAltinn, operation: OperationInfo) -> tuple[int, str] | None:
    """The size and SHA-256 of the file the last call of `operation` carried."""
    (last,) = [
        call
        for call in mock.calls
        if call.path.lower() == operation.path.lower() and call.operation == operation.name
    ][-1:]
    assert last.ok, last
    return last.attachment


@pytest.mark.parametrize("row", UPLOADS, ids=lambda row: row.operation.label)
def test_an_upload_reaches_the_mock_whole(
    mock: MockAltinn, certificate: Certificate, tmp_path: Path, row: EndpointMethod
) -> None:
    operation = row.operation
    with mock.client(operation.binding, certificate=certificate, enterprise=ENTERPRISE) as client:
        function = method(client, row)
        for size in SIZES:
            heard: list[int] = []
            receipt = function(
                **call_arguments(row, function),
                source=write(tmp_path, size),
                progress=heard.append,
            )
            assert matches(receipt, typing.get_type_hints(function)["return"])
            assert attachment_of(mock, operation) == (size, sha256(content(size)))
            assert (heard[-1] if heard else 0) == size
    assert exchanges(mock, operation) == expected(operation, len(SIZES))


@pytest.mark.parametrize("row", UPLOADS, ids=lambda row: row.operation.label)
async def test_an_async_upload_reaches_the_mock_whole(
    mock: MockAltinn, certificate: Certificate, tmp_path: Path, row: EndpointMethod
) -> None:
    operation = row.operation

    async def chunks(data: bytes) -> AsyncIterator[bytes]:
        for start in range(0, len(data), 100_000):
            yield data[start : start + 100_000]

    async with mock.async_client(
        operation.binding, certificate=certificate, enterprise=ENTERPRISE
    ) as client:
        function = method(client, row)
        for size in SIZES:
            path = write(tmp_path, size)
            with path.open("rb") as file:  # a file object, read in a worker thread
                await function(**call_arguments(row, function), source=file)
            assert attachment_of(mock, operation) == (size, sha256(content(size)))
            await function(**call_arguments(row, function), source=chunks(content(size)))
            assert attachment_of(mock, operation) == (size, sha256(content(size)))
    assert exchanges(mock, operation) == expected(operation, 2 * len(SIZES))


def with_content(operation: OperationInfo, data: bytes) -> Any:
    """The operation's output wrapper holding `data` in its streamed field."""
    assert operation.output is not None
    found = streamed_field(operation.output)
    assert found is not None
    return operation.output(**{found[0]: data})


@pytest.mark.parametrize("row", DOWNLOADS, ids=lambda row: row.operation.label)
def test_a_download_brings_the_mocks_content(
    mock: MockAltinn, certificate: Certificate, tmp_path: Path, row: EndpointMethod
) -> None:
    operation = row.operation
    with mock.client(operation.binding, certificate=certificate, enterprise=ENTERPRISE) as client:
        function = method(client, row)
        for size in SIZES:
            data = content(size)
            mock.respond(operation, with_content(operation, data), times=2)
            target = tmp_path / f"download-{size}.bin"
            with function(**call_arguments(row, function)) as answer:
                saved = answer.save(target, sha256=sha256(data))
            assert saved.size == size and target.read_bytes() == data
            with function(**call_arguments(row, function)) as answer:
                assert isinstance(answer.output, operation.output)
                assert sha256(b"".join(answer.iter_bytes())) == sha256(data)
    assert exchanges(mock, operation) == expected(operation, 2 * len(SIZES))
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"download-{size}.bin" for size in SIZES
    )  # no temporary file left behind


@pytest.mark.parametrize("row", DOWNLOADS, ids=lambda row: row.operation.label)
async def test_an_async_download_brings_the_mocks_content(
    mock: MockAltinn, certificate: Certificate, tmp_path: Path, row: EndpointMethod
) -> None:
    operation = row.operation
    async with mock.async_client(
        operation.binding, certificate=certificate, enterprise=ENTERPRISE
    ) as client:
        function = method(client, row)
        for size in SIZES:
            data = content(size)
            mock.respond(operation, with_content(operation, data), times=2)
            async with await function(**call_arguments(row, function)) as answer:
                saved = await answer.asave(tmp_path / "download.bin", digest=True)
            assert saved.size == size and saved.sha256 == sha256(data)
            async with await function(**call_arguments(row, function)) as answer:
                received = b"".join([chunk async for chunk in answer.aiter_bytes()])
            assert received == data
    assert exchanges(mock, operation) == expected(operation, 2 * len(SIZES))


# -- the broker's rows round the stateful scenario ----------------------------------------------


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


def stateful(pki: Pki, **options: object) -> MockAltinn:
    mock = https_mock(pki, stateful=True, **options)
    mock.scenario.broker_auto_upload = False
    return mock


def kept(mock: MockAltinn) -> list[bytes]:
    """The files the scenario keeps in the mock's folder."""
    folder = mock.upload_folder()
    return [path.read_bytes() for path in sorted(folder.iterdir()) if path.name != "empty"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("binding", [Binding.EC, Binding.EC2], ids=str)
def test_a_broker_file_uploaded_is_downloaded_back(
    pki: Pki, certificate: Certificate, tmp_path: Path, binding: Binding, size: int
) -> None:
    data = content(size)
    with stateful(pki) as mock:
        with mock.client(binding, certificate=certificate, enterprise=ENTERPRISE) as client:
            broker = client.broker_service
            reference = broker.initiate_broker_service(broker_service_initiation=initiation())
            assert reference is not None
            broker.upload_file_streamed(
                source=write(tmp_path, size),
                file_name="payload.zip",
                reference=reference,
                reportee=SENDER,
            )
            assert kept(mock) == [data]  # on the mock's disk
            target = tmp_path / "received.zip"
            with broker.download_file_streamed(
                file_reference=reference, reportee=RECIPIENT
            ) as answer:
                saved = answer.save(target, sha256=sha256(data))
            assert saved.size == size and target.read_bytes() == data
            assert mock.scenario.broker_files[0].status == "Downloaded"
        mock.check()


@pytest.mark.parametrize("binding", [Binding.EC, Binding.EC2], ids=str)
async def test_a_broker_file_uploaded_is_downloaded_back_async(
    pki: Pki, certificate: Certificate, binding: Binding
) -> None:
    data = content(SIZES[-1])

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 65_536):
            yield data[start : start + 65_536]

    with stateful(pki) as mock:
        async with mock.async_client(
            binding, certificate=certificate, enterprise=ENTERPRISE
        ) as client:
            broker = client.broker_service
            reference = await broker.initiate_broker_service(broker_service_initiation=initiation())
            assert reference is not None
            await broker.upload_file_streamed(
                source=chunks(), file_name="payload.zip", reference=reference, reportee=SENDER
            )
            answer = await broker.download_file_streamed(
                file_reference=reference, reportee=RECIPIENT
            )
            async with answer:
                received = b"".join([chunk async for chunk in answer.aiter_bytes()])
        assert sha256(received) == sha256(data)
        mock.check()


# -- a context's life on the streamed path ------------------------------------------------------


def upload_row(binding: Binding) -> EndpointMethod:
    (row,) = [
        row
        for row in UPLOADS
        if row.operation.base_operation == "UploadFileStreamed" and row.operation.binding is binding
    ]
    return row


@pytest.mark.parametrize("binding", [Binding.EC, Binding.EC2], ids=str)
def test_a_forgotten_context_is_reissued_and_the_file_sent_once_more(
    mock: MockAltinn, certificate: Certificate, tmp_path: Path, binding: Binding
) -> None:
    row = upload_row(binding)
    path = write(tmp_path, SIZES[-1])
    with mock.client(binding, certificate=certificate, enterprise=ENTERPRISE) as client:
        function = method(client, row)
        function(**call_arguments(row, function), source=path)
        mock.forget_contexts()  # a recycled service: EC's contexts gone, EC2's cookie key new
        function(**call_arguments(row, function), source=path)
    name = row.operation.name
    assert kinds(mock)[:5] == ["issued", name, "c:BadContextToken", "issued", name]
    assert mock.calls[4].attachment == (SIZES[-1], sha256(content(SIZES[-1])))


@pytest.mark.parametrize("binding", [Binding.EC, Binding.EC2], ids=str)
async def test_a_forgotten_context_is_reissued_for_an_async_download(
    mock: MockAltinn, certificate: Certificate, binding: Binding
) -> None:
    (row,) = [row for row in DOWNLOADS if row.operation.binding is binding][:1]
    data = content(SIZES[-1])
    mock.respond(row.operation, with_content(row.operation, data))
    async with mock.async_client(binding, certificate=certificate, enterprise=ENTERPRISE) as client:
        function = method(client, row)
        for forget in (False, True):
            if forget:
                mock.forget_contexts()
            async with await function(**call_arguments(row, function)) as answer:
                received = b"".join([chunk async for chunk in answer.aiter_bytes()])
            assert received == data
    name = row.operation.name
    assert kinds(mock)[:5] == ["issued", name, "c:BadContextToken", "issued", name]


@pytest.mark.parametrize("binding", [Binding.EC, Binding.EC2], ids=str)
def test_a_streamed_call_renews_the_context_before_it_ends(
    pki: Pki, certificate: Certificate, tmp_path: Path, binding: Binding
) -> None:
    row = upload_row(binding)
    now = [utc_now()]
    path = write(tmp_path, 1)
    with https_mock(pki, token_lifetime=dt.timedelta(seconds=30)) as mock:
        with mock.client(binding, certificate=certificate, enterprise=ENTERPRISE) as client:
            client.conversation.cache = ContextCache(clock=lambda: now[0])
            function = method(client, row)
            function(**call_arguments(row, function), source=path)
            now[0] += dt.timedelta(seconds=20)  # past 60 % of the lifetime
            function(**call_arguments(row, function), source=path)
        name = row.operation.name
        renewal = ["issued", "cancelled"] if binding is Binding.EC else ["issued"]
        closing = ["cancelled"] if binding is Binding.EC else []
        assert kinds(mock) == ["issued", name, *renewal, name, *closing]
        assert mock.calls[-1 - len(closing)].attachment == (1, sha256(content(1)))
        mock.check()


@pytest.mark.parametrize(
    "row",
    [row for row in UPLOADS if row.operation.base_operation != "UploadFileStreamed"],
    ids=lambda row: row.operation.label,
)
def test_the_stateful_mock_takes_an_attachment_for_what_it_is(
    pki: Pki, certificate: Certificate, row: EndpointMethod
) -> None:
    """Not a broker file: answered as by default, its hash in the record, nothing kept."""
    operation = row.operation
    with stateful(pki) as mock:
        with mock.client(
            operation.binding, certificate=certificate, enterprise=ENTERPRISE
        ) as client:
            function = method(client, row)
            function(**call_arguments(row, function), source=iter([b"vedlegg"]))
        assert attachment_of(mock, operation) == (7, sha256(b"vedlegg"))
        assert kept(mock) == [] and mock.scenario.broker_files == []
        mock.check()
