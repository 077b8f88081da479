"""`altinn2 broker upload` and `altinn2 broker download`: the streamed broker operations from the
command line, a progress bar on a terminal (stderr), quiet otherwise.

    altinn2 broker upload FILE --reference REF --reportee ORG [--file-name NAME]
    altinn2 broker download REF --reportee ORG --output PATH [--sha256 HEX]

The endpoint comes from `--environment` (or `--base-url`), the system's credentials from
`--system-user` / `--system-password` or the environment variables `ALTINN2_SYSTEM_USER` and
`ALTINN2_SYSTEM_PASSWORD` (the password is never printed). A download is written beside its
destination and renamed when complete; Ctrl-C or any failure leaves nothing behind. Exit status
0 on success, 1 when Altinn or the transfer fails (one line), 130 on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from altinn2.runtime.errors import AltinnError


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


@contextlib.contextmanager
def _progress(total: int | None, label: str) -> Iterator[Callable[[int], None]]:
    """A progress callback (bytes so far): a bar on a terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    with click.progressbar(length=total or 0, label=label, file=sys.stderr) as bar:
        shown = 0

        def update(done: int) -> None:
            nonlocal shown
            bar.update(done - shown)
            shown = done

        yield update


def _client(environment: str | None, base_url: str | None, user: str, password: str) -> Any:
    from altinn2 import Client, SystemCredentials

    return Client(
        environment=environment, base_url=base_url, system=SystemCredentials(user, password)
    )


def _connection_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--environment", help="production, tt02, at22-at24, yt01."),
        click.option("--base-url", help="Another base URL (https, or http to loopback)."),
        click.option("--system-user", envvar="ALTINN2_SYSTEM_USER", required=True),
        click.option(
            "--system-password", envvar="ALTINN2_SYSTEM_PASSWORD", required=True, hidden=True
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _run(action: Callable[[], None]) -> None:
    """One line and exit 1 on an error of the call, 130 on Ctrl-C."""
    try:
        action()
    except KeyboardInterrupt:
        click.echo("\ninterrupted: nothing was saved", err=True)
        sys.exit(130)
    except (AltinnError, OSError, TypeError) as exc:
        click.echo(f"error: {_one_line(exc) or type(exc).__name__}", err=True)
        sys.exit(1)


@click.group(name="broker")
def broker_group() -> None:
    """Broker files: streamed (MTOM) upload and download."""


@broker_group.command(name="upload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reference", required=True, help="The file reference InitiateBrokerService gave.")
@click.option("--reportee", required=True, help="The sender's organisation number.")
@click.option("--file-name", help="The name Altinn records (default: FILE's name).")
@_connection_options
def upload_command(
    file: Path,
    reference: str,
    reportee: str,
    file_name: str | None,
    environment: str | None,
    base_url: str | None,
    system_user: str,
    system_password: str,
) -> None:
    """Upload FILE to a broker shipment (UploadFileStreamedBasic), streamed."""

    def upload() -> None:
        with (
            _client(environment, base_url, system_user, system_password) as client,
            _progress(file.stat().st_size, "uploading") as progress,
        ):
            receipt = client.broker_service.upload_file_streamed_basic(
                source=file,
                file_name=file_name or file.name,
                reference=reference,
                reportee=reportee,
                progress=progress,
            )
        click.echo(f"{receipt.receipt_status_code}: {_one_line(receipt.receipt_text or '')}")

    _run(upload)


@broker_group.command(name="download")
@click.argument("reference")
@click.option("--reportee", required=True, help="The recipient's organisation number.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sha256", help="The expected SHA-256 (hex): a mismatch saves nothing.")
@_connection_options
def download_command(
    reference: str,
    reportee: str,
    output: Path,
    sha256: str | None,
    environment: str | None,
    base_url: str | None,
    system_user: str,
    system_password: str,
) -> None:
    """Download the broker file REFERENCE to OUTPUT (DownloadFileStreamedBasic), streamed."""

    def download() -> None:
        with _client(environment, base_url, system_user, system_password) as client:
            answer = client.broker_service.download_file_streamed_basic(
                file_reference=reference, reportee=reportee
            )
            with answer, _progress(None, "downloading") as progress:
                saved = answer.save(output, progress=progress, sha256=sha256)
        click.echo(f"{saved.path}: {saved.size} bytes, sha256 {saved.sha256}")

    _run(download)
