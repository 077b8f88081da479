"""`generate` and `check`: the whole package, rendered in memory, then written or compared.

Everything is deterministic (sorted, no timestamps), as black formats it, and written atomically:
the new tree is built beside `generated/` and swapped in, so a failure leaves the old one whole.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from jinja2 import Environment

from generator.blackened import blacken_module
from generator.cache import WsdlCache
from generator.codecs import build_codecs
from generator.codecs.incremental import remembered_codecs
from generator.codecs.layout import layout_module
from generator.coverage import cover
from generator.formatcache import FormatCache, Formatting
from generator.models.build import build_models
from generator.models.names import read_names_lock
from generator.models.requests import message_elements
from generator.output import (
    Output,
    differences,
    existing_files,
    is_artefact,
    names_lock_differs,
    write_names_lock,
    write_output,
)
from generator.project import Project
from generator.render import environment, package_context, render, render_service
from generator.services import ServiceModule, plan_services
from generator.spec import load_spec
from generator.stagecache import NoCache, StageCache

PACKAGE_TEMPLATES = {
    "altinn2/__init__.py": "package_init.py.jinja",
    "altinn2/client.py": "client.py.jinja",
    "altinn2/endpoints.py": "endpoints.py.jinja",
    "altinn2/services/__init__.py": "services_init.py.jinja",
    "altinn2/services/_policies.py": "policies.py.jinja",
    "altinn2/cli.py": "cli.py.jinja",
    "pyproject.toml": "pyproject.toml.jinja",
    "README.md": "README.md.jinja",
    "OPERATIONS.md": "OPERATIONS.md.jinja",
}


# Hand-written subpackages of altinn2, copied as they are (with their own subpackages) from
# templates/<name>/.
STATIC_PACKAGES = ("runtime", "testing")


def static_sources(templates: Path) -> dict[str, str]:
    """The hand-written subpackages' modules (subpackages too: runtime/security), by their path
    in the package."""
    sources = {}
    for package in STATIC_PACKAGES:
        folder = templates / package
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" not in path.parts:
                target = f"altinn2/{package}/{path.relative_to(folder).as_posix()}"
                sources[target] = path.read_text(encoding="utf-8")
    return sources


def build_output(project: Project, verify: bool = False) -> Output:
    """The whole package. The codec, service and package modules are laid out as black writes
    them (`generator.codecs.layout`, `generator.blackened`) and taken as they are, their imports
    sorted; the models are formatted by black. With `verify` (`check`), black formats every
    module and `Output.unstable` names the laid-out ones it changed."""
    spec = load_spec(project.spec_path)
    cache = WsdlCache.open(project)
    coverage = cover(spec, cache)
    names = read_names_lock(project.names_lock_path)
    # `check` recomputes every stage: the verification trusts no remembered result.
    stages = NoCache() if verify else StageCache(project.stage_cache_dir)
    models = build_models(cache, names, message_elements(coverage), stages)
    # Copied as they are, not formatted again: isort and black leave them unchanged (`make
    # style` checks them with black; tests/generator/test_formatcache.py with format_source).
    verbatim = static_sources(project.templates_dir)
    # `check` formats every module itself: no formatted text is taken from the cache.
    formats = None if verify else FormatCache(project.format_cache_dir)
    with Formatting(formats, verify) as formatting:
        # The worker processes format the models while the rest is planned and rendered.
        formatting.submit({f"altinn2/models/{m}.py": text for m, text in models.files.items()})
        services = plan_services(spec, coverage, models)
        env = environment(project.templates_dir, stages.compiled_templates)
        xmlcontext = {
            f"altinn2.runtime.{name}": verbatim[f"altinn2/runtime/{name}.py"]
            for name in ("xmlcontext", "lexical")
        }
        python: dict[str, str] = {}  # laid out by black's rules where known, else for black
        laid_out: dict[str, str] = {}
        # `check` plans every codec module at once (`build_codecs`); `generate` module by
        # module, from the stage cache where it can: `check` compares the two.
        codecs = build_codecs_for(
            env, services, models.files, xmlcontext, None if verify else stages, project
        )
        for path, source in codecs.items():
            text, known = stages.remembered(
                "codec layout", source.encode("utf-8"), partial(layout_module, source)
            )
            (laid_out if known else python)[path] = text
        for service in services:
            source = render_service(env, service)
            text, known = stages.remembered(
                "blackened", source.encode("utf-8"), partial(blacken_module, source)
            )
            (laid_out if known else python)[f"altinn2/services/{service.module}.py"] = text
        context = package_context(spec, services, coverage)
        other: dict[str, str] = {}
        for target, template in PACKAGE_TEMPLATES.items():
            source = render(env, template, **context)
            if target.endswith(".py"):
                text, known = stages.remembered(
                    "blackened", source.encode("utf-8"), partial(blacken_module, source)
                )
                (laid_out if known else python)[target] = text
            else:
                other[target] = source
        formatting.submit(python)
        formatting.submit_laid_out(laid_out)
        formatted = formatting.result()
        unstable = tuple(formatting.unstable())
    stages.keep_only_used()
    binary: dict[str, bytes] = {}
    other["altinn2/py.typed"] = ""
    for name, data in models.schemas.items():
        binary[f"altinn2/testing/schemas/{name}"] = data

    files = {path: text.encode("utf-8") for path, text in formatted.items()}
    files.update({path: text.encode("utf-8") for path, text in verbatim.items()})
    files.update({path: text.encode("utf-8") for path, text in other.items()})
    files.update(binary)
    return Output(
        dict(sorted(files.items())),
        models.report,
        models.divergences,
        models.names.render(),
        unstable,
    )


def templates_text(templates: Path) -> bytes:
    """Every template of templates/ (its *.jinja), as one text for `StageCache` keys."""
    return b"".join(
        f"{path.name}\0".encode() + path.read_bytes() + b"\0"
        for path in sorted(templates.glob("*.jinja"))
    )


def build_codecs_for(
    env: Environment,
    services: list[ServiceModule],
    model_files: dict[str, str],
    xmlcontext: dict[str, str],
    stages: StageCache | None = None,
    project: Project | None = None,
) -> dict[str, str]:
    """The codec modules of every class an operation reads (answers, fault details) or writes
    (requests and header parts); `xmlcontext`: the runtime's modules that define xsdata's
    context ({module name: source}). Given `stages` and `project`, module by module from the
    stage cache where it has them (`generator.codecs.incremental`: the same modules, byte for
    byte)."""
    outputs = {
        (model.module, model.name)
        for service in services
        for method in service.endpoints
        for model in (method.output, *method.faults)
    }
    inputs = {
        (model.module, model.name)
        for service in services
        for method in service.endpoints
        for model in (method.input, *(header.model for header in method.headers))
    }
    model_sources = {f"altinn2.models.{module}": source for module, source in model_files.items()}
    if stages is not None and project is not None:
        return remembered_codecs(
            env,
            templates_text(project.templates_dir),
            model_sources,
            xmlcontext,
            outputs,
            inputs,
            stages,
        )
    return build_codecs(env, model_sources, xmlcontext, outputs, inputs)


__all__ = [
    "Output",
    "build_output",
    "differences",
    "existing_files",
    "is_artefact",
    "names_lock_differs",
    "write_names_lock",
    "write_output",
]
