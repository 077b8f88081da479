"""The mock reads a streamed (MTOM) request as WCF's service reader does (`WCF_SERVICE_READER`,
reference notes ec-wire §8, [RS-MTOMR]): each rule is broken alone by a hand-built multipart
message to the Basic streamed broker upload, answered HTTP 400 with nothing kept; what WCF
accepts (no start, a start without angle brackets, root encodings, a skipped part without
Content-ID, a percent-encoded cid, CXF's upper-case charset) is answered and the file kept."""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from altinn2.runtime.operation import SoapVersion
from altinn2.runtime.transport.mtom import XOP_NS, MtomRequest, include_binary
from altinn2.testing import DEFAULT_SYSTEM, MockAltinn
from altinn2.testing.faults import Reply
from altinn2.testing.mtom import Attachment, receive
from tests.testing.test_mtom_mock import SENDER, initiation

BROKER = "http://www.altinn.no/services/ServiceEngine/Broker/2015/06"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
PATH = "/ServiceEngineExternal/BrokerServiceExternalBasicStreamed.svc"
ACTION = f"{BROKER}/IBrokerServiceExternalBasicStreamed/UploadFileStreamedBasic"
BOUNDARY = "uuid:6f1b2c1e-0d7e-4c1e-9a51-3c2b1a0f9e77+id=7"
ROOT_ID = "http://tempuri.org/0"
FILE_ID = "http://tempuri.org/1/638000000000000000"
FILE = b"PK\x03\x04 a broker file\r\n--not a boundary\r\n" * 40


def envelope(reference: str, href: str) -> bytes:
    """The upload's envelope as recorded from Altinn's documentation, the mock's credentials."""
    return (
        f'<s:Envelope xmlns:s="{SOAP11}" xmlns:ns="{BROKER}"><s:Header>'
        f"<ns:SystemUserName>{DEFAULT_SYSTEM.user_name}</ns:SystemUserName>"
        f"<ns:SystemPassword>{DEFAULT_SYSTEM.password.reveal()}</ns:SystemPassword>"
        f"<ns:Reportee>{SENDER}</ns:Reportee><ns:Reference>{reference}</ns:Reference>"
        "<ns:FileName>payload.zip</ns:FileName></s:Header><s:Body><ns:StreamedPayloadBasicBE>"
        f'<ns:DataStream><xop:Include xmlns:xop="{XOP_NS}" '
        f'href="{href}"/></ns:DataStream></ns:StreamedPayloadBasicBE></s:Body></s:Envelope>'
    ).encode()


@dataclass(frozen=True)
class Message:
    """A multipart MTOM message as WCF writes it (ec-wire §8), each piece replaceable. A
    header or parameter set to None is left out."""

    params: dict[str, str | None] = field(
        default_factory=lambda: {
            "type": "application/xop+xml",
            "start": f"<{ROOT_ID}>",
            "boundary": BOUNDARY,
            "start-info": "text/xml",
        }
    )
    root: dict[str, str | None] = field(
        default_factory=lambda: {
            "Content-ID": f"<{ROOT_ID}>",
            "Content-Transfer-Encoding": "8bit",
            "Content-Type": 'application/xop+xml;charset=utf-8;type="text/xml"',
        }
    )
    binary: dict[str, str | None] = field(
        default_factory=lambda: {
            "Content-ID": f"<{FILE_ID}>",
            "Content-Transfer-Encoding": "binary",
            "Content-Type": "application/octet-stream",
        }
    )
    href: str = f"cid:{FILE_ID}"
    extra: tuple[tuple[dict[str, str | None], bytes], ...] = ()  # parts before the binary one
    hrefs: int = 1  # how many xop:Include elements (a second one in the header)
    prologue: bytes = b""  # before the envelope, in the root part

    def content_type(self) -> str:
        pairs = [f'{name}="{value}"' for name, value in self.params.items() if value is not None]
        return "; ".join(["multipart/related", *pairs])

    def body(self, reference: str) -> bytes:
        root = self.prologue + envelope(reference, self.href)
        if self.hrefs == 2:  # the same part referenced once more
            include = f'<xop:Include xmlns:xop="{XOP_NS}" href="{self.href}"/>'
            root = root.replace(
                b"</s:Header>", f"<ns:Extra>{include}</ns:Extra></s:Header>".encode()
            )
        parts = [(self.root, root), *self.extra, (self.binary, FILE)]
        out = b""
        for headers, data in parts:
            lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items() if v is not None)
            out += f"\r\n--{BOUNDARY}\r\n{lines}\r\n".encode() + data
        return out + f"\r\n--{BOUNDARY}--\r\n".encode()


