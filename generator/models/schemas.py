"""Every XSD definition of the WSDL cache, cleaned, deduplicated and merged per namespace.

WCF repeats its data contracts in every WSDL that uses them: 1,534 global definitions in the 23
cached WSDLs are 527 distinct ones. Definitions are keyed by (kind, namespace, name):

1. identical structure (annotations ignored) -> one definition, documented with the most common
   annotation variant (ties: the first WSDL in sorted order);
2. enumerations that differ only in their values -> one enum with the union of the values;
3. any other difference -> the variant most WSDLs define keeps the name; the others are renamed
   `<Name><Binding>` (e.g. `ReceiptEC`) in the WSDLs that define them, with the references there
   rewritten, until nothing conflicts. Renamed variants keep their XML name.

WCF's DataContractSerializer also declares a root element for every type
(`<xs:element name="X" nillable="true" type="tns:X"/>`); nothing uses them except `AltinnFault`
(a fault message part), and xsdata would type enum fields as their wrapper classes, so they are
dropped unless a message or a `ref=` uses them.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from generator.cache import WsdlCache
from generator.errors import WsdlError
from generator.models.docs import SERIALIZATION, convert_docs
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


@dataclass
class Collected:
    wsdls: list[str]  # WSDL names (cache files), sorted
    flavours: dict[str, str]  # WSDL -> Basic / WS / EC (from its binding)
    definitions: dict[Key, dict[str, etree._Element]] = field(default_factory=dict)
    used_elements: set[str] = field(default_factory=set)  # message parts and ref= targets


def wsdl_flavour(security: SecurityProfile, soap_version: str) -> str:
    if security is SecurityProfile.SECURE_CONVERSATION:
        return "EC"
    if security is SecurityProfile.USERNAME_TOKEN or soap_version == "1.2":
        return "WS"
    return "Basic"


def collect(cache: WsdlCache) -> Collected:
    files = sorted({name for name in cache.lock.endpoints.values() if name})
    collected = Collected(wsdls=files, flavours={})
    for name in files:
        wsdl = cache.wsdl(name)
        binding = wsdl.main_binding()
        collected.flavours[name] = wsdl_flavour(binding.policy.security, binding.soap_version)
        for message in wsdl.messages.values():
            collected.used_elements.update(part.element for part in message.parts if part.element)
        for schema in wsdl.schemas:
            namespace = schema.target_namespace
            for element in schema.element.iter(q(XSD, "element")):
                if element.get("ref"):
                    ref_ns, ref_local = _split(element, element.get("ref", ""))
                    collected.used_elements.add(f"{{{ref_ns}}}{ref_local}")
            for child in schema.element:
                if not isinstance(child.tag, str) or not child.tag.startswith(f"{{{XSD}}}"):
                    continue
                kind = str(etree.QName(child).localname)
                if kind not in GLOBAL_KINDS:
                    continue
                copy = etree.fromstring(etree.tostring(child))  # keeps the in-scope prefixes
                convert_docs(copy)
                key = (kind, namespace, child.get("name", ""))
                earlier = collected.definitions.setdefault(key, {}).get(name)
                if earlier is not None and canon(earlier, with_docs=False) != canon(
                    copy, with_docs=False
                ):
                    raise WsdlError(
                        f"{name}: {kind} {{{namespace}}}{key[2]} is defined twice, differently"
                    )
                collected.definitions[key][name] = copy
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


def resolve(collected: Collected) -> Resolution:
    order = collected.wsdls
    renames: dict[str, dict[RenameKey, str]] = {wsdl: {} for wsdl in order}
    report: list[str] = []
    changed = True
    while changed:
        changed = False
        for key in sorted(collected.definitions):
            kind, namespace, name = key
            rename_key = (symbol_space(kind), namespace, name)
            copies = collected.definitions[key]
            groups: dict[Canon, list[str]] = collections.defaultdict(list)
            for wsdl in order:
                if wsdl in copies and rename_key not in renames[wsdl]:
                    groups[canon_renamed(copies[wsdl], renames[wsdl])].append(wsdl)
            if len(groups) <= 1:
                continue
            variants = sorted(
                groups.values(), key=lambda group: (-len(group), order.index(group[0]))
            )
            if kind == "simpleType" and all(_is_enum(copies[group[0]]) for group in variants):
                continue  # merged below
            space = symbol_space(kind)
            taken = {
                k[2]
                for k in collected.definitions
                if k[1] == namespace and symbol_space(k[0]) == space
            }
            taken |= {
                new
                for r in renames.values()
                for (s, ns, _), new in r.items()
                if ns == namespace and s == space
            }
            for group in variants[1:]:
                flavour = collected.flavours[group[0]]
                new_name, number = f"{name}{flavour}", 2
                while new_name in taken:
                    new_name, number = f"{name}{flavour}{number}", number + 1
                taken.add(new_name)
                for wsdl in group:
                    renames[wsdl][rename_key] = new_name
                report.append(
                    f"{kind} {{{namespace}}}{name} differs in {', '.join(group)}: "
                    f"generated there as {new_name} (XML name kept)"
                )
                changed = True

    chosen: dict[Key, etree._Element] = {}
    for key in sorted(collected.definitions):
        kind, namespace, name = key
        by_name: dict[str, dict[str, etree._Element]] = collections.defaultdict(dict)
        for wsdl, element in collected.definitions[key].items():
            by_name[renames[wsdl].get((symbol_space(kind), namespace, name), name)][wsdl] = element
        for final_name, copies in sorted(by_name.items()):
            same: dict[Canon, list[str]] = collections.defaultdict(list)
            for wsdl in order:
                if wsdl in copies:
                    same[canon_renamed(copies[wsdl], renames[wsdl])].append(wsdl)
            variants = sorted(same.values(), key=lambda group: (-len(group), order.index(group[0])))
            if len(variants) > 1:  # enumerations only, see above
                element = _merge_enums([copies[group[0]] for group in variants])
                source = variants[0][0]
                report.append(
                    f"enum {{{namespace}}}{name}: values of {len(variants)} variants merged"
                )
            else:
                source = _best_documented(copies, order)
                element = etree.fromstring(etree.tostring(copies[source]))
            _apply_renames(element, renames[source])
            element.set("name", final_name)
            chosen[(kind, namespace, final_name)] = element
    original = {
        f"{{{ns}}}{new}": name for r in renames.values() for (_, ns, name), new in r.items()
    }
    return Resolution(chosen, original, report)


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


def merged_schemas(cache: WsdlCache) -> SchemaSet:
    collected = collect(cache)
    resolution = resolve(collected)
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
    return SchemaSet(documents, resolution.original_names, tuple(dropped), tuple(resolution.report))


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
