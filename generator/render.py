"""Rendering the package's files from `templates/` (Jinja2; the logic stays in Python)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2

from generator import docstrings
from generator.coverage import RowCoverage
from generator.services import ServiceModule, source
from generator.spec import Spec


def environment(templates: Path, compiled: Path | None = None) -> jinja2.Environment:
    """The templates' environment; `compiled`: a folder that keeps each template's compiled
    code under the hash of its source (Jinja's bytecode cache), for the next run."""
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["py"] = repr
    env.filters["all_order"] = all_order
    env.filters["docstring"] = docstrings.docstring
    source.register(env)
    return env


def _natural(text: str) -> list[tuple[int, int | str]]:
    return [
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    ]


def all_order(names: list[str]) -> list[str]:
    """`__all__` in ruff's isort-style order: CONSTANTS, then Classes, then the rest."""

    def group(name: str) -> int:
        return 0 if name.isupper() else 1 if name[:1].isupper() else 2

    return sorted(dict.fromkeys(names), key=lambda name: (group(name), _natural(name)))


def render_service(env: jinja2.Environment, service: ServiceModule) -> str:
    template = env.get_template("service.py.jinja")
    return template.render(
        service=service,
        imports=service.imports,
        names=service.names,
        module_doc=docstrings.module_doc(service),
        method_doc=docstrings.method_doc,
        base_doc=docstrings.base_doc,
        class_doc=lambda sync: docstrings.class_doc(service, sync),
    )


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    return env.get_template(name).render(**context)


def package_context(
    spec: Spec, services: list[ServiceModule], coverage: list[RowCoverage]
) -> dict[str, Any]:
    return {
        "spec": spec,
        "services": services,
        "coverage": coverage,
        "status_text": docstrings.status_text,
        "generated": sum(1 for item in coverage if item.generated),
        "policies": list(services[0].policies.values()) if services else [],
    }
