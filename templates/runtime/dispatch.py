"""How a base-operation method picks its binding's endpoint method: one table per base operation,
shared by the sync and the async class (`Service._dispatch`, `AsyncService._dispatch`).

Per binding, the name of the endpoint method and the checks of the base method's arguments
against what that method takes: a parameter it lacks must be None (`Absent`), one it requires
must be given (`Required`), one it takes as a narrower type must be that type (`IsA`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import UnionType
from typing import Any, Generic, TypeVar

from altinn2.runtime.operation import Binding

Result = TypeVar("Result")


# The checks' messages; the base methods that dispatch without a table use them too
# (`_ServiceBase._not_a_parameter` and its neighbours).
def not_a_parameter(param: str, binding: str) -> TypeError:
    return TypeError(f"{param} is not a parameter of the {binding} endpoint; leave it out")


def missing_argument(param: str, binding: str) -> TypeError:
    return TypeError(f"the {binding} endpoint requires {param}")


def wrong_type(param: str, binding: str, expected: str) -> TypeError:
    return TypeError(f"the {binding} endpoint takes {param} as {expected}")


@dataclass(frozen=True)
class Absent:
    """The binding's method has no such parameter: the argument must be None."""

    param: str

    def error(self, arguments: Mapping[str, Any], binding: str) -> TypeError | None:
        if arguments[self.param] is None:
            return None
        return not_a_parameter(self.param, binding)


@dataclass(frozen=True)
class Required:
    """The binding's method requires the parameter the base method leaves optional."""

    param: str

    def error(self, arguments: Mapping[str, Any], binding: str) -> TypeError | None:
        if arguments[self.param] is not None:
            return None
        return missing_argument(self.param, binding)


@dataclass(frozen=True)
class IsA:
    """The binding's method takes the parameter as `expected` only (and None when
    `may_be_none`); `text` names the type in the message (default: its class names)."""

    param: str
    expected: type | UnionType
    text: str = ""
    may_be_none: bool = False

    def error(self, arguments: Mapping[str, Any], binding: str) -> TypeError | None:
        value = arguments[self.param]
        if (value is None and self.may_be_none) or isinstance(value, self.expected):
            return None
        return wrong_type(self.param, binding, self.name)

    @property
    def name(self) -> str:
        if self.text:
            return self.text
        expected = self.expected
        members = expected.__args__ if isinstance(expected, UnionType) else (expected,)
        return " | ".join(member.__name__ for member in members)


Check = Absent | Required | IsA


class Route:
    """One binding's endpoint method (by name) and the checks made before calling it."""

    __slots__ = ("checks", "method")

    def __init__(self, method: str, *checks: Check) -> None:
        self.method = method
        self.checks = checks

    def __repr__(self) -> str:
        return f"Route({self.method!r}, {', '.join(map(repr, self.checks))})"


class BaseOperation(Generic[Result]):
    """A base operation's routes, by binding (keywords: `basic`, `ws`, `ec`, `ec2`), in the
    order of the table; `Result` is what its method returns."""

    __slots__ = ("name", "routes")

    def __init__(self, name: str, **routes: str | Route) -> None:
        self.name = name
        self.routes = {
            Binding[key.upper()]: Route(route) if isinstance(route, str) else route
            for key, route in routes.items()
        }

    def route(self, binding: Binding, arguments: Mapping[str, Any]) -> Route | None:
        """The binding's route after its checks passed (a TypeError names the first that
        failed); None when the binding has no endpoint method."""
        route = self.routes.get(binding)
        for check in route.checks if route else ():
            error = check.error(arguments, binding.value)
            if error is not None:
                raise error
        return route

    def __repr__(self) -> str:
        return f"BaseOperation({self.name!r}, {self.routes!r})"
