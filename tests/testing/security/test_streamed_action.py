"""The action of a SOAP 1.2 MTOM request, as WCF reads it: first an `action` inside the
multipart's `start-info`, then the multipart's own `action`; when present it must equal
`wsa:Action`, else an ActionMismatch fault (reference notes ec-wire §1 and §8, [RS-HTTP]).
The requests are the EC streamed upload under a context the mock issued, with only the
content type's action (and the root part's `type`, which must equal `start-info`) changed."""

from __future__ import annotations

import httpx
import pytest

from altinn2.runtime.operation import Binding, OperationInfo
from altinn2.runtime.security.x509 import Certificate
from altinn2.testing import MockAltinn
from tests.testing.security.test_streamed import STREAMED, issue_at, streamed_request

(UPLOAD,) = [
    op for op in STREAMED if op.name == "UploadFileStreamedEC" and op.binding is Binding.EC
]
WRONG = "http://www.altinn.no/services/ServiceEngine/Broker/2015/06/IBrokerServiceExternalECStreamed/DownloadFileStreamedEC"
ROOT_TYPE = b'type="application/soap+xml"\r\n'


def with_actions(
    content_type: str, data: bytes, top: str | None, in_start_info: str | None
) -> tuple[str, bytes]:
    """The message with the multipart's `action` set to `top` (None: left out) and, when
    `in_start_info` is given, `start-info` (and the root part's `type`) carrying that action."""
    head, _, _ = content_type.partition('; action="')
    if in_start_info is not None:
        inner = f'application/soap+xml;action=\\"{in_start_info}\\"'
        head = head.replace('start-info="application/soap+xml"', f'start-info="{inner}"')
        assert data.count(ROOT_TYPE) == 1
        data = data.replace(ROOT_TYPE, f'type="{inner}"\r\n'.encode())
    return (head if top is None else f'{head}; action="{top}"'), data


def post(
    mock: MockAltinn, operation: OperationInfo, content_type: str, data: bytes
) -> httpx.Response:
    return httpx.post(
        mock.url + operation.path,
        content=data,
        headers={"Content-Type": content_type},
        verify=mock.verify(),
    )


CASES = {
    # (multipart action, start-info action) -> answered, or refused ActionMismatch
    "as our client writes it": (UPLOAD.action, None, True),
    "no action at all": (None, None, True),
    "multipart action differs": (WRONG, None, False),
    "start-info action agrees": (None, UPLOAD.action, True),
    "start-info action differs": (None, WRONG, False),
    "start-info read before the multipart's action (it agrees)": (WRONG, UPLOAD.action, True),
    "start-info read before the multipart's action (it differs)": (UPLOAD.action, WRONG, False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_mtom_action_must_equal_wsa_action(
    mock: MockAltinn, certificate: Certificate, name: str
) -> None:
    top, in_start_info, answered = CASES[name]
    context = issue_at(mock, UPLOAD, certificate)
    content_type, data = streamed_request(mock, UPLOAD, context, certificate)
    content_type, data = with_actions(content_type, data, top, in_start_info)
    response = post(mock, UPLOAD, content_type, data)
    call = mock.calls[-1]
    if answered:
        assert response.status_code == 200, response.text[:2000]
        assert call.operation == "UploadFileStreamedEC" and call.ok
    else:
        assert response.status_code == 500, response.text[:2000]
        assert call.fault == "a:ActionMismatch"
        assert WRONG in response.text
