"""The client's settings checked when it is built: a wrong type fails there, in one line naming
the parameter, the expected and the given type (never later, deep in a call)."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any, TypeAlias

import httpx

from altinn2.runtime.credentials import EnterpriseCredentials, SystemCredentials, UserCredentials
from altinn2.runtime.errors import ConfigurationError
from altinn2.runtime.hooks import Hooks
from altinn2.runtime.operation import Binding
from altinn2.runtime.retry import RetryPolicy
from altinn2.runtime.security.x509 import Certificate

# What httpx takes as `verify`: check certificates (True), not (False), a CA bundle file, or a
# prepared SSL context.
Verify: TypeAlias = bool | str | ssl.SSLContext

# Each parameter: the types it accepts (None allowed where listed) and how to name them.
_EXPECTED: dict[str, tuple[tuple[type[Any], ...], str]] = {
    "environment": ((str, type(None)), "str or None"),
    "base_url": ((str, type(None)), "str or None"),
    "binding": ((str,), "Binding or str"),  # Binding is a StrEnum
    "system": ((SystemCredentials, type(None)), "SystemCredentials or None"),
    "user": ((UserCredentials, type(None)), "UserCredentials or None"),
    "enterprise": ((EnterpriseCredentials, type(None)), "EnterpriseCredentials or None"),
    "retry": ((RetryPolicy,), "RetryPolicy"),
    "hooks": ((Hooks, type(None)), "Hooks or None"),
    "max_response_bytes": ((int,), "int"),
    "max_response_elements": ((int,), "int"),
    "environments": ((Mapping, type(None)), "a mapping of names to URLs, or None"),
    "deadline": ((int, float, type(None)), "float or None"),
    "timeout": ((int, float, httpx.Timeout), "float or httpx.Timeout"),
    "verify": ((bool, str, ssl.SSLContext), "bool, a CA bundle path or ssl.SSLContext"),
    "trust_env": ((bool,), "bool"),
    "certificate": ((Certificate, type(None)), "Certificate or None"),
}


def _given(value: object) -> str:
    """The given value's type, never the value (it may be a password)."""
    return type(value).__name__


def check_options(
    owner: str, *, http_client_type: type[Any] | None = None, **values: object
) -> None:
    """Raise ConfigurationError (a TypeError too) naming the first parameter of a wrong type."""
    for name, value in values.items():
        if name == "http_client":
            assert http_client_type is not None
            if value is not None and not isinstance(value, http_client_type):
                raise ClientTypeError(
                    f"{owner}(http_client=...): expected {http_client_type.__module__}."
                    f"{http_client_type.__name__} or None, got {_given(value)}"
                )
            continue
        if name not in _EXPECTED:  # a setting with a check of its own elsewhere
            continue
        types, expected = _EXPECTED[name]
        wrong = not isinstance(value, types) or (
            isinstance(value, bool) and bool not in types  # True is an int to Python only
        )
        if wrong:
            raise ClientTypeError(f"{owner}({name}=...): expected {expected}, got {_given(value)}")
    binding = values.get("binding")
    if isinstance(binding, str) and binding not in {item.value for item in Binding}:
        known = ", ".join(item.value for item in Binding)
        raise ConfigurationError(f"{owner}: unknown binding {binding!r} ({known})")


class ClientTypeError(ConfigurationError, TypeError):
    """A client setting of the wrong type."""
