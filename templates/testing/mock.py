"""`MockAltinn`: an offline Altinn 2 on loopback HTTP, built from the generated operations.

It serves every generated endpoint path (Basic, WS, EC and EC2; `altinn2.testing.endpoints`),
over HTTPS when given a certificate, and runs each request through the checks Altinn's WCF
services make (`altinn2.testing.checks`: path, method, content type, envelope, WS-Security,
WS-Addressing, action, mustUnderstand, schema, credentials; on EC and EC2 first the security
context, issued and checked by `altinn2.testing.security`), answering a bad one as WCF or Altinn
would.

Then the answer: the last matching rule a test registered (`respond`, `fault`, `http_error`;
`delay` waits first; `altinn2.testing.rules`), else the stateful scenario (`stateful=True`;
`altinn2.testing.scenario`), else a schema-valid default (`example()` of the output type, minimal
or full; `altinn2.testing.answers`). Every exchange is recorded as a `Call`, with secrets masked
(`altinn2.testing.records`).

GET (or any method but POST) on an endpoint is refused with 405: WCF would show its help page or
the WSDL (`?wsdl`), and the mock ships neither, so a client that GETs learns at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import shutil
import ssl
import tempfile
import threading
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Literal

import httpx
from lxml import etree

from altinn2.runtime.credentials import EnterpriseCredentials, SystemCredentials, UserCredentials
from altinn2.runtime.envelope import Envelope
from altinn2.runtime.errors import ProtocolError
from altinn2.runtime.masking import masked
from altinn2.runtime.operation import Binding, OperationInfo, Security, SoapVersion
from altinn2.runtime.registry import operation_index
from altinn2.runtime.retry import RetryPolicy
from altinn2.runtime.secrets import Redactor
from altinn2.runtime.transport.mtom import include_binary, is_mtom, streamed_field
from altinn2.runtime.urls import is_loopback
from altinn2.runtime.wsheaders import WSA, Clock, utc_now
from altinn2.testing import answers, checks
from altinn2.testing.answers import HttpError, Raw
from altinn2.testing.checks import AUTH_METHODS, PASSWORD_TEXT_SUFFIX, Answered, Refused
from altinn2.testing.endpoints import Endpoint, endpoints
from altinn2.testing.faults import (
    CONTENT_TYPES,
    Fault,
    Reply,
    altinn_fault,
    http_error,
    soap_fault,
)
from altinn2.testing.mtom import (
    Attachment,
    answer,
    inner_content_type,
    without_includes,
)
from altinn2.testing.records import SECRET_HTTP_HEADERS, Call, Draft, log_call
from altinn2.testing.rules import OperationRef, Rule, Rules, covers, resolve, selected
from altinn2.testing.scenario import NOT_HANDLED, Scenario, Transfer
from altinn2.testing.security import ConversationService, Rejected, TrustAnchors, Verified
from altinn2.testing.security.service import Answer
from altinn2.testing.security.timestamps import MAX_CLOCK_SKEW, TIMESTAMP_VALIDITY
from altinn2.testing.server import MockServer, server_tls

if TYPE_CHECKING:
    from altinn2.client import AsyncClient, Client

logger = logging.getLogger("altinn2.testing")

DEFAULT_SYSTEM = SystemCredentials("10000", "mock-system-password")
DEFAULT_ENTERPRISE = EnterpriseCredentials("mock-enterprise-user", "mock-enterprise-password")
DEFAULT_USER = UserCredentials(
    "01017012345", "mock-user-password", pin_code="12345", auth_method="AltinnPin"
)
DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024
FAST_RETRY = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.05)

Defaults = Literal["minimal", "full"]

# What `from altinn2.testing.mock import ...` has always offered, wherever it now lives.
__all__ = [
    "AUTH_METHODS",
    "DEFAULT_ENTERPRISE",
    "DEFAULT_MAX_REQUEST_BYTES",
    "DEFAULT_SYSTEM",
    "DEFAULT_USER",
    "FAST_RETRY",
    "MAX_CLOCK_SKEW",
    "PASSWORD_TEXT_SUFFIX",
    "SECRET_HTTP_HEADERS",
    "TIMESTAMP_VALIDITY",
    "Call",
    "Clock",
    "Defaults",
    "Endpoint",
    "MockAltinn",
    "OperationRef",
    "Rule",
    "endpoints",
]


class _Use(enum.Enum):
    DEFAULT = "default"


class MockAltinn:
    """An offline Altinn 2 for tests and apps, on `http://<host>:<port>` (loopback only), or
    `https://` with `tls_cert` (a PEM certificate, its chain after it, and `tls_key`, its key,
    unless the file holds it too).

    Use it in a `with` block (or `start()`/`stop()`), point a client at `url` with the
    credentials it accepts (`system`, `users`, EC's `enterprise` user), or let it make one:
    `client()`,
    `async_client()`. `respond`, `fault`, `http_error` and `delay` change its answers; `calls`
    records every exchange; `scenario` is the state of the stateful mode.

    EC and EC2: `conversations` issues security contexts to enterprise certificates that a CA of
    `ca` (PEM file(s) or a `TrustAnchors`) issued, and checks every message under them
    (`altinn2.testing.security`); `token_lifetime` (default: WCF's, 15 hours on EC, 10 on EC2)
    lets a test see renewal and expiry quickly; `signature_confirmation` makes answers confirm
    the request's signature (WCF's transport bindings do not).

    A streamed upload's record holds its size and SHA-256; `upload_digests=False` leaves the
    SHA-256 out (None), which spares the hashing of large files (the MTOM benchmark does).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        system: SystemCredentials = DEFAULT_SYSTEM,
        users: Sequence[UserCredentials] = (DEFAULT_USER,),
        enterprise: EnterpriseCredentials = DEFAULT_ENTERPRISE,
        stateful: bool = False,
        defaults: Defaults = "minimal",
        clock: Clock = utc_now,
        max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
        validate_responses: bool = True,
        tls_cert: str | Path | None = None,
        tls_key: str | Path | None = None,
        ca: str | Path | Sequence[str | Path] | TrustAnchors | None = None,
        token_lifetime: dt.timedelta | None = None,
        signature_confirmation: bool = False,
        upload_digests: bool = True,
    ) -> None:
        if not is_loopback(host):
            raise ValueError(f"the mock listens on loopback addresses only, not {host!r}")
        if defaults not in ("minimal", "full"):
            raise ValueError("defaults is 'minimal' or 'full'")
        self.host = host
        self.port = port
        self.system = system
        self.users = list(users)
        self.enterprise = enterprise
        self.stateful = stateful
        self.defaults: Defaults = defaults
        self.clock = clock
        self.max_request_bytes = max_request_bytes
        self.validate_responses = validate_responses
        self.upload_digests = upload_digests
        self.operations = operation_index().operations
        self.endpoints = endpoints(self.operations)
        self.scenario = Scenario(clock, self.users)
        self.redactor = Redactor(self._secret_values())
        self.tls_cert = Path(tls_cert) if tls_cert is not None else None
        self.tls_key = Path(tls_key) if tls_key is not None else None
        self._tls = server_tls(self.tls_cert, self.tls_key) if self.tls_cert else None
        self.conversations = ConversationService(
            _anchors(ca),
            clock=clock,
            token_lifetime=token_lifetime,
            signature_confirmation=signature_confirmation,
        )
        self._lock = threading.Lock()  # calls and errors
        self._rules = Rules()
        self._calls: list[Call] = []
        self._errors: list[str] = []
        self._clients: list[Client] = []
        self._stopping = threading.Event()
        self._server: MockServer | None = None
        self._thread: threading.Thread | None = None
        self._uploads: Path | None = None  # streamed uploads, on disk (see `upload_folder`)

    def __repr__(self) -> str:
        state = "running" if self._server is not None else "stopped"
        return f"MockAltinn({self.url if self._server else self.host!r}, {state})"

    def _secret_values(self) -> list[str]:
        values = [self.system.password.reveal(), self.enterprise.password.reveal()]
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
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://{host}:{self._server.server_address[1]}"

    def verify(self) -> ssl.SSLContext | bool:
        """What a client gives as `verify=` to trust this mock's TLS certificate (False on
        plain HTTP: no TLS context to build)."""
        if self.tls_cert is None:
            return False
        context = ssl.create_default_context(cafile=str(self.tls_cert))
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # the server's own certificate
        return context

    def bind(self) -> MockAltinn:
        """Open the listening socket (the port is known from here on) without serving yet."""
        if self._server is None:
            self._stopping.clear()
            self._server = MockServer((self.host, self.port), self, self._tls)
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
        uploads, self._uploads = self._uploads, None
        if uploads is not None:
            shutil.rmtree(uploads, ignore_errors=True)

    def upload_folder(self) -> Path:
        """Where streamed uploads are spooled: a temporary folder of this mock, removed when
        it stops (files the stateful scenario keeps for a download live there too)."""
        with self._lock:
            if self._uploads is None:
                self._uploads = Path(tempfile.mkdtemp(prefix="altinn2-mock-"))
            return self._uploads

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
            "enterprise": self.enterprise,
            "retry": FAST_RETRY,
            "timeout": 10.0,
            "verify": self.verify(),  # plain HTTP: False, no TLS context to build (80 ms each)
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
        return resolve(operation, self.operations)

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
        a `Fault`; or a callable taking the typed request and returning any of these, or `None`
        to pass the call on to the stateful scenario (else the default answer), which lets a
        responder watch or answer some requests only. A streamed download's output with bytes
        in its streamed field sends them as the binary part. `times`: only that many calls. With
        `validate`, a typed or XML answer must be the operation's output element and valid
        against its schema."""
        keys = self.resolve(operation)
        checked = selected(self.operations, keys) if validate and keys is not None else []
        value: Any = response
        if isinstance(response, str | bytes):
            value = answers.raw_answer(response, checked)
        elif not callable(response) and not isinstance(response, Fault):
            for target in checked:
                answers.check_answer(target, response)
        return self._rules.add(Rule("respond", keys, value, times))

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
        value = HttpError(status, data, content_type if data else None)
        return self._rules.add(Rule("http", self.resolve(operation), value, times))

    def delay(self, operation: OperationRef, seconds: float, *, times: int | None = None) -> Rule:
        """Wait `seconds` before answering `operation` (to test timeouts)."""
        return self._rules.add(Rule("delay", self.resolve(operation), float(seconds), times))

    def reset(self) -> None:
        """Forget rules, calls, internal errors and the scenario's state."""
        self._rules.clear()
        with self._lock:
            self._calls.clear()
            self._errors.clear()
        self.scenario.reset()

    # -- records ---------------------------------------------------------------------------

    @property
    def calls(self) -> tuple[Call, ...]:
        """Every exchange so far, oldest first."""
        with self._lock:
            return tuple(self._calls)

    def calls_to(self, operation: OperationRef) -> list[Call]:
        keys = self.resolve(operation)
        return [call for call in self.calls if call.info is not None and covers(keys, call.info)]

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

    def handle(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
        attachment: Attachment | None = None,
        root: etree._Element | None = None,
    ) -> Reply:
        """Answer one HTTP request (the server calls this; so can a test, without HTTP). A
        streamed (MTOM) request comes as its envelope part, its file, spooled to disk, and the
        envelope part's tree when `testing.mtom.receive` parsed it (parsed here otherwise);
        `root` with any other content type is a ValueError (the checks would read the tree
        while the record keeps `body`)."""
        lowered = {name.lower(): value for name, value in headers.items()}
        if root is not None and not is_mtom(lowered.get("content-type", "")):
            if attachment is not None:
                attachment.path.unlink(missing_ok=True)
            raise ValueError(
                "MockAltinn.handle: `root` is only for a streamed (MTOM) request, not for "
                f"content type {lowered.get('content-type', '(none)')!r}"
            )
        draft = Draft.begin(method, target, headers, self.clock())
        streamed = _Streamed(is_mtom(lowered.get("content-type", "")), attachment)
        if attachment is not None:
            draft.attachment = (attachment.size, attachment.sha256)
        try:
            if streamed.mtom:
                lowered["content-type"] = inner_content_type(lowered["content-type"])
            reply = self._process(draft, lowered, body, root, streamed, attachment)
        except Exception as exc:  # the mock's own failure: no stack trace on the wire
            reply = self._failed(draft, exc)
        finally:
            if attachment is not None and not streamed.kept:
                attachment.path.unlink(missing_ok=True)
        call = draft.finish(reply, self.redactor)
        with self._lock:
            self._calls.append(call)
        log_call(call)
        return reply

    def _failed(self, draft: Draft, exc: Exception) -> Reply:
        """The `s:Receiver` fault for a failure of the mock itself, logged and kept in `errors`."""
        what = self.redactor.text(f"{type(exc).__name__}: {exc}")
        logger.error(
            "altinn2 mock: %s %s failed:\n%s",
            draft.method,
            draft.path,
            self.redactor.text("".join(traceback.format_exception(exc))),
        )
        label = draft.operation.label if draft.operation else draft.path
        with self._lock:
            self._errors.append(f"{label}: {what}")
        draft.reason = what
        version = draft.operation.soap_version if draft.operation else SoapVersion.SOAP11
        return Reply(
            500,
            soap_fault(version, "Receiver", f"The Altinn mock failed: {what}"),
            CONTENT_TYPES[version],
            outcome="mock error",
        )

    def _process(
        self,
        draft: Draft,
        headers: Mapping[str, str],
        body: bytes,
        root: etree._Element | None,
        streamed: _Streamed,
        attachment: Attachment | None,
    ) -> Reply:
        """The answer to an accepted request, or the reply of the check that refused it."""
        try:
            operation, request, message_id = self._accept(
                draft, headers, body, root, streamed, attachment
            )
        except Refused as refused:
            draft.reason = refused.reason
            if refused.operation is not None:
                draft.operation = refused.operation
            return refused.reply
        reply = self._answer(draft, operation, request, message_id, streamed)
        return self._mtom_reply(operation, reply, streamed) if operation.mtom else reply

    def _accept(
        self,
        draft: Draft,
        headers: Mapping[str, str],
        body: bytes,
        root: etree._Element | None,
        streamed: _Streamed,
        attachment: Attachment | None,
    ) -> tuple[OperationInfo, Any, str | None]:
        """Run the checks in WCF's order, noting what they find in `draft`: the operation, its
        typed request and the WS-Addressing MessageID to relate the answer to; or `Refused`.
        `root` is `body` parsed already (a streamed request's), else the checks parse it."""
        if streamed.mtom:
            if root is None:
                root = _streamed_envelope(body, attachment, self.max_request_bytes)
            if root is not None:  # the envelope as the checks read it, for the record
                body = etree.tostring(root, encoding="utf-8")
        endpoint = checks.route(self.endpoints, draft.path, draft.method)
        version = endpoint.version
        draft.action = http_action = checks.http_action(endpoint, headers)
        checks.require_utf8(body, version, endpoint.operations.get(http_action or ""))
        draft.envelope = self.redactor.bytes(body, 100_000)
        parsed = body if root is None else root
        envelope = checks.soap_envelope(parsed, version, self.max_request_bytes)
        blocks = checks.headers_by_name(envelope)
        checks.require_security(endpoint, blocks, self.system, self.clock)
        message_id = checks.element_text(blocks.get(f"{{{WSA}}}MessageID"))
        if endpoint.security is Security.SECURE_CONVERSATION:
            # The security channel first, as in WCF: it answers issue and cancel itself.
            said = checks.element_text(blocks.get(f"{{{WSA}}}Action")) or ""
            draft.action = said or draft.action
            streamed.verified = self._conversation(endpoint, envelope, said, message_id)

        if endpoint.addressing:
            draft.action = action = checks.addressing_action(version, blocks)
            checks.require_addressed_here(endpoint, blocks, action, http_action)
        else:
            action, message_id = http_action or "", None
        draft.operation = operation = checks.operation_of(endpoint, action)
        checks.require_understood(endpoint, operation, envelope.headers)
        checks.require_encoding(version, operation, streamed.mtom)

        request, header_parts = checks.typed_request(version, operation, envelope, message_id)
        draft.request = masked(request, self.redactor)  # the record never holds a secret
        draft.soap_headers = tuple(masked(part, self.redactor) for part in header_parts)
        streamed.headers = _header_values(operation, header_parts)
        sent = _with_headers(request, streamed.headers)  # credentials may be header parts
        checks.require_credentials(
            version, operation, sent, message_id, self.system, self.users, self.enterprise
        )
        return operation, request, message_id

    def _conversation(
        self, endpoint: Endpoint, envelope: Envelope, action: str, message_id: str | None
    ) -> Verified:
        """An EC or EC2 message through the security service: a call's verified context; an
        issue or cancel is answered there (`Answered`), a refused message faults (`Refused`)."""
        policy = next(iter(endpoint.operations.values())).policy
        try:
            outcome = self.conversations.accept(endpoint.path, policy, envelope, action, message_id)
        except Rejected as rejected:
            raise Refused(rejected.reason, self.conversations.refusal(rejected, action)) from None
        if isinstance(outcome, Answer):
            raise Answered(outcome.reason, outcome.reply)
        return outcome

    def forget_contexts(self) -> None:
        """Forget every EC and EC2 security context issued so far, as a recycled WCF service
        does: their tokens now fault `BadContextToken` (a client issues a new one)."""
        self.conversations.forget()

    def _answer(
        self,
        draft: Draft,
        operation: OperationInfo,
        request: Any,
        message_id: str | None,
        streamed: _Streamed,
    ) -> Reply:
        """The last matching rule's answer (after the last matching delay), else the scenario's,
        else the default."""
        delay, rule = self._rules.take(operation)
        if delay is not None:
            self._stopping.wait(float(delay.value))
        if rule is not None and isinstance(rule.value, HttpError):
            draft.reason = "injected HTTP error"
            return rule.value.reply()
        value = self._answer_value(rule, operation, request, streamed)
        if operation.mtom and not isinstance(value, Fault):
            value = self._given_content(operation, value, streamed)
        if isinstance(value, Fault):
            draft.reason = "injected" if rule is not None else "scenario"
            return altinn_fault(
                operation.soap_version, value, operation=operation, relates_to=message_id
            )
        verified = streamed.verified
        return answers.reply(
            operation,
            value,
            message_id,
            full=self.defaults == "full",
            validate=self.validate_responses,
            clock=self.clock,
            security=self.conversations.response_security(verified) if verified else None,
        )

    def _answer_value(
        self, rule: Rule | None, operation: OperationInfo, request: Any, streamed: _Streamed
    ) -> Any:
        """The rule's value (a responder's, called with the request, unless it returns None),
        else the stateful scenario's, else None (the default); a `Fault` raised by either is the
        answer."""
        try:
            if rule is not None:
                value = rule.value
                if not callable(value) or isinstance(value, Fault | Raw):
                    return value
                value = value(request)
                if value is not None:
                    return value
                # A responder that returns None passes: the scenario (or the default) answers.
            if self.stateful:
                sent = _with_headers(request, streamed.headers)
                value = self.scenario.handle(operation, sent, streamed)
                return None if value is NOT_HANDLED else value
        except Fault as fault:
            return fault
        return None

    # -- streamed (MTOM) operations -----------------------------------------------------------

    def _given_content(self, operation: OperationInfo, value: Any, streamed: _Streamed) -> Any:
        """A download's answer given with its content (`respond()`, a responder): the content
        spooled to the mock's folder and sent as the binary part, the element left for its
        `xop:Include`."""
        output = operation.output
        found = streamed_field(output) if output is not None else None
        if output is None or found is None or not isinstance(value, output):
            return value
        content = getattr(value, found[0])
        if not content:
            return value
        handle, name = tempfile.mkstemp(dir=self.upload_folder(), suffix=".download")
        with open(handle, "wb") as file:
            file.write(content)
        streamed.content = Path(name)
        return dataclasses.replace(value, **{found[0]: b""})

    def _mtom_reply(self, operation: OperationInfo, reply: Reply, streamed: _Streamed) -> Reply:
        """A streamed operation's reply as WCF writes it: MTOM always, the result's content
        (a download's) as the binary part, read from disk as it is sent."""
        if not reply.body.lstrip().startswith(b"<"):
            return reply  # an HTTP error page
        envelope, content_id, file = reply.body, None, None
        found = streamed_field(operation.output) if operation.output is not None else None
        if found is not None and reply.status < 400:
            envelope, content_id = include_binary(envelope, found[1])
            file = streamed.content or self._empty_file()
        action = operation.reply_action or ""
        content_type, length, chunks = answer(
            envelope, operation.soap_version, action, file, content_id
        )
        return dataclasses.replace(reply, content_type=content_type, stream=(length, chunks))

    def _empty_file(self) -> Path:
        path = self.upload_folder() / "empty"
        path.touch()
        return path


