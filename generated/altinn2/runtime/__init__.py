"""The runtime the generated service modules call: envelopes, security, transport, faults."""

from altinn2.runtime.credentials import EnterpriseCredentials, SystemCredentials, UserCredentials
from altinn2.runtime.errors import (
    AltinnError,
    AltinnFaultError,
    BindingNotAvailableError,
    ConfigurationError,
    ProtocolError,
    SoapFaultError,
    TransportError,
)
from altinn2.runtime.operation import Binding, Credential, OperationInfo, Security, SoapVersion
from altinn2.runtime.secrets import Secret

__all__ = [
    "AltinnError",
    "AltinnFaultError",
    "Binding",
    "BindingNotAvailableError",
    "ConfigurationError",
    "Credential",
    "EnterpriseCredentials",
    "OperationInfo",
    "ProtocolError",
    "Secret",
    "Security",
    "SoapFaultError",
    "SoapVersion",
    "SystemCredentials",
    "TransportError",
    "UserCredentials",
]
