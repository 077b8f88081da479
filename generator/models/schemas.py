"""Every XSD definition of the WSDL cache, cleaned, deduplicated and merged per namespace.

WCF repeats its data contracts in every WSDL that uses them: 1,534 global definitions in the 23
cached WSDLs are 527 distinct ones. Definitions are keyed by (kind, namespace, name):

1. identical structure (annotations ignored) -> one definition, documented with the most common
   annotation variant (ties: the first WSDL in sorted order);
2. enumerations that differ only in their values -> one enum with the union of the values;
3. definitions that differ only by optional elements or attributes one of them adds ->
   compatible: one definition, the union (`variants.union`); not an operation's message
   element, which is the contract of its own binding's operation;
4. any other difference diverges (reported, with the difference): each variant gets a class of
   its own. Which keeps the XML name and which is renamed `<Name><Binding>` (e.g. `ReceiptEC`)
   in the WSDLs that define it is what `spec/models.lock` says (`names`), for a variant the lock
   does not know the one most WSDLs define; references are rewritten until nothing conflicts.
   Renamed variants keep their XML name.

WCF's DataContractSerializer also declares a root element for every type
(`<xs:element name="X" nillable="true" type="tns:X"/>`); nothing uses them except `AltinnFault`
(a fault message part), and xsdata would type enum fields as their wrapper classes, so they are
dropped unless a message or a `ref=` uses them.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from lxml import etree

from generator.cache import WsdlCache
from generator.errors import WsdlError
from generator.models.docs import SERIALIZATION, convert_docs
from generator.models.names import NamesLock, Variant, assign_names, form_hash
from generator.models.variants import describe, detached, union
from generator.stagecache import NoCache, StageCache
from generator.wsdl import Wsdl
from generator.wsdl.model import SecurityProfile
from generator.wsdl.namespaces import XSD, q
from generator.wsdl.xml import resolve_qname

QNAME_ATTRIBUTES = ("type", "base", "ref", "itemType", "substitutionGroup")
GLOBAL_KINDS = ("complexType", "simpleType", "element", "attribute", "group", "attributeGroup")

Key = tuple[str, str, str]  # (kind, namespace, name)
RenameKey = tuple[str, str, str]  # (symbol space, namespace, name)
Canon = tuple[Any, ...]


def _split(element: etree._Element, value: str) -> tuple[str, str]:
    clark = resolve_qname(element, value)
    if clark.startswith("{"):
        namespace, _, local = clark[1:].partition("}")
        return namespace, local
    return "", clark


def canon(element: etree._Element, *, with_docs: bool) -> Canon:
    """A comparable form of a definition: QName values resolved, prefixes and order of
    attributes irrelevant, annotations optional."""
    attributes = []
    for name, value in sorted(element.attrib.items()):
        if name in QNAME_ATTRIBUTES:
            namespace, local = _split(element, value)
            value = f"{{{namespace}}}{local}"
        attributes.append((name, value))
    children = tuple(
        canon(child, with_docs=with_docs)
        for child in element
        if isinstance(child.tag, str) and (with_docs or child.tag != q(XSD, "annotation"))
    )
    text = (element.text or "").strip() if element.tag == q(XSD, "documentation") else ""
    return (element.tag, tuple(attributes), text, children)


def symbol_space(kind: str) -> str:
    """XSD symbol spaces: simple and complex types share one; the other kinds have their own."""
    return "type" if kind in ("complexType", "simpleType") else kind


def _reference_space(node: etree._Element, attribute: str) -> str:
    if attribute in ("type", "base", "itemType"):
        return "type"
    if attribute == "substitutionGroup":
        return "element"
    return str(etree.QName(node).localname)


def canon_renamed(element: etree._Element, renames: dict[RenameKey, str]) -> Canon:
    """Structure only, with references renamed as `renames` says."""
    attributes = []
    for name, value in sorted(element.attrib.items()):
        if name in QNAME_ATTRIBUTES:
            namespace, local = _split(element, value)
            local = renames.get((_reference_space(element, name), namespace, local), local)
            value = f"{{{namespace}}}{local}"
        attributes.append((name, value))
    children = tuple(
        canon_renamed(child, renames)
        for child in element
        if isinstance(child.tag, str) and child.tag != q(XSD, "annotation")
    )
    return (element.tag, tuple(attributes), children)


class CanonMemo:
    """`canon_renamed` of the WSDLs' definitions, remembered for one `resolve`: a definition's
    canon changes only when a rename of a name it refers to does, so it is kept under the
    definition and the renames of its own references (the definitions live as long as the memo
    holds them, so their ids stay theirs)."""

    def __init__(self) -> None:
        self._references: dict[int, tuple[etree._Element, tuple[RenameKey, ...]]] = {}
        self._canons: dict[tuple[int, tuple[str | None, ...]], Canon] = {}
        self._forms: dict[tuple[int, tuple[str | None, ...]], str] = {}

    def _references_of(self, element: etree._Element) -> tuple[RenameKey, ...]:
        entry = self._references.get(id(element))
        if entry is None:
            found = set()
            for node in element.iter():
                if not isinstance(node.tag, str):
                    continue
                for name in QNAME_ATTRIBUTES:
                    value = node.get(name)
                    if value is not None:
                        namespace, local = _split(node, value)
                        found.add((_reference_space(node, name), namespace, local))
            entry = self._references[id(element)] = (element, tuple(sorted(found)))
        return entry[1]

    def _key(
        self, element: etree._Element, renames: dict[RenameKey, str]
    ) -> tuple[int, tuple[str | None, ...]]:
        references = self._references_of(element)
        return (id(element), tuple(renames.get(reference) for reference in references))

    def canon(self, element: etree._Element, renames: dict[RenameKey, str]) -> Canon:
        key = self._key(element, renames)
        found = self._canons.get(key)
        if found is None:
            found = self._canons[key] = canon_renamed(element, renames)
        return found

    def form(self, element: etree._Element, renames: dict[RenameKey, str]) -> str:
        """`form_hash` of the canon, remembered with it."""
        key = self._key(element, renames)
        found = self._forms.get(key)
        if found is None:
            found = self._forms[key] = form_hash(self.canon(element, renames))
        return found


_MEMO = CanonMemo()


def _canon(element: etree._Element, renames: dict[RenameKey, str]) -> Canon:
    """`canon_renamed` through the current `resolve`'s memo."""
    return _MEMO.canon(element, renames)


