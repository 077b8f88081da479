"""The runtime the generated service modules call: envelopes, security, transport, faults."""

from altinn2.runtime.credentials import EnterpriseCredentials, SystemCredentials, UserCredentials
from altinn2.runtime.errors import (
    AltinnError,
    AltinnFaultError,
    BindingNotAvailableError,
    CertificateError,
    ConfigurationError,
    DeadlineExceededError,
    OutcomeUnknownError,
    ProtocolError,
    SoapFaultError,
    TransportError,
)
from altinn2.runtime.operation import (
    Binding,
    Credential,
    Effect,
    OperationInfo,
    Security,
    SoapVersion,
)
from altinn2.runtime.secrets import Secret
from altinn2.runtime.security.x509 import Certificate

__all__ = [
    "AltinnError",
    "AltinnFaultError",
    "Binding",
    "BindingNotAvailableError",
    "Certificate",
    "CertificateError",
    "ConfigurationError",
    "Credential",
    "DeadlineExceededError",
    "Effect",
    "EnterpriseCredentials",
    "OperationInfo",
    "OutcomeUnknownError",
    "ProtocolError",
    "Secret",
    "Security",
    "SoapFaultError",
    "SoapVersion",
    "SystemCredentials",
    "TransportError",
    "UserCredentials",
]
