"""Run the model stages: merged schemas -> xsdata classes -> our layout -> module sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from xsdata.codegen.mappers.schema import SchemaMapper
from xsdata.codegen.models import Attr, Class
from xsdata.codegen.parsers.schema import SchemaParser
from xsdata.models.xsd import Schema

from generator.cache import WsdlCache
from generator.errors import WsdlError
from generator.models.container import WcfContainer
from generator.models.layout import PACKAGE
from generator.models.names import NamesLock
from generator.models.render import (
    HEADER,
    WcfFilters,
    WcfGenerator,
    generator_config,
    reexport_module,
)
from generator.models.requests import request_only
from generator.models.schemas import merged_schemas
from generator.models.xsd import schema_files
from generator.stagecache import NoCache, StageCache


@dataclass(frozen=True)
class ModelField:
    name: str  # the Python field name
    xml_name: str
    attr: Attr


@dataclass(frozen=True)
class ModelClass:
    qname: str  # as on the wire: {namespace}XmlName
    name: str  # Python class name
    module: str  # full module path
    fields: tuple[ModelField, ...]
    cls: Class


@dataclass
class ModelSet:
    files: dict[str, str]  # module name (in altinn2.models) -> source, before black
    classes: dict[str, ModelClass]  # by xsdata qname
    elements: dict[str, ModelClass]  # global elements, by their wire name
    filters: WcfFilters
    report: tuple[str, ...]
    schemas: dict[str, bytes]  # file name -> merged XSD, for the package's validator
    divergences: tuple[str, ...]  # definitions of one type that are not compatible
    names: NamesLock  # the public names, for spec/models.lock
    # WSDL -> {an element's wire name -> the xsdata qname of the variant that WSDL uses}
    element_variants: dict[str, dict[str, str]] = field(default_factory=dict)

    def element(self, qname: str, wsdl: str | None = None) -> ModelClass:
        """The class of the global element `qname` (as `wsdl` defines it, where WSDLs differ)."""
        variant = self.element_variants.get(wsdl or "", {}).get(qname)
        if variant is not None and variant in self.classes:
            return self.classes[variant]
        try:
            return self.elements[qname]
        except KeyError:
            raise WsdlError(f"no model class for element {qname}") from None

    def annotation(self, owner: ModelClass, field: ModelField, names: dict[str, str]) -> str:
        """The field's type as a module that imports each referenced class as `names[qname]`
        would write it (no quoted forward references: the classes are imported)."""
        attr = field.attr.clone()
        for tp in attr.types:
            tp.alias = names.get(tp.qname)
            tp.forward = tp.circular = False
        return self.filters.declared_type(owner.cls, attr)

    def referenced(self, field: ModelField) -> list[ModelClass]:
        return [
            self.classes[tp.qname]
            for tp in field.attr.types
            if not tp.native and tp.qname in self.classes
        ]


def _package_init() -> str:
    # Nothing imported: xsdata's context and converters load where they are needed.
    doc = (
        "Typed models of Altinn 2's data contracts: one module per XML namespace, enums\n"
        "in `altinn2.models.enums`. Parse and serialize them with `altinn2.runtime.codec` (or\n"
        "an xsdata parser given `altinn2.runtime.xmlcontext.context()`)."
    )
    return HEADER.format(doc=doc).rstrip("\n") + "\n"


def _schema_classes(namespace: str, location: str, document: bytes) -> list[Class]:
    """xsdata's classes of one merged schema document."""
    parser = SchemaParser(target_namespace=namespace, location=location)
    return SchemaMapper.map(parser.from_bytes(document, Schema))


def build_models(
    cache: WsdlCache,
    names: NamesLock | None = None,
    messages: tuple[set[str], set[str]] = (set(), set()),
    stages: StageCache | None = None,
) -> ModelSet:
    """The models of every schema in `cache`, variants named as the `names` lock says;
    `messages`: the element names of requests and of answers (see `requests.request_only`);
    xsdata's classes of each schema document from `stages` where it has them."""
    stages = stages or NoCache()
    schemas = merged_schemas(cache, names, stages)
    classes: list[Class] = []
    for index, (namespace, document) in enumerate(sorted(schemas.documents.items())):
        location = f"urn:altinn2:schema:{index:02d}"
        classes.extend(
            stages.remembered(
                "xsdata classes",
                f"{namespace}\0{location}\0".encode() + document,
                partial(_schema_classes, namespace, location, document),
            )
        )
    config = generator_config()
    known = (names or NamesLock()).known_types()
    container = WcfContainer(config, schemas.original_names, known)
    container.extend(classes)
    container.process()
    final = sorted(container, key=lambda cls: cls.qname)

    generator = WcfGenerator(config)
    generator.filters.request_only = request_only(final, *messages)
    files: dict[str, str] = {}
    for module, source in generator.render_modules(final, stages):
        namespaces = sorted({cls.target_namespace or "" for cls in final if cls.module == module})
        doc = (
            f"Models of {', '.join(namespaces)}."
            if module != "enums"
            else "Enumerations of every namespace."
        )
        files[module] = HEADER.format(doc=doc) + source
    layout = container.layout
    for cluster, members in sorted(layout.clusters.items()):
        for member in members:
            at_home = [
                cls for cls in final if cls.module == cluster and layout.home[cls.qname] == member
            ]
            files[member] = reexport_module(cluster, at_home, layout, generator.filters)
    files["__init__"] = _package_init()

    filters = generator.filters
    model_classes: dict[str, ModelClass] = {}
    elements: dict[str, ModelClass] = {}
    types: dict[str, ModelClass] = {}
    for cls in final:
        public_module = layout.home.get(cls.qname, cls.module or "")
        fields = tuple(
            ModelField(filters.field_name(attr.name, cls.name), attr.local_name, attr)
            for attr in cls.attrs
        )
        python_name = filters.class_name(layout.public_names.get(cls.qname, cls.name))
        wire_name = (
            f"{{{cls.target_namespace}}}{cls.meta_name or cls.name}"
            if cls.target_namespace
            else (cls.meta_name or cls.name)
        )
        model = ModelClass(wire_name, python_name, f"{PACKAGE}.{public_module}", fields, cls)
        model_classes[cls.qname] = model
        if cls.is_element and (wire_name not in elements or cls.qname == wire_name):
            elements[wire_name] = model  # a renamed variant only where no other has the name
        elif not cls.is_enumeration:
            types.setdefault(wire_name, model)
    # xsdata merges a global element into the complexType of the same name (AltinnFault, the
    # fault detail of every operation): such a class stands for the element too.
    for wire_name, model in types.items():
        elements.setdefault(wire_name, model)
    report = (
        *schemas.report,
        f"{len(schemas.dropped_roots)} WCF root elements dropped",
        f"{len(final)} classes in {len(files) - 1} modules",
    )
    return ModelSet(
        files,
        model_classes,
        elements,
        filters,
        report,
        schema_files(schemas.documents),
        schemas.divergences,
        schemas.names,
        schemas.element_variants,
    )
