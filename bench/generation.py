"""Benchmark: the whole generator against `xsdata generate` alone, on the same cached WSDLs.

    .venv/bin/python bench/generation.py [--rounds 3] [--root .] [--output FILE]

Measures, in one run, `--rounds` times each:

1. `build_output` in-process, from an empty formatting cache: the whole generator (spec, lock
   check, coverage, models, codecs, services, templates, formatting), without writing; with a
   per-stage breakdown;
2. `altinn-codegen generate` as a command, into a temporary copy of the workspace (spec, locks,
   WSDL cache, templates): interpreter start-up, imports and the atomic write included; from an
   empty formatting cache, each round beside one `xsdata generate` of all root WSDLs together
   (one process; xsdata merges their definitions), so that the two take turns, xsdata first
   every other round; then
   again with nothing changed, and after a one-line WSDL change;
3. `xsdata generate` once per root WSDL (one `xsdata` process each, as one would run it by
   hand); xsdata with its defaults throughout.

xsdata formats what it writes with `ruff`, which it runs from PATH: the script puts the
interpreter's bin folder (.venv/bin, which has ruff) first on PATH. The WSDL cache refers to
imports by the URLs Altinn serves them from (`?wsdl=wsdl0`, `?xsd=xsd0`); two root WSDLs have such
imports (IntermediaryInboundExternalEC, ReporteeArchiveExternalStreamedEC). They are localized: the
cache is copied into the temporary folder and every import location is rewritten, by the lock's
location -> file map, to the copied file's absolute file: URI, so xsdata reads exactly the files
the generator reads and never the network.

Writes the numbers (min and median of the rounds, every round, machine and versions) as JSON to
bench/results/generation.json and prints a short summary. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from common import machine, summary, versions, write_json
from lxml import etree

import generator.generate as generate
from generator.cache import WsdlCache
from generator.formatcache import FormatCache, Formatting
from generator.lock import read_lock
from generator.project import Project
from generator.stagecache import StageCache

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WSDL = "http://schemas.xmlsoap.org/wsdl/"
XSD = "http://www.w3.org/2001/XMLSchema"
TIMEOUT = 600


# -- 1. the generator in-process, with stages --------------------------------------------------

STAGES = {  # name in generator.generate -> label
    "load_spec": "spec",
    "cover": "coverage (WSDL models)",
    "build_models": "models (schemas + xsdata)",
    "plan_services": "services plan",
    "build_codecs_for": "codec pass (plan, template, layout)",
    "render_service": "service templates",
}


@contextlib.contextmanager
def timed_stages(spent: dict[str, float]) -> Iterator[None]:
    """Wrap the functions `build_output` calls (as looked up in generator.generate)."""
    originals = {name: getattr(generate, name) for name in STAGES}

    def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return timed

    for name, function in originals.items():
        setattr(generate, name, wrap(name, function))
    cache_class = WsdlCache  # the class build_output calls `open` on
    open_cache = vars(cache_class)["open"]  # the classmethod itself, put back as it was
    cache_class.open = wrap("WsdlCache.open", cache_class.open)  # type: ignore[method-assign]
    # The formatters run in worker processes while the services render: what is timed is the
    # wait for them after that.
    result = Formatting.result  # the class generate.py uses
    Formatting.result = wrap("Formatting.result", result)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(generate, name, function)
        cache_class.open = open_cache  # type: ignore[method-assign]
        Formatting.result = result  # type: ignore[method-assign]


@contextlib.contextmanager
def empty_format_cache(folder: Path) -> Iterator[None]:
    """`build_output` with an empty formatting cache in `folder` and an empty stage cache
    beside it (not the workspace's)."""
    # generate.py's own names are replaced (it imports both classes by name)
    generate.FormatCache = lambda _: FormatCache(folder)  # type: ignore[attr-defined,assignment]
    stages = folder.with_name(f"{folder.name}-stages")
    generate.StageCache = lambda _: StageCache(stages)  # type: ignore[attr-defined,assignment]
    try:
        yield
    finally:
        generate.FormatCache = FormatCache  # type: ignore[attr-defined]
        generate.StageCache = StageCache  # type: ignore[attr-defined]


def bench_build_output(root: Path, work: Path, rounds: int) -> dict[str, Any]:
    times = []
    stages: dict[str, list[float]] = defaultdict(list)
    files = 0
    for index in range(rounds):
        spent: dict[str, float] = defaultdict(float)
        with timed_stages(spent), empty_format_cache(work / f"format-{index}"):
            started = time.perf_counter()
            output = generate.build_output(Project(root))
            times.append(time.perf_counter() - started)
        files = len(output.files)
        for name, seconds in spent.items():
            stages[name].append(seconds)
    labels = {
        **STAGES,
        "WsdlCache.open": "lock check",
        "Formatting.result": "formatting (the wait for the models' black after rendering)",
    }
    medians = {labels[name]: statistics.median(values) for name, values in stages.items()}
    medians["rest (package templates, bookkeeping)"] = max(
        0.0, statistics.median(times) - sum(medians.values())
    )
    return {
        **summary(times),
        "files": files,
        "stages_median": {name: round(seconds, 3) for name, seconds in medians.items()},
    }


# -- 2. the command -----------------------------------------------------------------------------


def copy_workspace(root: Path, target: Path) -> Project:
    (target / "spec").mkdir(parents=True)
    shutil.copy(root / "spec" / "endpoints.yaml", target / "spec" / "endpoints.yaml")
    for name in ("wsdl.lock", "models.lock"):
        shutil.copy(root / "spec" / name, target / "spec" / name)
    shutil.copytree(root / "spec" / "wsdl", target / "spec" / "wsdl")
    shutil.copytree(root / "templates", target / "templates")
    return Project(target)


def run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    return time.perf_counter() - started, done.returncode, done.stdout + done.stderr


def bench_cli(
    root: Path, work: Path, rounds: int, env: dict[str, str], beside: Callable[[int], None]
) -> dict[str, Any]:
    """The command in a copy of the workspace: from an empty formatting cache (a first run, or a
    formatter upgrade), again with nothing changed, and after a one-line WSDL change each round
    (an optional element added to a type of the Basic broker WSDL, the lock updated to match).
    `beside(round)` runs beside each cold round, after it and before it every other round
    (xsdata on all WSDLs: the two take turns, each first as often as the other)."""
    project = copy_workspace(root, work / "workspace")
    command = [str(BIN / "altinn-codegen"), "generate", "--root", str(project.root)]

    def generate_once() -> tuple[float, str]:
        seconds, code, text = run(command, project.root, env)
        if code != 0:
            raise SystemExit(f"altinn-codegen generate failed:\n{text}")
        return seconds, text

    cold, warm, incremental = [], [], []
    for index in range(rounds):
        swap = index % 2 == 1  # xsdata first every other round
        if swap:
            beside(index)
        shutil.rmtree(project.format_cache_dir, ignore_errors=True)
        shutil.rmtree(project.stage_cache_dir, ignore_errors=True)
        seconds, text = generate_once()
        cold.append(seconds)
        if not swap:
            beside(index)
    for _ in range(rounds):
        warm.append(generate_once()[0])
    for round_number in range(rounds):
        add_optional_element(project, f"BenchField{round_number}")
        incremental.append(generate_once()[0])
    startup, _, _ = run([str(BIN / "altinn-codegen"), "--help"], project.root, env)
    return {
        **summary(cold),
        "warm_unchanged": summary(warm),
        "one_wsdl_line_changed": summary(incremental),
        "startup_help_s": round(startup, 3),
        "last_output": text.strip(),
    }


BROKER_BASIC = "ServiceEngineExternal/BrokerServiceExternalBasic.svc.wsdl"


def add_optional_element(project: Project, name: str) -> None:
    """One line more in a cached WSDL (an optional element of BrokerServiceAvailableFile), and
    the lock's size and hash of that file to match, as `fetch` would write them."""
    path = project.cache_dir / BROKER_BASIC
    tree = etree.parse(str(path))
    (file_name,) = tree.getroot().iterfind(
        f".//{{{XSD}}}complexType[@name='BrokerServiceAvailableFile']/{{{XSD}}}sequence"
        f"/{{{XSD}}}element[@name='FileName']"
    )
    added = etree.Element(f"{{{XSD}}}element", minOccurs="0", name=name, nillable="true")
    added.set("type", f"{file_name.get('type', '').partition(':')[0]}:int")
    file_name.addnext(added)
    tree.write(str(path), encoding="utf-8", xml_declaration=True)
    data = path.read_bytes()
    lock = project.lock_path.read_text(encoding="utf-8")
    entry = lock.index(f"- path: {BROKER_BASIC}\n")
    end = lock.find("\n- path:", entry + 1)
    end = len(lock) if end < 0 else end
    block = lock[entry:end]
    block = re.sub(r"size: \d+", f"size: {len(data)}", block)
    block = re.sub(r"sha256: [0-9a-f]+", f"sha256: {hashlib.sha256(data).hexdigest()}", block)
    project.lock_path.write_text(lock[:entry] + block + lock[end:], encoding="utf-8")


# -- 3. xsdata alone --------------------------------------------------------------------------


def localize(root: Path, target: Path) -> list[Path]:
    """Copy the WSDL cache to `target` with every import pointing at the copied file; return the
    root WSDLs (one per endpoint that has one)."""
    lock = read_lock(root / "spec" / "wsdl.lock")
    by_location = lock.by_location()
    shutil.copytree(root / "spec" / "wsdl", target)
    for entry in lock.files.values():
        path = target / entry.path
        tree = etree.parse(str(path))
        changed = False
        for node in tree.iter(f"{{{WSDL}}}import", f"{{{XSD}}}import", f"{{{XSD}}}include"):
            attribute = "location" if node.tag == f"{{{WSDL}}}import" else "schemaLocation"
            location = node.get(attribute)
            if location is None:
                continue
            imported = by_location.get(urljoin(entry.location, location))
            if imported is None:
                raise SystemExit(f"{entry.path}: import {location} is not in the lock")
            node.set(attribute, (target / imported.path).resolve().as_uri())
            changed = True
        if changed:
            tree.write(str(path), xml_declaration=True, encoding="utf-8")
    roots = sorted({name for name in lock.endpoints.values() if name})
    return [target / name for name in roots]


class XsdataAllAtOnce:
    """`xsdata generate` of a folder of all root WSDLs, one process, a round at a time."""

    def __init__(self, roots: list[Path], work: Path, env: dict[str, str]) -> None:
        self.work, self.env = work, env
        self.together = work / "together"
        self.together.mkdir()
        for path in roots:  # one folder holding only the root WSDLs (imports are absolute URIs)
            shutil.copy(path, self.together / path.name.replace(".svc.wsdl", ".wsdl"))
        self.times: list[float] = []
        self.result = ""

    def __call__(self, index: int) -> None:
        out = self.work / f"together-{index}"
        out.mkdir()
        command = [str(BIN / "xsdata"), "generate", str(self.together), "--package", "all"]
        seconds, code, text = run(command, out, self.env)
        self.times.append(seconds)
        lines = text.strip().splitlines()
        self.result = f"rc {code}: {lines[-1] if lines else ''}"

    def summary(self) -> dict[str, Any]:
        modules = sum(1 for _ in (self.work / f"together-{len(self.times) - 1}").rglob("*.py"))
        return {**summary(self.times), "result": self.result, "python_files": modules}


def bench_xsdata(
    roots: list[Path], work: Path, rounds: int, env: dict[str, str], together: XsdataAllAtOnce
) -> dict[str, Any]:
    xsdata = str(BIN / "xsdata")

    per_round: list[float] = []
    per_file: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, str] = {}
    for index in range(rounds):
        out = work / f"per-wsdl-{index}"
        out.mkdir()
        total = 0.0
        for number, path in enumerate(roots):
            name = str(path.relative_to(work / "cache"))
            seconds, code, text = run(
                [xsdata, "generate", str(path), "--package", f"w{number:02d}"], out, env
            )
            total += seconds
            per_file[name].append(seconds)
            if code != 0:
                failures[name] = text.strip().splitlines()[-1] if text.strip() else f"rc {code}"
        per_round.append(total)

    startup, _, _ = run([xsdata, "--help"], work, env)
    return {
        "root_wsdls": len(roots),
        "per_wsdl_total": summary(per_round),
        "per_wsdl_median_each": {
            name: round(statistics.median(times), 3) for name, times in sorted(per_file.items())
        },
        "per_wsdl_failures": failures,
        "all_at_once": together.summary(),
        "startup_help_s": round(startup, 3),
    }


