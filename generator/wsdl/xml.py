"""Safe XML parsing for WSDL/XSD files: no DTDs, no entities, no network."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from generator.errors import WsdlError


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
    )


def parse_bytes(data: bytes, source: str) -> etree._ElementTree:
    """Parse a WSDL or XSD document; `source` names it in errors."""
    try:
        root = etree.fromstring(data, parser=_parser(), base_url=source)
    except etree.XMLSyntaxError as exc:
        raise WsdlError(f"{source}:{exc.lineno or '?'}: not well-formed XML: {exc.msg}") from None
    tree = root.getroottree()
    if root.getroottree().docinfo.doctype:
        raise WsdlError(f"{source}: has a DOCTYPE; WSDLs and XSDs are read without DTDs")
    return tree


def parse_file(path: Path, source: str | None = None) -> etree._ElementTree:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WsdlError(f"{source or path}: cannot read: {exc.strerror}") from None
    return parse_bytes(data, source or str(path))


def resolve_qname(element: etree._Element, value: str) -> str:
    """Turn a `prefix:local` attribute value into Clark notation using the element's scope."""
    prefix, _, local = value.rpartition(":")
    namespace = element.nsmap.get(prefix or None)
    if namespace is None:
        if prefix:
            line = element.sourceline
            raise WsdlError(
                f"{element.base}:{line}: unknown namespace prefix {prefix!r} in {value!r}"
            )
        return local
    return f"{{{namespace}}}{local}"
