"""Every Python block of the READMEs runs, against the bundled mock: a README that drifts from
the code fails here. Blocks that talk to a real Altinn have every environment pointed at the
mock, which accepts the credentials the blocks show; `myapp` is the app of test_scenario."""

from __future__ import annotations

import ast
import inspect
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import altinn2.endpoints
from altinn2 import SystemCredentials, UserCredentials
from altinn2.testing import MockAltinn
from tests.testing.test_scenario import InboxApp

ROOT = Path(__file__).resolve().parents[2]
READMES = (ROOT / "README.md", ROOT / "generated" / "README.md")
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
# The credentials the README's client example shows.
SYSTEM = SystemCredentials("12345", "system password")
USER = UserCredentials("01017012345", "password", pin_code="12345", auth_method="AltinnPin")


def blocks() -> list[Any]:
    found = []
    for readme in READMES:
        text = readme.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            found.append(pytest.param(readme, line, match.group(1), id=f"{readme.name}:{line}"))
    return found


# Blocks that call EC or EC2 endpoints: the mock has no WS-SecureConversation yet (issue 8), so
# they are compiled and their imports run, not their calls (CXF proves those calls:
# tests/runtime/security/test_cxf.py).
EC_CALL = "certificate="


def test_the_readmes_have_python_blocks() -> None:
    assert len([block for block in blocks() if "README.md:" in block.id]) >= 4


@pytest.mark.parametrize(("readme", "line", "code"), blocks())
def test_readme_block_runs_against_the_mock(
    readme: Path, line: int, code: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # files a block writes stay out of the checkout
    if EC_CALL in code:
        tree = ast.parse(code, f"{readme}:{line}")
        imports = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
        assert imports, "an EC block shows its imports"
        exec(compile(ast.Module(body=imports, type_ignores=[]), f"{readme}:{line}", "exec"), {})
        return
    with MockAltinn(stateful=True, system=SYSTEM, users=[USER]) as mock:
        environments = {name: mock.url for name in altinn2.endpoints.ENVIRONMENTS}
        monkeypatch.setattr(altinn2.endpoints, "ENVIRONMENTS", environments)
        monkeypatch.setitem(sys.modules, "myapp", types.SimpleNamespace(InboxApp=InboxApp))
        namespace: dict[str, Any] = {"__name__": f"readme_{line}"}
        exec(compile(code, f"{readme}:{line}", "exec"), namespace)
        fixtures = {"altinn2_mock": mock, "altinn2_client": mock.client()}
        tests = [value for name, value in namespace.items() if name.startswith("test_")]
        for test in tests:
            test(**{name: fixtures[name] for name in inspect.signature(test).parameters})
        assert not mock.errors
        assert mock.calls, "the block called nothing"
