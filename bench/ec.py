"""The time of an EC and an EC2 call through the real `Client`: the first call of a client (it
issues the security context: RST signed with the certificate, RSTR, P_SHA1) and the steady state
(a call under the cached context: a fresh Timestamp, on EC a derived key, an HMAC signature).

The service is Apache CXF (the tests' Java peer, `make java`), serving Altinn's
ReporteeElementList EC and EC2 WSDLs on loopback HTTPS and enforcing their policy; the mock does
not serve EC yet. Each figure includes CXF's own work (its WS-Security checks, an empty answer).

    .venv/bin/python bench/ec.py [--calls 50] [--rounds 5] [--output bench/results/ec.json]
"""

from __future__ import annotations

import argparse
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from altinn2.client import Client  # noqa: E402
from altinn2.runtime import Certificate, EnterpriseCredentials  # noqa: E402
from altinn2.runtime.operation import Binding  # noqa: E402
from altinn2.runtime.registry import operation_index  # noqa: E402
from altinn2.testing import example_input  # noqa: E402
from bench.common import machine, summary, write_json  # noqa: E402
from tests import java_peers  # noqa: E402
from tests.conftest import wsdl_mirror  # noqa: E402
from tests.pki import P12_PASSWORD, make_pki  # noqa: E402
from tests.runtime.security import test_cxf as peer  # noqa: E402

STEM = "ReporteeElementListExternal/ReporteeElementListEC"


def start_cxf(folder: Path) -> tuple[subprocess.Popen[str], str, Path, Certificate]:
    pki = make_pki(folder)
    wsdls = peer._adapted_copy(wsdl_mirror(), folder / "wsdl")
    base = f"https://127.0.0.1:{peer._free_port()}/ServiceEngineExternal"
    args = [str(pki.server_p12), P12_PASSWORD, str(pki.ca_pem)]
    for name in (f"{STEM}.wsdl", f"{STEM}2.wsdl"):
        endpoint = peer._endpoint(wsdls / name, base)
        args += [endpoint.wsdl, endpoint.service, endpoint.port, endpoint.url]
    process = java_peers.start("CxfEcServer", args, stdin=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("READY"):
            break
    else:
        raise SystemExit("CXF did not start")
    stdout = process.stdout
    threading.Thread(target=lambda: [None for _ in stdout], daemon=True).start()  # drain it
    certificate = Certificate.from_pkcs12(pki.enterprise_p12, P12_PASSWORD)
    return process, base.rsplit("/ServiceEngineExternal", 1)[0], pki.ca_pem, certificate


def measure(
    base: str, ca: Path, certificate: Certificate, binding: Binding, calls: int
) -> dict[str, Any]:
    operation = next(
        op
        for op in operation_index().operations
        if op.binding is binding and op.name == "GetReporteeElementListEC"
    )
    body = example_input(operation)
    context = ssl.create_default_context(cafile=str(ca))
    enterprise = EnterpriseCredentials(user_name="virksomhetsbruker", password="Passord-9")
    with Client(
        base_url=base, verify=context, certificate=certificate, enterprise=enterprise
    ) as client:
        started = time.perf_counter()
        client.invoke(operation, body, operation.output)
        first = time.perf_counter() - started
        steady = []
        for _ in range(calls):
            started = time.perf_counter()
            client.invoke(operation, body, operation.output)
            steady.append(time.perf_counter() - started)
    return {"first": first, "steady": steady}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "ec.json")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        process, base, ca, certificate = start_cxf(Path(folder))
        try:
            measure(base, ca, certificate, Binding.EC, 5)  # warm up both JVM paths
            measure(base, ca, certificate, Binding.EC2, 5)
            results = {}
            for binding in (Binding.EC, Binding.EC2):
                rounds = [
                    measure(base, ca, certificate, binding, options.calls)
                    for _ in range(options.rounds)
                ]
                ms = 1000.0
                results[binding.value] = {
                    "first_call_ms": summary([r["first"] * ms for r in rounds], 1),
                    "steady_call_ms": summary(
                        [sorted(r["steady"])[len(r["steady"]) // 2] * ms for r in rounds], 2
                    ),
                }
        finally:
            if process.stdin:
                process.stdin.close()
            process.wait(timeout=30)
    data = {"machine": machine(), "calls": options.calls, "results": results}
    write_json(options.output, data)
    for binding, figures in results.items():
        print(
            f"{binding}: first call (context issued) median "
            f"{figures['first_call_ms']['median']} ms; steady state median "
            f"{figures['steady_call_ms']['median']} ms per call"
        )


if __name__ == "__main__":
    main()
