"""Run the generated package: a declared fault comes back as an exception with a typed detail;
an operation with an empty answer returns None."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

sys.path.insert(0, str(Path(sys.argv[1]).resolve()))

import httpx

import altinn2
from altinn2 import Client
from altinn2.runtime.errors import SoapFaultError
from altinn2.services import quota

assert Path(sys.argv[1]).resolve() in Path(altinn2.__file__).resolve().parents

assert quota.RESERVE_BASIC.faults == (quota.QuotaFault,)
assert quota.RESERVE_BASIC.result is None
assert str(inspect.signature(quota.Quota.reserve).return_annotation) == "None"

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "http://example.test/quota"
FAULT = (
    f'<s:Envelope xmlns:s="{ENV}"><s:Body><s:Fault><faultcode>s:Client</faultcode>'
    f'<faultstring>over quota</faultstring><detail><QuotaFault xmlns="{NS}"><Limit>3</Limit>'
    "<Resource>disk</Resource></QuotaFault></detail></s:Fault></s:Body></s:Envelope>"
)
EMPTY = (
    f'<s:Envelope xmlns:s="{ENV}"><s:Body><ReserveBasicResponse xmlns="{NS}"/></s:Body>'
    "</s:Envelope>"
)
answers = [(500, FAULT), (200, EMPTY)]


def answer(request: httpx.Request) -> httpx.Response:
    status, body = answers.pop(0)
    return httpx.Response(status, content=body, headers={"Content-Type": "text/xml"})


client = Client(
    base_url="https://example.test",
    http_client=httpx.Client(transport=httpx.MockTransport(answer)),
)
try:
    client.quota.reserve(amount=5)
except SoapFaultError as error:
    assert error.detail == quota.QuotaFault(limit=3, resource="disk"), error.detail
    assert "over quota" in str(error)
else:
    raise AssertionError("no fault raised")
assert client.quota.reserve_basic(amount=1) is None
assert answers == []
print("ok")
