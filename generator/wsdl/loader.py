"""Load a WSDL closure: the root WSDL, imported WSDLs and XSDs, resolved through a `Resolver`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from lxml import etree

from generator.errors import WsdlError
from generator.wsdl.model import (
    NO_POLICY,
    Binding,
    BindingMessage,
    BindingOperation,
    HeaderRef,
    Message,
    MessageRef,
    Part,
    Policy,
    Port,
    PortType,
    PortTypeOperation,
    Schema,
    Service,
    Wsdl,
)
from generator.wsdl.namespaces import (
    POLICY_NAMESPACES,
    SOAP11_BINDING,
    SOAP12_BINDING,
    WSAM,
    WSAW,
    WSDL,
    XSD,
    q,
)
from generator.wsdl.policy import read_policies
from generator.wsdl.xml import parse_file, resolve_qname

# (location as written, canonical location of the referring document) -> (local file, canonical
# location of the referenced document)
Resolver = Callable[[str, str], tuple[Path, str]]

SOAP_BINDINGS = {SOAP11_BINDING: "1.1", SOAP12_BINDING: "1.2"}


def local_resolver(location: str, referrer: str) -> tuple[Path, str]:
    """Resolve imports relative to the referring file; refuse anything remote."""
    target = urljoin(referrer, location)
    if urlsplit(target).scheme not in ("", "file"):
        raise WsdlError(f"{referrer}: import {location!r} is remote and has no local copy")
    path = Path(urlsplit(target).path)
    return path, str(path)


def load_wsdl(
    path: Path, resolver: Resolver = local_resolver, *, location: str | None = None
) -> Wsdl:
    """Parse `path` and everything it imports. `location` is its canonical URL, if any."""
    return _Loader(resolver).load(path, location or str(path))


def _documentation(element: etree._Element) -> str | None:
    doc = element.find(q(WSDL, "documentation"))
    if doc is None:
        return None
    text = "".join(str(piece) for piece in doc.itertext()).strip()
    return text or None


def _action(element: etree._Element) -> str | None:
    return element.get(q(WSAW, "Action")) or element.get(q(WSAM, "Action"))


class _Loader:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.documents: list[str] = []
        self.seen: set[str] = set()
        self.messages: dict[str, Message] = {}
        self.port_types: dict[str, PortType] = {}
        self.bindings: dict[str, Binding] = {}
        self.services: dict[str, Service] = {}
        self.schemas: list[Schema] = []
        self.policies: dict[str, Policy] = {}
        self.root_namespace = ""

    def load(self, path: Path, location: str) -> Wsdl:
        root = self._read_wsdl(path, location)
        self.root_namespace = root.get("targetNamespace", "")
        return Wsdl(
            path=path,
            target_namespace=self.root_namespace,
            documents=tuple(self.documents),
            messages=self.messages,
            port_types=self.port_types,
            bindings=self.bindings,
            services=self.services,
            schemas=tuple(self.schemas),
        )

    # -- documents ---------------------------------------------------------------------------

    def _read_wsdl(self, path: Path, location: str) -> etree._Element:
        self.seen.add(location)
        self.documents.append(location)
        root = parse_file(path, location).getroot()
        if root.tag != q(WSDL, "definitions"):
            raise WsdlError(f"{location}: not a WSDL 1.1 document (root is {root.tag!s})")
        namespace = root.get("targetNamespace", "")
        for wsdl_import in root.findall(q(WSDL, "import")):
            target = wsdl_import.get("location")
            if not target:
                raise WsdlError(f"{location}:{wsdl_import.sourceline}: wsdl:import has no location")
            self._follow(target, location, wsdl=True)
        # Policies are document-scoped: '#id' references resolve within the defining document.
        policies = read_policies(root)
        types = root.find(q(WSDL, "types"))
        if types is not None:
            for schema in types.findall(q(XSD, "schema")):
                self._add_schema(schema, location)
        for element in root.findall(q(WSDL, "message")):
            self._add_message(element, namespace)
        for element in root.findall(q(WSDL, "portType")):
            self._add_port_type(element, namespace)
        for element in root.findall(q(WSDL, "binding")):
            self._add_binding(element, namespace, policies, location)
        for element in root.findall(q(WSDL, "service")):
            self._add_service(element, namespace)
        return root

    def _read_xsd(self, path: Path, location: str) -> None:
        self.seen.add(location)
        self.documents.append(location)
        root = parse_file(path, location).getroot()
        if root.tag != q(XSD, "schema"):
            raise WsdlError(f"{location}: not an XML Schema document (root is {root.tag!s})")
        self._add_schema(root, location)

    def _follow(self, target: str, referrer: str, *, wsdl: bool) -> None:
        path, canonical = self.resolver(target, referrer)
        if canonical in self.seen:
            return
        if wsdl:
            self._read_wsdl(path, canonical)
        else:
            self._read_xsd(path, canonical)

    def _add_schema(self, schema: etree._Element, location: str) -> None:
        self.schemas.append(Schema(schema.get("targetNamespace", ""), schema, location))
        for tag in ("import", "include", "redefine"):
            for child in schema.findall(q(XSD, tag)):
                target = child.get("schemaLocation")
                if target:
                    self._follow(target, location, wsdl=False)

    # -- definitions -------------------------------------------------------------------------

    def _add_message(self, element: etree._Element, namespace: str) -> None:
        parts = []
        for part in element.findall(q(WSDL, "part")):
            elem = part.get("element")
            typ = part.get("type")
            parts.append(
                Part(
                    name=part.get("name", ""),
                    element=resolve_qname(part, elem) if elem else None,
                    type=resolve_qname(part, typ) if typ else None,
                )
            )
        name = q(namespace, element.get("name", ""))
        self.messages[name] = Message(name, tuple(parts))

    def _message_ref(self, element: etree._Element | None) -> MessageRef | None:
        if element is None:
            return None
        message = element.get("message")
        if not message:
            raise WsdlError(
                f"{element.base}:{element.sourceline}: operation message has no message"
            )
        return MessageRef(resolve_qname(element, message), _action(element), element.get("name"))

    def _add_port_type(self, element: etree._Element, namespace: str) -> None:
        operations = {}
        for op in element.findall(q(WSDL, "operation")):
            faults = tuple(
                ref for fault in op.findall(q(WSDL, "fault")) if (ref := self._message_ref(fault))
            )
            operations[op.get("name", "")] = PortTypeOperation(
                name=op.get("name", ""),
                documentation=_documentation(op),
                input=self._message_ref(op.find(q(WSDL, "input"))),
                output=self._message_ref(op.find(q(WSDL, "output"))),
                faults=faults,
            )
        name = q(namespace, element.get("name", ""))
        self.port_types[name] = PortType(name, _documentation(element), operations)

    def _add_binding(
        self,
        element: etree._Element,
        namespace: str,
        policies: dict[str, Policy],
        location: str,
    ) -> None:
        name = q(namespace, element.get("name", ""))
        soap_version = None
        soap_ns = ""
        transport = ""
        style = "document"
        for binding_ns, version in SOAP_BINDINGS.items():
            soap = element.find(q(binding_ns, "binding"))
            if soap is not None:
                soap_version, soap_ns = version, binding_ns
                transport = soap.get("transport", "")
                style = soap.get("style", "document")
        if soap_version is None:
            raise WsdlError(f"{location}: binding {name} is not a SOAP 1.1 or 1.2 binding")
        policy = NO_POLICY
        for policy_ns in POLICY_NAMESPACES:
            ref = element.find(q(policy_ns, "PolicyReference"))
            if ref is not None:
                policy_id = ref.get("URI", "").lstrip("#")
                if policy_id not in policies:
                    raise WsdlError(
                        f"{location}: binding {name} refers to unknown policy {policy_id}"
                    )
                policy = policies[policy_id]
        operations = {}
        for op in element.findall(q(WSDL, "operation")):
            soap_op = op.find(q(soap_ns, "operation"))
            operations[op.get("name", "")] = BindingOperation(
                name=op.get("name", ""),
                soap_action=soap_op.get("soapAction") if soap_op is not None else None,
                style=(soap_op.get("style") if soap_op is not None else None) or style,
                input=self._binding_message(op.find(q(WSDL, "input")), soap_ns),
                output=self._binding_message(op.find(q(WSDL, "output")), soap_ns),
                faults=tuple(f.get("name", "") for f in op.findall(q(WSDL, "fault"))),
            )
        port_type = element.get("type", "")
        self.bindings[name] = Binding(
            name=name,
            port_type=resolve_qname(element, port_type),
            soap_version=soap_version,
            transport=transport,
            style=style,
            policy=policy,
            operations=operations,
        )

    def _binding_message(self, element: etree._Element | None, soap_ns: str) -> BindingMessage:
        if element is None:
            return BindingMessage(body_parts=(), headers=())
        body = element.find(q(soap_ns, "body"))
        if body is not None and body.get("use", "literal") != "literal":
            raise WsdlError(f"{element.base}:{element.sourceline}: only use='literal' is supported")
        parts = body.get("parts") if body is not None else None
        headers = tuple(
            HeaderRef(resolve_qname(header, header.get("message", "")), header.get("part", ""))
            for header in element.findall(q(soap_ns, "header"))
        )
        return BindingMessage(
            body_parts=tuple(parts.split()) if parts is not None else None, headers=headers
        )

    def _add_service(self, element: etree._Element, namespace: str) -> None:
        ports = []
        for port in element.findall(q(WSDL, "port")):
            address = None
            for soap_ns in SOAP_BINDINGS:
                found = port.find(q(soap_ns, "address"))
                if found is not None:
                    address = found.get("location")
            ports.append(
                Port(port.get("name", ""), resolve_qname(port, port.get("binding", "")), address)
            )
        name = q(namespace, element.get("name", ""))
        self.services[name] = Service(name, tuple(ports))
