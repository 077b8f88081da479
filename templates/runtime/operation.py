"""What the generator tells the runtime about each endpoint operation (no WSDL at run time)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Binding(enum.StrEnum):
    """The three endpoint families of Altinn's table."""

    BASIC = "Basic"  # SOAP 1.1, credentials in the body
    WS = "WS"  # SOAP 1.2, WS-Security UsernameToken, WS-Addressing
    EC = "EC"  # SOAP 1.2, enterprise certificate via WS-SecureConversation


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
class OperationInfo:
    """One endpoint operation: how to put it on the wire and how to read the answer.

    `input` is the body's dataclass (the wrapper element); `input_headers` the dataclasses of the
    operation's SOAP header parts, in order. `result` names the output wrapper's field that holds
    the operation's result (None: the whole output object is the result), and `result_items` the
    list inside a WCF list type that the method returns instead of the list type itself.
    """

    service: str
    base_operation: str
    name: str
    binding: Binding
    path: str
    soap_version: SoapVersion
    soap_action: str
    action: str
    reply_action: str | None
    security: Security
    addressing: bool
    mtom: bool
    effect: Effect
    input: type[Any]
    output: type[Any] | None
    input_headers: tuple[type[Any], ...] = ()
    output_headers: tuple[type[Any], ...] = ()
    faults: tuple[type[Any], ...] = ()  # the types of the fault details the WSDL declares
    result: str | None = None
    result_items: str | None = None
    credentials: dict[str, Credential] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.service}.{self.name} ({self.binding.value})"
