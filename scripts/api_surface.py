"""Print the public API of a generated `altinn2` package as JSON, to compare two generations.

    python scripts/api_surface.py generated > after.json
    git archive REV generated | tar -x -C OLD && python scripts/api_surface.py OLD/generated > before.json
    diff before.json after.json

Covers what an app sees: every model class (dataclass fields with their annotations, enum members),
every service module's `__all__`, and every public service method's signature and docstring.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import json
import pkgutil
import sys
from pathlib import Path
from typing import Any


def _class_surface(cls: type) -> dict[str, Any]:
    if issubclass(cls, enum.Enum):
        return {"enum": {member.name: repr(member.value) for member in cls}}
    if dataclasses.is_dataclass(cls):
        annotations = {
            name: str(value)
            for klass in reversed(cls.__mro__)
            for name, value in getattr(klass, "__annotations__", {}).items()
        }
        return {
            "fields": {f.name: annotations.get(f.name, "") for f in dataclasses.fields(cls)},
            "bases": [base.__name__ for base in cls.__bases__],
        }
    methods = {
        name: {"signature": str(inspect.signature(member)), "doc": inspect.getdoc(member)}
        for name, member in sorted(vars(cls).items())
        if not name.startswith("_") and inspect.isfunction(member)
    }
    return {"bases": [base.__name__ for base in cls.__bases__], "methods": methods}


def _module_surface(name: str) -> dict[str, Any]:
    module = importlib.import_module(name)
    classes = {
        attr: _class_surface(value)
        for attr, value in sorted(vars(module).items())
        if inspect.isclass(value) and value.__module__ == name and not attr.startswith("_")
    }
    return {"all": list(getattr(module, "__all__", [])), "classes": classes}


def surface(root: Path) -> dict[str, Any]:
    sys.path.insert(0, str(root))
    package_file = Path(importlib.import_module("altinn2").__file__ or "").resolve()
    if root not in package_file.parents:
        raise SystemExit(f"altinn2 was imported from {package_file}, not from {root}")
    result: dict[str, Any] = {}
    for package in ("altinn2.models", "altinn2.services"):
        imported = importlib.import_module(package)
        for info in pkgutil.iter_modules(imported.__path__, f"{package}."):
            result[info.name] = _module_surface(info.name)
    return result


if __name__ == "__main__":
    print(json.dumps(surface(Path(sys.argv[1]).resolve()), indent=1, sort_keys=True))
