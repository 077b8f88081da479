"""Business rejections are receipts, not faults: check them, sub-receipts included.

Altinn answers a submission it refuses with a normal receipt whose status is `Rejected`,
`ValidationFailed` or `UnExpectedError`, sometimes only in a sub-receipt under an `OK` main receipt.
These helpers read every receipt type of the generated models (they share the field names
`receipt_status_code` or `receipt_status`, `receipt_text`, `receipt_id`, `sub_receipts`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from altinn2.runtime.errors import AltinnError

FAILED_STATUSES = frozenset({"Rejected", "ValidationFailed", "UnExpectedError"})
STATUS_FIELDS = ("receipt_status_code", "receipt_status")


@dataclass(frozen=True)
class ReceiptFailure:
    receipt_id: int | None
    status: str
    text: str | None
    depth: int  # 0 for the main receipt, 1 for a sub-receipt, ...


class ReceiptRejectedError(AltinnError):
    """A receipt (or one of its sub-receipts) says the submission failed."""

    def __init__(self, failures: list[ReceiptFailure]) -> None:
        self.failures = failures
        first = failures[0]
        more = f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
        where = "receipt" if first.depth == 0 else "sub-receipt"
        super().__init__(
            f"{where} {first.receipt_id}: {first.status}: {first.text or 'no text'}{more}"
        )


def receipt_status(receipt: Any) -> str | None:
    """The status of one receipt, as Altinn spells it (`OK`, `Rejected`, ...)."""
    for name in STATUS_FIELDS:
        value = getattr(receipt, name, None)
        if value is not None:
            return str(getattr(value, "value", value))
    return None


def _walk(receipt: Any, depth: int = 0) -> Iterator[tuple[Any, int]]:
    yield receipt, depth
    for sub in getattr(receipt, "sub_receipts", None) or ():
        yield from _walk(sub, depth + 1)


def receipt_failures(receipt: Any) -> list[ReceiptFailure]:
    """Every receipt in the tree whose status is a failure, main receipt first."""
    failures = []
    for node, depth in _walk(receipt):
        status = receipt_status(node)
        if status in FAILED_STATUSES:
            failures.append(
                ReceiptFailure(
                    getattr(node, "receipt_id", None),
                    status,
                    getattr(node, "receipt_text", None),
                    depth,
                )
            )
    return failures


def receipt_ok(receipt: Any) -> bool:
    """True when neither the receipt nor any sub-receipt reports a failure."""
    return not receipt_failures(receipt)


def ensure_receipt_ok(receipt: Any) -> Any:
    """Return `receipt`, or raise `ReceiptRejectedError` listing every failed (sub-)receipt."""
    failures = receipt_failures(receipt)
    if failures:
        raise ReceiptRejectedError(failures)
    return receipt
