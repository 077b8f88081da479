"""The spec's credential table: which contract parts the client fills in, checked on load."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import SpecError
from generator.spec import CREDENTIALS, load_spec, parse_spec

REPO = Path(__file__).resolve().parents[2]

SPEC = """\
environments:
  production: https://www.altinn.no
default_environment: production
bindings:
  EC:
    label: EC
    description: certificate
services:
  - Case
credentials:
{table}endpoints:
  - service: Case
    base_operation: GetCaseList
    binding: EC
    url: https://www.altinn.no/ServiceEngineExternal/CaseEC.svc
    operation: GetCaseListEC
effects:
  GetCaseList: read
"""


def test_parts_map_to_credentials_whatever_their_case() -> None:
    spec = parse_spec(SPEC.format(table="  EC:\n    userName: enterprise_user_name\n"))
    assert spec.credential("EC", "username") == "enterprise_user_name"
    assert spec.credential("EC", "UserName") == "enterprise_user_name"
    assert spec.credential("EC", "reportee") is None
    assert spec.credential("Basic", "userName") is None


@pytest.mark.parametrize(
    ("table", "line", "message"),
    [
        (
            "  EC:\n    userName: enterprise_login\n",
            12,
            "credentials.EC.userName: unknown credential 'enterprise_login' (system_user_name, ",
        ),
        ("  Basic:\n    userName: user_ssn\n", 11, "credentials.Basic: unknown binding"),
        (
            "  EC:\n    userName: enterprise_user_name\n    USERNAME: enterprise_user_name\n",
            13,
            "credentials.EC.USERNAME: the same part twice (names are case-blind)",
        ),
    ],
)
def test_a_bad_table_is_one_line_naming_file_line_and_field(
    table: str, line: int, message: str
) -> None:
    with pytest.raises(SpecError) as raised:
        parse_spec(SPEC.format(table=table), "spec/endpoints.yaml")
    assert str(raised.value).startswith(f"spec/endpoints.yaml:{line}: {message}")


def test_the_spec_declares_the_credentials_of_every_binding() -> None:
    spec = load_spec(REPO / "spec" / "endpoints.yaml")
    assert spec.credential("Basic", "systemPassword") == "system_password"
    assert spec.credential("WS", "SystemPassword") == "system_password"
    assert spec.credential("EC", "password") == "enterprise_password"
    assert {value for parts in spec.credentials.values() for value in parts.values()} == set(
        CREDENTIALS
    )


def test_the_credential_names_are_the_runtimes() -> None:
    from altinn2.runtime.operation import Credential

    assert set(CREDENTIALS) == {credential.value for credential in Credential}
    assert all(Credential(name).name == name.upper() for name in CREDENTIALS)
