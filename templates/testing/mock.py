"""`MockAltinn`: an offline Altinn 2 on loopback HTTP, built from the generated operations.

It serves every generated endpoint path (Basic, WS and EC) and checks each request as Altinn's
WCF services would, in this order, answering what WCF answers:

- path: HTTP 404;
- HTTP method, POST only: HTTP 405 with `Allow: POST` (no help page or WSDL: see below);
- the content type of the binding's SOAP version (`text/xml` for Basic, `application/soap+xml`
  for WS and EC; UTF-8): HTTP 415;
- well-formed XML, a SOAP envelope with a Body: HTTP 400; the envelope's version: a
  `s:VersionMismatch` fault; a body that is not UTF-8: AltinnFault 0 ("Unable to translate
  bytes ...", as Altinn answers);
- WS: `wsse:Security` with a fresh `wsu:Timestamp` (5 minutes of validity, 5 of clock skew) and
  the system's UsernameToken (PasswordText): else `o:InvalidSecurity`; EC: always
  `o:InvalidSecurity` (the mock issues no WS-SecureConversation tokens);
- WS: WS-Addressing `Action` (`a:MessageAddressingHeaderRequired`), equal to the content type's
  `action` (`a:ActionMismatch`), `To` this endpoint's path (`a:DestinationUnreachable`);
- `SOAPAction` (Basic) or `Action` (WS) naming an operation of the endpoint:
  `a:ActionNotSupported`;
- every `mustUnderstand` header understood by the binding: `s:MustUnderstand`;
- streamed (MTOM) operations: a `s:Receiver` fault, not implemented by the mock yet;
- the body element and the XML Schema: AltinnFault 0 with the formatter's deserialization message;
- Basic `systemUserName`/`systemPassword`, and person credentials wherever sent (`userSSN`,
  `userPassword`, `userPinCode` and `authMethod` for a person with a pin): AltinnFault 989.

Then the answer: the last matching rule a test registered (`respond`, `fault`, `http_error`;
`delay` waits first), else the stateful scenario (`stateful=True`), else a schema-valid default
(`example()` of the output type, minimal or full). Every exchange is recorded as a `Call`, with
secrets masked.

GET (or any method but POST) on an endpoint is refused with 405: WCF would show its help page or
the WSDL (`?wsdl`), and the mock ships neither, so a client that GETs learns at once.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import difflib
import enum
import ipaddress
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias
from urllib.parse import urlsplit

import httpx
from lxml import etree

from altinn2.runtime.client import RetryPolicy
from altinn2.runtime.codec import CONTEXT, from_element, qname_of, to_element
from altinn2.runtime.credentials import SystemCredentials, UserCredentials
from altinn2.runtime.envelope import (
    ENVELOPE_NS,
    ENVELOPE_VERSIONS,
    build_envelope,
    parse_xml,
    read_envelope,
)
from altinn2.runtime.errors import AltinnError, ProtocolError
from altinn2.runtime.operation import Binding, Credential, OperationInfo, Security, SoapVersion
from altinn2.runtime.registry import operation_index
from altinn2.runtime.secrets import MASK, SECRET_ELEMENTS, Redactor
from altinn2.runtime.wsheaders import WSA, WSA_ANONYMOUS, WSSE, WSU, timestamp, utc_now
from altinn2.testing.examples import example, wrap_result
from altinn2.testing.faults import (
    ACTION_MISMATCH,
    ADDRESS_FILTER_MISMATCH,
    CONTENT_TYPE_MISMATCH,
    CONTENT_TYPES,
    HEADER_REQUIRED,
    Fault,
    Reply,
    action_not_supported,
    addressing_reply_headers,
    altinn_fault,
    deserialization_fault,
    http_error,
    invalid_security,
    must_understand_fault,
    soap_fault,
    version_mismatch,
    wcf_fault,
)
from altinn2.testing.scenario import NOT_HANDLED, Scenario
from altinn2.testing.schemas import SchemaViolation, violations
from altinn2.testing.server import MockServer

if TYPE_CHECKING:
    from altinn2.client import AsyncClient, Client

logger = logging.getLogger("altinn2.testing")

DEFAULT_SYSTEM = SystemCredentials("10000", "mock-system-password")
DEFAULT_USER = UserCredentials(
    "01017012345", "mock-user-password", pin_code="12345", auth_method="AltinnPin"
)
AUTH_METHODS = ("AltinnPin", "SMSPin")
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)  # WCF's LocalServiceSecuritySettings defaults
TIMESTAMP_VALIDITY = dt.timedelta(minutes=5)
DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024
FAST_RETRY = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.05)
SECRET_HTTP_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
PASSWORD_TEXT_SUFFIX = "#PasswordText"

Defaults = Literal["minimal", "full"]
Clock = Callable[[], dt.datetime]
OperationRef: TypeAlias = "OperationInfo | str | None"


class _Use(enum.Enum):
    DEFAULT = "default"


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Call:
    """One HTTP exchange with the mock, for assertions; secrets are masked everywhere.

    `headers` are the HTTP request headers (case-insensitive; credentials in them masked).
    `request` is the typed request body (credential fields masked as `***`), `None` when the
    request was refused before its body was read. `fault` names what refused or failed it
    (`a:ActionNotSupported`, `o:InvalidSecurity`, `AltinnFault 989`, `HTTP 415`, ...; `None` for a
    normal answer) and `reason` says why, in the mock's words (WCF's own fault often does not).
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
class _Draft:
    method: str
    path: str
    headers: dict[str, str]
    started: float
    received: dt.datetime
    operation: OperationInfo | None = None
    action: str | None = None
    request: Any = None
    soap_headers: tuple[Any, ...] = ()
    reason: str | None = None
    envelope: str = ""


