"""Local names for what a service module imports: model classes (an alias where two share a
name) and the types their annotations use besides the models."""

from __future__ import annotations

from xsdata.codegen.models import AttrType

from generator.errors import WsdlError
from generator.models.build import ModelClass, ModelField, ModelSet
from generator.models.handlers import is_guid, is_required_wrapper
from generator.naming import alias_name
from generator.services.model import ServiceModule
from generator.services.types import TypeRef

# Types the model annotations use that a service module must import besides the models.
NATIVE_IMPORTS = {
    "XmlDate": "xsdata.models.datatype",
    "XmlDateTime": "xsdata.models.datatype",
    "XmlDuration": "xsdata.models.datatype",
    "XmlPeriod": "xsdata.models.datatype",
    "XmlTime": "xsdata.models.datatype",
    "Decimal": "decimal",
    "UUID": "uuid",
    "QName": "xml.etree.ElementTree",
}


class ModuleImports:
    """The one entry point: `use(model)` (a class's local name) and `type_of(owner, field)` (a
    field's type in local names); both record what the module must import."""

    def __init__(self, module: ServiceModule, models: ModelSet) -> None:
        self.module = module
        self.models = models
        self.taken: dict[str, str] = {}  # local name -> qname

    def use(self, model: ModelClass) -> str:
        key = model.cls.qname
        if key in self.module.names:
            return self.module.names[key]
        local = model.name
        if local in self.taken and self.taken[local] != key:
            local = alias_name(model.name, model.module)
        self.taken[local] = key
        self.module.names[key] = local
        self.module.imports.setdefault(model.module, {})[model.name] = local
        return local

    def _name(self, tp: AttrType) -> str:
        model = self.models.classes.get(tp.qname) if not tp.native else None
        name = self.use(model) if model is not None else self.models.filters.type_name(tp)
        if name in NATIVE_IMPORTS:
            self.module.imports.setdefault(NATIVE_IMPORTS[name], {})[name] = name
        return name

    def type_of(self, owner: ModelClass, model_field: ModelField) -> TypeRef:
        """The field's type as the model class declares it, in this module's local names."""
        attr = model_field.attr
        if is_guid(attr):
            self.module.imports.setdefault("uuid", {})["UUID"] = "UUID"
            result = TypeRef.of("UUID", optional=attr.is_optional or attr.is_nillable)
        else:
            names = tuple(dict.fromkeys(self._name(tp) for tp in attr.types))
            if attr.wrapper:
                optional = not is_required_wrapper(attr)
                result = TypeRef.of(*names, is_list=True, optional=optional)
            elif attr.is_list:
                result = TypeRef.of(*names, is_list=True)
            else:
                nullable = attr.is_nillable or (attr.default is None and attr.is_optional)
                result = TypeRef.of(*names, optional=nullable)
        declared = self.models.annotation(owner, model_field, self.module.names)
        if result.render() != declared:  # a shape this module does not know (tokens, choices)
            raise WsdlError(
                f"{owner.name}.{model_field.name}: cannot use the field type {declared} "
                f"in a method signature (read as {result})"
            )
        return result
