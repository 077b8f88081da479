"""The last generation's output, remembered under the digest of everything it was made from.

A generation reads the spec, the two locks, the WSDL cache, templates/, and runs the
generator's own code with its libraries (`stagecache.FINGERPRINT`): the digest of all of that
(`input_digest`) decides the output. `generate` keeps its output under that digest in
`.cache/stages/last-output` (with the stage cache: a cleared stage cache is a cold run); when
the next run finds the same digest, the output is what a generation would make again, byte for
byte, and only has to be in generated/ (nothing is written when it already is; otherwise the
whole tree is written and swapped in). The record starts with its digest and the hash of the
rest, and is ignored when that hash does not match or the rest does not unpickle. `check` never
reads it: it regenerates everything.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from generator.atomic import read_checked, write_checked
from generator.output import Output
from generator.project import Project
from generator.stagecache import FINGERPRINT

RECORD = "last-output"


def input_digest(project: Project) -> str:
    """Everything a generation reads, hashed: the generator (code, libraries, Python), the
    spec, both locks, every file of the WSDL cache and of templates/."""
    digest = hashlib.sha256(f"{FINGERPRINT}\0".encode())

    def add(label: str, path: Path) -> None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            digest.update(f"{label}\0absent\0".encode())
            return
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("spec", project.spec_path)
    add("lock", project.lock_path)
    add("names", project.names_lock_path)
    # Through linked folders (`os.walk` with `followlinks`): a generation reads through them.
    for name, folder in (("wsdl", project.cache_dir), ("templates", project.templates_dir)):
        for relative in files_under(folder):
            add(f"{name}/{relative}", folder / relative)
    return digest.hexdigest()


def files_under(folder: Path) -> list[str]:
    """Every file below `folder` (relative, sorted), through linked folders as a generation
    reads them; compiled Python aside."""
    found = []
    for top, folders, files in os.walk(folder, followlinks=True):
        folders[:] = [name for name in folders if name != "__pycache__"]
        base = Path(top).relative_to(folder)
        found += [(base / name).as_posix() for name in files if (Path(top) / name).is_file()]
    return sorted(found)


class LastOutput:
    """The output of the last successful `generate` of `project`, under its input digest."""

    def __init__(self, project: Project) -> None:
        self.path = project.stage_cache_dir / RECORD

    def load(self, digest: str) -> Output | None:
        """The output remembered under `digest`, or None (another digest, or no good record)."""
        data = read_checked(self.path, f"{digest}\n".encode())
        if data is None:
            return None  # another run's (not even read on), or damaged: never trusted
        try:
            output = pickle.loads(data)
        except Exception:  # a record of another layout
            return None
        return output if isinstance(output, Output) else None

    def save(self, digest: str, output: Output) -> None:
        """Remember `output` under `digest`: the digest, the hash of the rest, the output."""
        data = pickle.dumps(output, protocol=pickle.HIGHEST_PROTOCOL)
        write_checked(self.path, data, f"{digest}\n".encode())
