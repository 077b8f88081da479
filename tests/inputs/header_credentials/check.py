"""Run the generated package: header credentials are Secret parameters filled from the client."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

sys.path.insert(0, str(Path(sys.argv[1]).resolve()))

import httpx
from lxml import etree

import altinn2
from altinn2 import Client, SystemCredentials
from altinn2.runtime.operation import Credential, Security
from altinn2.services import upload

assert Path(sys.argv[1]).resolve() in Path(altinn2.__file__).resolve().parents

parameters = inspect.signature(upload.Upload.upload_file_ws).parameters
assert str(parameters["system_user_name"].annotation) == "str | Secret | None"
assert str(parameters["system_password"].annotation) == "str | Secret | None"
assert str(parameters["tags"].annotation) == "list[str] | None", parameters["tags"].annotation
assert str(parameters["file_name"].annotation) == "str | None"
assert parameters["reportee"].default is inspect.Parameter.empty
operation = upload.UPLOAD_FILE
assert operation.credentials == {
    "system_password": Credential.SYSTEM_PASSWORD,
    "system_user_name": Credential.SYSTEM_USER_NAME,
}, operation.credentials
assert operation.header_parameters == ("file_name", "system_password", "system_user_name")
assert operation.security is Security.USERNAME_TOKEN
assert operation.policy.timestamp and operation.policy.algorithm_suite == "Basic256"

ENV = "http://www.w3.org/2003/05/soap-envelope"
NS = "http://example.test/upload"
sent: list[bytes] = []


def answer(request: httpx.Request) -> httpx.Response:
    sent.append(request.content)
    body = (
        f'<s:Envelope xmlns:s="{ENV}"><s:Body><UploadFileResponse xmlns="{NS}">'
        "<UploadFileResult>stored</UploadFileResult></UploadFileResponse></s:Body></s:Envelope>"
    )
    return httpx.Response(200, content=body, headers={"Content-Type": "application/soap+xml"})


client = Client(
    base_url="https://example.test",
    binding="WS",
    system=SystemCredentials("10000", "system-secret"),
    http_client=httpx.Client(transport=httpx.MockTransport(answer)),
)
assert client.upload.upload_file(reportee="910000000", file_name="a.txt") == "stored"
root = etree.fromstring(sent[0])
header = root.find(f"{{{ENV}}}Header")
assert header is not None
assert header.findtext(f"{{{NS}}}SystemUserName") == "10000"
assert header.findtext(f"{{{NS}}}SystemPassword") == "system-secret"
assert header.findtext(f"{{{NS}}}FileName") == "a.txt"
body = root.find(f"{{{ENV}}}Body/{{{NS}}}UploadFile")
assert body is not None and body.findtext(f"{{{NS}}}reportee") == "910000000"
# the caller's value wins over the client's
client.upload.upload_file_ws(reportee="1", system_password="other")
header = etree.fromstring(sent[1]).find(f"{{{ENV}}}Header")
assert header is not None and header.findtext(f"{{{NS}}}SystemPassword") == "other"
print("ok")
