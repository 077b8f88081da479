"""Benchmark: the client runtime's request and response paths against xsdata's parser, zeep, lxml.

    .venv/bin/python bench/runtime.py [--rounds 7] [--sizes 1 100 1000 10000] [--output FILE]

Measures, in one run, on GetReporteeElementListBasicV2 (ReporteeElementList, Basic, SOAP 1.1):

1. response parsing of N `ReporteeElementBEV2` items (`--sizes`, 1, 100, 1000, 10000), made in
   memory from the recorded real response (its 5 items repeated, with ids, archive ids, dates
   varied), by
   a. `Client.finish(...)`: the client's whole response path (safe parse, envelope, fault check,
      `codec.from_element` with the generated decoders of `altinn2.codecs`), what users get;
   b. the same `finish` with xsdata's generic `XmlParser` (LxmlEventHandler) in place of
      `from_element`: the previous implementation;
   c. zeep 4.3.3, `binding.process_reply(client, operation, response)` on the same bytes;
   d. the lxml floor: `etree.fromstring` alone, and fromstring + reading every element's tag and
      text; besides, the runtime's own safe `parse_xml` alone;
   time per parse (min and median of `--rounds` rounds, the methods interleaved in each round),
   items per second and the peak memory of one parse, measured in a fresh process each (VmHWM
   reset through /proc/self/clear_refs, else the ru_maxrss delta), since tracemalloc does not
   see lxml's C allocations. (a) and (b) must give equal objects, (c) as many items;
2. request building: `Client.prepare(...)` with a realistic ExternalSearchBEV2, against zeep's
   `create_message` + `etree.tostring` for the same operation and values (microseconds per call);
3. one whole call over HTTP on 127.0.0.1 (keep-alive) with the sync `Client`, against a small
   server in another process that answers the 1000-item response; zeep's service call on the same
   server for comparison.

The recorded response is read in place (`--response`; default
$ALTINN2_SHARED/altinn2-traffic/...) and never copied into the repository: the larger responses
exist in memory, and for the memory probes and the server in a temporary folder. Writes the
numbers (every round, min / median, machine, load average and versions) as JSON to
bench/results/runtime.json and prints a short summary. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import ctypes
import datetime as dt
import functools
import gc
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import zeep
from common import machine, summary, versions, write_json
from lxml import etree
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler
from xsdata.models.datatype import XmlDateTime

import altinn2.runtime.client as runtime_client
from altinn2.client import Client
from altinn2.models.reportee_archive_2009_10 import ExternalSearchBEV2
from altinn2.models.reportee_element_list_service_2009_10 import (
    GetReporteeElementListBasicV2,
    GetReporteeElementListBasicV2Response,
)
from altinn2.runtime import codec
from altinn2.runtime.client import PreparedCall
from altinn2.runtime.credentials import SystemCredentials, UserCredentials
from altinn2.runtime.envelope import SOAP12, parse_xml, read_envelope
from altinn2.runtime.fastcodec import REFUSED
from altinn2.runtime.operation import OperationInfo, SoapVersion
from altinn2.runtime.registry import operation_index
from altinn2.services.reportee_element_list import GET_REPORTEE_ELEMENT_LIST_BASIC_V2
from altinn2.testing.examples import example

T = TypeVar("T")

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ALTINN2_SHARED", REPO.parent / "shared"))
RECORDED = (
    SHARED / "altinn2-traffic/ReporteeElementList/GetReporteeElementListBasicV2-response-1.xml"
)
WSDL_FILE = REPO / "spec/wsdl/ServiceEngineExternal/ReporteeElementListExternalBasic.svc.wsdl"
OPERATION = GET_REPORTEE_ELEMENT_LIST_BASIC_V2
OUTPUT = GetReporteeElementListBasicV2Response
CONTENT_TYPE = "text/xml; charset=utf-8"
SERVICE_NS = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2009/10"
ELEMENT_NS = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2010/10"
BINDING = f"{{{SERVICE_NS}}}BasicHttpBinding_IReporteeElementListExternalBasic"
ITEM = f"{{{ELEMENT_NS}}}ReporteeElementBEV2"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
TIMEOUT = 600

SYSTEM = SystemCredentials("10000", "bench-system-password")
USER = UserCredentials(
    "01017012345", "bench-user-password", pin_code="12345", auth_method="AltinnPin"
)
SERVICE_CODES = ["3349", "4711", "5220"]


# -- the responses ------------------------------------------------------------------------------


def make_response(recorded: bytes, items: int) -> bytes:
    """The recorded envelope with `items` ReporteeElementBEV2: its own, repeated in turn, each
    copy with its own ReporteeElementId (where not 0), ArchiveId (where set) and LastChangedDate
    (minutes earlier); WCF's layout (indentation, trimmed fractions of seconds) kept."""
    root = etree.fromstring(recorded)
    result = root.find(f".//{{{SERVICE_NS}}}GetReporteeElementListBasicV2Result")
    if result is None:
        raise SystemExit("the recorded response has no GetReporteeElementListBasicV2Result")
    originals = list(result)
    if not originals:
        raise SystemExit("the recorded response has no items")
    between, last = originals[0].tail, originals[-1].tail
    for item in originals:
        result.remove(item)
    for index in range(items):
        item = copy.deepcopy(originals[index % len(originals)])
        vary(item, index)
        item.tail = between if index < items - 1 else last
        result.append(item)
    return etree.tostring(root, encoding="utf-8")


