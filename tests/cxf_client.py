"""Apache CXF as an EC/EC2 client (tests/java, `altinn2codegen.CxfEcClient`), as the tests run it.

The WSDL comes from the project's WSDL cache (`spec/wsdl/...`, as the generator reads it), with
the one adaptation CXF needs (`ADAPTATIONS` of the CXF server tests, listed in the README),
written to a temporary folder: never a committed copy. The request payload is one of the
generated operation's example inputs, the enterprise user's credentials in its body, as the
application would give it to a generated CXF port. One JVM runs a list of calls; what CXF sent
and received for each comes back as a `CxfCall`.

A streamed (MTOM) upload's target carries its file and header values (`Target.upload`): the body
then holds an `xop:Include` of the file, which CXF sends as the binary part, and the header parts
(credentials from the enterprise user) go beside the payload for CXF to send as SOAP headers. A
download's binary parts come back as `CxfCall.attachments` (size and SHA-256, as CXF read them).
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from altinn2.runtime.codec import qname_of, to_element
from altinn2.runtime.credentials import EnterpriseCredentials
from altinn2.runtime.operation import Credential, OperationInfo
from altinn2.runtime.transport.mtom import XOP_NS, streamed_field
from altinn2.testing import example_input
from generator.fetch import cache_name
from tests import java_peers
from tests.pki import P12_PASSWORD, Pki
from tests.runtime.security.test_cxf import ADAPTATIONS

# A WSDL or schema import of one of WCF's generated parts (`…/X.svc?wsdl=wsdl0`, `?xsd=xsd3`).
IMPORTED = re.compile(r'(\b(?:schemaLocation|location)=)"([^"?]+\?(?:wsdl|xsd)=[^"]+)"')
WSDL_NS = {"w": "http://schemas.xmlsoap.org/wsdl/"}
TRUST = "http://schemas.xmlsoap.org/ws/2005/02/trust"
ISSUE = f"{TRUST}/RST/SCT"
ISSUED = f"{TRUST}/RSTR/SCT"
CANCEL = f"{TRUST}/RST/SCT/Cancel"
CANCELLED = f"{TRUST}/RSTR/SCT/Cancel"
UPLOAD_ID = "upload@cxf.test"  # CxfEcClient.UPLOAD_ID: the upload's binary part


@dataclass(frozen=True)
class Target:
    """One call for the CXF client: the generated operation, served at `url`; `fields` set
    body fields of its example input; `upload` (a streamed upload) is the file to send and
    `headers` the header parts' values by parameter name."""

    operation: OperationInfo
    url: str
    fields: dict[str, Any] = field(default_factory=dict)
    upload: bytes | None = None
    headers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    """A binary part of an MTOM answer, as CXF read it."""

    content_id: str
    size: int
    sha256: str


@dataclass
class CxfCall:
    """What CXF did for one call: the Actions it sent and accepted, in order, and the outcome
    (`RESULT`, `FAULT` or `ERROR`) with its text (the payload, or the fault)."""

    operation: str
    sent: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    outcome: str = ""
    text: str = ""
    attachments: list[Received] = field(default_factory=list)

    def result(self) -> etree._Element:
        assert self.outcome == "RESULT", f"{self.operation}: {self.outcome} {self.text}"
        return etree.fromstring(self.text.encode("utf-8"))


def element_name(kind: type[Any]) -> str:
    """The local name of a model class's element."""
    return qname_of(kind).rpartition("}")[2]


def jks_copy(pki: Pki, folder: Path) -> Path:
    """The enterprise certificate's PKCS#12 file as a Java KeyStore (JKS), by the JDK's keytool."""
    target = folder / "enterprise.jks"
    keytool = [
        "keytool", "-importkeystore", "-noprompt",
        "-srckeystore", str(pki.enterprise_p12), "-srcstoretype", "PKCS12",
        "-srcstorepass", P12_PASSWORD,
        "-destkeystore", str(target), "-deststoretype", "JKS",
        "-deststorepass", P12_PASSWORD,
    ]  # fmt: skip
    subprocess.run(keytool, check=True, capture_output=True, timeout=60)
    return target


def cached_wsdl(cache: Path, operation: OperationInfo) -> Path:
    """The WSDL cache's file for the operation's endpoint (`/Folder/Name.svc`)."""
    return cache / f"{operation.path.lstrip('/')}.wsdl"


def adapted_wsdl(cache: Path, operation: OperationInfo, folder: Path) -> Path:
    """The endpoint's cached WSDL and the parts it imports (WCF's `?wsdl=`/`?xsd=`), adapted,
    in `folder`; each import points at its copy there, as the cache names it."""
    root = cached_wsdl(cache, operation)
    for source in root.parent.glob(f"{root.name.removesuffix('.wsdl')}.*"):
        text = source.read_text(encoding="utf-8")
        for pattern, replacement in ADAPTATIONS:
            text = pattern.sub(replacement, text)
        text = IMPORTED.sub(lambda found, here=source.parent: _local(found, here), text)
        (folder / source.name).write_text(text, encoding="utf-8")
    return folder / root.name


def _local(found: re.Match[str], cached: Path) -> str:
    name = Path(cache_name(found.group(2), root=False)).name
    assert (cached / name).is_file(), f"{found.group(2)} is not in the WSDL cache"
    return f'{found.group(1)}"{name}"'


