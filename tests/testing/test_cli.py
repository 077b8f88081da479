"""`altinn2 operations`, `altinn2 call` and `altinn2 mock serve --json` against a running mock."""

from __future__ import annotations

import datetime as dt
import json
import ssl
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from altinn2 import Client
from altinn2.cli import main
from altinn2.runtime import Certificate
from altinn2.runtime.operation import SoapVersion
from altinn2.runtime.registry import operation_index
from altinn2.services.reportee_element_list import (
    GET_REPORTEE_ELEMENT_LIST_EXTERNAL_V2 as GET_REPORTEE_ELEMENT_LIST_WS,
)
from altinn2.testing import MockAltinn, example_input
from altinn2.testing.faults import Fault, altinn_fault
from altinn2.testing.mock import DEFAULT_ENTERPRISE, DEFAULT_SYSTEM, DEFAULT_USER
from tests.pki import P12_PASSWORD, make_pki

ALTINN2 = (sys.executable, "-c", "from altinn2.cli import main; main()")


def _environment(mock: MockAltinn) -> dict[str, str]:
    return {
        "ALTINN2_BASE_URL": mock.url,
        "ALTINN2_SYSTEM_USER": DEFAULT_SYSTEM.user_name,
        "ALTINN2_SYSTEM_PASSWORD": DEFAULT_SYSTEM.password.reveal(),
        "ALTINN2_USER_SSN": DEFAULT_USER.ssn.reveal(),
        "ALTINN2_USER_PASSWORD": DEFAULT_USER.password.reveal(),
        "ALTINN2_USER_PIN": "12345",
        "ALTINN2_AUTH_METHOD": "AltinnPin",
    }


def test_operations_lists_bindings_and_input_fields() -> None:
    result = CliRunner().invoke(main, ["operations", "reportee_element_list"])
    assert result.exit_code == 0, result.output
    assert "GetReporteeElementListBasicV2 (Basic, read" in result.output
    assert "      search_be: ExternalSearchBEV2" in result.output
    assert "system_password" not in result.output  # credentials are not input
    listed = json.loads(CliRunner().invoke(main, ["operations", "--json"]).output)
    assert {row["service"] for row in listed} >= {"ReporteeElementList", "ReceiptExternal"}
    assert CliRunner().invoke(main, ["operations", "Nope"]).exit_code == 2


def test_call_prints_the_typed_result_and_faults_decoded() -> None:
    with MockAltinn(stateful=True) as mock:
        mock.scenario.add_correspondence("910000001", "Vedtak")
        env = _environment(mock)
        search = {
            "search_be": {
                "reportee": "910000001",
                "from_date": "2000-01-01",
                "to_date": "2100-01-01",
            },
            "language_id": 1044,
        }
        runner = CliRunner()
        result = runner.invoke(
            main,
            ["call", "ReporteeElementList", "GetReporteeElementListV2", json.dumps(search)],
            env=env,
        )
        assert result.exit_code == 0, result.output
        (element,) = json.loads(result.output)
        assert "Vedtak" in json.dumps(element)
        # The same from stdin, over the WS binding.
        result = runner.invoke(
            main,
            ["call", "reportee_element_list", "GetReporteeElementListV2", "--binding", "WS"],
            input=json.dumps(search),
            env=env,
        )
        assert result.exit_code == 0, result.output
        assert mock.last_call is not None and mock.last_call.binding == "WS"
        fault = runner.invoke(
            main,
            ["call", "ReceiptExternal", "GetReceiptBasicV2", '{"receipt": {"receipt_id": 1}}'],
            env=env,
        )
        assert fault.exit_code == 1
        assert json.loads(fault.output)["fault"]["error_id"] == 30008
        wrong = runner.invoke(
            main,
            [
                "call",
                "ReporteeElementList",
                "GetReporteeElementListBasicV2",
                '{"language_id": "x"}',
            ],
            env=env,
        )
        assert (
            wrong.exit_code == 2
            and "search_be: expected ExternalSearchBEV2, got None" in wrong.output
        )
        secret = runner.invoke(
            main,
            ["call", "ReceiptExternal", "GetReceiptBasicV2", '{"system_password": "x"}'],
            env=env,
        )
        assert secret.exit_code == 2 and "never from the command line" in secret.output
        no_password = {key: value for key, value in env.items() if "SYSTEM" not in key}
        missing = runner.invoke(
            main, ["call", "ReceiptExternal", "GetReceiptBasicV2", "{}"], env=no_password
        )
        assert missing.exit_code == 2 and "ALTINN2_SYSTEM_USER" in missing.output
        # Asked for on stdin instead (the input came from the argument), never echoed.
        password = DEFAULT_SYSTEM.password.reveal()
        asked = runner.invoke(
            main,
            ["call", "ReceiptExternal", "GetReceiptBasicV2", '{"receipt": {"receipt_id": 1}}'],
            env=no_password,
            input=f"{DEFAULT_SYSTEM.user_name}\n{password}\n",
        )
        assert asked.exit_code == 1 and json.loads(asked.stdout)["fault"]["error_id"] == 30008
        assert password not in asked.output
        both = runner.invoke(
            main,
            ["call", "ReceiptExternal", "GetReceiptV2", "{}", "--env", "tt02", "--base-url", "x"],
        )
        assert both.exit_code == 2 and "not both" in both.output


