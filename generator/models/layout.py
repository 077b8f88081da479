"""Which module each model class lives in: one per XML namespace, enums apart, no import cycles.

Every namespace-level cycle in Altinn's schemas runs through an enumeration, and enumerations
import nothing: with all enums in `altinn2.models.enums`, the namespace modules form no cycle.
Should a future WSDL bring one anyway, the modules of a cycle share a private `_cluster_<first>`
module and each keeps its public module as a re-export, so import paths stay as they were.
"""

from __future__ import annotations

import collections
import keyword
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from xsdata.codegen.container import ClassContainer
from xsdata.codegen.models import Class
from xsdata.utils.graphs import strongly_connected_components
from xsdata.utils.namespaces import build_qname, split_qname

from generator.errors import WsdlError
from generator.models.docs import ARRAYS, SERIALIZATION
from generator.naming import module_name, pascal_case

PACKAGE = "altinn2.models"
ENUMS_MODULE = "enums"

MODULE_OVERRIDES = {
    SERIALIZATION: "wcf_serialization",
    ARRAYS: "wcf_arrays",
    "http://schemas.microsoft.com/Message": "wcf_message",
    "http://www.altinn.no/services/2009/10": "common_service_2009_10",
    "http://www.altinn.no/services/common/fault/2009/10": "fault_2009_10",
    # beside ServiceEngine/Notification/2009/10 (EC2's prefill WSDL brings it)
    "http://schemas.altinn.no/services/Intermediary/Notification/2009/10": (
        "intermediary_notification_2009_10"
    ),
}


def module_for_namespace(namespace: str) -> str:
    """`http://schemas.altinn.no/services/ServiceEngine/Correspondence/2010/10` ->
    `correspondence_2010_10`; operation namespaces (www.altinn.no) get `_service`
    (`reportee_element_list_service_2009_10`); schemas.datacontract.org namespaces are named after
    their last two .NET namespace parts."""
    if namespace in MODULE_OVERRIDES:
        return MODULE_OVERRIDES[namespace]
    url = urlsplit(namespace)
    parts = [part for part in url.path.split("/") if part]
    if not parts:
        return "unqualified" if not namespace else _importable(module_name(url.netloc or namespace))
    if url.netloc == "schemas.datacontract.org":
        return _importable("_".join(module_name(part) for part in parts[-1].split(".")[-2:]))
    date = ""
    if len(parts) >= 3 and parts[-1].isdigit() and parts[-2].isdigit():
        date = f"_{parts[-2]}_{parts[-1]}"
        parts = parts[:-2]
    kind = "_service" if url.netloc == "www.altinn.no" else ""
    return _importable(f"{module_name(parts[-1])}{kind}{date}")


def _importable(name: str) -> str:
    """`2019` or `class` (from `http://example.com/2019`, `.../class`) cannot be imported."""
    return name if name.isidentifier() and not keyword.iskeyword(name) else f"ns_{name}"


@dataclass
class Layout:
    """The result of designation, kept for rendering the re-export modules."""

    clusters: dict[str, list[str]] = field(default_factory=dict)  # cluster -> member modules
    home: dict[str, str] = field(default_factory=dict)  # class qname -> its public module
    public_names: dict[str, str] = field(default_factory=dict)  # qname -> name its module exports


def rename_class(container: ClassContainer, cls: Class, new_name: str) -> None:
    """Give a class a new Python name; its XML name stays (Meta.name)."""
    namespace, old = split_qname(cls.qname)
    if cls.meta_name is None:
        cls.meta_name = old
    old_qname = cls.qname
    cls.qname = build_qname(namespace, new_name)
    container.reset(cls, old_qname)
    for other in container:
        for tp in other.types():
            if tp.qname == old_qname and tp.reference == cls.ref:
                tp.qname = cls.qname


