"""Every generated endpoint operation, found through the service modules (imports them all)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

from altinn2.runtime.codec import qname_of
from altinn2.runtime.operation import OperationInfo


@dataclass(frozen=True)
class OperationIndex:
    operations: tuple[OperationInfo, ...]
    requests: dict[str, tuple[OperationInfo, ...]]  # body element (Clark name) -> operations
    responses: dict[str, tuple[OperationInfo, ...]]

    def named(self, name: str) -> tuple[OperationInfo, ...]:
        """Operations whose WSDL name (or `Service.Name`) is `name`, case-insensitively."""
        wanted = name.lower()
        return tuple(
            op
            for op in self.operations
            if wanted in (op.name.lower(), f"{op.service}.{op.name}".lower())
        )


@cache
def operation_index() -> OperationIndex:
    from altinn2.endpoints import SERVICES

    operations: list[OperationInfo] = []
    for module_name in SERVICES:
        module = importlib.import_module(f"altinn2.services.{module_name}")
        operations += [value for value in vars(module).values() if isinstance(value, OperationInfo)]
    requests: dict[str, list[OperationInfo]] = {}
    responses: dict[str, list[OperationInfo]] = {}
    for op in operations:
        requests.setdefault(qname_of(op.input), []).append(op)
        if op.output is not None:
            responses.setdefault(qname_of(op.output), []).append(op)
    return OperationIndex(
        tuple(operations),
        {key: tuple(value) for key, value in requests.items()},
        {key: tuple(value) for key, value in responses.items()},
    )
