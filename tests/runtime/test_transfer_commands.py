"""`altinn2 broker upload` / `download` against the stateful mock: the file goes up and comes
back whole, quiet when not on a terminal; Ctrl-C midway leaves nothing behind (exit 130)."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from altinn2.cli import main
from altinn2.models.broker_2015_06 import BrokerServiceInitiation, File, Manifest, Recipient
from altinn2.runtime.transport import commands
from altinn2.testing import DEFAULT_SYSTEM, MockAltinn

SENDER, RECIPIENT = "910000001", "910000002"


@pytest.fixture
def mock() -> Iterator[MockAltinn]:
    with MockAltinn(stateful=True) as running:
        running.scenario.broker_auto_upload = False
        yield running


def initiate(mock: MockAltinn) -> str:
    reference = mock.client().broker_service.initiate_broker_service_basic(
        broker_service_initiation=BrokerServiceInitiation(
            manifest=Manifest(
                external_service_code="4752",
                external_service_edition_code=1,
                file_list=[File(check_sum=None, file_name="payload.zip")],
                property_list=[],
                reportee=SENDER,
                senders_reference="cli",
            ),
            recipient_list=[Recipient(party_number=RECIPIENT)],
        )
    )
    assert reference is not None
    return reference


def run(mock: MockAltinn, *arguments: str) -> tuple[int, str, str]:
    runner = CliRunner()
    environment = {
        "ALTINN2_SYSTEM_USER": DEFAULT_SYSTEM.user_name,
        "ALTINN2_SYSTEM_PASSWORD": DEFAULT_SYSTEM.password.reveal(),
    }
    result = runner.invoke(
        main, [*arguments, "--base-url", mock.url], env=environment, catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def test_upload_then_download(mock: MockAltinn, tmp_path: Path) -> None:
    data = os.urandom(300_000)
    source = tmp_path / "payload.zip"
    source.write_bytes(data)
    reference = initiate(mock)
    status, out, err = run(
        mock, "broker", "upload", str(source), "--reference", reference, "--reportee", SENDER
    )
    assert status == 0, err
    assert out.startswith("OK") and err == ""  # not a terminal: no progress bar
    target = tmp_path / "received.zip"
    digest = hashlib.sha256(data).hexdigest()
    status, out, err = run(
        mock,
        "broker",
        "download",
        reference,
        "--reportee",
        RECIPIENT,
        "--output",
        str(target),
        "--sha256",
        digest,
    )
    assert status == 0, err
    assert target.read_bytes() == data and digest in out
    assert DEFAULT_SYSTEM.password.reveal() not in out + err


def test_download_not_ready_is_one_line(mock: MockAltinn, tmp_path: Path) -> None:
    reference = initiate(mock)
    target = tmp_path / "received.zip"
    status, _, err = run(
        mock, "broker", "download", reference, "--reportee", RECIPIENT, "--output", str(target)
    )
    assert status == 1 and err.startswith("error: ") and err.count("\n") == 1
    assert os.listdir(tmp_path) == []


def test_ctrl_c_midway_leaves_nothing(
    mock: MockAltinn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = initiate(mock)
    source = tmp_path / "payload.zip"
    source.write_bytes(os.urandom(2_000_000))
    mock.client().broker_service.upload_file_streamed_basic(
        source=source, file_name="payload.zip", reference=reference, reportee=SENDER
    )

    @contextlib.contextmanager
    def interrupting(total: int | None, label: str) -> Iterator[Callable[[int], None]]:
        def progress(done: int) -> None:
            if done > 500_000:
                raise KeyboardInterrupt

        yield progress

    monkeypatch.setattr(commands, "_progress", interrupting)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    status, _, err = run(
        mock,
        "broker",
        "download",
        reference,
        "--reportee",
        RECIPIENT,
        "--output",
        str(out_dir / "received.zip"),
    )
    assert status == 130 and "interrupted: nothing was saved" in err
    assert os.listdir(out_dir) == []
