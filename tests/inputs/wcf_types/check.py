"""Run the generated package: enums, guids, chars and durations as typed values both ways."""

from __future__ import annotations

import inspect
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(sys.argv[1]).resolve()))

import httpx
from lxml import etree
from xsdata.models.datatype import XmlDuration

import altinn2
from altinn2 import Client
from altinn2.models import enums
from altinn2.services import types

assert Path(sys.argv[1]).resolve() in Path(altinn2.__file__).resolve().parents

Colour = enums.Colour
assert [(member.name, member.value) for member in Colour] == [
    ("RED", "Red"),
    ("DARK_BLUE", "DarkBlue"),
]
parameters = inspect.signature(types.Types.echo_basic).parameters
assert str(parameters["colour"].annotation) == "Colour"
assert str(parameters["sample"].annotation) == "Sample | None"
hints = {name: str(value) for name, value in types.Sample.__annotations__.items()}
assert hints == {
    "colour": "Colour | None",
    "id": "UUID | None",
    "letter": "int | None",
    "wait": "XmlDuration | None",
}, hints

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "http://example.test/types"
ID = uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e")
sent: list[bytes] = []


def answer(request: httpx.Request) -> httpx.Response:
    sent.append(request.content)
    body = (
        f'<s:Envelope xmlns:s="{ENV}"><s:Body><EchoBasicResponse xmlns="{NS}"><EchoBasicResult>'
        f"<Colour>DarkBlue</Colour><Id>{ID}</Id><Letter>65</Letter><Wait>PT5M</Wait>"
        "</EchoBasicResult></EchoBasicResponse></s:Body></s:Envelope>"
    )
    return httpx.Response(200, content=body, headers={"Content-Type": "text/xml"})


client = Client(
    base_url="https://example.test",
    http_client=httpx.Client(transport=httpx.MockTransport(answer)),
)
sample = types.Sample(colour=Colour.RED, id=ID, letter=ord("Z"), wait=XmlDuration("PT1H"))
result = client.types.echo(colour=Colour.DARK_BLUE, sample=sample)
assert result == types.Sample(
    colour=Colour.DARK_BLUE, id=ID, letter=65, wait=XmlDuration("PT5M")
), result
request = etree.fromstring(sent[0]).find(f"{{{ENV}}}Body/{{{NS}}}EchoBasic")
assert request is not None
assert request.findtext(f"{{{NS}}}colour") == "DarkBlue"
assert request.findtext(f"{{{NS}}}sample/{{{NS}}}Colour") == "Red"
assert request.findtext(f"{{{NS}}}sample/{{{NS}}}Id") == str(ID)
assert request.findtext(f"{{{NS}}}sample/{{{NS}}}Letter") == "90"
assert request.findtext(f"{{{NS}}}sample/{{{NS}}}Wait") == "PT1H"
print("ok")
