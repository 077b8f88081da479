"""The committed package, generated/altinn2: every row the WSDLs have is a method, base operations
dispatch on the client's binding, OPERATIONS.md lists every row, the code is clean under mypy
--strict, ruff and black, and importing it loads only what is used.

(test_generate.py proves that generated/ is what the generator makes today.)
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import tomllib
import types
import typing
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any
from unittest.mock import Mock
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.naming import RESERVED_PARAMETERS, module_name, pascal_case, snake_case
from generator.spec import EndpointRow, load_spec
from tests.conftest import REPO

GENERATED = REPO / "generated"
PACKAGE = GENERATED / "altinn2"
BINDINGS = ("Basic", "WS", "EC", "EC2")


# -- what lint says, and what the generator should have made of it -----------------------------


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    """`lint --json` over the repository's WSDL cache (the one generated/ was made from)."""
    result = CliRunner().invoke(main, ["lint", "--json", "--root", str(REPO)])
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    assert len(found) == 143
    return found


@pytest.fixture(scope="module")
def spec_rows() -> dict[int, EndpointRow]:
    return {row.line: row for row in load_spec(REPO / "spec" / "endpoints.yaml").endpoints}


def has_method(row: dict[str, Any], spec_rows: dict[int, EndpointRow]) -> bool:
    """FOUND, or NAME-DIFFERS where the spec's erratum names the WSDL's operation."""
    if row["status"] == "FOUND":
        return True
    if row["status"] == "NAME-DIFFERS":
        return spec_rows[row["line"]].wsdl_operation == row["wsdl_operation"]
    return False


def method_name(row: dict[str, Any]) -> str:
    """The WSDL operation's name, with the binding appended where that is the base method's;
    EC2's methods say EC2 where EC's say EC (they share the WSDL's operation names)."""
    name = snake_case(row["wsdl_operation"])
    if row["binding"] == "EC2":
        words = name.split("_")
        if "ec" not in words:
            return f"{name}_ec2"
        at = len(words) - 1 - words[::-1].index("ec")
        return "_".join([*words[:at], "ec2", *words[at + 1 :]])
    if name == snake_case(row["base_operation"]):
        name = f"{name}_{row['binding'].lower()}"
    return name


def service_module(service: str) -> ModuleType:
    return importlib.import_module(f"altinn2.services.{module_name(service)}")


def operation_constants(module: ModuleType) -> dict[str, Any]:
    from altinn2.runtime.operation import OperationInfo

    return {name: value for name, value in vars(module).items() if isinstance(value, OperationInfo)}


def methods_by_constant(module: ModuleType, class_name: str) -> dict[str, str]:
    """constant -> the method of `class_name` that calls it (`self._call(CONSTANT, ...)`)."""
    source = Path(str(module.__file__)).read_text(encoding="utf-8")
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for method in node.body:
                if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for call in ast.walk(method):
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and call.func.attr in ("_call", "_upload", "_download")
                        and call.args
                        and isinstance(call.args[0], ast.Name)
                    ):
                        assert call.args[0].id not in found, call.args[0].id
                        found[call.args[0].id] = method.name
    return found


def test_every_row_with_a_wsdl_operation_has_its_method(
    rows: list[dict[str, Any]], spec_rows: dict[int, EndpointRow]
) -> None:
    expected: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)  # service -> op -> row
    for row in rows:
        if has_method(row, spec_rows):
            expected[row["service"]][(row["wsdl_operation"], row["binding"])] = row
    assert expected, "no row has a WSDL operation"
    for service, operations in expected.items():
        module = service_module(service)
        constants = operation_constants(module)
        # exactly the rows' operations, nothing more
        assert sorted((info.name, info.binding.value) for info in constants.values()) == sorted(
            operations
        ), service
        for prefix in ("", "Async"):
            cls = getattr(module, f"{prefix}{pascal_case(service)}")
            callers = methods_by_constant(module, cls.__name__)
            for constant, info in constants.items():
                row = operations[(info.name, info.binding.value)]
                where = f"{service} {row['operation']} ({cls.__name__})"
                assert callers.get(constant) == method_name(row), where
                assert callable(getattr(cls, method_name(row)))
                assert info.service == service
                assert info.base_operation == row["base_operation"]
                assert info.binding.value == row["binding"], where
                assert info.path == urlsplit(row["url"]).path
                assert info.soap_action == row["soap_action"], where
                assert info.soap_version.value == row["soap_version"], where
                assert info.mtom is row["mtom"] and info.addressing is row["addressing"]


