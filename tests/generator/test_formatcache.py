"""The formatting cache: the same output as formatting anew, only what changed formatted again."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import formatcache
from generator.formatcache import FormatCache, format_python

SOURCES = {
    "a.py": "import sys\nimport os\nx = {  'a':1 }\n",
    "b.py": "def f( y ):\n  return y\n",
    "c.py": "from typing import Any\nvalue: Any = [1,\n2]\n",
}


@pytest.fixture
def formatted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources formatted for real in this test (fewer than 8 modules: no process pool)."""
    seen: list[str] = []
    real = formatcache.format_source

    def counting(source: str) -> str:
        seen.append(source)
        return real(source)

    monkeypatch.setattr(formatcache, "format_source", counting)
    return seen


def test_the_cache_gives_what_formatting_gives(tmp_path: Path, formatted: list[str]) -> None:
    cache = FormatCache(tmp_path / "format")
    fresh = format_python(SOURCES)
    assert fresh["a.py"] == 'import os\nimport sys\n\nx = {"a": 1}\n'
    assert format_python(SOURCES, cache) == fresh
    formatted.clear()
    assert format_python(SOURCES, cache) == fresh
    assert formatted == []  # every module came from the cache


def test_only_a_changed_module_is_formatted_again(tmp_path: Path, formatted: list[str]) -> None:
    cache = FormatCache(tmp_path / "format")
    format_python(SOURCES, cache)
    formatted.clear()
    changed = {**SOURCES, "b.py": "def f( z ):\n  return z\n"}
    assert format_python(changed, cache)["b.py"] == "def f(z):\n    return z\n"
    assert formatted == [changed["b.py"]]
    # The entry of the old b.py is gone: the folder holds one generation.
    assert len(list((tmp_path / "format").glob("*/*"))) == len(SOURCES)


def test_a_damaged_entry_is_formatted_again(tmp_path: Path, formatted: list[str]) -> None:
    cache = FormatCache(tmp_path / "format")
    fresh = format_python(SOURCES, cache)
    entry = cache.path(cache.key(SOURCES["a.py"]))
    entry.write_text(entry.read_text(encoding="utf-8").replace("x", "y"), encoding="utf-8")
    formatted.clear()
    assert format_python(SOURCES, cache) == fresh
    assert formatted == [SOURCES["a.py"]]


def test_other_formatter_versions_do_not_share_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = FormatCache(tmp_path / "format")
    before = cache.key(SOURCES["a.py"])
    monkeypatch.setattr(formatcache, "SETTINGS", formatcache.SETTINGS + " other black")
    assert cache.key(SOURCES["a.py"]) != before


def test_the_copied_templates_are_formatted_as_the_generator_formats() -> None:
    """The runtime and the mock are copied, not formatted again: formatting would leave them
    as they are (isort with the generator's settings, then black)."""
    from generator.generate import static_sources
    from tests.conftest import REPO

    sources = static_sources(REPO / "templates")
    assert len(sources) > 20
    unformatted = [
        path for path, text in sources.items() if formatcache.format_source(text) != text
    ]
    assert unformatted == []