def vary(item: etree._Element, index: int) -> None:
    def child(name: str) -> etree._Element | None:
        return item.find(f"{{{ELEMENT_NS}}}{name}")

    element_id = child("ReporteeElementId")
    if element_id is not None and element_id.text not in (None, "0"):
        element_id.text = str(7_000_000 + index)
    archive_id = child("ArchiveId")
    if archive_id is not None and archive_id.get(XSI_NIL) != "true":
        archive_id.text = str(5_000_000 + index)
    changed = child("LastChangedDate")
    if changed is not None and changed.text:
        moment = dt.datetime.fromisoformat(changed.text) - dt.timedelta(minutes=7 * index)
        changed.text = moment.strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")


# -- the parsers --------------------------------------------------------------------------------


def xsdata_from_element(element: etree._Element, cls: type[T], *unused: Any) -> T:
    """xsdata's generic parser, as `codec.from_element` called it before the fast binder."""
    parser = XmlParser(
        context=codec.context(), config=codec.parser_config(), handler=LxmlEventHandler
    )
    result: T = parser.parse(element, cls)
    return result


def generic_parser() -> contextlib.AbstractContextManager[Any]:
    """`Client.finish` with xsdata's parser in place of `from_element` (put back afterwards)."""
    return mock.patch.object(runtime_client, "from_element", xsdata_from_element)


@dataclass
class FakeResponse:
    """What zeep's `process_reply` reads of a `requests.Response`."""

    content: bytes
    status_code: int = 200
    encoding: str = "utf-8"

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": CONTENT_TYPE}


def new_client(base_url: str = "https://127.0.0.1") -> Client:
    return Client(base_url=base_url, system=SYSTEM, user=USER, verify=False)


def zeep_client() -> Any:
    return zeep.Client(str(WSDL_FILE))  # type: ignore[no-untyped-call]


def search() -> ExternalSearchBEV2:
    """A search as a user would send it: a period, a reportee, archived too, three services."""
    return ExternalSearchBEV2(
        from_date=XmlDateTime(2019, 1, 1, 0, 0, 0),
        to_date=XmlDateTime(2020, 3, 16, 0, 0, 0),
        reportee="910000000",
        sent_and_archived=True,
        to_be_processed=True,
        service_code_list=list(SERVICE_CODES),
    )


def request_body() -> GetReporteeElementListBasicV2:
    return GetReporteeElementListBasicV2(
        system_user_name=SYSTEM.user_name,
        system_password=SYSTEM.password.reveal(),
        user_ssn=USER.ssn.reveal(),
        user_password=USER.password.reveal(),
        user_pin_code=USER.pin_code.reveal() if USER.pin_code else "",
        auth_method=USER.auth_method or "",
        search_be=search(),
        language_id=1033,
    )


