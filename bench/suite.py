"""The whole benchmark suite in one command: every script as a subprocess, a table of ratios
against issue 12's goals, a plot.

    .venv/bin/python bench/suite.py            # full sizes (about 15 minutes on 2 cores)
    .venv/bin/python bench/suite.py --quick    # fewer rounds, a 64 MiB transfer (a few minutes)
    .venv/bin/python bench/suite.py --only coldstart generation

Runs, each writing its JSON into the output folder (`bench/results/` by default):

- `runtime.py --sizes 1 100 1000 10000`: decoding (`Client.finish` against the lxml floor and
  zeep), request building (`Client.prepare` against zeep's `create_message`);
- `coldstart.py`: a new process (import, `Client(...)`, first service) against zeep's import +
  `Client(wsdl)`;
- `generation.py`: `altinn-codegen generate` from an empty format cache and after a one-line WSDL
  change, against `xsdata generate` of all WSDLs at once;
- `mtom.py`: 1 GiB (`--quick`: 64 MiB) streamed upload and download through the mock, against
  raw HTTP;
- `arguments.py`: what checking a call's arguments costs (its ratios, once it writes a JSON).

Each script's JSON may hold a top-level `"ratios"` object (`{name: number}`): the suite takes
those as they are. For a JSON without it, the ratios are computed here from the script's own
fields (`fallback_ratios`). Then it prints one table (ratio, goal, met) and writes
`suite.json` and `suite.png` (a bar per ratio, the goal marked) into the output folder. A script
that fails is reported with its exit status; the others still run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import machine, write_json

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SIZES = ("1", "100", "1000", "10000")


@dataclass(frozen=True)
class Script:
    name: str
    full: tuple[str, ...]  # arguments besides --output
    quick: tuple[str, ...]


SCRIPTS = (
    Script(
        "runtime",
        ("--sizes", *SIZES),
        ("--sizes", *SIZES, "--rounds", "3", "--probes", "1"),
    ),
    Script("coldstart", (), ("--rounds", "5")),
    Script("generation", (), ("--rounds", "1")),
    Script("mtom", (), ("--size-mib", "64", "--rounds", "1")),
    Script("arguments", (), ("--calls", "2000")),
)


@dataclass(frozen=True)
class Goal:
    limit: float
    at_most: bool  # the ratio must be at most the limit (else at least)
    text: str


# Issue 12's goals, by ratio name (ratios without a goal are shown without one).
GOALS = {
    **{
        f"decode_{size}_vs_lxml_floor": Goal(2.0, True, "<= 2x lxml floor")
        for size in ("1000", "10000")
    },
    "request_vs_zeep": Goal(0.5, True, "<= 0.5x zeep"),
    "cold_start_vs_zeep": Goal(1.0, True, "<= zeep"),
    "generation_full_vs_xsdata": Goal(1.5, True, "<= 1.5x xsdata"),
    "generation_incremental_vs_full": Goal(0.5, True, "much less than full"),
    "mtom_upload_vs_raw": Goal(0.7, False, ">= 0.7x raw"),
    "mtom_download_vs_raw": Goal(0.7, False, ">= 0.7x raw"),
}
# Names the scripts' own "ratios" may use for the same measures.
ALIASES = {"cold_start": "cold_start_vs_zeep", "upload_ratio": "mtom_upload_vs_raw"}
ALIASES["download_ratio"] = "mtom_download_vs_raw"


def _median(node: Any, *path: str) -> float | None:
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    if isinstance(node, dict):
        node = node.get("median")
    return float(node) if isinstance(node, int | float) else None


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return round(top / bottom, 3) if top is not None and bottom else None


def _runtime_ratios(data: dict[str, Any]) -> dict[str, float | None]:
    ratios: dict[str, float | None] = {}
    for size, entry in (data.get("parsing") or {}).items():
        methods = entry.get("methods", {})
        ours = _median(methods, "client_finish", "ms_per_parse")
        ratios[f"decode_{size}_vs_lxml_floor"] = _ratio(
            ours, _median(methods, "lxml_fromstring_iterate", "ms_per_parse")
        )
        ratios[f"decode_{size}_vs_zeep"] = _ratio(
            ours, _median(methods, "zeep_process_reply", "ms_per_parse")
        )
    request = data.get("request") or {}
    ratios["request_vs_zeep"] = _ratio(
        _median(request, "client_prepare", "us_per_call"),
        _median(request, "zeep_create_message", "us_per_call"),
    )
    return ratios


def _generation_ratios(data: dict[str, Any]) -> dict[str, float | None]:
    full = _median(data, "cli_generate")
    changed = data.get("cli_generate", {}).get("one_wsdl_line_changed")
    return {
        "generation_full_vs_xsdata": _ratio(full, _median(data, "xsdata", "all_at_once")),
        "generation_incremental_vs_full": _ratio(_median(changed), full),
    }


def _coldstart_ratios(data: dict[str, Any]) -> dict[str, float | None]:
    times = data.get("milliseconds", {})
    return {
        "cold_start_vs_zeep": _ratio(_median(times, "altinn2"), _median(times, "zeep")),
        "cold_start_first_call_vs_zeep": _ratio(
            _median(times, "altinn2_call"), _median(times, "zeep_call")
        ),
    }


def _mtom_ratios(data: dict[str, Any]) -> dict[str, float | None]:
    return {
        "mtom_upload_vs_raw": data.get("upload_ratio"),
        "mtom_download_vs_raw": data.get("download_ratio"),
    }


def _no_ratios(data: dict[str, Any]) -> dict[str, float | None]:
    return {}


FALLBACKS: dict[str, Callable[[dict[str, Any]], dict[str, float | None]]] = {
    "runtime": _runtime_ratios,
    "generation": _generation_ratios,
    "coldstart": _coldstart_ratios,
    "mtom": _mtom_ratios,
}


def fallback_ratios(name: str, data: dict[str, Any]) -> dict[str, float]:
    """The ratios of a script's JSON: its own `"ratios"` (names mapped to the suite's where they
    differ), completed by what the suite computes from the script's fields."""
    computed = FALLBACKS.get(name, _no_ratios)(data)
    own = data.get("ratios")
    if isinstance(own, dict):
        named: dict[str, Any] = own  # JSON: the keys are strings
        computed.update({ALIASES.get(key, key): value for key, value in named.items()})
    return {
        key: float(value)
        for key, value in computed.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }


