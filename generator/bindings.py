"""The bindings the runtime knows: the members of `Binding` in the runtime's `operation` module,
read statically (nothing imported), so that the spec may name no binding the runtime lacks."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

OPERATION_MODULE = Path(__file__).resolve().parents[1] / "templates" / "runtime" / "operation.py"


@cache
def runtime_bindings(module: Path = OPERATION_MODULE) -> tuple[str, ...]:
    """The values of the runtime's `Binding` members, in their order."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Binding":
            return tuple(
                statement.value.value
                for statement in node.body
                if isinstance(statement, ast.Assign)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            )
    raise LookupError(f"{module.name}: no class Binding")