def _form(element: etree._Element, renames: dict[RenameKey, str]) -> str:
    """`form_hash` of `_canon`, through the current `resolve`'s memo."""
    return _MEMO.form(element, renames)


@dataclass
class Collected:
    wsdls: list[str]  # WSDL names (cache files), sorted
    flavours: dict[str, str]  # WSDL -> Basic / WS / EC (from its binding)
    definitions: dict[Key, dict[str, etree._Element]] = field(default_factory=dict)
    used_elements: set[str] = field(default_factory=set)  # message parts and ref= targets
    message_elements: set[str] = field(default_factory=set)  # message parts


def wsdl_flavour(security: SecurityProfile, soap_version: str) -> str:
    if security is SecurityProfile.SECURE_CONVERSATION:
        return "EC"
    if security is SecurityProfile.USERNAME_TOKEN or soap_version == "1.2":
        return "WS"
    return "Basic"


@dataclass(frozen=True)
class WsdlDefinitions:
    """What one WSDL (with its imports) contributes to `Collected`: a pure function of its
    schemas, messages and binding, so that a regeneration reads it from the stage cache."""

    flavour: str
    message_elements: frozenset[str]
    referenced_elements: frozenset[str]  # ref= targets
    definitions: tuple[tuple[Key, bytes], ...]  # each global definition, docs converted


