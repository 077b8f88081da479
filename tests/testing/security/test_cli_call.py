"""`altinn2 call` over EC and EC2 against the mock on loopback HTTPS: the enterprise certificate
from `--certificate` (or ALTINN2_CERTIFICATE), its password from ALTINN2_CERTIFICATE_PASSWORD or
a prompt, the enterprise user from the environment; one line for each way it can be missing or
wrong, and no secret in the output or the log."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from altinn2.cli import main
from altinn2.testing import MockAltinn
from tests.pki import P12_PASSWORD, Pki
from tests.testing.security.conftest import ENTERPRISE, https_mock
from tests.testing.test_cli import ALTINN2

REPORTEE = "910000001"
SEARCH = {
    "search_be": {"reportee": REPORTEE, "from_date": "2000-01-01", "to_date": "2100-01-01"},
    "language_id": 1044,
}
SECRETS = (P12_PASSWORD, ENTERPRISE.password.reveal())


@pytest.fixture
def mock(pki: Pki) -> Iterator[MockAltinn]:
    with https_mock(pki, stateful=True) as running:
        running.scenario.add_correspondence(REPORTEE, "Vedtak om tilskudd")
        yield running


def _environment(mock: MockAltinn, pki: Pki, **changes: str | None) -> dict[str, str | None]:
    """Only what an EC call reads (anything else the test process has set is unset)."""
    environment: dict[str, str | None] = {
        "ALTINN2_BASE_URL": mock.url,
        "ALTINN2_CA_FILE": str(pki.ca_pem),
        "ALTINN2_CERTIFICATE": str(pki.enterprise_p12),
        "ALTINN2_CERTIFICATE_PASSWORD": P12_PASSWORD,
        "ALTINN2_ENTERPRISE_USER": ENTERPRISE.user_name,
        "ALTINN2_ENTERPRISE_PASSWORD": ENTERPRISE.password.reveal(),
        "ALTINN2_SYSTEM_USER": None,
        "ALTINN2_SYSTEM_PASSWORD": None,
        "ALTINN2_USER_SSN": None,
        "ALTINN2_USER_PASSWORD": None,
    }
    return {**environment, **changes}


def _call(
    mock: MockAltinn, pki: Pki, *arguments: str, input: str | None = None, **changes: str | None
) -> Result:
    return CliRunner().invoke(
        main, ["call", *arguments], env=_environment(mock, pki, **changes), input=input
    )


def _bindings(mock: MockAltinn, operation: str) -> list[str]:
    """The bindings of the mock's calls of `operation` (security steps, as a Cancel, left out)."""
    return [str(call.binding) for call in mock.calls if call.operation == operation]


def _no_secret(result: Result, caplog: pytest.LogCaptureFixture) -> None:
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr
        assert secret not in caplog.text


