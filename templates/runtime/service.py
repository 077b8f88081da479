"""Base classes of the generated service modules (one sync and one async class per service)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from altinn2.runtime.client import AsyncClient, Client
from altinn2.runtime.errors import BindingNotAvailableError
from altinn2.runtime.operation import Binding, Credential, OperationInfo
from altinn2.runtime.secrets import SealedRequest, Secret

T = TypeVar("T")


class _ServiceBase:
    service_name = ""
    _client: Client | AsyncClient

    @property
    def binding(self) -> Binding:
        """The binding the base-operation methods use: the client's."""
        return self._client.binding

    def _credential(self, kind: Credential, given: str | Secret | None) -> str | None:
        return self._client.credential(kind, given)

    def _credential_text(
        self, kind: Credential, given: str | Secret | None, operation: OperationInfo
    ) -> str:
        self._client.ensure_security(operation)  # EC: say so, not "configure credentials"
        return self._client.credential_text(kind, given, operation.label)

    def _unavailable(
        self, base_operation: str, available: Sequence[Binding]
    ) -> BindingNotAvailableError:
        names = ", ".join(binding.value for binding in available) or "none"
        return BindingNotAvailableError(
            f"{self.service_name}.{base_operation} has no {self.binding.value} endpoint in this "
            f"package (no WSDL); available: {names}"
        )

    def _not_a_parameter(self, name: str, binding: str) -> TypeError:
        return TypeError(f"{name} is not a parameter of the {binding} endpoint; leave it out")

    def _wrong_type(self, name: str, binding: str, expected: str) -> TypeError:
        return TypeError(f"the {binding} endpoint takes {name} as {expected}")

    def _missing_argument(self, name: str, binding: str) -> TypeError:
        return TypeError(f"the {binding} endpoint requires {name}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._client!r})"


class Service(_ServiceBase):
    def __init__(self, client: Client) -> None:
        self._client: Client = client

    def _call(
        self,
        operation: OperationInfo,
        body: object,
        output: type[T],
        headers: Sequence[object] = (),
        base_url: str | None = None,
    ) -> T:
        request = SealedRequest(body, headers)
        del body, headers  # from here on only the sealed holder keeps the credentials
        return self._client.invoke(operation, request, output, base_url=base_url)


class AsyncService(_ServiceBase):
    def __init__(self, client: AsyncClient) -> None:
        self._client: AsyncClient = client

    async def _call(
        self,
        operation: OperationInfo,
        body: object,
        output: type[T],
        headers: Sequence[object] = (),
        base_url: str | None = None,
    ) -> T:
        request = SealedRequest(body, headers)
        del body, headers  # from here on only the sealed holder keeps the credentials
        return await self._client.invoke(operation, request, output, base_url=base_url)
