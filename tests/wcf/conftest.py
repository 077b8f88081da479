"""The WCF peer (Mono) for the tests of this folder: built once per session.

These tests run in their own target, `make interop` (they need Debian's `mono-complete`); the
default test run deselects them by their `wcf` mark. Inside that target they never skip: a missing
tool fails them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from altinn2.runtime.operation import Binding, OperationInfo
from altinn2.runtime.registry import operation_index
from tests.conftest import REPO
from tests.wcf.peer import Contract, Toolchain, missing_tools

XSD = "http://www.w3.org/2001/XMLSchema"


def basic_operations() -> list[OperationInfo]:
    """Every generated Basic operation that is not streamed (MTOM joins with its issue)."""
    return [
        op for op in operation_index().operations if op.binding is Binding.BASIC and not op.mtom
    ]


def wsdl_of(operation: OperationInfo) -> bytes:
    """The endpoint's WSDL as `make fetch` cached it (checked against spec/wsdl.lock)."""
    return wsdl_at(operation.path)


def wsdl_at(path: str) -> bytes:
    return (REPO / "spec" / "wsdl" / f"{path.lstrip('/')}.wsdl").read_bytes()


@functools.cache
def contract_names(path: str) -> frozenset[str]:
    """The element names the endpoint's WSDL declares (its own contract's members)."""
    tree = etree.fromstring(wsdl_at(path))
    return frozenset(node.get("name", "") for node in tree.iter(f"{{{XSD}}}element"))


@pytest.fixture(scope="session")
def toolchain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Toolchain]:
    missing = missing_tools()
    if missing:
        pytest.fail(f"the WCF peer needs {', '.join(missing)} (Debian's mono-complete)")
    tools = Toolchain(tmp_path_factory.mktemp("wcf"))
    tools.build_peer()
    yield tools


@pytest.fixture(scope="session")
def contracts(toolchain: Toolchain) -> dict[str, Contract]:
    """The compiled contract of each Basic endpoint path."""
    wsdls = {op.path: wsdl_of(op) for op in basic_operations()}
    return toolchain.build_contracts(wsdls)


def assembly(contract: Contract) -> str:
    return str(Path(contract.assembly))
