"""WS-Addressing 1.0 and WS-Security (UsernameToken, Timestamp) header blocks, as Altinn expects."""

from __future__ import annotations

import base64
import datetime as dt
import os
import uuid
from collections.abc import Callable

from lxml import etree

from altinn2.runtime.envelope import must_understand
from altinn2.runtime.operation import SoapVersion
from altinn2.runtime.secrets import Secret

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


def username_token(
    user_name: str,
    password: Secret,
    created: dt.datetime,
    *,
    nonce: bytes | None = None,
    token_id: str | None = None,
) -> etree._Element:
    """`wsse:UsernameToken` with PasswordText, a 16-byte Nonce and `wsu:Created`."""
    token = etree.Element(f"{{{WSSE}}}UsernameToken", nsmap={"o": WSSE, "u": WSU})
    token.set(f"{{{WSU}}}Id", token_id or f"uuid-{uuid.uuid4()}-1")
    etree.SubElement(token, f"{{{WSSE}}}Username").text = user_name
    password_element = etree.SubElement(token, f"{{{WSSE}}}Password")
    password_element.set("Type", PASSWORD_TEXT)
    password_element.text = password.reveal()
    nonce_element = etree.SubElement(token, f"{{{WSSE}}}Nonce")
    nonce_element.set("EncodingType", BASE64_BINARY)
    nonce_element.text = base64.b64encode(nonce if nonce is not None else os.urandom(16)).decode()
    etree.SubElement(token, f"{{{WSU}}}Created").text = wsu_time(created)
    return token


def security_header(
    version: SoapVersion,
    user_name: str,
    password: Secret,
    *,
    clock: Clock = utc_now,
    lifetime: dt.timedelta = TIMESTAMP_LIFETIME,
) -> etree._Element:
    """The WS binding's `wsse:Security` (mustUnderstand): Timestamp, then UsernameToken."""
    now = clock()
    security = must_understand(
        etree.Element(f"{{{WSSE}}}Security", nsmap={"o": WSSE, "u": WSU}), version
    )
    security.append(timestamp(now, lifetime))
    security.append(username_token(user_name, password, now))
    return security
