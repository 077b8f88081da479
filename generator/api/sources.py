"""Where `api-diff` reads a generated package's sources: a folder, or a git revision of one."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from generator.api.surface import PACKAGE, is_public_module
from generator.errors import UserError


def _wanted(path: str) -> bool:
    """Public generated modules, and the private modules they may re-export from."""
    parts = path.split("/")
    return path.endswith(".py") and (
        is_public_module(path) or (len(parts) == 3 and parts[1] == "models")
    )


def folder_sources(folder: Path) -> dict[str, str]:
    """`folder` is a generated/ folder (holding `altinn2/`) or the `altinn2` package itself."""
    root = folder if (folder / PACKAGE).is_dir() else folder.parent
    if not (root / PACKAGE / "__init__.py").is_file():
        raise UserError(f"{folder}: no generated `{PACKAGE}` package here")
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if _wanted(relative):
            found[relative] = path.read_text(encoding="utf-8")
    return found


def _git(repo: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, check=True, timeout=120
        )
    except FileNotFoundError:
        raise UserError("git not found; compare with a folder (--against DIR)") from None
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UserError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}") from None
    return done.stdout


def revision_sources(generated: Path, revision: str) -> dict[str, str]:
    """The package as committed in `revision` (read from git, nothing checked out)."""
    repo = Path(_git(generated.parent, "rev-parse", "--show-toplevel").decode().strip())
    prefix = generated.resolve().relative_to(repo.resolve()).as_posix()
    tree = f"{prefix}/{PACKAGE}" if prefix != "." else PACKAGE
    archive = _git(repo, "archive", "--format=tar", f"{revision}^{{tree}}", "--", tree)
    found = {}
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            relative = member.name.removeprefix(f"{prefix}/") if prefix != "." else member.name
            if member.isfile() and _wanted(relative):
                data = tar.extractfile(member)
                assert data is not None
                found[relative] = data.read().decode("utf-8")
    if not found:
        raise UserError(f"{revision}: no generated `{PACKAGE}` package at {tree}")
    return found
