"""Mono's WCF and our package, both ways, for every Basic operation with a WSDL (not streamed).

- A WCF client generated from Altinn's Basic WSDLs calls the mock: the mock's typed record of each
  request equals what WCF sent, WCF reads every value of the mock's answer, and the mock's
  AltinnFault arrives as a typed `FaultException<AltinnFault>`.
- Our client calls a WCF service hosting the same contracts: the service receives every value we
  sent, we read every value it answered, and its `FaultException<AltinnFault>` comes back as the
  `AltinnFaultError` of its ErrorID, with the typed detail.

Each operation is called three times: with distinct values in every field (so that a value read
into the wrong field shows), with every string empty and every list without items (empty is not
nil: `""` and `[]` must not arrive as `None`), and answered with a fault. Values are compared leaf
by leaf in canonical form (`canonical.py`).
"""

from __future__ import annotations

import dataclasses
import re
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from altinn2.client import Client
from altinn2.runtime.errors import AltinnFaultError, fault_class
from altinn2.runtime.hooks import Hooks, ResponseEvent
from altinn2.runtime.masking import masked
from altinn2.runtime.operation import Credential, OperationInfo
from altinn2.testing import DEFAULT_SYSTEM, DEFAULT_USER, MockAltinn, example_input
from altinn2.testing.examples import example_output
from tests.wcf.canonical import Comparison, distinct, emptied, in_contract, to_canonical
from tests.wcf.conftest import assembly, basic_operations, contract_names
from tests.wcf.peer import Contract, Toolchain, received

pytestmark = pytest.mark.wcf

OPERATIONS = basic_operations()
CREDENTIAL_FIELDS = {kind.value for kind in Credential}
ERROR_IDS = (30001, 30008, 989)  # missing right, not found, wrong credentials


def error_id_for(index: int) -> int:
    return ERROR_IDS[index % len(ERROR_IDS)]


def requests_for(operation: OperationInfo, client: Client) -> list[Any]:
    """A full request with distinct values and one with every string empty and every list without
    items, carrying the credentials `client` is configured with in every field named after one
    (the pin challenge's request holds them one level down)."""
    full = distinct(example_input(operation, full=True))
    return [_with_credentials(request, client, operation) for request in (full, emptied(full))]


def outputs_for(operation: OperationInfo) -> list[Any]:
    full = distinct(example_output(operation, full=True))
    return [full, emptied(full)]


def _with_credentials(value: Any, client: Client, operation: OperationInfo) -> Any:
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    changes = {}
    for field in dataclasses.fields(value):
        if field.name in CREDENTIAL_FIELDS:
            kind = Credential(field.name)
            changes[field.name] = client.credential_text(kind, None, operation.label)
        else:
            changes[field.name] = _with_credentials(getattr(value, field.name), client, operation)
    return dataclasses.replace(value, **changes)


def result_of(operation: OperationInfo, output: Any) -> Any:
    """What a WCF proxy method returns for `output`: its result element's value."""
    if operation.result is None:
        return None
    return getattr(output, operation.result)


def fault_detail(error_id: int, index: int) -> dict[str, Any]:
    return {
        "AltinnErrorMessage": f"error message {index}",
        "AltinnExtendedErrorMessage": f"extended {index}",
        "AltinnLocalizedErrorMessage": f"lokalisert {index}",
        "ErrorGuid": f"00000000-0000-0000-0000-{index:012d}",
        "ErrorID": str(error_id),
        "UserGuid": f"10000000-0000-0000-0000-{index:012d}",
        "UserId": str(1000 + index),
    }


def view(operation: OperationInfo, value: Any) -> Any:
    """`value` in canonical form, as the endpoint's own WSDL contract holds it."""
    return in_contract(to_canonical(value), contract_names(operation.path))


