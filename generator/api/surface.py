"""The public API of a generated `altinn2` package, read statically from its sources with `ast`.

Nothing is imported: a surface can be read from any revision or folder, whatever it imports.
Covered: the generated modules (`altinn2/models/`, `altinn2/services/` and the package's own
top-level modules); `runtime/` and `testing/` are hand-written templates, reviewed as code.

A surface is a flat map from a dotted path to an `Entry`:

- `altinn2.models.m.Cls` (class or enum; the wire name as signature),
- `altinn2.models.m.Cls.field` (annotation; `required` when it has no default),
- `altinn2.models.enums.E.MEMBER` (the member's value),
- `altinn2.services.s.Service.method` (its parameters and return annotation),
- `altinn2.services.s.OPERATION` (an operation's binding, path, actions, types, credentials).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from generator.services import metadata

PACKAGE = "altinn2"
# Subpackages whose modules are generated (the others are copied templates).
GENERATED_PACKAGES = ("models", "services")
# OperationInfo attributes an app's calls depend on: a change to one breaks the wire contract.
OPERATION_CONTRACT = (
    "binding",
    "path",
    "soap_version",
    "soap_action",
    "action",
    "reply_action",
    "policy",
    "input",
    "output",
    "credentials",
)


@dataclass(frozen=True)
class Param:
    name: str
    annotation: str
    required: bool

    def __str__(self) -> str:
        return f"{self.name}: {self.annotation}" + ("" if self.required else " = ...")


@dataclass(frozen=True)
class Entry:
    kind: str  # class, enum, field, member, method, operation
    signature: str  # what is compared and shown
    required: bool = False  # field: no default
    params: tuple[Param, ...] = ()  # method
    returns: str = ""  # method
    attributes: tuple[tuple[str, str], ...] = ()  # operation: (attribute, source text)


Surface = dict[str, Entry]


def is_public_module(path: str) -> bool:
    """`path` relative to the package's parent (`altinn2/models/x.py`)."""
    parts = path.removesuffix(".py").split("/")
    if (
        not path.endswith(".py")
        or parts[0] != PACKAGE
        or any(p.startswith("_") for p in parts[1:-1])
    ):
        return False
    if len(parts) == 2:
        return True  # altinn2/client.py, altinn2/endpoints.py, ...
    return len(parts) == 3 and parts[1] in GENERATED_PACKAGES


def read_surface(sources: Mapping[str, str]) -> Surface:
    """The surface of the modules in `sources` (path relative to the package's parent ->
    source); private modules (`_cluster_*`) count only through the names others re-export."""
    surface: Surface = {}
    trees = {path: ast.parse(text, filename=path) for path, text in sorted(sources.items())}
    for path, tree in trees.items():
        if is_public_module(path):
            module = path.removesuffix(".py").replace("/", ".")
            _read_module(module, tree, trees, surface)
    return surface


def _read_module(
    module: str, tree: ast.Module, trees: Mapping[str, ast.Module], surface: Surface
) -> None:
    endpoints: dict[str, metadata.EndpointConstant] = {}
    policies = _policies(tree, trees)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            _read_class(f"{module}.{node.name}", node, surface)
        elif not (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.targets[0], ast.Name)
        ):
            continue
        elif _is_call_to(node.value, "OperationInfo"):
            values = {kw.arg: ast.unparse(kw.value) for kw in node.value.keywords if kw.arg}
            _read_operation(f"{module}.{node.targets[0].id}", values, policies, surface)
        elif _is_call_to(node.value, "Endpoint"):
            keywords = tuple(
                (kw.arg, ast.unparse(kw.value)) for kw in node.value.keywords if kw.arg
            )
            endpoints[node.targets[0].id] = metadata.EndpointConstant(
                node.targets[0].id, ("", ""), keywords
            )
        elif _endpoint_of(node.value) in endpoints:
            endpoint = endpoints[_endpoint_of(node.value)]
            values = _operation_values(endpoint, node.value)
            _read_operation(f"{module}.{node.targets[0].id}", values, policies, surface)
    for name, source in _reexports(tree):
        source_tree = trees.get(source.replace(".", "/") + ".py")
        if source_tree is None:
            continue
        for node in source_tree.body:
            if isinstance(node, ast.ClassDef) and node.name == name[0]:
                _read_class(f"{module}.{name[1]}", node, surface)


def _reexports(tree: ast.Module) -> list[tuple[tuple[str, str], str]]:
    """((real name, public name), private module) of classes a module re-exports from a private
    module of its package (a cycle's `_cluster_*`)."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and "._" in node.module:
            for alias in node.names:
                found.append(((alias.name, alias.asname or alias.name), node.module))
    return found


def _is_call_to(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _is_enum(node: ast.ClassDef) -> bool:
    return any(
        ast.unparse(base).split(".")[-1] in ("Enum", "StrEnum", "IntEnum") for base in node.bases
    )


def _meta_name(node: ast.ClassDef) -> str:
    """`{namespace}name` (or just the name) from a dataclass's `Meta`, else ""."""
    values: dict[str, str] = {}
    for inner in node.body:
        if isinstance(inner, ast.ClassDef) and inner.name == "Meta":
            for item in inner.body:
                if (
                    isinstance(item, ast.Assign)
                    and isinstance(item.targets[0], ast.Name)
                    and isinstance(item.value, ast.Constant)
                ):
                    values[item.targets[0].id] = str(item.value.value)
    name = values.get("name", "")
    namespace = values.get("namespace", "")
    return f"{{{namespace}}}{name}" if namespace and name else name


