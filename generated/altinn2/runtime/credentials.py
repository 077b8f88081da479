"""The credentials a client is configured with, once, and never shown."""

from __future__ import annotations

from dataclasses import dataclass

from altinn2.runtime.secrets import Secret


@dataclass(frozen=True, init=False)
class SystemCredentials:
    """The end-user system's id and password (Basic: body fields; WS: the UsernameToken)."""

    user_name: str
    password: Secret

    def __init__(self, user_name: str, password: str | Secret) -> None:
        object.__setattr__(self, "user_name", str(user_name))
        object.__setattr__(self, "password", Secret(password))


@dataclass(frozen=True, init=False)
class UserCredentials:
    """The person the system acts for: national id (or portal user name), password, pin.

    `auth_method` is `AltinnPin` (a code from a letter) or `SMSPin`; the pin code comes from
    `GetAuthenticationChallenge` (see `altinn2.runtime.pin`).
    """

    ssn: Secret
    password: Secret
    pin_code: Secret | None
    auth_method: str | None

    def __init__(
        self,
        ssn: str | Secret,
        password: str | Secret,
        pin_code: str | Secret | None = None,
        auth_method: str | None = None,
    ) -> None:
        object.__setattr__(self, "ssn", Secret(ssn))
        object.__setattr__(self, "password", Secret(password))
        object.__setattr__(self, "pin_code", None if pin_code is None else Secret(pin_code))
        object.__setattr__(self, "auth_method", auth_method)

    def with_pin(self, pin_code: str | Secret, auth_method: str | None = None) -> UserCredentials:
        return UserCredentials(self.ssn, self.password, pin_code, auth_method or self.auth_method)


@dataclass(frozen=True, init=False)
class EnterpriseCredentials:
    """EC: the enterprise user created for the certificate (body `userName`/`password`)."""

    user_name: str
    password: Secret

    def __init__(self, user_name: str, password: str | Secret) -> None:
        object.__setattr__(self, "user_name", str(user_name))
        object.__setattr__(self, "password", Secret(password))
