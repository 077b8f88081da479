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

The first call, the same way: `altinn2_call` and `zeep_call` start as above and then call
GetCorrespondenceListForArchiveRefBasic once against the offline mock (`altinn2.testing`, run by
this process on 127.0.0.1 with its full default answers), each reading the typed answer: what
the client loads with its first call (the HTTP stack, the operation's codecs) is counted there.

`ratios.cold_start` is altinn2 / zeep (medians, start-up included; goal at most 1);
`ratios.cold_start_first_call` is altinn2_call / zeep_call.
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


def run(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    return time.perf_counter() - started


def bench(rounds: int, wsdl: Path, url: str) -> dict[str, Any]:
    fields = {
        "wsdl": str(wsdl),
        "url": url,
        "binding": BINDING,
        "path": PATH,
        "user": DEFAULT_SYSTEM.user_name,
        "password": DEFAULT_SYSTEM.password.reveal(),  # the mock's own, not a secret
    }
    codes = {name: code.format(**fields) for name, code in VARIANTS.items()}
    for code in codes.values():  # warm the page cache and the bytecode caches once
        run(code)
    times: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(rounds):
        for name, code in codes.items():
            times[name].append(run(code) * 1000)
    result: dict[str, Any] = {name: summary(values, 1) for name, values in times.items()}
    base = result["python"]["median"]
    for name in ("altinn2", "zeep", "altinn2_call", "zeep_call"):
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
    with MockAltinn(defaults="full") as mock:
        times = bench(args.rounds, args.wsdl, mock.url)
    info["load_average_at_end"] = [round(x, 2) for x in __import__("os").getloadavg()]
    ratio = times["altinn2"]["median"] / times["zeep"]["median"]
    call_ratio = times["altinn2_call"]["median"] / times["zeep_call"]["median"]
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
        "wall_s": round(time.perf_counter() - started, 1),
        "notes": [
            "Each figure is one new process, timed from the parent (interpreter start-up"
            " included); the variants take turns within each round; min and median over rounds.",
        ],
    }
    write_json(args.output, data)
    for name, values in times.items():
        print(f"{name:<12} median {values['median']:7.1f} ms   min {values['min']:7.1f} ms")
    print(f"cold start altinn2 / zeep (median): {ratio:.2f}")
    print(f"cold start + first call altinn2 / zeep (median): {call_ratio:.2f}  -> {args.output}")


if __name__ == "__main__":
    main()
