"""The streamed operations from the command line, a progress bar on a terminal (stderr), quiet
otherwise.

    altinn2 broker upload FILE --reference REF --reportee ORG [--file-name NAME]
    altinn2 broker download REF --reportee ORG --output PATH [--sha256 HEX]
    altinn2 attachment upload FILE --reportee-element-id ID [--name N] [--file-name N] ...
    altinn2 attachment download ATTACHMENT_ID --output PATH [--sha256 HEX]

The endpoint comes from `--environment` (or `--base-url`). The broker commands use the Basic
endpoints and the system's credentials: `--system-user` / `--system-password` or the environment
variables `ALTINN2_SYSTEM_USER` and `ALTINN2_SYSTEM_PASSWORD`. The attachment operations
(SubmitAttachmentStreamed, GetAttachmentDataStreamed) exist on the EC and EC2 endpoints only
(`--binding`, EC2 by default): the enterprise certificate (`--certificate`, a PKCS#12 file, and
`ALTINN2_CERTIFICATE_PASSWORD`) and the enterprise user (`--enterprise-user`,
`ALTINN2_ENTERPRISE_PASSWORD`). Passwords are never printed. A download is written beside its
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


def _on_terminal() -> bool:
    return sys.stderr.isatty()


@contextlib.contextmanager
def _progress(total: int | None, label: str) -> Iterator[Callable[[int], None]]:
    """A progress callback (bytes so far): a bar on a terminal, nothing otherwise."""
    if not _on_terminal():
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


def _run(action: Callable[[], None], interrupted: str = "nothing was saved") -> None:
    """One line and exit 1 on an error of the call, 130 on Ctrl-C."""
    try:
        action()
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted: {interrupted}", err=True)
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


# -- attachments (EC and EC2 only) ---------------------------------------------------------------


def _enterprise_client(
    environment: str | None,
    base_url: str | None,
    binding: str,
    certificate: Path,
    certificate_password: str | None,
    enterprise_user: str,
    enterprise_password: str,
    ca_file: Path | None,
) -> Any:
    import ssl

    from altinn2 import Client
    from altinn2.runtime.credentials import EnterpriseCredentials
    from altinn2.runtime.security.x509 import Certificate

    verify: bool | ssl.SSLContext = True
    if ca_file is not None:
        verify = ssl.create_default_context(cafile=str(ca_file))
    return Client(
        environment=environment,
        base_url=base_url,
        binding=binding,
        certificate=Certificate.from_pkcs12(certificate, certificate_password),
        enterprise=EnterpriseCredentials(enterprise_user, enterprise_password),
        verify=verify,
    )


def _enterprise_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--environment", help="production, tt02, at22-at24, yt01."),
        click.option("--base-url", help="Another base URL (https, or http to loopback)."),
        click.option(
            "--binding",
            type=click.Choice(["EC", "EC2"]),
            default="EC2",
            show_default=True,
            help="The enterprise-certificate endpoint to use.",
        ),
        click.option(
            "--certificate",
            envvar="ALTINN2_CERTIFICATE",
            required=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="The enterprise certificate: a PKCS#12 (.p12/.pfx) file.",
        ),
        click.option("--certificate-password", envvar="ALTINN2_CERTIFICATE_PASSWORD", hidden=True),
        click.option("--enterprise-user", envvar="ALTINN2_ENTERPRISE_USER", required=True),
        click.option(
            "--enterprise-password",
            envvar="ALTINN2_ENTERPRISE_PASSWORD",
            required=True,
            hidden=True,
        ),
        click.option(
            "--ca-file",
            envvar="ALTINN2_CA_FILE",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Trust the server certificates this CA bundle (PEM) signed, not the system's.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group(name="attachment")
def attachment_group() -> None:
    """Form attachments: streamed (MTOM) upload and archived download, EC and EC2."""


@attachment_group.command(name="upload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--reportee-element-id", required=True, type=int, help="The form task's reportee element."
)
@click.option("--name", help="The attachment's name (default: FILE's name).")
@click.option("--file-name", help="The file name Altinn records (default: FILE's name).")
@click.option("--attachment-type", help="The attachment type name the service expects.")
@click.option("--end-user-system-reference", help="Your reference for the attachment.")
@click.option("--checksum", help="The checksum to record with the attachment.")
@_enterprise_options
def attachment_upload_command(
    file: Path,
    reportee_element_id: int,
    name: str | None,
    file_name: str | None,
    attachment_type: str | None,
    end_user_system_reference: str | None,
    checksum: str | None,
    **connection: Any,
) -> None:
    """Submit FILE as an attachment of a form task (SubmitAttachmentStreamed), streamed."""

    def upload() -> None:
        with (
            _enterprise_client(**connection) as client,
            _progress(file.stat().st_size, "uploading") as progress,
        ):
            receipt = client.intermediary_inbound_streamed.submit_attachment_streamed(
                source=file,
                reportee_element_id=reportee_element_id,
                name=name or file.name,
                file_name=file_name or file.name,
                attachment_type_name=attachment_type,
                end_user_systemreference=end_user_system_reference,
                check_sum=checksum,
                progress=progress,
            )
        text = _one_line(receipt.receipt_text or "")
        status = receipt.receipt_status_code or "sent"
        click.echo(f"{status}: {text}" if text else status)

    _run(upload, "the upload was not completed")


@attachment_group.command(name="download")
@click.argument("attachment_id", type=int)
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sha256", help="The expected SHA-256 (hex): a mismatch saves nothing.")
@_enterprise_options
def attachment_download_command(
    attachment_id: int, output: Path, sha256: str | None, **connection: Any
) -> None:
    """Download the archived attachment ATTACHMENT_ID to OUTPUT (GetAttachmentDataStreamed)."""

    def download() -> None:
        with _enterprise_client(**connection) as client:
            answer = client.reportee_archive_external.get_attachment_data_streamed(
                attachment_id=attachment_id
            )
            with answer, _progress(None, "downloading") as progress:
                saved = answer.save(output, progress=progress, sha256=sha256)
        click.echo(f"{saved.path}: {saved.size} bytes, sha256 {saved.sha256}")

    _run(download)
