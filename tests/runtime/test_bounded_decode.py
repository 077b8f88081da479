"""`altinn2 decode` and the response path: bounded by what a document can build, secrets masked
unless revealed, every failure one line with exit status 2.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from altinn2.cli import main as altinn2_cli
from altinn2.client import Client
from altinn2.runtime import Binding, SystemCredentials
from altinn2.runtime.client import RetryPolicy
from altinn2.runtime.codec import to_element
from altinn2.runtime.envelope import BYTES_PER_ELEMENT, build_envelope, element_limit, parse_xml
from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.hooks import Hooks
from altinn2.runtime.registry import operation_index
from altinn2.testing.examples import example
from tests.soap_server import TLS, Reply, SoapServer, search_be, soap11

BROKER = "http://www.altinn.no/services/ServiceEngine/Broker/2015/06"
BROKER_TYPES = "http://schemas.altinn.no/services/ServiceEngine/Broker/2015/06"
SSN = "01017012345"


def upload_request(file_name: str = "report.xml") -> bytes:
    """A Basic broker upload, as recorded, with a readable payload and its SOAP headers."""
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:ns="{BROKER}"><soapenv:Header>'
        "<ns:SystemUserName>Senders System</ns:SystemUserName>"
        "<ns:SystemPassword>S3cret-Passw0rd</ns:SystemPassword>"
        f"<ns:Reportee>{SSN}</ns:Reportee>"
        "<ns:Reference>af303bd0-3333-4ec9-af6a-31dd05569011</ns:Reference>"
        f"<ns:FileName>{file_name}</ns:FileName>"
        "</soapenv:Header><soapenv:Body><ns:StreamedPayloadBasicBE>"
        "<ns:DataStream>AAAA</ns:DataStream>"
        "</ns:StreamedPayloadBasicBE></soapenv:Body></soapenv:Envelope>"
    ).encode()


def ec_attachment_with_header(reportee_element_id: str) -> bytes:
    """An EC attachment upload whose `ReporteeElementId` SOAP header (an int) holds `value`."""
    (op,) = [
        op
        for op in operation_index().named("SubmitAttachmentStreamedEC")
        if op.binding is Binding.EC
    ]
    headers = [to_element(example(part)) for part in op.input_headers]
    data = build_envelope(op.soap_version, headers, [to_element(example(op.input))])
    return re.sub(
        rb"(ReporteeElementId[^>]*>)[^<]*<", rb"\g<1>" + reportee_element_id.encode() + b"<", data
    )


def files_request() -> bytes:
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:ns="{BROKER}" xmlns:ns1="{BROKER_TYPES}"><soapenv:Body>'
        "<ns:GetAvailableFilesBasic><ns:systemUserName>Senders System</ns:systemUserName>"
        "<ns:systemPassword>S3cret-Passw0rd</ns:systemPassword><ns:searchParameters>"
        f"<ns1:FileStatus>Uploaded</ns1:FileStatus><ns1:Reportee>{SSN}</ns1:Reportee>"
        "</ns:searchParameters></ns:GetAvailableFilesBasic></soapenv:Body></soapenv:Envelope>"
    ).encode()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(altinn2_cli, list(args))
    return result.exit_code, result.stdout, result.stderr


# -- decode: secrets ---------------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("build", [upload_request, files_request], ids=["headers", "body"])
def test_decode_masks_secrets_unless_revealed(tmp_path: Path, as_json: bool, build: object) -> None:
    assert callable(build)
    path = tmp_path / "captured.xml"
    path.write_bytes(build())
    flags = ["--json"] if as_json else []
    status, shown, _ = run("decode", *flags, str(path))
    assert status == 0
    assert "S3cret-Passw0rd" not in shown and SSN not in shown
    assert "***" in shown
    if as_json:
        json.loads(shown)
    status, revealed, _ = run("decode", *flags, "--reveal-secrets", str(path))
    assert status == 0
    assert "S3cret-Passw0rd" in revealed and SSN in revealed


# -- decode: every failure is one line ---------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (ec_attachment_with_header("abc"), "ReporteeElementId: 'abc' is not a valid"),
        (upload_request().replace(b"AAAA", b"[fileStream]"), "DataStream"),
        (soap11("<Unknown xmlns='urn:x'/>"), "not the request or response"),
        (b"<a>" * 300 + b"</a>" * 300, "not well-formed XML"),  # deeper than libxml2 allows
        (b"\xff\xfe<", "not well-formed"),
    ],
    ids=["header", "value", "unknown-body", "too-deep", "garbage"],
)
def test_every_decode_failure_is_one_line_and_exit_2(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "captured.xml"
    path.write_bytes(content)
    status, shown, error = run("decode", str(path))
    assert status == 2
    assert shown == ""
    lines = error.splitlines()
    assert len(lines) == 1, error
    assert lines[0].startswith(f"error: {path}: ") and expected in lines[0], lines[0]


def test_decode_refuses_a_file_beyond_the_limit_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from altinn2 import cli

    monkeypatch.setattr(cli, "DEFAULT_MAX_RESPONSE_BYTES", 1000)
    path = tmp_path / "big.xml"
    path.write_bytes(b"<a>" + b" " * 10_000 + b"</a>")
    status, _, error = run("decode", str(path))
    assert status == 2 and "larger than the limit of 1000 bytes" in error


# -- bounded by what a document builds ---------------------------------------------------------


def empty_elements(count: int) -> bytes:
    return soap11("<x>" + "<a/>" * count + "</x>")


def test_a_document_of_millions_of_empty_elements_is_refused_before_a_tree_is_built() -> None:
    data = empty_elements(2_000_000)  # 8 MB, far under the byte limit
    with pytest.raises(ProtocolError, match=r"more than the .* allowed"):
        parse_xml(data)


def test_the_element_limit_is_configurable_and_follows_the_size() -> None:
    assert element_limit(10_000_000) == 10_000_000 // BYTES_PER_ELEMENT + 10_000
    assert element_limit(10_000_000, max_elements=5) == 5
    with pytest.raises(ProtocolError):
        parse_xml(soap11("<x><a/><a/><a/></x>"), max_elements=3)
    parse_xml(soap11("<x><a/><a/><a/></x>"), max_elements=10)


def test_a_compressed_element_bomb_is_refused_by_the_client() -> None:
    """61 KB on the wire, 8 MB and two million elements once inflated."""
    bomb = gzip.compress(empty_elements(2_000_000))
    assert len(bomb) < 100_000
    reply = Reply(bomb, headers={"Content-Encoding": "gzip"})
    with (
        SoapServer(reply) as server,
        Client(
            verify=TLS,
            base_url=server.url,
            system=SystemCredentials("412", "pw-pw-pw"),
            retry=RetryPolicy(attempts=1),
            hooks=Hooks(log=False),
        ) as client,
        pytest.raises(ProtocolError, match="elements, more than"),
    ):
        client.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=search_be(), language_id=1044
        )
