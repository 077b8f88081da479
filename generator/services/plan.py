"""Plan the service modules: one per service of the table, its endpoint methods per binding and
one base-operation method over them."""

from __future__ import annotations

import collections

from generator.coverage import RowCoverage
from generator.models.build import ModelSet
from generator.naming import module_name, pascal_case, snake_case
from generator.services.checks import check_method_names
from generator.services.endpoints import endpoint_method
from generator.services.imports import ModuleImports
from generator.services.merge import base_method
from generator.services.model import ServiceModule
from generator.services.source import shared_policies
from generator.spec import Spec


def plan_service(
    spec: Spec, service: str, items: list[RowCoverage], models: ModelSet
) -> ServiceModule:
    module = ServiceModule(service, module_name(service), pascal_case(service), items)
    order = list(spec.bindings)  # the spec's order of bindings (validated on load)
    imports = ModuleImports(module, models)
    by_base: dict[str, list[RowCoverage]] = collections.defaultdict(list)
    for item in items:
        by_base[item.row.effective_base_operation].append(item)
    for base_operation, base_items in by_base.items():
        base_name = snake_case(base_operation)
        generated = sorted(
            (item for item in base_items if item.generated),
            key=lambda item: order.index(item.row.effective_binding),
        )
        methods = [endpoint_method(item, spec, models, imports, base_name) for item in generated]
        module.endpoints.extend(methods)
        if methods:
            missing = [item.row for item in base_items if not item.generated]
            module.bases.append(base_method(base_operation, methods, missing))
    check_method_names(module)
    return module


def plan_services(spec: Spec, coverage: list[RowCoverage], models: ModelSet) -> list[ServiceModule]:
    by_service: dict[str, list[RowCoverage]] = collections.defaultdict(list)
    for item in coverage:
        by_service[item.row.service].append(item)
    modules = [
        plan_service(spec, service, by_service[service], models) for service in spec.services
    ]
    policies = shared_policies(modules)
    for module in modules:
        module.policies = policies
    return modules
