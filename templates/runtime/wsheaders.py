"""WS-Addressing 1.0 headers and the WS-Security Timestamp, as Altinn expects (the UsernameToken
profile lives in `altinn2.runtime.security.username`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from lxml import etree

from altinn2.runtime.envelope import must_understand
from altinn2.runtime.operation import SoapVersion

WSA = "http://www.w3.org/2005/08/addressing"
WSA_ANONYMOUS = f"{WSA}/anonymous"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
TOKEN_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PASSWORD_TEXT = f"{TOKEN_PROFILE}#PasswordText"
BASE64_BINARY = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

TIMESTAMP_LIFETIME = dt.timedelta(minutes=5)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def wsu_time(moment: dt.datetime) -> str:
    """`2009-08-25T19:17:07.369Z`: UTC, milliseconds, as WCF writes and expects."""
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def message_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def addressing_headers(
    version: SoapVersion, action: str, to: str, *, message: str | None = None
) -> list[etree._Element]:
    """`Action` and `To` (mustUnderstand), `MessageID`, `ReplyTo` anonymous."""
    nsmap = {"a": WSA}
    action_element = must_understand(etree.Element(f"{{{WSA}}}Action", nsmap=nsmap), version)
    action_element.text = action
    message_element = etree.Element(f"{{{WSA}}}MessageID", nsmap=nsmap)
    message_element.text = message or message_id()
    reply_to = etree.Element(f"{{{WSA}}}ReplyTo", nsmap=nsmap)
    etree.SubElement(reply_to, f"{{{WSA}}}Address").text = WSA_ANONYMOUS
    to_element = must_understand(etree.Element(f"{{{WSA}}}To", nsmap=nsmap), version)
    to_element.text = to
    return [action_element, message_element, reply_to, to_element]


def timestamp(created: dt.datetime, lifetime: dt.timedelta = TIMESTAMP_LIFETIME) -> etree._Element:
    element = etree.Element(f"{{{WSU}}}Timestamp", nsmap={"u": WSU})
    element.set(f"{{{WSU}}}Id", "_0")
    etree.SubElement(element, f"{{{WSU}}}Created").text = wsu_time(created)
    etree.SubElement(element, f"{{{WSU}}}Expires").text = wsu_time(created + lifetime)
    return element
