"""Base classes of the generated service modules (one sync and one async class per service)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from altinn2.runtime.client import AsyncClient, Client
from altinn2.runtime.dispatch import (
    BaseOperation,
    Result,
    missing_argument,
    not_a_parameter,
    wrong_type,
)
from altinn2.runtime.errors import BindingNotAvailableError
from altinn2.runtime.operation import Binding, Credential, OperationInfo, Output
from altinn2.runtime.request import build_body, build_headers
from altinn2.runtime.secrets import SealedRequest, Secret

if TYPE_CHECKING:  # the streamed calls' module loads with their first call
    from altinn2.runtime.transport.download import AsyncDownload, Download


def _output(operation: OperationInfo[Output]) -> type[Output]:
    if operation.output is None:
        raise TypeError(f"{operation.label} declares no output message")
    return operation.output


class _ServiceBase:
    service_name = ""
    _client: Client | AsyncClient

    @property
    def binding(self) -> Binding:
        """The binding the base-operation methods use: the client's."""
        return self._client.binding

    def _credential(
        self, kind: Credential, given: str | Secret | None, required: bool, operation: OperationInfo
    ) -> str | None:
        """The caller's value, else the client's; one the schema requires is never None."""
        if not required:
            return self._client.credential(kind, given)
        self._client.ensure_security(operation)  # EC: say so, not "configure credentials"
        return self._client.credential_text(kind, given, operation.label)

    def _request(self, operation: OperationInfo, arguments: Mapping[str, Any]) -> SealedRequest:
        """The body and the SOAP header parts of a call, from the method's arguments, sealed
        (they carry credentials: see `SealedRequest`)."""

        def lookup(kind: Credential, given: str | Secret | None, required: bool) -> str | None:
            return self._credential(kind, given, required, operation)

        body = build_body(operation, arguments, lookup)
        return SealedRequest(body, build_headers(operation, arguments, lookup))

    @staticmethod
    def _arguments(arguments: Mapping[str, Any]) -> dict[str, Any]:
        """A base method's arguments (its `locals()`) for its binding's method: those given, as
        None is every endpoint method's default and the checks left out what it does not take."""
        return {
            name: value for name, value in arguments.items() if name != "self" and value is not None
        }

    def _unavailable(
        self, base_operation: str, available: Sequence[Binding]
    ) -> BindingNotAvailableError:
        names = ", ".join(binding.value for binding in available) or "none"
        return BindingNotAvailableError(
            f"{self.service_name}.{base_operation} has no {self.binding.value} endpoint in this "
            f"package (no WSDL); available: {names}"
        )

    # The checks of a base method that dispatches without a table (a streamed download among
    # its bindings: the generator writes its if-chain), with the table's messages.
    def _not_a_parameter(self, name: str, binding: str) -> TypeError:
        return not_a_parameter(name, binding)

    def _wrong_type(self, name: str, binding: str, expected: str) -> TypeError:
        return wrong_type(name, binding, expected)

    def _missing_argument(self, name: str, binding: str) -> TypeError:
        return missing_argument(name, binding)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._client!r})"


class Service(_ServiceBase):
    def __init__(self, client: Client) -> None:
        self._client: Client = client

    def _dispatch(self, base: BaseOperation[Result], arguments: Mapping[str, Any]) -> Result:
        """A base method's call (its `locals()`): its binding's endpoint method, after the
        checks of the arguments, with those given (None is every endpoint method's default)."""
        route = base.route(self.binding, arguments)
        if route is None:
            raise self._unavailable(base.name, tuple(base.routes))
        result: Result = getattr(self, route.method)(**self._arguments(arguments))
        return result

    def _call(self, operation: OperationInfo[Output], arguments: Mapping[str, Any]) -> Output:
        """Call the operation with a method's arguments (its `locals()`); the output wrapper."""
        request = self._request(operation, arguments)
        output, base_url = _output(operation), arguments.get("base_url")
        return self._client.invoke(operation, request, output, base_url=base_url)

    def _upload(self, operation: OperationInfo[Output], arguments: Mapping[str, Any]) -> Output:
        """Send a streamed operation's file (`source`, `progress`); the output wrapper."""
        request = self._request(operation, arguments)
        return self._client.upload(
            operation,
            request,
            _output(operation),
            source=arguments["source"],
            progress=arguments.get("progress"),
            base_url=arguments.get("base_url"),
        )

    def _download(
        self, operation: OperationInfo[Output], arguments: Mapping[str, Any]
    ) -> Download[Output]:
        """Call a streamed download: the typed answer and its content, through a `Download`."""
        request = self._request(operation, arguments)
        output, base_url = _output(operation), arguments.get("base_url")
        return self._client.stream(operation, request, output, base_url=base_url)


class AsyncService(_ServiceBase):
    def __init__(self, client: AsyncClient) -> None:
        self._client: AsyncClient = client

    async def _dispatch(self, base: BaseOperation[Result], arguments: Mapping[str, Any]) -> Result:
        """A base method's call (its `locals()`): its binding's endpoint method, after the
        checks of the arguments, with those given (None is every endpoint method's default)."""
        route = base.route(self.binding, arguments)
        if route is None:
            raise self._unavailable(base.name, tuple(base.routes))
        result: Result = await getattr(self, route.method)(**self._arguments(arguments))
        return result

    async def _call(self, operation: OperationInfo[Output], arguments: Mapping[str, Any]) -> Output:
        """Call the operation with a method's arguments (its `locals()`); the output wrapper."""
        request = self._request(operation, arguments)
        output, base_url = _output(operation), arguments.get("base_url")
        return await self._client.invoke(operation, request, output, base_url=base_url)

    async def _upload(
        self, operation: OperationInfo[Output], arguments: Mapping[str, Any]
    ) -> Output:
        """Send a streamed operation's file (`source`, `progress`); the output wrapper."""
        request = self._request(operation, arguments)
        return await self._client.upload(
            operation,
            request,
            _output(operation),
            source=arguments["source"],
            progress=arguments.get("progress"),
            base_url=arguments.get("base_url"),
        )

    async def _download(
        self, operation: OperationInfo[Output], arguments: Mapping[str, Any]
    ) -> AsyncDownload[Output]:
        """Call a streamed download: the typed answer and its content, through a Download."""
        request = self._request(operation, arguments)
        output, base_url = _output(operation), arguments.get("base_url")
        return await self._client.stream(operation, request, output, base_url=base_url)
