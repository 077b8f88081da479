"""One endpoint method per generated row: its parameters (body fields and SOAP header parts,
credentials as the spec declares them), its result and its metadata."""

from __future__ import annotations

import re

from generator.coverage import RowCoverage
from generator.errors import WsdlError
from generator.models.build import ModelClass, ModelSet
from generator.models.docs import doc_text
from generator.naming import binding_method_name, constant_case, snake_case
from generator.services.checks import check_parameter_names
from generator.services.imports import ModuleImports
from generator.services.model import PYTHON_TYPES_MODULE, EndpointMethod, Header, Param, Result
from generator.services.types import NONE, Member, TypeRef
from generator.spec import Spec
from generator.wsdl import Operation
from generator.wsdl.model import local_name

# Python's own types a parameter of an xsdata type takes too (`altinn2.runtime.arguments`
# converts them as WCF reads them).
PYTHON_TYPES = {
    "XmlDateTime": ("datetime", "date"),
    "XmlDate": ("date",),
    "XmlTime": ("time",),
    "XmlDuration": ("timedelta",),
}


SOURCE_DOC = (
    "the file: a path, a binary file object or an iterator of bytes (async: an async iterator "
    "too), streamed as the request's MTOM attachment, never read whole into memory."
)
PROGRESS_DOC = "called with the number of file bytes sent so far."
_PARAM_DOC = re.compile(r"<param name=\"(\w+)\">(.*?)</param>", re.S)


def _param_docs(documentation: str | None) -> dict[str, str]:
    if not documentation:
        return {}
    return {
        name: " ".join(doc_text(text).split()) for name, text in _PARAM_DOC.findall(documentation)
    }


def _with_python_types(tp: TypeRef, imports: ModuleImports, parameter: str) -> TypeRef:
    """`tp` with the Python types its xsdata types accept (not inside a list: lists are
    invariant to a type checker, a `list[datetime]` would not pass for one of the union)."""
    if tp.has_list:
        return tp
    members: list[Member] = []
    for member in tp.members:
        members.append(member)
        for name in member.names:
            for extra in PYTHON_TYPES.get(name, ()):
                if parameter in ("datetime", "date", "time", "timedelta"):
                    raise WsdlError(f"parameter {parameter} would hide the type {extra}")
                imports.module.imports.setdefault(PYTHON_TYPES_MODULE, {})[extra] = extra
                members.append(Member((extra,)))
    return TypeRef(tuple(dict.fromkeys(members)), tp.optional)


def _params(
    owner: ModelClass, imports: ModuleImports, credential_of: dict[str, str], docs: dict[str, str]
) -> list[Param]:
    params = []
    for model_field in owner.fields:
        tp = _with_python_types(imports.type_of(owner, model_field), imports, model_field.name)
        credential = credential_of.get(model_field.xml_name.lower())
        params.append(
            Param(
                name=model_field.name,
                type=tp,
                field=model_field.name,
                required=not tp.optional and not tp.is_list and credential is None,
                credential=credential,
                doc=docs.get(model_field.xml_name, ""),
            )
        )
    return params


def _headers(
    operation: Operation,
    models: ModelSet,
    imports: ModuleImports,
    credential_of: dict[str, str],
    docs: dict[str, str],
) -> list[Header]:
    headers = []
    for header in operation.input_headers:
        model = models.element(header.element)
        imports.use(model)
        xml_name = local_name(header.element)
        if len(model.fields) != 1:
            raise WsdlError(f"{operation.name}: header {xml_name} is not a single value")
        value = model.fields[0]
        tp = _with_python_types(imports.type_of(model, value), imports, snake_case(xml_name))
        credential = credential_of.get(xml_name.lower())
        param = Param(
            name=snake_case(xml_name),
            type=tp,
            field=value.name,
            required=credential is None and not tp.optional,
            credential=credential,
            doc=docs.get(xml_name, ""),
        )
        headers.append(Header(model, param))
    return headers


def _result(output: ModelClass, imports: ModuleImports) -> Result:
    if not output.fields:
        return Result(None, NONE)
    if len(output.fields) > 1:
        return Result(None, TypeRef.of(imports.use(output)))
    only = output.fields[0]
    tp = imports.type_of(output, only)
    if only.attr.wrapper:
        return Result(only.name, tp.required(), or_empty=True)
    return Result(only.name, tp)


def endpoint_method(
    item: RowCoverage, spec: Spec, models: ModelSet, imports: ModuleImports, base_name: str
) -> EndpointMethod:
    """The method of one generated row (document/literal wrapped: one body part each way)."""
    row, operation = item.row, item.operation
    assert operation is not None
    binding = row.effective_binding
    if len(operation.input_body) != 1 or len(operation.output_body) != 1:
        raise WsdlError(
            f"{operation.name}: expected one body part in and out (document/literal wrapped)"
        )
    input_model = models.element(operation.input_body[0].element, item.wsdl_file)
    output_model = models.element(operation.output_body[0].element, item.wsdl_file)
    imports.use(input_model)
    imports.use(output_model)
    docs = _param_docs(operation.documentation)
    credential_of = spec.credentials.get(binding, {})
    params = _params(input_model, imports, credential_of, docs)
    headers = _headers(operation, models, imports, credential_of, docs)
    streamed, stream_params = None, []
    result = _result(output_model, imports)
    if operation.policy.mtom:
        data = [param for param in params if param.type.names == ("bytes",)]
        if data:  # the file goes in as a source (path, file object, iterator), streamed
            streamed, params = "upload", [param for param in params if param not in data]
            stream_params = [
                Param("source", TypeRef.of("Source"), "", True, doc=SOURCE_DOC),
                Param("progress", TypeRef.of("Progress"), "", False, doc=PROGRESS_DOC),
            ]
        elif result.type.names == ("bytes",):  # the content comes back through a Download
            streamed = "download"
    check_parameter_names(
        operation.name, params + [header.param for header in headers] + stream_params
    )
    faults = [models.element(fault.element, item.wsdl_file) for fault in operation.faults]
    for fault in faults:
        imports.use(fault)
    name = binding_method_name(operation.name, binding, base_name)
    return EndpointMethod(
        name=name,
        # EC2 reuses EC's operation names: its constants follow its methods' names instead
        constant=name.upper() if binding == "EC2" else constant_case(operation.name),
        row=row,
        operation=operation,
        binding=binding,
        path=row.path,
        input=input_model,
        output=output_model,
        headers=headers,
        faults=faults,
        params=params,
        result=result,
        effect=row.effect,
        documentation=doc_text(operation.documentation) if operation.documentation else "",
        streamed=streamed,
        stream_params=stream_params,
    )
