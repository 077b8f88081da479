"""Run the generated package of a WSDL whose imported part imports it back."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(sys.argv[1]).resolve()))

import httpx

import altinn2
from altinn2 import Client
from altinn2.services import loop

assert Path(sys.argv[1]).resolve() in Path(altinn2.__file__).resolve().parents

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "http://example.test/loop"


def answer(request: httpx.Request) -> httpx.Response:
    assert request.headers["SOAPAction"] == '"http://example.test/loop/ILoop/PingBasic"'
    body = (
        f'<s:Envelope xmlns:s="{ENV}"><s:Body><PingBasicResponse xmlns="{NS}">'
        "<PingBasicResult>pong</PingBasicResult></PingBasicResponse></s:Body></s:Envelope>"
    )
    return httpx.Response(200, content=body, headers={"Content-Type": "text/xml"})


client = Client(
    base_url="https://example.test",
    http_client=httpx.Client(transport=httpx.MockTransport(answer)),
)
assert client.loop.ping(text="ping") == "pong"
assert loop.PING_BASIC.input is loop.PingBasic
print("ok")
