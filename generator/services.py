"""The service modules to generate: one per service of the table, methods per binding and per
base operation, in terms of the model classes (what the templates render)."""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass, field

from generator.coverage import RowCoverage
from generator.errors import WsdlError
from generator.models.build import ModelClass, ModelField, ModelSet
from generator.models.docs import doc_text
from generator.naming import constant_case, module_name, pascal_case, snake_case
from generator.spec import EndpointRow, Spec
from generator.wsdl import Operation

BINDING_ORDER = ("Basic", "WS", "EC")

# Input fields the client fills from its settings (matched on the XML name, case-insensitively).
CREDENTIALS = {
    "Basic": {
        "systemusername": "SYSTEM_USER_NAME",
        "systempassword": "SYSTEM_PASSWORD",
        "userssn": "USER_SSN",
        "userpassword": "USER_PASSWORD",
        "userpincode": "USER_PIN_CODE",
        "authmethod": "AUTH_METHOD",
    },
    "WS": {
        "userssn": "USER_SSN",
        "userpassword": "USER_PASSWORD",
        "userpincode": "USER_PIN_CODE",
        "authmethod": "AUTH_METHOD",
    },
    "EC": {"username": "ENTERPRISE_USER_NAME", "password": "ENTERPRISE_PASSWORD"},
}
# Person credentials may stay empty (the operation may not need a person); system and enterprise
# credentials may not.
OPTIONAL_CREDENTIALS = frozenset({"USER_SSN", "USER_PASSWORD", "USER_PIN_CODE", "AUTH_METHOD"})

# Types the model annotations use that a service module must import besides the models.
NATIVE_IMPORTS = {
    "XmlDate": "xsdata.models.datatype",
    "XmlDateTime": "xsdata.models.datatype",
    "XmlDuration": "xsdata.models.datatype",
    "XmlPeriod": "xsdata.models.datatype",
    "XmlTime": "xsdata.models.datatype",
    "Decimal": "decimal",
    "UUID": "uuid",
    "QName": "xml.etree.ElementTree",
}
_WORD = re.compile(r"\b\w+\b")

# Names a generated method uses besides its parameters: `base_url` (a keyword of every method),
# `operation` (set first thing in an endpoint method) and `binding` (set first thing in a base
# method, whose parameters are its endpoint methods'). A parameter by either would be overwritten.
RESERVED_PARAMETERS = frozenset({"base_url", "operation", "binding"})

_PARAM_DOC = re.compile(r"<param name=\"(\w+)\">(.*?)</param>", re.S)


def is_optional(annotation: str) -> bool:
    return annotation.endswith(" | None")


def strip_none(annotation: str) -> str:
    return annotation.removesuffix(" | None")


@dataclass
class Param:
    name: str
    annotation: str
    field: str  # the input class field it fills
    required: bool  # no default: the schema needs a value and None is not one
    credential: str | None = None  # a Credential member name
    doc: str = ""

    @property
    def is_list(self) -> bool:
        return self.annotation.startswith("list[")


@dataclass
class Result:
    field: str | None  # the output wrapper's field holding the result (None: void or whole)
    annotation: str
    expression: str  # how the method computes its return value from `response`


@dataclass
class EndpointMethod:
    name: str
    constant: str
    row: EndpointRow
    operation: Operation
    binding: str
    path: str
    input: ModelClass
    output: ModelClass
    headers: list[tuple[ModelClass, Param]]
    faults: list[ModelClass]
    params: list[Param]
    result: Result
    effect: str  # the spec's declared effect: read, write or read-with-side-effect
    documentation: str

    @property
    def business_params(self) -> list[Param]:
        return [param for param in self.params if param.credential is None]

    @property
    def caller_params(self) -> list[Param]:
        """What a caller passes: body parameters, then SOAP header values (no credentials)."""
        headers = [param for _, param in self.headers if param.credential is None]
        return self.business_params + headers

    @property
    def credential_params(self) -> list[Param]:
        return [param for param in self.params if param.credential is not None]


@dataclass
class Dispatch:
    """How a base-operation method calls one binding's method: argument checks, then the call."""

    method: EndpointMethod
    checks: list[tuple[str, str]]  # (condition, the runtime helper call raising the TypeError)
    arguments: list[str]


@dataclass
class BaseMethod:
    name: str
    base_operation: str
    params: list[Param]
    annotation: str
    dispatches: list[Dispatch]
    missing: list[EndpointRow]  # rows of this base operation with no generated method

    @property
    def endpoints(self) -> list[EndpointMethod]:
        return [dispatch.method for dispatch in self.dispatches]


