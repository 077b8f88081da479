"""The service passes on data built in the test: types, base-method merging, the source text."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from generator.errors import WsdlError
from generator.services.merge import base_method
from generator.services.model import CheckKind, EndpointMethod, Param, Result
from generator.services.source import base_body, dispatch_table, endpoint_body
from generator.services.types import NONE, TypeRef, union


def test_types_render_themselves() -> None:
    assert TypeRef.of("str").render() == "str"
    assert TypeRef.of("str", optional=True).render() == "str | None"
    assert TypeRef.of("A", "B").render() == "A | B"
    assert TypeRef.of("Item", is_list=True, optional=True).render() == "list[Item] | None"
    assert TypeRef.of("A", "B", is_list=True).render() == "list[A | B]"
    assert NONE.render() == "None"
    assert TypeRef.of("Item", is_list=True).or_none().or_none().render() == "list[Item] | None"


def test_union_keeps_members_once_and_none_last() -> None:
    merged = union([TypeRef.of("A", optional=True), TypeRef.of("B"), TypeRef.of("A")])
    assert merged.render() == "A | B | None"
    lists = union([TypeRef.of("A", is_list=True), TypeRef.of("B", is_list=True), NONE])
    assert lists.render() == "list[A] | list[B] | None"
    assert lists.has_list and not lists.is_list


def param(name: str, tp: TypeRef, required: bool, credential: str | None = None) -> Param:
    return Param(name, tp, name, required, credential)


def method(
    binding: str, params: list[Param], result: Result | None = None, name: str = ""
) -> EndpointMethod:
    """An endpoint method with only what merging and rendering read."""
    placeholder: Any = SimpleNamespace()
    return EndpointMethod(
        name=name or f"send_{binding.lower()}",
        constant=f"SEND_{binding.upper()}",
        row=placeholder,
        operation=placeholder,
        binding=binding,
        path="/Send.svc",
        input=placeholder,
        output=placeholder,
        headers=[],
        faults=[],
        params=params,
        result=result or Result("send_result", TypeRef.of("str", optional=True)),
        effect="read",
        documentation="",
    )


def test_a_parameter_every_binding_takes_alike_keeps_its_type() -> None:
    text = TypeRef.of("str")
    base = base_method(
        "Send",
        [
            method(
                "Basic", [param("text", text, True), param("user_ssn", text, False, "user_ssn")]
            ),
            method("EC", [param("text", text, True), param("password", text, False, "password")]),
        ],
        [],
    )
    assert [(p.name, p.declaration) for p in base.params] == [("text", "text: str")]
    assert all(not dispatch.checks for dispatch in base.dispatches)
    assert [dispatch.arguments for dispatch in base.dispatches] == [["text"], ["text"]]
    assert base.returns.render() == "str | None"


def test_differing_parameters_merge_into_a_union_checked_per_binding() -> None:
    basic = method(
        "Basic",
        [
            param("shipment", TypeRef.of("ShipmentA"), True),
            param("tags", TypeRef.of("str", is_list=True), False),
        ],
        Result("result", TypeRef.of("ReceiptA", optional=True)),
    )
    ec = method(
        "EC",
        [
            param("shipment", TypeRef.of("ShipmentB", optional=True), False),
            param("lang", TypeRef.of("int"), True),
        ],
        Result("result", TypeRef.of("ReceiptB")),
    )
    base = base_method("Send", [basic, ec], [])
    assert [p.declaration for p in base.params] == [
        "shipment: ShipmentA | ShipmentB",
        "tags: list[str] | None = None",
        "lang: int | None = None",
    ]
    basic_checks, ec_checks = (dispatch.checks for dispatch in base.dispatches)
    assert [(c.kind, c.param) for c in basic_checks] == [
        (CheckKind.WRONG_TYPE, "shipment"),
        (CheckKind.NOT_A_PARAMETER, "lang"),
    ]
    assert [(c.kind, c.param, c.may_be_none) for c in ec_checks] == [
        (CheckKind.WRONG_TYPE, "shipment", True),
        (CheckKind.NOT_A_PARAMETER, "tags", False),
        (CheckKind.MISSING, "lang", False),
    ]
    assert base.returns.render() == "ReceiptA | ReceiptB | None"
    assert dispatch_table(base, {"ShipmentB": "Shipment"}) == (
        "'Send', basic=Route('send_basic', IsA('shipment', ShipmentA), Absent('lang')), "
        "ec=Route('send_ec', IsA('shipment', ShipmentB, text='ShipmentB', may_be_none=True), "
        "Absent('tags'), Required('lang'))"
    )
    assert base_body(base, sync=True) == "return self._dispatch(_SEND, locals())"
    assert base_body(base, sync=False) == "return await self._dispatch(_SEND, locals())"


def test_per_binding_list_types_cannot_be_merged() -> None:
    with pytest.raises(WsdlError, match=r"^Send: tags has per-binding list types$"):
        base_method(
            "Send",
            [
                method("Basic", [param("tags", TypeRef.of("A", is_list=True), False)]),
                method("EC", [param("tags", TypeRef.of("B", is_list=True), False)]),
            ],
            [],
        )


def test_endpoint_bodies_are_one_call() -> None:
    listed = method("Basic", [], Result("items", TypeRef.of("Item", is_list=True), or_empty=True))
    assert endpoint_body(listed, True) == "return self._call(SEND_BASIC, locals()).items or []"
    assert (
        endpoint_body(listed, False)
        == "return (await self._call(SEND_BASIC, locals())).items or []"
    )
    void = method("Basic", [], Result(None, NONE))
    assert endpoint_body(void, True) == "self._call(SEND_BASIC, locals())"
    assert endpoint_body(void, False) == "await self._call(SEND_BASIC, locals())"
    whole = method("Basic", [], Result(None, TypeRef.of("SendResponse")))
    assert endpoint_body(whole, False) == "return await self._call(SEND_BASIC, locals())"


def test_credential_parameters_take_secrets_and_default_to_the_client() -> None:
    assert param("password", TypeRef.of("str"), False, "enterprise_password").declaration == (
        "password: str | Secret | None = None"
    )
    assert param("tags", TypeRef.of("str", is_list=True), False).declaration == (
        "tags: list[str] | None = None"
    )
