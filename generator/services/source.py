"""The Python text of a service module's pieces: operation metadata, method bodies, dispatch.

Registered once on the Jinja environment (`register`); the template only prints what these give.
"""

from __future__ import annotations

import re

import jinja2

from generator.naming import constant_case
from generator.services.metadata import EndpointConstant, endpoints, operation_call
from generator.services.model import (
    BaseMethod,
    Check,
    CheckKind,
    EndpointMethod,
    Param,
    ServiceModule,
)
from generator.wsdl.model import NO_POLICY, Policy

NO_SECURITY = "NO_SECURITY"  # the runtime's SecurityPolicy() (no message security)


def _tuple(items: list[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _security(policy: Policy) -> tuple[tuple[str, object], ...]:
    """The runtime's SecurityPolicy of a WS-Policy: keywords and values (equal: one constant)."""
    values: dict[str, object] = {
        "style": policy.security,
        "timestamp": policy.include_timestamp,
        "bootstrap": policy.bootstrap_token,
        "derived_keys": policy.derived_keys,
        "must_not_send_cancel": policy.must_not_send_cancel,
        "signature_confirmation": policy.signature_confirmation,
        "algorithm_suite": policy.algorithm_suite,
    }
    return tuple(values.items())


def shared_policies(services: list[ServiceModule]) -> dict[tuple[object, ...], tuple[str, str]]:
    """The package's SecurityPolicy constants (`altinn2.services._policies`), one per distinct
    policy of every module's operations but the empty one (the runtime's NO_SECURITY), in the
    order of their first use: key -> (name, constructor)."""
    constants: dict[tuple[object, ...], tuple[str, str]] = {}
    for service in services:
        for method in service.endpoints:
            policy = method.operation.policy
            key = _security(policy)
            if key in constants or key == _security(NO_POLICY):
                continue
            name = f"{policy.security.name}_POLICY"
            if name in {existing for existing, _ in constants.values()}:
                name = f"{name}_{len(constants) + 1}"
            arguments = [f"style=Security.{policy.security.name}"]
            arguments += [f"{keyword}={value!r}" for keyword, value in key[1:] if value]
            constants[key] = (name, f"SecurityPolicy({', '.join(arguments)})")
    return constants


def policy_name(service: ServiceModule, policy: Policy) -> str:
    return service.policies.get(_security(policy), (NO_SECURITY, ""))[0]


def module_policies(service: ServiceModule) -> list[str]:
    """The shared policies the module's operations use (what it imports)."""
    names = {policy_name(service, method.operation.policy) for method in service.endpoints}
    return sorted(names - {NO_SECURITY})


def signature(params: list[Param]) -> str:
    """A method's parameters: `self`, then keyword-only ones, `base_url` last."""
    keywords = [param.declaration for param in params] + ["base_url: str | None = None"]
    return ", ".join(["self", "*", *keywords] if params else ["self", *keywords])


def _infos(service: ServiceModule) -> dict[str, dict[str, str]]:
    return {method.constant: dict(operation_info(service, method)) for method in service.endpoints}


def endpoint_constants(service: ServiceModule) -> list[EndpointConstant]:
    """The module's Endpoint constants: one per binding and path."""
    return endpoints(service, _infos(service))


def operation_calls(service: ServiceModule) -> dict[str, tuple[str, str]]:
    """(the Endpoint constant, the arguments of its `operation`) of each endpoint method, by the
    method's constant."""
    infos = _infos(service)
    constants = {constant.key: constant for constant in endpoints(service, infos)}
    calls = {}
    for method in service.endpoints:
        endpoint = constants[(method.binding, method.path)]
        positional, keywords = operation_call(endpoint, method, infos[method.constant])
        arguments = ", ".join(positional + [f"{key}={value}" for key, value in keywords])
        calls[method.constant] = endpoint.name, arguments
    return calls


_RUNTIME_NAMES = (
    "Binding",
    "Credential",
    "Effect",
    "Endpoint",
    "NO_SECURITY",
    "Security",
    "SecurityPolicy",
    "SoapVersion",
)


def operation_names(service: ServiceModule) -> list[str]:
    """What the module imports from `altinn2.runtime.operation`: the names its policies,
    endpoints and operations use, and Binding (the base methods' dispatch)."""
    texts = []
    for constant in endpoint_constants(service):
        texts += [value for _, value in constant.keywords]
    texts += [arguments for _, arguments in operation_calls(service).values()]
    used = set(re.findall(r"\b\w+\b", " ".join(texts))) | {"Binding", "Endpoint"}
    names = [name for name in _RUNTIME_NAMES if name in used]
    return sorted(names, key=lambda name: (not name.isupper(), name))


def operation_info(service: ServiceModule, method: EndpointMethod) -> list[tuple[str, str]]:
    """The OperationInfo keywords of an endpoint method, each with its Python expression."""
    op = method.operation
    names = service.names
    policy = policy_name(service, op.policy)
    action = op.input_action or op.soap_action or ""
    items = [
        ("service", repr(service.service)),
        ("base_operation", repr(method.row.effective_base_operation)),
        ("name", repr(op.name)),
        ("binding", f"Binding.{constant_case(method.binding)}"),
        ("path", repr(method.path)),
        (
            "soap_version",
            "SoapVersion.SOAP11" if op.soap_version == "1.1" else "SoapVersion.SOAP12",
        ),
        ("soap_action", repr(op.soap_action or "")),
    ]
    if action != (op.soap_action or ""):
        items.append(("action", repr(action)))
    if op.output_action != f"{action}Response":
        items.append(("reply_action", repr(op.output_action)))
    items += [
        ("policy", policy),
        ("effect", f"Effect.{constant_case(method.effect)}"),
        ("input", names[method.input.cls.qname]),
        ("output", names[method.output.cls.qname]),
    ]
    flags = {"addressing": op.policy.addressing, "mtom": op.policy.mtom}
    items += [(name, "True") for name, value in flags.items() if value]
    if method.headers:
        headers = [names[header.model.cls.qname] for header in method.headers]
        items.append(("input_headers", _tuple(headers)))
        items.append(("header_parameters", _tuple([repr(h.param.name) for h in method.headers])))
    if method.faults:
        items.append(("faults", _tuple([names[model.cls.qname] for model in method.faults])))
    if method.result.field:
        items.append(("result", repr(method.result.field)))
    credentials = [
        f"{param.name!r}: Credential.{constant_case(param.credential)}"
        for param in method.credential_params
        if param.credential is not None
    ]
    if credentials:
        items.append(("credentials", "{" + ", ".join(credentials) + "}"))
    return items


def result_type(service: ServiceModule, method: EndpointMethod, sync: bool) -> str:
    """An endpoint method's return type; a streamed download's is a `Download` of its output
    wrapper (whose streamed field stays empty: the content is read through the Download)."""
    if method.streamed == "download":
        output = service.names[method.output.cls.qname]
        return f"{'' if sync else 'Async'}Download[{output}]"
    return method.result.type.render()


def base_result_type(service: ServiceModule, base: BaseMethod, sync: bool) -> str:
    if not any(method.streamed == "download" for method in base.endpoints):
        return base.returns.render()
    types = dict.fromkeys(result_type(service, method, sync) for method in base.endpoints)
    return " | ".join(types)


def endpoint_body(method: EndpointMethod, sync: bool) -> str:
    """The body of an endpoint method: one call with its arguments, the result read off it."""
    if method.streamed is not None:
        call = f"self._{method.streamed}({method.constant}, locals())"
        return f"return {call}" if sync else f"return await {call}"
    call = f"self._call({method.constant}, locals())"
    result = method.result
    if not result.type.members:  # void
        return call if sync else f"await {call}"
    if result.field is None:
        return f"return {call}" if sync else f"return await {call}"
    value = f"{call}.{result.field}" if sync else f"(await {call}).{result.field}"
    return f"return {value} or []" if result.or_empty else f"return {value}"


def _check_source(check: Check) -> tuple[str, str]:
    label = f"{check.param!r}, {check.binding!r}"
    if check.kind is CheckKind.NOT_A_PARAMETER:
        return f"{check.param} is not None", f"self._not_a_parameter({label})"
    if check.kind is CheckKind.MISSING:
        return f"{check.param} is None", f"self._missing_argument({label})"
    assert check.expected is not None
    expected = check.expected.render()
    condition = f"not isinstance({check.param}, {expected})"
    if check.may_be_none:
        condition = f"{check.param} is not None and {condition}"
    return condition, f"self._wrong_type({label}, {expected!r})"


def _if_chain(base: BaseMethod, sync: bool) -> str:
    """A base method's body as code: per binding, the checks, then the binding's method with
    the arguments given (None is every endpoint method's default)."""
    lines = []
    wait = "" if sync else "await "
    for dispatch in base.dispatches:
        method = dispatch.method
        lines.append(f"if self.binding is Binding.{constant_case(method.binding)}:")
        for check in dispatch.checks:
            condition, error = _check_source(check)
            lines += [f"    if {condition}:", f"        raise {error}"]
        lines.append(f"    return {wait}self.{method.name}(**self._arguments(locals()))")
    bindings = [f"Binding.{constant_case(method.binding)}" for method in base.endpoints]
    lines.append(f"raise self._unavailable({base.base_operation!r}, {_tuple(bindings)})")
    return "\n".join(lines)


def has_table(base: BaseMethod) -> bool:
    """Does the base method dispatch through a module-level table? Not when a binding's method
    is a streamed download (its result type differs between the sync and the async class)."""
    return not any(method.streamed == "download" for method in base.endpoints)


def table_name(base: BaseMethod) -> str:
    return f"_{constant_case(base.base_operation)}"


def _table_check(check: Check, real_names: dict[str, str]) -> str:
    if check.kind is CheckKind.NOT_A_PARAMETER:
        return f"Absent({check.param!r})"
    if check.kind is CheckKind.MISSING:
        return f"Required({check.param!r})"
    assert check.expected is not None
    expected = check.expected.render()
    arguments = [repr(check.param), expected]
    if " | ".join(real_names.get(name, name) for name in check.expected.names) != expected:
        arguments.append(f"text={expected!r}")  # an aliased class: the message names the alias
    if check.may_be_none:
        arguments.append("may_be_none=True")
    return f"IsA({', '.join(arguments)})"


def dispatch_table(base: BaseMethod, real_names: dict[str, str]) -> str:
    """The arguments of a base method's `BaseOperation`: its name, then per binding the
    endpoint method and the checks (`real_names`: the module's local class names -> real)."""
    arguments = [repr(base.base_operation)]
    for dispatch in base.dispatches:
        method = dispatch.method
        checks = [_table_check(check, real_names) for check in dispatch.checks]
        route = f"Route({', '.join([repr(method.name), *checks])})" if checks else repr(method.name)
        arguments.append(f"{method.binding.lower()}={route}")
    return ", ".join(arguments)


def dispatch_tables(service: ServiceModule) -> list[tuple[str, str, str]]:
    """(name, result type, BaseOperation arguments) of the module's dispatch tables."""
    real_names = {
        alias: name for classes in service.imports.values() for name, alias in classes.items()
    }
    taken = {constant.name for constant in endpoint_constants(service)}
    tables = []
    for base in service.bases:
        if not has_table(base):
            continue
        name = table_name(base)
        if name in taken:
            raise ValueError(f"{service.service}: {name} names an endpoint and a base operation")
        tables.append((name, base.returns.render(), dispatch_table(base, real_names)))
    return tables


def dispatch_names(service: ServiceModule) -> list[str]:
    """What the module imports from `altinn2.runtime.dispatch`."""
    text = " ".join(arguments for _, _, arguments in dispatch_tables(service))
    used = set(re.findall(r"\b\w+\b", text))
    names = ["Absent", "IsA", "Required", "Route"]
    return (["BaseOperation"] if text else []) + [name for name in names if name in used]


def base_body(base: BaseMethod, sync: bool) -> str:
    """The body of a base-operation method: its table's dispatch (`BaseOperation`), or for a
    streamed download the checks and calls written out."""
    if not has_table(base):
        return _if_chain(base, sync)
    call = f"self._dispatch({table_name(base)}, locals())"
    return f"return {call}" if sync else f"return await {call}"


def streams(service: ServiceModule, kind: str) -> bool:
    """Does the module have a streamed (MTOM) method of this kind ("upload", "download")?"""
    return any(method.streamed == kind for method in service.endpoints)


def register(env: jinja2.Environment) -> None:
    env.globals.update(
        signature=signature,
        endpoint_constants=endpoint_constants,
        operation_calls=operation_calls,
        operation_names=operation_names,
        module_policies=module_policies,
        endpoint_body=endpoint_body,
        result_type=result_type,
        base_result_type=base_result_type,
        streams=streams,
        base_body=base_body,
        dispatch_tables=dispatch_tables,
        dispatch_names=dispatch_names,
    )
