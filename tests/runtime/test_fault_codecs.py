"""The operations' declared fault details (Altinn's `AltinnFault`) have generated decoders and
element names: a typed fault is read as xsdata's generic parser reads it (the recorded faults
and the mock's), and reading one loads no xsdata context."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from lxml import etree

from altinn2.models.fault_2009_10 import AltinnFault
from altinn2.runtime import codec
from altinn2.runtime.envelope import parse_xml, read_envelope
from altinn2.runtime.operation import SoapVersion
from altinn2.runtime.registry import operation_index
from altinn2.testing.faults import Fault, Reply, altinn_fault
from tests.conftest import shared_dir
from tests.runtime.test_binder import generic
from tests.runtime.test_cold_start import REFERENCE_PATH

TRAFFIC = "altinn2-traffic"


def declared() -> set[type[Any]]:
    return {cls for op in operation_index().operations for cls in op.faults}


def details(envelope_bytes: bytes) -> list[tuple[etree._Element, type[Any]]]:
    """Each detail element of a declared fault type in a fault envelope, with its type."""
    wanted = {codec.qname_of(cls): cls for cls in declared()}
    fault = read_envelope(parse_xml(envelope_bytes)).body
    assert fault is not None
    return [
        (element, wanted[str(element.tag)])
        for container in fault
        if etree.QName(container).localname in ("detail", "Detail")
        for element in container
        if str(element.tag) in wanted
    ]


def test_every_declared_fault_type_has_a_decoder_and_its_element_name() -> None:
    assert declared() == {AltinnFault}
    for cls in declared():
        module = codec._codec_module(cls)
        assert module is not None and codec.decoder_of(cls) is not None, cls
        assert module.QNAMES[cls] == codec.context().build(cls).qname, cls


def test_recorded_faults_decode_as_xsdata_reads_them() -> None:
    paths = sorted((shared_dir() / TRAFFIC).glob("*/*-fault-*.xml"))
    taken = 0
    for path in paths:
        for element, cls in details(path.read_bytes()):
            decoder = codec.decoder_of(cls)
            assert decoder is not None
            assert decoder(element) == generic(element, cls), path.name
            taken += 1
    assert taken >= 3  # the recorded AltinnFaults


def test_the_mock_s_faults_decode_as_xsdata_reads_them() -> None:
    taken = 0
    for version in SoapVersion:
        for fault in (Fault(989), Fault(0, "x", user_id="12345"), Fault(30009, "{guid} æøå")):
            reply: Reply = altinn_fault(version, fault)
            for element, cls in details(reply.body):
                decoder = codec.decoder_of(cls)
                assert decoder is not None
                assert decoder(element) == generic(element, cls), (version, fault)
                taken += 1
    assert taken == 6


TYPED_FAULT = """
import json, sys
from altinn2.models.fault_2009_10 import AltinnFault
from altinn2.runtime.envelope import parse_xml, raise_fault, read_envelope
from altinn2.runtime.errors import AltinnFaultError

envelope = read_envelope(parse_xml(open(sys.argv[1], "rb").read()))
try:
    raise_fault(envelope, "Op", (AltinnFault,))
except AltinnFaultError as error:
    detail = error.detail
print(json.dumps([type(detail).__name__, detail.error_id, sorted(sys.modules)]))
"""


def test_a_typed_fault_is_read_without_the_reference_path() -> None:
    path = shared_dir() / TRAFFIC / "Common/AltinnFault-fault-1.xml"
    result = subprocess.run(
        [sys.executable, "-c", TYPED_FAULT, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    name, error_id, loaded = json.loads(result.stdout)
    assert (name, error_id) == ("AltinnFault", 989)
    assert [module for module in REFERENCE_PATH if module in loaded] == []