def merge_duplicate_enums(container: ClassContainer, known: frozenset[str] = frozenset()) -> None:
    """Enums with the same name and members are one Python enum (only the text travels; the
    simpleType's namespace never appears on the wire). Same name, other members: the later one
    gets its module's name as a suffix, enums generated before (`known` qnames) first, then by
    namespace, so that a new namespace's enum never takes an existing enum's name."""
    groups: dict[str, list[Class]] = collections.defaultdict(list)
    for cls in sorted(container, key=lambda c: (c.qname not in known, c.qname)):
        if cls.is_enumeration:
            groups[cls.name].append(cls)
    replace: dict[str, Class] = {}
    for _, items in sorted(groups.items()):
        kept: list[Class] = []
        for cls in items:
            members = [(attr.name, attr.default) for attr in cls.attrs]
            same = next(
                (k for k in kept if [(a.name, a.default) for a in k.attrs] == members), None
            )
            if same is not None:
                replace[cls.qname] = same
                continue
            if kept:
                suffix = pascal_case(module_for_namespace(cls.target_namespace or ""))
                rename_class(container, cls, f"{cls.name}{suffix}")
            kept.append(cls)
    if not replace:
        return
    container.remove(
        *(c for c in list(container) if c.qname in replace and c is not replace[c.qname])
    )
    for cls in container:
        for tp in cls.types():
            target = replace.get(tp.qname)
            if target is not None:
                tp.qname, tp.reference = target.qname, target.ref


def _home_module(cls: Class, variants: dict[str, str]) -> str:
    if cls.is_enumeration:
        return ENUMS_MODULE
    module = module_for_namespace(cls.target_namespace or "")
    flavour = variants.get(cls.qname)
    return f"{module}_{flavour.lower()}" if flavour else module


def designate_modules(
    container: ClassContainer, variants: dict[str, str], known: frozenset[str] = frozenset()
) -> Layout:
    """Set `package`/`module` of every class; `variants` maps renamed conflict variants
    (e.g. `{ns}ReceiptEC`) to their flavour (`EC`), which gets them a module of their own;
    `known` holds the qnames of the types generated before."""
    merge_duplicate_enums(container, known)
    layout = Layout()
    classes = sorted(container, key=lambda c: c.qname)
    home = {cls.qname: _home_module(cls, variants) for cls in classes}
    namespaces_of: dict[str, set[str]] = collections.defaultdict(set)
    for cls in classes:
        if not cls.is_enumeration:
            namespaces_of[module_for_namespace(cls.target_namespace or "")].add(
                cls.target_namespace or ""
            )
    clashes = {module: sorted(ns) for module, ns in namespaces_of.items() if len(ns) > 1}
    if clashes or ENUMS_MODULE in namespaces_of:
        raise WsdlError(f"two namespaces map to one model module: {clashes}")

    edges: dict[str, set[str]] = collections.defaultdict(set)
    for cls in classes:
        source = home[cls.qname]
        edges[source].update(
            home[dependency]
            for dependency in cls.dependencies(allow_circular=True)
            if dependency in home and home[dependency] != source
        )
    graph = {module: sorted(targets) for module, targets in sorted(edges.items())}
    module_of: dict[str, str] = {}
    for component in strongly_connected_components(graph):
        members = sorted(component)
        target = members[0] if len(members) == 1 else f"_cluster_{members[0]}"
        for member in members:
            module_of[member] = target
        if len(members) > 1:
            layout.clusters[target] = members
    for cls in classes:
        cls.package, cls.module = PACKAGE, module_of[home[cls.qname]]
        layout.home[cls.qname] = home[cls.qname]
        for inner in cls.inner:
            inner.package, inner.module = PACKAGE, cls.module
    for target, members in sorted(layout.clusters.items()):
        taken: dict[str, str] = {}
        in_cluster = [c for c in classes if c.module == target]
        for cls in sorted(in_cluster, key=lambda c: (members.index(home[c.qname]), c.name)):
            name = pascal_case(cls.name)
            if name in taken and taken[name] != home[cls.qname]:
                path = urlsplit(cls.target_namespace or "").path
                digits = "".join(part for part in path.split("/") if part.isdigit())
                public, member = cls.name, home[cls.qname]
                rename_class(container, cls, f"{cls.name}{digits or pascal_case(member)}")
                layout.public_names[cls.qname] = public
                layout.home[cls.qname] = home[cls.qname] = member
                name = pascal_case(cls.name)
            taken[name] = home[cls.qname]
    return layout