def _options(path: Path) -> str:
    """The script's --help text (which options it takes: they change as the scripts grow)."""
    done = subprocess.run(
        [sys.executable, str(path), "--help"], cwd=REPO, capture_output=True, text=True
    )
    return done.stdout


def run_script(script: Script, quick: bool, output: Path) -> dict[str, Any]:
    target = output / f"{script.name}.json"
    path = BENCH / f"{script.name}.py"
    options = _options(path)
    command = [sys.executable, str(path)]
    wanted = list(script.quick if quick else script.full)
    if wanted and wanted[0] not in options:
        wanted = []  # an option the script does not take (yet): its defaults
    command += wanted
    if "--output" in options:
        command += ["--output", str(target)]
    else:
        target.unlink(missing_ok=True)  # prints only: no ratios but its output
    shown = [Path(command[1]).relative_to(REPO).as_posix(), *wanted]  # no machine paths
    print(f"== {script.name}: {' '.join(shown)}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, check=False)
    seconds = round(time.perf_counter() - started, 1)
    result: dict[str, Any] = {"command": shown, "exit": done.returncode, "seconds": seconds}
    if done.returncode == 0 and target.is_file():
        data = json.loads(target.read_text(encoding="utf-8"))
        result["ratios"] = fallback_ratios(script.name, data)
    else:
        result["ratios"] = {}
    return result


def table(ratios: dict[str, tuple[str, float]]) -> list[str]:
    lines = [f"{'ratio':<34} {'value':>8}  {'goal':<22} met", "-" * 72]
    for name, (script, value) in ratios.items():
        goal = GOALS.get(name)
        met = "" if goal is None else "yes" if _met(goal, value) else "NO"
        text = goal.text if goal else ""
        lines.append(f"{name:<34} {value:>8.3f}  {text:<22} {met}   ({script})")
    return lines


def _met(goal: Goal, value: float) -> bool:
    return value <= goal.limit if goal.at_most else value >= goal.limit


def plot(ratios: dict[str, tuple[str, float]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(ratios)
    values = [ratios[name][1] for name in names]
    colors = [
        "tab:gray" if name not in GOALS else "tab:green" if _met(GOALS[name], v) else "tab:red"
        for name, v in zip(names, values, strict=True)
    ]
    figure, axes = plt.subplots(figsize=(10, 0.45 * len(names) + 1.5))
    positions = range(len(names))
    axes.barh(positions, values, color=colors)
    for position, name in zip(positions, names, strict=True):
        goal = GOALS.get(name)
        if goal is not None:
            axes.plot([goal.limit] * 2, [position - 0.4, position + 0.4], color="black")
    axes.set_yticks(list(positions), names)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.axvline(1.0, color="gray", linewidth=0.5, linestyle="--")
    axes.set_xlabel("ratio (log scale); black mark: the goal; green met, red not")
    axes.set_title(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, 64 MiB transfers")
    parser.add_argument("--only", nargs="+", choices=[s.name for s in SCRIPTS], default=None)
    parser.add_argument("--output", type=Path, default=BENCH / "results")
    args = parser.parse_args()
    chosen = [s for s in SCRIPTS if args.only is None or s.name in args.only]
    info = machine()
    runs = {script.name: run_script(script, args.quick, args.output) for script in chosen}
    ratios = {
        name: (script, value)
        for script, run in runs.items()
        for name, value in run["ratios"].items()
    }
    print()
    print("\n".join(table(ratios)))
    failed = [f"{name} (exit {run['exit']})" for name, run in runs.items() if run["exit"]]
    if failed:
        print(f"failed: {', '.join(failed)}")
    when = datetime.now(UTC).isoformat(timespec="seconds")
    write_json(
        args.output / "suite.json",
        {
            "benchmark": "suite",
            "date": when,
            "quick": args.quick,
            "machine": info,
            "runs": runs,
            "ratios": {name: value for name, (_, value) in ratios.items()},
            "goals": {name: goal.text for name, goal in GOALS.items()},
        },
    )
    if ratios:
        mode = "quick" if args.quick else "full"
        plot(ratios, args.output / "suite.png", f"altinn2 benchmark ratios ({mode}, {when})")
    print(f"wrote {args.output / 'suite.json'} and {args.output / 'suite.png'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
