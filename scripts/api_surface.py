"""Print the public API of a generated `altinn2` package as JSON, to compare two generations.

    python scripts/api_surface.py generated > after.json
    git archive REV generated | tar -x -C OLD
    python scripts/api_surface.py OLD/generated > before.json
    diff before.json after.json

Covers what an app sees: every model class (dataclass fields with their annotations, enum members),
every service module's `__all__`, every public service method's signature and docstring, and the
metadata of every operation.
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
    operations = {
        attr: _operation_surface(value)
        for attr, value in sorted(vars(module).items())
        if type(value).__name__ == "OperationInfo"
    }
    result: dict[str, Any] = {"all": list(getattr(module, "__all__", [])), "classes": classes}
    if operations:
        result["operations"] = operations
    return result


def _name(value: Any) -> Any:
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_name(item) for item in value]
    if isinstance(value, dict):
        return {key: _name(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value):  # a SecurityPolicy
        return {f.name: _name(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


# What an operation's metadata tells the runtime and the mock (the same in every version).
OPERATION_FIELDS = (
    *("service", "base_operation", "name", "binding", "path", "soap_version"),
    *("soap_action", "action", "reply_action", "security", "addressing", "mtom", "effect"),
    *("input", "output", "input_headers", "header_parameters", "faults", "result"),
    *("credentials", "policy"),
)


def _operation_surface(operation: Any) -> dict[str, Any]:
    return {name: _name(getattr(operation, name)) for name in OPERATION_FIELDS}


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
