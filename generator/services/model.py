"""What the passes build and the service template prints: modules, methods, parameters."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from generator.coverage import RowCoverage
from generator.models.build import ModelClass
from generator.services.types import TypeRef
from generator.spec import EndpointRow
from generator.wsdl import Operation

# The module of the Python types parameters take besides xsdata's (`datetime`, `date`).
PYTHON_TYPES_MODULE = "datetime"


@dataclass
class Param:
    name: str
    type: TypeRef  # the field's type (a credential's: the field's, the parameter takes Secret too)
    field: str  # the input class field (or the header class's value field) it fills
    required: bool  # no default: the schema needs a value and None is not one
    credential: str | None = None  # the credential the client fills in (spec's name)
    doc: str = ""

    @property
    def declaration(self) -> str:
        """`name: type` with its default, as the method's signature writes it."""
        if self.credential is not None:
            return f"{self.name}: str | Secret | None = None"
        if self.required:
            return f"{self.name}: {self.type}"
        return f"{self.name}: {self.type.or_none()} = None"


@dataclass(frozen=True)
class Result:
    field: str | None  # the output wrapper's field holding the result (None: void or whole)
    type: TypeRef
    or_empty: bool = False  # a list wrapper: the method returns [] for an absent list


@dataclass(frozen=True)
class Header:
    model: ModelClass
    param: Param


@dataclass
class EndpointMethod:
    name: str
    constant: str
    row: EndpointRow
    operation: Operation
    binding: str
    path: str
    input: ModelClass
    output: ModelClass
    headers: list[Header]
    faults: list[ModelClass]
    params: list[Param]  # the body's fields, in order
    result: Result
    effect: str  # the spec's declared effect: read, write or read-with-side-effect
    documentation: str
    streamed: str | None = None  # MTOM: "upload" (the file from `source=`) or "download"
    stream_params: list[Param] = field(default_factory=list)  # upload: source, progress

    @property
    def business_params(self) -> list[Param]:
        return [param for param in self.params if param.credential is None]

    @property
    def header_params(self) -> list[Param]:
        return [header.param for header in self.headers]

    @property
    def caller_params(self) -> list[Param]:
        """What a caller passes: body parameters, then SOAP header values (no credentials)."""
        headers = [param for param in self.header_params if param.credential is None]
        return self.business_params + headers + self.stream_params

    @property
    def credential_params(self) -> list[Param]:
        """Body credentials, then header credentials."""
        every = self.params + self.header_params
        return [param for param in every if param.credential is not None]

    @property
    def signature(self) -> list[Param]:
        """The keyword parameters in the signature's order: the caller's, then credentials."""
        return self.caller_params + self.credential_params


class CheckKind(enum.Enum):
    NOT_A_PARAMETER = "not_a_parameter"  # the binding's method lacks the parameter
    WRONG_TYPE = "wrong_type"  # the binding's method takes a narrower type
    MISSING = "missing_argument"  # the binding's method requires what the base method does not


@dataclass(frozen=True)
class Check:
    """A check a base method makes before it calls one binding's method."""

    kind: CheckKind
    param: str
    binding: str
    expected: TypeRef | None = None  # WRONG_TYPE: the binding's type
    may_be_none: bool = False  # WRONG_TYPE: the binding's method accepts None


@dataclass
class Dispatch:
    """How a base-operation method calls one binding's method: argument checks, then the call."""

    method: EndpointMethod
    checks: list[Check]
    arguments: list[str]


@dataclass
class BaseMethod:
    name: str
    base_operation: str
    params: list[Param]
    returns: TypeRef
    dispatches: list[Dispatch]
    missing: list[EndpointRow]  # rows of this base operation with no generated method

    @property
    def endpoints(self) -> list[EndpointMethod]:
        return [dispatch.method for dispatch in self.dispatches]


@dataclass
class ServiceModule:
    service: str
    module: str
    class_name: str
    rows: list[RowCoverage]
    endpoints: list[EndpointMethod] = field(default_factory=list)
    bases: list[BaseMethod] = field(default_factory=list)
    imports: dict[str, dict[str, str]] = field(default_factory=dict)  # module -> {class: alias}
    names: dict[str, str] = field(default_factory=dict)  # class qname -> local name
    # The package's shared SecurityPolicy constants: policy key -> (name, constructor).
    policies: dict[tuple[object, ...], tuple[str, str]] = field(default_factory=dict)

    @property
    def uses_credentials(self) -> bool:
        return any(method.credential_params for method in self.endpoints)

    @property
    def exported(self) -> list[str]:
        return sorted(
            {
                alias
                for module, names in self.imports.items()
                if module != PYTHON_TYPES_MODULE  # Python's own types: not re-exported
                for alias in names.values()
            }
        )
