"""The codec pass module by module: a regeneration plans and renders only the codec modules
whose model modules changed.

A model module's codec module holds the plans of its classes that the roots (the classes
operations read and write) reach. A class's plan depends on the classes it reaches, which live
in the modules its module imports, so the codec module of `X` is a function of the roots of
every module `R` whose import closure holds `X`, of the sources of those closures, of the
runtime's `xmlcontext` (and `lexical`, which it imports) and of the templates. That is its key
in the stage cache; the modules it misses are planned together, importing only the closures
they need.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import jinja2

from generator.codecs import build_codecs
from generator.codecs.render import codec_path, render_codecs_init
from generator.stagecache import StageCache

MODELS = "altinn2.models"
INIT = f"{MODELS}.__init__"  # the package of every model module, imported with each
_REFERENCE = re.compile(r"\baltinn2\.models\.(\w+)")


def model_imports(sources: dict[str, str]) -> dict[str, set[str]]:
    """Every model module -> the model modules its source names (a superset of its imports)."""
    return {
        name: {f"{MODELS}.{short}" for short in _REFERENCE.findall(source)} & sources.keys()
        for name, source in sources.items()
    }


def closure(graph: dict[str, set[str]], start: str) -> set[str]:
    found = {start, INIT}
    todo = [start]
    while todo:
        for name in graph.get(todo.pop(), set()) - found:
            found.add(name)
            todo.append(name)
    return found


def remembered_codecs(
    env: jinja2.Environment,
    templates: bytes,
    model_sources: dict[str, str],
    xmlcontext: dict[str, str],
    outputs: set[tuple[str, str]],
    inputs: set[tuple[str, str]],
    stages: StageCache,
) -> dict[str, str]:
    """`build_codecs` of every model module, each from `stages` where it has it (`templates`:
    every template, as one text); the same files, byte for byte."""
    graph = model_imports(model_sources)
    roots = sorted({module for module, _ in outputs | inputs})
    closures = {root: closure(graph, root) for root in roots}
    # Only a module that defines a dataclass can have a decoder or an encoder.
    candidates = sorted(
        name
        for name in set().union(*closures.values())
        if "@dataclass" in model_sources.get(name, "")
    )
    reaching = {name: [root for root in roots if name in closures[root]] for name in candidates}
    files = render_codecs_init(env)
    keys: dict[str, str] = {}
    missing: list[str] = []
    for name in candidates:
        key, found = stages.recall(
            "codec module",
            _inputs(
                name,
                reaching[name],
                closures,
                model_sources,
                xmlcontext,
                templates,
                outputs,
                inputs,
            ),
        )
        if isinstance(found, dict):
            files.update(found)
        else:
            keys[name] = key
            missing.append(name)
    if missing:
        needed_roots = {root for name in missing for root in reaching[name]}
        needed = set().union(*(closures[root] for root in needed_roots))
        built = build_codecs(
            env,
            {name: model_sources[name] for name in sorted(needed)},
            xmlcontext,
            {pair for pair in outputs if pair[0] in needed_roots},
            {pair for pair in inputs if pair[0] in needed_roots},
            set(missing),
        )
        for name in missing:
            own = {path: source for path, source in built.items() if path == codec_path(name)}
            stages.keep(keys[name], own)
            files.update(own)
    return dict(sorted(files.items()))


def _inputs(
    name: str,
    roots: Iterable[str],
    closures: dict[str, set[str]],
    sources: dict[str, str],
    xmlcontext: dict[str, str],
    templates: bytes,
    outputs: set[tuple[str, str]],
    inputs: set[tuple[str, str]],
) -> bytes:
    """What the codec module of `name` is made of, hashed."""
    digest = hashlib.sha256(f"{name}\0".encode() + templates)
    for module, source in sorted(xmlcontext.items()):
        digest.update(f"\0{module}\0{source}".encode())
    roots = list(roots)
    for module in sorted(set().union(*(closures[root] for root in roots))):
        digest.update(f"\0{module}\0{sources[module]}".encode())
    for kind, pairs in (("reads", outputs), ("writes", inputs)):
        chosen = sorted(pair for pair in pairs if pair[0] in roots)
        digest.update(f"\0{kind}\0{chosen!r}".encode())
    return digest.hexdigest().encode()
