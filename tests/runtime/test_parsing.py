"""Responses are parsed safely, and WCF's ways of writing them are understood.

Hostile answers (external entities, entity expansion, DOCTYPEs, oversized bodies) raise
`ProtocolError` and never make the parser read a file, fetch a URL or expand an entity. What WCF
really sends (WS-Addressing and Timestamp headers, `i:nil`, 0-7 fractional digits with or without
an offset, `0001-01-01T00:00:00`, members a newer contract added) reads into the typed models.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from xsdata.models.datatype import XmlDateTime

from altinn2.client import Client
from altinn2.runtime import SystemCredentials
from altinn2.runtime.client import RetryPolicy
from altinn2.runtime.envelope import _parser, parse_xml
from altinn2.runtime.errors import ProtocolError
from altinn2.services.reportee_element_list import ReporteeElementBEV2
from tests.soap_server import (
    RE_2009,
    RE_2010,
    SOAP12_XML,
    TLS,
    XSI,
    Reply,
    SoapServer,
    basic_list_response,
    reportee_element,
    reportee_list,
    search_be,
    soap11,
    soap12,
    wcf_response_header,
    ws_list_response,
)

SYSTEM = SystemCredentials("412", "Systempassord-1")
MARKER = "TOP-SECRET-FILE-CONTENT-4711"


def basic_list(*replies: Reply, **options: object) -> tuple[SoapServer, list[ReporteeElementBEV2]]:
    with (
        SoapServer(*replies) as server,
        Client(
            verify=TLS, base_url=server.url, system=SYSTEM, retry=RetryPolicy(attempts=1), **options
        ) as client,
    ):
        result = client.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=search_be(), language_id=1044
        )
        return server, result


def hostile(prolog: str, entity: str = "") -> bytes:
    """A response that would carry `entity` into an element's text if entities were expanded."""
    body = reportee_list(
        "GetReporteeElementListBasicV2",
        reportee_element(f"<a:ReporteeName>{entity}</a:ReporteeName>"),
    )
    return prolog.encode() + soap11(body)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(MARKER)
    return path


# -- safe parsing -----------------------------------------------------------------------------


def test_external_entity_to_a_file_is_refused(secret_file: Path) -> None:
    data = hostile(
        f'<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "{secret_file.as_uri()}">]>', "&xxe;"
    )
    with pytest.raises(ProtocolError, match="DOCTYPE") as caught:
        basic_list(Reply(data))
    assert MARKER not in str(caught.value)


def test_external_entity_to_a_url_is_never_fetched() -> None:
    """UTF-16 hides the declaration from a byte search; the parser still refuses it, unfetched."""
    with SoapServer(Reply(b"", status=404)) as decoy:
        data = hostile(
            f'<?xml version="1.0" encoding="UTF-16"?>'
            f'<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "{decoy.url}/xxe">]>',
            "&xxe;",
        ).decode()
        with pytest.raises(ProtocolError):
            basic_list(Reply(data.encode("utf-16")))
    assert decoy.received == []


