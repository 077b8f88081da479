"""The property both line layouts must keep: a module they call known is what black writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings, strategies as st

from generator import formatcache

# Bounded and derandomized: a few seconds, the same examples in every run.
EXAMPLES = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def assert_known_is_black(
    layout: Callable[[str], tuple[str, bool]], sources: st.SearchStrategy[str]
) -> None:
    """For every drawn source `layout` calls known, its result is black's; some drawn sources
    were long enough to be split (the draw reaches past the line limit)."""
    seen: Counter[str] = Counter()

    @EXAMPLES
    @given(sources)
    def check(source: str) -> None:
        laid, known = layout(source)
        seen["laid out" if known and laid != source else "known" if known else "unknown"] += 1
        if known:
            assert laid == formatcache.black.format_str(source, mode=formatcache.MODE), source

    check()
    assert seen["laid out"], seen
