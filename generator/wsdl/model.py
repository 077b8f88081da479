"""The WSDL model: plain, immutable objects for what a WSDL 1.1 closure defines.

Qualified names are kept in Clark notation (`{namespace}local`), as lxml writes them. `Wsdl` joins
the pieces (binding operation + portType operation + messages + policy) into `Operation`s, which is
what lint, the generator and the runtime metadata need.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from generator.errors import WsdlError


def local_name(qname: str) -> str:
    return qname.rpartition("}")[2]


def namespace_of(qname: str) -> str:
    return qname[1:].partition("}")[0] if qname.startswith("{") else ""


class SecurityProfile(enum.Enum):
    """The message security a binding's WS-Policy asks for."""

    NONE = "none"
    USERNAME_TOKEN = "UsernameToken"
    SECURE_CONVERSATION = "SecureConversation"


@dataclass(frozen=True)
class Policy:
    """What we read from a binding's WS-Policy (WCF writes one per binding)."""

    id: str
    security: SecurityProfile = SecurityProfile.NONE
    bootstrap_token: str | None = None  # SecureConversation bootstrap, e.g. "X509"
    https: bool = False  # sp:TransportBinding with an HttpsToken/HttpToken
    include_timestamp: bool = False
    derived_keys: bool = False
    must_not_send_cancel: bool = False  # mssp:MustNotSendCancel on the conversation token
    signature_confirmation: bool = False  # sp:Wss11 with sp:RequireSignatureConfirmation
    algorithm_suite: str | None = None  # e.g. "Basic256"
    addressing: bool = False
    mtom: bool = False

    @property
    def label(self) -> str:
        """A short summary: `none`, `UsernameToken`, `SecureConversation/X509`, `+MTOM`."""
        text = self.security.value
        if self.security is SecurityProfile.SECURE_CONVERSATION and self.bootstrap_token:
            text += f"/{self.bootstrap_token}"
        return f"{text}+MTOM" if self.mtom else text


NO_POLICY = Policy(id="")


@dataclass(frozen=True)
class Part:
    name: str
    element: str | None
    type: str | None


@dataclass(frozen=True)
class Message:
    name: str
    parts: tuple[Part, ...]

    def part(self, name: str) -> Part:
        for part in self.parts:
            if part.name == name:
                return part
        raise KeyError(name)


@dataclass(frozen=True)
class MessageRef:
    """An input, output or fault of a portType operation."""

    message: str
    action: str | None
    name: str | None = None


@dataclass(frozen=True)
class PortTypeOperation:
    name: str
    documentation: str | None
    input: MessageRef | None
    output: MessageRef | None
    faults: tuple[MessageRef, ...]


@dataclass(frozen=True)
class PortType:
    name: str
    documentation: str | None
    operations: dict[str, PortTypeOperation]


@dataclass(frozen=True)
class HeaderRef:
    """A `soap:header` of a binding message: a part of some message travels as a SOAP header."""

    message: str
    part: str


@dataclass(frozen=True)
class BindingMessage:
    body_parts: tuple[str, ...] | None  # None: every part of the message
    headers: tuple[HeaderRef, ...]


@dataclass(frozen=True)
class BindingOperation:
    name: str
    soap_action: str | None
    style: str
    input: BindingMessage
    output: BindingMessage
    faults: tuple[str, ...]


@dataclass(frozen=True)
class Binding:
    name: str
    port_type: str
    soap_version: str  # "1.1" or "1.2"
    transport: str
    style: str
    policy: Policy
    operations: dict[str, BindingOperation]


@dataclass(frozen=True)
class Port:
    name: str
    binding: str
    address: str | None


@dataclass(frozen=True)
class Service:
    name: str
    ports: tuple[Port, ...]


@dataclass(frozen=True)
class Schema:
    """An XML Schema of the closure, inline in a WSDL or in an imported XSD file."""

    target_namespace: str
    element: etree._Element = field(repr=False, compare=False)
    source: str


@dataclass(frozen=True)
class ElementRef:
    """A message part as it appears on the wire: an element, in the body or in a header."""

    part: str
    element: str


@dataclass(frozen=True)
class FaultInfo:
    name: str
    element: str
    action: str | None