@pytest.mark.parametrize("binding", ["EC", "EC2"])
def test_call_over_ec_and_ec2_with_the_enterprise_certificate(
    mock: MockAltinn, pki: Pki, binding: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = _call(
        mock,
        pki,
        "ReporteeElementList",
        "GetReporteeElementListEC",
        "--binding",
        binding,
        json.dumps(SEARCH),
    )
    assert result.exit_code == 0, result.output
    (element,) = json.loads(result.stdout)
    assert "Vedtak om tilskudd" in json.dumps(element)
    assert _bindings(mock, "GetReporteeElementListEC") == [binding]
    _no_secret(result, caplog)


def test_call_over_ec2_in_its_own_process(mock: MockAltinn, pki: Pki) -> None:
    """The installed entry point, as a shell runs it: the password never on its command line,
    nor in what it prints."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ALTINN2_")},
        **{k: v for k, v in _environment(mock, pki).items() if v is not None},
    }
    arguments = ["call", "ReporteeElementList", "GetReporteeElementListV2", "--binding", "EC2"]
    done = subprocess.run(
        [*ALTINN2, *arguments, json.dumps(SEARCH)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (element,) = json.loads(done.stdout)
    assert "Vedtak om tilskudd" in json.dumps(element)
    assert _bindings(mock, "GetReporteeElementListEC") == ["EC2"]
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr


def test_call_of_a_base_operation_over_ec2_and_its_fault(
    mock: MockAltinn, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    """A base operation over `--binding EC2`; Altinn's fault comes back decoded (exit 1)."""
    caplog.set_level(logging.DEBUG)
    result = _call(
        mock,
        pki,
        "ReceiptExternal",
        "GetReceiptV2",
        "--binding",
        "EC2",
        '{"receipt": {"receipt_id": 1}}',
    )
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["fault"]["error_id"] == 30008
    assert _bindings(mock, "GetReceiptECV2") == ["EC2"]
    _no_secret(result, caplog)


def test_the_certificate_password_is_asked_for_and_never_echoed(mock: MockAltinn, pki: Pki) -> None:
    result = _call(
        mock,
        pki,
        "ReporteeElementList",
        "GetReporteeElementListEC",
        "--binding",
        "EC",
        json.dumps(SEARCH),
        input=f"{P12_PASSWORD}\n",
        ALTINN2_CERTIFICATE_PASSWORD=None,
    )
    assert result.exit_code == 0, result.output
    assert "certificate password (ALTINN2_CERTIFICATE_PASSWORD)" in result.stderr
    assert P12_PASSWORD not in result.output


def test_the_certificate_from_the_option(mock: MockAltinn, pki: Pki) -> None:
    result = _call(
        mock,
        pki,
        "ReporteeElementList",
        "GetReporteeElementListEC",
        "--binding",
        "EC2",
        "--certificate",
        str(pki.enterprise_p12),
        json.dumps(SEARCH),
        ALTINN2_CERTIFICATE=None,
    )
    assert result.exit_code == 0, result.output
    assert _bindings(mock, "GetReporteeElementListEC") == ["EC2"]


def _one_line_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    for word in words:
        assert word in result.stderr


@pytest.mark.parametrize("binding", ["EC", "EC2"])
def test_a_missing_certificate_is_one_line(mock: MockAltinn, pki: Pki, binding: str) -> None:
    result = _call(
        mock,
        pki,
        "ReporteeElementList",
        "GetReporteeElementListEC",
        "--binding",
        binding,
        json.dumps(SEARCH),
        ALTINN2_CERTIFICATE=None,
    )
    _one_line_error(result, f"GetReporteeElementListEC ({binding})", "--certificate")
    assert mock.calls == ()  # failed before anything was sent


def test_a_certificate_or_ca_file_that_is_not_there_is_one_line(
    mock: MockAltinn, pki: Pki, tmp_path: Path
) -> None:
    absent = tmp_path / "absent.p12"
    arguments = ("ReporteeElementList", "GetReporteeElementListEC", "--binding", "EC")
    result = _call(mock, pki, *arguments, json.dumps(SEARCH), ALTINN2_CERTIFICATE=str(absent))
    _one_line_error(result, f"{absent}: no such PKCS#12 file", "ALTINN2_CERTIFICATE")
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate")
    for ca_file in (tmp_path / "absent.pem", not_pem):
        result = _call(mock, pki, *arguments, json.dumps(SEARCH), ALTINN2_CA_FILE=str(ca_file))
        _one_line_error(result, f"{ca_file}: cannot read the CA bundle")
    assert mock.calls == ()


def test_a_wrong_certificate_password_is_one_line(
    mock: MockAltinn, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = _call(
        mock,
        pki,
        "ReporteeElementList",
        "GetReporteeElementListEC",
        "--binding",
        "EC",
        json.dumps(SEARCH),
        ALTINN2_CERTIFICATE_PASSWORD="not-the-password",
    )
    _one_line_error(result, str(pki.enterprise_p12), "password is wrong")
    assert "not-the-password" not in result.output + caplog.text
    _no_secret(result, caplog)
    assert mock.calls == ()


def test_a_missing_certificate_password_is_one_line(mock: MockAltinn, pki: Pki) -> None:
    """Not in the environment and not given at the prompt (stdin closed)."""
    result = _call(
        mock,
        pki,
        "ReporteeElementList",
        "GetReporteeElementListEC",
        "--binding",
        "EC",
        json.dumps(SEARCH),
        input="",
        ALTINN2_CERTIFICATE_PASSWORD=None,
    )
    assert result.exit_code == 2, result.output
    last = result.stderr.splitlines()[-1]
    assert last.startswith("error: certificate password is needed")
    assert "ALTINN2_CERTIFICATE_PASSWORD" in last
    assert mock.calls == ()


def test_a_certificate_password_that_cannot_be_asked_for_is_one_line(
    mock: MockAltinn, pki: Pki
) -> None:
    """The input comes from stdin, so no prompt can ask: one line naming the variable."""
    result = _call(
        mock,
        pki,
        "ReporteeElementList",
        "GetReporteeElementListEC",
        "--binding",
        "EC2",
        "--input",
        "-",
        input=json.dumps(SEARCH),
        ALTINN2_CERTIFICATE_PASSWORD=None,
    )
    _one_line_error(result, "certificate password is needed", "ALTINN2_CERTIFICATE_PASSWORD")
    assert mock.calls == ()


def test_an_ec_name_without_its_binding_names_the_bindings(mock: MockAltinn, pki: Pki) -> None:
    result = _call(mock, pki, "ReporteeElementList", "GetReporteeElementListEC", "{}")
    _one_line_error(result, "--binding", "EC, EC2")


def test_the_certificate_is_not_read_for_basic(mock: MockAltinn, pki: Pki) -> None:
    """A Basic call neither loads the certificate nor asks for its password."""
    result = _call(
        mock,
        pki,
        "ReceiptExternal",
        "GetReceiptBasicV2",
        '{"receipt": {"receipt_id": 1}}',
        input="",
        ALTINN2_CERTIFICATE_PASSWORD="not-the-password",
        ALTINN2_SYSTEM_USER="x",
        ALTINN2_SYSTEM_PASSWORD="y",
    )
    assert result.exit_code == 1, result.output  # the call went out: 989 for the fake system user
    assert json.loads(result.stdout)["fault"]["error_id"] == 989
    assert "certificate" not in result.output
    assert _bindings(mock, "GetReceiptBasicV2") == ["Basic"]


def test_a_certificate_given_for_basic_is_noted_once_on_stderr(mock: MockAltinn, pki: Pki) -> None:
    """`--certificate` on the command line of a Basic call is not used: one note on stderr
    says so (the environment's ALTINN2_CERTIFICATE, a default for EC and EC2, is not noted)."""
    result = _call(
        mock,
        pki,
        "ReceiptExternal",
        "GetReceiptBasicV2",
        "--certificate",
        str(pki.enterprise_p12),
        '{"receipt": {"receipt_id": 1}}',
        input="",
        ALTINN2_SYSTEM_USER="x",
        ALTINN2_SYSTEM_PASSWORD="y",
    )
    assert result.exit_code == 1, result.output  # the call went out: 989 for the fake system user
    assert json.loads(result.stdout)["fault"]["error_id"] == 989
    assert result.stderr.splitlines() == [
        "note: --certificate is not used: GetReceiptBasicV2 (Basic) does not sign in with a "
        "certificate"
    ]
    assert _bindings(mock, "GetReceiptBasicV2") == ["Basic"]
