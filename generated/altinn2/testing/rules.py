"""Answer rules: what a test registered (`respond`, `fault`, `http_error`, `delay`) and which
rule answers a call.

A rule covers a set of operations, named as `resolve` reads a reference (an `OperationInfo`, an
operation's name, a base operation's name: every binding of it, or every operation). For each call
the last matching delay and the last matching answer are used; a rule with `times` goes away once
used up, and `Rule.cancel()` removes one at once.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from altinn2.runtime.operation import OperationInfo
from altinn2.runtime.registry import operation_index

OperationRef: TypeAlias = "OperationInfo | str | None"
OperationKeys: TypeAlias = frozenset[tuple[str, str]]  # (path in lower case, operation name)


def operation_key(operation: OperationInfo) -> tuple[str, str]:
    return (operation.path.lower(), operation.name)


def covers(keys: OperationKeys | None, operation: OperationInfo) -> bool:
    """Whether `keys` include `operation` (None: every operation)."""
    return keys is None or operation_key(operation) in keys


def selected(
    operations: Iterable[OperationInfo], keys: OperationKeys | None
) -> list[OperationInfo]:
    """The operations `keys` cover, in the order given."""
    return [operation for operation in operations if covers(keys, operation)]


def resolve(operation: OperationRef, operations: Iterable[OperationInfo]) -> OperationKeys | None:
    """The operations a reference means: an `OperationInfo`; an endpoint operation's name
    (`GetReceiptBasicV2`, `ReceiptExternal.GetReceiptBasicV2`); a base operation's name
    (`GetReceiptV2`: every binding of it, among `operations`); `None` or `"*"`: every operation.
    ValueError, with the closest names, for a name no operation has."""
    if operation is None or operation == "*":
        return None
    if isinstance(operation, OperationInfo):
        return frozenset({operation_key(operation)})
    known = tuple(operations)
    found = operation_index().named(operation)
    if not found:
        wanted = operation.lower()
        found = tuple(
            op
            for op in known
            if wanted in (op.base_operation.lower(), f"{op.service}.{op.base_operation}".lower())
        )
    if not found:
        names = {op.name for op in known} | {op.base_operation for op in known}
        close = difflib.get_close_matches(operation, sorted(names), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"no generated operation is named {operation!r}{hint}")
    return frozenset(operation_key(op) for op in found)


@dataclass(eq=False)
class Rule:
    """A registered behaviour; `hits` counts its uses, `cancel()` removes it."""

    kind: Literal["respond", "http", "delay"]
    keys: OperationKeys | None  # None: every operation
    value: Any
    times: int | None
    hits: int = 0
    _owner: Rules | None = field(default=None, repr=False)

    def matches(self, operation: OperationInfo) -> bool:
        return covers(self.keys, operation)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def cancel(self) -> None:
        if self._owner is not None:
            self._owner.remove(self)


class Rules:
    """The registered rules, oldest first (thread-safe)."""

    def __init__(self) -> None:
        self._rules: list[Rule] = []
        self._lock = threading.Lock()

    def add(self, rule: Rule) -> Rule:
        rule._owner = self
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove(self, rule: Rule) -> None:
        with self._lock:
            if rule in self._rules:
                self._rules.remove(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, operation: OperationInfo) -> tuple[Rule | None, Rule | None]:
        """The last matching delay and answer rules, each counted as used (and dropped when
        that uses it up)."""
        with self._lock:
            delay = self._last(operation, delays=True)
            answer = self._last(operation, delays=False)
            for rule in (delay, answer):
                if rule is not None:
                    rule.hits += 1
                    if rule.exhausted:
                        self._rules.remove(rule)
        return delay, answer

    def _last(self, operation: OperationInfo, *, delays: bool) -> Rule | None:
        return next(
            (
                rule
                for rule in reversed(self._rules)
                if (rule.kind == "delay") is delays and rule.matches(operation)
            ),
            None,
        )
