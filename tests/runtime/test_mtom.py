"""Streamed (MTOM) calls: our multipart requests read by Python's `email` package, WCF-style MTOM
answers (built here per the MTOM/XOP specifications) read by our client, downloads saved
atomically, interrupted transfers leaving nothing behind."""

from __future__ import annotations

import asyncio
import email
import email.policy
import errno
import hashlib
import io
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from altinn2 import AsyncClient, Client, SystemCredentials
from altinn2.runtime.errors import (
    BindingNotAvailableError,
    ProtocolError,
    SoapFaultError,
    TransportError,
)
from altinn2.runtime.operation import SoapVersion
from altinn2.runtime.transport import download as download_module, mtom as mtom_module
from altinn2.runtime.transport.download import ChecksumMismatchError, DownloadWriteError
from altinn2.runtime.transport.mtom import (
    CLIENT_READER,
    WCF_SERVICE_READER,
    XOP_INCLUDE,
    MtomRequest,
    MultipartReader,
    PartData,
    PartEnd,
    PartStart,
    check_binary_part,
    check_root_part,
    include_binary,
)
from altinn2.services.broker_service import AsyncBrokerService, BrokerService
from tests.soap_server import Reply, SoapServer

BROKER = "http://www.altinn.no/services/ServiceEngine/Broker/2015/06"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
ACTION = f"{BROKER}/IBrokerServiceExternalBasicStreamed/UploadFileStreamedBasic"
SIZES = [0, 1, 3 * 1024 * 1024 + 17]

RECEIPT = (
    f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><ReceiptExternalStreamedBE xmlns="{BROKER}">'
    "<LastChanged>08.05.2024 13:29:28</LastChanged><ParentReceiptId>0</ParentReceiptId>"
    "<ReceiptId>7</ReceiptId><ReceiptStatusCode>OK</ReceiptStatusCode>"
    "<ReceiptText>Upload was successful.</ReceiptText><ReceiptTypeName>BrokerService"
    "</ReceiptTypeName></ReceiptExternalStreamedBE></s:Body></s:Envelope>"
).encode()


