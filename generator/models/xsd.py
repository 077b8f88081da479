"""The merged schemas, written into the package for validating messages with no WSDL present.

One file per namespace (named like its model module), documentation stripped, imports pointing
at the sibling files, plus `index.xsd` importing them all: what `altinn2.testing` validates
requests and responses against.
"""

from __future__ import annotations

from lxml import etree

from generator.errors import WsdlError
from generator.models.layout import module_for_namespace
from generator.wsdl.namespaces import XSD, q

INDEX = "index.xsd"


def _file(namespace: str) -> str:
    return f"{module_for_namespace(namespace)}.xsd"


def schema_files(documents: dict[str, bytes]) -> dict[str, bytes]:
    """File name -> content for every merged schema, and the index."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    files = {}
    owners: dict[str, str] = {}
    for namespace in sorted(documents):
        other = owners.setdefault(_file(namespace), namespace)
        if other != namespace:
            raise WsdlError(
                f"namespaces {other} and {namespace} both map to {_file(namespace)}: name one "
                "in MODULE_OVERRIDES"
            )
    for namespace, document in sorted(documents.items()):
        root = etree.fromstring(document, parser)
        for annotation in list(root.iter(q(XSD, "annotation"))):
            parent = annotation.getparent()
            if parent is not None:
                parent.remove(annotation)
        for imported in root.findall(q(XSD, "import")):
            imported.set("schemaLocation", _file(imported.get("namespace", "")))
        files[_file(namespace)] = etree.tostring(
            root, encoding="utf-8", xml_declaration=True, pretty_print=True
        )
    index = etree.Element(q(XSD, "schema"), nsmap={"xs": XSD})
    index.set("targetNamespace", "urn:altinn2:schemas")
    for namespace in sorted(documents):
        etree.SubElement(
            index, q(XSD, "import"), namespace=namespace, schemaLocation=_file(namespace)
        )
    files[INDEX] = etree.tostring(index, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return files