def wsdl_definitions(name: str, wsdl: Wsdl) -> WsdlDefinitions:
    binding = wsdl.main_binding()
    parts = {
        part.element for message in wsdl.messages.values() for part in message.parts if part.element
    }
    referenced = set()
    definitions: dict[Key, etree._Element] = {}
    for schema in wsdl.schemas:
        namespace = schema.target_namespace
        for element in schema.element.iter(q(XSD, "element")):
            if element.get("ref"):
                ref_ns, ref_local = _split(element, element.get("ref", ""))
                referenced.add(f"{{{ref_ns}}}{ref_local}")
        for child in schema.element:
            if not isinstance(child.tag, str) or not child.tag.startswith(f"{{{XSD}}}"):
                continue
            kind = str(etree.QName(child).localname)
            if kind not in GLOBAL_KINDS:
                continue
            copy = etree.fromstring(etree.tostring(child))  # keeps the in-scope prefixes
            convert_docs(copy)
            key = (kind, namespace, child.get("name", ""))
            earlier = definitions.get(key)
            if earlier is not None and canon(earlier, with_docs=False) != canon(
                copy, with_docs=False
            ):
                raise WsdlError(
                    f"{name}: {kind} {{{namespace}}}{key[2]} is defined twice, differently"
                )
            definitions[key] = copy
    return WsdlDefinitions(
        wsdl_flavour(binding.policy.security, binding.soap_version),
        frozenset(parts),
        frozenset(referenced),
        tuple((key, etree.tostring(copy)) for key, copy in definitions.items()),
    )


def _definitions_input(name: str, wsdl: Wsdl) -> bytes:
    """Everything `wsdl_definitions` reads, as one text for the stage cache."""
    binding = wsdl.main_binding()
    parts = sorted(
        part.element for message in wsdl.messages.values() for part in message.parts if part.element
    )
    head = f"{name}\0{binding.policy.security.name}\0{binding.soap_version}\0{parts!r}\0"
    return head.encode() + b"\0".join(
        schema.target_namespace.encode() + b"\0" + etree.tostring(schema.element)
        for schema in wsdl.schemas
    )


def collect(cache: WsdlCache, stages: StageCache | None = None) -> Collected:
    """Every WSDL's definitions (`wsdl_definitions`, from `stages` where it has them), each
    definition a copy of its own, parsed from its text."""
    stages = stages or NoCache()
    files = sorted({name for name in cache.lock.endpoints.values() if name})
    collected = Collected(wsdls=files, flavours={})
    for name in files:
        wsdl = cache.wsdl(name)
        found = stages.remembered(
            "wsdl definitions",
            _definitions_input(name, wsdl),
            partial(wsdl_definitions, name, wsdl),
        )
        collected.flavours[name] = found.flavour
        collected.used_elements |= found.message_elements | found.referenced_elements
        collected.message_elements |= found.message_elements
        for key, text in found.definitions:
            collected.definitions.setdefault(key, {})[name] = etree.fromstring(text)
    return collected


def is_wcf_root_element(key: Key, element: etree._Element) -> bool:
    kind, namespace, name = key
    if kind != "element" or element.get("type") is None:
        return False
    type_ns, type_local = _split(element, element.get("type", ""))
    return (type_ns == namespace and type_local == name) or namespace == SERIALIZATION


@dataclass
class Resolution:
    chosen: dict[Key, etree._Element]
    original_names: dict[str, str]  # Clark name of a renamed variant -> its XML name
    report: list[str]
    divergences: list[str]  # definitions of one type that are not compatible, and how
    names: NamesLock  # what spec/models.lock says after this resolution
    # WSDL -> {Clark name of an element -> Clark name of the variant it uses there}, for the
    # elements renamed in that WSDL (EC and EC2 share message names, not always their forms)
    element_variants: dict[str, dict[str, str]] = field(default_factory=dict)


def _is_enum(element: etree._Element) -> bool:
    restriction = element.find(q(XSD, "restriction"))
    return (
        element.tag == q(XSD, "simpleType")
        and restriction is not None
        and len(restriction) > 0
        and all(child.tag in (q(XSD, "enumeration"), q(XSD, "annotation")) for child in restriction)
    )


def _merge_enums(variants: list[etree._Element]) -> etree._Element:
    """The union of the enumeration values, in first-seen order."""
    merged = etree.fromstring(etree.tostring(variants[0]))
    restriction = merged.find(q(XSD, "restriction"))
    assert restriction is not None
    have = {value.get("value") for value in restriction.findall(q(XSD, "enumeration"))}
    for other in variants[1:]:
        other_restriction = other.find(q(XSD, "restriction"))
        assert other_restriction is not None
        for value in other_restriction.findall(q(XSD, "enumeration")):
            if value.get("value") not in have:
                restriction.append(etree.fromstring(etree.tostring(value)))
                have.add(value.get("value"))
    return merged


