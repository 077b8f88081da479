"""The mock's endpoint table: every generated .svc path with its binding and operations.

Paths are keyed in lower case, as IIS matches them. Within an endpoint an operation is selected
by its action, as WCF's dispatcher selects it: WS-Addressing `Action` on bindings with
addressing (WS, EC), `SOAPAction` on the others (Basic).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from altinn2.runtime.operation import Binding, OperationInfo, Security, SoapVersion
from altinn2.runtime.wsheaders import WSA, WSSE

# The WS-Addressing headers WCF understands on a binding with addressing.
ADDRESSING_HEADERS = ("Action", "To", "MessageID", "ReplyTo", "From", "FaultTo", "RelatesTo")


@dataclass(frozen=True)
class Endpoint:
    """One .svc path: its binding and operations (by the action that selects them)."""

    path: str
    binding: Binding
    version: SoapVersion
    security: Security
    addressing: bool
    operations: Mapping[str, OperationInfo]

    @property
    def understood(self) -> frozenset[str]:
        """The header blocks (Clark names) the binding itself understands."""
        names = {f"{{{WSA}}}{name}" for name in ADDRESSING_HEADERS} if self.addressing else set()
        if self.security is not Security.NONE:
            names.add(f"{{{WSSE}}}Security")
        return frozenset(names)


def endpoints(operations: Iterable[OperationInfo]) -> dict[str, Endpoint]:
    """Every endpoint path (lower case, as IIS matches paths) with its operations."""
    grouped: dict[str, list[OperationInfo]] = {}
    for operation in operations:
        grouped.setdefault(operation.path.lower(), []).append(operation)
    table = {}
    for path, members in grouped.items():
        first = members[0]
        by_action = {
            (operation.action if first.addressing else operation.soap_action): operation
            for operation in members
        }
        table[path] = Endpoint(
            first.path,
            first.binding,
            first.soap_version,
            first.security,
            first.addressing,
            by_action,
        )
    return table
