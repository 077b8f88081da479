"""The operations' metadata as the module prints it: one `Endpoint` per binding and path, and per
operation only what differs from what the endpoint derives (`altinn2.runtime.operation`).

`operation_info` gives every OperationInfo keyword; `endpoints` groups them and `operation_call`
leaves out of an operation what its endpoint derives, as the runtime's `Endpoint.operation`
does (mirrored here by `derived`: the generated module builds exactly the metadata the keywords
describe, which `scripts/api_surface.py` compares).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from generator.naming import constant_case, module_name
from generator.services.model import EndpointMethod, ServiceModule

# What an OperationInfo keyword the generator leaves out stands for (its default).
ABSENT = {
    "addressing": "False",
    "mtom": "False",
    "faults": "()",
    "result": "None",
    "credentials": "{}",
}
# The keywords an Endpoint holds (besides service, binding, path and actions), with defaults.
SHARED = {"policy": "NO_SECURITY", "faults": "()", "credentials": "{}", "mtom": "False"}
# Each endpoint operation's own: positional arguments of `Endpoint.operation` (its name is a
# keyword, given when it is not the input class's name).
POSITIONAL = ("effect", "input", "output")
# The part of an endpoint operation's name that names its binding (`GetReceiptBasicV2`).
BINDING_MARKS = {"Basic": "Basic", "EC": "EC", "EC2": "EC"}


@dataclass(frozen=True)
class EndpointConstant:
    name: str  # the module's private constant
    key: tuple[str, str]  # binding, path
    keywords: tuple[tuple[str, str], ...]  # Endpoint(...)'s keywords, Python expressions


def result_field(name: str) -> str:
    return f"{module_name(name)}_result"


def base_operation_of(name: str, binding: str) -> str:
    mark = BINDING_MARKS.get(binding)
    return name.replace(mark, "", 1) if mark else name


def _actions(values: dict[str, str]) -> str:
    """The SOAP actions' common part, from one operation's (`'http://.../IService/Name'`)."""
    action = ast.literal_eval(values["soap_action"])
    assert isinstance(action, str)
    return action.rsplit("/", 1)[0]


def endpoints(service: ServiceModule, infos: dict[str, dict[str, str]]) -> list[EndpointConstant]:
    """One Endpoint per binding and path, in the order of their first operation; its shared
    values are its first operation's. `infos`: each endpoint method's OperationInfo keywords."""
    first: dict[tuple[str, str], EndpointMethod] = {}
    for method in service.endpoints:
        first.setdefault((method.binding, method.path), method)
    bindings = [binding for binding, _ in first]
    constants = []
    for (binding, path), method in first.items():
        values = infos[method.constant]
        if bindings.count(binding) == 1:
            name = f"_{constant_case(binding)}"
        else:
            name = "_" + constant_case(path.rsplit("/", 1)[-1].removesuffix(".svc"))
        keywords = [
            ("service", values["service"]),
            ("binding", values["binding"]),
            ("path", values["path"]),
            ("actions", repr(_actions(values))),
        ]
        for keyword, default in SHARED.items():
            value = values.get(keyword, ABSENT.get(keyword, default))
            if value != default:
                keywords.append((keyword, value))
        constants.append(EndpointConstant(name, (binding, path), tuple(keywords)))
    return constants


def derived(endpoint: EndpointConstant, name: str, effect: str, binding: str) -> dict[str, str]:
    """What `Endpoint.operation` makes of an operation given its positional arguments, as the
    keywords' Python expressions."""
    shared = dict(endpoint.keywords)
    actions = ast.literal_eval(shared["actions"])
    assert isinstance(actions, str)
    basic = binding == "Basic"
    values = {
        "service": shared["service"],
        "base_operation": repr(base_operation_of(name, binding)),
        "binding": shared["binding"],
        "path": shared["path"],
        "soap_version": "SoapVersion.SOAP11" if basic else "SoapVersion.SOAP12",
        "soap_action": repr(f"{actions}/{name}"),
        "effect": effect,
        "addressing": "False" if basic else "True",
        "result": repr(result_field(name)),
    }
    for keyword, default in SHARED.items():
        values[keyword] = shared.get(keyword, default)
    return values


def operation_call(
    endpoint: EndpointConstant, method: EndpointMethod, values: dict[str, str]
) -> tuple[list[str], list[tuple[str, str]]]:
    """`Endpoint.operation`'s arguments for one operation: the positional ones, then the
    keywords whose value differs from what the endpoint derives."""
    name = method.operation.name
    every = {**ABSENT, **values}
    implied = derived(endpoint, name, every["effect"], method.binding)
    if method.input.name == every["input"] == name:
        implied["name"] = repr(name)  # the runtime takes the input class's
    positional = [every[keyword] for keyword in POSITIONAL]
    keywords = [
        (keyword, value)
        for keyword, value in every.items()
        if keyword not in POSITIONAL and value != implied.get(keyword, ABSENT.get(keyword))
    ]
    return positional, keywords
