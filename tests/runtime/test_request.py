"""altinn2.runtime.request: a call's body and header parts from a method's arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from altinn2.runtime.operation import (
    NO_SECURITY,
    Binding,
    Credential,
    Effect,
    OperationInfo,
    SoapVersion,
)
from altinn2.runtime.request import build_body, build_headers
from altinn2.runtime.secrets import Secret


@dataclass(kw_only=True)
class Body:
    system_password: str
    user_pin_code: str | None = None
    reportee: str
    tags: list[str] = field(default_factory=list)
    wrapped: list[str] | None = field(default=None, metadata={"wrapper": "{urn:x}Wrapped"})
    note: str | None = "kept"


@dataclass(kw_only=True)
class SystemUserName:
    value: str | None = None


@dataclass(kw_only=True)
class FileName:
    value: str | None = None


@dataclass(kw_only=True)
class Answer:
    result: str | None = None


OPERATION = OperationInfo(
    service="S",
    base_operation="Send",
    name="SendBasic",
    binding=Binding.BASIC,
    path="/S.svc",
    soap_version=SoapVersion.SOAP11,
    soap_action="urn:send",
    policy=NO_SECURITY,
    effect=Effect.WRITE,
    input=Body,
    output=Answer,
    input_headers=(SystemUserName, FileName),
    header_parameters=("system_user_name", "file_name"),
    credentials={
        "system_password": Credential.SYSTEM_PASSWORD,
        "user_pin_code": Credential.USER_PIN_CODE,
        "system_user_name": Credential.SYSTEM_USER_NAME,
    },
)

Asked = tuple[Credential, str | Secret | None, bool]
Lookup = Callable[[Credential, str | Secret | None, bool], str | None]


def recording(answers: dict[Credential, str | None]) -> tuple[list[Asked], Lookup]:
    asked: list[Asked] = []

    def lookup(kind: Credential, given: str | Secret | None, required: bool) -> str | None:
        asked.append((kind, given, required))
        return given if isinstance(given, str) else answers.get(kind)

    return asked, lookup


def test_body_fields_come_from_their_parameters_and_credentials_from_the_lookup() -> None:
    asked, lookup = recording({Credential.SYSTEM_PASSWORD: "pw"})
    arguments = {"self": None, "reportee": "910", "tags": None, "note": None, "base_url": None}
    body = build_body(OPERATION, arguments, lookup)
    assert body == Body(
        system_password="pw", user_pin_code=None, reportee="910", wrapped=[], note=None
    )
    # None for a list: the empty list (an optional list wrapper is then sent empty)
    assert (body.tags, body.wrapped) == ([], [])
    # in field order; the schema requires the system password, not the pin code
    assert asked == [
        (Credential.SYSTEM_PASSWORD, None, True),
        (Credential.USER_PIN_CODE, None, False),
    ]


def test_the_callers_credential_wins() -> None:
    asked, lookup = recording({Credential.SYSTEM_PASSWORD: "pw"})
    arguments = {"reportee": "1", "tags": ["a"], "system_password": "mine"}
    body = build_body(OPERATION, arguments, lookup)
    assert (body.system_password, body.tags) == ("mine", ["a"])
    assert asked[0] == (Credential.SYSTEM_PASSWORD, "mine", True)


def test_headers_in_order_with_credentials_looked_up() -> None:
    asked, lookup = recording({Credential.SYSTEM_USER_NAME: "10000"})
    headers = build_headers(OPERATION, {"file_name": "a.txt"}, lookup)
    assert headers == [SystemUserName(value="10000"), FileName(value="a.txt")]
    assert asked == [(Credential.SYSTEM_USER_NAME, None, False)]


def test_actions_follow_the_soap_action_unless_given() -> None:
    assert (OPERATION.action, OPERATION.reply_action) == ("urn:send", "urn:sendResponse")
    assert OPERATION.security.value == "none"
