"""Results never lie: the issue's probe, a rejected submission whose receipt carries a malformed
`ReceiptId` and a status that is not a member of the enum, through the client.

Before, the receipt came back "typed" with raw strings inside and `receipt_ok()` said True.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from altinn2.client import Client
from altinn2.runtime import SystemCredentials
from altinn2.runtime.client import RetryPolicy
from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.hooks import Hooks
from altinn2.runtime.receipts import receipt_ok
from tests.soap_server import TLS, Reply, SoapServer

RECORDED = "IntermediaryInbound/SubmitFormTaskBasic-response-2.xml"


def submit(url: str) -> object:
    with Client(
        verify=TLS,
        base_url=url,
        system=SystemCredentials("412", "pw-pw-pw"),
        retry=RetryPolicy(attempts=1),
        hooks=Hooks(log=False),
    ) as client:
        return client.intermediary_inbound.submit_form_task_basic()


def test_the_recorded_rejection_reads_as_rejected(shared: Path) -> None:
    data = (shared / "altinn2-traffic" / RECORDED).read_bytes()
    with SoapServer(Reply(data)) as server:
        receipt = submit(server.url)
    assert not receipt_ok(receipt)


@pytest.mark.parametrize(
    ("original", "tampered", "path"),
    [
        (b"<ReceiptId>37507056", b"<ReceiptId>37507O56", "SubmitFormTaskBasicResult/ReceiptId"),
        (b">Rejected<", b">Rejected, sort of<", "SubmitFormTaskBasicResult/ReceiptStatusCode"),
    ],
    ids=["receipt-id", "status"],
)
def test_a_receipt_with_a_value_of_the_wrong_type_is_a_protocol_error(
    shared: Path, original: bytes, tampered: bytes, path: str
) -> None:
    data = (shared / "altinn2-traffic" / RECORDED).read_bytes()
    assert original in data
    with (
        SoapServer(Reply(data.replace(original, tampered))) as server,
        pytest.raises(ProtocolError) as caught,
    ):
        submit(server.url)
    message = str(caught.value)
    assert message.startswith("IntermediaryInbound.SubmitFormTaskBasic (Basic): ")
    assert path in message
