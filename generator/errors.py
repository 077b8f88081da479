"""Errors a user can act on: each renders as one line naming the file, line or field."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """Bad input or a failed step; the CLI prints it on one line and exits with `exit_code`."""

    exit_code = 1


class SpecError(UserError):
    """`spec/endpoints.yaml` is malformed: names the file, the line and the field."""

    exit_code = 2

    def __init__(self, path: Path | str, line: int | None, field: str, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


class WsdlError(UserError):
    """A WSDL or XSD in the cache cannot be read or does not hold what it should."""

    exit_code = 2


class FetchError(UserError):
    """Fetching a WSDL failed (network, server or mirror)."""


class LockMismatchError(UserError):
    """Fetched or cached files differ from `spec/wsdl.lock`."""

    def __init__(self, lock_path: Path | str, problems: list[str], hint: str = "") -> None:
        self.problems = problems
        self.hint = hint  # what to do about it, if there is one thing to do
        lines = "; ".join(problems)
        super().__init__(
            f"{lock_path}: {len(problems)} file(s) differ from the lock: {lines}"
            + (f"; {hint}" if hint else "")
        )
