"""What the generator tells the runtime about each endpoint operation (no WSDL at run time)."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic

from typing_extensions import TypeVar

# The operation's output wrapper class (what the call's answer is parsed into).
Output = TypeVar("Output", default=Any)


class Binding(enum.StrEnum):
    """The endpoint families: the three of Altinn's table, and EC2 (EC's successors)."""

    BASIC = "Basic"  # SOAP 1.1, credentials in the body
    WS = "WS"  # SOAP 1.2, WS-Security UsernameToken, WS-Addressing
    EC = "EC"  # SOAP 1.2, enterprise certificate via WS-SecureConversation
    EC2 = "EC2"  # as EC, without derived keys or Cancel; the token's cookie sent back as issued


class SoapVersion(enum.StrEnum):
    SOAP11 = "1.1"
    SOAP12 = "1.2"


class Security(enum.StrEnum):
    """The message security the binding's WS-Policy asks for."""

    NONE = "none"
    USERNAME_TOKEN = "UsernameToken"
    SECURE_CONVERSATION = "SecureConversation"


class Effect(enum.StrEnum):
    """What calling an operation does, as the spec declares it for every base operation."""

    READ = "read"  # repeated on transient errors
    WRITE = "write"  # never resent once it may have reached the server
    READ_WITH_SIDE_EFFECT = "read-with-side-effect"  # a read that acts (a pin sent): as a write

    @property
    def repeatable(self) -> bool:
        return self is Effect.READ


class Credential(enum.StrEnum):
    """Credentials the client fills into an operation's input unless the caller passes them."""

    SYSTEM_USER_NAME = "system_user_name"
    SYSTEM_PASSWORD = "system_password"
    USER_SSN = "user_ssn"
    USER_PASSWORD = "user_password"
    USER_PIN_CODE = "user_pin_code"
    AUTH_METHOD = "auth_method"
    ENTERPRISE_USER_NAME = "enterprise_user_name"
    ENTERPRISE_PASSWORD = "enterprise_password"

    @property
    def secret(self) -> bool:
        return self in SECRET_CREDENTIALS


SECRET_CREDENTIALS = frozenset(
    {
        Credential.SYSTEM_PASSWORD,
        Credential.USER_SSN,
        Credential.USER_PASSWORD,
        Credential.USER_PIN_CODE,
        Credential.ENTERPRISE_PASSWORD,
    }
)


@dataclass(frozen=True)
class SecurityPolicy:
    """The message security an endpoint's WS-Policy declares, as the generator read it.

    `style` is the kind of token; the rest are the policy's assertions: a `wsu:Timestamp` in the
    security header, the bootstrap token of a secure conversation (`"X509"`: the enterprise
    certificate endorses the token request), keys derived from the conversation's secret, no
    `Cancel` of the conversation (`mssp:MustNotSendCancel`), WSS 1.1 signature confirmation, and
    the algorithm suite (e.g. `"Basic256"`).
    """

    style: Security = Security.NONE
    timestamp: bool = False
    bootstrap: str | None = None
    derived_keys: bool = False
    must_not_send_cancel: bool = False
    signature_confirmation: bool = False
    algorithm_suite: str | None = None


NO_SECURITY = SecurityPolicy()


