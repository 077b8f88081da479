"""What the generator tells the runtime about each endpoint operation (no WSDL at run time)."""

from __future__ import annotations

import enum
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
