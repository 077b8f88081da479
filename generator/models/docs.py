"""WCF's XmlCommentsExporter annotations turned into plain `xs:documentation`.

WCF puts C# doc comments in `xs:appinfo/ser:Surrogate/Text` as escaped `<summary>` markup (and
enum member docs in `EnumText`/`Members`); xsdata only reads `xs:documentation`.
"""

from __future__ import annotations

import re

from lxml import etree

from generator.wsdl.namespaces import XSD, q

SERIALIZATION = "http://schemas.microsoft.com/2003/10/Serialization/"
ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
ANNOTATION = "XmlCommentsExporter.Annotation"

_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]+>")
_AUTHOR_LINE = re.compile(r"\s*(Author|Date)\s*:")
_XMLNS = re.compile(r"\s*xmlns(:\w+)?=\"[^\"]*\"")


def doc_text(escaped: str) -> str:
    """`<summary>..</summary><remarks>..</remarks>` (as text) -> the summary, one line.

    Falls back to the remarks without Author/Date lines, then to all the text.
    """
    try:
        fragment = etree.fromstring(
            f"<doc>{escaped}</doc>", parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError:
        return _SPACE.sub(" ", _TAG.sub(" ", escaped)).strip()
    summary = fragment.find("summary")
    if summary is not None:
        text = "".join(str(piece) for piece in summary.itertext())
    else:
        remarks = fragment.find("remarks")
        source = remarks if remarks is not None else fragment
        lines = "".join(str(piece) for piece in source.itertext()).splitlines()
        text = "\n".join(line for line in lines if not _AUTHOR_LINE.match(line))
    return _SPACE.sub(" ", text).strip()


def _set_documentation(owner: etree._Element, text: str) -> None:
    for old in owner.findall(q(XSD, "annotation")):
        owner.remove(old)
    if text:
        annotation = etree.Element(q(XSD, "annotation"))
        etree.SubElement(annotation, q(XSD, "documentation")).text = text
        owner.insert(0, annotation)


def convert_docs(definition: etree._Element) -> None:
    """Leave at most one plain-text `xs:documentation` per annotated node of `definition`."""
    member_docs: dict[str, str] = {}
    for annotation in list(definition.iter(q(XSD, "annotation"))):
        owner = annotation.getparent()
        if owner is None:
            continue
        text = ""
        for surrogate in annotation.iter(q(SERIALIZATION, "Surrogate")):
            node = surrogate.find(q(ANNOTATION, "Text"))
            if node is None:
                node = surrogate.find(q(ANNOTATION, "EnumText"))
            if node is not None and node.text:
                text = doc_text(node.text)
            members = surrogate.find(q(ANNOTATION, "Members"))
            for pair in members if members is not None else ():
                key = pair.find(q(ARRAYS, "Key"))
                value = pair.find(q(ARRAYS, "Value"))
                if key is not None and value is not None and value.text:
                    member_docs[key.text or ""] = doc_text(value.text)
        if not text:
            for documentation in annotation.findall(q(XSD, "documentation")):
                inner = (documentation.text or "") + "".join(
                    etree.tostring(child, encoding="unicode", with_tail=True)
                    for child in documentation
                )
                text = doc_text(_XMLNS.sub("", inner)) or text
        _set_documentation(owner, text)
    for enumeration in definition.iter(q(XSD, "enumeration")):
        doc = member_docs.get(enumeration.get("value", ""))
        if doc:
            _set_documentation(enumeration, doc)
