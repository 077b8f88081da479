"""Interop with real Altinn envelopes (../shared/altinn2-traffic, read in place).

Every recorded envelope whose operation is generated decodes into typed objects; for recorded
requests, the client builds an XML-equivalent request from the decoded inputs. Envelopes whose
operation this package does not generate are listed with the reason, and must not decode.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from altinn2 import Client, SystemCredentials
from altinn2.cli import main as altinn2_cli
from altinn2.runtime.decode import DecodeError, decode
from altinn2.runtime.envelope import parse_xml, read_envelope
from altinn2.runtime.errors import AltinnFaultError, AuthenticationFailedError, GeneralError
from altinn2.runtime.receipts import receipt_failures, receipt_ok

# Recordings of operations this package does not generate, and why.
NOT_GENERATED = {
    "AuthorizationAdministration": "service-owner/authorization service: not on the table",
    "CorrespondenceAgency": "service-owner (agency) correspondence: not on the table",
    "UpdateFormDataBasic": "the Basic IntermediaryInbound WSDL known (2016) predates it",
    "GetFormSetDataBasic": "the Basic ReporteeElementList WSDL known (2016) predates it",
    "GetAvailableServicesBasicV3": "V3 is newer than the ServiceMetaData WSDL known (V2)",
}

# xs:boolean has two spellings; recordings (SoapUI) write 1/0, the client writes true/false.
BOOLEAN_SPELLINGS = {"1": "true", "0": "false"}

# Where a recording and the WSDL disagree: the ReporteeElementList recordings send xs:date
# values (`1999-12-22`) in ExternalSearchBEV2.FromDate/ToDate, which the WSDL types xs:dateTime.
# tt02 accepted them: WCF reads a date alone as midnight. The runtime does the same on purpose
# (`lexical.wcf_date_time`): the typed value is an XmlDateTime at midnight, never the raw
# text, and the client writes it back as `1999-12-22T00:00:00`, which this comparison accepts.
DATE_ALONE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Recordings a typed result cannot hold, and why: decoding them fails with one line naming the
# element.
REFUSED = {
    "UploadFileStreamedBasic-request": (
        "StreamedPayloadBasicBE/DataStream",  # SoapUI's `[fileStream]` stand-in for the stream
    ),
}


def reason_not_generated(path: Path) -> str | None:
    for key, reason in NOT_GENERATED.items():
        if key in path.parts or path.name.startswith(key):
            return reason
    return None


def traffic_files() -> list[Path]:
    from tests.conftest import shared_dir

    return sorted((shared_dir() / "altinn2-traffic").glob("*/*.xml"))


@pytest.mark.parametrize("path", traffic_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_recording_decodes_or_is_listed_as_not_generated(path: Path) -> None:
    data = path.read_bytes()
    reason = reason_not_generated(path)
    kind = path.stem.rsplit("-", 2)[-2]
    if reason is not None and kind != "fault":
        with pytest.raises(DecodeError, match="not the request or response of any generated"):
            decode(data)
        return
    refused = next((where for key, where in REFUSED.items() if path.name.startswith(key)), None)
    if refused is not None:
        with pytest.raises(DecodeError, match=re.escape(refused[0])):
            decode(data)
        return
    decoded = decode(data)
    assert decoded.kind == kind
    if kind == "fault":
        assert isinstance(decoded.data["error_id"], int)
        assert decoded.data["error_guid"]
        return
    assert decoded.operation == path.stem.rsplit("-", 2)[0]
    assert decoded.value is not None
    assert json.dumps(decoded.as_json())  # the JSON form is plain data


def normalized(element: etree._Element) -> Any:
    """An element as comparable data: qualified names, trimmed text, no prefixes or layout."""
    children = [normalized(child) for child in element if isinstance(child.tag, str)]
    attributes = sorted((key, value) for key, value in element.attrib.items())
    text = (element.text or "").strip()
    text = f"{text}T00:00:00" if DATE_ALONE.match(text) else text
    return (element.tag, BOOLEAN_SPELLINGS.get(text, text), attributes, children)


def recorded_requests() -> list[Path]:
    return [
        path
        for path in traffic_files()
        if "-request-" in path.name
        and reason_not_generated(path) is None
        and not any(path.name.startswith(key) for key in REFUSED)
    ]


@pytest.mark.parametrize("path", recorded_requests(), ids=lambda p: p.name)
def test_client_builds_an_equivalent_request(path: Path) -> None:
    """Decode a recorded request, build the same call with the client, compare the bodies and
    SOAP headers after canonicalization (prefixes and whitespace ignored)."""
    data = path.read_bytes()
    decoded = decode(data, reveal=True)  # the same request, credentials included
    from altinn2.runtime.registry import operation_index

    op = next(op for op in operation_index().operations if op.name == decoded.operation)
    client = Client(base_url="https://tt02.altinn.no", system=SystemCredentials("x", "y"))
    call = client.prepare(op, decoded.value, decoded.headers)
    ours = read_envelope(parse_xml(call.content))
    recorded = read_envelope(parse_xml(data))
    assert ours.body is not None and recorded.body is not None
    assert normalized(ours.body) == normalized(recorded.body)
    recorded_headers = [normalized(h) for h in recorded.headers]
    assert [normalized(h) for h in ours.headers] == recorded_headers


def test_recorded_faults_raise_the_registered_exceptions(shared: Path) -> None:
    folder = shared / "altinn2-traffic"
    by_file = {
        "Common/AltinnFault-fault-1.xml": (AuthenticationFailedError, 989),
        "Common/AltinnFault-fault-2.xml": (AuthenticationFailedError, 989),
        "ReporteeElementList/GetReporteeElementListBasicV2-fault-1.xml": (GeneralError, 0),
        "IntermediaryInbound/SubmitFormTaskBasic-fault-1.xml": (GeneralError, 0),
    }
    from altinn2.runtime.envelope import raise_fault

    for name, (cls, error_id) in by_file.items():
        envelope = read_envelope(parse_xml((folder / name).read_bytes()))
        with pytest.raises(AltinnFaultError) as caught:
            raise_fault(envelope)
        assert type(caught.value) is cls, name
        assert caught.value.error_id == error_id
        assert caught.value.error_guid


def test_business_rejections_are_found_in_receipts(shared: Path) -> None:
    """SubmitFormTaskBasic answers with receipts, not faults: one failed outright, one with
    a rejection; the helpers find them, sub-receipts included."""
    folder = shared / "altinn2-traffic" / "IntermediaryInbound"
    first = decode((folder / "SubmitFormTaskBasic-response-1.xml").read_bytes()).value
    second = decode((folder / "SubmitFormTaskBasic-response-2.xml").read_bytes()).value
    failures_first = receipt_failures(first.submit_form_task_basic_result)
    failures_second = receipt_failures(second.submit_form_task_basic_result)
    assert {f.status for f in failures_first} == {"ValidationFailed"}
    assert {f.status for f in failures_second} == {"Rejected"}
    assert not receipt_ok(first.submit_form_task_basic_result)


def test_decode_command_prints_json_and_refuses_what_it_cannot_decode(
    shared: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    path = shared / "altinn2-traffic/SystemAuthentication/GetAuthenticationChallenge-response-1.xml"
    result = runner.invoke(altinn2_cli, ["decode", "--json", str(path)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["service"] == "SystemAuthentication"
    assert document["operation"] == "GetAuthenticationChallenge"
    assert document["kind"] == "response"
    assert document["data"]["GetAuthenticationChallengeResult"]["Status"] == "Ok"

    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>")
    result = runner.invoke(altinn2_cli, ["decode", str(broken)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(f"error: {broken}: ")

    fault = shared / "altinn2-traffic/Common/AltinnFault-fault-1.xml"
    result = runner.invoke(
        altinn2_cli, ["decode", "--json", "--operation", "GetReceiptBasicV2", str(fault)]
    )
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert (document["kind"], document["operation"]) == ("fault", "GetReceiptBasicV2")
    assert document["data"]["error_id"] == 989
