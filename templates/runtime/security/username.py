"""The WS binding's message security: a WS-Security UsernameToken (PasswordText, Nonce, Created)
after a Timestamp, in a mustUnderstand `wsse:Security` header, with the system's credentials."""

from __future__ import annotations

import base64
import datetime as dt
import os
import uuid
from collections.abc import Sequence

from lxml import etree

from altinn2.runtime.envelope import must_understand
from altinn2.runtime.errors import ConfigurationError
from altinn2.runtime.operation import OperationInfo, SoapVersion
from altinn2.runtime.secrets import Secret
from altinn2.runtime.security.profile import Secured, SecurityProfile, plain_envelope
from altinn2.runtime.wsheaders import (
    BASE64_BINARY,
    PASSWORD_TEXT,
    TIMESTAMP_LIFETIME,
    WSSE,
    WSU,
    Clock,
    timestamp,
    utc_now,
    wsu_time,
)


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


class UsernameToken(SecurityProfile):
    """The WS binding: the system's user name and password in a UsernameToken."""

    def __init__(self, user_name: str | None, password: Secret | None) -> None:
        self._user_name = user_name
        self._password = password

    def __repr__(self) -> str:
        return f"UsernameToken(user_name={self._user_name!r})"

    def secure(
        self,
        operation: OperationInfo,
        url: str,
        headers: Sequence[etree._Element],
        body: etree._Element,
        context: object = None,
    ) -> Secured:
        if self._user_name is None or self._password is None:
            raise ConfigurationError(
                f"{operation.label} signs in with a WS-Security UsernameToken: configure "
                "SystemCredentials"
            )
        security = security_header(operation.soap_version, self._user_name, self._password)
        return Secured(plain_envelope(operation, url, [security, *headers], body))