def _best_documented(copies: dict[str, etree._Element], order: list[str]) -> str:
    by_docs: dict[Canon, list[str]] = collections.defaultdict(list)
    for wsdl in order:
        if wsdl in copies:
            by_docs[canon(copies[wsdl], with_docs=True)].append(wsdl)
    best = max(by_docs.values(), key=lambda group: (len(group), -order.index(group[0])))
    return best[0]


def _renamed_copy(element: etree._Element, renames: dict[RenameKey, str]) -> etree._Element:
    copy = etree.fromstring(etree.tostring(element))
    _apply_renames(copy, renames)
    return copy


@dataclass
class Cluster:
    """The WSDLs whose definitions of one key become one class."""

    wsdls: list[str]  # in WSDL order
    groups: list[list[str]]  # WSDLs with identical definitions, largest group first


def _clusters(
    key: Key,
    wsdls: list[str],
    collected: Collected,
    renames: dict[str, dict[RenameKey, str]],
    owners: dict[str, str],
    orphaned: bool,
) -> list[Cluster]:
    """Split the WSDLs of one cluster into the clusters of compatible definitions: identical
    ones, enumerations (their values are merged) and definitions that are each other's union
    with optional elements or attributes, unless the lock has them apart (`owners`: form hash
    -> locked name; an existing class keeps its fields). When a locked variant of the key lost
    all its forms (`orphaned`: changed where it was defined), new forms do not join the
    variants the lock knows: on their own they take the orphan's name."""
    copies = collected.definitions[key]
    order = collected.wsdls
    same: dict[Canon, list[str]] = collections.defaultdict(list)
    for wsdl in wsdls:
        same[_canon(copies[wsdl], renames[wsdl])].append(wsdl)
    groups = sorted(same.values(), key=lambda group: (-len(group), order.index(group[0])))
    if len(groups) == 1 or (
        key[0] == "simpleType" and all(_is_enum(copies[group[0]]) for group in groups)
    ):
        return [Cluster(sorted(wsdls, key=order.index), groups)]
    if _is_message(key, collected):
        return [Cluster(group, [group]) for group in groups]
    merged: list[tuple[etree._Element, list[list[str]], set[str]]] = []
    for group in groups:
        element = _renamed_copy(copies[group[0]], renames[group[0]])
        owner = owners.get(_form(copies[group[0]], renames[group[0]]))
        for index, (union_so_far, members, names) in enumerate(merged):
            if (owner is not None and names - {owner}) or (
                orphaned and (owner is None) == bool(names)
            ):
                continue
            bigger = union(union_so_far, element)
            if bigger is not None:
                merged[index] = (bigger, [*members, group], names | ({owner} if owner else set()))
                break
        else:
            merged.append((element, [group], {owner} if owner else set()))
    return [
        Cluster(sorted((w for g in members for w in g), key=order.index), members)
        for _, members, _ in merged
    ]


def _is_message(key: Key, collected: Collected) -> bool:
    """An operation's message element: the contract of its own binding's operation (a Basic
    request's credentials must not become fields of the WS request), never merged."""
    kind, namespace, name = key
    return kind == "element" and f"{{{namespace}}}{name}" in collected.message_elements


def _forms(
    key: Key, cluster: Cluster, collected: Collected, renames: dict[str, dict[RenameKey, str]]
) -> frozenset[str]:
    copies = collected.definitions[key]
    return frozenset(_form(copies[group[0]], renames[group[0]]) for group in cluster.groups)


def _name_clusters(
    partition: dict[Key, list[Cluster]],
    collected: Collected,
    renames: dict[str, dict[RenameKey, str]],
    lock: NamesLock,
) -> dict[Key, list[str]]:
    """A name for every cluster of every key (see `names.assign_names`)."""
    defined = {(symbol_space(kind), ns, name) for kind, ns, name in collected.definitions}
    assigned: set[tuple[str, str, str]] = set()
    names: dict[Key, list[str]] = {}
    for key in sorted(partition):
        kind, namespace, name = key
        space = symbol_space(kind)
        clusters = partition[key]
        if len(clusters) == 1 and not any(v.name != name for v in lock.types.get(key, [])):
            names[key] = [name]
            continue
        taken = {n for s, ns, n in defined | assigned if s == space and ns == namespace}
        taken.discard(name)
        chosen = assign_names(
            key,
            [_forms(key, cluster, collected, renames) for cluster in clusters],
            lock.types.get(key, []),
            taken,
            [collected.flavours[cluster.wsdls[0]] for cluster in clusters],
        )
        assigned |= {(space, namespace, n) for n in chosen}
        names[key] = chosen
    return names