# -- the run ------------------------------------------------------------------------------------


def inputs(root: Path) -> dict[str, Any]:
    lock = read_lock(root / "spec" / "wsdl.lock")
    return {
        "wsdl_and_xsd_files": len(lock.files),
        "bytes": sum(entry.size for entry in lock.files.values()),
        "endpoints_with_wsdl": sum(1 for name in lock.endpoints.values() if name),
        "lock_sha256": hashlib.sha256((root / "spec" / "wsdl.lock").read_bytes()).hexdigest(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--root", type=Path, default=REPO)
    parser.add_argument("--output", type=Path, default=REPO / "bench/results/generation.json")
    args = parser.parse_args()
    root: Path = args.root.resolve()
    if not (root / "spec" / "wsdl").is_dir():
        raise SystemExit(f"{root}/spec/wsdl: no WSDL cache; run `altinn-codegen fetch` first")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    started = time.time()
    data: dict[str, Any] = {
        "benchmark": "generation",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(
            ("xsdata", "lxml", "black", "isort", "jinja2", "click", "ruff", "altinn2-codegen"),
            root,
            ("generator", "templates", "spec"),
            "generator_commit",
        ),
        "inputs": inputs(root),
        "rounds": args.rounds,
    }
    with tempfile.TemporaryDirectory(prefix="bench-generation-") as folder:
        work = Path(folder)
        print(f"build_output x{args.rounds} ...", flush=True)
        data["build_output"] = bench_build_output(root, work, args.rounds)
        roots = localize(root, work / "cache")
        together = XsdataAllAtOnce(roots, work, env)
        print(f"altinn-codegen generate and xsdata generate, taking turns, x{args.rounds} ...")
        data["cli_generate"] = bench_cli(root, work, args.rounds, env, together)
        print(f"xsdata generate per WSDL x{args.rounds} ...", flush=True)
        data["xsdata"] = bench_xsdata(roots, work, args.rounds, env, together)
        cold, xs = data["cli_generate"], data["xsdata"]["all_at_once"]
        data["side_by_side"] = {
            "generate_over_xsdata_all_at_once_min": round(cold["min"] / xs["min"], 3),
            "generate_over_xsdata_all_at_once_median": round(cold["median"] / xs["median"], 3),
        }
    data["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    data["wall_s"] = round(time.time() - started, 1)
    data["notes"] = [
        "Times are wall-clock seconds (time.perf_counter); min and median over the rounds.",
        "build_output is in-process after imports; altinn-codegen generate includes interpreter "
        "start-up, imports and writing generated/ (atomic swap) in a temporary workspace.",
        "xsdata runs with its defaults (filenames structure style, its own naming, WSDL mode); it "
        "formats its output with ruff from PATH (.venv/bin first on PATH).",
        "The two root WSDLs with imports (IntermediaryInboundExternalEC: wsdl:import of "
        "?wsdl=wsdl0; ReporteeArchiveExternalStreamedEC: xsd:import of ?xsd=xsd0..4) are "
        "localized: imports rewritten to absolute file: URIs of the cached copies, via the lock.",
        "per_wsdl_total is the sum of one xsdata process per root WSDL; all_at_once is one "
        "process on a folder of all root WSDLs, run after each cold generate (taking turns).",
        "The machine is shared; compare load_average_at_start/end.",
    ]
    write_json(args.output, data)
    print_summary(data, args.output)


def print_summary(data: dict[str, Any], output: Path) -> None:
    build, cli, xs = data["build_output"], data["cli_generate"], data["xsdata"]
    per, together = xs["per_wsdl_total"], xs["all_at_once"]
    cpu = data["machine"].get("cpu", data["machine"]["machine"])
    print()
    print(f"generation benchmark, {data['rounds']} rounds, {data['machine']['cpus']} CPUs ({cpu})")
    print(
        f"  build_output (in-process)      min {build['min']:6.2f} s  median "
        f"{build['median']:6.2f} s  ({build['files']} files)"
    )
    stages = ", ".join(f"{name} {seconds:.2f}" for name, seconds in build["stages_median"].items())
    print(f"    stages (median s): {stages}")
    print(
        f"  altinn-codegen generate (CLI)  min {cli['min']:6.2f} s  median {cli['median']:6.2f} s"
        f"  (empty formatting cache; start-up {cli['startup_help_s']:.2f} s)"
    )
    again = (("warm_unchanged", "nothing changed"), ("one_wsdl_line_changed", "one WSDL line"))
    for key, label in again:
        times = cli[key]
        print(
            f"    again, {label:<15}      min {times['min']:6.2f} s  median "
            f"{times['median']:6.2f} s"
        )
    print(
        f"  xsdata, one process per WSDL   min {per['min']:6.2f} s  median {per['median']:6.2f} s"
        f"  ({xs['root_wsdls']} WSDLs, {len(xs['per_wsdl_failures'])} failed;"
        f" start-up {xs['startup_help_s']:.2f} s each)"
    )
    print(
        f"  xsdata, all WSDLs at once      min {together['min']:6.2f} s  median "
        f"{together['median']:6.2f} s  ({together['result']})"
    )
    side = data["side_by_side"]
    print(
        f"  generate / xsdata all at once  min {side['generate_over_xsdata_all_at_once_min']:.2f}x"
        f"  median {side['generate_over_xsdata_all_at_once_median']:.2f}x  (taking turns; load"
        f" average {data['machine']['load_average_at_start'][0]} at the start,"
        f" {data['machine']['load_average_at_end'][0]} at the end)"
    )
    print(f"written to {output}")


if __name__ == "__main__":
    main()
