"""Streamed (MTOM) transfers through the mock: client peak RSS and throughput against a raw httpx
streamed transfer of the same bytes, in the same run. Not a test (`pytest` never runs it).

    .venv/bin/python bench/mtom.py      # 1 GiB, 6 rounds, writes bench/results/mtom.json
    .venv/bin/python bench/mtom.py --size-mib 64 --rounds 1 --output /tmp/mtom.json

The servers run in a child process (the stateful mock, and a raw HTTP sink/source), so that the
RSS measured (`ru_maxrss` of this process) is the client's alone. Each round times six transfers
of the file, raw and MTOM side by side, their order swapped every other round:

- upload: a raw httpx POST (Content-Length, 1 MiB pieces; the server writes the body to disk)
  and `upload_file_streamed_basic(source=path)` (the mock spools the file to disk);
- download: a raw httpx GET and `iter_bytes()` of `download_file_streamed_basic`, each written to
  a file through a 1 MiB buffer, no fsync (`*_download_chunks`: the transports alone);
- saved download: a raw httpx GET written as `.save(path)` writes (temporary file beside the
  destination, fsync, rename, fsync of the folder) and `.save(path)` itself.

Every transfer starts from the same state (see bench/README.md): every file a transfer wrote
is removed before the next one (the MTOM upload's once the round's downloads of it are done),
then a scratch file of the transfer's size is written and removed (the transfer writes into
the pages just freed) and `os.sync()` runs, none of it timed. The saved download is checked by
SHA-256 each round (not timed). Each transfer's CPU seconds are recorded for the client (this
process) and the server (the child), and the ratios (MTOM / raw throughput) from the best times
and as the median of the rounds' own ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import multiprocessing
import os
import resource
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from common import machine, versions, write_json

CHUNK = 1024 * 1024
REPO = Path(__file__).resolve().parent.parent
PAIRS = (  # (raw, MTOM): what each ratio compares
    ("upload", "raw_upload", "mtom_upload"),
    ("download", "raw_download_saved", "mtom_download"),
    ("download_chunks", "raw_download", "mtom_download_chunks"),
)


def _serve(folder: str, ready: Any) -> None:
    """The child: the stateful mock and a raw server (POST: the body to disk; GET: the source
    file; DELETE /raw, /mock: remove the raw uploads, the mock's kept uploads)."""
    from altinn2.testing import MockAltinn

    # No SHA-256 of each upload in the mock: the raw sink computes none either.
    mock = MockAltinn(stateful=True, upload_digests=False).start()
    mock.scenario.broker_auto_upload = False

    class Raw(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            # The mock's spool likewise: a new file, written as the body arrives.
            name = f"raw-upload-{time.monotonic_ns()}"
            left = int(self.headers["Content-Length"])
            with open(os.path.join(folder, name), "wb") as sink:
                while left:
                    piece = self.rfile.read(min(CHUNK, left))
                    if not piece:
                        raise ConnectionError("the body ended early")
                    sink.write(piece)
                    left -= len(piece)
            self._empty(200)

        def do_GET(self) -> None:
            path = os.path.join(folder, "source")
            self.send_response(200)
            self.send_header("Content-Length", str(os.path.getsize(path)))
            self.end_headers()
            with open(path, "rb") as source:
                while piece := source.read(CHUNK):
                    self.wfile.write(piece)

        def do_DELETE(self) -> None:
            if self.path == "/raw":
                for path in Path(folder).glob("raw-upload-*"):
                    path.unlink()
            else:  # the files the mock's scenario keeps for a download
                for file in mock.scenario.broker_files:
                    if file.content is not None:
                        file.content.unlink(missing_ok=True)
            self._empty(204)

        def _empty(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    raw = ThreadingHTTPServer(("127.0.0.1", 0), Raw)

    def stop(signum: int, frame: Any) -> None:  # the mock removes its spooled uploads
        mock.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    ready.put((mock.url, f"http://127.0.0.1:{raw.server_address[1]}"))
    raw.serve_forever()


def _make_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    block = os.urandom(CHUNK)
    with path.open("wb") as file:
        left = size
        while left:
            piece = block[: min(CHUNK, left)]
            file.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while piece := file.read(CHUNK):
            digest.update(piece)
    return digest.hexdigest()


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far, all its threads (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_warm_pages(scratch: Path, size: int) -> None:
    """Write `size` bytes to a scratch file and remove it: the page-cache pages just freed are
    the ones the next transfer writes into, whichever side it is (see bench/README.md)."""
    block = bytes(CHUNK)
    with scratch.open("wb", buffering=0) as file:
        for _ in range(-(-size // CHUNK)):
            file.write(block)
    scratch.unlink()


def _save_like_download(chunks: Iterator[bytes], destination: Path) -> None:
    """What `Download.save` does with the bytes: a temporary file beside the destination
    (written through a 1 MiB buffer), fsync, rename, fsync of the folder."""
    handle, name = tempfile.mkstemp(dir=destination.parent, suffix=".part")
    with os.fdopen(handle, "wb", buffering=CHUNK) as file:
        for piece in chunks:
            file.write(piece)
        file.flush()
        os.fsync(file.fileno())
    os.replace(name, destination)
    folder = os.open(destination.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _write(chunks: Iterator[bytes], destination: Path) -> None:
    with destination.open("wb", buffering=CHUNK) as file:
        for piece in chunks:
            file.write(piece)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--output", default=str(Path(__file__).parent / "results" / "mtom.json"))
    options = parser.parse_args()
    size = options.size_mib * 1024 * 1024

    from altinn2 import Client
    from altinn2.models.broker_2015_06 import BrokerServiceInitiation, File, Manifest, Recipient
    from altinn2.testing import DEFAULT_SYSTEM

    results: dict[str, Any] = {
        "size_bytes": size,
        "rounds": options.rounds,
        "machine": machine(),
        "versions": versions(
            ("httpx", "httpcore", "h11", "lxml"),
            REPO,
            ("bench", "templates/runtime", "templates/testing"),
            "commit",
        ),
    }
    times: dict[str, list[float]] = {}
    cpu: dict[str, dict[str, list[float]]] = {}
    verified: list[bool] = []
    with tempfile.TemporaryDirectory(prefix="mtom-bench-") as folder:
        source = Path(folder) / "source"
        sha256 = _make_file(source, size)
        context = multiprocessing.get_context("spawn")
        ready: Any = context.Queue()
        child = context.Process(target=_serve, args=(folder, ready), daemon=True)
        child.start()
        child_pid = child.pid
        assert child_pid is not None  # started
        mock_url, raw_url = ready.get(timeout=60)
        rss_start = _rss_mib()

        def timed(name: str, action: Callable[[], object]) -> None:
            _free_warm_pages(Path(folder) / "scratch", size)  # not timed, nor the sync
            os.sync()  # no transfer pays for an earlier one's writeback
            client_cpu, server_cpu = _cpu_seconds(os.getpid()), _cpu_seconds(child_pid)
            started = time.perf_counter()
            action()
            times.setdefault(name, []).append(time.perf_counter() - started)
            spent = cpu.setdefault(name, {"client": [], "server": []})
            spent["client"].append(_cpu_seconds(os.getpid()) - client_cpu)
            spent["server"].append(_cpu_seconds(child_pid) - server_cpu)

        try:
            # entered as a name of its own: `__enter__` is typed as the runtime's base client
            client = Client(base_url=mock_url, system=DEFAULT_SYSTEM, timeout=600)
            with httpx.Client(timeout=600) as raw, client:
                broker = client.broker_service
                target = Path(folder) / "download"

                def initiate() -> str:  # a new shipment each round (none replaced)
                    reference = broker.initiate_broker_service_basic(
                        broker_service_initiation=BrokerServiceInitiation(
                            manifest=Manifest(
                                external_service_code="4752",
                                external_service_edition_code=1,
                                file_list=[File(check_sum=None, file_name="payload.zip")],
                                property_list=[],
                                reportee="910000001",
                                senders_reference="bench",
                            ),
                            recipient_list=[Recipient(party_number="910000002")],
                        )
                    )
                    assert reference is not None
                    return reference

                def source_chunks() -> Iterator[bytes]:  # as the MTOM upload reads a path
                    with source.open("rb") as file:
                        while piece := file.read(CHUNK):
                            yield piece

                def raw_upload() -> None:
                    headers = {"Content-Length": str(size)}
                    raw.post(raw_url, content=source_chunks(), headers=headers).raise_for_status()

                def raw_get(write: Callable[[Iterator[bytes], Path], None]) -> None:
                    with raw.stream("GET", raw_url) as response:
                        response.raise_for_status()
                        write(response.iter_bytes(), target)

                def mtom_chunks(reference: str) -> None:
                    with broker.download_file_streamed_basic(
                        file_reference=reference, reportee="910000002"
                    ) as answer:
                        _write(answer.iter_bytes(), target)

                def mtom_save(reference: str) -> None:
                    with broker.download_file_streamed_basic(
                        file_reference=reference, reportee="910000002"
                    ) as answer:
                        assert answer.save(target).size == size

                for turn in range(options.rounds):
                    reference = initiate()
                    swap = turn % 2 == 1  # MTOM first every other round

                    def mtom_upload(reference: str = reference) -> None:
                        broker.upload_file_streamed_basic(
                            source=source,
                            file_name="payload.zip",
                            reference=reference,
                            reportee="910000001",
                        )

                    def clean_raw() -> None:  # the raw upload's file (not timed)
                        raw.delete(f"{raw_url}/raw").raise_for_status()

                    def clean_download() -> None:
                        target.unlink()

                    def check_saved() -> None:  # the content, by hash (not timed)
                        verified.append(_sha256(target) == sha256)
                        target.unlink()

                    steps: list[tuple[tuple[str, Callable[[], object], Callable[[], None]], ...]]
                    steps = [
                        (
                            ("raw_upload", raw_upload, clean_raw),
                            ("mtom_upload", mtom_upload, lambda: None),
                        ),
                        (
                            ("raw_download", lambda: raw_get(_write), clean_download),
                            (
                                "mtom_download_chunks",
                                functools.partial(mtom_chunks, reference),
                                clean_download,
                            ),
                        ),
                        (
                            (
                                "raw_download_saved",
                                lambda: raw_get(_save_like_download),
                                check_saved,
                            ),
                            (
                                "mtom_download",
                                functools.partial(mtom_save, reference),
                                check_saved,
                            ),
                        ),
                    ]
                    for pair in steps:
                        for name, action, clean in reversed(pair) if swap else pair:
                            timed(name, action)
                            clean()
                    raw.delete(f"{raw_url}/mock").raise_for_status()  # the MTOM upload's file
        finally:
            child.terminate()  # SIGTERM: the mock stops and removes its uploads
            child.join(timeout=60)
            if child.is_alive():
                child.kill()
                child.join()
    _summarise(results, times, cpu, size)
    results["content_verified"] = bool(verified) and all(verified)
    results["client_peak_rss_mib"] = round(_rss_mib(), 1)
    results["client_rss_before_transfers_mib"] = round(rss_start, 1)
    with contextlib.suppress(OSError):
        results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    write_json(Path(options.output), results)
    print(json.dumps(results, indent=2, sort_keys=True))
    return 0


def _summarise(
    results: dict[str, Any],
    times: dict[str, list[float]],
    cpu: dict[str, dict[str, list[float]]],
    size: int,
) -> None:
    """Best times, every round's, CPU seconds (medians) and the ratios into `results`."""
    mib = size / 1024 / 1024
    for name, values in times.items():
        results[f"{name}_s"] = round(min(values), 3)  # the best round
        results[f"{name}_mib_s"] = round(mib / min(values), 1)
    results["every_round_s"] = {
        name: [round(value, 3) for value in values] for name, values in times.items()
    }
    results["cpu_s_median"] = {
        name: {side: round(statistics.median(values), 3) for side, values in sides.items()}
        for name, sides in cpu.items()
    }
    for kind, raw_name, mtom_name in PAIRS:
        # MTOM's throughput over raw's: of the best times, and each round's (the two ran back to
        # back), the median of those.
        results[f"{kind}_ratio"] = round(min(times[raw_name]) / min(times[mtom_name]), 3)
        pairs = zip(times[raw_name], times[mtom_name], strict=True)
        results[f"{kind}_ratio_median_of_rounds"] = round(
            statistics.median(raw / mtom for raw, mtom in pairs), 3
        )


if __name__ == "__main__":
    sys.exit(main())