def _renames(
    partition: dict[Key, list[Cluster]], names: dict[Key, list[str]], order: list[str]
) -> dict[str, dict[RenameKey, str]]:
    renames: dict[str, dict[RenameKey, str]] = {wsdl: {} for wsdl in order}
    for key, clusters in partition.items():
        kind, namespace, name = key
        for cluster, new_name in zip(clusters, names[key], strict=True):
            if new_name != name:
                for wsdl in cluster.wsdls:
                    renames[wsdl][(symbol_space(kind), namespace, name)] = new_name
    return renames


MAX_ROUNDS = 50


def _orphaned(
    key: Key, collected: Collected, renames: dict[str, dict[RenameKey, str]], lock: NamesLock
) -> bool:
    """Whether a variant of `key` in the lock has none of its forms in the WSDLs any more."""
    locked = lock.types.get(key, [])
    if not locked:
        return False
    copies = collected.definitions[key]
    present = {_form(copy, renames[wsdl]) for wsdl, copy in copies.items()}
    return any(not variant.forms & present for variant in locked)


def resolve(collected: Collected, lock: NamesLock | None = None) -> Resolution:
    """Split every key's definitions into clusters of compatible ones, name each (the lock's
    names first), and repeat while a rename makes referring definitions differ."""
    global _MEMO
    _MEMO = CanonMemo()
    try:
        return _resolve(collected, lock)
    finally:
        _MEMO = CanonMemo()


def _same_clusters(first: list[Cluster], second: list[Cluster]) -> bool:
    return [cluster.wsdls for cluster in first] == [cluster.wsdls for cluster in second]


def _resolve(collected: Collected, lock: NamesLock | None) -> Resolution:
    lock = lock or NamesLock()
    order = collected.wsdls
    partition = {
        key: [Cluster([w for w in order if w in copies], [])]
        for key, copies in collected.definitions.items()
    }
    renames: dict[str, dict[RenameKey, str]] = {wsdl: {} for wsdl in order}
    names: dict[Key, list[str]] = {}
    owners = {
        key: {form: variant.name for variant in variants for form in variant.forms}
        for key, variants in lock.types.items()
    }
    # A key's clusters are a function of the clusters it had and of the renames of the WSDLs
    # that define it: a round recomputes them only where those moved (the first: everywhere).
    orphaned: dict[Key, bool] = {}
    before: dict[Key, tuple[list[Cluster], list[Cluster]]] = {}  # clusters -> refined
    previous: dict[str, dict[RenameKey, str]] | None = None
    for _ in range(MAX_ROUNDS):
        moved = {wsdl for wsdl in order if previous is None or previous[wsdl] != renames[wsdl]}
        previous = renames
        refined = {}
        for key, clusters in partition.items():
            still = moved.isdisjoint(collected.definitions[key])
            if not still or key not in orphaned:
                orphaned[key] = _orphaned(key, collected, renames, lock)
            last = before.get(key)
            if still and last is not None and _same_clusters(last[0], clusters):
                refined[key] = last[1]
                continue
            refined[key] = [
                part
                for cluster in clusters
                for part in _clusters(
                    key, cluster.wsdls, collected, renames, owners.get(key, {}), orphaned[key]
                )
            ]
            before[key] = (clusters, refined[key])
        new_names = _name_clusters(refined, collected, renames, lock)
        stable = new_names == names and all(
            [c.wsdls for c in refined[key]] == [c.wsdls for c in partition[key]]
            for key in partition
        )
        partition, names = refined, new_names
        renames = _renames(partition, names, order)
        if stable:
            break
    else:
        raise WsdlError(f"the names of the schemas' variants did not settle in {MAX_ROUNDS} rounds")
    return _assemble(collected, partition, names, renames)


