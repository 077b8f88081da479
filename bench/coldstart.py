"""Cold start: a new process that imports the client, makes a `Client` and reads a service,
against zeep's import + `Client(wsdl)` for the same service (issue 12's goal: no slower).

    .venv/bin/python bench/coldstart.py                  # 15 rounds, bench/results/coldstart.json
    .venv/bin/python bench/coldstart.py --rounds 5 --output /tmp/coldstart.json
    .venv/bin/python bench/coldstart.py --against OLD/generated   # also another revision's

Each round starts, in turn, one process per variant (`python -c ...`, `-I`-free so the editable
installs resolve as users have them), and times it from the parent with `time.perf_counter`
around the process: interpreter start-up included, as a user sees it; the process's own CPU time
(user + system, from `os.wait4`) is recorded beside it, less sensitive to a busy machine. The
interpreter alone (`python -c pass`) is measured the same way, and each figure is also given
without it.

The processes run from bytecode caches, as installed code does (pip compiles what it installs):
PYTHONDONTWRITEBYTECODE is left out of their environment, so that the warm-up round writes the
caches of the editable `altinn2` (with it set, every process compiled altinn2's modules from
source while zeep's came compiled, about 40 ms against altinn2).

`--against DIR` (a `generated/` folder of another revision, e.g. `git archive REV generated |
tar -x -C OLD`) adds `altinn2_against` and `altinn2_call_against`: the same with `PYTHONPATH=DIR`,
in the same rounds, for an old-against-new comparison.

Variants: `python` runs nothing (`pass`: the interpreter's own start-up); `altinn2` imports
altinn2, makes a `Client(environment="tt02", system=...)` and reads
`client.reportee_element_list`; `zeep` imports zeep and makes a `zeep.Client` on the cached
`ReporteeElementListExternalBasic.svc.wsdl`.

The first call, the same way: `altinn2_call` and `zeep_call` start as above and then call
GetCorrespondenceListForArchiveRefBasic once against the offline mock (`altinn2.testing`, run by
this process on 127.0.0.1 with its full default answers), each reading the typed answer: what
the client loads with its first call (the HTTP stack, the operation's codecs) is counted there.

`ratios.cold_start` is altinn2 / zeep (medians, start-up included; goal at most 1);
`ratios.cold_start_first_call` is altinn2_call / zeep_call.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import machine, summary, versions, write_json

from altinn2.testing import DEFAULT_SYSTEM, MockAltinn

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
    "altinn2_call": (
        "import altinn2\n"
        "client = altinn2.Client(base_url={url!r},"
        " system=altinn2.SystemCredentials({user!r}, {password!r}))\n"
        "answer = client.reportee_element_list.get_correspondence_list_for_archive_ref_basic("
        "reportee='910514458', archive_reference='AR123', language_id=1044)\n"
        "assert answer, answer\n"
    ),
    "zeep_call": (
        "import zeep\n"
        "client = zeep.Client({wsdl!r})\n"
        "service = client.create_service({binding!r}, {url!r} + {path!r})\n"
        "answer = service.GetCorrespondenceListForArchiveRefBasic(systemUserName={user!r},"
        " systemPassword={password!r}, reportee='910514458', archiveReference='AR123',"
        " languageID=1044)\n"
        "assert answer, answer\n"
    ),
}
BINDING = (
    "{http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2009/10}"
    "BasicHttpBinding_IReporteeElementListExternalBasic"
)
PATH = "/ServiceEngineExternal/ReporteeElementListExternalBasic.svc"


# The children's environment: bytecode caches written and read (see the docstring).
CHILD_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run(code: str, pythonpath: Path | None = None) -> tuple[float, float]:
    """The wall time of a new process running `code`, and its CPU time (seconds)."""
    env = dict(CHILD_ENV)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, process.args)
    return wall, usage.ru_utime + usage.ru_stime


def bench(rounds: int, wsdl: Path, url: str, against: Path | None = None) -> dict[str, Any]:
    fields = {
        "wsdl": str(wsdl),
        "url": url,
        "binding": BINDING,
        "path": PATH,
        "user": DEFAULT_SYSTEM.user_name,
        "password": DEFAULT_SYSTEM.password.reveal(),  # the mock's own, not a secret
    }
    runs: dict[str, tuple[str, Path | None]] = {
        name: (code.format(**fields), None) for name, code in VARIANTS.items()
    }
    if against is not None:
        for name in ("altinn2", "altinn2_call"):
            runs[f"{name}_against"] = (runs[name][0], against)
    for code, path in runs.values():  # warm the page cache and the bytecode caches once
        run(code, path)
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (code, path) in runs.items():
            wall, used = run(code, path)
            times[name].append(wall * 1000)
            cpu[name].append(used * 1000)
    result: dict[str, Any] = {name: summary(values, 1) for name, values in times.items()}
    base = result["python"]["median"]
    cpu_base = summary(cpu["python"], 1)["median"]
    for name in result:
        result[name]["cpu"] = summary(cpu[name], 1)
        if name != "python":
            result[name]["median_without_interpreter"] = round(result[name]["median"] - base, 1)
            result[name]["cpu"]["median_without_interpreter"] = round(
                result[name]["cpu"]["median"] - cpu_base, 1
            )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--wsdl", type=Path, default=WSDL)
    parser.add_argument("--output", type=Path, default=REPO / "bench/results/coldstart.json")
    parser.add_argument(
        "--against", type=Path, help="a generated/ folder of another revision, run beside"
    )
    args = parser.parse_args()
    if not args.wsdl.is_file():
        raise SystemExit(f"{args.wsdl}: not found (run `make fetch` first)")
    info = machine()
    started = time.perf_counter()
    with MockAltinn(defaults="full") as mock:
        times = bench(args.rounds, args.wsdl, mock.url, args.against)
    info["load_average_at_end"] = [round(x, 2) for x in __import__("os").getloadavg()]
    ratio = times["altinn2"]["median"] / times["zeep"]["median"]
    call_ratio = times["altinn2_call"]["median"] / times["zeep_call"]["median"]
    cpu_ratios = {
        "cold_start": round(times["altinn2"]["cpu"]["median"] / times["zeep"]["cpu"]["median"], 3),
        "cold_start_first_call": round(
            times["altinn2_call"]["cpu"]["median"] / times["zeep_call"]["cpu"]["median"], 3
        ),
    }
    data = {
        "benchmark": "coldstart",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "versions": versions(
            ["altinn2", "zeep", "xsdata", "lxml", "httpx"], REPO, ["templates"], "commit"
        ),
        "rounds": args.rounds,
        "milliseconds": times,
        "ratios": {"cold_start": round(ratio, 3), "cold_start_first_call": round(call_ratio, 3)},
        "cpu_ratios": cpu_ratios,
        "wall_s": round(time.perf_counter() - started, 1),
        "notes": [
            "Each figure is one new process, timed from the parent (interpreter start-up"
            " included); the variants take turns within each round; min and median over rounds.",
            "`cpu`: the process's own user + system time (os.wait4), beside its wall time.",
            "The processes run from bytecode caches (PYTHONDONTWRITEBYTECODE left out).",
        ],
    }
    write_json(args.output, data)
    for name, values in times.items():
        print(
            f"{name:<20} median {values['median']:7.1f} ms   min {values['min']:7.1f} ms"
            f"   cpu median {values['cpu']['median']:7.1f} ms"
        )
    print(f"cold start altinn2 / zeep (median): {ratio:.2f}")
    print(f"cold start + first call altinn2 / zeep (median): {call_ratio:.2f}  -> {args.output}")
    print(
        f"the same of CPU time: {cpu_ratios['cold_start']:.2f}, "
        f"{cpu_ratios['cold_start_first_call']:.2f}"
    )
    for name in ("altinn2", "altinn2_call"):
        if f"{name}_against" in times:
            ratio = times[name]["median"] / times[f"{name}_against"]["median"]
            cpu = times[name]["cpu"]["median"] / times[f"{name}_against"]["cpu"]["median"]
            print(f"{name} / {name}_against (median): {ratio:.2f}, CPU {cpu:.2f}")


if __name__ == "__main__":
    main()
