"""The verified WSDL cache: the files `spec/wsdl.lock` names, loaded as WSDL models."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import urljoin

from generator.errors import UserError, WsdlError
from generator.lock import Lock, read_lock, verify_cache
from generator.project import Project
from generator.wsdl import Wsdl, load_wsdl


class WsdlCache:
    """Files of `spec/wsdl/`, checked against the lock before anything reads them."""

    def __init__(self, project: Project, lock: Lock) -> None:
        self.project = project
        self.lock = lock
        self._locations = lock.by_location()
        self.wsdl = cache(self._load)

    @classmethod
    def open(cls, project: Project) -> WsdlCache:
        lock = read_lock(project.lock_path)
        if not project.cache_dir.is_dir():
            raise UserError(
                f"{project.relative(project.cache_dir)}: no WSDL cache; run "
                "`altinn-codegen fetch --from <mirror>` or `altinn-codegen fetch --env <env>`"
            )
        verify_cache(lock, project.cache_dir, Path(project.relative(project.lock_path)))
        return cls(project, lock)

    def file(self, name: str) -> Path:
        return self.project.cache_dir / name

    def resolve(self, location: str, referrer: str) -> tuple[Path, str]:
        target = urljoin(referrer, location)
        entry = self._locations.get(target)
        if entry is None:
            raise WsdlError(f"{referrer}: imports {target}, which is not in the lock")
        return self.file(entry.path), entry.location

    def root_file(self, endpoint_path: str) -> str | None:
        """The cache file holding the endpoint's WSDL, or None if it has none."""
        return self.lock.endpoints.get(endpoint_path)

    def endpoint_wsdl(self, endpoint_path: str) -> Wsdl | None:
        name = self.root_file(endpoint_path)
        return self.wsdl(name) if name is not None else None

    def _load(self, name: str) -> Wsdl:
        entry = self.lock.files[name]
        return load_wsdl(self.file(name), self.resolve, location=entry.location)