def client_call(
    contract: Contract, base_url: str, operation: OperationInfo, args: Any
) -> dict[str, Any]:
    """One call of the WCF client's plan."""
    return {
        "assembly": assembly(contract),
        "contract": contract.name,
        "url": f"{base_url}{operation.path}",
        "operation": operation.name,
        "args": args,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_every_basic_operation_is_covered(contracts: dict[str, Contract]) -> None:
    assert OPERATIONS, "no generated Basic operation"
    assert {op.path for op in OPERATIONS} == set(contracts)


# -- a WCF client calling the mock ------------------------------------------------------------

CASES = ("distinct", "empty")


@dataclasses.dataclass
class Exchange:
    """One operation's calls: what was sent and answered, and what the other side read."""

    index: int
    requests: list[Any]
    outputs: list[Any]
    detail: dict[str, Any]
    answers: list[Any]  # what the calling side got: results, then the fault
    received: list[Any]  # what the answering side read: the requests
    fault_envelope: str = ""  # the fault as the WCF service sent it
    masked: list[Any] = dataclasses.field(default_factory=list)  # the requests as records show


@pytest.fixture(scope="module")
def wcf_client_run(
    toolchain: Toolchain, contracts: dict[str, Contract]
) -> Iterator[dict[str, Exchange]]:
    with MockAltinn(stateful=False) as mock:
        client = mock.client()
        plan, exchanges = [], {}
        for index, operation in enumerate(OPERATIONS):
            requests, outputs = requests_for(operation, client), outputs_for(operation)
            error_id = error_id_for(index)
            # The last registration answers first.
            mock.fault(operation.name, error_id, f"error message {index}", times=1)
            for output in reversed(outputs):
                mock.respond(operation.name, output, times=1)
            contract = contracts[operation.path]
            for request in [*requests, requests[0]]:
                plan.append(client_call(contract, mock.url, operation, view(operation, request)))
            detail = {"ErrorID": str(error_id), "AltinnErrorMessage": f"error message {index}"}
            exchanges[operation.name] = Exchange(index, requests, outputs, detail, [], [])
        results = iter(toolchain.call(plan))
        for operation in OPERATIONS:
            exchange = exchanges[operation.name]
            exchange.answers = [next(results) for _ in range(3)]
            exchange.received = list(mock.calls_to(operation.name))
            # The record masks secrets (the mock checked them: the call was answered).
            exchange.masked = [masked(request, mock.redactor) for request in exchange.requests]
        client.close()
        yield exchanges


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_the_mock_reads_every_value_a_wcf_client_sends(
    operation: OperationInfo, wcf_client_run: dict[str, Exchange]
) -> None:
    exchange = wcf_client_run[operation.name]
    calls = exchange.received
    error_id = error_id_for(exchange.index)
    assert [call.fault for call in calls] == [None, None, f"AltinnFault {error_id}"]
    comparison = Comparison()
    for case, request, call in zip(CASES, exchange.masked, calls, strict=False):
        expected = view(operation, request)
        comparison.compare(expected, view(operation, call.request), f"{case} {operation.name}")
    assert comparison.differences == []


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_a_wcf_client_reads_every_value_the_mock_answers(
    operation: OperationInfo, wcf_client_run: dict[str, Exchange]
) -> None:
    exchange = wcf_client_run[operation.name]
    comparison = Comparison()
    for case, output, answer in zip(CASES, exchange.outputs, exchange.answers, strict=False):
        assert "result" in answer, answer
        expected = view(operation, result_of(operation, output))
        comparison.compare(expected, answer["result"], f"{case} {operation.name}")
    assert comparison.differences == []


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_a_wcf_client_gets_the_mocks_altinn_fault_typed(
    operation: OperationInfo, wcf_client_run: dict[str, Exchange]
) -> None:
    exchange = wcf_client_run[operation.name]
    fault = exchange.answers[2].get("fault")
    assert fault is not None, exchange.answers[2]
    assert fault["code"] == "Client"
    assert fault["detailType"] == "AltinnFault"
    assert {key: fault["detail"][key] for key in exchange.detail} == exchange.detail
    assert uuid.UUID(fault["detail"]["ErrorGuid"])


# -- our client calling a WCF service ---------------------------------------------------------


@pytest.fixture(scope="module")
def wcf_service_run(
    toolchain: Toolchain, contracts: dict[str, Contract]
) -> Iterator[dict[str, Exchange]]:
    base_url = f"http://127.0.0.1:{free_port()}"
    responses: list[ResponseEvent] = []
    client = Client(
        base_url=base_url,
        binding="Basic",
        system=DEFAULT_SYSTEM,
        user=DEFAULT_USER,
        hooks=Hooks(response=[responses.append]),
    )
    services: dict[str, dict[str, Any]] = {}
    exchanges = {}
    for index, operation in enumerate(OPERATIONS):
        contract = contracts[operation.path]
        service = services.setdefault(
            operation.path,
            {
                "assembly": assembly(contract),
                "contract": contract.name,
                "url": f"{base_url}{operation.path}",
                "answers": {},
            },
        )
        outputs = outputs_for(operation)
        detail = fault_detail(error_id_for(index), index)
        service["answers"][operation.name] = [
            *({"result": view(operation, result_of(operation, output))} for output in outputs),
            {"fault": {"reason": detail["AltinnErrorMessage"], "detail": detail}},
        ]
        requests = requests_for(operation, client)
        exchanges[operation.name] = Exchange(index, requests, outputs, detail, [], [])
    with toolchain.serve({"services": list(services.values())}) as record:
        for operation in OPERATIONS:
            exchange = exchanges[operation.name]
            for request in exchange.requests:
                exchange.answers.append(client.invoke(operation, request, operation.output))
            with pytest.raises(AltinnFaultError) as raised:
                client.invoke(operation, exchange.requests[0], operation.output)
            exchange.answers.append(raised.value)
            exchange.fault_envelope = responses[-1].envelope
        for line in received(record):
            exchanges[line["operation"]].received.append(line["args"])
    client.close()
    yield exchanges


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_a_wcf_service_reads_every_value_our_client_sends(
    operation: OperationInfo, wcf_service_run: dict[str, Exchange]
) -> None:
    exchange = wcf_service_run[operation.name]
    assert len(exchange.received) == 3  # nothing was resent
    comparison = Comparison()
    sent = [*exchange.requests, exchange.requests[0]]
    for case, request, seen in zip((*CASES, "fault"), sent, exchange.received, strict=True):
        comparison.compare(view(operation, request), seen, f"{case} {operation.name}")
    assert comparison.differences == []


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_our_client_reads_every_value_a_wcf_service_answers(
    operation: OperationInfo, wcf_service_run: dict[str, Exchange]
) -> None:
    exchange = wcf_service_run[operation.name]
    comparison = Comparison()
    for case, output, answer in zip(CASES, exchange.outputs, exchange.answers, strict=False):
        expected, read = view(operation, output), view(operation, answer)
        comparison.compare(expected, read, f"{case} {operation.name}")
    assert comparison.differences == []


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_a_wcf_services_altinn_fault_is_raised_typed(
    operation: OperationInfo, wcf_service_run: dict[str, Exchange]
) -> None:
    exchange = wcf_service_run[operation.name]
    error = exchange.answers[2]
    assert isinstance(error, fault_class(error_id_for(exchange.index)))
    assert error.error_id == error_id_for(exchange.index)
    comparison = Comparison()
    comparison.compare(exchange.detail, to_canonical(error.detail), operation.name)
    assert comparison.differences == []


PIN_OPERATIONS = [op for op in OPERATIONS if Credential.USER_PIN_CODE in op.credentials.values()]


def test_the_mock_runs_a_call_whose_null_pin_wcf_sends_as_nil(
    toolchain: Toolchain, contracts: dict[str, Contract]
) -> None:
    """A WCF client sends a null string as `<userPinCode i:nil="true"/>` although the schema does
    not make it nillable; a WCF service runs the operation with null, and so does the mock (a
    system-only call: no person, no pin)."""
    assert PIN_OPERATIONS
    with MockAltinn(stateful=False) as mock:
        client = mock.client()
        plan = []
        for operation in PIN_OPERATIONS:
            args = view(operation, requests_for(operation, client)[0])
            for name, kind in operation.credentials.items():
                if kind in (Credential.USER_SSN, Credential.USER_PASSWORD, Credential.AUTH_METHOD):
                    args[_xml_name(operation, name)] = ""
            args[_xml_name(operation, _field_of(operation, Credential.USER_PIN_CODE))] = None
            plan.append(client_call(contracts[operation.path], mock.url, operation, args))
        results = toolchain.call(plan)
        client.close()
        calls = [mock.calls_to(operation.name)[0] for operation in PIN_OPERATIONS]
    for call in calls:  # what WCF sent, and the mock answered
        assert re.search(r'<(\w+:)?userPinCode [^>]*nil="true"', call.envelope), call.envelope
        assert (call.fault, call.reason) == (None, None), call.operation
    assert all("result" in result for result in results), results


def _field_of(operation: OperationInfo | None, kind: Credential) -> str:
    assert operation is not None
    return next(name for name, given in operation.credentials.items() if given is kind)


def _xml_name(operation: OperationInfo, field: str) -> str:
    from altinn2.runtime.codec import context

    variables = context().build(operation.input).get_all_vars()
    return next(var.local_name for var in variables if var.name == field)


def test_our_client_tolerates_monos_fault_envelopes(wcf_service_run: dict[str, Exchange]) -> None:
    """Mono's faults differ from .NET's: a SOAP 1.1 `faultcode` without a prefix (`Sender`), an
    empty `xml:lang`, and a mustUnderstand Action header in the "addressing none" namespace. Our
    client reads them all as the typed AltinnFault (the fault tests above)."""
    for name, exchange in wcf_service_run.items():
        envelope = exchange.fault_envelope
        assert "<faultcode>Sender</faultcode>" in envelope, name
        assert 'xml:lang=""' in envelope, name
        assert re.search(
            r'<Action s:mustUnderstand="1" xmlns="http://schemas.microsoft.com/ws/2005/05/'
            r'addressing/none">',
            envelope,
        ), name
        assert isinstance(exchange.answers[2], AltinnFaultError), name
