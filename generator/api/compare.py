"""Two API surfaces compared: each change added, changed or removed, breaking for an app or not.

Breaking: anything an app uses disappears or changes type; a required field or parameter
appears; a field or parameter stops being optional; an operation's wire contract (binding,
path, SOAP version, actions, security, message types, credentials) changes. Not breaking: new
modules, classes, enum members, optional fields and parameters, methods and operations; a field
or parameter that becomes optional; a parameter whose type only gains union members (it takes
more than before); documentation.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.api.surface import OPERATION_CONTRACT, Entry, Surface


@dataclass(frozen=True)
class Change:
    change: str  # added, changed, removed
    path: str
    kind: str
    breaking: bool
    detail: str


def compare(old: Surface, new: Surface) -> list[Change]:
    changes: list[Change] = []
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        if before is None:
            assert after is not None
            if _parent_is(path, new, old):
                continue  # inside an added class: the class is the change
            breaking = after.kind == "field" and after.required
            detail = after.signature + (" (required)" if breaking else "")
            changes.append(Change("added", path, after.kind, breaking, detail))
        elif after is None:
            if _parent_is(path, old, new):
                continue  # inside a removed class
            changes.append(Change("removed", path, before.kind, True, before.signature))
        elif before != after:
            changes.append(_changed(path, before, after))
    return changes


def _parent_is(path: str, here: Surface, there: Surface) -> bool:
    """Whether the class containing `path` is itself missing on the other side."""
    parent = path.rpartition(".")[0]
    while parent:
        if parent in here and here[parent].kind in ("class", "enum"):
            return parent not in there
        parent = parent.rpartition(".")[0]
    return False


def _changed(path: str, before: Entry, after: Entry) -> Change:
    if before.kind != after.kind:
        return Change("changed", path, after.kind, True, f"{before.kind} -> {after.kind}")
    if after.kind == "field":
        return _changed_field(path, before, after)
    if after.kind == "method":
        return _changed_method(path, before, after)
    if after.kind == "operation":
        return _changed_operation(path, before, after)
    # class wire name, enum member value
    return Change("changed", path, after.kind, True, f"{before.signature} -> {after.signature}")


def _changed_field(path: str, before: Entry, after: Entry) -> Change:
    notes = []
    breaking = False
    if before.signature != after.signature:
        notes.append(f"`{before.signature}` -> `{after.signature}`")
        breaking = True
    if before.required != after.required:
        notes.append("now required" if after.required else "now optional")
        breaking = breaking or after.required
    return Change("changed", path, "field", breaking, "; ".join(notes))


def _changed_method(path: str, before: Entry, after: Entry) -> Change:
    notes = []
    breaking = False
    old_params = {param.name: param for param in before.params}
    new_params = {param.name: param for param in after.params}
    for name in sorted(old_params.keys() | new_params.keys()):
        old, new = old_params.get(name), new_params.get(name)
        if new is None:
            notes.append(f"parameter `{name}` removed")
            breaking = True
        elif old is None:
            notes.append(f"parameter `{new}` added" + (" (required)" if new.required else ""))
            breaking = breaking or new.required
        else:
            if old.annotation != new.annotation:
                widened = _arms(old.annotation) < _arms(new.annotation)
                notes.append(
                    f"`{name}`: `{old.annotation}` -> `{new.annotation}`"
                    + (" (widened)" if widened else "")
                )
                breaking = breaking or not widened
            if old.required != new.required:
                notes.append(f"`{name}` now {'required' if new.required else 'optional'}")
                breaking = breaking or new.required
    if before.returns != after.returns:
        notes.append(f"returns `{before.returns}` -> `{after.returns}`")
        breaking = True
    if not notes:  # only the order of keyword-only parameters moved
        notes.append("parameters reordered")
    return Change("changed", path, "method", breaking, "; ".join(notes))


def _arms(annotation: str) -> frozenset[str]:
    """The members of a union annotation (`A | list[B | C] | None`: A, list[B | C], None)."""
    arms, depth, start = [], 0, 0
    for index, char in enumerate(annotation):
        depth += char in "[("
        depth -= char in "])"
        if depth == 0 and annotation.startswith(" | ", index):
            arms.append(annotation[start:index])
            start = index + 3
    arms.append(annotation[start:])
    return frozenset(arm.strip() for arm in arms)


def _changed_operation(path: str, before: Entry, after: Entry) -> Change:
    old, new = dict(before.attributes), dict(after.attributes)
    notes = []
    breaking = False
    for name in sorted(old.keys() | new.keys()):
        if old.get(name) != new.get(name):
            notes.append(f"{name}: `{old.get(name, '-')}` -> `{new.get(name, '-')}`")
            breaking = breaking or name in OPERATION_CONTRACT
    return Change("changed", path, "operation", breaking, "; ".join(notes))
