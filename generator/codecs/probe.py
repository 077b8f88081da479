"""The generated model modules, imported in memory under a private package name.

The codec pass plans each decoder from the very metadata xsdata's parser reads
(`WcfXmlContext.build`), so it imports the model sources it has just rendered (and the runtime's
`xmlcontext`, which defines that context). They are imported as `_altinn2_codec_probe.*`, never
as `altinn2.*` (an installed `altinn2` may already be imported in this process), and removed from
`sys.modules` afterwards.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.util
import sys
from collections.abc import Iterator, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

PROBE = "_altinn2_codec_probe"
PACKAGE = "altinn2"


def probe_name(module: str) -> str:
    """`altinn2.models.x` -> its name in the probe package."""
    return PROBE + module[len(PACKAGE) :]


def public_name(module: str) -> str:
    return PACKAGE + module[len(PROBE) :]


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, sources: dict[str, str]) -> None:
        self.sources = sources  # probe module name -> source
        self.packages = {name.rpartition(".")[0] for name in sources} | {PROBE}
        for name in list(self.packages):
            while "." in name:
                name = name.rpartition(".")[0]
                self.packages.add(name)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname in self.sources or fullname in self.packages:
            return importlib.util.spec_from_loader(
                fullname, self, is_package=fullname in self.packages
            )
        return None

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        source = self.sources.get(module.__name__)
        if source is not None:
            exec(compile(source, module.__name__, "exec"), module.__dict__)


@contextlib.contextmanager
def imported(sources: dict[str, str]) -> Iterator[dict[str, ModuleType]]:
    """Import `sources` ({"altinn2.models.x": source}) in the probe package; yields the modules
    by their public name."""
    renamed = {
        probe_name(name): source.replace(f"{PACKAGE}.", f"{PROBE}.")
        for name, source in sources.items()
    }
    finder = _Finder(renamed)
    sys.meta_path.insert(0, finder)
    try:
        yield {public_name(name): importlib.import_module(name) for name in sorted(renamed)}
    finally:
        sys.meta_path.remove(finder)
        for name in [name for name in sys.modules if name.split(".")[0] == PROBE]:
            del sys.modules[name]
