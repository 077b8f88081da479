"""SOAP 1.1 and 1.2 envelopes: built from lxml elements, read back safely, faults raised.

Parsing never loads a DTD, expands an entity or touches the network or the file system, and refuses
documents above a size limit or with more elements than memory should hold for their size (see
`element_limit`); anything that is not a SOAP envelope raises `ProtocolError` with a short,
redacted excerpt.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from altinn2.runtime.codec import from_element, qname_of
from altinn2.runtime.errors import (
    AltinnFaultError,
    BadContextTokenError,
    ProtocolError,
    RenewNeededError,
    SoapFaultError,
    fault_class,
)
from altinn2.runtime.operation import SoapVersion
from altinn2.runtime.secrets import DEFAULT_REDACTOR, Redactor

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
ENVELOPE_NS = {SoapVersion.SOAP11: SOAP11, SoapVersion.SOAP12: SOAP12}
ENVELOPE_VERSIONS = {
    f"{{{namespace}}}Envelope": version for version, namespace in ENVELOPE_NS.items()
}
ALTINN_FAULT_NS = "http://www.altinn.no/services/common/fault/2009/10"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

EXCERPT_CHARS = 200
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# The tree of a document costs about 125 bytes per element and as much again per text: what a
# response can build, not its size, is what memory must be bounded by. WCF writes every element
# with its name and a prefix (Altinn's recorded envelopes: 50-70 bytes per element), so a
# document with more than one element per BYTES_PER_ELEMENT bytes (beyond a small allowance) is
# built to exhaust memory; with this bound a tree stays within about 12 times the document's size.
DEFAULT_MAX_ELEMENTS = 2_000_000
BYTES_PER_ELEMENT = 20
ELEMENT_ALLOWANCE = 10_000
# libxml2 itself refuses nesting deeper than 256 elements (huge_tree off): depth is bounded too.


class _ExternalRefused(Exception):
    pass


class _RefuseExternal(etree.Resolver):
    """Loads nothing a document points to. libxml2 opens an external DTD (`<!DOCTYPE x SYSTEM
    "file:...">`) even with `load_dtd=False`; this resolver answers every such load first."""

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> None:
        raise _ExternalRefused


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    parser.resolvers.add(_RefuseExternal())
    return parser


def excerpt(data: bytes, redactor: Redactor = DEFAULT_REDACTOR) -> str:
    """The start of a response, secrets removed, for error messages."""
    text = redactor.bytes(data, EXCERPT_CHARS * 4)
    text = " ".join(text.split())
    return text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")


def element_limit(size: int, max_elements: int = DEFAULT_MAX_ELEMENTS) -> int:
    """How many elements a document of `size` bytes may have."""
    return min(max_elements, size // BYTES_PER_ELEMENT + ELEMENT_ALLOWANCE)


def parse_xml(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    redactor: Redactor = DEFAULT_REDACTOR,
) -> etree._Element:
    """Parse an XML document safely; ProtocolError on anything hostile or malformed."""
    if len(data) > max_bytes:
        raise ProtocolError(f"response of {len(data)} bytes exceeds the limit of {max_bytes}")
    # Every element starts with `<` and not `</`: an upper bound, counted before a tree is built
    # (the end tags counted only when the `<` alone exceed the limit).
    limit = element_limit(len(data), max_elements)
    elements = data.count(b"<")
    if elements > limit:
        elements -= data.count(b"</")
    if elements > limit:
        raise ProtocolError(
            f"response of {len(data)} bytes has up to {elements} elements, more than the "
            f"{limit} allowed (max_elements {max_elements}, or one per {BYTES_PER_ELEMENT} "
            "bytes); refused"
        )
    # A cheap first look (XML's keywords are case-sensitive: no copy of the data needed); the
    # parser's settings, its resolver and the DOCTYPE check below are what hold.
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise ProtocolError(
            "response has a DOCTYPE or entity declarations; refused",
            excerpt=excerpt(data, redactor),
        )
    try:
        root = etree.fromstring(data, parser=_parser())
    except _ExternalRefused:
        raise ProtocolError(
            "response refers to an external DTD or entity; refused",
            excerpt=excerpt(data, redactor),
        ) from None
    except etree.XMLSyntaxError as exc:
        raise ProtocolError(
            f"response is not well-formed XML ({exc.msg})", excerpt=excerpt(data, redactor)
        ) from None
    if root.getroottree().docinfo.doctype:
        raise ProtocolError("response has a DOCTYPE; refused", excerpt=excerpt(data, redactor))
    return root


@dataclass(frozen=True)
class Envelope:
    version: SoapVersion
    headers: tuple[etree._Element, ...]
    body: etree._Element | None  # the body's first element, None for an empty body

    @property
    def fault(self) -> bool:
        return self.body is not None and self.body.tag == f"{{{ENVELOPE_NS[self.version]}}}Fault"


def read_envelope(
    root: etree._Element, data: bytes = b"", redactor: Redactor = DEFAULT_REDACTOR
) -> Envelope:
    version = ENVELOPE_VERSIONS.get(str(root.tag))
    if version is None:
        raise ProtocolError(
            f"not a SOAP envelope (root element {root.tag!s})", excerpt=excerpt(data, redactor)
        )
    namespace = ENVELOPE_NS[version]
    header = root.find(f"{{{namespace}}}Header")
    body = root.find(f"{{{namespace}}}Body")
    if body is None:
        raise ProtocolError("SOAP envelope without a Body", excerpt=excerpt(data, redactor))
    children = [child for child in body if isinstance(child.tag, str)]
    headers = (
        tuple(child for child in header if isinstance(child.tag, str)) if header is not None else ()
    )
    return Envelope(version, headers, children[0] if children else None)


def build_envelope(
    version: SoapVersion,
    headers: Sequence[etree._Element],
    body: Sequence[etree._Element],
) -> bytes:
    """Serialize an envelope as UTF-8 bytes."""
    namespace = ENVELOPE_NS[version]
    envelope = etree.Element(f"{{{namespace}}}Envelope", nsmap={"s": namespace})
    if headers:
        header = etree.SubElement(envelope, f"{{{namespace}}}Header")
        header.extend(headers)
    body_element = etree.SubElement(envelope, f"{{{namespace}}}Body")
    body_element.extend(body)
    return etree.tostring(envelope, encoding="utf-8", xml_declaration=False)


def must_understand(element: etree._Element, version: SoapVersion) -> etree._Element:
    """Mark a header block mustUnderstand (`1` in SOAP 1.1, `true`-equivalent `1` in 1.2)."""
    element.set(f"{{{ENVELOPE_NS[version]}}}mustUnderstand", "1")
    return element


def _raw_text(element: etree._Element | None) -> str | None:
    """An element's text; None when it is absent, nil or empty (`<UserId/>`)."""
    if element is None or element.get(f"{{{XSI}}}nil") in ("true", "1"):
        return None
    return "".join(element.itertext()).strip() or None


