"""Cold start: a new process that imports the client, makes a `Client` and reads a service,
against zeep's import + `Client(wsdl)` for the same service (issue 12's goal: no slower).

    .venv/bin/python bench/coldstart.py                  # 15 rounds, bench/results/coldstart.json
    .venv/bin/python bench/coldstart.py --rounds 5 --output /tmp/coldstart.json

Each round starts, in turn, one process per variant (`python -c ...`, `-I`-free so the editable
installs resolve as users have them), and times it from the parent with `time.perf_counter`
around `subprocess.run`: interpreter start-up included, as a user sees it. The interpreter alone
(`python -c pass`) is measured the same way, and each figure is also given without it.

Variants: `python` runs nothing (`pass`: the interpreter's own start-up); `altinn2` imports
altinn2, makes a `Client(environment="tt02", system=...)` and reads
`client.reportee_element_list`; `zeep` imports zeep and makes a `zeep.Client` on the cached
`ReporteeElementListExternalBasic.svc.wsdl`.

`ratios.cold_start` is altinn2 / zeep (medians, start-up included; goal at most 1).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import machine, summary, versions, write_json

REPO = Path(__file__).resolve().parent.parent
WSDL = REPO / "spec/wsdl/ServiceEngineExternal/ReporteeElementListExternalBasic.svc.wsdl"

VARIANTS = {
    "python": "pass",
    "altinn2": (
        "import altinn2\n"
        "client = altinn2.Client(environment='tt02',"
        " system=altinn2.SystemCredentials('12345', 'password'))\n"
        "client.reportee_element_list\n"
    ),
    "zeep": "import zeep\nzeep.Client({wsdl!r})\n",
}


def run(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    return time.perf_counter() - started


def bench(rounds: int, wsdl: Path) -> dict[str, Any]:
    codes = {name: code.format(wsdl=str(wsdl)) for name, code in VARIANTS.items()}
    for code in codes.values():  # warm the page cache and the bytecode caches once
        run(code)
    times: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(rounds):
        for name, code in codes.items():
            times[name].append(run(code) * 1000)
    result: dict[str, Any] = {name: summary(values, 1) for name, values in times.items()}
    base = result["python"]["median"]
    for name in ("altinn2", "zeep"):
        result[name]["median_without_interpreter"] = round(result[name]["median"] - base, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--wsdl", type=Path, default=WSDL)
    parser.add_argument("--output", type=Path, default=REPO / "bench/results/coldstart.json")
    args = parser.parse_args()
    if not args.wsdl.is_file():
        raise SystemExit(f"{args.wsdl}: not found (run `make fetch` first)")
    info = machine()
    started = time.perf_counter()
    times = bench(args.rounds, args.wsdl)
    info["load_average_at_end"] = [round(x, 2) for x in __import__("os").getloadavg()]
    ratio = times["altinn2"]["median"] / times["zeep"]["median"]
    data = {
        "benchmark": "coldstart",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "versions": versions(
            ["altinn2", "zeep", "xsdata", "lxml", "httpx"], REPO, ["templates"], "commit"
        ),
        "rounds": args.rounds,
        "milliseconds": times,
        "ratios": {"cold_start": round(ratio, 3)},
        "wall_s": round(time.perf_counter() - started, 1),
        "notes": [
            "Each figure is one new process, timed from the parent (interpreter start-up"
            " included); the variants take turns within each round; min and median over rounds.",
        ],
    }
    write_json(args.output, data)
    for name, values in times.items():
        print(f"{name:<8} median {values['median']:7.1f} ms   min {values['min']:7.1f} ms")
    print(f"cold start altinn2 / zeep (median): {ratio:.2f}  -> {args.output}")


if __name__ == "__main__":
    main()