def payload(size: int) -> bytes:
    return (hashlib.sha256(str(size).encode()).digest() * (size // 32 + 1))[:size]


def wcf_mtom(envelope: bytes, binary: bytes | None, *, escaped_cid: bool = False) -> Reply:
    """An MTOM answer as WCF writes it (boundary `uuid:…+id=n`, CRLF before the first
    delimiter, root part `application/xop+xml`, binary part `Content-Transfer-Encoding:
    binary`); the cid percent-encoded in the href when `escaped_cid`, as older WCF does."""
    boundary = "uuid:0a3f6a3e-1d5e-4c0e-9e32-7b0c7d4f8c1a+id=3"
    cid = "http://tempuri.org/1/638507369681234567"
    if binary is not None:
        href = cid.replace(":", "%3A").replace("/", "%2F") if escaped_cid else cid
        include = (
            f'<xop:Include href="cid:{href}" xmlns:xop="http://www.w3.org/2004/08/xop/include"/>'
        )
        envelope = envelope.replace(b"@@", include.encode())
    body = (
        f"\r\n--{boundary}\r\nContent-ID: <http://tempuri.org/0>\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        'Content-Type: application/xop+xml;charset=utf-8;type="text/xml"\r\n\r\n'
    ).encode() + envelope
    if binary is not None:
        body += (
            f"\r\n--{boundary}\r\nContent-ID: <{cid}>\r\nContent-Transfer-Encoding: binary\r\n"
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode() + binary
    body += f"\r\n--{boundary}--\r\n".encode()
    content_type = (
        f'multipart/related; type="application/xop+xml";start="<http://tempuri.org/0>";'
        f'boundary="{boundary}";start-info="text/xml"'
    )
    return Reply(body, content_type=content_type)


def download_envelope() -> bytes:
    return (
        f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><DownloadFileStreamedBasicResponse '
        f'xmlns="{BROKER}"><DownloadFileStreamedBasicResult>@@</DownloadFileStreamedBasicResult>'
        "</DownloadFileStreamedBasicResponse></s:Body></s:Envelope>"
    ).encode()


def parse_request(content_type: str, body: bytes) -> email.message.Message:
    raw = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body
    return email.message_from_bytes(raw, policy=email.policy.HTTP)


def client(server: SoapServer) -> Client:
    return Client(base_url=server.url, system=SystemCredentials("sys", "s3cret-pass"))


def check_upload_request(received: Any, data: bytes) -> None:
    assert received.headers["soapaction"] == f'"{ACTION}"'
    message = parse_request(received.headers["content-type"], received.body)
    assert message.get_content_type() == "multipart/related"
    assert message.get_param("type") == "application/xop+xml"
    assert message.get_param("start-info") == "text/xml"
    root, binary = message.get_payload()
    assert f"<{root['Content-ID'].strip('<>')}>" == message.get_param("start")
    assert root.get_content_type() == "application/xop+xml"
    assert root.get_param("type") == "text/xml" and root.get_param("charset") == "utf-8"
    assert binary["Content-Transfer-Encoding"] == "binary"
    assert binary.get_payload(decode=True) == data
    envelope = etree.fromstring(root.get_payload(decode=True))
    headers = {etree.QName(e).localname: e.text for e in envelope[0]}
    assert headers["FileName"] == "data.zip" and headers["Reference"] == "ref-1"
    assert headers["SystemUserName"] == "sys" and headers["SystemPassword"] == "s3cret-pass"
    (include,) = envelope.iter(XOP_INCLUDE)
    assert etree.QName(include.getparent()).localname == "DataStream"
    assert include.get("href") == "cid:" + binary["Content-ID"].strip("<>")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", ["path", "file", "iterator"])
def test_upload_is_a_multipart_request_email_reads(tmp_path: Path, size: int, kind: str) -> None:
    data = payload(size)
    path = tmp_path / "data.zip"
    path.write_bytes(data)
    sources: dict[str, Any] = {
        "path": path,
        "file": io.BytesIO(data),
        "iterator": iter([data[:5], data[5:]]),
    }
    seen: list[int] = []
    with SoapServer(wcf_mtom(RECEIPT, None)) as server, client(server) as api:
        receipt = BrokerService(api).upload_file_streamed_basic(
            source=sources[kind],
            file_name="data.zip",
            reference="ref-1",
            reportee="910453092",
            progress=seen.append,
        )
        check_upload_request(server.last, data)
        headers = server.last.headers
        if kind == "path":  # its size is known: a Content-Length, no chunk framing
            assert int(headers["content-length"]) == len(server.last.body)
            assert "transfer-encoding" not in headers
        else:
            assert headers["transfer-encoding"] == "chunked"
    assert receipt.receipt_id == 7 and receipt.last_changed == "08.05.2024 13:29:28"
    assert (seen[-1] if seen else 0) == size


@pytest.mark.parametrize("size", SIZES)
def test_async_upload(size: int) -> None:
    data = payload(size)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 100_000):
            yield data[start : start + 100_000]

    async def run(server: SoapServer) -> Any:
        async with AsyncClient(
            base_url=server.url, system=SystemCredentials("sys", "s3cret-pass")
        ) as api:
            return await AsyncBrokerService(api).upload_file_streamed_basic(
                source=chunks(), file_name="data.zip", reference="ref-1", reportee="910453092"
            )

    with SoapServer(wcf_mtom(RECEIPT, None)) as server:
        receipt = asyncio.run(run(server))
        check_upload_request(server.last, data)
    assert receipt.receipt_status_code == "OK"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("escaped", [False, True])
def test_download_saves_a_wcf_mtom_answer(tmp_path: Path, size: int, escaped: bool) -> None:
    data = payload(size)
    target = tmp_path / "out.zip"
    seen: list[int] = []
    reply = wcf_mtom(download_envelope(), data, escaped_cid=escaped)
    with SoapServer(reply) as server, client(server) as api:
        with BrokerService(api).download_file_streamed_basic(
            file_reference="ref-1", reportee="910453092"
        ) as answer:
            assert answer.output.download_file_streamed_basic_result == b""
            saved = answer.save(target, progress=seen.append, digest=True)
        message = parse_request(server.last.headers["content-type"], server.last.body)
        (root,) = message.get_payload()  # the request: the envelope part alone
        assert b":DownloadFileStreamedBasic " in root.get_payload(decode=True)
    assert target.read_bytes() == data
    assert saved.sha256 == hashlib.sha256(data).hexdigest() and saved.size == size
    assert (seen[-1] if seen else 0) == size
    assert os.listdir(tmp_path) == ["out.zip"]


@pytest.mark.parametrize("size", SIZES)
def test_async_download_iterates_chunks(size: int) -> None:
    data = payload(size)

    async def run(server: SoapServer) -> bytes:
        async with AsyncClient(
            base_url=server.url, system=SystemCredentials("sys", "s3cret-pass")
        ) as api:
            answer = await AsyncBrokerService(api).download_file_streamed_basic(
                file_reference="ref-1", reportee="910453092"
            )
            async with answer:
                return b"".join([chunk async for chunk in answer.aiter_bytes()])

    with SoapServer(wcf_mtom(download_envelope(), data)) as server:
        assert asyncio.run(run(server)) == data


def test_inline_base64_answer_is_read(tmp_path: Path) -> None:
    import base64

    data = payload(1000)
    envelope = download_envelope().replace(b"@@", base64.b64encode(data))
    with SoapServer(Reply(envelope)) as server, client(server) as api:
        answer = BrokerService(api).download_file_streamed_basic(
            file_reference="ref-1", reportee="910453092"
        )
        assert b"".join(answer.iter_bytes()) == data


def test_dropped_connection_leaves_no_file(tmp_path: Path) -> None:
    data = payload(2 * 1024 * 1024)
    reply = wcf_mtom(download_envelope(), data)
    reply.cut = len(reply.body) // 2
    target = tmp_path / "out.zip"
    with SoapServer(reply) as server, client(server) as api:
        answer = BrokerService(api).download_file_streamed_basic(
            file_reference="ref-1", reportee="910453092"
        )
        with pytest.raises(TransportError, match=r"failed after \d+ bytes of content"):
            answer.save(target)
    assert os.listdir(tmp_path) == []


def test_truncated_multipart_is_refused(tmp_path: Path) -> None:
    reply = wcf_mtom(download_envelope(), payload(5000))
    reply.body = reply.body[: -len("--\r\n") - 60]  # complete HTTP body, no closing delimiter
    with SoapServer(reply) as server, client(server) as api:
        answer = BrokerService(api).download_file_streamed_basic(
            file_reference="ref-1", reportee="910453092"
        )
        with pytest.raises(ProtocolError, match="ended early"):
            answer.save(tmp_path / "out.zip")
    assert os.listdir(tmp_path) == []


def test_disk_full_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = {"bytes": 0}
    real_write = download_module._Sink.write

    def full(self: Any, chunk: bytes) -> None:
        if written["bytes"] > 100_000:
            self.file.write = _raise_enospc
        written["bytes"] += len(chunk)
        real_write(self, chunk)

    monkeypatch.setattr(download_module._Sink, "write", full)
    reply = wcf_mtom(download_envelope(), payload(1_000_000))
    with SoapServer(reply) as server, client(server) as api:
        answer = BrokerService(api).download_file_streamed_basic(
            file_reference="ref-1", reportee="910453092"
        )
        with pytest.raises(DownloadWriteError, match="No space left"):
            answer.save(tmp_path / "out.zip")
    assert os.listdir(tmp_path) == []


def _raise_enospc(chunk: bytes) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_interrupt_leaves_no_file(tmp_path: Path) -> None:
    def interrupt(received: int) -> None:
        if received > 200_000:
            raise KeyboardInterrupt

    reply = wcf_mtom(download_envelope(), payload(1_000_000))
    with SoapServer(reply) as server, client(server) as api:
        answer = BrokerService(api).download_file_streamed_basic(
            file_reference="ref-1", reportee="910453092"
        )
        with pytest.raises(KeyboardInterrupt):
            answer.save(tmp_path / "out.zip", progress=interrupt)
    assert os.listdir(tmp_path) == []


def test_checksum_mismatch_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "out.zip"
    target.write_bytes(b"before")
    with SoapServer(wcf_mtom(download_envelope(), payload(1000))) as server, client(server) as api:
        answer = BrokerService(api).download_file_streamed_basic(
            file_reference="ref-1", reportee="910453092"
        )
        with pytest.raises(ChecksumMismatchError, match="nothing was saved"):
            answer.save(target, sha256="00" * 32)
    assert os.listdir(tmp_path) == ["out.zip"] and target.read_bytes() == b"before"


def test_fault_in_an_mtom_answer_is_raised() -> None:
    fault = (
        f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><s:Fault><faultcode>s:Client</faultcode>'
        "<faultstring>no such file</faultstring></s:Fault></s:Body></s:Envelope>"
    ).encode()
    reply = wcf_mtom(fault, None)
    reply.status = 500
    with (
        SoapServer(reply) as server,
        client(server) as api,
        pytest.raises(SoapFaultError, match="no such file"),
    ):
        BrokerService(api).download_file_streamed_basic(
            file_reference="ref-1", reportee="910453092"
        )


def test_an_mtom_error_answer_that_is_not_xml_names_its_status() -> None:
    # as a buffered answer's: an HTTP error, not "the response is not XML"
    reply = wcf_mtom(b"Internal Server Error", None)
    reply.status = 500
    with (
        SoapServer(reply) as server,
        client(server) as api,
        pytest.raises(TransportError, match="HTTP 500") as caught,
    ):
        BrokerService(api).download_file_streamed_basic(
            file_reference="ref-1", reportee="910453092"
        )
    assert caught.value.status == 500


def test_invoke_refuses_a_streamed_operation() -> None:
    from altinn2.services.broker_service import DOWNLOAD_FILE_STREAMED_BASIC

    with (
        Client(base_url="http://127.0.0.1:9") as api,
        pytest.raises(BindingNotAvailableError, match="service method"),
    ):
        api.invoke(DOWNLOAD_FILE_STREAMED_BASIC, object(), object)


@pytest.mark.parametrize("piece", [1, 7, 44, 45, 46, 4096])
def test_reader_reassembles_parts_fed_in_pieces(piece: int) -> None:
    # near-delimiters in the data: a CRLF, dashes and most of the boundary, CRs at every offset
    tricky = b"\r\n--uuid:0a3f6a3e-1d5e-4c0e-9e32-7b0c7d4f8c1a+id=" + b"\r" * 60 + b"\r\n-"
    data = payload(20_000) + tricky + payload(3_000) + tricky
    reply = wcf_mtom(download_envelope(), data)
    reader = MultipartReader(reply.content_type)
    events: list[Any] = []
    for start in range(0, len(reply.body), piece):
        events += reader.feed(reply.body[start : start + piece])
    reader.close()
    starts = [event for event in events if isinstance(event, PartStart)]
    assert [event.content_id for event in starts] == [
        "http://tempuri.org/0",
        "http://tempuri.org/1/638507369681234567",
    ]
    assert sum(isinstance(event, PartEnd) for event in events) == 2
    second = events.index(starts[1])
    binary = b"".join(e.data for e in events[second:] if isinstance(e, PartData))
    assert binary == data


@pytest.mark.parametrize("in_data", [False, True], ids=["from-the-start", "within-the-part"])
def test_reader_finds_a_delimiter_split_at_any_byte(in_data: bool) -> None:
    # the data ends in CRs and a near-delimiter; the message is cut in two at every byte around
    # the binary part's end. `in_data`: the reader is inside the part's data when the first
    # piece comes (the path that hands data chunks on whole and holds back only a tail)
    data = payload(5_000) + b"\r\n--uuid\r\r\n-\r"
    reply = wcf_mtom(download_envelope(), data)
    start = reply.body.index(data)
    end = start + len(data)
    for cut in range(end - 80, end + 80):
        reader = MultipartReader(reply.content_type)
        events = reader.feed(reply.body[:start]) if in_data else []
        events += reader.feed(reply.body[start if in_data else 0 : cut])
        events += reader.feed(reply.body[cut:])
        reader.close()
        second = [i for i, event in enumerate(events) if isinstance(event, PartStart)][1]
        binary = b"".join(e.data for e in events[second:] if isinstance(e, PartData))
        assert binary == data, cut


def test_reader_reads_the_same_parts_however_the_message_is_cut() -> None:
    # short parts made of the delimiter's own bytes, the message cut in three at every pair of
    # places: the parts read are those of the message fed whole
    boundary = "bd"
    content_type = f'multipart/related; type="application/xop+xml"; boundary="{boundary}"'

    def parts(pieces: list[bytes]) -> list[tuple[str | None, bytes]]:
        reader, read = MultipartReader(content_type), []
        for piece in pieces:
            for event in reader.feed(piece):
                if isinstance(event, PartStart):
                    read.append((event.content_id, b""))
                elif isinstance(event, PartData):
                    read[-1] = (read[-1][0], read[-1][1] + event.data)
        reader.close()
        return read

    datas = [b"\r\n--b\r", b"\r\r\n-\r\n--", b"x\r\n--bX\r\n--b", b"\n--bd", b"", b"\r"]
    for first, second in zip(datas, datas[1:] + datas[:1], strict=True):
        message = (
            f"--{boundary}\r\nContent-ID: <a>\r\n\r\n".encode()
            + first
            + f"\r\n--{boundary}\r\nContent-ID: <b>\r\n\r\n".encode()
            + second
            + f"\r\n--{boundary}--\r\n".encode()
        )
        whole = parts([message])
        assert whole == [("a", first), ("b", second)]
        for i in range(len(message) + 1):
            for j in range(i, len(message) + 1):
                assert parts([message[:i], message[i:j], message[j:]]) == whole, (message, i, j)


def test_reader_hands_data_chunks_on_whole() -> None:
    # a chunk of part data whose last CR cannot begin the delimiter is passed on as it came,
    # not copied or held back in part
    reply = wcf_mtom(download_envelope(), payload(10))
    head = reply.body[: reply.body.index(payload(10))]
    reader = MultipartReader(reply.content_type)
    reader.feed(head)
    for chunk in (b"a" * 1000 + b"\r\n-x" + b"b" * 5, b"c" * 100 + b"\r", b"\n-x" * 30):
        events = reader.feed(chunk)
        if chunk.endswith(b"\r"):  # a CR may begin the delimiter: it waits for the next chunk
            assert [e.data for e in events] == [chunk[:-1]]
        else:
            assert len(events) <= 2 and events[-1].data is chunk


@pytest.mark.parametrize("boundary", ["a\rb", "a\r\n b", "ab\n"])
def test_reader_refuses_a_boundary_with_a_line_break(boundary: str) -> None:
    # RFC 2046 allows none; with a CR inside, a delimiter cut after that CR would pass as data
    content_type = f'multipart/related; type="application/xop+xml"; boundary="{boundary}"'
    with pytest.raises(ProtocolError, match="line break"):
        MultipartReader(content_type)


def test_soap12_request_names_its_action() -> None:
    message = MtomRequest(b"<e/>", SoapVersion.SOAP12, "urn:act")
    parsed = parse_request(message.content_type, b"".join(message))
    assert parsed.get_param("start-info") == "application/soap+xml"
    assert parsed.get_param("action") == "urn:act"
    (root,) = parsed.get_payload()
    assert root.get_param("type") == "application/soap+xml"


def test_include_binary_needs_the_element() -> None:
    envelope = f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><a><b/></a></s:Body></s:Envelope>'
    with pytest.raises(ValueError, match="DataStream"):
        include_binary(envelope.encode(), "DataStream")


def test_ws_usernametoken_envelope_is_wrapped_as_is(tmp_path: Path) -> None:
    """A WS (SOAP 1.2, UsernameToken, WS-Addressing) streamed row: MTOM wraps the envelope the
    client prepared, security header and addressing included; action in the content type."""
    import dataclasses

    from altinn2.models.broker_service_2015_06 import (
        FileName,
        ReceiptExternalStreamedBE,
        StreamedPayloadBasicBE,
    )
    from altinn2.runtime.operation import Binding, Security, SecurityPolicy
    from altinn2.runtime.secrets import SealedRequest
    from altinn2.services.broker_service import UPLOAD_FILE_STREAMED_BASIC

    operation = dataclasses.replace(
        UPLOAD_FILE_STREAMED_BASIC,
        binding=Binding.WS,
        soap_version=SoapVersion.SOAP12,
        policy=SecurityPolicy(style=Security.USERNAME_TOKEN, timestamp=True),
        addressing=True,
        input_headers=(FileName,),
        header_parameters=("file_name",),
        credentials={},
    )
    soap12 = "http://www.w3.org/2003/05/soap-envelope"
    receipt = RECEIPT.replace(SOAP11.encode(), soap12.encode())
    reply = wcf_mtom(receipt, None)
    reply.content_type = reply.content_type.replace("text/xml", "application/soap+xml")
    reply.body = reply.body.replace(b'type="text/xml"', b'type="application/soap+xml"')
    data = payload(100_000)
    request = SealedRequest(StreamedPayloadBasicBE(data_stream=b""), [FileName(value="a.zip")])
    with SoapServer(reply) as server, client(server) as api:
        result = api.upload(operation, request, ReceiptExternalStreamedBE, source=iter([data]))
        received = server.last
    assert result.receipt_id == 7
    message = parse_request(received.headers["content-type"], received.body)
    assert message.get_param("start-info") == "application/soap+xml"
    assert message.get_param("action") == operation.action
    root, binary = message.get_payload()
    assert root.get_param("type") == "application/soap+xml"
    assert binary.get_payload(decode=True) == data
    envelope = etree.fromstring(root.get_payload(decode=True))
    names = [etree.QName(block).localname for block in envelope[0]]
    assert {"Action", "MessageID", "To", "Security", "FileName"} <= set(names)
    token = next(envelope[0].iter("{*}UsernameToken"))
    assert token.findtext("{*}Username") == "sys"
    (include,) = envelope.iter(XOP_INCLUDE)
    assert include.get("href") == "cid:" + binary["Content-ID"].strip("<>")


def test_async_save_of_a_dropped_transfer_leaves_no_file(tmp_path: Path) -> None:
    reply = wcf_mtom(download_envelope(), payload(2 * 1024 * 1024))
    reply.cut = len(reply.body) // 2

    async def run(server: SoapServer) -> None:
        async with AsyncClient(
            base_url=server.url, system=SystemCredentials("sys", "s3cret-pass")
        ) as api:
            answer = await AsyncBrokerService(api).download_file_streamed_basic(
                file_reference="ref-1", reportee="910453092"
            )
            await answer.asave(tmp_path / "out.zip")

    with SoapServer(reply) as server, pytest.raises(TransportError, match="nothing was saved"):
        asyncio.run(run(server))
    assert os.listdir(tmp_path) == []


def test_an_include_pointing_to_a_part_that_never_comes_is_refused(tmp_path: Path) -> None:
    """The envelope points at a binary part the message does not hold: an error, no file."""
    include = (
        '<xop:Include href="cid:missing@x" xmlns:xop="http://www.w3.org/2004/08/xop/include"/>'
    )
    reply = wcf_mtom(download_envelope().replace(b"@@", include.encode()), None)
    with SoapServer(reply) as server, client(server) as api:
        answer = BrokerService(api).download_file_streamed_basic(
            file_reference="ref-1", reportee="910453092"
        )
        with answer, pytest.raises(ProtocolError, match=r"missing@x.*never came"):
            answer.save(tmp_path / "out.zip")
    assert os.listdir(tmp_path) == []


def test_inline_base64_inside_an_mtom_answer_is_the_content() -> None:
    """An MTOM answer whose envelope part holds the content inline (no xop:Include), as a
    server may send a small file: the content is what the element holds."""
    import base64

    data = payload(700)
    reply = wcf_mtom(download_envelope().replace(b"@@", base64.b64encode(data)), None)
    with SoapServer(reply) as server, client(server) as api:
        answer = BrokerService(api).download_file_streamed_basic(
            file_reference="ref-1", reportee="910453092"
        )
        with answer:
            assert b"".join(answer.iter_bytes()) == data


class ThreadRecordingFile(io.BytesIO):
    """A binary file that records the thread of each read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.threads: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        import threading

        self.threads.append(threading.get_ident())
        return super().read(size)


def test_async_upload_reads_the_file_in_a_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The async client never reads a file on the event loop's thread: each chunk is read in a
    worker thread (a path is opened there too)."""
    import threading

    data = payload(3 * 1024 * 1024 + 17)
    file = ThreadRecordingFile(data)
    path = tmp_path / "data.zip"
    path.write_bytes(data)
    opened: list[int] = []

    def recording_open(*args: Any, **kwargs: Any) -> Any:
        opened.append(threading.get_ident())
        return open(*args, **kwargs)

    monkeypatch.setattr(mtom_module, "open", recording_open, raising=False)

    async def run(server: SoapServer) -> int:
        async with AsyncClient(
            base_url=server.url, system=SystemCredentials("sys", "s3cret-pass")
        ) as api:
            service = AsyncBrokerService(api)
            for source in (file, path):
                await service.upload_file_streamed_basic(
                    source=source, file_name="data.zip", reference="ref-1", reportee="910453092"
                )
                check_upload_request(server.last, data)
        return threading.get_ident()

    with SoapServer(wcf_mtom(RECEIPT, None)) as server:
        loop_thread = asyncio.run(run(server))
    assert len(file.threads) >= 2  # several chunks and the final empty read
    assert loop_thread not in file.threads
    assert opened and loop_thread not in opened


def test_a_source_is_resendable_only_when_it_can_be_read_again(tmp_path: Path) -> None:
    from altinn2.runtime.transport.mtom import iter_source, resender

    path = tmp_path / "data.zip"
    path.write_bytes(b"0123456789")
    file = io.BytesIO(b"0123456789")
    file.seek(3)
    rewind = resender(file)
    assert rewind is not None
    assert b"".join(iter_source(file)) == b"3456789"
    rewind()
    assert b"".join(iter_source(file)) == b"3456789"  # from where it stood, not from 0
    assert resender(path) is not None and resender(str(path)) is not None
    assert resender([b"a", b"b"]) is not None
    assert resender(iter([b"a"])) is None

    class Pipe(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

    assert resender(Pipe()) is None


def test_a_security_answer_in_mtom_is_read_with_its_parts_inlined() -> None:
    """An MTOM endpoint answers its RST in MTOM and may put the token's cookie in a part of its
    own: the answer is read as one document, the cookie inline, in base64."""
    from altinn2.runtime.transport.mtom import inline_parts

    cookie = os.urandom(1000)
    envelope = (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        b'<Cookie xmlns="http://schemas.microsoft.com/ws/2006/05/security">@@</Cookie>'
        b"</s:Body></s:Envelope>"
    )
    reply = wcf_mtom(envelope, cookie, escaped_cid=True)
    document = etree.fromstring(inline_parts(reply.content_type, reply.body))
    (element,) = document.iter("{http://schemas.microsoft.com/ws/2006/05/security}Cookie")
    import base64

    assert base64.b64decode(element.text or "") == cookie
    assert inline_parts("application/soap+xml", b"<x/>") == b"<x/>"


# The client's reader of answers keeps its tolerant policy (`CLIENT_READER`); the mock's
# reader of requests has WCF's service rules (`WCF_SERVICE_READER`, tests/testing/test_mtom.py).
TOLERATED = {
    "binary part without an encoding": (b"Content-Transfer-Encoding: binary\r\n", b""),
    "binary part 8bit": (
        b"Content-Transfer-Encoding: binary\r\n",
        b"Content-Transfer-Encoding: 8bit\r\n",
    ),
    "root part without charset and type": (b';charset=utf-8;type="text/xml"', b""),
}


@pytest.mark.parametrize("name", list(TOLERATED))
def test_the_client_reads_an_answer_the_service_reader_would_refuse(
    tmp_path: Path, name: str
) -> None:
    data = payload(4099)
    reply = wcf_mtom(download_envelope(), data)
    old, new = TOLERATED[name]
    assert reply.body.count(old) == 1
    tolerant = Reply(reply.body.replace(old, new), content_type=reply.content_type)
    target = tmp_path / "out.zip"
    with (
        SoapServer(tolerant) as server,
        client(server) as api,
        BrokerService(api).download_file_streamed_basic(
            file_reference="ref-1", reportee="910453092"
        ) as answer,
    ):
        answer.save(target)
    assert target.read_bytes() == data
    # The same parts under the service's policy: refused.
    reader = MultipartReader(reply.content_type)
    starts = [e for e in reader.feed(tolerant.body) if isinstance(e, PartStart)]
    with pytest.raises(ProtocolError):
        check_root_part(starts[0], WCF_SERVICE_READER, "text/xml")
        check_binary_part(starts[1], WCF_SERVICE_READER)
    check_root_part(starts[0], CLIENT_READER, "text/xml")
    check_binary_part(starts[1], CLIENT_READER)