def test_rows_without_a_wsdl_operation_have_no_method(
    rows: list[dict[str, Any]], spec_rows: dict[int, EndpointRow]
) -> None:
    operations = {
        (info.service, info.name)
        for service in {row["service"] for row in rows}
        for info in operation_constants(service_module(service)).values()
    }
    for row in rows:
        if not has_method(row, spec_rows):
            assert (row["service"], row["operation"]) not in operations, row
            if row["wsdl_operation"]:  # NAME-DIFFERS without an erratum: lint's guess only
                assert (row["service"], row["wsdl_operation"]) not in operations, row


def test_one_service_module_and_client_property_per_service() -> None:
    from altinn2 import AsyncClient, Client

    spec = load_spec(REPO / "spec" / "endpoints.yaml")
    assert len(spec.services) == 13
    modules = sorted(path.stem for path in (PACKAGE / "services").glob("*.py"))
    shared = ["__init__", "_policies"]  # the package's, and the policies the modules share
    assert modules == sorted([*shared, *(module_name(s) for s in spec.services)])
    with Client(environment="tt02") as client:
        for service in spec.services:
            module = service_module(service)
            names = (pascal_case(service), f"Async{pascal_case(service)}")
            assert set(names) <= set(module.__all__)
            for owner, name in zip((Client, AsyncClient), names, strict=True):
                prop = inspect.getattr_static(owner, module_name(service))
                assert prop.func.__annotations__["return"] == name
            service_object = getattr(client, module_name(service))
            assert type(service_object) is getattr(module, names[0])
            assert getattr(client, module_name(service)) is service_object  # made once


# -- base operations --------------------------------------------------------------------------


