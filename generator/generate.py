"""`generate` and `check`: the whole package, rendered in memory, then written or compared.

Everything is deterministic (sorted, no timestamps), as black formats it, and written atomically:
the new tree is built beside `generated/` and swapped in, so a failure leaves the old one whole.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from jinja2 import Environment

from generator.atomic import replaced_tree, write_atomic
from generator.blackened import blacken_module
from generator.cache import WsdlCache
from generator.codecs import build_codecs
from generator.codecs.layout import layout_module
from generator.coverage import cover
from generator.formatcache import FormatCache, Formatting
from generator.models.build import build_models
from generator.models.names import read_names_lock
from generator.models.requests import message_elements
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


@dataclass(frozen=True)
class Output:
    files: dict[str, bytes]  # path inside generated/ -> content
    report: tuple[str, ...]
    divergences: tuple[str, ...] = ()  # definitions of one type that are not compatible
    names_lock: str | None = None  # spec/models.lock as this generation leaves it
    # Modules the generator lays out itself that black formats otherwise (only when verified).
    unstable: tuple[str, ...] = ()


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
    with Formatting(FormatCache(project.format_cache_dir), verify) as formatting:
        # The worker processes format the models while the rest is planned and rendered.
        formatting.submit({f"altinn2/models/{m}.py": text for m, text in models.files.items()})
        services = plan_services(spec, coverage, models)
        env = environment(project.templates_dir)
        xmlcontext = {
            f"altinn2.runtime.{name}": verbatim[f"altinn2/runtime/{name}.py"]
            for name in ("xmlcontext", "lexical")
        }
        python: dict[str, str] = {}  # laid out by black's rules where known, else for black
        laid_out: dict[str, str] = {}
        codecs = stages.remembered(
            "codec modules",
            codec_inputs(project.templates_dir, services, models.files, xmlcontext),
            partial(build_codecs_for, env, services, models.files, xmlcontext),
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


def codec_inputs(
    templates: Path,
    services: list[ServiceModule],
    model_files: dict[str, str],
    xmlcontext: dict[str, str],
) -> bytes:
    """Everything the codec modules are made of, as one text for `StageCache`: the templates,
    the model modules, the runtime's xmlcontext (and the module it imports) and the classes
    operations read and write (the generator's own source is in every key already)."""
    digest = hashlib.sha256()
    for path in sorted(templates.glob("*.jinja")):
        digest.update(f"{path.name}\0".encode() + path.read_bytes() + b"\0")
    for module, source in sorted(model_files.items()):
        digest.update(f"{module}\0{source}\0".encode())
    for module, source in sorted(xmlcontext.items()):
        digest.update(f"{module}\0{source}\0".encode())
    for service in services:
        for method in service.endpoints:
            models = (method.input, *(header.model for header in method.headers))
            reads = f"{method.output.module}.{method.output.name}"
            writes = ",".join(f"{model.module}.{model.name}" for model in models)
            digest.update(f"{reads}<{writes}\0".encode())
    return digest.hexdigest().encode()


def build_codecs_for(
    env: Environment,
    services: list[ServiceModule],
    model_files: dict[str, str],
    xmlcontext: dict[str, str],
) -> dict[str, str]:
    """The codec modules of every class an operation reads (answers, fault details) or writes
    (requests and header parts); `xmlcontext`: the runtime's modules that define xsdata's
    context ({module name: source})."""
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
    return build_codecs(env, model_sources, xmlcontext, outputs, inputs)


def write_output(output: Output, target: Path) -> None:
    """Replace `target` with exactly `output`, in one swap."""
    with replaced_tree(target, output.files):
        pass


def write_names_lock(output: Output, project: Project) -> None:
    if output.names_lock is not None:
        write_atomic(project.names_lock_path, output.names_lock)


def names_lock_differs(output: Output, project: Project) -> bool:
    """Whether spec/models.lock is not what this generation would write."""
    if output.names_lock is None:
        return False
    try:
        return project.names_lock_path.read_text(encoding="utf-8") != output.names_lock
    except FileNotFoundError:
        return True


# What tools leave in generated/ (`pip install ./generated` builds in place, linters and test
# runners cache): never generated, never compared.
BUILD_DIRS = frozenset({"build", "dist", ".eggs"})  # at the top of generated/
CACHE_DIRS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
ARTEFACT_SUFFIXES = (".egg-info", ".pyc", ".pyo")


def is_artefact(relative: Path) -> bool:
    """A build or cache artefact (path relative to generated/)."""
    parts = relative.parts
    return bool(parts) and (
        parts[0] in BUILD_DIRS
        or any(part in CACHE_DIRS or part.endswith(ARTEFACT_SUFFIXES) for part in parts)
    )


def existing_files(target: Path) -> dict[str, Path]:
    found = {}
    if target.is_dir():
        for path in target.rglob("*"):
            relative = path.relative_to(target)
            if path.is_file() and not is_artefact(relative):
                found[relative.as_posix()] = path
    return found


def differences(output: Output, target: Path) -> list[str]:
    """Each file of `target` that differs from `output`, is missing or is extra."""
    present = existing_files(target)
    problems = []
    for path in sorted(output.files.keys() | present.keys()):
        if path not in present:
            problems.append(f"missing: {path}")
        elif path not in output.files:
            problems.append(f"not generated: {path}")
        elif present[path].read_bytes() != output.files[path]:
            problems.append(f"differs: {path}")
    return problems


__all__ = [
    "Output",
    "build_output",
    "differences",
    "names_lock_differs",
    "write_names_lock",
    "write_output",
]