@dataclass(frozen=True)
class Operation:
    """A binding operation with everything resolved: the unit lint and the generator work with."""

    name: str
    binding: str
    soap_version: str
    soap_action: str | None
    input_action: str | None
    output_action: str | None
    policy: Policy
    documentation: str | None
    input_body: tuple[ElementRef, ...]
    input_headers: tuple[ElementRef, ...]
    output_body: tuple[ElementRef, ...]
    output_headers: tuple[ElementRef, ...]
    faults: tuple[FaultInfo, ...]

    @property
    def action(self) -> str | None:
        """The request's action: soapAction, or the WS-Addressing input action."""
        return self.soap_action or self.input_action


@dataclass
class Wsdl:
    """A WSDL closure: a root document plus every WSDL and XSD it imports."""

    path: Path
    target_namespace: str
    documents: tuple[str, ...]
    messages: dict[str, Message]
    port_types: dict[str, PortType]
    bindings: dict[str, Binding]
    services: dict[str, Service]
    schemas: tuple[Schema, ...]

    def ports(self) -> list[Port]:
        return [port for service in self.services.values() for port in service.ports]

    def main_binding(self) -> Binding:
        """The binding the endpoint serves: the one its service port names."""
        ports = self.ports()
        if not ports:
            raise WsdlError(f"{self.path}: defines no service port")
        names = sorted({port.binding for port in ports})
        if len(names) > 1:
            raise WsdlError(
                f"{self.path}: several bindings ({', '.join(names)}); cannot tell which"
            )
        return self.binding(names[0])

    def binding(self, name: str) -> Binding:
        try:
            return self.bindings[name]
        except KeyError:
            raise WsdlError(f"{self.path}: binding {name} is not defined") from None

    def message(self, name: str) -> Message:
        try:
            return self.messages[name]
        except KeyError:
            raise WsdlError(f"{self.path}: message {name} is not defined") from None

    def operation(self, binding: Binding, name: str) -> Operation:
        """Resolve one operation of `binding` (KeyError if the binding has none by that name)."""
        bop = binding.operations[name]
        port_type = self.port_types.get(binding.port_type)
        if port_type is None:
            raise WsdlError(f"{self.path}: portType {binding.port_type} is not defined")
        pop = port_type.operations.get(name)
        if pop is None:
            raise WsdlError(f"{self.path}: {binding.port_type} has no operation {name}")
        input_body, input_headers = self._wire_parts(pop.input, bop.input, name)
        output_body, output_headers = self._wire_parts(pop.output, bop.output, name)
        faults = []
        for fault in pop.faults:
            message = self.message(fault.message)
            for part in message.parts:
                if part.element is None:
                    raise WsdlError(
                        f"{self.path}: fault part {message.name}/{part.name} has no element"
                    )
                faults.append(FaultInfo(fault.name or part.name, part.element, fault.action))
        return Operation(
            name=name,
            binding=binding.name,
            soap_version=binding.soap_version,
            soap_action=bop.soap_action or None,
            input_action=pop.input.action if pop.input else None,
            output_action=pop.output.action if pop.output else None,
            policy=binding.policy,
            documentation=pop.documentation,
            input_body=input_body,
            input_headers=input_headers,
            output_body=output_body,
            output_headers=output_headers,
            faults=tuple(faults),
        )

    def operations(self, binding: Binding) -> list[Operation]:
        return [self.operation(binding, name) for name in binding.operations]

    def _wire_parts(
        self, ref: MessageRef | None, wire: BindingMessage, operation: str
    ) -> tuple[tuple[ElementRef, ...], tuple[ElementRef, ...]]:
        if ref is None:
            return (), ()
        message = self.message(ref.message)
        header_keys = {(header.message, header.part) for header in wire.headers}
        body = []
        for part in message.parts:
            if (message.name, part.name) in header_keys:
                continue
            if wire.body_parts is not None and part.name not in wire.body_parts:
                continue
            body.append(self._element_ref(message, part, operation))
        headers = []
        for header in wire.headers:
            header_message = self.message(header.message)
            try:
                part = header_message.part(header.part)
            except KeyError:
                raise WsdlError(
                    f"{self.path}: {operation}: header part {header.part} not in {header.message}"
                ) from None
            headers.append(self._element_ref(header_message, part, operation))
        return tuple(body), tuple(headers)

    def _element_ref(self, message: Message, part: Part, operation: str) -> ElementRef:
        if part.element is None:
            raise WsdlError(
                f"{self.path}: {operation}: part {message.name}/{part.name} is not an element "
                "(only document/literal is supported)"
            )
        return ElementRef(part.name, part.element)