def fake(hint: Any) -> Any:
    """A value `isinstance` takes for `hint` (its first non-None member)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if typing.get_origin(hint) is list:
        return []
    return Mock(spec=hint)


def call(method: Callable[..., Any], **kwargs: Any) -> Any:
    result = method(**kwargs)
    return asyncio.run(result) if inspect.iscoroutine(result) else result


def base_operations(
    rows: list[dict[str, Any]],
) -> list[tuple[tuple[str, str], list[dict[str, Any]]]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[(row["service"], row["base_operation"])].append(row)
    return sorted(grouped.items())


def recorder(
    name: str, calls: list[tuple[str, dict[str, Any]]], *, asynchronous: bool
) -> Callable[..., Any]:
    """A stand-in for an endpoint method: records its keyword arguments, returns its name."""

    def record(**kwargs: Any) -> str:
        calls.append((name, kwargs))
        return name

    async def record_async(**kwargs: Any) -> str:
        return record(**kwargs)

    return record_async if asynchronous else record


@pytest.mark.parametrize("prefix", ["", "Async"])
def test_base_methods_dispatch_on_the_clients_binding(
    rows: list[dict[str, Any]], spec_rows: dict[int, EndpointRow], prefix: str
) -> None:
    """Each base method calls its binding's endpoint method with the caller's arguments, refuses
    arguments that binding does not take, and names the bindings it has when there is none."""
    from altinn2.runtime.errors import BindingNotAvailableError
    from altinn2.runtime.operation import Binding

    checked = 0
    for (service, base), group in base_operations(rows):
        module = service_module(service)
        cls = getattr(module, f"{prefix}{pascal_case(service)}")
        generated = {
            row["binding"]: method_name(row) for row in group if has_method(row, spec_rows)
        }
        if not generated:  # nothing to dispatch to: no base method
            assert not hasattr(cls, snake_case(base)), f"{service}.{base}"
            continue
        base_method = getattr(cls, snake_case(base))
        base_hints = typing.get_type_hints(base_method)
        base_params = [
            name
            for name, param in inspect.signature(base_method).parameters.items()
            if param.kind is param.KEYWORD_ONLY and name != "base_url"
        ]
        for binding in BINDINGS:
            calls: list[tuple[str, dict[str, Any]]] = []
            instance = cls(SimpleNamespace(binding=Binding(binding)))
            for name in generated.values():
                setattr(instance, name, recorder(name, calls, asynchronous=bool(prefix)))
            where = f"{cls.__name__}.{snake_case(base)} on {binding}"
            if binding not in generated:
                required = {
                    name: fake(base_hints[name])
                    for name, param in inspect.signature(base_method).parameters.items()
                    if param.kind is param.KEYWORD_ONLY and param.default is param.empty
                }
                with pytest.raises(BindingNotAvailableError) as info:
                    call(getattr(instance, snake_case(base)), **required)
                assert f"has no {binding} endpoint" in str(info.value), where
                assert calls == []
                continue
            endpoint = getattr(cls, generated[binding])
            hints = typing.get_type_hints(endpoint)
            own = inspect.signature(endpoint).parameters
            kwargs = {name: fake(hints[name]) for name in base_params if name in own}
            assert call(getattr(instance, snake_case(base)), **kwargs) == generated[binding], where
            assert calls == [(generated[binding], kwargs)], where  # None: the default, left out
            calls.clear()
            call(getattr(instance, snake_case(base)), **kwargs, base_url="https://elsewhere")
            assert calls == [(generated[binding], {**kwargs, "base_url": "https://elsewhere"})]
            for foreign in (name for name in base_params if name not in own):
                with pytest.raises(TypeError, match=f"{foreign} is not a parameter of the"):
                    call(getattr(instance, snake_case(base)), **kwargs, **{foreign: "x"})
            checked += 1
    # every endpoint method, reached through its base method
    assert checked == sum(1 for row in rows if has_method(row, spec_rows))


def test_no_parameter_is_overwritten_by_a_local_of_its_method() -> None:
    """The locals generated methods set are names no parameter may take (naming.py reserves
    them), and today no parameter does."""
    locals_set: set[str] = set()
    for path in sorted((PACKAGE / "services").glob("[!_]*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            assigned = {
                target.id
                for statement in ast.walk(node)
                if isinstance(statement, ast.Assign)
                for target in statement.targets
                if isinstance(target, ast.Name)
            }
            params = {arg.arg for arg in node.args.kwonlyargs}
            assert not assigned & params, f"{path.name}: {node.name}: {assigned & params}"
            locals_set |= assigned
    assert locals_set == set()  # the arguments go on as locals(): a local would go with them
    assert {"self", "base_url"} <= RESERVED_PARAMETERS


# -- OPERATIONS.md ----------------------------------------------------------------------------

TABLE_HEADER = "| base operation | binding | endpoint operation | status | method |"


def test_operations_md_has_one_row_per_spec_row(
    rows: list[dict[str, Any]], spec_rows: dict[int, EndpointRow]
) -> None:
    lines = (GENERATED / "OPERATIONS.md").read_text(encoding="utf-8").splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert table.count(TABLE_HEADER) == 13
    body = [line for line in table if line != TABLE_HEADER and not line.startswith("|---")]
    assert len(body) == 143
    assert "87 of 143 rows have a method" in " ".join(lines[:5])
    by_service = {
        row["service"]: [r for r in rows if r["service"] == row["service"]] for row in rows
    }
    ordered = [row for service in by_service for row in by_service[service]]
    for line, row in zip(body, ordered, strict=True):
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == 5, line
        base, binding, operation, status, method = cells
        assert (base, binding, operation) == (
            row["base_operation"],
            row["binding"],
            row["operation"] or "(none)",
        )
        assert status, line
        if has_method(row, spec_rows):
            assert status.startswith("generated"), line
            assert method == f"`{method_name(row)}`", line
            if row["status"] == "NAME-DIFFERS":
                assert f"the WSDL spells it {row['wsdl_operation']}" in status
        else:
            assert status.startswith("not generated: "), line
            assert method == "", line
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == [
        f"## {service} (`altinn2.services.{module_name(service)}`)" for service in by_service
    ]


# -- static checks and imports (subprocesses) -------------------------------------------------


def run(*command: str, cwd: Path = REPO, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for the module's runs: the second reads the package from it."""
    return tmp_path_factory.mktemp("mypy-cache")