def _child(parent: etree._Element | None, local: str) -> etree._Element | None:
    if parent is None:
        return None
    for child in parent:
        if isinstance(child.tag, str) and etree.QName(child).localname == local:
            return child
    return None


def _qname_text(element: etree._Element | None) -> str | None:
    """A fault code like `s:Client`: the SOAP envelope's own codes lose their prefix (`Client`,
    `Sender`); codes of other namespaces stay as written (`a:ActionNotSupported`)."""
    text = _raw_text(element)
    if not text or element is None:
        return text
    prefix, _, local = text.rpartition(":")
    namespace = element.nsmap.get(prefix or None)
    return local if namespace in (SOAP11, SOAP12) else text


def raise_fault(
    envelope: Envelope,
    operation: str | None = None,
    details: Sequence[type[Any]] = (),
    redactor: Redactor = DEFAULT_REDACTOR,
) -> None:
    """Raise the fault in `envelope`: AltinnFaultError (by ErrorID) or SoapFaultError.

    `details` are the operation's declared fault types: a detail element of one of them is bound
    to it and kept as the exception's `detail`. Everything the exception carries from the server
    (its texts, the typed detail's texts) is redacted by `redactor`."""
    error = fault_error(envelope, operation, redactor)
    if details:
        error.detail = redacted_copy(_typed_detail(envelope, details), redactor)
    raise error


