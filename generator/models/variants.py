"""Two XSD definitions of one type: compatible (one is the other plus optional elements or
attributes) and merged into their union, or divergent, with the difference in a few words.

Definitions are compared with their references already renamed (see `schemas.resolve`), and
annotations ignored. Children are matched by kind and name; matched children must be equal
(recursively merged when they have content of their own) and keep one order in both
definitions; an unmatched child must be an optional element (`minOccurs="0"`) or an optional
attribute (no `use="required"`).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from generator.wsdl.namespaces import XSD, q
from generator.wsdl.xml import resolve_qname

QNAME_ATTRIBUTES = ("type", "base", "ref", "itemType", "substitutionGroup")
ANNOTATION = q(XSD, "annotation")


def detached(element: etree._Element) -> etree._Element:
    """A copy that declares every prefix in scope (QName values such as `type="q2:X"` need
    them wherever the copy goes)."""
    return etree.fromstring(etree.tostring(element))


def _insert(added: etree._Element, place: Callable[[etree._Element], None]) -> None:
    """Put `added` (from another document) in place. lxml drops a moved node's namespace
    declaration that its new ancestors make redundant under another prefix, and renames element
    and attribute names, never QName values (`type="xs:int"`): those are written anew."""
    values = [
        (node, name, resolve_qname(node, node.get(name, "")))
        for node in added.iter()
        if isinstance(node.tag, str)
        for name in QNAME_ATTRIBUTES
        if node.get(name)
    ]
    place(added)
    for node, name, clark in values:
        if not clark.startswith("{"):
            continue
        namespace, _, local = clark[1:].partition("}")
        prefix = next((p for p, uri in node.nsmap.items() if uri == namespace), None)
        node.set(name, f"{prefix}:{local}" if prefix else local)


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and child.tag != ANNOTATION]


def _label(element: etree._Element) -> str:
    """`element FileName`, `attribute Id`, `element ref {ns}X`, `sequence`."""
    kind = str(etree.QName(element).localname)
    if element.get("name"):
        return f"{kind} {element.get('name')}"
    if element.get("ref"):
        return f"{kind} ref {resolve_qname(element, element.get('ref', ''))}"
    return kind


def _attributes(element: etree._Element) -> dict[str, str]:
    found = {}
    for name, value in element.attrib.items():
        if name in QNAME_ATTRIBUTES:
            value = resolve_qname(element, value)
        found[str(name)] = str(value)
    return found


def is_optional(element: etree._Element) -> bool:
    if element.tag == q(XSD, "element"):
        return element.get("minOccurs") == "0"
    if element.tag == q(XSD, "attribute"):
        return element.get("use", "optional") != "required"
    return False


def _keyed(children: list[etree._Element]) -> list[tuple[str, etree._Element]] | None:
    """(label, child) in order, or None when two children share a label (then no matching)."""
    labelled = [(_label(child), child) for child in children]
    if len({label for label, _ in labelled}) != len(labelled):
        return None
    return labelled


def union(first: etree._Element, second: etree._Element) -> etree._Element | None:
    """`first` with the optional children only `second` has, or None when they are not
    compatible. `first` keeps its documentation; added children bring theirs."""
    if first.tag != second.tag or _attributes(first) != _attributes(second):
        return None
    merged = detached(first)
    ours, theirs = _keyed(_children(first)), _keyed(_children(second))
    if ours is None or theirs is None:
        return merged if _same(first, second) else None
    our_labels = [label for label, _ in ours]
    their_labels = [label for label, _ in theirs]
    common = [label for label in our_labels if label in their_labels]
    if common != [label for label in their_labels if label in our_labels]:
        return None  # the shared children are in another order
    if not all(is_optional(child) for label, child in ours if label not in common):
        return None
    if not all(is_optional(child) for label, child in theirs if label not in common):
        return None
    merged_children = {_label(child): child for child in _children(merged)}
    their_children = dict(theirs)
    for label in common:
        inner = union(merged_children[label], their_children[label])
        if inner is None:
            return None
        merged.replace(merged_children[label], inner)
        merged_children[label] = inner
    # Each child only `second` has goes right after the child it follows there.
    previous: etree._Element | None = None
    for label, child in theirs:
        if label in merged_children:
            previous = merged_children[label]
            continue
        added = detached(child)
        if previous is None:
            first_child = next(iter(_children(merged)), None)
            _insert(added, merged.append if first_child is None else first_child.addprevious)
        else:
            _insert(added, previous.addnext)
        merged_children[label] = previous = added
    return merged


def _same(first: etree._Element, second: etree._Element) -> bool:
    return describe(first, second, limit=1) == ""


def _flatten(element: etree._Element, path: str, into: dict[str, dict[str, str]]) -> None:
    into[path] = _attributes(element)
    counts: dict[str, int] = {}
    for child in _children(element):
        label = _label(child)
        counts[label] = counts.get(label, 0) + 1
        suffix = f"#{counts[label]}" if counts[label] > 1 else ""
        _flatten(child, f"{path}/{label}{suffix}" if path else f"{label}{suffix}", into)


def _leaf(path: str) -> str:
    """The last named step of a path (`sequence/element X` -> `element X`)."""
    return path.rpartition("/")[2] or "the definition"


def describe(first: etree._Element, second: etree._Element, *, limit: int = 4) -> str:
    """What `second` changes in `first`, in a few words ("" when nothing; the definitions' own
    names are not compared)."""
    ours: dict[str, dict[str, str]] = {}
    theirs: dict[str, dict[str, str]] = {}
    _flatten(first, "", ours)
    _flatten(second, "", theirs)
    notes = []
    for path in sorted(ours.keys() | theirs.keys(), key=lambda p: (p.count("/"), p)):
        if path not in theirs:
            if not any(path.startswith(f"{gone}/") for gone in ours if gone not in theirs):
                notes.append(f"{_leaf(path)} removed")
        elif path not in ours:
            if not any(path.startswith(f"{new}/") for new in theirs if new not in ours):
                required = "" if _optional_attrs(path, theirs[path]) else " (required)"
                notes.append(f"{_leaf(path)} added{required}")
        else:
            old, new = ours[path], theirs[path]
            changed = [
                f"{key} {old.get(key, '-')} -> {new.get(key, '-')}"
                for key in sorted(old.keys() | new.keys())
                if old.get(key) != new.get(key) and (key != "name" or path)
            ]
            if changed:
                notes.append(f"{_leaf(path)}: {', '.join(changed)}")
    if len(notes) > limit:
        notes = [*notes[:limit], f"and {len(notes) - limit} more"]
    return "; ".join(notes)


def _optional_attrs(path: str, attributes: dict[str, str]) -> bool:
    leaf = _leaf(path)
    if leaf.startswith("element"):
        return attributes.get("minOccurs") == "0"
    if leaf.startswith("attribute"):
        return attributes.get("use", "optional") != "required"
    return False
