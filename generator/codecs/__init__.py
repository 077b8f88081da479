"""The codec pass: decoders generated per model module, straight between lxml and the models."""

from __future__ import annotations

from typing import Any

import jinja2

from generator.codecs.plan import plan_decoders, plan_encoders
from generator.codecs.probe import imported
from generator.codecs.render import render_codecs


def build_codecs(
    env: jinja2.Environment,
    model_sources: dict[str, str],
    runtime_sources: dict[str, str],
    outputs: set[tuple[str, str]],
    inputs: set[tuple[str, str]],
    only: set[str] | None = None,
) -> dict[str, str]:
    """The codec modules ({path inside generated/: source}): decoders for the output classes
    `outputs`, encoders for the request classes `inputs` ((model module, class name) pairs),
    planned from the models' xsdata metadata (of the model modules `only` names, given it;
    `model_sources` then needs only the modules the roots import); `runtime_sources`: the
    runtime modules that define xsdata's context ({"altinn2.runtime.xmlcontext": source, ...})."""
    sources = dict(model_sources)
    sources.update(runtime_sources)
    with imported(sources) as modules:
        # the runtime's context, its converters registered (xsdata accepts a uuid.UUID field then)
        context: Any = modules["altinn2.runtime.xmlcontext"].context()

        def classes(pairs: set[tuple[str, str]]) -> list[type]:
            found = (getattr(modules[module], name) for module, name in pairs)
            return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))

        decoders = plan_decoders(context, classes(outputs))
        encoders = plan_encoders(context, classes(inputs))
        # each message class's element name, so that a call needs no xsdata context for it
        qnames = {cls: context.build(cls).qname for cls in classes(outputs | inputs)}
        return render_codecs(env, decoders, encoders, qnames, only)


__all__ = ["build_codecs"]
