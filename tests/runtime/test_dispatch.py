"""A base-operation method's table (`altinn2.runtime.dispatch`): per binding the endpoint
method, after the checks of the arguments; the errors name the parameter and the binding."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from altinn2.runtime.dispatch import Absent, BaseOperation, IsA, Required, Route
from altinn2.runtime.errors import BindingNotAvailableError
from altinn2.runtime.operation import Binding
from altinn2.runtime.service import AsyncService, Service


class Search:
    pass


class SearchEC:
    pass


SEND: BaseOperation[str] = BaseOperation(
    "Send",
    basic=Route("send_basic", IsA("search", Search), Absent("lang")),
    ec=Route("send_ec", IsA("search", SearchEC | Search, may_be_none=True), Required("lang")),
    ec2="send_ec2",
)


class Sends(Service):
    service_name = "Sends"

    def send_basic(self, **given: Any) -> str:
        return f"basic {sorted(given)}"

    def send_ec(self, **given: Any) -> str:
        return f"ec {sorted(given)}"

    def send_ec2(self, **given: Any) -> str:
        return f"ec2 {sorted(given)}"

    def send(self, *, search: Any = None, lang: Any = None) -> str:
        return self._dispatch(SEND, locals())


class AsyncSends(AsyncService):
    service_name = "Sends"

    async def send_ec(self, **given: Any) -> str:
        return f"async ec {sorted(given)}"

    async def send(self, *, search: Any = None, lang: Any = None) -> str:
        return await self._dispatch(SEND, locals())


def sends(binding: Binding) -> Sends:
    client: Any = SimpleNamespace(binding=binding)
    return Sends(client)


def test_the_clients_binding_picks_the_method_with_the_arguments_given() -> None:
    assert sends(Binding.BASIC).send(search=Search()) == "basic ['search']"
    assert sends(Binding.EC).send(search=None, lang=1) == "ec ['lang']"
    assert sends(Binding.EC2).send(lang=1) == "ec2 ['lang']"
    client: Any = SimpleNamespace(binding=Binding.EC)
    assert asyncio.run(AsyncSends(client).send(lang=2)) == "async ec ['lang']"


def test_each_check_names_the_parameter_and_the_binding() -> None:
    with pytest.raises(TypeError, match=r"^the Basic endpoint takes search as Search$"):
        sends(Binding.BASIC).send(search=SearchEC())
    with pytest.raises(TypeError, match=r"^the Basic endpoint takes search as Search$"):
        sends(Binding.BASIC).send()  # required there: None is not a Search
    with pytest.raises(TypeError, match=r"^lang is not a parameter of the Basic endpoint"):
        sends(Binding.BASIC).send(search=Search(), lang=1)
    with pytest.raises(TypeError, match=r"^the EC endpoint requires lang$"):
        sends(Binding.EC).send(search=SearchEC())
    with pytest.raises(TypeError, match=r"^the EC endpoint takes search as SearchEC \| Search$"):
        sends(Binding.EC).send(search=1, lang=1)
    text = IsA("search", Search, text="SearchAlias")
    assert str(text.error({"search": 1}, "EC")) == "the EC endpoint takes search as SearchAlias"


def test_a_binding_without_a_method_is_named_with_those_there_are() -> None:
    with pytest.raises(
        BindingNotAvailableError, match=r"Sends.Send has no WS endpoint.*: Basic, EC, EC2$"
    ):
        sends(Binding.WS).send(search=Search())
