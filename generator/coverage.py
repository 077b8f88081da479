"""Which WSDL operation, if any, each row of the table is.

This is the map lint reports and the generator uses.

A row is FOUND when its printed operation name is in its endpoint's WSDL, NAME-DIFFERS when the
WSDL spells it differently (the spec's `wsdl_operation`, or a close name lint suggests),
NOT-IN-WSDL when the endpoint's WSDL lacks it, and NO-WSDL when there is no WSDL for the endpoint.
"""

from __future__ import annotations

import difflib
import enum
from dataclasses import dataclass

from generator.cache import WsdlCache
from generator.spec import EndpointRow, Spec
from generator.wsdl import Operation, Wsdl
from generator.wsdl.model import Binding, SecurityProfile

# Operations every Altinn contract carries that are not rows of the table.
CONTRACT_BASE_OPERATIONS = frozenset({"Test"})


SIMILARITY = 0.8


class Status(enum.Enum):
    FOUND = "FOUND"
    NAME_DIFFERS = "NAME-DIFFERS"
    NOT_IN_WSDL = "NOT-IN-WSDL"
    NO_WSDL = "NO-WSDL"


@dataclass(frozen=True)
class RowCoverage:
    row: EndpointRow
    status: Status
    wsdl_file: str | None
    binding: Binding | None
    operation: Operation | None  # the WSDL operation the row is (FOUND / NAME-DIFFERS)
    binding_problem: str | None

    @property
    def wsdl_operation(self) -> str | None:
        return self.operation.name if self.operation else None

    @property
    def generated(self) -> bool:
        """The generator makes a method for the row: the spec knows the WSDL's name for it."""
        return self.operation is not None and self.operation.name == self.row.operation_name

    @property
    def needs_erratum(self) -> bool:
        """A mismatch the spec has not explained (what `lint --strict` fails on)."""
        mismatch = self.status in (Status.NAME_DIFFERS, Status.NOT_IN_WSDL) or bool(
            self.binding_problem
        )
        return mismatch and not self.row.explained


def _binding_problem(spec: Spec, row: EndpointRow, binding: Binding) -> str | None:
    """How the WSDL's binding differs from what the spec's binding says it is (None: it does
    not)."""
    expected = spec.bindings.get(row.effective_binding)
    if expected is None or expected.soap is None or expected.security is None:
        return None
    soap_version, security = expected.soap, SecurityProfile(expected.security)
    actual = binding.policy.security
    if binding.soap_version != soap_version or actual is not security:
        return (
            f"the WSDL's binding is SOAP {binding.soap_version} with {actual.value} security, "
            f"not {row.effective_binding} (SOAP {soap_version}, {security.value})"
        )
    return None


def _close_name(name: str, candidates: list[str]) -> str | None:
    if not name:
        return None
    folded = {candidate.lower(): candidate for candidate in candidates}
    if name.lower() in folded:
        return folded[name.lower()]
    matches = difflib.get_close_matches(name, candidates, n=1, cutoff=SIMILARITY)
    return matches[0] if matches else None


def _resolve(
    row: EndpointRow, wsdl: Wsdl, binding: Binding, claimed: set[str]
) -> tuple[Status, Operation | None]:
    names = binding.operations
    if row.operation and row.operation in names:
        return Status.FOUND, wsdl.operation(binding, row.operation)
    if row.wsdl_operation and row.wsdl_operation in names:
        return Status.NAME_DIFFERS, wsdl.operation(binding, row.wsdl_operation)
    # A name other rows of this endpoint claim is theirs, not a respelling of this row's.
    candidates = [n for n in names if n not in claimed and n not in CONTRACT_BASE_OPERATIONS]
    suggestion = _close_name(row.operation_name, candidates)
    if suggestion is not None:
        return Status.NAME_DIFFERS, wsdl.operation(binding, suggestion)
    return Status.NOT_IN_WSDL, None


def cover(spec: Spec, cache: WsdlCache) -> list[RowCoverage]:
    """Resolve every row of the spec against the WSDL cache, in table order."""
    claimed_by_path: dict[str, set[str]] = {}
    for row in spec.endpoints:
        claimed_by_path.setdefault(row.path, set()).update(
            name for name in (row.operation, row.wsdl_operation) if name
        )
    results = []
    for row in spec.endpoints:
        file = cache.root_file(row.path)
        wsdl = cache.endpoint_wsdl(row.path)
        if wsdl is None:
            results.append(RowCoverage(row, Status.NO_WSDL, None, None, None, None))
            continue
        binding = wsdl.main_binding()
        own = {name for name in (row.operation, row.wsdl_operation) if name}
        status, operation = _resolve(row, wsdl, binding, claimed_by_path[row.path] - own)
        problem = _binding_problem(spec, row, binding) if operation is not None else None
        results.append(RowCoverage(row, status, file, binding, operation, problem))
    return results
