"""Apache CXF's client (tests/java, `CxfEcClient`) against the mock's streamed (MTOM) EC and EC2
endpoints, over loopback HTTPS: the mock's MTOM and security are what an independent MTOM stack
expects, and the mock's multipart parsing reads CXF's MTOM messages.

Every streamed EC and EC2 WSDL, the stateful mock: on each broker binding a shipment initiated
here, CXF uploads its file (header parts, the file as an XOP part) and downloads it as the
recipient; CXF submits a form attachment, and fetches an archived attachment (the mock keeps no
archive: its answer is an empty binary part). Content is checked by SHA-256 against what the
mock spooled or kept on its disk and what it served.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from altinn2.runtime.codec import qname_of
from altinn2.runtime.operation import Binding, OperationInfo
from altinn2.runtime.registry import operation_index
from altinn2.runtime.secrets import MASK
from altinn2.runtime.transport.mtom import xop_references
from altinn2.testing import MockAltinn
from generator.project import Project
from tests import cxf_client
from tests.cxf_client import CANCEL, ISSUE, ISSUED, Target
from tests.pki import Pki
from tests.testing.security.conftest import ENTERPRISE, https_mock
from tests.testing.security.test_cxf_client import FAULT
from tests.testing.test_mtom_mock import RECIPIENT, SENDER, initiation

MTOM = 'multipart/related; type="application/xop+xml"'
STREAMED = [
    op for op in operation_index().operations if op.binding in (Binding.EC, Binding.EC2) and op.mtom
]


def content(label: str) -> bytes:
    """A file of its own per upload, a few chunks long, with an odd tail."""
    return hashlib.sha256(label.encode()).digest() * 3001 + label.encode()


def digest(data: bytes) -> str:
    return f"{len(data)}:{hashlib.sha256(data).hexdigest()}"


def only(base_operation: str, binding: Binding) -> OperationInfo:
    (found,) = [
        op for op in STREAMED if op.base_operation == base_operation and op.binding is binding
    ]
    return found


def broker_round_trip(mock: MockAltinn, binding: Binding, data: bytes) -> list[Target]:
    """A shipment initiated here: CXF uploads `data` as its sender and downloads it as its
    recipient."""
    reference = mock.client().broker_service.initiate_broker_service_basic(
        broker_service_initiation=initiation()
    )
    assert reference is not None
    upload = only("UploadFileStreamed", binding)
    download = only("DownloadFileStreamed", binding)
    return [
        Target(
            upload,
            mock.url.rstrip("/") + upload.path,
            upload=data,
            headers={"file_name": "payload.zip", "reference": reference, "reportee": SENDER},
        ),
        Target(
            download,
            mock.url.rstrip("/") + download.path,
            fields={"file_reference": reference, "reportee": RECIPIENT},
        ),
    ]


def targets(mock: MockAltinn, binding: Binding) -> list[Target]:
    """On one binding: a broker upload and its download, a form attachment, an archived one."""
    url = mock.url.rstrip("/")
    submit = only("SubmitAttachmentStreamed", binding)
    archived = only("GetAttachmentDataStreamed", binding)
    return [
        *broker_round_trip(mock, binding, content(f"broker {binding.value}")),
        Target(
            submit,
            url + submit.path,
            upload=content(submit.label),
            headers={
                "attachment_type_name": "vedlegg",
                "check_sum": hashlib.md5(content(submit.label)).hexdigest(),
                "end_user_systemreference": "cxf-1",
                "file_name": "vedlegg.pdf",
                "name": "vedlegg",
                "reportee_element_id": 42,
            },
        ),
        Target(archived, url + archived.path, fields={"attachment_id": 7}),
    ]


def sent_headers(target: Target) -> dict[type[Any], Any]:
    """The header parts' values the target gave, by class; the credentials masked, as the mock
    records them."""
    operation = target.operation
    values = {**target.headers, **{name: MASK for name in operation.credentials}}
    if "user_name" in operation.header_parameters:
        values["user_name"] = ENTERPRISE.user_name  # a name, not a secret
    return {
        cls: values[name]
        for cls, name in zip(operation.input_headers, operation.header_parameters, strict=True)
    }


def watch_spooled(mock: MockAltinn, seen: list[str]) -> None:
    """Records the size and SHA-256 of each form attachment the mock spooled, while it is on
    disk (the mock removes it after answering), then lets the call pass."""

    def spooled(request: Any) -> None:
        kept = {file.content for file in mock.scenario.broker_files}
        (path,) = [p for p in mock.upload_folder().glob("*.upload") if p not in kept]
        seen.append(digest(path.read_bytes()))

    mock.respond("SubmitAttachmentStreamed", spooled)


def test_cxf_uploads_and_downloads_through_every_streamed_ec_and_ec2_endpoint_of_the_mock(
    pki: Pki, fetched: Project, tmp_path: Path
) -> None:
    spooled: list[str] = []
    with https_mock(pki, stateful=True) as mock:
        mock.scenario.broker_auto_upload = False
        watch_spooled(mock, spooled)
        chosen = targets(mock, Binding.EC) + targets(mock, Binding.EC2)
        assert sorted(t.operation.label for t in chosen) == sorted(op.label for op in STREAMED)
        assert len({target.operation.path for target in chosen}) == 6  # every streamed WSDL
        calls = cxf_client.run(pki, fetched.cache_dir, chosen, ENTERPRISE, tmp_path)
        for target, call in zip(chosen, calls, strict=True):
            operation = target.operation
            ec = operation.binding is Binding.EC
            assert call.outcome == "RESULT", (operation.label, call)
            assert call.sent == [ISSUE, operation.action, *([CANCEL] if ec else [])], call
            answered = [f"{ISSUED} 200", f"{operation.reply_action} 200"]
            assert call.received == answered + ([f"{FAULT} 500"] if ec else []), call
            assert operation.output is not None
            assert call.result().tag == qname_of(operation.output), call.text
            records = [r for r in mock.calls if r.path.lower() == operation.path.lower()]
            called = next(r for r in records if r.operation == operation.name)
            assert called.ok and called.binding is operation.binding, called
            assert ("DerivedKeyToken" in called.envelope) == ec, called.envelope
            # CXF's request as MTOM, and the header parts the mock read as CXF sent them.
            assert called.headers["content-type"].startswith(MTOM), called.headers
            assert sent_headers(target) == {
                type(part): part.value for part in called.soap_headers
            }, called.soap_headers
        downloads, archived = calls[1::4], calls[3::4]
        sent = [target.upload for target in chosen[::4]]
        # The broker files: kept on the mock's disk as CXF sent them, served back to CXF.
        kept = [file.content for file in mock.scenario.broker_files]
        assert [digest(path.read_bytes()) for path in kept if path] == [
            digest(data) for data in sent if data is not None
        ]
        for call, data in zip(downloads, sent, strict=True):
            assert data is not None
            (part,) = call.attachments
            assert f"{part.size}:{part.sha256}" == digest(data), call
            assert xop_references(call.result()) == [part.content_id], call.text
        assert [file.status for file in mock.scenario.broker_files] == ["Downloaded"] * 2
        # The form attachments: spooled by the mock as CXF sent them.
        assert spooled == [digest(target.upload or b"") for target in chosen[2::4]]
        # The archived attachment: the empty binary part the mock served.
        for call in archived:
            (part,) = call.attachments
            assert f"{part.size}:{part.sha256}" == digest(b""), call
        mock.check()


def test_cxf_uploads_and_downloads_an_empty_and_a_one_byte_broker_file(
    pki: Pki, fetched: Project, tmp_path: Path
) -> None:
    files = [b"", b"\x00"]
    with https_mock(pki, stateful=True) as mock:
        mock.scenario.broker_auto_upload = False
        chosen = [target for data in files for target in broker_round_trip(mock, Binding.EC2, data)]
        calls = cxf_client.run(pki, fetched.cache_dir, chosen, ENTERPRISE, tmp_path)
        assert [call.outcome for call in calls] == ["RESULT"] * 4, calls
        kept = [file.content for file in mock.scenario.broker_files]
        assert [path.read_bytes() for path in kept if path] == files
        for call, data in zip(calls[1::2], files, strict=True):
            (part,) = call.attachments
            assert f"{part.size}:{part.sha256}" == digest(data), call
        assert [call.operation for call in mock.calls if call.operation] == [
            "InitiateBrokerServiceBasic",
            "InitiateBrokerServiceBasic",
            *["UploadFileStreamedEC", "DownloadFileStreamedEC"] * 2,
        ]
        assert all(call.ok for call in mock.calls), mock.calls
        mock.check()
