"""Apache CXF as the client, CXF as the server: the Java client (`CxfEcClient`) is proven on a
peer that certainly speaks its language before it judges our mock (tests/testing/security).

CXF's client reads each EC/EC2 WSDL from the project's WSDL cache, bootstraps the security
context from the policy (RST to the endpoint itself, signed with the enterprise certificate),
calls one generated operation with the enterprise user in the body, and, where the policy
allows it (EC), cancels the context; `CxfEcServer` checks each call against the same policy.

One disagreement between CXF's two halves, seen here and kept as a finding: CXF's server
answers the Cancel with a fault ("Soap Body is not SIGNED": its built-in cancel policy wants
the body signed) while CXF's client, following Altinn's policy, signs the Timestamp alone, as
WCF does. CXF's client logs that fault and goes on; the call's result is unaffected.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from altinn2.runtime.codec import qname_of
from altinn2.runtime.operation import Binding, OperationInfo
from altinn2.runtime.registry import operation_index
from generator.project import Project
from tests import cxf_client
from tests.cxf_client import CANCEL, ISSUE, ISSUED, Target, element_name
from tests.pki import make_pki
from tests.runtime.security import test_cxf
from tests.runtime.security.test_cxf import ALL_WSDLS, ENTERPRISE, Cxf

cxf = test_cxf.cxf  # the CXF server fixture, started once for this module

REFUSED_CANCEL = "- 500"  # CxfEcServer's fault for the Cancel: no WS-Addressing, HTTP 500


def first_operation(path_end: str, binding: Binding) -> OperationInfo:
    """The first generated, non-streamed operation served at `…/<path_end>.svc`."""
    return next(
        op
        for op in operation_index().operations
        if op.binding is binding and not op.mtom and op.path.endswith(f"/{path_end}.svc")
    )


@pytest.fixture(scope="module")
def server_lines(cxf: Cxf) -> queue.Queue[str]:
    """The server's output, read as it comes: CXF logs each refused Cancel with a stack trace,
    and a server whose output pipe is full stops answering."""
    lines: queue.Queue[str] = queue.Queue()

    def drain() -> None:
        assert cxf.process.stdout is not None
        for line in cxf.process.stdout:
            lines.put(line.rstrip())

    threading.Thread(target=drain, daemon=True).start()
    return lines


def calls_seen(lines: queue.Queue[str], count: int) -> Iterator[str]:
    """The server's next `count` CALL lines (what its WS-Security processing validated)."""
    for _ in range(count):
        while not (line := lines.get(timeout=120)).startswith("CALL "):
            pass
        yield line


def test_the_cxf_client_calls_every_ec_and_ec2_wsdl_served_by_cxf(
    cxf: Cxf, server_lines: queue.Queue[str], fetched: Project, tmp_path: Path
) -> None:
    """One generated operation per non-streamed EC and EC2 WSDL: a context issued, the call
    signed under it (with a derived key exactly on EC), and on EC only a Cancel."""
    names = [f"{Path(stem).name}{suffix}" for stem in ALL_WSDLS for suffix in ("", "2")]
    targets = [
        Target(
            first_operation(name, Binding.EC2 if name.endswith("2") else Binding.EC),
            cxf.endpoints[name].url,
        )
        for name in names
    ]
    calls = cxf_client.run(cxf.pki, fetched.cache_dir, targets, ENTERPRISE, tmp_path)
    seen = list(calls_seen(server_lines, len(targets)))
    for name, target, call, line in zip(names, targets, calls, seen, strict=True):
        operation = target.operation
        ec = operation.binding is Binding.EC
        assert call.outcome == "RESULT", (name, call)
        assert call.sent == [ISSUE, operation.action, *([CANCEL] if ec else [])], (name, call)
        answered = [f"{ISSUED} 200", f"{operation.reply_action} 200"]
        assert call.received == answered + ([REFUSED_CANCEL] if ec else []), (name, call)
        assert operation.output is not None
        assert call.result().tag == qname_of(operation.output), call.text
        assert line.startswith(f"CALL {element_name(operation.input)} "), line
        assert "SCT" in line and "SIGN" in line and ("DKT" in line) == ec, line


def test_the_cxf_client_takes_a_jks_keystore_too(
    cxf: Cxf, server_lines: queue.Queue[str], fetched: Project, tmp_path: Path
) -> None:
    operation = first_operation("ReporteeElementListEC2", Binding.EC2)
    keystore = cxf_client.jks_copy(cxf.pki, tmp_path)
    (call,) = cxf_client.run(
        cxf.pki,
        fetched.cache_dir,
        [Target(operation, cxf.ec2.url)],
        ENTERPRISE,
        tmp_path,
        keystore=keystore,
    )
    assert call.outcome == "RESULT" and call.sent == [ISSUE, operation.action], call
    assert "SIGN" in next(calls_seen(server_lines, 1))


def test_the_cxf_client_reports_a_refused_bootstrap(
    cxf: Cxf, fetched: Project, tmp_path: Path
) -> None:
    """A certificate from another CA: the server refuses the RST, and no call goes out."""
    (tmp_path / "stranger").mkdir()
    stranger = make_pki(tmp_path / "stranger")
    operation = first_operation("ReporteeElementListEC", Binding.EC)
    (call,) = cxf_client.run(
        cxf.pki,
        fetched.cache_dir,
        [Target(operation, cxf.ec.url)],
        ENTERPRISE,
        tmp_path,
        keystore=stranger.enterprise_p12,
    )
    assert call.outcome in ("FAULT", "ERROR") and call.sent == [ISSUE], call
    # Refused by the server's WS-Security processing, not a failure of the client itself.
    assert call.outcome == "FAULT" and call.received == ["- 500"], call  # the RST, refused
    assert "SecurityError" in call.text, call