def _assemble(
    collected: Collected,
    partition: dict[Key, list[Cluster]],
    names: dict[Key, list[str]],
    renames: dict[str, dict[RenameKey, str]],
) -> Resolution:
    chosen: dict[Key, etree._Element] = {}
    report: list[str] = []
    divergences: list[str] = []
    lock = NamesLock()
    for key in sorted(partition):
        kind, namespace, name = key
        clusters = partition[key]
        elements = []
        for cluster, final_name in zip(clusters, names[key], strict=True):
            element, note = _cluster_element(key, cluster, collected, renames)
            if note:
                report.append(note)
            element.set("name", final_name)
            chosen[(kind, namespace, final_name)] = element
            elements.append(element)
        lock.types[key] = [
            Variant(final_name, _forms(key, cluster, collected, renames))
            for cluster, final_name in zip(clusters, names[key], strict=True)
        ]
        primary = names[key].index(name) if name in names[key] else 0
        for index, (cluster, final_name) in enumerate(zip(clusters, names[key], strict=True)):
            if index == primary:
                continue
            difference = describe(elements[primary], elements[index]) or "references differ"
            other = detached(elements[index])
            other.set("name", names[key][primary])
            compatible = union(elements[primary], other) is not None or (
                union(other, elements[primary]) is not None
            )
            if compatible:  # an existing class keeps its fields; messages are per binding
                why = (
                    "an operation message of its own binding"
                    if _is_message(key, collected)
                    else "as spec/models.lock has them"
                )
                report.append(
                    f"{kind} {{{namespace}}}{name}: {final_name} of {', '.join(cluster.wsdls)} "
                    f"kept apart from {names[key][primary]}, {why}: {difference}"
                )
                continue
            raw = {canon_renamed(collected.definitions[key][w], {}) for w in cluster.wsdls}
            if raw & {
                canon_renamed(collected.definitions[key][w], {}) for w in clusters[primary].wsdls
            }:
                report.append(  # the same text: only the variants it refers to diverge
                    f"{kind} {{{namespace}}}{name}: {final_name} of {', '.join(cluster.wsdls)} "
                    f"follows the variants it refers to: {difference}"
                )
                continue
            divergences.append(
                f"{kind} {{{namespace}}}{name} diverges in {', '.join(cluster.wsdls)} "
                f"(generated there as {final_name}, XML name kept) from "
                f"{names[key][primary]} of {', '.join(clusters[primary].wsdls)}: {difference}"
            )
    original = {
        f"{{{ns}}}{new}": name for r in renames.values() for (_, ns, name), new in r.items()
    }
    variants = {
        wsdl: {
            f"{{{ns}}}{name}": f"{{{ns}}}{new}"
            for (space, ns, name), new in r.items()
            if space == "element"
        }
        for wsdl, r in renames.items()
    }
    return Resolution(chosen, original, report, divergences, lock, variants)


def _cluster_element(
    key: Key,
    cluster: Cluster,
    collected: Collected,
    renames: dict[str, dict[RenameKey, str]],
) -> tuple[etree._Element, str]:
    """The cluster's one definition (renames applied) and a report line when it merges more
    than one form."""
    kind, namespace, name = key
    copies = collected.definitions[key]
    wsdls = cluster.wsdls
    if len(cluster.groups) > 1 and kind == "simpleType" and _is_enum(copies[wsdls[0]]):
        element = _merge_enums([copies[group[0]] for group in cluster.groups])
        _apply_renames(element, renames[cluster.groups[0][0]])
        note = f"enum {{{namespace}}}{name}: values of {len(cluster.groups)} variants merged"
        return element, note
    source = _best_documented({w: copies[w] for w in wsdls}, collected.wsdls)
    element = _renamed_copy(copies[source], renames[source])
    if len(cluster.groups) == 1:
        return element, ""
    for group in cluster.groups:
        if source in group:
            continue
        other = _renamed_copy(copies[group[0]], renames[group[0]])
        merged = union(element, other)
        if merged is None:  # the union of the cluster, from its largest group (see _clusters)
            merged = union(other, element)
        assert merged is not None, key
        element = merged
    additions = []  # what the union adds to each form
    for group in cluster.groups:
        added = describe(_renamed_copy(copies[group[0]], renames[group[0]]), element)
        if added:
            additions.append(f"{added} for {', '.join(group)}")
    note = (
        f"{kind} {{{namespace}}}{name}: {len(cluster.groups)} compatible definitions merged "
        f"into their union: {'; '.join(additions)}"
    )
    return element, note


