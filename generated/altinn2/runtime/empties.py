"""Empty is not nil, in xsdata's reading too (the fast binder reads it so by itself).

XML Schema, and WCF with it, reads `<Notice></Notice>` as "" and a list wrapper without items
(`<References />`) as an empty list; only `xsi:nil="true"` is nil. xsdata's parser reads both as
None. Before it parses, `EmptyElements.mark` gives empty leaf elements an explicit empty text
(which xsdata keeps as "") and notes where the tree holds an empty wrapper; `fill` puts `[]` there
in the parsed object.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from lxml import etree
from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.models.generics import DerivedElement

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"

Path = tuple[tuple[str, int | None], ...]  # field names, with the item index inside lists


def _is_nil(element: etree._Element) -> bool:
    return element.get(XSI_NIL) in ("true", "1")


class EmptyElements:
    def __init__(self, context: XmlContext) -> None:
        self.context = context
        self.empty_lists: list[Path] = []

    def mark(self, element: etree._Element, cls: type[Any]) -> None:
        for node in element.iter():
            nil = node.get(XSI_NIL)
            if nil is not None and nil.strip(" \t\r\n") not in ("true", "false", "1", "0"):
                # xsdata would read any value as nil; XML Schema allows only a boolean
                raise ValueError(f"xsi:nil of {etree.QName(node).localname} is not a boolean")
            leaf = isinstance(node.tag, str) and node.text is None and not len(node)
            if leaf and not _is_nil(node):
                node.text = ""
        self._find_empty_lists(element, cls, ())

    def _find_empty_lists(self, element: etree._Element, cls: type[Any], path: Path) -> None:
        if not dataclasses.is_dataclass(cls) or _is_nil(element):
            return
        meta = self.context.build(cls)
        for var in meta.get_element_vars():
            if var.wrapper_qname:
                wrapper = next((c for c in element if c.tag == var.wrapper_qname), None)
                if wrapper is None or _is_nil(wrapper):
                    continue
                items = [child for child in wrapper if child.tag == var.qname]
                if not items:
                    self.empty_lists.append((*path, (var.name, None)))
                elif var.clazz is not None:
                    for index, item in enumerate(items):
                        self._find_empty_lists(item, var.clazz, (*path, (var.name, index)))
            elif var.clazz is not None:
                children = [child for child in element if child.tag == var.qname]
                for index, child in enumerate(children):
                    position = index if var.list_element else None
                    self._find_empty_lists(child, var.clazz, (*path, (var.name, position)))

    def fill(self, value: Any) -> None:
        if isinstance(value, DerivedElement):  # an xsi:type'd root
            value = value.value
        for path in self.empty_lists:
            holder = value
            for name, index in path[:-1]:
                holder = getattr(holder, name)
                if index is not None:
                    holder = holder[index]
            if getattr(holder, path[-1][0]) is None:
                setattr(holder, path[-1][0], [])