def test_the_parser_itself_expands_nothing(secret_file: Path) -> None:
    """Beneath the DOCTYPE refusal, the parser itself substitutes no entity, inside or out."""
    doc = (
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x ['
        f'<!ENTITY xxe SYSTEM "{secret_file.as_uri()}">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><x><y>&xxe;</y><z>&c;</z></x>'
    ).encode("utf-16")
    root = etree.fromstring(doc, parser=_parser())
    text = "".join(root.itertext())
    assert MARKER not in text
    assert "a" * 100 not in text
    with pytest.raises(ProtocolError, match="DOCTYPE"):
        parse_xml(doc)


def test_billion_laughs_is_refused_quickly() -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    data = hostile(f"<!DOCTYPE s:Envelope [{entities}]>", "&lol9;")
    started = time.monotonic()
    with pytest.raises(ProtocolError) as caught:
        basic_list(Reply(data))
    assert time.monotonic() - started < 2
    assert len(str(caught.value)) < 1000  # a short excerpt, nothing expanded


def test_a_doctype_alone_is_refused() -> None:
    with pytest.raises(ProtocolError, match="DOCTYPE"):
        basic_list(Reply(hostile("<!DOCTYPE s:Envelope>")))


class Tripwire:
    """A FIFO that records whether anything opened it for reading (and then feeds it an entity
    declaration, as an attacker's DTD would). Nothing but this object should ever open it."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "tripwire.dtd"
        os.mkfifo(self.path)
        self.opened = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        fd = os.open(self.path, os.O_WRONLY)  # blocks until a reader opens the FIFO
        if not self._closing:
            self.opened.set()
        with contextlib.suppress(OSError):
            os.write(fd, f'<!ENTITY leak "{MARKER}">'.encode())
        os.close(fd)

    def close(self) -> None:
        if not self.opened.is_set():
            self._closing = True  # release the writer: open the FIFO ourselves
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            self._thread.join(timeout=5)
            os.close(fd)
        self._thread.join(timeout=5)


@pytest.fixture
def tripwire(tmp_path: Path) -> Iterator[Tripwire]:
    wire = Tripwire(tmp_path)
    try:
        yield wire
    finally:
        wire.close()


LONG_PROLOG = "<!--" + "x" * 5000 + "-->"  # pushes the DOCTYPE beyond a quick look at the start


@pytest.mark.parametrize(
    "prolog",
    [
        pytest.param(LONG_PROLOG + '<!DOCTYPE s:Envelope SYSTEM "{uri}">', id="dtd-after-prolog"),
        pytest.param(
            LONG_PROLOG + '<!DOCTYPE s:Envelope [<!ENTITY % p SYSTEM "{uri}"> %p;]>',
            id="parameter-entity",
        ),
        pytest.param('<!DOCTYPE s:Envelope SYSTEM "{uri}">', id="dtd"),
        pytest.param('<!DOCTYPE s:Envelope [<!ENTITY leak SYSTEM "{uri}">]>', id="entity"),
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_external_dtds_and_entities_are_never_opened(
    tripwire: Tripwire, prolog: str, encoding: str
) -> None:
    declaration = f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
    text = hostile(declaration + prolog.format(uri=tripwire.path.as_uri()), "&leak;").decode()
    with pytest.raises(ProtocolError) as caught:
        basic_list(Reply(text.encode(encoding)))
    assert not tripwire.opened.is_set(), "the parser opened a file the response pointed to"
    assert MARKER not in str(caught.value)


def test_a_response_over_the_size_limit_is_refused() -> None:
    data = basic_list_response(reportee_element(), reportee_element())
    assert len(data) > 1024
    with pytest.raises(ProtocolError, match="limit of 1024"):
        basic_list(Reply(data), max_response_bytes=1024)
    _, result = basic_list(Reply(data), max_response_bytes=len(data))
    assert len(result) == 2


def test_an_endless_response_is_cut_at_the_limit() -> None:
    """The limit protects memory: the client stops reading at the limit; it does not read the
    whole answer first (the server would send 256 MiB)."""
    limit = 1024 * 1024
    with (
        SoapServer(Reply(b"<s:Envelope>" + b" " * 65536, endless=True)) as server,
        Client(verify=TLS, base_url=server.url, system=SYSTEM, max_response_bytes=limit) as client,
        pytest.raises(ProtocolError, match=f"limit of {limit}"),
    ):
        client.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=search_be(), language_id=1044
        )
    assert server.stream_ended.wait(10)
    assert server.streamed < 32 * limit  # what the client read, plus the sockets' buffers


def test_a_compressed_response_counts_by_its_decompressed_size() -> None:
    bomb = gzip.compress(soap11(" " * (8 * 1024 * 1024)))
    assert len(bomb) < 64 * 1024
    with pytest.raises(ProtocolError, match="limit"):
        basic_list(
            Reply(bomb, headers={"Content-Encoding": "gzip"}), max_response_bytes=1024 * 1024
        )


# -- WCF tolerance ----------------------------------------------------------------------------


def ws_list(*elements: str, header: str | None = None) -> list[ReporteeElementBEV2]:
    data = (
        ws_list_response(*elements)
        if header is None
        else soap12(reportee_list("GetReporteeElementListExternalV2", *elements), header)
    )
    with (
        SoapServer(Reply(data, content_type=SOAP12_XML)) as server,
        Client(verify=TLS, base_url=server.url, binding="WS", system=SYSTEM) as client,
    ):
        return client.reportee_element_list.get_reportee_element_list_v2(
            search_be=search_be(), language_id=1044
        )


def test_ws_response_with_addressing_and_timestamp_headers() -> None:
    header = wcf_response_header(
        f"{RE_2009}/IReporteeElementListExternal/GetReporteeElementListExternalV2Response",
        relates_to="urn:uuid:5ad6a4a5-7c66-4c0c-9e7b-3b2e8e8c0a11",
    )
    assert "a:RelatesTo" in header and "u:Timestamp" in header and "o:Security" in header
    (element,) = ws_list(reportee_element(), header=header)
    assert (element.reportee_element_id, element.title) == (7992038, "RF-1030 Skattemelding")


def test_nil_fields_are_none() -> None:
    (element,) = ws_list(reportee_element())
    assert element.archive_id is None and element.due_date is None and element.notice is None
    assert element.allow_delete is True and element.external_service_code == "3349"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-03-15T15:23:17", XmlDateTime(2020, 3, 15, 15, 23, 17)),
        ("2020-03-15T15:23:17.4", XmlDateTime(2020, 3, 15, 15, 23, 17, 400_000_000)),
        ("2020-03-15T15:23:17.43", XmlDateTime(2020, 3, 15, 15, 23, 17, 430_000_000)),
        ("2020-03-15T15:23:17.433", XmlDateTime(2020, 3, 15, 15, 23, 17, 433_000_000)),
        ("2020-03-15T15:23:17.4331", XmlDateTime(2020, 3, 15, 15, 23, 17, 433_100_000)),
        ("2020-03-15T15:23:17.43312", XmlDateTime(2020, 3, 15, 15, 23, 17, 433_120_000)),
        ("2020-03-15T15:23:17.433123", XmlDateTime(2020, 3, 15, 15, 23, 17, 433_123_000)),
        ("2020-03-15T13:00:44.2353668", XmlDateTime(2020, 3, 15, 13, 0, 44, 235_366_800)),
        (
            "2020-03-15T13:00:44.2353668+01:00",
            XmlDateTime(2020, 3, 15, 13, 0, 44, 235_366_800, 60),
        ),
        ("2020-03-15T13:00:44.2353668Z", XmlDateTime(2020, 3, 15, 13, 0, 44, 235_366_800, 0)),
        ("2020-03-15T13:00:44+01:00", XmlDateTime(2020, 3, 15, 13, 0, 44, 0, 60)),
        (
            "2024-05-08T13:29:28.123456-02:30",
            XmlDateTime(2024, 5, 8, 13, 29, 28, 123_456_000, -150),
        ),
        ("0001-01-01T00:00:00", XmlDateTime(1, 1, 1, 0, 0, 0)),
    ],
)
def test_wcf_date_times(text: str, expected: XmlDateTime) -> None:
    (element,) = ws_list(reportee_element(last_changed=text))
    assert element.last_changed_date == expected


def test_members_of_a_newer_contract_are_ignored() -> None:
    newer = reportee_element(
        "<a:AddedInANewerContract><a:Nested>1</a:Nested></a:AddedInANewerContract>"
        '<a:AnotherNewField i:nil="true"/>'
    ).replace("<a:ReporteeElementBEV2>", '<a:ReporteeElementBEV2 a:newAttribute="x">')
    data = soap11(
        f'<GetReporteeElementListBasicV2Response xmlns="{RE_2009}">'
        f'<GetReporteeElementListBasicV2Result xmlns:a="{RE_2010}" xmlns:i="{XSI}">'
        f"{newer}</GetReporteeElementListBasicV2Result>"
        "<UnknownSibling>ignored</UnknownSibling>"
        "</GetReporteeElementListBasicV2Response>"
    )
    _, (element,) = basic_list(Reply(data))
    assert (element.reportee_element_id, element.title) == (7992038, "RF-1030 Skattemelding")


def test_an_empty_result_is_an_empty_list() -> None:
    _, result = basic_list(Reply(basic_list_response()))
    assert result == []


@pytest.mark.parametrize("number", [1, 2])
def test_recorded_responses_read_completely(shared: Path, number: int) -> None:
    path = (
        shared
        / "altinn2-traffic/ReporteeElementList"
        / (f"GetReporteeElementListBasicV2-response-{number}.xml")
    )
    data = path.read_bytes()
    recorded = etree.fromstring(data)
    ns = {"a": RE_2010}
    _, result = basic_list(Reply(data))
    assert [element.title for element in result] == recorded.xpath(
        "//a:ReporteeElementBEV2/a:Title/text()", namespaces=ns
    )
    assert [element.reportee_element_id for element in result] == [
        int(value) for value in recorded.xpath("//a:ReporteeElementId/text()", namespaces=ns)
    ]
    nil_archive_ids = recorded.xpath(
        f"count(//a:ArchiveId[@*[local-name()='nil' and namespace-uri()='{XSI}']='true'])",
        namespaces=ns,
    )
    assert sum(element.archive_id is None for element in result) == nil_archive_ids
    assert all(isinstance(element.last_changed_date, XmlDateTime) for element in result)
