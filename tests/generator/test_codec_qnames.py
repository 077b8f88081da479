"""A codec module's `QNAMES` entries printed on one line exactly when that line fits black's
100 columns, so black leaves the table as the template prints it."""

from __future__ import annotations

from pathlib import Path

import black
import pytest

from generator.codecs.plan import CONVERSIONS
from generator.codecs.render import ModuleView, _str
from generator.render import environment

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MODE = black.Mode(line_length=100)


def qnames_table(name: str) -> list[str]:
    """The `QNAMES` table of a module whose one class (alias `_m0`) is called `name`."""
    view = ModuleView("altinn2.models.x", "_m0", [], [], [], [], [], [(name, "_Q0")])
    source = (
        environment(TEMPLATES)
        .get_template("codecs.py.jinja")
        .render(view=view, conversions=CONVERSIONS, str=_str)
    )
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("QNAMES"))
    return lines[start : lines.index("}", start) + 1]


@pytest.mark.parametrize("width", [99, 100, 101, 102])
def test_an_entry_is_on_one_line_when_it_fits(width: int) -> None:
    # "    _m0.<name>: _Q0," is the name and 14 characters
    table = qnames_table("N" * (width - 14))
    assert len(table) == (3 if width <= 100 else 5)
    assert max(len(line) for line in table) <= 100
    text = "\n".join(table) + "\n"
    assert black.format_str(text, mode=MODE) == text
