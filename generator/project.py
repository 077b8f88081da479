"""Where things live in a generator workspace."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import UserError


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def spec_path(self) -> Path:
        return self.root / "spec" / "endpoints.yaml"

    @property
    def lock_path(self) -> Path:
        return self.root / "spec" / "wsdl.lock"

    @property
    def names_lock_path(self) -> Path:
        return self.root / "spec" / "models.lock"

    @property
    def cache_dir(self) -> Path:
        return self.root / "spec" / "wsdl"

    @property
    def format_cache_dir(self) -> Path:
        """isort and black results by content (git-ignored; see generator.formatcache)."""
        return self.root / ".cache" / "format"

    @property
    def stage_cache_dir(self) -> Path:
        """Stage results by content (git-ignored; see generator.stagecache)."""
        return self.root / ".cache" / "stages"

    @property
    def run_lock_path(self) -> Path:
        """Held by `generate` (and shared by `check`) for the whole run (see generator.runlock)."""
        return self.root / ".cache" / "generate.lock"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def generated_dir(self) -> Path:
        return self.root / "generated"

    def relative(self, path: Path) -> str:
        """`path` as the user would type it from the workspace root."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The workspace containing `start` (default: the current directory)."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "spec" / "endpoints.yaml").is_file():
                return cls(folder)
        raise UserError(f"{here}: not inside a workspace (no spec/endpoints.yaml here or above)")
