"""`spec/endpoints.yaml`: the Altinn endpoint table, loaded and checked against its schema.

Every error names the file, the line and the field, so that a typo in a 700-line table is found at
once. PyYAML's composer gives us the nodes with their marks; we walk them ourselves instead of
using `safe_load`, which would forget the lines and silently keep the last of two duplicate keys.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from generator.bindings import runtime_bindings
from generator.errors import SpecError

DEFAULT_SPEC_PATH = Path("spec/endpoints.yaml")

REQUIRED_KEYS = (
    "environments",
    "default_environment",
    "bindings",
    "services",
    "effects",
    "endpoints",
)
TOP_LEVEL_KEYS = (*REQUIRED_KEYS, "credentials")
# What the client can fill in for a contract part (`altinn2.runtime.operation.Credential`).
CREDENTIALS = (
    "system_user_name",
    "system_password",
    "user_ssn",
    "user_password",
    "user_pin_code",
    "auth_method",
    "enterprise_user_name",
    "enterprise_password",
)
# What calling a base operation does, declared for each one (the runtime's retries follow it):
# a read is repeated on transient errors; a write, or a read with a side effect (a pin sent by
# SMS, a correspondence marked read), is never resent once it may have reached the server.
EFFECTS = ("read", "write", "read-with-side-effect")
BINDING_KEYS = ("label", "description")
# What its WSDLs' binding must be (lint flags a WSDL that differs), and whether Altinn's page prints
# it (EC2 is not on the page).
BINDING_OPTIONAL = ("soap", "security", "printed")
SOAP_VERSIONS = ("1.1", "1.2")
SECURITY_STYLES = ("none", "UsernameToken", "SecureConversation")
ROW_REQUIRED = ("service", "base_operation", "binding", "url", "operation")
ROW_FIXES = ("base_operation_fix", "binding_fix", "url_fix", "wsdl_operation")
ROW_KEYS = (*ROW_REQUIRED, *ROW_FIXES, "note")

# libyaml's loader when PyYAML has it (same nodes and marks, ten times faster).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_ENV_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class BindingInfo:
    name: str
    label: str
    description: str
    soap: str | None = None  # the SOAP version its WSDLs use
    security: str | None = None  # the message security their WS-Policy asks for
    printed: bool = True  # Altinn's page prints it (EC2 is not on the page)


@dataclass(frozen=True)
class EndpointRow:
    """One row of the page, as printed, with the corrections the spec records beside it."""

    service: str
    base_operation: str
    binding: str
    url: str
    operation: str
    line: int
    base_operation_fix: str | None = None
    binding_fix: str | None = None
    url_fix: str | None = None
    wsdl_operation: str | None = None
    note: str | None = None
    effect: str = "write"  # from the spec's `effects` section (see EFFECTS)

    @property
    def effective_base_operation(self) -> str:
        return self.base_operation_fix or self.base_operation

    @property
    def effective_binding(self) -> str:
        return self.binding_fix or self.binding

    @property
    def effective_url(self) -> str:
        return self.url_fix or self.url

    @property
    def path(self) -> str:
        """The endpoint's path, the same in every environment (`/ServiceEngineExternal/X.svc`)."""
        return urlsplit(self.effective_url).path

    @property
    def operation_name(self) -> str:
        """The operation to look for in the WSDL: the corrected name, else the printed one."""
        return self.wsdl_operation or self.operation

    @property
    def is_corrected(self) -> bool:
        return any(getattr(self, name) is not None for name in ROW_FIXES)

    @property
    def explained(self) -> bool:
        """An erratum (a note) explains why the row does not match its WSDL."""
        return self.note is not None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.service, self.effective_base_operation, self.effective_binding)


