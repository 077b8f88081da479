"""The mock's XML Schemas against real Altinn traffic (../shared/altinn2-traffic, read in place):
every recorded response, request and fault detail of a generated operation validates against the
schemas the mock validates with, and the mock accepts every recorded request as Altinn did. The
recordings that do not validate are listed, each with the reason, and checked to fail.

Also: every example the mock builds (minimal and full, inputs and outputs of every operation) is
schema-valid, and so are the mock's own AltinnFault details.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from lxml import etree

from altinn2.runtime.codec import to_element
from altinn2.runtime.credentials import SystemCredentials, UserCredentials
from altinn2.runtime.decode import decode
from altinn2.runtime.envelope import ALTINN_FAULT_NS, parse_xml, read_envelope
from altinn2.runtime.operation import Binding, Credential
from altinn2.runtime.registry import operation_index
from altinn2.testing import Fault, MockAltinn, example, schema, violations
from altinn2.testing.faults import altinn_fault_detail
from tests.runtime.test_interop import NOT_GENERATED, traffic_files

# Recordings that do not validate against the shipped schemas, and why.
NOT_VALID = {
    **{key: f"{reason}: no schema of it is shipped" for key, reason in NOT_GENERATED.items()},
    "UploadFileStreamedBasic-request-1": (
        "Altinn's documentation example: `[fileStream]` stands where the MTOM payload "
        "(xs:base64Binary) goes"
    ),
    "AltinnFault-fault-2": (
        "Altinn's abbreviated documentation example: AltinnFault without its namespace"
    ),
}
# Valid only because the mock reads what WCF reads: xs:date values in xs:dateTime fields.
LENIENT = {
    "GetReporteeElementListBasicV2-request-1": "FromDate/ToDate are dates (tt02 accepted them)",
    "GetReporteeElementListBasicV2-request-2": "FromDate/ToDate are dates (tt02 accepted them)",
}
pytestmark = pytest.mark.filterwarnings("ignore::xsdata.exceptions.ConverterWarning")


def listed(path: Path, table: dict[str, str]) -> str | None:
    for key, reason in table.items():
        if key in path.parts or path.stem.startswith(key):
            return reason
    return None


def checked_element(path: Path) -> etree._Element:
    """The element the mock would validate: the body's, or a fault's AltinnFault detail."""
    envelope = read_envelope(parse_xml(path.read_bytes()))
    assert envelope.body is not None
    if not envelope.fault:
        return envelope.body
    (detail,) = envelope.body.iter("{*}AltinnFault")
    return detail


@pytest.mark.parametrize("path", traffic_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_recorded_envelopes_validate_against_the_mocks_schemas(path: Path) -> None:
    element = checked_element(path)
    problems = violations(element)
    reason = listed(path, NOT_VALID)
    if reason is not None:
        assert problems, f"{path.name} is listed as not valid ({reason}) but validates"
        return
    assert problems == [], f"{path.name}: {problems}"
    lenient = listed(path, LENIENT)
    # The strict schema refuses exactly the recordings listed as valid by WCF's leniency.
    assert schema().validate(element) is (lenient is None), path.name


def recorded_action(path: Path) -> str | None:
    """The SOAPAction the headers file records (or infers from a source), if it names one."""
    headers = path.with_name(path.stem + ".headers.txt").read_text(encoding="utf-8")
    match = re.search(r"SOAPAction: \"?([^\"\s]+)\"?", headers)
    return match.group(1) if match else None


def replayable() -> list[Path]:
    return [
        path
        for path in traffic_files()
        if "-request-" in path.name
        and listed(path, NOT_VALID) is None
        and not path.stem.startswith("UploadFileStreamed")
    ]


@pytest.mark.parametrize("path", replayable(), ids=lambda p: p.name)
def test_the_mock_accepts_every_recorded_request(path: Path) -> None:
    """Replayed byte for byte (with the recorded or documented SOAPAction, else the WSDL's) to a
    mock that knows the recording's credentials: answered with the operation's response, as
    Altinn answered."""
    data = path.read_bytes()
    decoded = decode(data, reveal=True)  # the recording's own credentials
    (op,) = [
        op
        for op in operation_index().named(decoded.operation or "")
        if op.binding is not Binding.EC2  # Altinn recorded no EC2 call
    ]
    request = decoded.value
    given = {kind: getattr(request, name) for name, kind in op.credentials.items()}
    challenge = getattr(request, "challenge_request", None)
    system = SystemCredentials(
        given.get(Credential.SYSTEM_USER_NAME)
        or getattr(challenge, "system_user_name", None)
        or "unused",
        given.get(Credential.SYSTEM_PASSWORD) or "unused",
    )
    users = []
    if given.get(Credential.USER_SSN):
        users.append(
            UserCredentials(
                given[Credential.USER_SSN],
                given[Credential.USER_PASSWORD],
                given.get(Credential.USER_PIN_CODE),
                given.get(Credential.AUTH_METHOD),
            )
        )
    with MockAltinn(system=system, users=users, stateful=True) as mock:
        response = httpx.post(
            mock.url + op.path,
            content=data,
            headers={
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": f'"{recorded_action(path) or op.soap_action}"',
            },
        )
        assert response.status_code == 200, (
            mock.last_call,
            mock.last_call and mock.last_call.reason,
        )
        answer = decode(response.content, op.name)
        assert (answer.kind, answer.operation) == ("response", op.name)
        assert mock.calls[0].request is not None


def test_examples_and_default_answers_of_every_operation_are_schema_valid() -> None:
    checked = 0
    for op in operation_index().operations:
        for cls in (op.input, op.output, *op.input_headers):
            if cls is None:
                continue
            for full in (False, True):
                element = to_element(example(cls, full=full))
                found = violations(element, cls.__name__)
                assert found == [], f"{op.label}: {cls.__name__} (full={full})"
                checked += 1
    assert checked >= 4 * len(operation_index().operations)


def test_the_mocks_altinn_faults_are_schema_valid() -> None:
    for error_id in (0, 5, 989, 30008, 40207, 12345):
        detail = altinn_fault_detail(Fault(error_id), "f0f0f0f0-0000-0000-0000-000000000000")
        assert detail.tag == f"{{{ALTINN_FAULT_NS}}}AltinnFault"
        assert violations(detail) == []