def zeep_values() -> dict[str, Any]:
    """The same values as `request_body()`, the way zeep takes them."""
    return {
        "systemUserName": SYSTEM.user_name,
        "systemPassword": SYSTEM.password.reveal(),
        "userSSN": USER.ssn.reveal(),
        "userPassword": USER.password.reveal(),
        "userPinCode": USER.pin_code.reveal() if USER.pin_code else "",
        "authMethod": USER.auth_method or "",
        "searchBE": {
            "FromDate": dt.datetime(2019, 1, 1),
            "ToDate": dt.datetime(2020, 3, 16),
            "Reportee": "910000000",
            "SentAndArchived": True,
            "ToBeProcessed": True,
            "ServiceCodeList": {"string": list(SERVICE_CODES)},
        },
        "languageID": 1033,
    }


Parse = Callable[[bytes], Any]

PARSERS = {  # key -> label
    "client_finish": "(a) Client.finish, generated decoders",
    "client_finish_xsdata": "(b) Client.finish, xsdata XmlParser",
    "zeep_process_reply": "(c) zeep process_reply",
    "lxml_fromstring": "(d) lxml fromstring",
    "lxml_fromstring_iterate": "(d) lxml fromstring + iterate",
    "runtime_parse_xml": "runtime parse_xml (safe parse) alone",
}


def finisher(generic: bool) -> Parse:
    """(a), or (b) with `generic`: `Client.finish` on a response to a prepared call."""
    client = new_client()
    call = client.prepare(OPERATION, request_body())

    def finish(data: bytes) -> Any:
        return client.finish(call, 200, CONTENT_TYPE, data, OUTPUT)

    def finish_xsdata(data: bytes) -> Any:
        with generic_parser():
            return client.finish(call, 200, CONTENT_TYPE, data, OUTPUT)

    return finish_xsdata if generic else finish


def zeep_replier() -> Parse:
    """(c): zeep's binding reads the response as if `requests` had received it."""
    zclient = zeep_client()
    binding = zclient.wsdl.bindings[BINDING]
    operation = binding.get(OPERATION.name)

    def process_reply(data: bytes) -> Any:
        return binding.process_reply(zclient, operation, FakeResponse(data))

    return process_reply


def iterate(data: bytes) -> tuple[etree._Element, int]:
    """(d): parse, then read every element's tag and text."""
    root = etree.fromstring(data)
    count = 0
    for element in root.iter():
        _ = element.tag, element.text
        count += 1
    return root, count


FACTORIES: dict[str, Callable[[], Parse]] = {
    "client_finish": lambda: finisher(generic=False),
    "client_finish_xsdata": lambda: finisher(generic=True),
    "zeep_process_reply": zeep_replier,
    "lxml_fromstring": lambda: etree.fromstring,
    "lxml_fromstring_iterate": lambda: iterate,
    "runtime_parse_xml": lambda: parse_xml,
}


def parsers() -> dict[str, Parse]:
    """Each method, set up (clients made, nothing parsed yet)."""
    return {name: make() for name, make in FACTORIES.items()}


def check_parses(methods: dict[str, Parse], data: bytes, items: int) -> dict[str, Any]:
    """(a) and (b) equal, every method sees `items` items; and whether the fast binder took the
    body itself (no fallback to xsdata)."""
    fast = methods["client_finish"](data)
    generic = methods["client_finish_xsdata"](data)
    zeep_items = methods["zeep_process_reply"](data)
    _, elements = methods["lxml_fromstring_iterate"](data)
    body = read_envelope(parse_xml(data)).body
    assert body is not None
    decode = codec.decoder_of(OUTPUT)
    try:
        binder_took_it = decode is not None and decode(body, False) == fast
    except REFUSED:
        binder_took_it = False
    checks = {
        "decoder_equals_xsdata": fast == generic,
        "decoder_items": len(fast.get_reportee_element_list_basic_v2_result or []),
        "xsdata_items": len(generic.get_reportee_element_list_basic_v2_result or []),
        "zeep_items": len(zeep_items),
        "decoder_took_the_body_itself": binder_took_it,
        "elements": elements,
    }
    wrong = [
        name for name in ("decoder_items", "xsdata_items", "zeep_items") if checks[name] != items
    ]
    if not checks["decoder_equals_xsdata"] or wrong or not binder_took_it:
        raise SystemExit(f"check failed for {items} items: {checks}")
    return checks


