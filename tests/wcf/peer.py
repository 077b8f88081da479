"""Mono's WCF as an independent peer: build the proxies from Altinn's Basic WSDLs, run the peer.

The build, for each WSDL: Mono's `svcutil` reads it from a loopback HTTP server (it takes WSDLs
from URLs only), `with_fault_contracts` adds the `FaultContract` that svcutil leaves out, and
`mcs` compiles the proxy with `AltinnFault.cs` into a contract assembly. `Peer.cs` (compiled once)
drives those contracts as a client or hosts them as a service, exchanging canonical JSON
(`canonical.py`) with the tests.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
from lxml import etree

from tests.wsdl_server import WsdlServer

HERE = Path(__file__).resolve().parent
FAULT_NAMESPACE = "http://www.altinn.no/services/common/fault/2009/10"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSAW = "http://www.w3.org/2006/05/addressing/wsdl"
REFERENCES = ["System.ServiceModel", "System.Runtime.Serialization", "System.Xml"]
TOOLS = ("mono", "mcs", "svcutil")


class PeerError(RuntimeError):
    """The peer could not be built or did not answer."""


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def _run(command: Sequence[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise PeerError(f"{command[0]} failed ({done.returncode}): {done.stdout}{done.stderr}")
    return done.stdout


@dataclass(frozen=True)
class Contract:
    """A compiled proxy: the assembly and its service contract (the WSDL's portType)."""

    assembly: Path
    name: str


def fault_actions(wsdl: bytes) -> dict[str, str]:
    """The AltinnFault action of each operation of the WSDL's portType."""
    tree = etree.fromstring(wsdl)
    actions = {}
    for operation in tree.iterfind(f"{{{WSDL}}}portType/{{{WSDL}}}operation"):
        for fault in operation.iterfind(f"{{{WSDL}}}fault"):
            action = fault.get(f"{{{WSAW}}}Action")
            if action:
                actions[operation.get("name", "")] = action
    return actions


OPERATION = re.compile(
    r"^(?P<indent>[ \t]*)\[System\.ServiceModel\.OperationContractAttribute\((?:.|\n)*?\)\]\n"
    r"(?:[ \t]*\[.*\]\n)*[ \t]*[\w.<>\[\], ]+ (?P<name>\w+)\(",
    re.MULTILINE,
)


def with_fault_contracts(proxy: str, actions: Mapping[str, str]) -> str:
    """svcutil's proxy with `[FaultContract(typeof(AltinnFault))]` on every operation that
    declares the fault in the WSDL (Mono's svcutil drops WSDL faults)."""

    def add(match: re.Match[str]) -> str:
        action = actions.get(match["name"])
        if action is None:
            return match[0]
        attribute = (
            f"{match['indent']}[System.ServiceModel.FaultContractAttribute("
            f'typeof(AltinnPeer.AltinnFault), Action="{action}", Name="AltinnFault", '
            f'Namespace="{FAULT_NAMESPACE}")]\n'
        )
        return attribute + match[0]

    patched, count = OPERATION.subn(add, proxy)
    if count == 0:
        raise PeerError("no operation contract found in svcutil's proxy")
    return patched


def with_test_types_imported(proxy: str) -> str:
    """svcutil's proxy with the namespace of `Test`/`TestResponse` imported: it writes the
    XmlSerializer-format `Test` operation (IAltinnContractBase, on every Altinn contract) with
    those types unqualified."""
    namespace = re.search(
        r"^namespace ([\w.]+) \{(?:(?!^namespace ).)*?public partial class TestResponse\b",
        proxy,
        re.MULTILINE | re.DOTALL,
    )
    return proxy if namespace is None else f"using {namespace[1]};\n{proxy}"


def contract_name(proxy: str) -> str:
    match = re.search(r"^public interface (I\w+) \{", proxy, re.MULTILINE)
    if match is None:
        raise PeerError("no service contract in svcutil's proxy")
    return match[1]


class Toolchain:
    """Builds the peer and the contract assemblies into `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.peer = folder / "Peer.exe"

    def build_peer(self) -> Path:
        _run(
            [
                "mcs",
                "-nologo",
                "-target:exe",
                f"-out:{self.peer}",
                *(f"-r:{name}" for name in [*REFERENCES, "System.Web.Extensions"]),
                str(HERE / "Peer.cs"),
            ],
            self.folder,
        )
        return self.peer

    def build_contracts(self, wsdls: Mapping[str, bytes]) -> dict[str, Contract]:
        """One contract assembly per WSDL (keyed like `wsdls`: by the endpoint path)."""
        contracts = {}
        with WsdlServer() as server:
            for index, (key, wsdl) in enumerate(sorted(wsdls.items())):
                folder = self.folder / f"contract{index}"
                folder.mkdir()
                server.add(f"/contract{index}.wsdl", wsdl)
                _run(["svcutil", f"{server.url}/contract{index}.wsdl"], folder)
                proxy = (folder / "output.cs").read_text(encoding="utf-8")
                patched = folder / "contract.cs"
                patched.write_text(
                    with_fault_contracts(with_test_types_imported(proxy), fault_actions(wsdl)),
                    "utf-8",
                )
                assembly = folder / f"contract{index}.dll"  # one assembly name each
                _run(
                    [
                        "mcs",
                        "-nologo",
                        "-target:library",
                        f"-out:{assembly}",
                        *(f"-r:{name}" for name in REFERENCES),
                        str(patched),
                        str(HERE / "AltinnFault.cs"),
                    ],
                    folder,
                )
                contracts[key] = Contract(assembly, contract_name(proxy))
        return contracts

    def call(self, plan: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Runs the calls of `plan` with WCF's client; one result per call."""
        plan_file = self.folder / "client-plan.json"
        out_file = self.folder / "client-out.json"
        plan_file.write_text(json.dumps(plan), "utf-8")
        _run(["mono", str(self.peer), "client", str(plan_file), str(out_file)], self.folder)
        results: list[dict[str, Any]] = json.loads(out_file.read_text("utf-8"))
        return results

    @contextmanager
    def serve(self, plan: Mapping[str, Any]) -> Iterator[Path]:
        """Hosts the services of `plan` until the block ends; yields the record file, which
        gets one JSON line per request the service received."""
        plan_file = self.folder / "serve-plan.json"
        record = self.folder / "serve-record.jsonl"
        plan_file.write_text(json.dumps(plan), "utf-8")
        record.write_text("", "utf-8")
        process = subprocess.Popen(
            ["mono", str(self.peer), "serve", str(plan_file), str(record)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _await_ready(process)
            for service in plan["services"]:
                _await_listening(service["url"])
            yield record
        finally:
            stdin: IO[str] | None = process.stdin
            if stdin is not None:
                stdin.close()  # the peer serves until its standard input ends
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _await_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        _, errors = process.communicate()
        raise PeerError(f"the WCF service did not start: {line}{errors}")


def _await_listening(url: str) -> None:
    """Mono's listener may refuse or drop the first connections after the host opened: wait
    until it answers an HTTP request (any status) on the service's URL."""
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.TransportError as error:
            if time.monotonic() > deadline:
                raise PeerError(f"the WCF service at {url} does not answer: {error}") from error
            time.sleep(0.1)


def received(record: Path) -> list[dict[str, Any]]:
    """The requests the WCF service received, in order."""
    return [json.loads(line) for line in record.read_text("utf-8").splitlines() if line]
