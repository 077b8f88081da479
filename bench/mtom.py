"""Streamed (MTOM) transfers through the mock: client peak RSS and throughput against a raw httpx
streamed transfer of the same bytes, in the same run. Not a test (`pytest` never runs it).

    .venv/bin/python bench/mtom.py                   # 1 GiB, writes bench/results/mtom.json
    .venv/bin/python bench/mtom.py --size-mib 64 --output /tmp/mtom.json

The servers run in a child process (the mock, stateful, and a raw HTTP sink/source), so that the
RSS measured (`ru_maxrss` of this process) is the client's alone. Each transfer writes the bytes
to disk at the receiving end, for the mock and the raw server alike. Best of `--rounds` rounds
(3), each in order: raw upload, MTOM upload (`upload_file_streamed_basic(source=path)`), raw
download, MTOM download (`download_file_streamed_basic(...).save(path)`); the downloaded file
is then checked by SHA-256 (not timed). Ratios: of the best rounds (`*_ratio`), and the median
of each round's ratio (`*_ratio_median_of_rounds`, steadier on a shared machine).
"""

from __future__ import annotations

import argparse
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

CHUNK = 1024 * 1024


def _serve(folder: str, ready: Any) -> None:
    """The child: the stateful mock and a raw server (POST: body to disk; GET: the file)."""
    from altinn2.testing import MockAltinn

    # No SHA-256 of each upload in the mock: the raw sink computes none either.
    mock = MockAltinn(stateful=True, upload_digests=False).start()
    mock.scenario.broker_auto_upload = False

    class Raw(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            # A new file each time, kept: what the mock does with each new shipment's upload.
            name = f"raw-upload-{time.monotonic_ns()}"
            with open(os.path.join(folder, name), "wb") as sink:
                while True:
                    line = self.rfile.readline().strip()
                    length = int(line.split(b";")[0], 16)
                    if length == 0:
                        self.rfile.readline()
                        break
                    while length:
                        piece = self.rfile.read(min(CHUNK, length))
                        sink.write(piece)
                        length -= len(piece)
                    self.rfile.readline()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            path = os.path.join(folder, "source")
            self.send_response(200)
            self.send_header("Content-Length", str(os.path.getsize(path)))
            self.end_headers()
            with open(path, "rb") as source:
                while piece := source.read(CHUNK):
                    self.wfile.write(piece)

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3, help="best of, for each transfer")
    parser.add_argument("--output", default=str(Path(__file__).parent / "results" / "mtom.json"))
    options = parser.parse_args()
    size = options.size_mib * 1024 * 1024

    from altinn2 import Client
    from altinn2.models.broker_2015_06 import BrokerServiceInitiation, File, Manifest, Recipient
    from altinn2.testing import DEFAULT_SYSTEM

    with tempfile.TemporaryDirectory(prefix="mtom-bench-") as folder:
        source = Path(folder) / "source"
        sha256 = _make_file(source, size)
        ready: Any = multiprocessing.get_context("spawn").Queue()
        child = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(folder, ready), daemon=True
        )
        child.start()
        mock_url, raw_url = ready.get(timeout=60)
        rss_start = _rss_mib()
        times: dict[str, list[float]] = {}

        def timed(name: str, action: Any) -> Any:
            os.sync()  # each transfer starts without the previous one's writeback (not timed)
            started = time.perf_counter()
            value = action()
            times.setdefault(name, []).append(time.perf_counter() - started)
            return value

        results: dict[str, Any] = {"size_bytes": size, "rounds": options.rounds}
        try:
            with (
                httpx.Client(timeout=600) as raw,
                Client(base_url=mock_url, system=DEFAULT_SYSTEM, timeout=600) as client,
            ):
                broker = client.broker_service

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

                raw_target = Path(folder) / "raw-download"
                mtom_target = Path(folder) / "mtom-download"

                def chunks() -> Any:
                    with source.open("rb") as file:
                        while piece := file.read(256 * 1024):
                            yield piece

                def raw_upload() -> None:
                    raw.post(raw_url, content=chunks()).raise_for_status()

                def mtom_upload(reference: str) -> None:
                    broker.upload_file_streamed_basic(
                        source=source,
                        file_name="payload.zip",
                        reference=reference,
                        reportee="910000001",
                    )

                def raw_download() -> None:
                    with raw.stream("GET", raw_url) as response, raw_target.open("wb") as file:
                        for piece in response.iter_bytes():
                            file.write(piece)

                def mtom_chunks(reference: str) -> None:  # the transport alone: no fsync
                    with (
                        broker.download_file_streamed_basic(
                            file_reference=reference, reportee="910000002"
                        ) as answer,
                        raw_target.open("wb") as file,
                    ):
                        for piece in answer.iter_bytes():
                            file.write(piece)

                def mtom_download(reference: str) -> Any:
                    with broker.download_file_streamed_basic(
                        file_reference=reference, reportee="910000002"
                    ) as answer:
                        return answer.save(mtom_target)

                for _ in range(options.rounds):
                    reference = initiate()
                    timed("raw_upload", raw_upload)
                    timed("mtom_upload", functools.partial(mtom_upload, reference))
                    timed("raw_download", raw_download)
                    raw_target.unlink()
                    timed("mtom_download_chunks", functools.partial(mtom_chunks, reference))
                    raw_target.unlink()
                    saved = timed("mtom_download", functools.partial(mtom_download, reference))
                    assert saved.size == size
                    results["content_verified"] = _sha256(mtom_target) == sha256  # not timed
                    mtom_target.unlink()
        finally:
            child.terminate()  # SIGTERM: the mock stops and removes its uploads
            child.join(timeout=60)
            if child.is_alive():
                child.kill()
                child.join()
    for name, values in times.items():
        results[f"{name}_s"] = round(min(values), 3)  # the best round
    results["every_round_s"] = {
        name: [round(v, 3) for v in values] for name, values in times.items()
    }
    mib = size / 1024 / 1024
    for kind, raw_kind in (
        ("upload", "upload"),
        ("download", "download"),
        ("download_chunks", "download"),
    ):
        raw_rate = mib / results[f"raw_{raw_kind}_s"]
        mtom_rate = mib / results[f"mtom_{kind}_s"]
        results[f"raw_{raw_kind}_mib_s"] = round(raw_rate, 1)
        results[f"mtom_{kind}_mib_s"] = round(mtom_rate, 1)
        results[f"{kind}_ratio"] = round(mtom_rate / raw_rate, 3)
        # Each round's ratio (raw and MTOM run back to back), the median: steadier than the
        # best-of figures when other processes share the machine.
        pairs = zip(times[f"raw_{raw_kind}"], times[f"mtom_{kind}"], strict=True)
        results[f"{kind}_ratio_median_of_rounds"] = round(
            statistics.median(raw / mtom for raw, mtom in pairs), 3
        )
    results["client_peak_rss_mib"] = round(_rss_mib(), 1)
    results["client_rss_before_transfers_mib"] = round(rss_start, 1)
    results["python"] = sys.version.split()[0]
    Path(options.output).write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(json.dumps(results, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