@dataclass(frozen=True)
class Spec:
    path: Path
    environments: dict[str, str]
    default_environment: str
    bindings: dict[str, BindingInfo]
    services: tuple[str, ...]
    endpoints: tuple[EndpointRow, ...]
    effects: dict[str, str] = field(default_factory=dict)  # base operation -> one of EFFECTS
    # binding -> {XML name of a body field or header part, lower-cased -> credential}
    credentials: dict[str, dict[str, str]] = field(default_factory=dict)

    def credential(self, binding: str, xml_name: str) -> str | None:
        """The credential a contract part carries on this binding (None: a business value)."""
        return self.credentials.get(binding, {}).get(xml_name.lower())

    @cached_property
    def endpoint_paths(self) -> tuple[str, ...]:
        """Every distinct endpoint path the rows name (after corrections), in table order."""
        return tuple(dict.fromkeys(row.path for row in self.endpoints))

    def rows_for_service(self, service: str) -> Iterator[EndpointRow]:
        return (row for row in self.endpoints if row.service == service)

    def base_url(self, environment: str) -> str:
        try:
            return self.environments[environment]
        except KeyError:
            known = ", ".join(self.environments)
            raise SpecError(
                self.path, None, "environment", f"unknown environment {environment!r} ({known})"
            ) from None


def load_spec(path: Path | str = DEFAULT_SPEC_PATH) -> Spec:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SpecError(path, None, "", f"cannot read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError(
            path, line, "", f"not UTF-8: byte 0x{data[exc.start]:02x} at column {column}"
        ) from None
    return parse_spec(text, path)