def redacted_copy(value: Any, redactor: Redactor) -> Any:
    """`value` (a generated dataclass, a list, a string) with every string in it redacted."""
    if isinstance(value, str):
        return redactor.text(value)
    if isinstance(value, list):
        return [redacted_copy(item, redactor) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: redacted_copy(getattr(value, field.name), redactor)
            for field in dataclasses.fields(value)
            if field.init
        }
        return dataclasses.replace(value, **changes)
    return value


def _typed_detail(envelope: Envelope, details: Sequence[type[Any]]) -> Any:
    fault = envelope.body
    container = _child(fault, "detail" if envelope.version is SoapVersion.SOAP11 else "Detail")
    wanted = {qname_of(cls): cls for cls in details}
    for element in container if container is not None else ():
        cls = wanted.get(str(element.tag))
        if cls is not None:
            try:
                return from_element(element, cls)
            except ProtocolError:
                return None  # the fields read by hand still hold
    return None


def fault_error(
    envelope: Envelope, operation: str | None = None, redactor: Redactor = DEFAULT_REDACTOR
) -> SoapFaultError:
    """The exception for the fault in `envelope` (AltinnFaultError by ErrorID, else
    SoapFaultError), not raised; every text it takes from the server is redacted."""
    fault = envelope.body
    assert fault is not None

    def _text(element: etree._Element | None) -> str | None:
        value = _raw_text(element)
        return None if value is None else redactor.text(value)

    if envelope.version is SoapVersion.SOAP11:
        code = _qname_text(_child(fault, "faultcode"))
        reason = _text(_child(fault, "faultstring")) or ""
        subcodes: tuple[str, ...] = ()
        detail = _child(fault, "detail")
    else:
        code_element = _child(fault, "Code")
        code = _qname_text(_child(code_element, "Value"))
        subcodes_list = []
        sub = _child(code_element, "Subcode")
        while sub is not None:
            value = _text(_child(sub, "Value"))
            if value:
                subcodes_list.append(value.rpartition(":")[2])
            sub = _child(sub, "Subcode")
        subcodes = tuple(subcodes_list)
        reason = _text(_child(_child(fault, "Reason"), "Text")) or ""
        detail = _child(fault, "Detail")
    altinn = _child(detail, "AltinnFault")
    if altinn is not None:
        error_id_text = _raw_text(_child(altinn, "ErrorID"))
        try:
            error_id = int(error_id_text) if error_id_text else -1
        except ValueError:
            error_id = -1
        cls = fault_class(error_id)
        return cls(
            error_id=error_id,
            message=_text(_child(altinn, "AltinnErrorMessage")),
            extended_message=_text(_child(altinn, "AltinnExtendedErrorMessage")),
            localized_message=_text(_child(altinn, "AltinnLocalizedErrorMessage")),
            error_guid=_text(_child(altinn, "ErrorGuid")),
            user_guid=_text(_child(altinn, "UserGuid")),
            user_id=_text(_child(altinn, "UserId")),
            reason=reason,
            code=code,
            subcodes=subcodes,
            operation=operation,
        )
    if "RenewNeeded" in subcodes:
        return RenewNeededError(reason, code=code, subcodes=subcodes, operation=operation)
    if "BadContextToken" in subcodes:
        return BadContextTokenError(reason, code=code, subcodes=subcodes, operation=operation)
    return SoapFaultError(
        reason or "SOAP fault without a reason", code=code, subcodes=subcodes, operation=operation
    )


__all__ = [
    "ALTINN_FAULT_NS",
    "AltinnFaultError",
    "Envelope",
    "build_envelope",
    "excerpt",
    "must_understand",
    "parse_xml",
    "raise_fault",
    "read_envelope",
]
