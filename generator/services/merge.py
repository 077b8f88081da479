"""One base-operation method over the endpoint methods of every binding.

Its parameters are the union of theirs. A parameter every binding takes with the same type keeps
that type (required if any binding requires it). One whose type differs between bindings takes
the union, one that some binding lacks is optional; the call then checks, for the client's
binding, that what it got fits.
"""

from __future__ import annotations

from generator.errors import WsdlError
from generator.naming import snake_case
from generator.services.model import (
    BaseMethod,
    Check,
    CheckKind,
    Dispatch,
    EndpointMethod,
    Param,
)
from generator.services.types import union
from generator.spec import EndpointRow


def _merged_params(methods: list[EndpointMethod]) -> list[Param]:
    names = list(dict.fromkeys(p.name for m in methods for p in m.caller_params))
    by_method = [{p.name: p for p in m.caller_params} for m in methods]
    params = []
    for name in names:
        present = [params_of[name] for params_of in by_method if name in params_of]
        types = list(dict.fromkeys(p.type.required() for p in present))
        everywhere = len(present) == len(methods)
        required = everywhere and any(p.required for p in present)
        merged = union(types)
        params.append(Param(name, merged, name, required, doc=present[0].doc))
    return params


def _checks(base_operation: str, method: EndpointMethod, params: list[Param]) -> Dispatch:
    own_params = {p.name: p for p in method.caller_params}
    checks = []
    for param in params:
        own = own_params.get(param.name)
        if own is None:
            checks.append(Check(CheckKind.NOT_A_PARAMETER, param.name, method.binding))
            continue
        own_type = own.type.required()
        if param.type.required() != own_type:
            if own_type.has_list:
                raise WsdlError(f"{base_operation}: {param.name} has per-binding list types")
            checks.append(
                Check(
                    CheckKind.WRONG_TYPE,
                    param.name,
                    method.binding,
                    own_type,
                    may_be_none=not own.required,
                )
            )
        elif own.required and not param.required:
            checks.append(Check(CheckKind.MISSING, param.name, method.binding))
    arguments = [param.name for param in params if param.name in own_params]
    return Dispatch(method, checks, arguments)


def base_method(
    base_operation: str, methods: list[EndpointMethod], missing: list[EndpointRow]
) -> BaseMethod:
    params = _merged_params(methods)
    dispatches = [_checks(base_operation, method, params) for method in methods]
    results = [method.result.type for method in methods]
    returns = results[0] if len(set(results)) == 1 else union(results)
    return BaseMethod(
        snake_case(base_operation), base_operation, params, returns, dispatches, missing
    )
