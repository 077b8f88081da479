"""Lines per public method of the generated service modules (issue 14's measure), with a
breakdown of where the lines go.

    python scripts/service_lines.py                      # generated/altinn2/services
    python scripts/service_lines.py OLD/generated/altinn2/services --json

Counts every line of `services/*.py` and the public methods (sync and async, names not starting
with `_`) of the client classes: the module-level classes deriving from `Service` or
`AsyncService`. Read with `ast`; nothing is imported.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import Counter
from pathlib import Path

CLIENT_BASES = ("Service", "AsyncService")


def _is_client_class(node: ast.stmt) -> bool:
    return isinstance(node, ast.ClassDef) and any(
        ast.unparse(base).split(".")[-1] in CLIENT_BASES for base in node.bases
    )


def _span(node: ast.AST) -> range:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    end = node.end_lineno or node.lineno
    return range(start, end + 1)


def _categorise(tree: ast.Module, lines: int) -> tuple[int, Counter[str]]:
    """(public methods, lines per category) of one module."""
    kinds: dict[int, str] = {}
    methods = 0
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            kind = "module docstring"
        elif isinstance(node, ast.Import | ast.ImportFrom):
            kind = "imports"
        elif isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "__all__":
            kind = "__all__"
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            kind = "module constants"
        elif _is_client_class(node):
            assert isinstance(node, ast.ClassDef)
            for line in _span(node):
                kinds[line] = "class header"
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    methods += not item.name.startswith("_")
                    first = item.body[0]
                    has_doc = isinstance(first, ast.Expr) and isinstance(
                        first.value, ast.Constant
                    )
                    for line in _span(item):
                        kinds[line] = "method signatures"
                    if has_doc:
                        for line in _span(first):
                            kinds[line] = "method docstrings"
                    for statement in item.body[1 if has_doc else 0 :]:
                        for line in _span(statement):
                            kinds[line] = "method bodies"
            continue
        else:
            kind = "other"
        for line in _span(node):
            kinds[line] = kind
    counts: Counter[str] = Counter(kinds.values())
    counts["blank or between"] = lines - sum(counts.values())
    return methods, counts


def measure(folder: Path) -> dict[str, object]:
    total_lines = 0
    total_methods = 0
    categories: Counter[str] = Counter()
    modules = {}
    for path in sorted(folder.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        methods, counts = _categorise(ast.parse(text, filename=str(path)), lines)
        modules[path.name] = {"lines": lines, "public_methods": methods}
        total_lines += lines
        total_methods += methods
        categories.update(counts)
    return {
        "lines": total_lines,
        "public_methods": total_methods,
        "lines_per_method": round(total_lines / total_methods, 2) if total_methods else None,
        "categories": dict(categories.most_common()),
        "modules": modules,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder", nargs="?", type=Path, default=Path("generated/altinn2/services")
    )
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    args = parser.parse_args()
    result = measure(args.folder)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"{result['lines']} lines / {result['public_methods']} public methods"
        f" = {result['lines_per_method']} lines per method"
    )
    categories = result["categories"]
    assert isinstance(categories, dict)
    for kind, count in categories.items():
        print(f"  {kind:<20} {count:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
