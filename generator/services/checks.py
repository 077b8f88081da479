"""Name checks of a service module: each parameter once per method and none named like a
method's own locals; each method name once per class."""

from __future__ import annotations

import collections

from generator.errors import WsdlError
from generator.naming import RESERVED_PARAMETERS
from generator.services.model import Param, ServiceModule


def check_parameter_names(operation: str, params: list[Param]) -> None:
    """Each parameter (body, header, credential) once, and none named like a method local."""
    seen: set[str] = set()
    for param in params:
        if param.name in RESERVED_PARAMETERS or param.name in seen:
            what = "is used twice" if param.name in seen else "collides with a name the method uses"
            raise WsdlError(f"{operation}: parameter {param.name} {what}")
        seen.add(param.name)


def check_method_names(module: ServiceModule) -> None:
    names = [method.name for method in module.endpoints] + [base.name for base in module.bases]
    clashes = sorted(name for name, count in collections.Counter(names).items() if count > 1)
    if clashes:
        raise WsdlError(f"{module.service}: several methods named {', '.join(clashes)}")
