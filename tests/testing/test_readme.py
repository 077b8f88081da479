"""Every Python block of the READMEs runs, against the bundled mock: a README that drifts from
the code fails here. Blocks that talk to a real Altinn have every environment pointed at the
mock, which accepts the credentials the blocks show; `myapp` is the app of test_scenario."""

from __future__ import annotations

import inspect
import re
import shutil
import sys
import types
from pathlib import Path
from typing import Any

import certifi
import pytest

import altinn2.endpoints
from altinn2 import EnterpriseCredentials, SystemCredentials, UserCredentials
from altinn2.testing import MockAltinn
from tests.pki import P12_PASSWORD, make_pki
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


# Blocks that call EC or EC2 endpoints run against the mock over HTTPS, with the test PKI's
# enterprise certificate as the PKCS#12 file the block names and its passwords in the
# environment variables the block reads.
EC_CALL = "certificate="
P12_NAME = "virksomhet.p12"


def test_the_readmes_have_python_blocks() -> None:
    assert len([block for block in blocks() if "README.md:" in block.id]) >= 4


@pytest.mark.parametrize(("readme", "line", "code"), blocks())
def test_readme_block_runs_against_the_mock(
    readme: Path, line: int, code: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # files a block writes stay out of the checkout
    if EC_CALL in code:
        run_ec_block(readme, line, code, monkeypatch, tmp_path)
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


def run_ec_block(
    readme: Path, line: int, code: str, monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    """An EC block against the mock on loopback HTTPS. The block's client trusts the system's
    CAs (httpx: certifi's bundle), so that bundle is the test CA for the block's duration, as
    installing a test CA would make it; the mock trusts the same CA for the certificate."""
    (folder / "pki").mkdir()
    pki = make_pki(folder / "pki")
    shutil.copy(pki.enterprise_p12, folder / P12_NAME)
    monkeypatch.setenv("VIRKSOMHET_P12_PASSWORD", P12_PASSWORD)
    enterprise = EnterpriseCredentials("virksomhetsbruker", "virksomhetsbrukerens passord")
    monkeypatch.setenv("VIRKSOMHET_PASSWORD", enterprise.password.reveal())
    monkeypatch.setattr(certifi, "where", lambda: str(pki.ca_pem))
    assert P12_NAME in code
    with MockAltinn(
        tls_cert=pki.server_cert_pem,
        tls_key=pki.server_key_pem,
        ca=pki.ca_pem,
        enterprise=enterprise,  # the user name the block gives, the password it reads
    ) as mock:
        environments = {name: mock.url for name in altinn2.endpoints.ENVIRONMENTS}
        monkeypatch.setattr(altinn2.endpoints, "ENVIRONMENTS", environments)
        exec(compile(code, f"{readme}:{line}", "exec"), {"__name__": f"readme_{line}"})
        assert not mock.errors
        assert mock.url.startswith("https://")
        seen = [call.reason.split(" ")[0] if call.reason else call.operation for call in mock.calls]
        assert seen == ["issued", "GetReporteeElementListEC", "cancelled"], mock.calls
