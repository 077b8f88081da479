"""The client's settings checked when it is built: a wrong type fails there, in one line naming
the parameter, the expected and the given type (never later, deep in a call)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from altinn2.runtime.credentials import EnterpriseCredentials, SystemCredentials, UserCredentials
from altinn2.runtime.errors import ConfigurationError
from altinn2.runtime.hooks import Hooks
from altinn2.runtime.operation import Binding
from altinn2.runtime.retry import RetryPolicy
from altinn2.runtime.security.x509 import Certificate

if TYPE_CHECKING:
    import ssl

# What httpx takes as `verify`: check certificates (True), not (False), a CA bundle file, or a
# prepared SSL context.
Verify: TypeAlias = "bool | str | ssl.SSLContext"

# Each parameter: the types it accepts (None allowed where listed) and how to name them. A type
# named "module.Class" is looked up only when its module is loaded (see `_types`): no import of
# httpx or ssl to check a setting.
_EXPECTED: dict[str, tuple[tuple[type[Any] | str, ...], str]] = {
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
    "timeout": ((int, float, "httpx.Timeout", type(None)), "float, httpx.Timeout or None"),
    "verify": ((bool, str, "ssl.SSLContext"), "bool, a CA bundle path or ssl.SSLContext"),
    "trust_env": ((bool,), "bool"),
    "certificate": ((Certificate, type(None)), "Certificate or None"),
}


def _given(value: object) -> str:
    """The given value's type, never the value (it may be a password)."""
    return type(value).__name__


def _types(accepted: tuple[type[Any] | str, ...]) -> tuple[type[Any], ...]:
    """The accepted classes; one named "module.Class" only if its module is loaded (an instance
    of a class whose module nobody imported cannot exist)."""
    found: list[type[Any]] = []
    for item in accepted:
        if isinstance(item, str):
            module_name, _, class_name = item.rpartition(".")
            module = sys.modules.get(module_name)
            if module is not None:
                found.append(getattr(module, class_name))
        else:
            found.append(item)
    return tuple(found)


def check_options(owner: str, *, http_client_type: str | None = None, **values: object) -> None:
    """Raise ConfigurationError (a TypeError too) naming the first parameter of a wrong type
    (`http_client_type`: the HTTP client's class, as "module.Class")."""
    for name, value in values.items():
        if name == "http_client":
            assert http_client_type is not None
            if value is not None and not isinstance(value, _types((http_client_type,))):
                raise ClientTypeError(
                    f"{owner}(http_client=...): expected {http_client_type} or None, "
                    f"got {_given(value)}"
                )
            continue
        if name not in _EXPECTED:  # a setting with a check of its own elsewhere
            continue
        accepted, expected = _EXPECTED[name]
        types = _types(accepted)
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
