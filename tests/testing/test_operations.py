"""Every generated Basic and WS endpoint method that is not streamed, called over real HTTP
against the mock Altinn, sync and async, with inputs built from the generated types and the typed
result checked against the method's return annotation.

The set of methods is computed from the registry (`operation_index()`): the test fails if a
generated Basic/WS non-MTOM operation has no method or was not exercised. The streamed (MTOM)
Basic/WS methods are exercised end to end in test_mtom_mock.py (they take files, not example
inputs). EC methods (the client has no WS-SecureConversation yet) join with their issue: they are
checked to be refused without reaching Altinn.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from altinn2.endpoints import SERVICES
from altinn2.runtime.errors import ConfigurationError
from altinn2.runtime.operation import Binding, OperationInfo, Security
from altinn2.runtime.registry import operation_index
from altinn2.testing import DEFAULT_SYSTEM, DEFAULT_USER, MockAltinn, example_input


@dataclass(frozen=True)
class EndpointMethod:
    operation: OperationInfo
    service: str  # the client's property (the service module's name)
    method: str

    @property
    def label(self) -> str:
        return f"{self.service}.{self.method}"


def endpoint_methods() -> list[EndpointMethod]:
    """Each generated endpoint method with the OperationInfo it calls (read from the service
    modules' source: the method calls `self._call(<CONSTANT>, locals())`, or `_upload` or
    `_download` for a streamed one)."""
    found = []
    for module_name, class_name in SERVICES.items():
        module = importlib.import_module(f"altinn2.services.{module_name}")
        tree = ast.parse(inspect.getsource(module))
        for node in tree.body:
            if not isinstance(node, ast.ClassDef) or node.name != class_name:
                continue
            for function in node.body:
                if not isinstance(function, ast.FunctionDef):
                    continue
                for call in ast.walk(function):
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and call.func.attr in ("_call", "_upload", "_download")
                        and call.args
                        and isinstance(call.args[0], ast.Name)
                    ):
                        operation = getattr(module, call.args[0].id)
                        found.append(EndpointMethod(operation, module_name, function.name))
    return found


def exercisable(operation: OperationInfo) -> bool:
    return operation.binding in (Binding.BASIC, Binding.WS) and not operation.mtom


def streamed_elsewhere(operation: OperationInfo) -> bool:
    """Exercised by test_mtom_mock.py."""
    return operation.binding in (Binding.BASIC, Binding.WS) and operation.mtom


EXPECTED = [op for op in operation_index().operations if exercisable(op)]
METHODS = endpoint_methods()
EXERCISED = [method for method in METHODS if exercisable(method.operation)]
STREAMED = [method for method in METHODS if streamed_elsewhere(method.operation)]


def test_every_exercisable_operation_has_exactly_one_endpoint_method() -> None:
    names = sorted(f"{op.service}.{op.name}" for op in EXPECTED)
    methods = sorted(f"{m.operation.service}.{m.operation.name}" for m in EXERCISED)
    assert methods == names
    assert len(METHODS) == len(operation_index().operations)  # every operation has its method


def arguments(endpoint: EndpointMethod, function: Callable[..., Any]) -> dict[str, Any]:
    """The method's parameters, from a full example of the operation's input; credentials and
    base_url are left to the client (the pin challenge carries the person's in its request)."""
    body = example_input(endpoint.operation, full=True)
    challenge = getattr(body, "challenge_request", None)
    if challenge is not None:
        challenge.system_user_name = DEFAULT_SYSTEM.user_name
        challenge.user_ssn = DEFAULT_USER.ssn.reveal()
        challenge.user_password = DEFAULT_USER.password.reveal()
        challenge.auth_method = "AltinnPin"
    skipped = {"self", "base_url", *endpoint.operation.credentials}
    values = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if name in skipped:
            continue
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        if hasattr(body, name):
            values[name] = getattr(body, name)
        else:  # a SOAP header part of a streamed (MessageContract) operation
            assert endpoint.operation.input_headers, f"{endpoint.label}: {name} is not an input"
            if parameter.default is inspect.Parameter.empty:
                values[name] = 1
    return values


def matches(value: Any, hint: Any) -> bool:
    """Whether `value` has the type `hint` (classes, `X | None`, `list[X]`)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(matches(value, arg) for arg in typing.get_args(hint))
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(matches(member, item) for member in value)
    if hint is None or hint is type(None):
        return value is None
    return isinstance(value, hint)


def check_result(
    endpoint: EndpointMethod, function: Callable[..., Any], value: Any, full: bool
) -> None:
    hint = typing.get_type_hints(function)["return"]
    assert matches(value, hint), f"{endpoint.label} returned {type(value).__name__}, not {hint}"
    if full and endpoint.operation.result is not None:
        # A full default answer fills every element: the result is there, lists have an item.
        assert value is not None and value != [], f"{endpoint.label}: empty result"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockAltinn]:
    with MockAltinn() as server:
        yield server


def report(capsys: pytest.CaptureFixture[str], count: int, flavour: str, defaults: str) -> None:
    with capsys.disabled():
        print(
            f"\nmock Altinn: {count} of {len(EXPECTED)} generated Basic/WS endpoint methods "
            f"(not streamed) called over HTTP, {flavour}, {defaults} default answers"
        )


@pytest.mark.parametrize("defaults", ["minimal", "full"])
def test_every_endpoint_method_over_http_sync(
    mock: MockAltinn, defaults: str, capsys: pytest.CaptureFixture[str]
) -> None:
    mock.reset()
    mock.defaults = "full" if defaults == "full" else "minimal"
    clients = {binding: mock.client(binding) for binding in (Binding.BASIC, Binding.WS)}
    exercised = set()
    for endpoint in EXERCISED:
        client = clients[endpoint.operation.binding]
        function = getattr(getattr(client, endpoint.service), endpoint.method)
        value = function(**arguments(endpoint, function))
        check_result(endpoint, function, value, defaults == "full")
        call = mock.last_call
        assert call is not None and call.ok, call
        assert (call.operation, call.binding) == (
            endpoint.operation.name,
            endpoint.operation.binding,
        )
        assert isinstance(call.request, endpoint.operation.input)
        exercised.add((endpoint.operation.path, endpoint.operation.name))
    report(capsys, len(exercised), "sync Client", defaults)
    assert len(exercised) == len(EXPECTED) == len(mock.calls)
    mock.check()


@pytest.mark.parametrize("defaults", ["minimal", "full"])
async def test_every_endpoint_method_over_http_async(
    mock: MockAltinn, defaults: str, capsys: pytest.CaptureFixture[str]
) -> None:
    mock.reset()
    mock.defaults = "full" if defaults == "full" else "minimal"
    exercised = set()
    async with mock.async_client("Basic") as basic, mock.async_client("WS") as ws:
        clients = {Binding.BASIC: basic, Binding.WS: ws}
        for endpoint in EXERCISED:
            client = clients[endpoint.operation.binding]
            function = getattr(getattr(client, endpoint.service), endpoint.method)
            value = await function(**arguments(endpoint, function))
            check_result(endpoint, function, value, defaults == "full")
            call = mock.last_call
            assert call is not None and call.ok and call.operation == endpoint.operation.name
            exercised.add((endpoint.operation.path, endpoint.operation.name))
    report(capsys, len(exercised), "AsyncClient", defaults)
    assert len(exercised) == len(EXPECTED) == len(mock.calls)
    mock.check()


def test_ec_methods_are_refused_before_altinn(mock: MockAltinn) -> None:
    """The EC and EC2 methods join the mock with its WS-SecureConversation: a client without a
    certificate refuses them (streamed ones too, which the streamed transport does not secure
    yet); nothing is sent to the mock."""
    mock.reset()
    refused = []
    clients = {binding: mock.client(binding) for binding in Binding}
    for endpoint in METHODS:
        if exercisable(endpoint.operation) or streamed_elsewhere(endpoint.operation):
            continue
        client = clients[endpoint.operation.binding]
        function = getattr(getattr(client, endpoint.service), endpoint.method)
        kwargs = arguments(endpoint, function)
        if "source" in kwargs:
            kwargs["source"] = iter([b"file"])
        assert endpoint.operation.security is Security.SECURE_CONVERSATION
        with pytest.raises(ConfigurationError, match=r"certificate=|WS-SecureConversation"):
            function(**kwargs)
        refused.append(endpoint)
    total = len(refused) + len(EXERCISED) + len(STREAMED)
    assert total == len(operation_index().operations)
    assert STREAMED and mock.calls == ()