# -- rules -----------------------------------------------------------------------------------


@dataclass(eq=False)
class Rule:
    """A registered behaviour; `hits` counts its uses, `cancel()` removes it."""

    kind: Literal["respond", "http", "delay"]
    keys: frozenset[tuple[str, str]] | None  # (path, operation name); None: every operation
    value: Any
    times: int | None
    hits: int = 0
    _owner: MockAltinn | None = field(default=None, repr=False)

    def matches(self, operation: OperationInfo) -> bool:
        return self.keys is None or _key(operation) in self.keys

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def cancel(self) -> None:
        if self._owner is not None:
            self._owner._remove(self)


@dataclass(frozen=True)
class _Raw:
    data: bytes
    envelope: bool  # a whole envelope (sent as it is) or a body element (wrapped)


@dataclass(frozen=True)
class _HttpError:
    status: int
    body: bytes
    content_type: str | None


def _key(operation: OperationInfo) -> tuple[str, str]:
    return (operation.path.lower(), operation.name)


# -- endpoints -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One .svc path: its binding and operations (by the action that selects them)."""

    path: str
    binding: Binding
    version: SoapVersion
    security: Security
    addressing: bool
    operations: Mapping[str, OperationInfo]

    @property
    def understood(self) -> frozenset[str]:
        names: set[str] = set()
        if self.addressing:
            names |= {
                f"{{{WSA}}}{name}"
                for name in ("Action", "To", "MessageID", "ReplyTo", "From", "FaultTo")
            }
            names.add(f"{{{WSA}}}RelatesTo")
        if self.security is not Security.NONE:
            names.add(f"{{{WSSE}}}Security")
        return frozenset(names)


def endpoints(operations: Iterable[OperationInfo]) -> dict[str, Endpoint]:
    """Every endpoint path (lower case, as IIS matches paths) with its operations."""
    grouped: dict[str, list[OperationInfo]] = {}
    for operation in operations:
        grouped.setdefault(operation.path.lower(), []).append(operation)
    table = {}
    for path, members in grouped.items():
        first = members[0]
        by_action: dict[str, OperationInfo] = {}
        for operation in members:
            by_action[operation.action if first.addressing else operation.soap_action] = operation
        table[path] = Endpoint(
            first.path,
            first.binding,
            first.soap_version,
            first.security,
            first.addressing,
            by_action,
        )
    return table


