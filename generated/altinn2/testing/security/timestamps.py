"""WCF's checks of a `wsu:Timestamp` in a security header (LocalServiceSecuritySettings'
defaults: 5 minutes of validity, 5 minutes of clock skew)."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from altinn2.runtime.wsheaders import WSU

MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
TIMESTAMP_VALIDITY = dt.timedelta(minutes=5)


def wsu_time(element: etree._Element | None) -> dt.datetime | None:
    """The time in a `wsu:Created`/`wsu:Expires` element (None: absent or not a time)."""
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def timestamp_problem(
    stamp: etree._Element | None, now: dt.datetime, *, need_id: bool = False
) -> str | None:
    """Why WCF would refuse this Timestamp (None: it is fine). `need_id`: it must carry a
    `wsu:Id` (a signed Timestamp)."""
    if stamp is None:
        return "no wsu:Timestamp in the Security header"
    if need_id and not stamp.get(f"{{{WSU}}}Id"):
        return "the Timestamp has no wsu:Id"
    created = wsu_time(stamp.find(f"{{{WSU}}}Created"))
    expires_element = stamp.find(f"{{{WSU}}}Expires")
    expires = wsu_time(expires_element)
    if created is None:
        return "the Timestamp has no valid Created"
    if expires_element is not None and expires is None:
        return "the Timestamp's Expires is not a time"
    if expires is not None and expires <= created:
        return "the Timestamp expires before it was created"
    if created > now + MAX_CLOCK_SKEW:
        return "the Timestamp was created in the future"
    if expires is not None and expires < now - MAX_CLOCK_SKEW:
        return "the Timestamp has expired"
    if now - created > TIMESTAMP_VALIDITY + MAX_CLOCK_SKEW:
        return "the Timestamp is stale"
    return None