def service_and_port(wsdl: Path) -> tuple[str, str]:
    root = etree.parse(str(wsdl)).getroot()
    namespace = root.get("targetNamespace")
    (service,) = root.xpath("w:service", namespaces=WSDL_NS)
    (port,) = service.xpath("w:port", namespaces=WSDL_NS)
    return f"{{{namespace}}}{service.get('name')}", f"{{{namespace}}}{port.get('name')}"


def credentials(operation: OperationInfo, enterprise: EnterpriseCredentials) -> dict[str, str]:
    """The enterprise user's name and password (where the operation takes one), by parameter."""
    values = {}
    for name, credential in operation.credentials.items():
        if credential is Credential.ENTERPRISE_USER_NAME:
            values[name] = enterprise.user_name
        elif credential is Credential.ENTERPRISE_PASSWORD:
            assert enterprise.password is not None
            values[name] = enterprise.password.reveal()
    assert values, f"{operation.label}: no enterprise credentials"
    return values


def payload(operation: OperationInfo, enterprise: EnterpriseCredentials, **fields: Any) -> bytes:
    """The operation's example input with the enterprise user in the body (name and password, or
    the name alone where the operation takes no password), `fields` set."""
    values = credentials(operation, enterprise)
    assert not set(values) & set(operation.header_parameters), operation.label
    return etree.tostring(to_element(example_input(operation, **values, **fields)))


def upload_payload(operation: OperationInfo) -> bytes:
    """A streamed upload's body: its base64Binary element an `xop:Include` of the binary part."""
    found = streamed_field(operation.input)
    assert found is not None, f"{operation.label} streams nothing up"
    body = to_element(dataclasses.replace(example_input(operation), **{found[0]: b""}))
    (target,) = [child for child in body if etree.QName(child).localname == found[1]]
    etree.SubElement(target, f"{{{XOP_NS}}}Include", nsmap={"xop": XOP_NS}).set(
        "href", f"cid:{UPLOAD_ID}"
    )
    return etree.tostring(body)


def header_parts(
    operation: OperationInfo, enterprise: EnterpriseCredentials, values: dict[str, Any]
) -> bytes:
    """The operation's SOAP header parts, as children of one element (CxfEcClient sends each as
    a SOAP header): `values` by parameter name, the credentials from the enterprise user."""
    given = {**values, **credentials(operation, enterprise)}
    assert set(given) == set(operation.header_parameters), (operation.label, sorted(given))
    parts = etree.Element("headers")
    for cls, name in zip(operation.input_headers, operation.header_parameters, strict=True):
        (only,) = dataclasses.fields(cls)
        parts.append(to_element(cls(**{only.name: given[name]})))
    return etree.tostring(parts)


def write_payload(target: Target, enterprise: EnterpriseCredentials, stem: Path) -> Path:
    """The target's payload (and, for an upload, its header parts and file) beside `stem`, as
    CxfEcClient reads them."""
    body = stem.with_suffix(".xml")
    if target.upload is None:
        body.write_bytes(payload(target.operation, enterprise, **target.fields))
        return body
    body.write_bytes(upload_payload(target.operation))
    stem.with_suffix(".headers.xml").write_bytes(
        header_parts(target.operation, enterprise, target.headers)
    )
    stem.with_suffix(".attachment").write_bytes(target.upload)
    return body


def run(
    pki: Pki,
    cache: Path,
    targets: Sequence[Target],
    enterprise: EnterpriseCredentials,
    folder: Path,
    *,
    keystore: Path | None = None,
    again_after_ms: int = 0,
) -> list[CxfCall]:
    """CXF calls each target in turn (one JVM); the calls, in order. With `again_after_ms`,
    each target is called a second time on the same port that many milliseconds later (two
    calls per target)."""
    again = ["--again-after", str(again_after_ms)] if again_after_ms else []
    args = [*again, str(keystore or pki.enterprise_p12), P12_PASSWORD, str(pki.ca_pem)]
    for index, target in enumerate(targets):
        wsdl = adapted_wsdl(cache, target.operation, folder)
        service, port = service_and_port(wsdl)
        body = write_payload(target, enterprise, folder / f"payload-{index}")
        args += [str(wsdl), service, port, target.url, target.operation.name, str(body)]
    finished = java_peers.run("CxfEcClient", *args, timeout=300)
    lines = finished.stdout.splitlines()
    assert finished.returncode == 0 and lines[-1:] == ["DONE"], (
        f"CXF client failed ({finished.returncode}):\n{finished.stdout[-4000:]}"
        f"\n{finished.stderr[-4000:]}"
    )
    times = 2 if again_after_ms else 1
    return parse(lines[:-1], [target.operation.name for target in targets for _ in range(times)])


def parse(lines: Sequence[str], operations: Sequence[str]) -> list[CxfCall]:
    calls = [CxfCall(operation) for operation in operations]
    index = 0
    for line in lines:
        kind, _, rest = line.partition(" ")
        if kind == "SENT":
            calls[index].sent.append(rest)
        elif kind == "RECEIVED":
            calls[index].received.append(rest)
        elif kind == "ATTACHMENT":
            name, content_id, described = rest.split(" ")
            assert name == calls[index].operation, line
            size, _, sha256 = described.partition(":")
            calls[index].attachments.append(Received(content_id, int(size), sha256))
        elif kind in ("RESULT", "FAULT", "ERROR"):
            name, _, text = rest.partition(" ")
            assert name == calls[index].operation, line
            calls[index].outcome, calls[index].text = kind, text
            index += 1
        else:
            raise AssertionError(f"unexpected line from the CXF client: {line}")
    assert index == len(calls), f"{len(calls) - index} calls without an outcome"
    return calls
