"""The mock's streamed (MTOM) EC and EC2 endpoints check the same security as the others: a
streamed request under a context it issued is answered (MTOM, with a Timestamp); one signed
with another key is refused. The requests are built here from the runtime's parts (the
client's streamed EC path is not part of this room)."""

from __future__ import annotations

import dataclasses
import io

import httpx
import pytest

from altinn2.runtime.operation import Binding, OperationInfo
from altinn2.runtime.registry import operation_index
from altinn2.runtime.secrets import SealedRequest
from altinn2.runtime.security.trust import SecurityContext
from altinn2.runtime.security.x509 import Certificate
from altinn2.runtime.transport.mtom import MtomRequest, include_binary, streamed_field
from altinn2.testing import MockAltinn
from tests.pki import Pki
from tests.testing.security.conftest import ENTERPRISE, ec_input, enterprise_values, https_mock

STREAMED = [
    op for op in operation_index().operations if op.binding in (Binding.EC, Binding.EC2) and op.mtom
]
FILE = b"streamed under a security context\n" * 100


def header_parts(operation: OperationInfo) -> list[object]:
    credentials = enterprise_values(operation)
    parts = []
    for cls, name in zip(operation.input_headers, operation.header_parameters, strict=True):
        (field,) = dataclasses.fields(cls)
        value = credentials.get(name, "910000001" if field.name == "value" else "x")
        parts.append(cls(**{field.name: value}))
    return parts


def streamed_request(
    mock: MockAltinn, operation: OperationInfo, context: SecurityContext, certificate: Certificate
) -> tuple[str, bytes]:
    """The MTOM request's content type and bytes, the envelope secured under `context`."""
    body = ec_input(operation)
    found = streamed_field(type(body))
    if found is not None:
        body = dataclasses.replace(body, **{found[0]: b""})
    with mock.client(operation.binding, certificate=certificate, enterprise=ENTERPRISE) as client:
        call = client.prepare(
            operation, SealedRequest(body, header_parts(operation)), context=context
        )
    envelope, content_id = call.content, None
    if found is not None:
        envelope, content_id = include_binary(envelope, found[1])
    message = MtomRequest(
        envelope,
        operation.soap_version,
        operation.action,
        io.BytesIO(FILE) if found is not None else None,
        content_id,
    )
    return message.content_type, b"".join(message)


def test_every_streamed_ec_and_ec2_operation_is_here() -> None:
    assert {op.binding for op in STREAMED} == {Binding.EC, Binding.EC2}


@pytest.mark.parametrize("operation", STREAMED, ids=lambda op: op.label)
def test_a_streamed_call_under_the_mocks_context_is_answered(
    mock: MockAltinn, certificate: Certificate, operation: OperationInfo
) -> None:
    url = mock.url + operation.path
    context = issue_at(mock, operation, certificate)
    content_type, data = streamed_request(mock, operation, context, certificate)
    response = httpx.post(
        url, content=data, headers={"Content-Type": content_type}, verify=mock.verify()
    )
    assert response.status_code == 200, response.text[:2000]
    assert response.headers["content-type"].startswith("multipart/related")
    assert b"Timestamp" in response.content
    assert mock.calls[-1].operation == operation.name and mock.calls[-1].ok

    forged = dataclasses.replace(context, key=bytes(b ^ 0x11 for b in context.key))
    content_type, data = streamed_request(mock, operation, forged, certificate)
    response = httpx.post(
        url, content=data, headers={"Content-Type": content_type}, verify=mock.verify()
    )
    assert response.status_code == 500
    assert mock.calls[-1].fault == "o:InvalidSecurity"
    assert mock.calls[-1].reason == "the signature does not verify"


def issue_at(
    mock: MockAltinn, operation: OperationInfo, certificate: Certificate
) -> SecurityContext:
    from altinn2.runtime.security import trust
    from tests.testing.security.test_rejections import post

    url = mock.url + operation.path
    request = trust.issue_request(url, certificate)
    return trust.read_issue_response(post(mock, url, request.envelope), request)


def test_the_stateful_mock_answers_a_form_attachment_without_a_broker_shipment(
    pki: Pki, certificate: Certificate
) -> None:
    """SubmitAttachmentStreamed is no broker upload: the stateful mock answers it by default
    (it once looked for a broker shipment of reference '' and faulted 40202) and keeps nothing."""
    with https_mock(pki, stateful=True) as mock:
        client = mock.client(Binding.EC2, certificate=certificate, enterprise=ENTERPRISE)
        receipt = client.intermediary_inbound_streamed.submit_attachment_streamed_ec2(
            reportee_element_id=42, name="vedlegg", source=io.BytesIO(FILE)
        )
        assert receipt is not None
        (call,) = mock.calls_to("SubmitAttachmentStreamedEC")
        assert call.ok and call.binding is Binding.EC2, call
        assert list(mock.upload_folder().glob("*.upload")) == []
        assert mock.scenario.broker_files == []
        mock.check()
