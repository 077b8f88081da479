"""Errors a user can act on.

`AltinnFaultError` carries Altinn's fault contract (`ErrorID`, `ErrorGuid` for support tickets, the
messages) and is raised as the subclass registered for its ErrorID, so callers can write
`except AuthenticationFailedError:`. Other SOAP faults raise `SoapFaultError`; HTTP errors and
timeouts `TransportError`; a response that is not a SOAP envelope `ProtocolError`. Messages and
reprs never contain secrets.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar


class AltinnError(Exception):
    """Base of every error this package raises."""


class ConfigurationError(AltinnError):
    """The client is not configured for what was asked (credentials, binding, URL)."""


class BindingNotAvailableError(ConfigurationError):
    """The operation has no endpoint of the requested binding in this package."""


class TransportError(AltinnError):
    """The HTTP exchange failed: connection, timeout, or an HTTP error status without a fault.

    `sent` says whether the request reached the server: False (it never left), True (it did),
    None (it may have)."""

    def __init__(
        self, message: str, *, url: str, status: int | None = None, sent: bool | None = False
    ) -> None:
        self.url = url
        self.status = status
        self.sent = sent
        super().__init__(message)


class OutcomeUnknownError(TransportError):
    """A write (or a read with a side effect) was or may have been sent, and then the exchange
    failed: the server may have carried it out. It is not resent; find out before trying again
    (the receipt, or the submission status by your external reference)."""


class CertificateError(TransportError):
    """The server's TLS certificate was not accepted (not retried: it will not get better)."""


class DeadlineExceededError(TransportError):
    """The call's overall deadline (connect, send, read and retries together) passed."""


class ProtocolError(AltinnError):
    """The response is not a SOAP envelope we can read; `excerpt` is short and redacted."""

    def __init__(self, message: str, *, excerpt: str = "") -> None:
        self.message = message  # without the excerpt
        self.excerpt = excerpt
        super().__init__(f"{message}: {excerpt!r}" if excerpt else message)


class SoapFaultError(AltinnError):
    """A SOAP fault (1.1 or 1.2) without Altinn's fault detail."""

    def __init__(
        self,
        reason: str,
        *,
        code: str | None = None,
        subcodes: tuple[str, ...] = (),
        operation: str | None = None,
    ) -> None:
        self.reason = reason
        self.code = code
        self.subcodes = subcodes
        self.operation = operation
        self.detail: Any = None  # the fault detail, typed, when the operation declares its type
        where = f"{operation}: " if operation else ""
        label = code if code else "fault"
        super().__init__(f"{where}{label}: {reason}")


class AltinnFaultError(SoapFaultError):
    """A SOAP fault whose detail is Altinn's `AltinnFault`."""

    error_ids: ClassVar[tuple[int, ...]] = ()
    error_id_range: ClassVar[tuple[int, int] | None] = None

    def __init__(
        self,
        *,
        error_id: int,
        message: str | None = None,
        extended_message: str | None = None,
        localized_message: str | None = None,
        error_guid: str | None = None,
        user_guid: str | None = None,
        user_id: str | None = None,
        reason: str = "",
        code: str | None = None,
        subcodes: tuple[str, ...] = (),
        operation: str | None = None,
    ) -> None:
        self.error_id = error_id
        self.message = message
        self.extended_message = extended_message
        self.localized_message = localized_message
        self.error_guid = error_guid
        self.user_guid = user_guid
        self.user_id = user_id
        super().__init__(reason or message or "", code=code, subcodes=subcodes, operation=operation)
        where = f"{operation}: " if operation else ""
        guid = f" (ErrorGuid {error_guid})" if error_guid else ""
        text = message or localized_message or reason
        self.args = (f"{where}Altinn error {error_id}: {text}{guid}",)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(error_id={self.error_id}, message={self.message!r}, "
            f"error_guid={self.error_guid!r})"
        )


_REGISTRY: dict[int, type[AltinnFaultError]] = {}
_RANGES: list[type[AltinnFaultError]] = []

F = TypeVar("F", bound=type[AltinnFaultError])


def register(cls: F) -> F:
    """Make `cls` the exception for its `error_ids` (and `error_id_range`)."""
    for error_id in cls.error_ids:
        _REGISTRY[error_id] = cls
    if cls.error_id_range is not None:
        _RANGES.append(cls)
    return cls


def fault_class(error_id: int) -> type[AltinnFaultError]:
    """The most specific registered exception for an ErrorID."""
    exact = _REGISTRY.get(error_id)
    if exact is not None:
        return exact
    for cls in _RANGES:
        assert cls.error_id_range is not None
        low, high = cls.error_id_range
        if low <= error_id <= high:
            return cls
    return AltinnFaultError


@register
class GeneralError(AltinnFaultError):
    """ErrorID 0: end-user authentication failed (wrong password or pin, pin used up or expired,
    user locked), or a non-functional error; quote the ErrorGuid to Altinn's support."""

    error_ids = (0,)


@register
class NotAuthorizedError(AltinnFaultError):
    """ErrorID 5: the system could not be authorised (system credentials, locked system user, or
    the system is not authorised for the reportee)."""

    error_ids = (5,)


@register
class AuthenticationFailedError(AltinnFaultError):
    """ErrorID 989: incorrect user name, password or pin (or system credentials)."""

    error_ids = (989,)


@register
class MissingRightError(AltinnFaultError):
    """ErrorID 14 (missing right), 30001/30002 (not authorised for the reportee / to sign)."""

    error_ids = (14, 30001, 30002)


@register
class SecurityLevelError(AltinnFaultError):
    """ErrorID 17-21: the authentication level is too low for the service."""

    error_ids = (17, 18, 19, 20, 21)


@register
class NotFoundError(AltinnFaultError):
    """ErrorID 30008: no receipt (or element) matches the request."""

    error_ids = (30008,)


@register
class InvalidRequestError(AltinnFaultError):
    """ErrorID 30003-30006, 30101/30102 and 40001-40020: the request's values were rejected."""

    error_ids = (30003, 30004, 30005, 30006, 30101, 30102)
    error_id_range = (40001, 40020)


@register
class BrokerError(AltinnFaultError):
    """ErrorID 40201-40299: the broker service rejected the file operation."""

    error_id_range = (40201, 40299)


@register
class BrokerFileNotReadyError(BrokerError):
    """ErrorID 40207: no file is ready for download with that reference."""

    error_ids = (40207,)


@register
class BrokerFileTooLargeError(BrokerError):
    """ErrorID 40204: the file is too large for the web service (use SFTP)."""

    error_ids = (40204,)


class BadContextTokenError(SoapFaultError):
    """EC: the server no longer knows the security context token; a new one is needed."""


class RenewNeededError(BadContextTokenError):
    """EC: the security context's key has expired (WS-SC `RenewNeeded`). The client does not
    renew keys: as for BadContextToken it issues a new context and sends the call once more."""
