"""The XML Schemas of every namespace the generated operations use, merged by the generator into
`schemas/` (with `index.xsd` importing them all), loaded once and used to validate body elements.

WCF reads a little more than XML Schema allows; where a real Altinn accepted a value the schema
refuses, the validator accepts it too (and says so here):

- a date without a time (`2019-01-01`) in an `xs:dateTime` element: WCF's DataContractSerializer
  reads it as midnight, and tt02 accepted such searches (recorded GetReporteeElementListBasicV2
  requests).
- `xsi:nil="true"` on an element the schema does not make nillable (`<userPinCode i:nil="true"/>`,
  what a WCF client sends for a null string): WCF's serializer reads it as null and runs the
  operation. The validator drops such an `xsi:nil` from the element, so that the mock reads it as
  the empty string it then validates (a null string's meaning for Altinn), and a value type (an
  `xs:int` cannot be empty) is still refused, as WCF refuses it.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
INDEX = SCHEMA_DIR / "index.xsd"

_LENIENT = (
    # WCF reads xs:date lexical forms as xs:dateTime (midnight).
    re.compile(
        r"^Element '[^']*': '\d{4}-\d{2}-\d{2}' is not a valid value of the atomic type "
        r"'xs:dateTime'\.$"
    ),
)
_NOT_NILLABLE = re.compile(r"^Element '(\{[^}]*\}[^']*)': The element is not 'nillable'\.$")
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_LOCK = threading.Lock()


@dataclass(frozen=True)
class SchemaViolation:
    """One error of the validator: its message and where (an XPath in the validated element)."""

    message: str
    path: str
    line: int

    def __str__(self) -> str:
        return self.message


@cache
def schema() -> etree.XMLSchema:
    """Every shipped schema, parsed once (about 20 ms)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(INDEX), parser=parser))


def violations(element: etree._Element, variant: str | None = None) -> list[SchemaViolation]:
    """What the schemas find wrong with `element` (a body element or a fault detail), minus
    what WCF accepts anyway (see above: a refused `xsi:nil` is dropped from `element`); an empty
    list when it is valid. `variant`: the generated class's name, when it is a renamed variant of
    the element's definition (EC2's messages share EC's element names, not always their forms);
    the schemas declare it under that name, and `element` is checked as it. Thread-safe."""
    name = etree.QName(element)
    if variant and variant != name.localname and declared(f"{{{name.namespace}}}{variant}"):
        renamed = copy.copy(element)
        renamed.tag = f"{{{name.namespace}}}{variant}"
        return violations(renamed)
    errors = _validate(element)
    refused_nils = {m[1] for m in map(_NOT_NILLABLE.match, (e.message for e in errors)) if m}
    if refused_nils:
        for node in element.iter(*refused_nils):
            if node.get(_XSI_NIL) in ("true", "1"):
                del node.attrib[_XSI_NIL]
        errors = _validate(element)
    return [error for error in errors if not any(p.match(error.message) for p in _LENIENT)]


def _validate(element: etree._Element) -> list[SchemaViolation]:
    validator = schema()
    with _LOCK:
        if validator.validate(element):
            return []
        return [
            SchemaViolation(entry.message, entry.path or "", entry.line)
            for entry in validator.error_log
        ]


def is_valid(element: etree._Element) -> bool:
    return not violations(element)


def declared(tag: str) -> bool:
    """Whether a global element of that (Clark) name is declared in the shipped schemas."""
    return tag in _global_elements()


@cache
def _global_elements() -> frozenset[str]:
    names: set[str] = set()
    xs = "{http://www.w3.org/2001/XMLSchema}"
    for path in SCHEMA_DIR.glob("*.xsd"):
        root = etree.parse(str(path)).getroot()
        namespace = root.get("targetNamespace", "")
        names.update(f"{{{namespace}}}{node.get('name')}" for node in root.iterfind(f"{xs}element"))
    return frozenset(names)
