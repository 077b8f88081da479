"""What building a request costs: `Client.prepare` against zeep's `create_message` + `tostring`
for a typical request (GetReporteeElementListBasicV2) and a large one (SubmitFormTaskBasic, a
form task shipment with `--forms` forms), then what checking a call's arguments costs
(`build_body` with and without the checks of `altinn2.runtime.arguments`). In-process, no network.

    .venv/bin/python bench/arguments.py [--calls 20000] [--forms 200] [--output FILE]

Writes bench/results/arguments.json, with the ratios (ours / zeep, minimum of the rounds) under
"ratios".
"""

from __future__ import annotations

import argparse
import copy
import datetime
import gc
import os
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import runtime
import zeep
from common import machine, summary, versions, write_json
from lxml import etree
from xsdata.models.datatype import XmlDateTime

import altinn2.runtime.request as request
from altinn2.runtime import codec
from altinn2.services.intermediary_inbound import SUBMIT_FORM_TASK_BASIC
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


REPO = Path(__file__).resolve().parent.parent
INBOUND_WSDL = REPO / "spec/wsdl/IntermediaryExternal/IntermediaryInboundBasic.svc.wsdl"
FORM_DATA = "<Skjema><Felt>" + "x" * 1000 + "</Felt></Skjema>"  # about 1 KB per form


def shipment_body(forms: int) -> Any:
    """SubmitFormTaskBasic: the full example shipment, its form task holding `forms` forms
    (each its own reference and about 1 KB of form data)."""
    body = example(SUBMIT_FORM_TASK_BASIC.input, full=True)
    task = body.form_task_shipment.form_tasks
    (form,) = task.forms[:1]
    task.forms = []
    for index in range(forms):
        each = copy.deepcopy(form)
        each.end_user_system_reference = f"form-{index}"
        each.form_data = FORM_DATA
        task.forms.append(each)
    return body


def zeep_value(value: Any) -> Any:
    """A model object as zeep takes it: element names, wrappers as {item: [...]}."""
    if isinstance(value, XmlDateTime):
        return value.to_datetime()
    if hasattr(value, "value") and not hasattr(value, "__dataclass_fields__"):
        return value.value  # an enum member
    if not hasattr(value, "__dataclass_fields__"):
        return value
    found: dict[str, Any] = {}
    for var in codec.context().build(type(value)).get_element_vars():
        field = getattr(value, var.name)
        if field is None:
            continue
        name = etree.QName(var.wrapper_qname or var.qname).localname
        if var.wrapper_qname:
            found[name] = {etree.QName(var.qname).localname: [zeep_value(i) for i in field]}
        elif var.list_element:
            found[name] = [zeep_value(item) for item in field]
        else:
            found[name] = zeep_value(field)
    return found


