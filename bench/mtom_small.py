"""A 1-byte streamed (MTOM) upload through the mock: the per-call overhead of the MTOM path (the
envelope part's handling on both sides), not throughput. Not a test (`pytest` never runs it).

    .venv/bin/python bench/mtom_small.py            # 7 rounds of 200 calls each

Two figures, best and median of the rounds, in microseconds per call, and how many XML parses
(`lxml.etree.fromstring`) each call makes:
- `mock`: the mock's side without HTTP: a captured request read by `testing.mtom.receive`
  (its 1-byte file spooled) and answered by `MockAltinn.handle`;
- `end_to_end`: `upload_file_streamed_basic` from a client, over loopback, to the running mock.

Times are wall-clock (`timeit`, the cyclic collector on, as in `runtime.py`); nothing is written.
"""

from __future__ import annotations

import argparse
import io
import statistics
import timeit
from collections.abc import Callable
from typing import Any
from unittest.mock import patch

from lxml import etree

from altinn2 import Client
from altinn2.testing import MockAltinn, server
from altinn2.testing.mtom import receive


def capture(mock: MockAltinn, client: Client) -> tuple[dict[str, str], str, bytes]:
    """One upload's request as the mock's server received it: headers, path and body."""
    seen: dict[str, Any] = {}

    def spy(chunks: Any, content_type: str, *args: Any) -> Any:
        body = b"".join(chunks)
        seen.update(content_type=content_type, body=body)
        return receive(iter([body]), content_type, *args)

    with patch.object(server, "receive", spy):  # the name the mock's server calls
        upload(client)
    call = mock.calls[-1]
    headers = {"Content-Type": seen["content_type"], "SOAPAction": call.action or ""}
    return headers, call.path, seen["body"]


def upload(client: Client) -> None:
    """One 1-byte streamed upload."""
    client.broker_service.upload_file_streamed_basic(
        source=io.BytesIO(b"x"), file_name="payload.zip", reference="ref", reportee="910000001"
    )


def parses(run: Callable[[], None]) -> int:
    """How many times `run` parses XML with `lxml.etree.fromstring`."""
    original = etree.fromstring
    count = 0

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        return original(*args, **kwargs)

    etree.fromstring = counting
    try:
        run()
    finally:
        etree.fromstring = original
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=200)
    options = parser.parse_args()
    with MockAltinn() as mock:
        client = mock.client()
        headers, path, body = capture(mock, client)
        folder = mock.upload_folder()

        def mock_side() -> None:
            got = receive(iter([body]), headers["Content-Type"], folder, mock.max_request_bytes)
            reply = mock.handle("POST", path, headers, got.envelope, got.attachment, got.root)
            assert reply.status == 200, reply

        def end_to_end() -> None:
            upload(client)

        for name, run in (("mock", mock_side), ("end_to_end", end_to_end)):
            run()
            parsed = parses(run)
            # The collector on, as an app runs (timeit switches it off unless told).
            times = timeit.repeat(
                run, setup="gc.enable()", number=options.number, repeat=options.rounds
            )
            each = [1e6 * t / options.number for t in times]
            print(
                f"{name}: best {min(each):.0f} us, median {statistics.median(each):.0f} us, "
                f"{parsed} XML parses per call"
            )
        mock.check()


if __name__ == "__main__":
    main()
