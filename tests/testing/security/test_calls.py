"""Every EC and EC2 operation that is not streamed, called end to end through the generated
client over loopback HTTPS against the mock, sync and async: a context issued once per
endpoint, every call verified under it (EC through a derived key), answered with a Timestamp."""

from __future__ import annotations

import asyncio

import pytest

from altinn2.runtime import Certificate
from altinn2.runtime.operation import Binding, OperationInfo
from altinn2.runtime.registry import operation_index
from altinn2.testing import MockAltinn
from tests.testing.security.conftest import ENTERPRISE, ec_input

CONVERSATION_OPERATIONS = [
    op
    for op in operation_index().operations
    if op.binding in (Binding.EC, Binding.EC2) and not op.mtom
]


def test_there_are_ec_and_ec2_operations_to_call() -> None:
    bindings = {op.binding for op in CONVERSATION_OPERATIONS}
    assert bindings == {Binding.EC, Binding.EC2}


def exchanges(mock: MockAltinn, operation: OperationInfo) -> list[str]:
    """What the mock saw at the operation's endpoint, in order: `issued`, the operation's name
    for each verified call, `cancelled`; every exchange answered without a fault."""
    records = [call for call in mock.calls if call.path.lower() == operation.path.lower()]
    assert all(call.ok for call in records), records
    return [call.reason.split(" ")[0] if call.reason else str(call.operation) for call in records]


def expected(operation: OperationInfo, calls: int) -> list[str]:
    """One issue, the calls, and on close EC's Cancel (EC2 must not send one)."""
    cancel = ["cancelled"] if operation.binding is Binding.EC else []
    return ["issued", *[operation.name] * calls, *cancel]


@pytest.mark.parametrize("operation", CONVERSATION_OPERATIONS, ids=lambda op: op.label)
def test_the_client_calls_the_operation_against_the_mock(
    mock: MockAltinn, certificate: Certificate, operation: OperationInfo
) -> None:
    assert mock.url.startswith("https://127.0.0.1:")
    with mock.client(operation.binding, certificate=certificate, enterprise=ENTERPRISE) as client:
        for _ in range(2):
            answer = client.invoke(operation, ec_input(operation), operation.output)
            assert operation.output is None or isinstance(answer, operation.output)
    assert exchanges(mock, operation) == expected(operation, 2)


@pytest.mark.parametrize("operation", CONVERSATION_OPERATIONS, ids=lambda op: op.label)
async def test_the_async_client_calls_the_operation_against_the_mock(
    mock: MockAltinn, certificate: Certificate, operation: OperationInfo
) -> None:
    async with mock.async_client(
        operation.binding, certificate=certificate, enterprise=ENTERPRISE
    ) as client:
        answers = await asyncio.gather(
            *(client.invoke(operation, ec_input(operation), operation.output) for _ in range(3))
        )
        assert all(operation.output is None or isinstance(a, operation.output) for a in answers)
    assert exchanges(mock, operation) == expected(operation, 3)  # one issue in flight