def parse_spec(text: str, path: Path | str = DEFAULT_SPEC_PATH) -> Spec:
    return _SpecReader(Path(path)).read(text)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _SpecReader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, node: yaml.Node | None, field_name: str, message: str) -> SpecError:
        return SpecError(self.path, _line(node) if node is not None else None, field_name, message)

    # -- node helpers ------------------------------------------------------------------------

    def mapping(
        self, node: yaml.Node, field_name: str, allowed: tuple[str, ...] | None = None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, field_name, "expected a mapping")
        items: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, field_name)
            where = f"{field_name}.{key}" if field_name else key
            if key in items:
                first = _line(items[key][0])
                raise self.error(key_node, where, f"duplicate key (first on line {first})")
            if allowed is not None and key not in allowed:
                raise self.error(key_node, where, f"unknown key (allowed: {', '.join(allowed)})")
            items[key] = (key_node, value_node)
        return items

    def scalar(self, node: yaml.Node, field_name: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, field_name, "expected a single value")
        value = node.value
        if not isinstance(value, str):  # pragma: no cover - the composer always yields str
            raise self.error(node, field_name, "expected a string")
        return value

    def text(self, node: yaml.Node, field_name: str, *, allow_empty: bool = False) -> str:
        value = self.scalar(node, field_name).strip()
        if not value and not allow_empty:
            raise self.error(node, field_name, "must not be empty")
        return value

    def sequence(self, node: yaml.Node, field_name: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, field_name, "expected a list")
        return list(node.value)

    def url(self, node: yaml.Node, field_name: str, *, with_path: bool) -> str:
        value = self.text(node, field_name)
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError as exc:
            raise self.error(node, field_name, f"not a URL: {value!r} ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
            raise self.error(node, field_name, f"not an http(s) URL: {value!r}")
        if with_path and not parts.path.endswith(".svc"):
            raise self.error(
                node, field_name, f"expected an endpoint URL ending in .svc: {value!r}"
            )
        if parts.query or parts.fragment:
            raise self.error(node, field_name, f"must have no query or fragment: {value!r}")
        return value

    # -- the document ------------------------------------------------------------------------

    def read(self, text: str) -> Spec:
        try:
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            line = mark.line + 1 if mark is not None else None
            raise SpecError(self.path, line, "", f"invalid YAML: {exc.problem}") from None
        if root is None:
            raise SpecError(self.path, None, "", "the file is empty")
        top = self.mapping(root, "", TOP_LEVEL_KEYS)
        for key in REQUIRED_KEYS:
            if key not in top:
                raise self.error(root, key, "missing")

        environments = self.read_environments(top["environments"][1])
        default_node = top["default_environment"][1]
        default = self.text(default_node, "default_environment")
        if default not in environments:
            raise self.error(
                default_node, "default_environment", f"unknown environment {default!r}"
            )
        bindings = self.read_bindings(top["bindings"][1])
        services = self.read_services(top["services"][1])
        rows = self.read_rows(top["endpoints"][1], bindings, services, environments["production"])
        credentials = (
            self.read_credentials(top["credentials"][1], bindings) if "credentials" in top else {}
        )
        effects = self.read_effects(top["effects"][1], rows)
        rows = tuple(
            dataclasses.replace(row, effect=effects[row.effective_base_operation]) for row in rows
        )
        return Spec(
            self.path, environments, default, bindings, services, rows, effects, credentials
        )

    def read_credentials(
        self, node: yaml.Node, bindings: dict[str, BindingInfo]
    ) -> dict[str, dict[str, str]]:
        """binding -> {a contract part's XML name, lower-cased -> the credential it carries}."""
        table: dict[str, dict[str, str]] = {}
        for binding, (key_node, parts_node) in self.mapping(node, "credentials").items():
            if binding not in bindings:
                raise self.error(key_node, f"credentials.{binding}", "unknown binding")
            parts: dict[str, str] = {}
            for part, (part_node, value_node) in self.mapping(
                parts_node, f"credentials.{binding}"
            ).items():
                where = f"credentials.{binding}.{part}"
                credential = self.text(value_node, where)
                if credential not in CREDENTIALS:
                    raise self.error(
                        value_node,
                        where,
                        f"unknown credential {credential!r} ({', '.join(CREDENTIALS)})",
                    )
                if part.lower() in parts:
                    raise self.error(part_node, where, "the same part twice (names are case-blind)")
                parts[part.lower()] = credential
            table[binding] = parts
        return table

    def read_effects(self, node: yaml.Node, rows: tuple[EndpointRow, ...]) -> dict[str, str]:
        """Every base operation of the table, classified once: no more, no fewer."""
        effects: dict[str, str] = {}
        for name, (key_node, value_node) in self.mapping(node, "effects").items():
            where = f"effects.{name}"
            if not _IDENTIFIER.match(name):
                raise self.error(key_node, where, f"not a base operation name: {name!r}")
            effect = self.text(value_node, where)
            if effect not in EFFECTS:
                known = ", ".join(EFFECTS)
                raise self.error(value_node, where, f"unknown effect {effect!r} ({known})")
            effects[name] = effect
        used = {row.effective_base_operation: row for row in rows}
        for name, row in used.items():
            if name not in effects:
                raise SpecError(
                    self.path,
                    row.line,
                    "effects",
                    f"base operation {name} is not classified (read, write or "
                    "read-with-side-effect)",
                )
        for name, (key_node, _value) in self.mapping(node, "effects").items():
            if name not in used:
                raise self.error(key_node, f"effects.{name}", "no row has this base operation")
        return effects

    def read_environments(self, node: yaml.Node) -> dict[str, str]:
        environments: dict[str, str] = {}
        for name, (key_node, value_node) in self.mapping(node, "environments").items():
            where = f"environments.{name}"
            if not _ENV_NAME.match(name):
                raise self.error(key_node, where, "environment names are lower-case identifiers")
            url = self.url(value_node, where, with_path=False)
            if urlsplit(url).path not in ("", "/"):
                raise self.error(value_node, where, f"a base URL has no path: {url!r}")
            environments[name] = url.rstrip("/")
        if "production" not in environments:
            raise self.error(node, "environments.production", "missing")
        return environments

    def read_bindings(self, node: yaml.Node) -> dict[str, BindingInfo]:
        bindings: dict[str, BindingInfo] = {}
        for name, (key_node, value_node) in self.mapping(node, "bindings").items():
            where = f"bindings.{name}"
            if not _IDENTIFIER.match(name):
                raise self.error(key_node, where, "binding names are identifiers")
            if name not in runtime_bindings():
                known = ", ".join(runtime_bindings())
                raise self.error(
                    key_node, where, f"unknown binding {name!r} (the runtime knows: {known})"
                )
            fields = self.mapping(value_node, where, (*BINDING_KEYS, *BINDING_OPTIONAL))
            for required in BINDING_KEYS:
                if required not in fields:
                    raise self.error(value_node, f"{where}.{required}", "missing")
            label = self.text(fields["label"][1], f"{where}.label")
            description = self.text(fields["description"][1], f"{where}.description")
            choices = {"soap": SOAP_VERSIONS, "security": SECURITY_STYLES}
            values: dict[str, str | None] = {}
            for key, allowed in choices.items():
                if key not in fields:
                    values[key] = None
                    continue
                values[key] = self.text(fields[key][1], f"{where}.{key}")
                if values[key] not in allowed:
                    raise self.error(
                        fields[key][1], f"{where}.{key}", f"one of {', '.join(allowed)}"
                    )
            printed = True
            if "printed" in fields:
                flag = self.text(fields["printed"][1], f"{where}.printed")
                if flag not in ("true", "false"):
                    raise self.error(fields["printed"][1], f"{where}.printed", "true or false")
                printed = flag == "true"
            bindings[name] = BindingInfo(
                name, label, description, values["soap"], values["security"], printed
            )
        return bindings

    def read_services(self, node: yaml.Node) -> tuple[str, ...]:
        services: dict[str, int] = {}
        for index, item in enumerate(self.sequence(node, "services")):
            where = f"services[{index}]"
            name = self.text(item, where)
            if not _IDENTIFIER.match(name):
                raise self.error(item, where, f"service names are identifiers: {name!r}")
            if name in services:
                raise self.error(item, where, f"duplicate service {name!r} (line {services[name]})")
            services[name] = _line(item)
        return tuple(services)

    def read_rows(
        self,
        node: yaml.Node,
        bindings: dict[str, BindingInfo],
        services: tuple[str, ...],
        production: str,
    ) -> tuple[EndpointRow, ...]:
        rows: list[EndpointRow] = []
        seen: dict[tuple[str, str, str], int] = {}
        production_host = urlsplit(production).hostname
        for index, item in enumerate(self.sequence(node, "endpoints")):
            where = f"endpoints[{index}]"
            fields = self.mapping(item, where, ROW_KEYS)
            for required in ROW_REQUIRED:
                if required not in fields:
                    raise self.error(item, f"{where}.{required}", "missing")
            values: dict[str, str] = {}
            for name, (_key_node, value_node) in fields.items():
                field_where = f"{where}.{name}"
                if name in ("url", "url_fix"):
                    values[name] = self.url(value_node, field_where, with_path=True)
                    host = urlsplit(values[name]).hostname
                    if host != production_host:
                        raise self.error(
                            value_node,
                            field_where,
                            f"the page prints production URLs ({production_host}), not {host}",
                        )
                else:
                    values[name] = self.text(
                        value_node, field_where, allow_empty=name == "operation"
                    )

            service_node = fields["service"][1]
            if values["service"] not in services:
                raise self.error(
                    service_node, f"{where}.service", f"unknown service {values['service']!r}"
                )
            for name in ("binding", "binding_fix"):
                if name in values and values[name] not in bindings:
                    known = ", ".join(bindings)
                    raise self.error(
                        fields[name][1],
                        f"{where}.{name}",
                        f"unknown binding {values[name]!r} (known: {known})",
                    )
            for name in ("operation", "wsdl_operation", "base_operation_fix"):
                value = values.get(name)
                if value and not _IDENTIFIER.match(value):
                    raise self.error(fields[name][1], f"{where}.{name}", f"not a name: {value!r}")
            row = EndpointRow(
                service=values["service"],
                base_operation=values["base_operation"],
                binding=values["binding"],
                url=values["url"],
                operation=values["operation"],
                line=_line(item),
                base_operation_fix=values.get("base_operation_fix"),
                binding_fix=values.get("binding_fix"),
                url_fix=values.get("url_fix"),
                wsdl_operation=values.get("wsdl_operation"),
                note=values.get("note"),
            )
            if not row.operation and not row.wsdl_operation:
                raise self.error(
                    item, f"{where}.wsdl_operation", "a row with no operation name needs one"
                )
            if not _IDENTIFIER.match(row.effective_base_operation):
                raise self.error(
                    item,
                    f"{where}.base_operation_fix",
                    f"{row.base_operation!r} is not a name; record the real one",
                )
            if row.is_corrected and row.note is None:
                raise self.error(item, f"{where}.note", "every correction needs a note saying why")
            if row.key in seen:
                raise self.error(
                    item,
                    where,
                    f"duplicate row: {row.service} {row.effective_base_operation} "
                    f"{row.effective_binding} (first on line {seen[row.key]})",
                )
            seen[row.key] = row.line
            rows.append(row)
        return tuple(rows)