def with_param(name: str, value: str | None) -> Message:
    message = Message()
    return replace(message, params={**message.params, name: value})


def with_root(name: str, value: str | None) -> Message:
    message = Message()
    return replace(message, root={**message.root, name: value})


def with_binary(name: str, value: str | None) -> Message:
    message = Message()
    return replace(message, binary={**message.binary, name: value})


def root_type(value: str) -> Message:
    return with_root("Content-Type", value)


def many_parts(count: int) -> Message:
    """`count` parts in all: the root, the binary part and small parts without Content-ID."""
    filler = ({"Content-Type": "application/octet-stream"}, b"x")
    return replace(Message(), extra=(filler,) * (count - 2))


@pytest.fixture
def mock() -> Iterator[MockAltinn]:
    with MockAltinn(stateful=True) as running:
        running.scenario.broker_auto_upload = False
        yield running
        running.check()


def send(mock: MockAltinn, message: Message) -> httpx.Response:
    reference = mock.client().broker_service.initiate_broker_service_basic(
        broker_service_initiation=initiation()
    )
    assert reference is not None
    headers = {"Content-Type": message.content_type(), "SOAPAction": f'"{ACTION}"'}
    return httpx.post(mock.url + PATH, content=message.body(reference), headers=headers)


def kept(mock: MockAltinn) -> list[bytes]:
    folder = mock.upload_folder()
    return [(folder / name).read_bytes() for name in os.listdir(folder) if name != "empty"]


# Each breaks one rule of WCF's service reader [RS-MTOMR] and nothing else.
BROKEN = {
    # "type parameter exactly application/xop+xml"
    "type is not exactly application/xop+xml": with_param("type", "Application/XOP+XML"),
    # "boundary required"
    "no boundary": with_param("boundary", None),
    # "With start, the root part is located by Content-ID"
    "start names no part": with_param("start", "<http://tempuri.org/9>"),
    # "Root part Content-Type must be application/xop+xml" (CXF's text/xml: dotnet/wcf#4918)
    "root part is text/xml": root_type('text/xml;charset=utf-8;type="text/xml"'),
    # "with a non-empty charset"
    "root part has no charset": root_type('application/xop+xml;type="text/xml"'),
    "root part has an empty charset": root_type('application/xop+xml;charset=;type="text/xml"'),
    # "(must match a supported encoding)"
    "root part charset is unsupported": root_type(
        'application/xop+xml;charset=iso-8859-1;type="text/xml"'
    ),
    # "when start-info was given, a type parameter exactly equal to it"
    "root type differs from start-info": root_type(
        'application/xop+xml;charset=utf-8;type="application/soap+xml"'
    ),
    "root part has no type though start-info is given": root_type(
        "application/xop+xml;charset=utf-8"
    ),
    # "Root Content-Transfer-Encoding may be absent, 7bit, 8bit or binary"
    "root part is base64": with_root("Content-Transfer-Encoding", "base64"),
    "root part is quoted-printable": with_root("Content-Transfer-Encoding", "quoted-printable"),
    # "Every xop-referenced part must have Content-Transfer-Encoding: binary (missing or
    # anything else -> error; base64 parts are rejected)"
    "binary part without an encoding": with_binary("Content-Transfer-Encoding", None),
    "binary part is 8bit": with_binary("Content-Transfer-Encoding", "8bit"),
    "binary part is base64": with_binary("Content-Transfer-Encoding", "base64"),
    # "a part may be referenced only once"
    "a part referenced twice": replace(Message(), hrefs=2),
    # "max 1000 parts by default"
    "1001 parts": many_parts(1001),
    # An xop:Include must point to a part of the message (XOP; the reader fails otherwise)
    "xop:Include points to no part": replace(Message(), href="cid:http://tempuri.org/1/1"),
    # The root part is read by the mock's safe XML parser as it arrives (to find the file).
    "root part is not well-formed": replace(Message(), prologue=b"<<"),
    "root part has a DOCTYPE": replace(Message(), prologue=b'<!DOCTYPE e [<!ENTITY x "y">]>'),
}


