"""The time of an EC and an EC2 call through the real `Client`: the first call of a client (it
issues the security context: RST signed with the certificate, RSTR, P_SHA1) and the steady state
(a call under the cached context: a fresh Timestamp, on EC a derived key, an HMAC signature).

Two services, each on loopback HTTPS with a test certificate, each figure including the
service's own work:

- `cxf`: Apache CXF (the tests' Java peer, `make java`), serving Altinn's ReporteeElementList EC
  and EC2 WSDLs and enforcing their policy (its WS-Security checks, an empty answer);
- `mock`: `altinn2.testing.MockAltinn` (its token issuer: the bootstrap's RSA signature and the
  certificate checked against the test CA; every call's token, derived key, HMAC signature and
  XML Schema checked; a minimal answer, schema-validated), in this process, so the client and
  the mock share the machine's cores and Python's lock.

    .venv/bin/python bench/ec.py [--targets cxf,mock] [--calls 50] [--rounds 5]
                                 [--output bench/results/ec.json]
"""

from __future__ import annotations

import argparse
import logging
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

from common import machine, summary, write_json  # noqa: E402

from altinn2.client import Client  # noqa: E402
from altinn2.runtime import Certificate, EnterpriseCredentials  # noqa: E402
from altinn2.runtime.operation import Binding  # noqa: E402
from altinn2.runtime.registry import operation_index  # noqa: E402
from altinn2.testing import MockAltinn, example_input  # noqa: E402
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


# The enterprise user (body userName/password) both servers accept.
ENTERPRISE = EnterpriseCredentials(user_name="virksomhetsbruker", password="Passord-9")


def measure(
    base: str, ca: Path | ssl.SSLContext, certificate: Certificate, binding: Binding, calls: int
) -> dict[str, Any]:
    operation = next(
        op
        for op in operation_index().operations
        if op.binding is binding and op.name == "GetReporteeElementListEC"
    )
    body = example_input(
        operation, user_name=ENTERPRISE.user_name, password=ENTERPRISE.password.reveal()
    )
    output = operation.output
    assert output is not None
    context = ca if isinstance(ca, ssl.SSLContext) else ssl.create_default_context(cafile=str(ca))
    with Client(
        base_url=base, verify=context, certificate=certificate, enterprise=ENTERPRISE
    ) as client:
        started = time.perf_counter()
        client.invoke(operation, body, output)
        first = time.perf_counter() - started
        steady = []
        for _ in range(calls):
            started = time.perf_counter()
            client.invoke(operation, body, output)
            steady.append(time.perf_counter() - started)
    return {"first": first, "steady": steady}


def figures(
    base: str, ca: Path | ssl.SSLContext, certificate: Certificate, options: argparse.Namespace
) -> dict[str, Any]:
    """First call and steady state, per binding, after a warm-up of both."""
    measure(base, ca, certificate, Binding.EC, 5)
    measure(base, ca, certificate, Binding.EC2, 5)
    results = {}
    for binding in (Binding.EC, Binding.EC2):
        rounds = [
            measure(base, ca, certificate, binding, options.calls) for _ in range(options.rounds)
        ]
        ms = 1000.0
        results[binding.value] = {
            "first_call_ms": summary([r["first"] * ms for r in rounds], 1),
            "steady_call_ms": summary(
                [sorted(r["steady"])[len(r["steady"]) // 2] * ms for r in rounds], 2
            ),
        }
    return results


def against_cxf(folder: Path, options: argparse.Namespace) -> dict[str, Any]:
    process, base, ca, certificate = start_cxf(folder)
    try:
        return figures(base, ca, certificate, options)
    finally:
        if process.stdin:
            process.stdin.close()
        process.wait(timeout=30)


def against_mock(folder: Path, options: argparse.Namespace) -> dict[str, Any]:
    pki = make_pki(folder)
    certificate = Certificate.from_pkcs12(pki.enterprise_p12, P12_PASSWORD)
    logging.getLogger("altinn2.testing").setLevel(logging.WARNING)
    with MockAltinn(
        tls_cert=pki.server_cert_pem,
        tls_key=pki.server_key_pem,
        ca=pki.ca_pem,
        enterprise=ENTERPRISE,
    ) as mock:
        verify = mock.verify()
        assert isinstance(verify, ssl.SSLContext)
        return figures(mock.url, verify, certificate, options)


TARGETS = {"cxf": against_cxf, "mock": against_mock}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", default="cxf,mock", help="cxf, mock or both (cxf,mock)")
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "ec.json")
    options = parser.parse_args()
    targets = [name.strip() for name in options.targets.split(",") if name.strip()]
    unknown = [name for name in targets if name not in TARGETS]
    if unknown or not targets:
        parser.error(f"--targets: {', '.join(unknown) or 'none'}; choose from cxf, mock")
    results = {}
    for name in targets:
        with tempfile.TemporaryDirectory() as folder:
            results[name] = TARGETS[name](Path(folder), options)
    data = {"machine": machine(), "calls": options.calls, "targets": results}
    write_json(options.output, data)
    for name, per_binding in results.items():
        for binding, numbers in per_binding.items():
            print(
                f"{name} {binding}: first call (context issued) median "
                f"{numbers['first_call_ms']['median']} ms; steady state median "
                f"{numbers['steady_call_ms']['median']} ms per call"
            )


if __name__ == "__main__":
    main()
