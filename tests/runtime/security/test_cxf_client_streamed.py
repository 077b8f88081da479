"""Apache CXF as the client of the streamed (MTOM) EC and EC2 WSDLs, CXF as the server: the
Java client's MTOM side (`CxfEcClient`: header parts, the file as an XOP part, a download's
binary part hashed as it is read) is proven on a peer that certainly speaks its language before
it judges our mock (tests/testing/security/test_cxf_client.py).

The server is test_cxf_streamed's `CxfEcServer` (every streamed EC and EC2 WSDL, MTOM on): it
reports the size and SHA-256 of each upload it received and answers a download of n with
`expected_content(n)` as the binary part.
"""

from __future__ import annotations

import hashlib
import queue
from pathlib import Path

from altinn2.runtime.codec import qname_of
from altinn2.runtime.operation import Binding, OperationInfo
from altinn2.runtime.registry import operation_index
from altinn2.runtime.transport.mtom import xop_references
from generator.project import Project
from tests import cxf_client
from tests.cxf_client import CANCEL, ISSUE, ISSUED, Target
from tests.runtime.security import test_cxf_client, test_cxf_streamed
from tests.runtime.security.test_cxf import ENTERPRISE, Cxf
from tests.runtime.security.test_cxf_streamed import REPORTEE, STREAMED, expected_content

cxf = test_cxf_streamed.cxf  # CxfEcServer with the streamed WSDLs, once for this module
server_lines = test_cxf_client.server_lines  # its output, drained as it comes
calls_seen = test_cxf_client.calls_seen
REFUSED_CANCEL = test_cxf_client.REFUSED_CANCEL  # as on the non-streamed WSDLs

UPLOAD = b"uploaded by CXF as an XOP part\n" * 4000 + b"\x00\xff odd tail"
DOWNLOAD = 100_003  # bytes CxfEcServer sends for the download


def streamed(name: str, base_operation: str) -> OperationInfo:
    binding = Binding.EC2 if "EC2" in name else Binding.EC
    return next(
        op
        for op in operation_index().operations
        if op.binding is binding
        and op.mtom
        and op.base_operation == base_operation
        and op.path.endswith(f"/{name}.svc")
    )


def targets(cxf: Cxf) -> list[Target]:
    """Per streamed WSDL its upload or download (the broker WSDLs: both)."""
    chosen = []
    for stem in STREAMED:
        name = Path(stem).name
        url = cxf.endpoints[name].url
        if name.startswith("BrokerService"):
            headers = {"file_name": "payload.zip", "reference": "ref-1", "reportee": REPORTEE}
            chosen.append(
                Target(streamed(name, "UploadFileStreamed"), url, upload=UPLOAD, headers=headers)
            )
            fields = {"file_reference": str(DOWNLOAD), "reportee": REPORTEE}
            chosen.append(Target(streamed(name, "DownloadFileStreamed"), url, fields=fields))
        elif name.startswith("IntermediaryInbound"):
            headers = {
                "attachment_type_name": "vedlegg",
                "check_sum": hashlib.md5(UPLOAD).hexdigest(),
                "end_user_systemreference": "cxf-1",
                "file_name": "vedlegg.pdf",
                "name": "vedlegg",
                "reportee_element_id": 42,
            }
            chosen.append(
                Target(
                    streamed(name, "SubmitAttachmentStreamed"), url, upload=UPLOAD, headers=headers
                )
            )
        else:
            fields = {"attachment_id": DOWNLOAD}
            chosen.append(Target(streamed(name, "GetAttachmentDataStreamed"), url, fields=fields))
    return chosen


def test_the_cxf_client_uploads_and_downloads_through_every_streamed_wsdl_served_by_cxf(
    cxf: Cxf, server_lines: queue.Queue[str], fetched: Project, tmp_path: Path
) -> None:
    chosen = targets(cxf)
    assert len({target.operation.path for target in chosen}) == len(STREAMED) == 6
    calls = cxf_client.run(cxf.pki, fetched.cache_dir, chosen, ENTERPRISE, tmp_path)
    seen = list(calls_seen(server_lines, len(chosen)))
    uploaded = f"attachment={len(UPLOAD)}:{hashlib.sha256(UPLOAD).hexdigest()}"
    served = expected_content(DOWNLOAD)
    for target, call, line in zip(chosen, calls, seen, strict=True):
        operation = target.operation
        ec = operation.binding is Binding.EC
        assert call.outcome == "RESULT", (operation.label, call)
        assert call.sent == [ISSUE, operation.action, *([CANCEL] if ec else [])], call
        answered = [f"{ISSUED} 200", f"{operation.reply_action} 200"]
        assert call.received == answered + ([REFUSED_CANCEL] if ec else []), call
        assert operation.output is not None
        assert call.result().tag == qname_of(operation.output), call.text
        assert "SCT" in line and "SIGN" in line and ("DKT" in line) == ec, line
        if target.upload is not None:
            assert line.endswith(f" {uploaded}"), line
            assert call.attachments == [], call
        else:
            assert line.endswith(f" sent={DOWNLOAD}"), line
            (part,) = call.attachments  # the one the result's xop:Include points to
            assert xop_references(call.result()) == [part.content_id], call.text
            assert (part.size, part.sha256) == (len(served), hashlib.sha256(served).hexdigest())
