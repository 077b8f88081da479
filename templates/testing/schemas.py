"""The XML Schemas of every namespace the generated operations use, merged by the generator into
`schemas/` (with `index.xsd` importing them all), loaded once and used to validate body elements.

WCF reads a little more than XML Schema allows; where a real Altinn accepted a value the schema
refuses, the validator accepts it too (and says so here):

- a date without a time (`2019-01-01`) in an `xs:dateTime` element: WCF's DataContractSerializer
  reads it as midnight, and tt02 accepted such searches (recorded GetReporteeElementListBasicV2
  requests).
"""

from __future__ import annotations

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


def violations(element: etree._Element) -> list[SchemaViolation]:
    """What the schemas find wrong with `element` (a body element or a fault detail), minus
    what WCF accepts anyway; an empty list when it is valid. Thread-safe."""
    validator = schema()
    with _LOCK:
        if validator.validate(element):
            return []
        errors = [
            SchemaViolation(entry.message, entry.path or "", entry.line)
            for entry in validator.error_log
        ]
    return [error for error in errors if not any(p.match(error.message) for p in _LENIENT)]


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