def timed(function: Callable[[], Any], repeat: int = 1) -> float:
    """Seconds of one call (the mean of `repeat` in a row), after a collection (so no earlier
    garbage is charged to it)."""
    gc.collect()
    started = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - started) / repeat


MEMORY_FROM = 1000  # memory is probed for responses of at least this many items


def bench_parsing(
    responses: dict[int, bytes], recorded: Path, rounds: int, work: Path, probes: int
) -> dict[str, Any]:
    methods = parsers()
    results: dict[str, Any] = {}
    for items, data in responses.items():
        print(f"  {items} items ({len(data) / 1e6:.1f} MB): checks, {rounds} rounds", flush=True)
        checks = check_parses(methods, data, items)
        times: dict[str, list[float]] = {name: [] for name in methods}
        for method in methods.values():  # warm-up, not counted
            method(data)
        repeat = max(1, 1000 // items)  # small responses: the mean of several parses in a row
        for _ in range(rounds):
            for name, method in methods.items():
                times[name].append(timed(functools.partial(method, data), repeat))
        memory: dict[str, Any] = {name: None for name in methods}
        if items >= MEMORY_FROM:
            path = work / f"response-{items}.xml"
            path.write_bytes(data)
            print(f"  {items} items: memory, {probes} fresh processes per method", flush=True)
            memory = {name: probe_memory(name, path, recorded, probes) for name in methods}
        per_method = {}
        for name, seconds in times.items():
            ms = [value * 1000 for value in seconds]
            per_method[name] = {
                "label": PARSERS[name],
                "ms_per_parse": summary(ms),
                "items_per_s_at_min": round(items / min(seconds)),
                "items_per_s_at_median": round(items / statistics.median(seconds)),
                "memory": memory[name],
            }
        results[str(items)] = {
            "bytes": len(data),
            "parses_per_measurement": repeat,
            "checks": checks,
            "methods": per_method,
        }
    return results


# -- other large answers: ours against the lxml floor -------------------------------------------

# operation -> (the list field that is repeated: the result's own list, or this field of it)
OTHER_ANSWERS = {
    "GetReceiptListBasicV2": None,  # a receipt list
    "GetCorrespondenceListForReporteeBasic": None,  # a correspondence list
    "GetArchivedFormTaskEC": "archived_attachment_list",  # an archived form task's attachments
}


def other_response(operation: OperationInfo, items: int) -> bytes:
    """`items` copies of the full example item in the operation's answer, in a SOAP envelope,
    indented as the recorded answers are."""
    assert operation.output is not None and operation.result is not None
    answer = example(operation.output, full=True)
    holder, name = answer, operation.result
    repeated = OTHER_ANSWERS[operation.name]
    if repeated is not None:
        holder, name = getattr(answer, operation.result), repeated
    (item,) = getattr(holder, name)[:1]
    setattr(holder, name, [copy.deepcopy(item) for _ in range(items)])
    namespace = SOAP11 if operation.soap_version is SoapVersion.SOAP11 else SOAP12
    envelope = etree.Element(f"{{{namespace}}}Envelope", nsmap={"s": namespace})
    etree.SubElement(envelope, f"{{{namespace}}}Body").append(codec.to_element(answer))
    etree.indent(envelope, space="   ")  # the recorded answers' layout
    return etree.tostring(envelope, encoding="utf-8")


def bench_other_responses(sizes: list[int], rounds: int) -> dict[str, Any]:
    client = new_client()
    index = {op.name: op for op in operation_index().operations}
    results: dict[str, Any] = {}
    for name in OTHER_ANSWERS:
        operation = index[name]
        output = operation.output
        assert output is not None
        call = PreparedCall(operation, client.url_for(operation), {}, b"")
        content_type = (
            "text/xml" if operation.soap_version is SoapVersion.SOAP11 else ("application/soap+xml")
        )

        def finish(data: bytes) -> Any:
            return client.finish(call, 200, content_type, data, output)  # noqa: B023

        for items in sizes:
            data = other_response(operation, items)
            # the reference: xsdata's parser as the runtime runs it (empty is not nil)
            reference = read_envelope(parse_xml(data)).body
            assert reference is not None
            expected = codec.generic_parse(reference, output)
            decode = codec.decoder_of(output)
            body = read_envelope(parse_xml(data)).body
            if (
                decode is None
                or body is None
                or decode(body, False) != expected
                or finish(data) != expected
            ):
                raise SystemExit(f"{name}: the decoder does not read {items} items as xsdata does")
            times: dict[str, list[float]] = {"client_finish": [], "lxml_fromstring_iterate": []}
            finish(data)
            for _ in range(rounds):
                times["client_finish"].append(timed(functools.partial(finish, data)) * 1000)
                times["lxml_fromstring_iterate"].append(
                    timed(functools.partial(iterate, data)) * 1000
                )
            results[f"{name}-{items}"] = {
                "operation": operation.label,
                "items": items,
                "bytes": len(data),
                "client_finish_ms": summary(times["client_finish"]),
                "lxml_fromstring_iterate_ms": summary(times["lxml_fromstring_iterate"]),
                "ratio_to_floor_at_min": round(
                    min(times["client_finish"]) / min(times["lxml_fromstring_iterate"]), 2
                ),
            }
    return results


# -- the ratios the goals are stated in ---------------------------------------------------------


def ratios(data: dict[str, Any]) -> dict[str, float]:
    """Ours over the lxml floor and over zeep (minimum times of one run), per size; memory of the
    largest decode against xsdata's; request building against zeep."""
    found: dict[str, float] = {}
    for items, block in data["parsing"].items():
        methods = block["methods"]
        ours = methods["client_finish"]["ms_per_parse"]["min"]
        for other, key in (
            ("lxml_fromstring_iterate", "decode_over_lxml_floor"),
            ("zeep_process_reply", "decode_over_zeep"),
            ("client_finish_xsdata", "decode_over_xsdata"),
        ):
            found[f"{key}_{items}"] = round(ours / methods[other]["ms_per_parse"]["min"], 3)
        if methods["client_finish"]["memory"] is not None:
            peak = methods["client_finish"]["memory"]["peak_mb"]["median"]
            xsdata_peak = methods["client_finish_xsdata"]["memory"]["peak_mb"]["median"]
            found[f"decode_peak_memory_over_xsdata_{items}"] = round(peak / xsdata_peak, 3)
    for key, block in data.get("other_responses", {}).items():
        found[f"decode_over_lxml_floor_{key}"] = block["ratio_to_floor_at_min"]
    request = data["request"]
    found["prepare_over_zeep_typical"] = round(
        request["client_prepare"]["us_per_call"]["min"]
        / request["zeep_create_message"]["us_per_call"]["min"],
        3,
    )
    return found


# -- memory, in a fresh process -----------------------------------------------------------------


def _status_kb(field: str) -> int | None:
    with contextlib.suppress(OSError):
        match = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
        if match:
            return int(match.group(1))
    return None


def _trim() -> None:
    """Collect, then give freed heap pages back to the system (glibc's malloc_trim), so that
    VmRSS shows what is still held and the next allocations are new pages, not reused ones."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def probe(name: str, path: Path, recorded: Path) -> None:
    """(In the child) one parse of `path` by `name`, after a warm-up on the recorded response;
    prints the peak and retained memory of that parse as JSON."""
    method = FACTORIES[name]()  # only what this method needs
    method(recorded.read_bytes())  # imports, plans and caches: not charged to the parse
    data = path.read_bytes()
    _trim()
    before = _status_kb("VmRSS")
    max_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reset = _reset_peak()
    result = method(data)
    peak = _status_kb("VmHWM")
    _trim()  # what the result itself holds (the tree is gone unless the result keeps it)
    after = _status_kb("VmRSS")
    max_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if reset and peak is not None and before is not None and after is not None:
        report = {"how": "VmHWM", "peak_kb": peak - before, "retained_kb": after - before}
    else:  # ru_maxrss cannot be reset: the delta is a lower bound
        report = {"how": "ru_maxrss", "peak_kb": max_after - max_before, "retained_kb": None}
    report["rss_before_kb"] = before
    del result
    print(json.dumps(report))


def probe_memory(name: str, path: Path, recorded: Path, probes: int) -> dict[str, Any]:
    peaks: list[float] = []
    retained: list[float] = []
    how = ""
    for _ in range(probes):
        done = subprocess.run(
            [sys.executable, __file__, "--probe", name, str(path), "--response", str(recorded)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"memory probe {name} failed:\n{done.stderr}")
        report = json.loads(done.stdout.strip().splitlines()[-1])
        how = report["how"]
        peaks.append(report["peak_kb"] / 1024)
        if report["retained_kb"] is not None:
            retained.append(report["retained_kb"] / 1024)
    return {
        "how": how,
        "peak_mb": summary(peaks, 1),
        "retained_mb": summary(retained, 1) if retained else None,
    }


# -- 2. request building ------------------------------------------------------------------------


def sent(envelope: bytes) -> tuple[list[str], list[tuple[str, str, str | None]]]:
    """The header blocks (local names) and the body's values: (local name, text, xsi:nil) of
    every element of the body without children, sorted."""
    root = etree.fromstring(envelope)
    header = root.find(f"{{{SOAP11}}}Header")
    body = root.find(f"{{{SOAP11}}}Body")
    assert body is not None
    blocks = [etree.QName(node).localname for node in (header if header is not None else ())]
    values = sorted(
        (etree.QName(node).localname, (node.text or "").strip(), node.get(XSI_NIL))
        for node in body.iter()
        if isinstance(node.tag, str) and len(node) == 0
    )
    return blocks, values


def bench_requests(rounds: int, calls: int) -> dict[str, Any]:
    client = new_client()
    body = request_body()
    zclient = zeep_client()
    service = zclient.service
    values = zeep_values()

    def ours() -> bytes:
        return client.prepare(OPERATION, body).content

    def theirs() -> bytes:
        return etree.tostring(zclient.create_message(service, OPERATION.name, **values))

    ours_bytes, zeep_bytes = ours(), theirs()
    (our_headers, our_values), (zeep_headers, zeep_values_sent) = sent(ours_bytes), sent(zeep_bytes)
    if our_values != zeep_values_sent:
        raise SystemExit(f"the bodies differ: {our_values} vs {zeep_values_sent}")
    times: dict[str, list[float]] = {"client_prepare": [], "zeep_create_message": []}
    for _ in range(rounds):
        for name, function in (("client_prepare", ours), ("zeep_create_message", theirs)):
            gc.collect()
            started = time.perf_counter()
            for _ in range(calls):
                function()
            times[name].append((time.perf_counter() - started) / calls * 1e6)
    return {
        "calls_per_round": calls,
        "same_body_values": True,
        "header_blocks": {"client_prepare": our_headers, "zeep_create_message": zeep_headers},
        "client_prepare": {
            "label": "Client.prepare (envelope bytes, HTTP headers)",
            "us_per_call": summary(times["client_prepare"], 1),
            "bytes": len(ours_bytes),
        },
        "zeep_create_message": {
            "label": "zeep create_message + etree.tostring",
            "us_per_call": summary(times["zeep_create_message"], 1),
            "bytes": len(zeep_bytes),
        },
    }


# -- 3. a whole call over HTTP ------------------------------------------------------------------


class Answer(BaseHTTPRequestHandler):
    """Answers every POST with the same response (HTTP/1.1, keep-alive)."""

    protocol_version = "HTTP/1.1"
    body = b""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(path: Path) -> None:
    """(In the child) serve `path` on 127.0.0.1 until killed; prints the port first."""
    Answer.body = path.read_bytes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    print(server.server_address[1], flush=True)
    server.serve_forever()


@contextlib.contextmanager
def server(path: Path) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def bench_http(data: bytes, items: int, work: Path, rounds: int, calls: int) -> dict[str, Any]:
    path = work / "http-response.xml"
    path.write_bytes(data)
    with server(path) as url:
        client = new_client(url)
        service = client.reportee_element_list
        zclient = zeep_client()
        zservice = zclient.create_service(BINDING, url + OPERATION.path)
        values = zeep_values()
        the_search = search()

        def ours() -> int:
            found = service.get_reportee_element_list_basic_v2(
                search_be=the_search, language_id=1033
            )
            return len(found)

        def theirs() -> int:
            return len(zservice.GetReporteeElementListBasicV2(**values))

        counts = {"client": ours(), "zeep": theirs()}  # also opens the connections
        if counts != {"client": items, "zeep": items}:
            raise SystemExit(f"HTTP calls returned {counts} items, not {items}")
        times: dict[str, list[float]] = {"client": [], "zeep": []}
        for _ in range(rounds):
            for name, function in (("client", ours), ("zeep", theirs)):
                for _ in range(calls):
                    times[name].append(timed(function) * 1000)
        client.close()
    return {
        "items": items,
        "bytes": len(data),
        "calls_per_round": calls,
        "client": {
            "label": "Client, service method (prepare, POST, read, finish), keep-alive",
            "ms_per_call": summary(times["client"]),
        },
        "zeep": {
            "label": "zeep service call (requests session, keep-alive)",
            "ms_per_call": summary(times["zeep"]),
        },
    }


# -- the run ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 1000, 10000])
    parser.add_argument(
        "--other-sizes", type=int, nargs="+", default=[1000], help="items of the other answers"
    )
    parser.add_argument("--probes", type=int, default=3, help="fresh processes per memory figure")
    parser.add_argument("--response", type=Path, default=RECORDED, help="the recorded response")
    parser.add_argument("--output", type=Path, default=REPO / "bench/results/runtime.json")
    parser.add_argument("--probe", nargs=2, metavar=("METHOD", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=Path, metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(args.probe[0], Path(args.probe[1]), args.response)
        return
    if args.serve:
        serve(args.serve)
        return
    if not args.response.is_file():
        raise SystemExit(
            f"{args.response}: no recorded response (set ALTINN2_SHARED or --response)"
        )
    if not WSDL_FILE.is_file():
        raise SystemExit(f"{WSDL_FILE}: no cached WSDL; run `altinn-codegen fetch` first")
    recorded = args.response.read_bytes()
    started = time.time()
    data: dict[str, Any] = {
        "benchmark": "runtime",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(
            ("altinn2", "altinn2-codegen", "xsdata", "lxml", "zeep", "httpx", "requests"),
            REPO,
            ("templates/runtime", "generated"),
            "runtime_commit",
        ),
        "inputs": {
            "recorded_response": args.response.name,
            "recorded_items": len(etree.fromstring(recorded).findall(f".//{ITEM}")),
            "recorded_bytes": len(recorded),
            "operation": OPERATION.label,
            "zeep_wsdl": str(WSDL_FILE.relative_to(REPO)),
        },
        "rounds": args.rounds,
    }
    responses = {items: make_response(recorded, items) for items in sorted(args.sizes)}
    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as folder:
        work = Path(folder)
        print(f"response parsing x{args.rounds} ...", flush=True)
        data["parsing"] = bench_parsing(responses, args.response, args.rounds, work, args.probes)
        print(f"other answers x{args.rounds} ...", flush=True)
        data["other_responses"] = bench_other_responses(args.other_sizes, args.rounds)
        print(f"request building x{args.rounds} ...", flush=True)
        data["request"] = bench_requests(args.rounds, 2000)
        http_items = 1000 if 1000 in responses else min(responses)
        print(f"HTTP calls ({http_items} items) x{args.rounds} ...", flush=True)
        data["http"] = bench_http(
            responses.get(http_items) or make_response(recorded, http_items),
            http_items,
            work,
            args.rounds,
            5,
        )
    data["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    data["wall_s"] = round(time.time() - started, 1)
    data["notes"] = NOTES
    data["ratios"] = ratios(data)
    write_json(args.output, data)
    print_summary(data, args.output)


NOTES = [
    "Times are wall-clock (time.perf_counter), after gc.collect(), with the collector on (as "
    "users run); min and median over the rounds; the methods take turns within each round.",
    "Responses: the recorded GetReporteeElementListBasicV2 response's 5 items repeated to N, "
    "with ReporteeElementId, ArchiveId and LastChangedDate varied; made in memory.",
    "(a) is Client.finish as the client calls it: parse_xml (size limit, DOCTYPE/ENTITY scan, "
    "lxml with entities, network and DTDs off), read_envelope, fault and body checks, "
    "codec.from_element (fast binder). (b) is the same finish with from_element replaced by "
    "xsdata's XmlParser(context=codec.context(), config=codec.parser_config(), "
    "handler=LxmlEventHandler). (c) is zeep's Soap11Binding.process_reply on a stand-in for the "
    "requests.Response (its own parse_xml included). (d) is etree.fromstring with lxml's "
    "default parser.",
    "Memory: one parse in a fresh process after a warm-up on the recorded 5-item response; peak "
    "is VmHWM (reset through /proc/self/clear_refs) minus VmRSS before the parse, the input "
    "bytes already loaded; retained is VmRSS after the parse, with the result still held.",
    "Request: Client.prepare of a GetReporteeElementListBasicV2 body built once (the body "
    "objects are not rebuilt per call); zeep's create_message with the same values as "
    "keyword arguments, then etree.tostring.",
    "HTTP: a minimal http.server in another process answers every POST with the same bytes; "
    "the call includes building the body in the service method, prepare, the POST over a kept-"
    "alive connection, reading the response and finish.",
    "The machine is shared; compare load_average_at_start/end.",
]


def print_summary(data: dict[str, Any], output: Path) -> None:
    cpu = data["machine"].get("cpu", data["machine"]["machine"])
    print()
    print(f"runtime benchmark, {data['rounds']} rounds, {data['machine']['cpus']} CPUs ({cpu})")
    for items, block in data["parsing"].items():
        print(f"  parsing {items} items ({block['bytes'] / 1e6:.1f} MB):")
        for result in block["methods"].values():
            ms = result["ms_per_parse"]
            memory = result["memory"]
            peak = f"  peak {memory['peak_mb']['median']:6.1f} MB" if memory else ""
            print(
                f"    {result['label']:40} min {ms['min']:9.3f} ms  median {ms['median']:9.3f} ms"
                f"  {result['items_per_s_at_median']:>9,} items/s{peak}"
            )
    request = data["request"]
    for key in ("client_prepare", "zeep_create_message"):
        us = request[key]["us_per_call"]
        print(
            f"  request: {request[key]['label']:45} min {us['min']:7.1f} µs  "
            f"median {us['median']:7.1f} µs  ({request[key]['bytes']} B)"
        )
    http = data["http"]
    for key in ("client", "zeep"):
        ms = http[key]["ms_per_call"]
        print(
            f"  HTTP, {http['items']} items: {http[key]['label']:55} min {ms['min']:7.1f} ms  "
            f"median {ms['median']:7.1f} ms"
        )
    for key, block in data.get("other_responses", {}).items():
        ours, floor = block["client_finish_ms"], block["lxml_fromstring_iterate_ms"]
        print(
            f"  {key} ({block['bytes'] / 1e6:.1f} MB): Client.finish min {ours['min']:.1f} ms, "
            f"lxml floor min {floor['min']:.1f} ms"
        )
    print("  ratios (minimum times of this run):")
    for key, value in data["ratios"].items():
        print(f"    {key:60} {value:6.2f}")
    print(f"written to {output}")


if __name__ == "__main__":
    main()
