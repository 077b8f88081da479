"""xsdata class handlers for WCF: Serialization types mapped on purpose, list wrappers flattened."""

from __future__ import annotations

from dataclasses import dataclass, fields

from xsdata.codegen.mixins import ContainerInterface, RelativeHandlerInterface
from xsdata.codegen.models import Attr, AttrType, Class
from xsdata.models.enums import Tag
from xsdata.utils.namespaces import build_qname

from generator.models.docs import SERIALIZATION

XS = "http://www.w3.org/2001/XMLSchema"
GUID_PATTERN = r"[\da-fA-F]{8}-[\da-fA-F]{4}-[\da-fA-F]{4}-[\da-fA-F]{4}-[\da-fA-F]{12}"


def is_list_wrapper(cls: Class) -> bool:
    """A WCF collection data contract: a complexType whose only content is one repeated element
    (`ArrayOfstring`, `ReporteeElementBEV2List`, ...)."""
    return (
        cls.tag == Tag.COMPLEX_TYPE
        and not cls.extensions
        and not cls.inner
        and len(cls.attrs) == 1
        and cls.attrs[0].is_element
        and cls.attrs[0].is_list
        and not any(tp.forward for tp in cls.attrs[0].types)
    )


@dataclass
class ListWrapperAttr(Attr):
    """A field flattened from a list wrapper; `wrapper_required`: the schema requires the
    wrapper element (the field is then `list[Item]`, else `list[Item] | None`)."""

    wrapper_required: bool = False


def is_required_wrapper(attr: Attr) -> bool:
    return isinstance(attr, ListWrapperAttr) and attr.wrapper_required


def is_guid(attr: Attr) -> bool:
    return attr.restrictions.pattern == GUID_PATTERN and len(attr.types) == 1


class MapSerializationTypes(RelativeHandlerInterface):
    """WCF's Serialization simple types, mapped deliberately (runs first when flattening).

    - `ser:guid` -> `uuid.UUID` (marked by its pattern, which survives xsdata's processing);
    - `ser:duration` -> xs:duration (`XmlDuration`), without the facets that would make it `str`;
    - `ser:char` -> `int`: .NET's char travels as its UTF-16 code unit.
    """

    def process(self, target: Class) -> None:
        for attr in target.attrs:
            for index, tp in enumerate(attr.types):
                if tp.qname == build_qname(SERIALIZATION, "guid"):
                    attr.types[index] = AttrType(qname=build_qname(XS, "string"), native=True)
                    attr.restrictions.pattern = GUID_PATTERN
                elif tp.qname == build_qname(SERIALIZATION, "duration"):
                    attr.types[index] = AttrType(qname=build_qname(XS, "duration"), native=True)
                elif tp.qname == build_qname(SERIALIZATION, "char"):
                    attr.types[index] = AttrType(qname=build_qname(XS, "int"), native=True)


class FlattenListWrappers(RelativeHandlerInterface):
    """Fields typed by a list wrapper become `list[Item] | None` fields with a wrapper element
    (`list[Item]`, empty by default, when the schema requires the wrapper).

    xsdata's own CreateWrapperFields wants a required wrapper whose items share its namespace; WCF
    wrappers are optional and nillable, and the items live in the collection type's namespace
    (`ArrayOfstring` items in .../Serialization/Arrays). The wrapper element is written in Clark
    notation; the runtime's `WcfXmlContext` makes xsdata honour that.
    """

    def __init__(self, container: ContainerInterface, flattened: set[str]) -> None:
        super().__init__(container)
        self.flattened = flattened

    def process(self, target: Class) -> None:
        for index, attr in enumerate(target.attrs):
            if not attr.is_element or attr.is_list or len(attr.types) != 1:
                continue
            tp = attr.types[0]
            if tp.native or tp.forward:
                continue
            source = self.container.find(tp.qname)
            if source is None or not is_list_wrapper(source):
                continue
            item = source.attrs[0].clone()
            flat = ListWrapperAttr(
                **{f.name: getattr(item, f.name) for f in fields(Attr)},
                wrapper_required=not attr.is_optional,
            )
            flat.name = attr.name
            flat.index = attr.index
            flat.help = attr.help or item.help or source.help
            flat.wrapper = build_qname(attr.namespace, attr.local_name)
            # None means "no wrapper"; nillable items would be written `<Wrapper><Item xsi:nil/>`.
            flat.restrictions.nillable = None
            for item_type in flat.types:
                item_type.circular = item_type.qname == target.qname
                item_type.forward = False
            target.attrs[index] = flat
            self.flattened.add(source.qname)