def mypy(cache: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    config = str(GENERATED / "pyproject.toml")
    command = [sys.executable, "-m", "mypy", "--config-file", config, "--cache-dir", str(cache)]
    environment = {**os.environ, "MYPYPATH": str(GENERATED)}  # an app's view of the package
    return subprocess.run(
        [*command, *paths], cwd=REPO, capture_output=True, text=True, timeout=300, env=environment
    )


def test_mypy_strict_passes_on_generated(mypy_cache: Path) -> None:
    config = tomllib.loads((GENERATED / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["mypy"]["strict"] is True
    result = mypy(mypy_cache, str(PACKAGE))
    assert result.returncode == 0, result.stdout + result.stderr
    checked = len(list(PACKAGE.rglob("*.py")))
    assert f"no issues found in {checked} source files" in result.stdout


APP = """
import datetime
from altinn2 import Client, AsyncClient, SystemCredentials

ok = Client(environment="tt02", system=SystemCredentials("1", "p"), deadline=30.0, verify=True)
ok.reportee_element_list.get_correspondence_list_for_reportee_basic(
    reportee="910000000", from_date=datetime.date(2024, 1, 1), to_date=datetime.datetime.now()
)
Client(system="10000")
AsyncClient(binding=1)
Client(timeout="30")

with Client(environment="tt02", system=SystemCredentials("1", "p")) as inside:
    inside.broker_service  # the generated client's service, typed inside a `with`


async def main() -> None:
    async with AsyncClient(environment="tt02", system=SystemCredentials("1", "p")) as inside:
        inside.broker_service
"""


def test_mypy_catches_a_wrong_client_setting(mypy_cache: Path, tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP, encoding="utf-8")
    result = mypy(mypy_cache, str(app))
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["9", "10", "11"], result.stdout
    assert '"system" to "Client" has incompatible type "str"' in errors[0]


DATES_APP = """
from datetime import date, datetime, timezone

from altinn2.models.receipt_2015_06 import Receipt
from altinn2.services.reportee_element_list import ExternalSearchBEV2

search = ExternalSearchBEV2(
    reportee="910000000", from_date=date(2024, 1, 1), to_date=datetime.now(timezone.utc)
)
answer = Receipt(last_changed=datetime.now())
"""


def test_request_only_models_take_python_dates_and_answers_do_not(
    mypy_cache: Path, tmp_path: Path
) -> None:
    """A class only requests carry takes `date`/`datetime` for mypy too; one an answer carries
    keeps its xsdata type, so a result never holds a Python date."""
    app = tmp_path / "dates.py"
    app.write_text(DATES_APP, encoding="utf-8")
    result = mypy(mypy_cache, str(app))
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["10"], result.stdout
    assert '"last_changed" to "Receipt"' in errors[0]


def test_ruff_and_black_are_clean_on_generated() -> None:
    bin_dir = Path(sys.executable).parent
    ruff = run(str(bin_dir / "ruff"), "check", "--no-cache", ".", cwd=GENERATED)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    black = run(str(bin_dir / "black"), "--check", ".", cwd=GENERATED)
    assert black.returncode == 0, black.stdout + black.stderr


LAZY = """
import json, sys
import altinn2
after_import = sorted(m for m in sys.modules if m.startswith("altinn2."))
client = altinn2.Client(environment="tt02")
service = client.reportee_element_list
assert type(service).__name__ == "ReporteeElementList", type(service)
after_use = sorted(m for m in sys.modules if m.startswith("altinn2."))
print(json.dumps({"after_import": after_import, "after_use": after_use}))
"""


def model_imports(module: str, seen: set[str] | None = None) -> set[str]:
    """The altinn2.models modules `module` (a file of the package) imports, transitively."""
    seen = set() if seen is None else seen
    path = GENERATED / (module.replace(".", "/") + ".py")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("altinn2.models.")
            and node.module not in seen
        ):
            seen.add(str(node.module))
            model_imports(str(node.module), seen)
    return seen


def test_import_is_lazy_and_a_service_loads_only_its_own_modules() -> None:
    result = run(sys.executable, "-c", LAZY)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["after_import"], "altinn2 imported nothing of its own?"
    assert not [m for m in loaded["after_import"] if m.startswith("altinn2.services.")]
    assert not [m for m in loaded["after_import"] if m.startswith("altinn2.models.")]
    new = set(loaded["after_use"]) - set(loaded["after_import"])
    services = {m for m in new if m.startswith("altinn2.services.")}
    assert services - {"altinn2.services._policies"} == {"altinn2.services.reportee_element_list"}
    models = {m for m in new if m.startswith("altinn2.models.")}
    allowed = model_imports("altinn2.services.reportee_element_list") | {"altinn2.models.enums"}
    assert models <= allowed, models - allowed
    assert "altinn2.models.broker_2015_06" not in models
    # the model modules are most of the package: most of them stay unloaded
    all_models = {f"altinn2.models.{path.stem}" for path in (PACKAGE / "models").glob("[!_]*.py")}
    assert len(models) < len(all_models) // 3


WALK = """
import importlib, json, pkgutil
import altinn2
names = ["altinn2"]
for info in pkgutil.walk_packages(altinn2.__path__, "altinn2."):
    importlib.import_module(info.name)
    names.append(info.name)
print(json.dumps(names))
"""


def test_every_module_of_the_package_imports() -> None:
    result = run(sys.executable, "-c", WALK)
    assert result.returncode == 0, result.stderr
    imported = set(json.loads(result.stdout))
    files = {
        ".".join(path.relative_to(GENERATED).with_suffix("").parts).removesuffix(".__init__")
        for path in PACKAGE.rglob("*.py")
    }
    assert imported == files


def test_console_scripts_of_the_package_resolve() -> None:
    config = tomllib.loads((GENERATED / "pyproject.toml").read_text(encoding="utf-8"))
    scripts = config["project"].get("scripts", {})
    for name, target in scripts.items():
        module, _, attribute = target.partition(":")
        assert re.fullmatch(r"[\w.]+", module) and attribute, (name, target)
        assert callable(getattr(importlib.import_module(module), attribute)), (name, target)