@dataclass
class ServiceModule:
    service: str
    module: str
    class_name: str
    rows: list[RowCoverage]
    endpoints: list[EndpointMethod] = field(default_factory=list)
    bases: list[BaseMethod] = field(default_factory=list)
    imports: dict[str, dict[str, str]] = field(default_factory=dict)  # module -> {class: alias}
    names: dict[str, str] = field(default_factory=dict)  # class qname -> local name

    @property
    def uses_credentials(self) -> bool:
        return any(
            method.credential_params or any(param.credential for _, param in method.headers)
            for method in self.endpoints
        )

    @property
    def exported(self) -> list[str]:
        return sorted({alias for names in self.imports.values() for alias in names.values()})


class _Names:
    """Local names for the model classes a service module imports (clashes get aliases)."""

    def __init__(self, module: ServiceModule, models: ModelSet) -> None:
        self.module = module
        self.models = models
        self.taken: dict[str, str] = {}  # local name -> qname

    def use(self, model: ModelClass) -> str:
        key = model.cls.qname
        if key in self.module.names:
            return self.module.names[key]
        local = model.name
        if local in self.taken and self.taken[local] != key:
            local = f"{model.name}{pascal_case(model.module.rpartition('.')[2])}"
        self.taken[local] = key
        self.module.names[key] = local
        self.module.imports.setdefault(model.module, {})[model.name] = local
        return local

    def annotation(self, owner: ModelClass, model_field: ModelField) -> str:
        for referenced in self.models.referenced(model_field):
            self.use(referenced)
        text = self.models.annotation(owner, model_field, self.module.names)
        for name in _WORD.findall(text):
            if name in NATIVE_IMPORTS:
                self.module.imports.setdefault(NATIVE_IMPORTS[name], {})[name] = name
        return text


def _param_docs(documentation: str | None) -> dict[str, str]:
    if not documentation:
        return {}
    return {
        name: " ".join(doc_text(text).split()) for name, text in _PARAM_DOC.findall(documentation)
    }


def _summary(documentation: str | None) -> str:
    return doc_text(documentation) if documentation else ""


def _params(owner: ModelClass, names: _Names, binding: str, docs: dict[str, str]) -> list[Param]:
    params = []
    for model_field in owner.fields:
        annotation = names.annotation(owner, model_field)
        credential = CREDENTIALS.get(binding, {}).get(model_field.xml_name.lower())
        name = model_field.name
        optional = is_optional(annotation) or model_field.attr.is_list
        params.append(
            Param(
                name=name,
                annotation=annotation,
                field=model_field.name,
                required=not optional and credential is None,
                credential=credential,
                doc=docs.get(model_field.xml_name, ""),
            )
        )
    return params


def check_parameter_names(operation: str, params: list[Param]) -> None:
    """Each parameter (body, header, credential) once, and none named like a method local."""
    seen: set[str] = set()
    for param in params:
        if param.name in RESERVED_PARAMETERS or param.name in seen:
            what = "is used twice" if param.name in seen else "collides with a name the method uses"
            raise WsdlError(f"{operation}: parameter {param.name} {what}")
        seen.add(param.name)


def _result(output: ModelClass, names: _Names) -> Result:
    if not output.fields:
        return Result(None, "None", "None")
    if len(output.fields) > 1:
        return Result(None, names.use(output), "response")
    only = output.fields[0]
    annotation = names.annotation(output, only)
    if only.attr.wrapper:
        return Result(only.name, strip_none(annotation), f"response.{only.name} or []")
    return Result(only.name, annotation, f"response.{only.name}")


def _endpoint_method(
    item: RowCoverage, models: ModelSet, names: _Names, base_name: str
) -> EndpointMethod:
    row, operation = item.row, item.operation
    assert operation is not None
    binding = row.effective_binding
    if len(operation.input_body) != 1 or len(operation.output_body) != 1:
        raise WsdlError(
            f"{operation.name}: expected one body part in and out (document/literal wrapped)"
        )
    input_model = models.element(operation.input_body[0].element)
    output_model = models.element(operation.output_body[0].element)
    names.use(input_model)
    names.use(output_model)
    docs = _param_docs(operation.documentation)
    params = _params(input_model, names, binding, docs)
    headers = []
    for header in operation.input_headers:
        header_model = models.element(header.element)
        names.use(header_model)
        xml_name = header.element.rpartition("}")[2]
        credential = CREDENTIALS.get(binding, {}).get(xml_name.lower())
        value_fields = header_model.fields
        if len(value_fields) != 1:
            raise WsdlError(f"{operation.name}: header {xml_name} is not a single value")
        annotation = names.annotation(header_model, value_fields[0])
        header_param = Param(
            name=snake_case(xml_name),
            annotation=annotation,
            field=value_fields[0].name,
            required=credential is None and not is_optional(annotation),
            credential=credential,
            doc=docs.get(xml_name, ""),
        )
        headers.append((header_model, header_param))
    check_parameter_names(operation.name, params + [param for _, param in headers])
    faults = [models.element(fault.element) for fault in operation.faults]
    for fault in faults:
        names.use(fault)
    method_name = snake_case(operation.name)
    if method_name == base_name:
        method_name = f"{method_name}_{binding.lower()}"
    return EndpointMethod(
        name=method_name,
        constant=constant_case(operation.name),
        row=row,
        operation=operation,
        binding=binding,
        path=row.path,
        input=input_model,
        output=output_model,
        headers=headers,
        faults=faults,
        params=params,
        result=_result(output_model, names),
        effect=row.effect,
        documentation=_summary(operation.documentation),
    )