# -- the mock --------------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class MockAltinn:
    """An offline Altinn 2 for tests and apps, on `http://<host>:<port>` (loopback only).

    Use it in a `with` block (or `start()`/`stop()`), point a client at `url` with the
    credentials it accepts (`system`, `users`), or let it make one: `client()`,
    `async_client()`. `respond`, `fault`, `http_error` and `delay` change its answers; `calls`
    records every exchange; `scenario` is the state of the stateful mode.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        system: SystemCredentials = DEFAULT_SYSTEM,
        users: Sequence[UserCredentials] = (DEFAULT_USER,),
        stateful: bool = False,
        defaults: Defaults = "minimal",
        clock: Clock = utc_now,
        max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
        validate_responses: bool = True,
    ) -> None:
        if not _is_loopback(host):
            raise ValueError(f"the mock listens on loopback addresses only, not {host!r}")
        if defaults not in ("minimal", "full"):
            raise ValueError("defaults is 'minimal' or 'full'")
        self.host = host
        self.port = port
        self.system = system
        self.users = list(users)
        self.stateful = stateful
        self.defaults: Defaults = defaults
        self.clock = clock
        self.max_request_bytes = max_request_bytes
        self.validate_responses = validate_responses
        self.operations = operation_index().operations
        self.endpoints = endpoints(self.operations)
        self.scenario = Scenario(clock, self.users)
        self.redactor = Redactor(self._secret_values())
        self._lock = threading.RLock()
        self._rules: list[Rule] = []
        self._calls: list[Call] = []
        self._errors: list[str] = []
        self._clients: list[Client] = []
        self._stopping = threading.Event()
        self._server: MockServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        state = "running" if self._server is not None else "stopped"
        return f"MockAltinn({self.url if self._server else self.host!r}, {state})"

    def _secret_values(self) -> list[str]:
        values = [self.system.password.reveal()]
        for user in self.users:
            values += [user.ssn.reveal(), user.password.reveal()]
            if user.pin_code is not None:
                values.append(user.pin_code.reveal())
        return values

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL to give a client (`Client(base_url=mock.url, ...)`)."""
        if self._server is None:
            raise RuntimeError("the mock is not running: start() it first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_address[1]}"

    def bind(self) -> MockAltinn:
        """Open the listening socket (the port is known from here on) without serving yet."""
        if self._server is None:
            self._stopping.clear()
            self._server = MockServer((self.host, self.port), self)
        return self

    def start(self) -> MockAltinn:
        """Serve in a background thread; returns when the port is open."""
        if self._thread is None:
            server = self.bind()._server
            assert server is not None
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.name = f"altinn2-mock-{self.url}"
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until `stop()` (from another thread) or KeyboardInterrupt."""
        server = self.bind()._server
        assert server is not None
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            self._close()

    def stop(self) -> None:
        """Stop serving, end delays, close the clients it made and every open connection."""
        self._stopping.set()
        self.close_clients()
        server = self._server
        if server is not None:
            server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._close()

    def close_clients(self) -> None:
        """Close the sync clients `client()` made (stopping the mock does it too)."""
        clients, self._clients = self._clients, []
        for client in clients:
            client.close()

    def _close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.server_close()
            server.close_connections()

    def __enter__(self) -> MockAltinn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- clients ---------------------------------------------------------------------------

    def _client_options(
        self, binding: Binding | str, user: UserCredentials | _Use | None, options: dict[str, Any]
    ) -> dict[str, Any]:
        chosen = (self.users[0] if self.users else None) if user is _Use.DEFAULT else user
        settings: dict[str, Any] = {
            "base_url": self.url,
            "binding": binding,
            "system": self.system,
            "user": chosen,
            "retry": FAST_RETRY,
            "timeout": 10.0,
            "verify": False,  # plain HTTP on loopback: no TLS context to build (80 ms each)
        }
        settings.update(options)
        return settings

    def client(
        self,
        binding: Binding | str = Binding.BASIC,
        *,
        user: UserCredentials | _Use | None = _Use.DEFAULT,
        **options: Any,
    ) -> Client:
        """A `Client` for this mock: its URL, the system and (first) user it accepts, fast
        retries; closed when the mock stops. `options` go to `Client`."""
        from altinn2.client import Client

        client = Client(**self._client_options(binding, user, options))
        self._clients.append(client)
        return client

    def async_client(
        self,
        binding: Binding | str = Binding.BASIC,
        *,
        user: UserCredentials | _Use | None = _Use.DEFAULT,
        **options: Any,
    ) -> AsyncClient:
        """An `AsyncClient` for this mock, usable from any event loop (it keeps no connections
        open between calls, so it needs no closing; `async with` is fine too)."""
        from altinn2.client import AsyncClient

        settings = self._client_options(binding, user, options)
        if "http_client" not in settings:
            settings["http_client"] = httpx.AsyncClient(
                timeout=settings.pop("timeout"),
                verify=settings.pop("verify"),
                limits=httpx.Limits(max_keepalive_connections=0),
                follow_redirects=False,
            )
        return AsyncClient(**settings)

    # -- behaviour -------------------------------------------------------------------------

    def resolve(self, operation: OperationRef) -> frozenset[tuple[str, str]] | None:
        """The operations a reference means: an `OperationInfo`; an endpoint operation's name
        (`GetReceiptBasicV2`, `ReceiptExternal.GetReceiptBasicV2`); a base operation's name
        (`GetReceiptV2`: every binding of it); `None` or `"*"`: every operation."""
        if operation is None or operation == "*":
            return None
        if isinstance(operation, OperationInfo):
            return frozenset({_key(operation)})
        found = operation_index().named(operation)
        if not found:
            wanted = operation.lower()
            found = tuple(
                op
                for op in self.operations
                if wanted
                in (op.base_operation.lower(), f"{op.service}.{op.base_operation}".lower())
            )
        if not found:
            names = {op.name for op in self.operations} | {
                op.base_operation for op in self.operations
            }
            close = difflib.get_close_matches(operation, sorted(names), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ValueError(f"no generated operation is named {operation!r}{hint}")
        return frozenset(_key(op) for op in found)

    def _targets(self, keys: frozenset[tuple[str, str]] | None) -> list[OperationInfo]:
        return [op for op in self.operations if keys is None or _key(op) in keys]

    def _add(self, rule: Rule) -> Rule:
        rule._owner = self
        with self._lock:
            self._rules.append(rule)
        return rule

    def _remove(self, rule: Rule) -> None:
        with self._lock:
            if rule in self._rules:
                self._rules.remove(rule)

    def respond(
        self,
        operation: OperationRef,
        response: object,
        *,
        times: int | None = None,
        validate: bool = True,
    ) -> Rule:
        """Answer `operation` with `response`: an instance of its output type; its result (a
        `Receipt`, a list of elements: put in the output wrapper); raw XML (`bytes`/`str`: a
        body element, wrapped in the binding's envelope, or a whole envelope, sent as it is);
        a `Fault`; or a callable taking the typed request and returning any of these (`None`:
        the default answer). `times`: only that many calls. With `validate`, a typed or XML
        answer must be the operation's output element and valid against its schema."""
        keys = self.resolve(operation)
        value: Any = response
        if isinstance(response, str | bytes):
            value = self._raw(response, keys if validate else None)
        elif (
            validate
            and keys is not None
            and not callable(response)
            and not isinstance(response, Fault)
        ):
            for target in self._targets(keys):
                self._check_answer(target, response)
        return self._add(Rule("respond", keys, value, times))

    def fault(
        self,
        operation: OperationRef,
        error_id: int,
        message: str | None = None,
        *,
        times: int | None = None,
        localized_message: str | None = None,
        extended_message: str | None = None,
    ) -> Rule:
        """Answer `operation` with an AltinnFault of `error_id` (message: Altinn's text for it,
        when known); the client raises the exception class registered for the ErrorID."""
        options: dict[str, Any] = {"localized_message": localized_message}
        if extended_message is not None:
            options["extended_message"] = extended_message
        return self.respond(operation, Fault(error_id, message, **options), times=times)

    def http_error(
        self,
        operation: OperationRef,
        status: int,
        *,
        body: bytes | str = b"",
        content_type: str | None = "text/html; charset=utf-8",
        times: int | None = None,
    ) -> Rule:
        """Answer `operation` with a bare HTTP error (a proxy's 502/503, a 429 ...)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        value = _HttpError(status, data, content_type if data else None)
        return self._add(Rule("http", self.resolve(operation), value, times))

    def delay(self, operation: OperationRef, seconds: float, *, times: int | None = None) -> Rule:
        """Wait `seconds` before answering `operation` (to test timeouts)."""
        return self._add(Rule("delay", self.resolve(operation), float(seconds), times))

    def reset(self) -> None:
        """Forget rules, calls, internal errors and the scenario's state."""
        with self._lock:
            self._rules.clear()
            self._calls.clear()
            self._errors.clear()
        self.scenario.reset()

    def _raw(self, data: str | bytes, keys: frozenset[tuple[str, str]] | None) -> _Raw:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        try:
            root = parse_xml(raw)
            envelope = read_envelope(root, raw) if str(root.tag) in ENVELOPE_VERSIONS else None
        except ProtocolError as exc:
            raise ValueError(f"not an answer: {exc}") from None
        if envelope is not None:
            for target in self._targets(keys) if keys is not None else ():
                if envelope.version is not target.soap_version:
                    raise ValueError(
                        f"{target.label} answers in SOAP {target.soap_version.value}, not "
                        f"{envelope.version.value}"
                    )
                if envelope.body is not None and not envelope.fault:
                    self._check_element(target, envelope.body)
            return _Raw(raw, True)
        for target in self._targets(keys) if keys is not None else ():
            self._check_element(target, root)
        return _Raw(raw, False)

    def _check_answer(self, operation: OperationInfo, value: object) -> etree._Element:
        try:
            element = to_element(wrap_result(operation, value))
        except Exception as exc:  # not a type of this operation, or not serializable
            raise ValueError(f"{operation.label} cannot answer with {value!r:.80}: {exc}") from None
        self._check_element(operation, element)
        return element

    def _check_element(self, operation: OperationInfo, element: etree._Element) -> None:
        expected = qname_of(operation.output) if operation.output is not None else None
        if element.tag != expected:
            raise ValueError(f"{operation.label} answers with {expected}, not {element.tag!s}")
        problems = violations(element)
        if problems:
            raise ValueError(
                f"{operation.label}: the answer violates the schema: "
                + "; ".join(str(problem) for problem in problems[:3])
            )

    # -- records ---------------------------------------------------------------------------

    @property
    def calls(self) -> tuple[Call, ...]:
        """Every exchange so far, oldest first."""
        with self._lock:
            return tuple(self._calls)

    def calls_to(self, operation: OperationRef) -> list[Call]:
        keys = self.resolve(operation)
        return [
            call
            for call in self.calls
            if call.info is not None and (keys is None or _key(call.info) in keys)
        ]

    @property
    def last_call(self) -> Call | None:
        with self._lock:
            return self._calls[-1] if self._calls else None

    @property
    def errors(self) -> tuple[str, ...]:
        """Failures of the mock itself (bugs, or a responder that raised): each answered with a
        `s:Receiver` fault and logged."""
        with self._lock:
            return tuple(self._errors)

    def check(self) -> None:
        """Raise AssertionError if the mock failed while answering (see `errors`)."""
        errors = self.errors
        if errors:
            raise AssertionError("the Altinn mock failed:\n" + "\n".join(errors))

    # -- serving ---------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """Answer one HTTP request (the server calls this; so can a test, without HTTP)."""
        lowered = {name.lower(): value for name, value in headers.items()}
        draft = _Draft(
            method.upper(),
            urlsplit(target).path,
            {
                name: (MASK if name.lower() in SECRET_HTTP_HEADERS else value)
                for name, value in headers.items()
            },
            time.monotonic(),
            self.clock(),
        )
        try:
            reply = self._process(draft, lowered, body)
        except Exception as exc:  # the mock's own failure: no stack trace on the wire
            what = self.redactor.text(f"{type(exc).__name__}: {exc}")
            logger.error(
                "altinn2 mock: %s %s failed:\n%s",
                draft.method,
                draft.path,
                self.redactor.text(traceback.format_exc()),
            )
            label = draft.operation.label if draft.operation else draft.path
            with self._lock:
                self._errors.append(f"{label}: {what}")
            draft.reason = what
            version = draft.operation.soap_version if draft.operation else SoapVersion.SOAP11
            reply = Reply(
                500,
                soap_fault(version, "Receiver", f"The Altinn mock failed: {what}"),
                CONTENT_TYPES[version],
                outcome="mock error",
            )
        self._record(draft, reply)
        return reply

    def _record(self, draft: _Draft, reply: Reply) -> None:
        op = draft.operation
        call = Call(
            method=draft.method,
            path=draft.path,
            operation=op.name if op else None,
            service=op.service if op else None,
            binding=op.binding if op else None,
            action=draft.action,
            headers=httpx.Headers(draft.headers),
            request=draft.request,
            soap_headers=draft.soap_headers,
            status=reply.status,
            fault=None if reply.outcome == "ok" else reply.outcome,
            reason=self.redactor.text(draft.reason) if draft.reason else None,
            envelope=draft.envelope,
            received=draft.received,
            duration=time.monotonic() - draft.started,
            info=op,
        )
        with self._lock:
            self._calls.append(call)
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

    def _process(self, draft: _Draft, headers: Mapping[str, str], body: bytes) -> Reply:
        endpoint = self.endpoints.get(draft.path.lower())
        if endpoint is None:
            draft.reason = "no generated endpoint has this path"
            return http_error(404, f"No Altinn endpoint at {draft.path}")
        if draft.method != "POST":
            draft.reason = "SOAP endpoints take POST only (the mock has no help page or WSDL)"
            return http_error(
                405, "Method not allowed: SOAP messages are POSTed", headers={"Allow": "POST"}
            )
        version = endpoint.version
        content_type = headers.get("content-type", "")
        media, parameters = _content_type(content_type)
        expected = CONTENT_TYPES[version]
        if media != expected.split(";")[0] or parameters.get("charset", "utf-8") not in (
            "utf-8",
            "utf8",
        ):
            draft.reason = (
                "MTOM (multipart/related) is not implemented by the mock yet"
                if media == "multipart/related"
                else f"{endpoint.binding.value} is SOAP {version.value}: {expected}"
            )
            return http_error(
                415, CONTENT_TYPE_MISMATCH.format(got=content_type, expected=expected)
            )
        http_action = (
            headers.get("soapaction", "").strip().strip('"')
            if version is SoapVersion.SOAP11
            else parameters.get("action")
        )
        draft.action = http_action
        guess = endpoint.operations.get(http_action or "")
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            draft.operation = guess
            draft.reason = "the body is not UTF-8"
            byte = body[exc.start]
            return self._altinn(
                version,
                Fault(
                    0,
                    f"An error occured: Unable to translate bytes [{byte:02X}] at index "
                    f"{exc.start} from specified code page to Unicode.",
                ),
                guess,
                None,
            )
        draft.envelope = self.redactor.bytes(body, 100_000)
        try:
            root = parse_xml(body, max_bytes=self.max_request_bytes)
        except ProtocolError as exc:
            draft.reason = str(exc)
            return http_error(400, "Bad Request: the message is not well-formed XML")
        got = ENVELOPE_VERSIONS.get(str(root.tag))
        if got is None:
            draft.reason = f"the root element is {root.tag!s}, not a SOAP envelope"
            return http_error(400, "Bad Request: not a SOAP envelope")
        if got is not version:
            draft.reason = f"a SOAP {got.value} envelope on a SOAP {version.value} endpoint"
            return version_mismatch(version, got)
        try:
            envelope = read_envelope(root)
        except ProtocolError as exc:
            draft.reason = str(exc)
            return http_error(400, "Bad Request: the envelope has no Body")
        header_map: dict[str, etree._Element] = {}
        for header in envelope.headers:
            header_map.setdefault(str(header.tag), header)

        if endpoint.security is Security.SECURE_CONVERSATION:
            draft.reason = (
                "EC endpoints need a WS-SecureConversation token (enterprise certificate), "
                "which the mock does not issue"
            )
            return invalid_security(version)
        if endpoint.security is Security.USERNAME_TOKEN:
            problem = self._security_problem(header_map.get(f"{{{WSSE}}}Security"))
            if problem:
                draft.reason = problem
                return invalid_security(version)

        message_id: str | None = None
        if endpoint.addressing:
            action = _text(header_map.get(f"{{{WSA}}}Action"))
            if not action:
                draft.reason = "no WS-Addressing Action header"
                return wcf_fault(
                    version,
                    "MessageAddressingHeaderRequired",
                    HEADER_REQUIRED.format(name="Action"),
                    addressing=True,
                )
            draft.action = action
            if http_action and http_action != action:
                draft.reason = "the content type's action differs from the Action header"
                return wcf_fault(
                    version,
                    "ActionMismatch",
                    ACTION_MISMATCH.format(action=action, http_action=http_action),
                    addressing=True,
                )
            to = _text(header_map.get(f"{{{WSA}}}To")) or WSA_ANONYMOUS
            if urlsplit(to).path.lower() != endpoint.path.lower():
                draft.reason = f"To is not this endpoint ({endpoint.path})"
                return wcf_fault(
                    version,
                    "DestinationUnreachable",
                    ADDRESS_FILTER_MISMATCH.format(to=to),
                    addressing=True,
                )
            message_id = _text(header_map.get(f"{{{WSA}}}MessageID"))
        else:
            action = http_action or ""
        operation = endpoint.operations.get(action)
        if operation is None:
            draft.reason = f"no operation of {endpoint.path} has this action"
            return action_not_supported(version, action, endpoint.addressing)
        draft.operation = operation

        understood = endpoint.understood | {qname_of(cls) for cls in operation.input_headers}
        for header in envelope.headers:
            if _must_understand(header, version) and str(header.tag) not in understood:
                draft.reason = f"mustUnderstand header {header.tag!s} is not part of the binding"
                return must_understand_fault(version, header)
        if operation.mtom:
            draft.reason = "streamed (MTOM) operations are not implemented by the mock yet"
            return Reply(
                500,
                soap_fault(
                    version,
                    "Receiver",
                    f"{operation.name} is a streamed (MTOM) operation, which the Altinn mock "
                    "does not implement yet",
                ),
                CONTENT_TYPES[version],
                outcome="not implemented",
            )

        read = self._read_body(draft, operation, envelope.body, envelope.headers)
        if isinstance(read, Fault):
            return self._altinn(version, read, operation, message_id)
        request, soap_headers = read
        draft.request = _masked(request)  # the record never holds a secret
        draft.soap_headers = tuple(_masked(header) for header in soap_headers)
        problem = self._credential_problem(operation, request)
        if problem is not None:
            draft.reason = problem
            return self._altinn(version, Fault(989), operation, message_id)
        return self._answer(draft, operation, request, message_id)

    def _read_body(
        self,
        draft: _Draft,
        operation: OperationInfo,
        body: etree._Element | None,
        headers: Sequence[etree._Element],
    ) -> tuple[Any, tuple[Any, ...]] | Fault:
        """The typed body and SOAP header parts, or the AltinnFault WCF's formatter causes."""
        expected = etree.QName(qname_of(operation.input))
        if body is None or body.tag != expected.text:
            found = etree.QName(body) if body is not None else None
            draft.reason = f"the body is not {expected.text}"
            inner = (
                f"Error in deserializing body of request message for operation "
                f"'{operation.name}'. OperationFormatter encountered an invalid Message body. "
                f"Expected to find node type 'Element' with name '{expected.localname}' and "
                f"namespace '{expected.namespace}'. Found node type "
                + (
                    f"'Element' with name '{found.localname}' and namespace '{found.namespace}'"
                    if found is not None
                    else "'EndElement' with name 'Body'"
                )
            )
            return Fault(0, localized_message=f"An error occured: {inner}")
        problems = violations(body)
        if problems:
            draft.reason = "schema: " + "; ".join(str(problem) for problem in problems[:3])
            return deserialization_fault(_parameter(body, problems[0]), problems[0].message)
        wanted = {qname_of(cls): cls for cls in operation.input_headers}
        try:
            request = from_element(body, operation.input)
            soap_headers = tuple(
                from_element(header, wanted[str(header.tag)])
                for header in headers
                if str(header.tag) in wanted
            )
        except AltinnError as exc:
            draft.reason = str(exc)
            return deserialization_fault(f"{expected.namespace}:{expected.localname}", str(exc))
        return request, soap_headers

    def _security_problem(self, security: etree._Element | None) -> str | None:
        """Why WCF would refuse the WS binding's security header (None: it is fine)."""
        if security is None:
            return "no wsse:Security header"
        now = self.clock()
        stamp = security.find(f"{{{WSU}}}Timestamp")
        if stamp is None:
            return "no wsu:Timestamp in the Security header"
        created = _wsu_time(stamp.find(f"{{{WSU}}}Created"))
        expires = _wsu_time(stamp.find(f"{{{WSU}}}Expires"))
        if created is None:
            return "the Timestamp has no valid Created"
        if created > now + MAX_CLOCK_SKEW:
            return "the Timestamp was created in the future"
        if expires is not None and expires < now - MAX_CLOCK_SKEW:
            return "the Timestamp has expired"
        if now - created > TIMESTAMP_VALIDITY + MAX_CLOCK_SKEW:
            return "the Timestamp is stale"
        token = security.find(f"{{{WSSE}}}UsernameToken")
        if token is None:
            return "no UsernameToken in the Security header"
        password = token.find(f"{{{WSSE}}}Password")
        if password is not None and not password.get("Type", PASSWORD_TEXT_SUFFIX).endswith(
            PASSWORD_TEXT_SUFFIX
        ):
            return "the UsernameToken password is not PasswordText"
        token_created = token.find(f"{{{WSU}}}Created")
        if token_created is not None:
            moment = _wsu_time(token_created)
            if moment is None or moment > now + MAX_CLOCK_SKEW:
                return "the UsernameToken's Created is not valid"
        if (
            _text(token.find(f"{{{WSSE}}}Username")) != self.system.user_name
            or _text(password) != self.system.password.reveal()
        ):
            return "wrong system user name or password in the UsernameToken"
        return None

    def _credential_problem(self, operation: OperationInfo, request: Any) -> str | None:
        """Why Altinn would answer 989 to these body credentials (None: they are fine)."""
        values = {
            kind: getattr(request, name, None) for name, kind in operation.credentials.items()
        }
        system = Credential.SYSTEM_USER_NAME in values or Credential.SYSTEM_PASSWORD in values
        if system and (
            values.get(Credential.SYSTEM_USER_NAME) != self.system.user_name
            or values.get(Credential.SYSTEM_PASSWORD) != self.system.password.reveal()
        ):
            return "wrong systemUserName or systemPassword"
        challenge = getattr(request, "challenge_request", None)
        system_user = getattr(challenge, "system_user_name", None)
        if system_user and system_user != self.system.user_name:
            return "wrong SystemUserName in the challenge request"
        ssn = values.get(Credential.USER_SSN) or ""
        if not ssn:
            if values.get(Credential.USER_PASSWORD) or values.get(Credential.USER_PIN_CODE):
                return "a user password or pin code without userSSN"
            return None
        user = next((user for user in self.users if user.ssn.reveal() == ssn), None)
        if user is None:
            return "unknown userSSN"
        if values.get(Credential.USER_PASSWORD) != user.password.reveal():
            return "wrong userPassword"
        if user.pin_code is not None:
            if values.get(Credential.USER_PIN_CODE) != user.pin_code.reveal():
                return "wrong or missing userPinCode"
            if values.get(Credential.AUTH_METHOD) not in AUTH_METHODS:
                return "authMethod is not AltinnPin or SMSPin"
        return None

    def _altinn(
        self,
        version: SoapVersion,
        fault: Fault,
        operation: OperationInfo | None,
        message_id: str | None,
    ) -> Reply:
        return altinn_fault(version, fault, operation=operation, relates_to=message_id)

    def _rules_for(self, operation: OperationInfo) -> tuple[Rule | None, Rule | None]:
        """The last matching delay and answer rules, each counted as used."""
        with self._lock:
            delay = next(
                (r for r in reversed(self._rules) if r.kind == "delay" and r.matches(operation)),
                None,
            )
            answer = next(
                (r for r in reversed(self._rules) if r.kind != "delay" and r.matches(operation)),
                None,
            )
            for rule in (delay, answer):
                if rule is not None:
                    rule.hits += 1
                    if rule.exhausted:
                        self._rules.remove(rule)
        return delay, answer

    def _answer(
        self, draft: _Draft, operation: OperationInfo, request: Any, message_id: str | None
    ) -> Reply:
        version = operation.soap_version
        delay, rule = self._rules_for(operation)
        if delay is not None:
            self._stopping.wait(float(delay.value))
        value: Any = None
        if rule is not None:
            value = rule.value
            if isinstance(value, _HttpError):
                draft.reason = "injected HTTP error"
                return Reply(
                    value.status, value.body, value.content_type, outcome=f"HTTP {value.status}"
                )
            if callable(value) and not isinstance(value, Fault | _Raw):
                try:
                    value = value(request)
                except Fault as fault:
                    value = fault
        elif self.stateful:
            try:
                value = self.scenario.handle(operation, request)
            except Fault as fault:
                value = fault
            if value is NOT_HANDLED:
                value = None
        if isinstance(value, Fault):
            draft.reason = draft.reason or ("injected" if rule is not None else "scenario")
            return self._altinn(version, value, operation, message_id)
        if isinstance(value, _Raw):
            if value.envelope:
                is_fault = b"Fault" in value.data and _is_fault(value.data)
                return Reply(
                    500 if is_fault else 200,
                    value.data,
                    CONTENT_TYPES[version],
                    outcome="registered fault" if is_fault else "ok",
                )
            element = parse_xml(value.data)
        else:
            if value is None:
                if operation.output is None:
                    return Reply(202)
                value = example(operation.output, full=self.defaults == "full")
            element = to_element(wrap_result(operation, value))
            if self.validate_responses:
                self._check_element(operation, element)
        return Reply(200, self._envelope(operation, element, message_id), CONTENT_TYPES[version])

    def _envelope(
        self, operation: OperationInfo, body: etree._Element, message_id: str | None
    ) -> bytes:
        version = operation.soap_version
        headers: list[etree._Element] = []
        if operation.addressing:
            headers = addressing_reply_headers(
                version, operation.reply_action or f"{operation.action}Response", message_id
            )
        if operation.security is Security.USERNAME_TOKEN:
            security = etree.Element(f"{{{WSSE}}}Security", nsmap={"o": WSSE})
            security.set(f"{{{ENVELOPE_NS[version]}}}mustUnderstand", "1")
            security.append(timestamp(self.clock()))
            headers.append(security)
        return build_envelope(version, headers, [body])


# -- helpers ---------------------------------------------------------------------------------


def _content_type(value: str) -> tuple[str, dict[str, str]]:
    media, _, rest = value.partition(";")
    parameters: dict[str, str] = {}
    for part in rest.split(";"):
        name, _, text = part.partition("=")
        if name.strip():
            parameters[name.strip().lower()] = text.strip().strip('"')
    if "charset" in parameters:
        parameters["charset"] = parameters["charset"].lower()
    return media.strip().lower(), parameters


def _must_understand(header: etree._Element, version: SoapVersion) -> bool:
    value = header.get(f"{{{ENVELOPE_NS[version]}}}mustUnderstand", "")
    return value.strip().lower() in ("1", "true")


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return "".join(element.itertext()).strip()


def _wsu_time(element: etree._Element | None) -> dt.datetime | None:
    text = _text(element)
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _is_fault(data: bytes) -> bool:
    envelope = read_envelope(parse_xml(data), data)
    return envelope.fault


def _parameter(body: etree._Element, problem: SchemaViolation) -> str:
    """The operation parameter (a child of the body wrapper) a schema error is in, as WCF names
    it (`namespace:name`), else the wrapper itself."""
    steps = [step for step in problem.path.split("/") if step]
    if len(steps) >= 2:
        name = steps[1].split("[")[0]
        local = name.rpartition(":")[2]
        for child in body:
            if isinstance(child.tag, str) and etree.QName(child).localname == local:
                qname = etree.QName(child)
                return f"{qname.namespace}:{qname.localname}"
    qname = etree.QName(body)
    return f"{qname.namespace}:{qname.localname}"


def _masked(value: Any) -> Any:
    """A copy of a typed object with every credential field (as the runtime's Redactor names
    them: password, pin code, national id, nonce) replaced by `***`."""
    if value is None:
        return None
    clone = copy.deepcopy(value)
    _mask(clone)
    return clone


def _mask(value: Any) -> None:
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return
    for var in CONTEXT.build(type(value)).get_all_vars():
        item = getattr(value, var.name, None)
        if isinstance(item, str) and (var.local_name or "").lower() in SECRET_ELEMENTS:
            setattr(value, var.name, MASK)
        elif isinstance(item, list):
            for member in item:
                _mask(member)
        else:
            _mask(item)