@dataclass(frozen=True)
class OperationInfo(Generic[Output]):
    """One endpoint operation: how to put it on the wire and how to read the answer.

    `input` is the body's dataclass (the wrapper element), `output` the answer's; `input_headers`
    the dataclasses of the operation's SOAP header parts, in order, and `header_parameters` the
    method parameter each one's value comes from. `result` names the output wrapper's field that
    holds the operation's result (None: the whole output object is the result). `credentials`
    maps the parameters the client fills from its settings (body fields and header parts) to the
    credential. `action` (the WS-Addressing action) is the SOAP action unless the WSDL says
    otherwise, and `reply_action` the action with `Response` appended unless the WSDL says
    otherwise (None: the WSDL declares no output action).
    """

    service: str
    base_operation: str
    name: str
    binding: Binding
    path: str
    soap_version: SoapVersion
    soap_action: str
    policy: SecurityPolicy
    effect: Effect
    input: type[Any]
    output: type[Output] | None
    addressing: bool = False
    mtom: bool = False
    action: str = ""
    reply_action: str | None = ""
    input_headers: tuple[type[Any], ...] = ()
    header_parameters: tuple[str, ...] = ()
    faults: tuple[type[Any], ...] = ()  # the types of the fault details the WSDL declares
    result: str | None = None
    credentials: dict[str, Credential] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.action:
            object.__setattr__(self, "action", self.soap_action)
        if self.reply_action == "":
            object.__setattr__(self, "reply_action", f"{self.action}Response")
        if len(self.header_parameters) != len(self.input_headers):
            raise ValueError(f"{self.label}: one parameter name per input header")

    @property
    def security(self) -> Security:
        """The kind of message security (the whole policy: `policy`)."""
        return self.policy.style

    @property
    def label(self) -> str:
        return f"{self.service}.{self.name} ({self.binding.value})"


# The words of a WCF name, as the generator splits them (generator/naming.py): acronyms kept
# together, versions apart (`GetReceiptECV2` -> Get, Receipt, EC, V2).
_WORD_BREAKS = (
    (re.compile(r"(?<=[A-Z])v(?=\d)"), "V"),
    (re.compile(r"(?<=[A-Z])(?=V\d+(?:[A-Z_]|$))"), "_"),
    (re.compile(r"(?<=[A-Z0-9])(?=[A-Z][a-z])"), "_"),
    (re.compile(r"(?<=[a-z0-9])(?=[A-Z])"), "_"),
)
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")
# The part of an endpoint operation's name that names its binding (`GetReceiptBasicV2`).
_BINDING_MARKS = {Binding.BASIC: "Basic", Binding.EC: "EC", Binding.EC2: "EC"}


def result_field(name: str) -> str:
    """The output wrapper's field WCF names after the operation (`get_receipt_ec_v2_result`)."""
    text = name
    for pattern, replacement in _WORD_BREAKS:
        text = pattern.sub(replacement, text)
    return "_".join(word.lower() for word in _NON_WORD.split(text) if word) + "_result"


def base_operation_of(name: str, binding: Binding) -> str:
    """The base operation an endpoint operation's name implies: the name without its binding's
    mark (`GetReceiptBasicV2` -> `GetReceiptV2`)."""
    mark = _BINDING_MARKS.get(binding)
    return name.replace(mark, "", 1) if mark else name


@dataclass(frozen=True)
class Endpoint:
    """What the operations of one service's endpoint (a binding at one path) share.

    `operation` builds each operation's `OperationInfo` from its effect and messages; by default
    its name is its input wrapper's class name, its SOAP action `{actions}/{name}`, its base
    operation and result field follow from its name (`base_operation_of`, `result_field`), its
    SOAP version and WS-Addressing from the binding (SOAP 1.1 without addressing for Basic, SOAP
    1.2 with it for the others), and the rest from here; the keywords given override any of it.
    """

    service: str
    binding: Binding
    path: str
    actions: str
    policy: SecurityPolicy = NO_SECURITY
    faults: tuple[type[Any], ...] = ()
    credentials: Mapping[str, Credential] = field(default_factory=dict)
    mtom: bool = False

    def operation(
        self,
        effect: Effect,
        input: type[Any],
        output: type[Output] | None,
        *,
        name: str | None = None,
        **overrides: Any,
    ) -> OperationInfo[Output]:
        name = input.__name__ if name is None else name
        basic = self.binding is Binding.BASIC
        values: dict[str, Any] = {
            "service": self.service,
            "base_operation": base_operation_of(name, self.binding),
            "name": name,
            "binding": self.binding,
            "path": self.path,
            "soap_version": SoapVersion.SOAP11 if basic else SoapVersion.SOAP12,
            "soap_action": f"{self.actions}/{name}",
            "policy": self.policy,
            "effect": effect,
            "input": input,
            "output": output,
            "addressing": not basic,
            "mtom": self.mtom,
            "faults": self.faults,
            "result": result_field(name),
            "credentials": dict(self.credentials),
        }
        values.update(overrides)
        return OperationInfo(**values)