def _base_method(
    base_operation: str, methods: list[EndpointMethod], missing: list[EndpointRow]
) -> BaseMethod:
    """One method over every binding: its parameters are the union of theirs.

    A parameter every binding takes with the same type keeps that type (required if any binding
    requires it). One whose type differs between bindings takes the union, one that some binding
    lacks is optional; the call then checks, for the client's binding, that what it got fits.
    """
    names = list(dict.fromkeys(p.name for m in methods for p in m.caller_params))
    by_method = [{p.name: p for p in m.caller_params} for m in methods]
    params = []
    for name in names:
        present = [params_of[name] for params_of in by_method if name in params_of]
        types = list(dict.fromkeys(strip_none(p.annotation) for p in present))
        everywhere = len(present) == len(methods)
        required = everywhere and any(p.required for p in present)
        if len(types) == 1 and (required or present[0].is_list):
            annotation = types[0]
        else:
            annotation = " | ".join(types) if required else f"{' | '.join(types)} | None"
        params.append(Param(name, annotation, name, required, doc=present[0].doc))
    dispatches = []
    for method, params_of in zip(methods, by_method, strict=True):
        checks = []
        for param in params:
            own = params_of.get(param.name)
            label = f"{param.name!r}, {method.binding!r}"
            if own is None:
                checks.append((f"{param.name} is not None", f"self._not_a_parameter({label})"))
                continue
            own_type = strip_none(own.annotation)
            if strip_none(param.annotation) != own_type:
                if "[" in own_type:
                    raise WsdlError(f"{base_operation}: {param.name} has per-binding list types")
                condition = f"not isinstance({param.name}, {own_type})"
                if not own.required:
                    condition = f"{param.name} is not None and {condition}"
                checks.append((condition, f"self._wrong_type({label}, {own_type!r})"))
            elif own.required and not param.required and is_optional(param.annotation):
                checks.append((f"{param.name} is None", f"self._missing_argument({label})"))
        arguments = [param.name for param in params if param.name in params_of]
        dispatches.append(Dispatch(method, checks, arguments))
    annotations = list(dict.fromkeys(method.result.annotation for method in methods))
    if len(annotations) > 1:
        parts = [part for a in annotations for part in a.split(" | ") if part != "None"]
        nullable = any(a == "None" or is_optional(a) for a in annotations)
        annotations = [*dict.fromkeys(parts), *(["None"] if nullable else [])]
    annotation = " | ".join(annotations)
    return BaseMethod(
        snake_case(base_operation), base_operation, params, annotation, dispatches, missing
    )


def plan_services(spec: Spec, coverage: list[RowCoverage], models: ModelSet) -> list[ServiceModule]:
    by_service: dict[str, list[RowCoverage]] = collections.defaultdict(list)
    for item in coverage:
        by_service[item.row.service].append(item)
    modules = []
    for service in spec.services:
        items = by_service[service]
        module = ServiceModule(service, module_name(service), pascal_case(service), items)
        names = _Names(module, models)
        by_base: dict[str, list[RowCoverage]] = collections.defaultdict(list)
        for item in items:
            by_base[item.row.effective_base_operation].append(item)
        for base_operation, base_items in by_base.items():
            base_name = snake_case(base_operation)
            generated = sorted(
                (item for item in base_items if item.generated),
                key=lambda item: BINDING_ORDER.index(item.row.effective_binding),
            )
            methods = [_endpoint_method(item, models, names, base_name) for item in generated]
            module.endpoints.extend(methods)
            if methods:
                missing = [item.row for item in base_items if not item.generated]
                module.bases.append(_base_method(base_operation, methods, missing))
        method_names = [method.name for method in module.endpoints] + [b.name for b in module.bases]
        clashes = sorted(
            name for name, count in collections.Counter(method_names).items() if count > 1
        )
        if clashes:
            raise WsdlError(f"{service}: several methods named {', '.join(clashes)}")
        modules.append(module)
    return modules