def bench_prepare(rounds: int, calls: int, forms: int) -> dict[str, Any]:
    """`Client.prepare` against zeep's create_message + tostring, the same values, per call."""
    client = runtime.new_client()
    cases: dict[str, tuple[Any, Any, Callable[[], bytes], Callable[[], bytes]]] = {}
    typical_client, typical_body = runtime.zeep_client(), runtime.request_body()
    typical_values = runtime.zeep_values()
    large_client = zeep.Client(str(INBOUND_WSDL))  # type: ignore[no-untyped-call]
    large_body = shipment_body(forms)
    large_values = zeep_value(large_body)
    cases["typical"] = (
        runtime.OPERATION,
        typical_body,
        lambda: client.prepare(runtime.OPERATION, typical_body).content,
        lambda: etree.tostring(
            typical_client.create_message(
                typical_client.service, runtime.OPERATION.name, **typical_values
            )
        ),
    )
    cases["large"] = (
        SUBMIT_FORM_TASK_BASIC,
        large_body,
        lambda: client.prepare(SUBMIT_FORM_TASK_BASIC, large_body).content,
        lambda: etree.tostring(
            large_client.create_message(  # type: ignore[no-untyped-call]
                large_client.service, SUBMIT_FORM_TASK_BASIC.name, **large_values
            )
        ),
    )
    results: dict[str, Any] = {}
    for name, (_operation, _body, ours, theirs) in cases.items():
        ours_bytes, zeep_bytes = ours(), theirs()
        if runtime.sent(ours_bytes)[1] != runtime.sent(zeep_bytes)[1]:
            raise SystemExit(f"{name}: the bodies of Client.prepare and zeep differ")
        n = calls if name == "typical" else max(1, calls // 200)
        times: dict[str, list[float]] = {"client_prepare": [], "zeep_create_message": []}
        for _ in range(rounds):
            for key, function in (("client_prepare", ours), ("zeep_create_message", theirs)):
                gc.collect()
                started = time.perf_counter()
                for _ in range(n):
                    function()
                times[key].append((time.perf_counter() - started) / n * 1e6)
        results[name] = {
            "operation": _operation.label,
            "calls_per_round": n,
            "same_body_values": True,
            "client_prepare": {"us_per_call": summary(times["client_prepare"], 1)},
            "zeep_create_message": {"us_per_call": summary(times["zeep_create_message"], 1)},
            "bytes": {"client_prepare": len(ours_bytes), "zeep_create_message": len(zeep_bytes)},
            "ratio_at_min": round(
                min(times["client_prepare"]) / min(times["zeep_create_message"]), 3
            ),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--forms", type=int, default=200, help="forms in the large request")
    parser.add_argument("--output", type=Path, default=REPO / "bench/results/arguments.json")
    args = parser.parse_args()
    calls = args.calls
    warnings.simplefilter("ignore")  # the bench client's verify=False
    data: dict[str, Any] = {
        "benchmark": "arguments",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(
            ("altinn2", "xsdata", "lxml", "zeep"), REPO, ("templates", "generated"), "commit"
        ),
        "rounds": args.rounds,
        "forms": args.forms,
    }
    print(f"request building x{args.rounds} (typical; large: {args.forms} forms) ...", flush=True)
    data["prepare"] = bench_prepare(args.rounds, 2000, args.forms)
    for name, block in data["prepare"].items():
        ours, theirs = (
            block["client_prepare"]["us_per_call"],
            block["zeep_create_message"]["us_per_call"],
        )
        print(
            f"  {name:8} Client.prepare min {ours['min']:9.1f} µs"
            f" ({block['bytes']['client_prepare']} B)   zeep min {theirs['min']:9.1f} µs"
            f" ({block['bytes']['zeep_create_message']} B)"
            f"   ratio {block['ratio_at_min']:.2f}"
        )
    typed = {"search_be": example(ExternalSearchBEV2), "language_id": 1044}
    python_dates = {
        "search_be": ExternalSearchBEV2(
            reportee="910000000",
            from_date=datetime.date(2024, 1, 1),
            to_date=datetime.datetime(2024, 2, 1, 12, 0),
        ),
        "language_id": 1044,
    }
    found = {
        "checked_xsdata_types": per_call(typed, calls),
        "checked_python_dates": per_call(python_dates, calls),
    }
    print(f"checked, xsdata types:        {found['checked_xsdata_types']:6.1f} us per call")
    print(f"checked, datetime/date given: {found['checked_python_dates']:6.1f} us per call")
    checked: Callable[..., Any] = request._checked
    request._checked = lambda operation, check, value, path: value
    try:
        found["not_checked"] = per_call(typed, calls)
        print(f"not checked:                  {found['not_checked']:6.1f} us per call")
    finally:
        request._checked = checked
    data["checks_us_per_call"] = found
    data["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    data["ratios"] = {
        f"prepare_over_zeep_{name}": block["ratio_at_min"]
        for name, block in data["prepare"].items()
    }
    write_json(args.output, data)
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