# What each broken message is refused for (the 400's text names the rule).
REASONS = {
    "type is not exactly application/xop+xml": "not multipart/related with type=",
    "no boundary": "has no boundary",
    "start names no part": "not the root part",
    "root part is text/xml": "the root part is text/xml",
    "root part has no charset": "root part's charset is ''",
    "root part has an empty charset": "root part's charset is ''",
    "root part charset is unsupported": "root part's charset is 'iso-8859-1'",
    "root type differs from start-info": "root part's type is 'application/soap+xml'",
    "root part has no type though start-info is given": "root part's type is None",
    "root part is base64": "root part has Content-Transfer-Encoding 'base64'",
    "root part is quoted-printable": "root part has Content-Transfer-Encoding 'quoted-printable'",
    "binary part without an encoding": "binary part with Content-Transfer-Encoding missing",
    "binary part is 8bit": "binary part with Content-Transfer-Encoding '8bit'",
    "binary part is base64": "binary part with Content-Transfer-Encoding 'base64'",
    "a part referenced twice": "referenced by more than one xop:Include",
    "1001 parts": "more than 1000 parts",
    "xop:Include points to no part": "xop:Include points to no part",
    "root part is not well-formed": "the root part is refused: response is not well-formed",
    "root part has a DOCTYPE": "the root part is refused: response has a DOCTYPE",
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_mtom_rule_is_http_400_and_nothing_is_kept(mock: MockAltinn, name: str) -> None:
    response = send(mock, BROKEN[name])
    assert response.status_code == 400, response.text[:500]
    assert response.text.startswith("Bad Request: unreadable MTOM body (MTOM: ")
    assert REASONS[name] in response.text, response.text[:500]
    assert kept(mock) == []
    assert mock.calls[-1].operation == "InitiateBrokerServiceBasic"  # no upload was answered


# What WCF's reader accepts and a stricter reader might not [RS-MTOMR].
ACCEPTED = {
    "as WCF writes it": Message(),
    # "start and start-info optional ... without it the first part is the root"
    "no start, no start-info": replace(
        Message(),
        params={"type": "application/xop+xml", "boundary": BOUNDARY},
        root={**Message().root, "Content-Type": "application/xop+xml;charset=utf-8"},
    ),
    # "(angle brackets added if missing)"
    "start without angle brackets": with_param("start", ROOT_ID),
    # "Root Content-Transfer-Encoding may be absent, 7bit, 8bit or binary"
    "root part without an encoding": with_root("Content-Transfer-Encoding", None),
    "root part 7bit": with_root("Content-Transfer-Encoding", "7bit"),
    "root part binary": with_root("Content-Transfer-Encoding", "binary"),
    # CXF writes charset=UTF-8 and a binary root part (tests/testing/security/test_cxf_client*)
    "CXF's upper-case charset": root_type('application/xop+xml; charset=UTF-8; type="text/xml"'),
    # "Parts without Content-ID are skipped"
    "a part without Content-ID before the file": many_parts(3),
    "1000 parts": many_parts(1000),
    # "the reader URL-unescapes, so both must be accepted" (percent-encoded cid)
    "a percent-encoded cid": replace(
        Message(), href="cid:" + FILE_ID.replace(":", "%3A").replace("/", "%2F")
    ),
}


@pytest.mark.parametrize("message", ACCEPTED.values(), ids=list(ACCEPTED))
def test_what_wcf_accepts_is_answered_and_the_file_kept(mock: MockAltinn, message: Message) -> None:
    response = send(mock, message)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("multipart/related")
    assert kept(mock) == [FILE]
    call = mock.calls[-1]
    assert call.operation == "UploadFileStreamedBasic" and call.ok
    assert call.attachment == (len(FILE), hashlib.sha256(FILE).hexdigest())


def test_our_clients_own_upload_message_is_answered(mock: MockAltinn) -> None:
    """The message `MtomRequest` (the client's writer) makes passes the strict reader."""
    reference = mock.client().broker_service.initiate_broker_service_basic(
        broker_service_initiation=initiation()
    )
    assert reference is not None
    root, content_id = include_binary(envelope(reference, "cid:x"), "DataStream")
    message = MtomRequest(root, SoapVersion.SOAP11, ACTION, iter([FILE]), content_id)
    headers = {"Content-Type": message.content_type, "SOAPAction": f'"{ACTION}"'}
    response = httpx.post(mock.url + PATH, content=b"".join(message), headers=headers)
    assert response.status_code == 200, response.text[:500]
    assert kept(mock) == [FILE]
    call = mock.calls[-1]
    assert call.operation == "UploadFileStreamedBasic" and call.ok, call
    assert call.attachment == (len(FILE), hashlib.sha256(FILE).hexdigest())


def test_without_upload_digests_the_file_is_kept_and_its_record_has_no_sha256() -> None:
    with MockAltinn(stateful=True, upload_digests=False) as quiet:
        quiet.scenario.broker_auto_upload = False
        response = send(quiet, Message())
        assert response.status_code == 200, response.text[:500]
        assert kept(quiet) == [FILE]
        assert quiet.calls[-1].attachment == (len(FILE), None)


# -- a streamed request given to `MockAltinn.handle` directly (without the server's `receive`) ----


def handled(mock: MockAltinn, root: bytes, attachment: Attachment | None) -> Reply:
    headers = {"Content-Type": Message().content_type(), "SOAPAction": f'"{ACTION}"'}
    return mock.handle("POST", PATH, headers, root, attachment)


def spooled(mock: MockAltinn) -> Attachment:
    path = mock.upload_folder() / "given.upload"
    path.write_bytes(FILE)
    return Attachment(FILE_ID, path, len(FILE), hashlib.sha256(FILE).hexdigest())


def test_a_streamed_request_given_to_handle_is_answered_and_its_file_kept(
    mock: MockAltinn,
) -> None:
    reference = mock.client().broker_service.initiate_broker_service_basic(
        broker_service_initiation=initiation()
    )
    assert reference is not None
    reply = handled(mock, envelope(reference, f"cid:{FILE_ID}"), spooled(mock))
    assert reply.status == 200, reply.body[:500]
    assert kept(mock) == [FILE]
    assert mock.calls[-1].operation == "UploadFileStreamedBasic" and mock.calls[-1].ok


@pytest.mark.parametrize(
    ("prologue", "reason"),
    [
        (b'<!DOCTYPE e [<!ENTITY x "y">]>', "response has a DOCTYPE"),
        (b"<!--" + b"-" * 4000 + b"-->", "exceeds the limit of 3000"),
    ],
    ids=["DOCTYPE", "over max_request_bytes"],
)
def test_a_streamed_request_given_to_handle_is_read_as_receive_reads_it(
    prologue: bytes, reason: str
) -> None:
    """The same safe parser and limit as the server's `receive`; refused 400, not a failure of
    the mock (500) nor accepted."""
    with MockAltinn(stateful=True, max_request_bytes=3000) as mock:
        reply = handled(mock, prologue + envelope("ref", f"cid:{FILE_ID}"), spooled(mock))
        assert reply.status == 400, reply.body[:500]
        assert reply.body.startswith(b"Bad Request: unreadable MTOM body (MTOM: ")
        assert reason.encode() in reply.body, reply.body[:500]
        assert kept(mock) == [] and not mock.errors
        mock.check()


def test_an_upload_without_its_reference_header_is_the_scenarios_fault(mock: MockAltinn) -> None:
    """The Reference header part left out (WCF reads a missing header as null): the scenario
    knows no shipment '' (AltinnFault 40202); not a failure of the mock."""
    reference = mock.client().broker_service.initiate_broker_service_basic(
        broker_service_initiation=initiation()
    )
    assert reference is not None
    message = Message()
    body = message.body(reference)
    unsaid = body.replace(f"<ns:Reference>{reference}</ns:Reference>".encode(), b"")
    assert unsaid != body
    headers = {"Content-Type": message.content_type(), "SOAPAction": f'"{ACTION}"'}
    response = httpx.post(mock.url + PATH, content=unsaid, headers=headers)
    assert "40202" in response.text, response.text[:500]
    assert not mock.errors
    assert kept(mock) == []


def test_a_parsed_root_for_a_request_that_is_not_mtom_is_a_value_error(mock: MockAltinn) -> None:
    """`root` is the envelope part of a streamed request: given with a plain SOAP body the
    checks would read the tree while the record kept the body, so `handle` refuses it outright;
    nothing is recorded and the spooled file is not kept."""
    body = envelope("ref", f"cid:{FILE_ID}")
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{ACTION}"'}
    attachment = spooled(mock)
    with pytest.raises(ValueError, match=r"`root` is only for a streamed \(MTOM\) request"):
        mock.handle("POST", PATH, headers, body, attachment, etree.fromstring(body))
    assert mock.calls == () and not attachment.path.exists()
    mock.check()


def test_the_transfer_a_scenario_is_given_holds_the_uploaded_file_once(
    mock: MockAltinn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The uploaded file reaches the scenario as `Transfer.upload`, the only copy of its path
    the call holds (no second `Attachment` beside it to disagree with)."""
    reference = mock.client().broker_service.initiate_broker_service_basic(
        broker_service_initiation=initiation()
    )
    assert reference is not None
    given: list[Any] = []
    handle = mock.scenario.handle

    def watched(operation: Any, request: Any, transfer: Any = None) -> Any:
        given.append(transfer)
        return handle(operation, request, transfer)

    monkeypatch.setattr(mock.scenario, "handle", watched)
    attachment = spooled(mock)
    reply = handled(mock, envelope(reference, f"cid:{FILE_ID}"), attachment)
    assert reply.status == 200, reply.body[:500]
    (transfer,) = given
    assert transfer.upload == attachment.path
    held = [
        value
        for value in vars(transfer).values()
        if value == attachment.path or isinstance(value, Attachment)
    ]
    assert held == [attachment.path]


# -- the server's reads: views of one buffer, read into again for each chunk ----------------------


def test_receive_reads_chunks_lent_from_one_reused_buffer(tmp_path: Path) -> None:
    """Each chunk a view of the same buffer, overwritten as soon as the next is asked for (as
    the server reads a body with a Content-Length): the same envelope and file as from bytes."""
    data = FILE + bytes(range(256)) * 300 + b"\r\n--" + BOUNDARY.encode()[:-1] + b"\r"
    body = Message().body("ref-1").replace(FILE, data)

    def lent(size: int) -> Iterator[memoryview]:
        buffer = bytearray(size)
        for start in range(0, len(body), size):
            piece = body[start : start + size]
            buffer[: len(piece)] = piece
            yield memoryview(buffer)[: len(piece)]
            buffer[:] = b"\xaa" * size  # what a read of the next chunk does to it

    def read(chunks: Iterable[bytes | memoryview], folder: Path) -> tuple[bytes, bytes, str]:
        folder.mkdir()
        received = receive(chunks, Message().content_type(), folder, 1 << 20)
        assert received.attachment is not None and received.attachment.sha256 is not None
        return received.envelope, received.attachment.path.read_bytes(), received.attachment.sha256

    expected = read([body], tmp_path / "whole")
    assert expected[1] == data and expected[2] == hashlib.sha256(data).hexdigest()
    for size in (1, 7, 50, 51, 4096, 65536):
        assert read(lent(size), tmp_path / f"lent-{size}") == expected, size


def test_a_body_shorter_than_its_content_length_is_http_400_and_nothing_is_kept(
    mock: MockAltinn,
) -> None:
    reference = mock.client().broker_service.initiate_broker_service_basic(
        broker_service_initiation=initiation()
    )
    assert reference is not None
    body = Message().body(reference)
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {Message().content_type()}\r\n"
        f'SOAPAction: "{ACTION}"\r\nContent-Length: {len(body) + 100}\r\n\r\n'
    )
    address = httpx.URL(mock.url)
    with socket.create_connection((address.host, address.port or 80), timeout=30) as connection:
        connection.sendall(head.encode() + body)
        connection.shutdown(socket.SHUT_WR)  # the rest never comes
        answer = b""
        while piece := connection.recv(65536):
            answer += piece
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"ended early" in answer
    assert kept(mock) == []