def _apply_renames(element: etree._Element, renames: dict[RenameKey, str]) -> None:
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        for attribute in QNAME_ATTRIBUTES:
            value = node.get(attribute)
            if value is None:
                continue
            namespace, local = _split(node, value)
            new = renames.get((_reference_space(node, attribute), namespace, local))
            if new is not None:
                prefix = value.rpartition(":")[0]
                node.set(attribute, f"{prefix}:{new}" if prefix else new)


@dataclass(frozen=True)
class SchemaSet:
    documents: dict[str, bytes]  # namespace -> one merged xs:schema
    original_names: dict[str, str]
    dropped_roots: tuple[str, ...]
    report: tuple[str, ...]
    divergences: tuple[str, ...]
    names: NamesLock
    element_variants: dict[str, dict[str, str]]


def merged_schemas(
    cache: WsdlCache, lock: NamesLock | None = None, stages: StageCache | None = None
) -> SchemaSet:
    collected = collect(cache, stages)
    resolution = resolve(collected, lock)
    by_namespace: dict[str, list[tuple[Key, etree._Element]]] = collections.defaultdict(list)
    dropped = []
    for key, element in sorted(resolution.chosen.items()):
        kind, namespace, name = key
        if (
            is_wcf_root_element(key, element)
            and f"{{{namespace}}}{name}" not in collected.used_elements
        ):
            dropped.append(f"{{{namespace}}}{name}")
            continue
        if namespace == SERIALIZATION and kind == "attribute":
            continue
        by_namespace[namespace].append((key, element))
    namespaces = sorted(set(by_namespace) | _referenced_namespaces(resolution) | {XSD})
    prefixes = {
        namespace: f"n{index}" for index, namespace in enumerate(namespaces) if namespace != XSD
    }
    prefixes[XSD] = "xs"
    documents = {}
    for namespace, items in sorted(by_namespace.items()):
        imports: set[str] = set()
        body = [
            _canonical_prefixes(etree.fromstring(etree.tostring(el)), prefixes, imports)
            for _, el in items
        ]
        nsmap = {prefixes[ns]: ns for ns in sorted(imports | {namespace, XSD}) if ns}
        root = etree.Element(q(XSD, "schema"), nsmap=nsmap)
        if namespace:
            root.set("targetNamespace", namespace)
        root.set("elementFormDefault", "qualified")
        for imported in sorted(imports - {namespace, XSD}):
            etree.SubElement(root, q(XSD, "import"), namespace=imported)
        root.extend(body)
        etree.cleanup_namespaces(root, top_nsmap=nsmap, keep_ns_prefixes=sorted(nsmap))
        documents[namespace] = etree.tostring(
            root, encoding="utf-8", xml_declaration=True, pretty_print=True
        )
    return SchemaSet(
        documents,
        resolution.original_names,
        tuple(dropped),
        tuple(resolution.report),
        tuple(resolution.divergences),
        resolution.names,
        resolution.element_variants,
    )


def _referenced_namespaces(resolution: Resolution) -> set[str]:
    found = set()
    for element in resolution.chosen.values():
        for node in element.iter():
            if isinstance(node.tag, str):
                for attribute in QNAME_ATTRIBUTES:
                    value = node.get(attribute)
                    if value is not None:
                        found.add(_split(node, value)[0])
    return found


def _canonical_prefixes(
    element: etree._Element, prefixes: dict[str, str], imports: set[str]
) -> etree._Element:
    resolved = []
    for node in element.iter():
        if isinstance(node.tag, str):
            for attribute in QNAME_ATTRIBUTES:
                value = node.get(attribute)
                if value is not None:
                    resolved.append((node, attribute, *_split(node, value)))
    for node, attribute, namespace, local in resolved:
        imports.add(namespace)
        node.set(attribute, f"{prefixes[namespace]}:{local}" if namespace else local)
    return element
