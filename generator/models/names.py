"""`spec/models.lock`: which public name each variant of each XSD definition got, so that names
stay a function of the type and of what was generated before, not of which WSDLs are present.

Every global definition of the WSDLs is listed with a short hash of each distinct form (across
WSDLs, annotations ignored) its generated class stands for. When the WSDLs change, a variant
keeps the name of the locked entry it shares a form with (its own definition did not change, or
changed compatibly in some WSDLs only); a variant that shares none takes a locked name of its
type nobody claimed (its definition changed everywhere); anything else is new and gets a new
name, never a locked one. Written by `generate`, compared by `check`; review it with the rest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.errors import UserError
from generator.lock import LOADER

LOCK_VERSION = 1
HEADER = """\
# The public name of every variant of every XSD definition of the WSDLs, with a short hash of
# each distinct form it stands for. Written by `altinn-codegen generate`; do not edit. A type
# keeps its name while one of its forms survives; a new, incompatible variant gets a new name.
"""

Key = tuple[str, str, str]  # (kind, namespace, name)


def form_hash(canon: object) -> str:
    return hashlib.sha256(repr(canon).encode("utf-8")).hexdigest()[:12]


def key_text(key: Key) -> str:
    kind, namespace, name = key
    return f"{kind} {{{namespace}}}{name}"


def parse_key(text: str) -> Key:
    kind, _, qname = text.partition(" ")
    namespace, _, name = qname[1:].partition("}")
    return kind, namespace, name


@dataclass(frozen=True)
class Variant:
    name: str
    forms: frozenset[str]


@dataclass
class NamesLock:
    types: dict[Key, list[Variant]] = field(default_factory=dict)

    def known_types(self) -> frozenset[str]:
        """The Clark names of every type variant the lock knows (`{ns}ReceiptEC`)."""
        return frozenset(
            f"{{{namespace}}}{variant.name}"
            for (kind, namespace, _), variants in self.types.items()
            if kind in ("complexType", "simpleType")
            for variant in variants
        )

    def render(self) -> str:
        body: dict[str, object] = {}
        for key in sorted(self.types):
            variants = self.types[key]
            if len(variants) == 1 and variants[0].name == key[2]:
                body[key_text(key)] = " ".join(sorted(variants[0].forms))
            else:
                body[key_text(key)] = {v.name: " ".join(sorted(v.forms)) for v in variants}
        document = {"version": LOCK_VERSION, "types": body}
        return HEADER + yaml.safe_dump(document, sort_keys=False, width=1000)


def read_names_lock(path: Path) -> NamesLock:
    """The lock at `path`; an empty one when there is none yet."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except FileNotFoundError:
        return NamesLock()
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not YAML: {exc}") from None
    if not isinstance(document, dict) or document.get("version") != LOCK_VERSION:
        raise UserError(f"{path}: not a version {LOCK_VERSION} names lock")
    lock = NamesLock()
    for text, value in (document.get("types") or {}).items():
        key = parse_key(str(text))
        if isinstance(value, str):
            lock.types[key] = [Variant(key[2], frozenset(value.split()))]
        elif isinstance(value, dict):
            lock.types[key] = [
                Variant(str(name), frozenset(str(forms).split())) for name, forms in value.items()
            ]
        else:
            raise UserError(f"{path}: {text}: expected hashes or a name -> hashes mapping")
    return lock


def assign_names(
    key: Key,
    clusters: list[frozenset[str]],
    locked: list[Variant],
    taken: set[str],
    flavours: list[str],
) -> list[str]:
    """A name for each cluster of `key` (given as the hashes of its forms, largest cluster
    first), from the `locked` variants where they match; `taken` holds the names of the symbol
    space that no new variant may take, `flavours` each cluster's binding (for new names)."""
    names: list[str | None] = [None] * len(clusters)
    free = list(range(len(locked)))
    pairs = sorted(
        (-len(forms & locked[e].forms), c, e)
        for c, forms in enumerate(clusters)
        for e in range(len(locked))
        if forms & locked[e].forms
    )
    for _, c, e in pairs:
        if names[c] is None and e in free:
            names[c] = locked[e].name
            free.remove(e)
    for c in range(len(clusters)):  # changed everywhere: the type's unclaimed locked name
        if names[c] is None and free:
            names[c] = locked[free.pop(0)].name
    used = {name for name in names if name is not None}
    blocked = taken | {variant.name for variant in locked} | used
    for c in range(len(clusters)):
        if names[c] is not None:
            continue
        if key[2] not in blocked:
            names[c] = key[2]
        else:
            base, number = f"{key[2]}{flavours[c]}", 2
            names[c] = base
            while names[c] in blocked:
                names[c], number = f"{base}{number}", number + 1
        blocked.add(str(names[c]))
    return [str(name) for name in names]
