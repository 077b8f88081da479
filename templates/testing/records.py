"""The call record: every exchange with the mock as a `Call`, secrets masked, and logged.

A `Draft` collects what handling a request learns (operation, action, typed request, why it was
refused, the redacted envelope) and becomes the `Call` once the reply is known. Nothing recorded
holds a secret: credential HTTP headers and credential fields of the typed request are `***`,
and the envelope and reason are scrubbed by the mock's `Redactor`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from altinn2.runtime.operation import Binding, OperationInfo
from altinn2.runtime.secrets import MASK, Redactor
from altinn2.testing.faults import Reply

logger = logging.getLogger("altinn2.testing")

SECRET_HTTP_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


@dataclass(frozen=True, repr=False)
class Call:
    """One HTTP exchange with the mock, for assertions; secrets are masked everywhere.

    `headers` are the HTTP request headers (case-insensitive; credentials in them masked).
    `request` is the typed request body (credential fields masked as `***`), `None` when the
    request was refused before its body was read. `fault` names what refused or failed it
    (`a:ActionNotSupported`, `o:InvalidSecurity`, `AltinnFault 989`, `HTTP 415`, ...; `None` for a
    normal answer) and `reason` says why, in the mock's words (WCF's own fault often does not).
    `attachment` is the size and SHA-256 (hex; None with `upload_digests=False`) of the file a
    streamed request carried.
    """

    method: str
    path: str
    operation: str | None
    service: str | None
    binding: Binding | None
    action: str | None
    headers: Mapping[str, str]
    request: Any
    soap_headers: tuple[Any, ...]
    status: int
    fault: str | None
    reason: str | None
    envelope: str
    received: dt.datetime
    duration: float
    info: OperationInfo | None = field(default=None, compare=False)
    attachment: tuple[int, str | None] | None = None

    @property
    def ok(self) -> bool:
        return self.fault is None and self.status < 400

    def __repr__(self) -> str:
        what = self.operation or f"{self.method} {self.path}"
        binding = f" ({self.binding.value})" if self.binding else ""
        fault = f" {self.fault}" if self.fault else ""
        request = f", request={type(self.request).__name__}" if self.request is not None else ""
        return f"Call({what}{binding} -> {self.status}{fault}{request})"

    __str__ = __repr__


@dataclass
class Draft:
    """A call being handled: what the mock has learned of it so far."""

    method: str
    path: str
    headers: dict[str, str]  # credential headers masked
    started: float  # time.monotonic()
    received: dt.datetime
    operation: OperationInfo | None = None
    action: str | None = None
    request: Any = None  # masked
    soap_headers: tuple[Any, ...] = ()  # masked
    reason: str | None = None
    envelope: str = ""  # redacted
    attachment: tuple[int, str | None] | None = None  # a streamed request's file: size, SHA-256

    @classmethod
    def begin(
        cls, method: str, target: str, headers: Mapping[str, str], received: dt.datetime
    ) -> Draft:
        return cls(
            method.upper(),
            urlsplit(target).path,
            {
                name: (MASK if name.lower() in SECRET_HTTP_HEADERS else value)
                for name, value in headers.items()
            },
            time.monotonic(),
            received,
        )

    def finish(self, reply: Reply, redactor: Redactor) -> Call:
        """The record of this call, answered with `reply`."""
        op = self.operation
        return Call(
            method=self.method,
            path=self.path,
            operation=op.name if op else None,
            service=op.service if op else None,
            binding=op.binding if op else None,
            action=self.action,
            headers=httpx.Headers(self.headers),
            request=self.request,
            soap_headers=self.soap_headers,
            status=reply.status,
            fault=None if reply.outcome == "ok" else reply.outcome,
            reason=redactor.text(self.reason) if self.reason else None,
            envelope=self.envelope,
            received=self.received,
            duration=time.monotonic() - self.started,
            info=op,
            attachment=self.attachment,
        )


def log_call(call: Call) -> None:
    """One INFO line per call; the (redacted) request envelope at DEBUG."""
    logger.info(
        "%s %s %s -> %s%s%s",
        call.method,
        call.path,
        call.operation or "-",
        call.status,
        f" {call.fault}" if call.fault else "",
        f" ({call.reason})" if call.reason else "",
    )
    if call.envelope and logger.isEnabledFor(logging.DEBUG):
        logger.debug("request envelope (redacted):\n%s", call.envelope)