class _Streamed(Transfer):
    """What a call carried beyond its envelope: MTOM or not, its file (`upload`, the only
    copy of its path), its SOAP header values (by parameter name); and what the answer streams
    back (`Transfer`)."""

    def __init__(self, mtom: bool, attachment: Attachment | None) -> None:
        super().__init__(attachment.path if attachment is not None else None)
        self.mtom = mtom
        self.headers: dict[str, Any] = {}
        self.verified: Verified | None = None  # EC, EC2: the call's security context


def _header_values(operation: OperationInfo, parts: Sequence[Any]) -> dict[str, Any]:
    """The value of each SOAP header part, by the method parameter it comes from."""
    values: dict[str, Any] = {}
    by_class = dict(zip(operation.input_headers, operation.header_parameters, strict=True))
    for part in parts:
        name = by_class.get(type(part))
        if name is not None:
            (value_field,) = dataclasses.fields(part)
            values[name] = getattr(part, value_field.name)
    return values


def _streamed_envelope(
    body: bytes, attachment: Attachment | None, max_bytes: int
) -> etree._Element | None:
    """A streamed request's envelope part, not read by `receive` (given to `handle` directly),
    as `receive` reads it: what it refuses is answered 400, as the server does."""
    try:
        return without_includes(body, attachment, max_bytes)
    except ProtocolError as exc:
        raise Refused(
            str(exc), http_error(400, f"Bad Request: unreadable MTOM body ({exc})")
        ) from None


def _with_headers(request: Any, headers: Mapping[str, Any]) -> Any:
    """The body's fields and the header values together (where credentials are looked up)."""
    if not headers:
        return request
    fields = {item.name: getattr(request, item.name) for item in dataclasses.fields(request)}
    return SimpleNamespace(**fields, **headers)


def _anchors(ca: str | Path | Sequence[str | Path] | TrustAnchors | None) -> TrustAnchors:
    """The CAs the mock trusts for enterprise certificates (none: every bootstrap refused)."""
    if ca is None:
        return TrustAnchors()
    if isinstance(ca, TrustAnchors):
        return ca
    return TrustAnchors.from_pem([ca] if isinstance(ca, str | Path) else ca)