def test_mock_serve_prints_its_fake_credentials_as_json() -> None:
    process = subprocess.Popen(
        [*ALTINN2, "mock", "serve", "--quiet", "--json"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        settings = json.loads(process.stdout.readline())
        env = settings["environment"]
        assert env["ALTINN2_SYSTEM_PASSWORD"] == DEFAULT_SYSTEM.password.reveal()
        assert env["ALTINN2_USER_PIN"] == "12345" and settings["url"] == env["ALTINN2_BASE_URL"]
        called = subprocess.run(
            [
                *ALTINN2,
                "call",
                "ReceiptExternal",
                "GetReceiptBasicV2",
                '{"receipt": {"receipt_id": 1}}',
            ],
            env={**env, "PATH": ""},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
        assert called.returncode == 1, called.stderr
        assert json.loads(called.stdout)["fault"]["error_class"] == "NotFoundError"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_mock_serve_over_https_issues_ec_contexts_to_certificates_of_its_ca(
    tmp_path: Path,
) -> None:
    """How a peer in another process (a Java client) starts the mock for EC and EC2: HTTPS with
    the given server certificate, the given CA trusted for enterprise certificates."""
    pki = make_pki(tmp_path)
    process = subprocess.Popen(
        [
            *ALTINN2,
            "mock",
            "serve",
            "--quiet",
            "--json",
            "--tls-cert",
            str(pki.server_cert_pem),
            "--tls-key",
            str(pki.server_key_pem),
            "--ca",
            str(pki.ca_pem),
            "--token-lifetime",
            "30",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = json.loads(process.stdout.readline())["url"]
        assert url.startswith("https://127.0.0.1:")
        operation = next(
            op
            for op in operation_index().named("GetReporteeElementListEC")
            if op.binding.value == "EC2"
        )
        verify = ssl.create_default_context(cafile=str(pki.ca_pem))
        certificate = Certificate.from_pkcs12(pki.enterprise_p12, P12_PASSWORD)
        with Client(
            base_url=url,
            verify=verify,
            certificate=certificate,
            enterprise=DEFAULT_ENTERPRISE,
        ) as client:
            body = example_input(
                operation,
                user_name=DEFAULT_ENTERPRISE.user_name,
                password=DEFAULT_ENTERPRISE.password.reveal(),
            )
            answer = client.invoke(operation, body, operation.output)
            assert isinstance(answer, operation.output)
            context = client.conversation.context(
                operation, client.url_for(operation), lambda *args: b""
            )
            assert context.expires is not None
            assert context.expires - context.created == dt.timedelta(seconds=30)
    finally:
        process.terminate()
        process.wait(timeout=10)


LONG = "Den oppgitte forsendelsen kan ikke hentes fordi mottakeren ikke har tilgang " * 3


def test_decode_names_a_ws_fault_by_its_operation_and_keeps_texts_on_one_line(
    tmp_path: Path,
) -> None:
    reply = altinn_fault(
        SoapVersion.SOAP12, Fault(30001, LONG.strip()), operation=GET_REPORTEE_ELEMENT_LIST_WS
    )
    envelope = tmp_path / "fault.xml"
    envelope.write_bytes(reply.body)
    result = CliRunner().invoke(main, ["decode", str(envelope)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "fault of ReporteeElementList.GetReporteeElementListExternalV2"
    assert "error_id: 30001" in lines
    assert f"message: {LONG.strip()}" in lines  # one line, however long
    basic = altinn_fault(SoapVersion.SOAP11, Fault(30001, "x"))
    envelope.write_bytes(basic.body)
    unnamed = CliRunner().invoke(main, ["decode", str(envelope)])
    assert unnamed.output.splitlines()[0] == "fault (operation unknown: name it with --operation)"
    captured = tmp_path / "GetReporteeElementListBasicV2-fault-1.xml"  # as captures are named
    captured.write_bytes(basic.body)
    by_name = CliRunner().invoke(main, ["decode", str(captured)])
    assert by_name.output.splitlines()[0] == (
        "fault of ReporteeElementList.GetReporteeElementListBasicV2"
    )
    named = CliRunner().invoke(
        main, ["decode", str(envelope), "--operation", "GetReporteeElementListBasicV2"]
    )
    assert (
        named.output.splitlines()[0] == "fault of ReporteeElementList.GetReporteeElementListBasicV2"
    )
