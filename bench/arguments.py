"""What checking a call's arguments costs: `build_body` of GetReporteeElementListBasicV2 with and
without the checks of `altinn2.runtime.arguments` (in-process, no network).

    .venv/bin/python bench/arguments.py [--calls 20000]
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time
from collections.abc import Callable
from typing import Any

import altinn2.runtime.request as request
from altinn2.services.reportee_element_list import (
    GET_REPORTEE_ELEMENT_LIST_BASIC_V2 as OP,
    ExternalSearchBEV2,
)
from altinn2.testing import example


def lookup(kind: object, given: object, required: bool) -> str:
    return "credential"


def per_call(arguments: dict[str, Any], calls: int) -> float:
    """The median over 5 rounds of the time of one `build_body`, in microseconds."""
    request.build_body(OP, arguments, lookup)  # the per-class caches filled
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls):
            request.build_body(OP, arguments, lookup)
        rounds.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20000)
    calls = parser.parse_args().calls
    typed = {"search_be": example(ExternalSearchBEV2), "language_id": 1044}
    python_dates = {
        "search_be": ExternalSearchBEV2(
            reportee="910000000",
            from_date=datetime.date(2024, 1, 1),  # type: ignore[arg-type]
            to_date=datetime.datetime(2024, 2, 1, 12, 0),  # type: ignore[arg-type]
        ),
        "language_id": 1044,
    }
    print(f"checked, xsdata types:        {per_call(typed, calls):6.1f} us per call")
    print(f"checked, datetime/date given: {per_call(python_dates, calls):6.1f} us per call")
    checked: Callable[..., Any] = request._checked
    request._checked = lambda operation, check, value, path: value  # type: ignore[assignment]
    try:
        print(f"not checked:                  {per_call(typed, calls):6.1f} us per call")
    finally:
        request._checked = checked  # type: ignore[assignment]


if __name__ == "__main__":
    main()
