"""`IssuedContext`: one security context the mock issued (EC: kept in the service's memory;
EC2: sealed whole into the token's cookie, `cookies`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, repr=False)
class IssuedContext:
    identifier: str  # urn:uuid:...
    token_id: str  # the SCT element's wsu:Id
    endpoint: str  # the endpoint's path, lower case
    created: dt.datetime
    expires: dt.datetime
    key: bytes = field(repr=False)
    cookie: str | None = None  # EC2: the sealed context, as issued

    def __repr__(self) -> str:
        return f"IssuedContext({self.identifier!r}, {self.endpoint!r})"