def _read_class(path: str, node: ast.ClassDef, surface: Surface) -> None:
    if _is_enum(node):
        surface[path] = Entry("enum", "enum")
        for item in node.body:
            if isinstance(item, ast.Assign) and isinstance(item.targets[0], ast.Name):
                member = item.targets[0].id
                if not member.startswith("_"):
                    surface[f"{path}.{member}"] = Entry("member", ast.unparse(item.value))
        return
    wire = _meta_name(node)
    surface[path] = Entry("class", f"XML {wire}" if wire else "class")
    for item in node.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            name = item.target.id
            if name.startswith("_"):
                continue
            annotation = ast.unparse(item.annotation)
            surface[f"{path}.{name}"] = Entry(
                "field", annotation, required=_field_required(item.value)
            )
        elif isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            if item.name[0] != "_":
                surface[f"{path}.{item.name}"] = _method(item)
        elif isinstance(item, ast.ClassDef) and item.name != "Meta" and item.name[0] != "_":
            _read_class(f"{path}.{item.name}", item, surface)  # xsdata's anonymous types


def _field_required(value: ast.expr | None) -> bool:
    """A dataclass field without a default (or `field(...)` without default/default_factory)."""
    if value is None:
        return True
    if _is_call_to(value, "field"):
        assert isinstance(value, ast.Call)
        return not any(kw.arg in ("default", "default_factory") for kw in value.keywords)
    return False


def _method(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Entry:
    arguments = node.args
    params: list[Param] = []
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    for arg, default in zip(positional, defaults, strict=True):
        if arg.arg not in ("self", "cls"):
            params.append(Param(arg.arg, _annotation(arg), default is None))
    for arg, kw_default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        params.append(Param(arg.arg, _annotation(arg), kw_default is None))
    returns = ast.unparse(node.returns) if node.returns else ""
    prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    if any(ast.unparse(d).endswith("property") for d in node.decorator_list):
        prefix = "property"
    signature = f"{prefix}({', '.join(map(str, params))}) -> {returns}"
    return Entry("method", signature, params=tuple(params), returns=f"{prefix} {returns}")


def _annotation(arg: ast.arg) -> str:
    return ast.unparse(arg.annotation) if arg.annotation else ""


def _endpoint_of(call: ast.Call) -> str:
    """`_BASIC` of `_BASIC.operation(...)`, else ""."""
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "operation"
        and isinstance(func.value, ast.Name)
    ):
        return func.value.id
    return ""


def _operation_values(endpoint: metadata.EndpointConstant, call: ast.Call) -> dict[str, str]:
    """An `Endpoint.operation` call's OperationInfo keywords, as an OperationInfo call would
    write them (what the endpoint derives filled in; defaults left out)."""
    given = dict(zip(metadata.POSITIONAL, map(ast.unparse, call.args), strict=True))
    given.update((kw.arg, ast.unparse(kw.value)) for kw in call.keywords if kw.arg)
    binding = dict(endpoint.keywords)["binding"].removeprefix("Binding.")
    given.setdefault("name", repr(given["input"]))  # the runtime takes the input class's
    name = ast.literal_eval(given["name"])
    binding_name = {"BASIC": "Basic"}.get(binding, binding)
    values = metadata.derived(endpoint, name, given["effect"], binding_name)
    values.update(given)
    return {key: value for key, value in values.items() if metadata.ABSENT.get(key) != value}


def _policy_assignments(tree: ast.Module) -> dict[str, str]:
    """`NAME = SecurityPolicy(...)` of a module: name -> the policy, keywords in order."""
    found = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
            and _is_call_to(node.value, "SecurityPolicy")
        ):
            keywords = sorted(f"{kw.arg}={ast.unparse(kw.value)}" for kw in node.value.keywords)
            found[node.targets[0].id] = f"SecurityPolicy({', '.join(keywords)})"
    return found


def _policies(tree: ast.Module, trees: Mapping[str, ast.Module]) -> dict[str, str]:
    """The SecurityPolicy constants a module defines or imports from a module of the package:
    local name -> the policy (an operation's policy is compared by what it is, not its name)."""
    found = _policy_assignments(tree)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            source = trees.get(node.module.replace(".", "/") + ".py")
            defined = _policy_assignments(source) if source is not None else {}
            for alias in node.names:
                if alias.name in defined:
                    found[alias.asname or alias.name] = defined[alias.name]
    return found


def _read_operation(
    path: str, values: dict[str, str], policies: Mapping[str, str], surface: Surface
) -> None:
    if "policy" in values:
        values["policy"] = policies.get(values["policy"], values["policy"])
    # The generator leaves out what OperationInfo derives: compare the effective metadata.
    values.setdefault("action", values.get("soap_action", "''"))
    if "reply_action" not in values and values["action"].endswith(("'", '"')):
        quote = values["action"][-1]
        values["reply_action"] = f"{values['action'][:-1]}Response{quote}"
    for flag in ("addressing", "mtom"):
        values.setdefault(flag, "False")
    attributes = tuple(sorted(values.items()))
    summary = f"{values.get('binding', '?')} {values.get('name', '?')} {values.get('path', '?')}"
    surface[path] = Entry("operation", summary, attributes=attributes)
