"""xsdata glue for WCF's data contracts: `uuid.UUID` values and cross-namespace list wrappers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

from xsdata.exceptions import ConverterError
from xsdata.formats.converter import Converter, converter
from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.models.builders import XmlMetaBuilder
from xsdata.formats.dataclass.models.elements import XmlVar


class UuidConverter(Converter):
    """`ser:guid` <-> `uuid.UUID` (written in the lower-case "D" format, as WCF writes it)."""

    def deserialize(self, value: Any, **kwargs: Any) -> uuid.UUID:
        try:
            return uuid.UUID(str(value).strip())
        except ValueError as exc:
            raise ConverterError(str(exc)) from None

    def serialize(self, value: Any, **kwargs: Any) -> str:
        return str(value)


def register_converters() -> None:
    converter.register_converter(uuid.UUID, UuidConverter())


class WcfMetaBuilder(XmlMetaBuilder):
    """A field's `wrapper` in Clark notation (`{ns}Name`) keeps its own namespace.

    xsdata builds a wrapper's name from the items' namespace; WCF puts the wrapper in the
    containing type's namespace and the items in the collection type's (e.g. WCF's Arrays).
    """

    def build_vars(
        self,
        clazz: type,
        namespace: str | None,
        element_name_generator: Callable[..., Any],
        attribute_name_generator: Callable[..., Any],
    ) -> Iterator[XmlVar]:
        for var in super().build_vars(
            clazz, namespace, element_name_generator, attribute_name_generator
        ):
            if var.wrapper and var.wrapper.startswith("{"):
                var.wrapper_qname = var.wrapper
            yield var


class WcfXmlContext(XmlContext):
    """The xsdata context every parser and serializer of these models must use."""

    def get_builder(self, globalns: dict[str, Callable[..., Any]] | None = None) -> XmlMetaBuilder:
        return WcfMetaBuilder(
            class_type=self.class_type,
            element_name_generator=self.element_name_generator,
            attribute_name_generator=self.attribute_name_generator,
            globalns=globalns,
        )
