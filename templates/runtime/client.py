"""The client: configured once, it turns typed requests into SOAP calls and typed answers.

`Client` (sync) and `AsyncClient` share everything but the HTTP send: `prepare()` builds the
envelope for the operation's binding (SOAP 1.1 or 1.2, WS-Addressing, WS-Security) and `finish()`
reads the answer (faults raised as typed exceptions). Message security is a profile
(`altinn2.runtime.security.profile`) chosen from the operation's policy: body credentials,
UsernameToken or SecureConversation; the client only posts what the profile needs posted.
Reads are retried with backoff; submissions, updates, deletes and uploads are never resent once
they may have reached the server.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar
from urllib.parse import urlsplit

from lxml import etree

from altinn2.runtime.codec import LARGE_ANSWER_BYTES, from_element, qname_of, to_element
from altinn2.runtime.config import Verify, check_options
from altinn2.runtime.credentials import EnterpriseCredentials, SystemCredentials, UserCredentials
from altinn2.runtime.envelope import (
    DEFAULT_MAX_ELEMENTS,
    DEFAULT_MAX_RESPONSE_BYTES,
    Envelope,
    excerpt,
    parse_xml,
    raise_fault,
    read_envelope,
)
from altinn2.runtime.errors import (
    BadContextTokenError,
    BindingNotAvailableError,
    CertificateError,
    ConfigurationError,
    DeadlineExceededError,
    OutcomeUnknownError,
    ProtocolError,
    TransportError,
)
from altinn2.runtime.hooks import Hooks, RequestEvent, ResponseEvent, next_call_id
from altinn2.runtime.operation import Binding, Credential, OperationInfo, Security, SoapVersion
from altinn2.runtime.retry import DEFAULT_RETRY, NO_RETRY, RetryPolicy, not_sent
from altinn2.runtime.secrets import Redactor, SealedRequest, Secret
from altinn2.runtime.security.conversation import SecureConversation
from altinn2.runtime.security.profile import BODY_CREDENTIALS, SecurityProfile
from altinn2.runtime.security.username import UsernameToken
from altinn2.runtime.security.x509 import Certificate
from altinn2.runtime.urls import is_loopback, public_url

if TYPE_CHECKING:
    import httpx

    from altinn2.runtime.transport.download import AsyncDownload, Download, MtomResponseReader
    from altinn2.runtime.transport.mtom import MtomRequest, Progress, Source

# httpx (and ssl, socket) load with the first call, which makes the HTTP client: importing the
# package and making a `Client` does not need them. A function that names an httpx class at run
# time imports it (a dictionary look-up once loaded). So do the streamed (MTOM) calls' modules
# (`transport.mtom`, `transport.download`): a buffered call needs neither.

__all__ = ["NO_RETRY", "AsyncClient", "BaseClient", "Client", "PreparedCall", "RetryPolicy"]

T = TypeVar("T")

PERSON_CREDENTIALS = frozenset(
    {
        Credential.USER_SSN,
        Credential.USER_PASSWORD,
        Credential.USER_PIN_CODE,
        Credential.AUTH_METHOD,
    }
)
# Where the client keeps each credential: (its settings attribute, the field there).
CREDENTIAL_SOURCES: dict[Credential, tuple[str, str]] = {
    Credential.SYSTEM_USER_NAME: ("system", "user_name"),
    Credential.SYSTEM_PASSWORD: ("system", "password"),
    Credential.USER_SSN: ("user", "ssn"),
    Credential.USER_PASSWORD: ("user", "password"),
    Credential.USER_PIN_CODE: ("user", "pin_code"),
    Credential.AUTH_METHOD: ("user", "auth_method"),
    Credential.ENTERPRISE_USER_NAME: ("enterprise", "user_name"),
    Credential.ENTERPRISE_PASSWORD: ("enterprise", "password"),
}

USER_AGENT = "altinn2-python"
# Each network wait, when the client is given no `timeout` (None): 120 s, 15 s to connect.
DEFAULT_TIMEOUT_SECONDS = 120.0
DEFAULT_CONNECT_TIMEOUT_SECONDS = 15.0
# A call's overall budget: connecting, sending, reading and every retry together. The timeout
# above bounds each network wait; this bounds the call, however slowly a server trickles.
DEFAULT_DEADLINE = 300.0
# Gateway statuses: a proxy gave up waiting; the server behind it may have acted.
GATEWAY_STATUSES = frozenset({502, 504})
XML_CONTENT_TYPES = ("text/xml", "application/soap+xml", "application/xml")


@dataclass(frozen=True)
class PreparedCall:
    operation: OperationInfo
    url: str
    headers: dict[str, str]
    content: bytes = field(repr=False)  # the envelope carries credentials: never in a repr
    call_id: int = field(default_factory=next_call_id)  # pairs its request and response events
    # The security profile's check of the answer (a secure conversation's Timestamp).
    check: Callable[[Envelope], None] | None = field(default=None, repr=False, compare=False)


class BaseClient:
    """Configuration and the request/response work shared by `Client` and `AsyncClient`."""

    def __init__(
        self,
        *,
        environment: str | None = None,
        base_url: str | None = None,
        binding: Binding | str = Binding.BASIC,
        system: SystemCredentials | None = None,
        user: UserCredentials | None = None,
        enterprise: EnterpriseCredentials | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        hooks: Hooks | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_response_elements: int = DEFAULT_MAX_ELEMENTS,
        environments: Mapping[str, str] | None = None,
        deadline: float | None = DEFAULT_DEADLINE,
        certificate: Certificate | None = None,
    ) -> None:
        check_options(
            type(self).__name__,
            environment=environment,
            base_url=base_url,
            binding=binding,
            system=system,
            user=user,
            enterprise=enterprise,
            retry=retry,
            hooks=hooks,
            max_response_bytes=max_response_bytes,
            max_response_elements=max_response_elements,
            environments=environments,
            deadline=deadline,
            certificate=certificate,
        )
        if environments is None:
            from altinn2.endpoints import DEFAULT_ENVIRONMENT, ENVIRONMENTS

            environments = ENVIRONMENTS
            environment = environment or DEFAULT_ENVIRONMENT
        environment = environment or "production"
        if base_url is None:
            if environment not in environments:
                known = ", ".join(environments)
                raise ConfigurationError(f"unknown environment {environment!r} (known: {known})")
            base_url = environments[environment]
        self.environment = environment if base_url == environments.get(environment) else None
        self.base_url = self._check_base_url(base_url)
        try:
            self.binding = Binding(binding)
        except ValueError:
            known = ", ".join(member.value for member in Binding)
            raise ConfigurationError(f"unknown binding {binding!r} ({known})") from None
        self.system = system
        self.user = user
        self.enterprise = enterprise
        self.retry = retry
        self.hooks = hooks or Hooks()
        self.max_response_bytes = max_response_bytes
        self.max_response_elements = max_response_elements
        self.deadline = deadline
        self.redactor = Redactor(self._secret_values())
        # EC and EC2: the enterprise certificate and the contexts issued to it (never repr'd).
        self.conversation = SecureConversation(
            certificate, enterprise.user_name if enterprise else None
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, binding={self.binding.value!r})"

    # -- configuration -------------------------------------------------------------------------

    @staticmethod
    def _check_base_url(base_url: str) -> str:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"not an http(s) base URL: {public_url(base_url)!r}")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise ConfigurationError(
                f"refusing plain http to {parts.hostname}: credentials are only sent over https "
                "(or http to a loopback address)"
            )
        if parts.username or parts.password:
            raise ConfigurationError("the base URL must not carry credentials")
        return base_url.rstrip("/")

    def _secret_values(self) -> list[str]:
        values: list[Secret | None] = []
        if self.system:
            values.append(self.system.password)
        if self.user:
            values += [self.user.ssn, self.user.password, self.user.pin_code]
        if self.enterprise:
            values.append(self.enterprise.password)
        return [value.reveal() for value in values if value is not None]

    def set_user(self, user: UserCredentials | None) -> None:
        """Act for another person, or update the pin code (see `altinn2.runtime.pin`)."""
        self.user = user
        self.redactor = Redactor(self._secret_values())

    def credential(self, kind: Credential, given: str | Secret | None = None) -> str | None:
        """The value for a credential field: the caller's, else the configured one, else None."""
        if given is not None:
            return given.reveal() if isinstance(given, Secret) else given
        settings, name = CREDENTIAL_SOURCES[kind]
        holder = getattr(self, settings)
        value: str | Secret | None = getattr(holder, name) if holder is not None else None
        return value.reveal() if isinstance(value, Secret) else value

    def credential_text(self, kind: Credential, given: str | Secret | None, operation: str) -> str:
        """A credential the schema requires: a person's may be empty (the operation may not act
        for a person), the system's and the enterprise user's may not."""
        value = self.credential(kind, given)
        if value is not None:
            return value
        if kind in PERSON_CREDENTIALS:
            return ""
        raise ConfigurationError(
            f"{operation} needs {kind.value}: configure the client's credentials "
            f"or pass {kind.value}="
        )

    # -- requests ------------------------------------------------------------------------------

    @staticmethod
    def ensure_transport(operation: OperationInfo) -> None:
        """Refuse what this transport cannot send (before anything is built or sent)."""
        if operation.mtom:
            raise BindingNotAvailableError(
                f"{operation.label}: a streamed (MTOM) endpoint; call it through its service "
                "method (upload: source=, download: a Download), not invoke()"
            )

    def ensure_security(self, operation: OperationInfo) -> None:
        """Refuse a call whose message security is not configured (before credentials are looked
        up, so that the error names the real obstacle): EC needs the enterprise certificate."""
        if operation.security is Security.SECURE_CONVERSATION and (
            self.conversation.certificate is None
        ):
            raise ConfigurationError(
                f"{operation.label}: EC endpoints sign in with the enterprise certificate: "
                "pass certificate=Certificate.from_pkcs12(path, password) to the client"
            )

    def security_profile(self, operation: OperationInfo) -> SecurityProfile:
        """The profile that secures `operation`'s messages, from its policy."""
        style = operation.security
        if style is Security.SECURE_CONVERSATION:
            return self.conversation
        if style is Security.USERNAME_TOKEN:
            if self.system is None:
                return UsernameToken(None, None)
            return UsernameToken(self.system.user_name, self.system.password)
        return BODY_CREDENTIALS

    def url_for(self, operation: OperationInfo, base_url: str | None = None) -> str:
        base = self._check_base_url(base_url) if base_url is not None else self.base_url
        return base + operation.path

    def prepare(
        self,
        operation: OperationInfo,
        body: object,
        headers: Sequence[object] = (),
        *,
        base_url: str | None = None,
        context: object = None,
    ) -> PreparedCall:
        """The call for `body` (and SOAP `headers`), or a `SealedRequest` holding both, secured
        by the operation's profile (`context`: what the profile got from the service first, see
        `invoke`). No local variable holds the request's content bare (see `SealedRequest`)."""
        request = body if isinstance(body, SealedRequest) else SealedRequest(body, headers)
        del body, headers
        self.ensure_security(operation)
        url = self.url_for(operation, base_url)
        return self._prepare(operation, request, url, self.security_profile(operation), context)

    @staticmethod
    def _prepare(
        operation: OperationInfo,
        request: SealedRequest,
        url: str,
        profile: SecurityProfile,
        context: object,
    ) -> PreparedCall:
        """`prepare` for a call whose security was checked and whose URL and profile are known
        (each attempt of `invoke` and `stream` builds its message anew, on the same)."""
        version = operation.soap_version
        secured = profile.secure(
            operation,
            url,
            [to_element(header) for header in request.headers],
            to_element(request.body),
            context,
        )
        if version is SoapVersion.SOAP11:
            http_headers = {
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": f'"{operation.soap_action}"',
            }
        else:
            http_headers = {
                "Content-Type": f'application/soap+xml; charset=utf-8; action="{operation.action}"'
            }
        http_headers["Accept"] = "text/xml, application/soap+xml, multipart/related"
        return PreparedCall(operation, url, http_headers, secured.envelope, check=secured.check)

    @staticmethod
    def security_headers(action: str) -> dict[str, str]:
        """HTTP headers of a message a security profile posts itself (issue, cancel)."""
        return {"Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"'}

    def _security_error(self, url: str, exc: httpx.HTTPError) -> TransportError:
        if _certificate_refused(exc):
            return CertificateError(
                f"the TLS certificate of {public_url(url)} was not accepted",
                url=public_url(url),
            )
        return TransportError(
            f"security context exchange: {_kind(exc)} talking to {public_url(url)}",
            url=public_url(url),
            sent=False if not_sent(exc) else None,
        )

    def finish(
        self,
        call: PreparedCall,
        status: int,
        content_type: str,
        content: bytes,
        output: type[T],
        parsed: etree._Element | None = None,
    ) -> T:
        """The typed result of an answer; `parsed`: `content` parsed already, its `xop:Include`
        elements taken out (a streamed answer's envelope part, see `finish_streamed`)."""
        operation = call.operation
        media = content_type.split(";", 1)[0].strip().lower()
        is_xml = media in XML_CONTENT_TYPES or media.endswith("+xml") or not media
        if status >= 400 and (not is_xml or not content):
            shown = f": {excerpt(content, self.redactor)}" if content else ""
            raise TransportError(
                f"{operation.label}: HTTP {status} from {public_url(call.url)}{shown}",
                url=public_url(call.url),
                status=status,
            )
        if not content:
            raise ProtocolError(f"{operation.label}: empty response (HTTP {status})")
        try:
            root = self._parse(content) if parsed is None else parsed
            envelope = read_envelope(root, content, self.redactor)
        except ProtocolError:
            if status >= 400:
                raise TransportError(
                    f"{operation.label}: HTTP {status} from {public_url(call.url)}: "
                    f"{excerpt(content, self.redactor)}",
                    url=public_url(call.url),
                    status=status,
                ) from None
            raise
        if envelope.fault:
            raise_fault(envelope, operation.label, operation.faults, self.redactor)
        if status >= 400:
            raise TransportError(
                f"{operation.label}: HTTP {status} without a SOAP fault "
                f"from {public_url(call.url)}",
                url=public_url(call.url),
                status=status,
            )
        if call.check is not None:
            call.check(envelope)
        if envelope.body is None:
            raise ProtocolError(f"{operation.label}: the response body is empty")
        expected = qname_of(output)
        if envelope.body.tag != expected:
            raise ProtocolError(
                f"{operation.label}: expected {expected} in the response body, "
                f"got {envelope.body.tag!s}"
            )
        reread = self._reread(content, includes_out=parsed is not None)
        large = len(content) >= LARGE_ANSWER_BYTES
        return from_element(envelope.body, output, operation.label, reread, large)

    def _parse(self, content: bytes) -> etree._Element:
        """An answer's XML, parsed within the client's limits."""
        return parse_xml(
            content,
            max_bytes=self.max_response_bytes,
            max_elements=self.max_response_elements,
            redactor=self.redactor,
        )

    def _reread(self, content: bytes, includes_out: bool) -> Callable[[], etree._Element]:
        """The answer's body parsed again (for a reader that fell back after consuming it), its
        `xop:Include` elements taken out again if they were the first time."""

        def reread() -> etree._Element:
            root = self._parse(content)
            if includes_out:
                from altinn2.runtime.transport.mtom import xop_references

                xop_references(root)
            body = read_envelope(root, content, self.redactor).body
            assert body is not None  # it was there the first time
            return body

        return reread

    def _delay_after_error(
        self, call: PreparedCall, exc: httpx.HTTPError, attempt: int, ends: float | None
    ) -> float:
        """How long to wait before trying again after a transport error; raises when not to."""
        if not _certificate_refused(exc):  # a refused certificate is not retried
            unsent = not_sent(exc)
            self._check_deadline(call, ends, sent=None if unsent else True)
            if self.should_retry(call.operation, attempt, connect_failed=unsent):
                return self._delay_within(call, attempt, ends)
        raise self.call_error(call, exc, attempt) from exc

    def _delay_within(self, call: PreparedCall, attempt: int, ends: float | None) -> float:
        """The backoff before the next attempt; DeadlineExceededError when it would end past
        the call's deadline."""
        delay = self.retry.delay(attempt)
        if ends is not None and time.monotonic() + delay >= ends:
            raise self._deadline_error(call, sent=None)
        return delay

    def _outcome_unknown(
        self, call: PreparedCall, what: str, *, sent: bool | None, status: int | None = None
    ) -> OutcomeUnknownError:
        operation = call.operation
        effect = (
            "may have taken effect"
            if operation.effect.value == "write"
            else ("may have had its side effect (a message sent, an element marked read)")
        )
        return OutcomeUnknownError(
            f"{operation.label}: {what} after the request "
            f"{'was' if sent else 'may have been'} sent to {public_url(call.url)}; the outcome "
            f"is unknown: it {effect}. It was not resent: before trying again, look it up "
            "(the receipt, or the submission status by your external reference)",
            url=public_url(call.url),
            status=status,
            sent=sent,
        )

    def _deadline_error(self, call: PreparedCall, *, sent: bool | None) -> TransportError:
        if sent is not False and not call.operation.effect.repeatable:
            return self._outcome_unknown(
                call, f"the deadline of {self.deadline} s passed", sent=sent
            )
        return DeadlineExceededError(
            f"{call.operation.label}: the call's deadline of {self.deadline} s passed "
            f"talking to {public_url(call.url)}",
            url=public_url(call.url),
            sent=sent,
        )

    def _check_deadline(self, call: PreparedCall, ends: float | None, *, sent: bool | None) -> None:
        if ends is not None and time.monotonic() >= ends:
            raise self._deadline_error(call, sent=sent)

    def _ends(self) -> float | None:
        return None if self.deadline is None else time.monotonic() + self.deadline

    def _attempt_timeout(self, configured: httpx.Timeout, ends: float | None) -> httpx.Timeout:
        """The configured timeouts, none longer than what is left of the deadline."""
        if ends is None:
            return configured
        import httpx

        left = max(0.001, ends - time.monotonic())

        def bound(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=bound(configured.connect),
            read=bound(configured.read),
            write=bound(configured.write),
            pool=bound(configured.pool),
        )

    def _delay_after_response(
        self,
        call: PreparedCall,
        response: httpx.Response,
        content: bytes,
        started: float,
        attempt: int,
        ends: float | None = None,
    ) -> float | None:
        """Report the response; how long to wait before trying again, or None to read it."""
        self._emit_response(call, response, content, started)
        if self.should_retry(call.operation, attempt, status=response.status_code):
            return self._delay_within(call, attempt, ends)
        status = response.status_code
        if status in GATEWAY_STATUSES and not call.operation.effect.repeatable:
            raise self._outcome_unknown(
                call, f"HTTP {status} from a gateway", sent=True, status=status
            )
        return None

    def finish_response(
        self, call: PreparedCall, response: httpx.Response, content: bytes, output: type[T]
    ) -> T:
        return self.finish(
            call, response.status_code, response.headers.get("content-type", ""), content, output
        )

    def should_retry(
        self,
        operation: OperationInfo,
        attempt: int,
        *,
        status: int | None = None,
        connect_failed: bool = False,
    ) -> bool:
        if attempt >= self.retry.attempts:
            return False
        if connect_failed:
            return True
        if status is not None and status not in self.retry.statuses:
            return False
        return operation.effect.repeatable

    # -- streamed (MTOM) calls -----------------------------------------------------------------

    def prepare_streamed(
        self,
        operation: OperationInfo,
        request: SealedRequest,
        source: Source | None,
        progress: Progress | None,
        url: str,
        profile: SecurityProfile,
        context: object,
    ) -> tuple[PreparedCall, MtomRequest]:
        """The envelope the binding asks for, secured by `profile` (`context`: what
        the profile got from the service first, as for `prepare`), wrapped as an MTOM request:
        with `source`, the body's streamed element points at the binary part that carries it
        (the security header stays in the envelope part; nothing signed points into the body)."""
        from altinn2.runtime.transport.mtom import MtomRequest, include_binary, streamed_field

        streamed = streamed_field(type(request.body)) if source is not None else None
        if source is not None and streamed is None:
            raise TypeError(f"{operation.label} takes no file (source=)")
        if streamed is not None:
            body = dataclasses.replace(request.body, **{streamed[0]: b""})
            request = SealedRequest(body, request.headers)
        call = self._prepare(operation, request, url, profile, context)
        content_id = None
        envelope = call.content
        if streamed is not None:
            envelope, content_id = include_binary(envelope, streamed[1])
        message = MtomRequest(
            envelope,
            operation.soap_version,
            operation.action,
            source if streamed is not None else None,
            content_id,
            progress,
        )
        headers = {**call.headers, "Content-Type": message.content_type}
        length = message.content_length()
        if length is not None:  # else chunked
            headers["Content-Length"] = str(length)
        call = dataclasses.replace(call, headers=headers, content=envelope)
        self._emit_request(call)
        return call, message

    @staticmethod
    def resend_refused(
        call: PreparedCall,
        profile: SecurityProfile,
        url: str,
        context: object,
        rewind: Callable[[], None] | None,
        exc: BadContextTokenError,
        reissued: bool,
    ) -> None:
        """A call refused for its security context (BadContextToken). The service refused the
        message before acting on it, so it may go once more under a newly issued context, a
        write or an upload too (a security retry, not a resend of a call that may have taken
        effect): the context is dropped and a streamed file rewound. Raises when it cannot go
        again: no context to renew, already sent under a renewed one, or a file source that
        yields its bytes only once."""
        if context is None or reissued:
            raise exc
        profile.refused(call.operation, url, context)
        if rewind is None:
            raise BadContextTokenError(
                f"{exc.reason} The upload was refused before the service acted on it, but its "
                "source is a one-shot iterator: it was not sent again under a new security "
                "context. Pass a path or a seekable file object to have it resent",
                code=exc.code,
                subcodes=exc.subcodes,
                operation=exc.operation,
            ) from exc
        rewind()

    def call_error(self, call: PreparedCall, exc: httpx.HTTPError, attempts: int = 1) -> Exception:
        """A transport error not retried (a streamed call is never resent): what failed, and
        whether it reached the server."""
        if _certificate_refused(exc):
            return CertificateError(
                f"{call.operation.label}: the TLS certificate of {public_url(call.url)} was not "
                "accepted (not retried)",
                url=public_url(call.url),
            )
        if not not_sent(exc) and not call.operation.effect.repeatable:
            return self._outcome_unknown(call, _kind(exc), sent=_sent(exc))
        return self._transport_error(call, exc, attempts)

    def finish_streamed(
        self,
        call: PreparedCall,
        status: int,
        content_type: str,
        envelope: bytes,
        output: type[T],
        reader: MtomResponseReader | None = None,
    ) -> T:
        """The typed result of an answer's envelope part; `xop:Include` elements are emptied
        (the content they point to is streamed apart; `reader` is told which part that is)."""
        from altinn2.runtime.transport.mtom import is_mtom, xop_references

        if is_mtom(content_type) and envelope:
            try:
                root = self._parse(envelope)
                references = xop_references(root)
            except ProtocolError:
                if status < 400:
                    raise
                # an error page, say: `finish` names the HTTP status, as for a buffered answer
                return self.finish(call, status, "text/xml", envelope, output)
            if reader is not None:
                reader.references = references
            return self.finish(call, status, "text/xml", envelope, output, root)
        return self.finish(call, status, content_type, envelope, output)

    def inline_content(self, result: object, field_name: str | None) -> bytes:
        """An inline (base64, non-MTOM) answer's content, taken out of the typed result."""
        if field_name is None:
            return b""
        value = getattr(result, field_name, None)
        if isinstance(value, bytes):
            object.__setattr__(result, field_name, b"")
            return value
        return b""

    # -- hooks ---------------------------------------------------------------------------------

    def _emit_request(self, call: PreparedCall) -> None:
        if self.hooks.active:
            self.hooks.emit_request(
                RequestEvent(
                    operation=call.operation.name,
                    binding=call.operation.binding.value,
                    url=public_url(call.url),
                    headers=dict(call.headers),
                    envelope=self.redactor.bytes(call.content, self.hooks.max_chars),
                    call_id=call.call_id,
                )
            )

    def _check_size(self, call: PreparedCall, received: int) -> None:
        """Stop reading a response that outgrows `max_response_bytes` (decoded size)."""
        if received > self.max_response_bytes:
            raise ProtocolError(
                f"{call.operation.label}: response exceeds the limit of "
                f"{self.max_response_bytes} bytes; refused"
            )

    def _emit_response(
        self, call: PreparedCall, response: httpx.Response, content: bytes, started: float
    ) -> None:
        if self.hooks.active:
            self.hooks.emit_response(
                ResponseEvent(
                    operation=call.operation.name,
                    url=public_url(call.url),
                    status=response.status_code,
                    headers={
                        k: v
                        for k, v in response.headers.items()
                        if k.lower() not in ("set-cookie",)
                    },
                    envelope=self.redactor.bytes(content, self.hooks.max_chars),
                    elapsed=time.monotonic() - started,
                    call_id=call.call_id,
                )
            )

    def _transport_error(
        self, call: PreparedCall, exc: httpx.HTTPError, attempts: int
    ) -> TransportError:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        return TransportError(
            f"{call.operation.label}: {_kind(exc)} talking to {public_url(call.url)}{tries}",
            url=public_url(call.url),
            sent=False if not_sent(exc) else True if _sent(exc) else None,
        )


@dataclass(frozen=True)
class _Again:
    """Try once more: after `delay` seconds, or at once (None)."""

    delay: float | None


class _Attempts(Generic[T]):
    """One buffered call's attempts (`Client.invoke`, `AsyncClient.invoke`): each attempt's
    message, and what to do after its outcome (the result, another attempt after a wait, or an
    error). The clients do the sending and the waiting only."""

    def __init__(
        self,
        client: BaseClient,
        operation: OperationInfo,
        request: SealedRequest,
        output: type[T],
        profile: SecurityProfile,
        url: str,
    ) -> None:
        self.client = client
        self.operation = operation
        self.request = request
        self.output = output
        self.profile = profile
        self.url = url
        self.ends = client._ends()
        self.attempt = 0
        self.reissued = False  # sent again under a newly issued security context
        self.context: object = None
        self.started = 0.0

    def begin(self, context: object) -> PreparedCall:
        """The next attempt's message, under `context`, reported. Each attempt is a new message:
        fresh Timestamp, Nonce and MessageID."""
        self.attempt += 1
        self.context = context
        call = self.client._prepare(self.operation, self.request, self.url, self.profile, context)
        self.client._emit_request(call)
        self.started = time.monotonic()
        return call

    def timeout(self, configured: httpx.Timeout) -> httpx.Timeout:
        return self.client._attempt_timeout(configured, self.ends)

    def received(self, call: PreparedCall, size: int) -> None:
        """Within the size limit and the deadline, with `size` bytes of the answer read."""
        self.client._check_size(call, size)
        self.client._check_deadline(call, self.ends, sent=True)

    def after_error(self, call: PreparedCall, exc: httpx.HTTPError) -> float:
        """The wait before the next attempt after a transport error; raises when there is none."""
        return self.client._delay_after_error(call, exc, self.attempt, self.ends)

    def after_response(
        self, call: PreparedCall, response: httpx.Response, content: bytes
    ) -> T | _Again:
        """The typed result; or another attempt: after a wait (a status retried), or at once
        under a new security context (BadContextToken, once); raises otherwise."""
        client = self.client
        delay = client._delay_after_response(
            call, response, content, self.started, self.attempt, self.ends
        )
        if delay is not None:
            return _Again(delay)
        try:
            return client.finish_response(call, response, content, self.output)
        except BadContextTokenError as exc:
            client.resend_refused(
                call, self.profile, self.url, self.context, _nothing, exc, self.reissued
            )
            self.reissued = True
            return _Again(None)


def _sent(exc: BaseException) -> bool:
    """Errors that come after the request was written completely: the server has it."""
    import httpx

    return isinstance(exc, (httpx.ReadError, httpx.ReadTimeout, httpx.RemoteProtocolError))


def _kind(exc: httpx.HTTPError) -> str:
    """What went wrong, in words: the transport error and, where the chain tells, its cause."""
    import socket

    import httpx

    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timed out (ConnectTimeout)"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    cause = _os_cause(exc)
    if isinstance(cause, socket.gaierror):
        return f"DNS lookup failed ({type(exc).__name__}: {cause.strerror or cause})"
    if isinstance(cause, ConnectionRefusedError):
        return f"connection refused ({type(exc).__name__})"
    if isinstance(cause, ConnectionResetError):
        return f"connection reset ({type(exc).__name__})"
    if cause is not None and cause.strerror:
        return f"{type(exc).__name__} ({cause.strerror})"
    return type(exc).__name__


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and what caused it, in turn (each once)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _os_cause(exc: BaseException) -> OSError | None:
    """The operating system's error behind a transport error, if its chain holds one."""
    return next((error for error in _chain(exc) if isinstance(error, OSError)), None)


def _certificate_refused(exc: BaseException) -> bool:
    """Did TLS refuse the server's certificate (anywhere in the exception's chain)?"""
    import ssl

    return any(
        isinstance(error, ssl.SSLCertVerificationError)
        or (isinstance(error, ssl.SSLError) and "CERTIFICATE" in str(error).upper())
        for error in _chain(exc)
    )


def _streamed_name(output: type[Any]) -> str | None:
    from altinn2.runtime.transport.mtom import streamed_field

    found = streamed_field(output)
    return found[0] if found else None


def _nothing() -> None:
    pass


async def _anothing() -> None:
    pass


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


class InsecureTransportWarning(UserWarning):
    """TLS certificates are not checked (`verify=False`)."""


_warned_insecure = False


def _warn_if_insecure(verify: Verify, base_url: str) -> None:
    """Once per process, when certificates of an https endpoint go unchecked."""
    global _warned_insecure
    if verify is False and base_url.startswith("https:") and not _warned_insecure:
        _warned_insecure = True
        warnings.warn(
            "verify=False: TLS certificates are not checked; anyone on the path can read the "
            "credentials this client sends",
            InsecureTransportWarning,
            stacklevel=4,
        )


def _client_options(
    timeout: float | httpx.Timeout | None, verify: Verify, trust_env: bool, base_url: str
) -> dict[str, Any]:
    """httpx's options. Proxies come from the environment only when `trust_env` asks for it, and
    plain http (loopback only: see `_check_base_url`) never goes through a proxy, configured or
    not: its credentials would travel in clear text to the proxy."""
    _warn_if_insecure(verify, base_url)
    return {
        "timeout": timeout,
        "verify": verify,
        "http2": False,
        "follow_redirects": False,
        "headers": {"User-Agent": USER_AGENT},
        "trust_env": trust_env,
    }


# httpx.Client's options that only its transports take: given `transport=` (or `mounts=`), the
# client ignores them, so every transport made here takes them from the one place that splits them
# off. Beside them, the options the client itself still honours; any other is refused (a new
# transport option must be added to the first list, not dropped for https).
# What a call on a closed client raises (httpx's words for its own closed client).
_CLOSED = "Cannot send a request, as the client has been closed."

_TRANSPORT_OPTIONS = ("verify", "cert", "trust_env", "http1", "http2", "limits")
_CLIENT_OPTIONS = frozenset(
    {"timeout", "follow_redirects", "max_redirects", "headers", "trust_env", "event_hooks"}
)


def _transport_options(config: dict[str, Any]) -> dict[str, Any]:
    """The transports' options, taken out of `config` (the client's stay; `trust_env` is both:
    the client reads the environment's proxies by it)."""
    unknown = sorted(set(config) - _CLIENT_OPTIONS - set(_TRANSPORT_OPTIONS))
    if unknown:
        raise TypeError(f"httpx options {unknown} are neither the client's nor its transports'")
    taken = {name: config.pop(name) for name in _TRANSPORT_OPTIONS if name in config}
    if "trust_env" in taken:
        config["trust_env"] = taken["trust_env"]
    return taken


def _transport_config(options: dict[str, Any], asynchronous: bool) -> dict[str, Any]:
    """httpx's client options, with the transports: plain http (loopback only, see
    `_check_base_url`) through one of its own, never via a proxy; https through httpx's transport
    with the client's TLS settings, made with the first https request (`transport.tls`: loading
    the trusted certificates is most of what making the client costs), unless proxies may come
    from the environment (`trust_env`): then httpx makes it, as it honours them."""
    import ssl

    import httpx

    from altinn2.runtime.transport.tls import AsyncDeferredTransport, DeferredTransport

    config = dict(options)
    if config["timeout"] is None:
        config["timeout"] = httpx.Timeout(
            DEFAULT_TIMEOUT_SECONDS, connect=DEFAULT_CONNECT_TIMEOUT_SECONDS
        )
    transport = _transport_options(config)
    verify, trust_env = transport["verify"], transport["trust_env"]

    def tls() -> ssl.SSLContext:
        if isinstance(verify, ssl.SSLContext):
            return verify
        return httpx.create_ssl_context(verify=verify, trust_env=trust_env)

    # Plain http never uses TLS: a context that trusts nothing, made without loading any.
    plain = {**transport, "verify": ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), "trust_env": False}
    if asynchronous:
        config["mounts"] = {"http://": httpx.AsyncHTTPTransport(**plain)}
    else:
        config["mounts"] = {"http://": httpx.HTTPTransport(**plain)}
    if trust_env:
        config.update(transport, verify=tls())
    elif asynchronous:
        config["transport"] = AsyncDeferredTransport(
            lambda: httpx.AsyncHTTPTransport(**{**transport, "verify": tls()})
        )
    else:
        config["transport"] = DeferredTransport(
            lambda: httpx.HTTPTransport(**{**transport, "verify": tls()})
        )
    return config


class Client(BaseClient):
    """A synchronous client; one per process, closed with `close()` or a `with` block."""

    def __init__(
        self,
        *,
        environment: str | None = None,
        base_url: str | None = None,
        binding: Binding | str = Binding.BASIC,
        system: SystemCredentials | None = None,
        user: UserCredentials | None = None,
        enterprise: EnterpriseCredentials | None = None,
        certificate: Certificate | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        hooks: Hooks | None = None,
        deadline: float | None = DEFAULT_DEADLINE,
        timeout: float | httpx.Timeout | None = None,
        verify: Verify = True,
        trust_env: bool = False,
        http_client: httpx.Client | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_response_elements: int = DEFAULT_MAX_ELEMENTS,
        environments: Mapping[str, str] | None = None,
    ) -> None:
        check_options(
            type(self).__name__,
            timeout=timeout,
            verify=verify,
            trust_env=trust_env,
            http_client=http_client,
            http_client_type="httpx.Client",
        )
        super().__init__(
            environment=environment,
            base_url=base_url,
            binding=binding,
            system=system,
            user=user,
            enterprise=enterprise,
            retry=retry,
            hooks=hooks,
            max_response_bytes=max_response_bytes,
            max_response_elements=max_response_elements,
            environments=environments,
            deadline=deadline,
            certificate=certificate,
        )
        self._owns_http = http_client is None
        self._http = http_client
        self._http_lock = threading.Lock()
        self._closed = False
        if http_client is None:
            self._http_config = _client_options(timeout, verify, trust_env, self.base_url)

    @property
    def http(self) -> httpx.Client:
        """The HTTP client, given or made with the first call (its https transport with the
        first https request: see `_transport_config`)."""
        http = self._http
        if http is None:
            import httpx

            with self._http_lock:
                if self._closed:
                    raise RuntimeError(_CLOSED)
                if self._http is None:
                    self._http = httpx.Client(**_transport_config(self._http_config, False))
                http = self._http
        return http

    def invoke(
        self,
        operation: OperationInfo,
        body: object,
        output: type[T],
        headers: Sequence[object] = (),
        *,
        base_url: str | None = None,
    ) -> T:
        import httpx

        request = body if isinstance(body, SealedRequest) else SealedRequest(body, headers)
        del body, headers  # only the sealed holder keeps the credentials (see SealedRequest)
        self.ensure_transport(operation)
        self.ensure_security(operation)
        profile = self.security_profile(operation)
        url = self.url_for(operation, base_url)
        attempts = _Attempts(self, operation, request, output, profile, url)
        while True:
            call = attempts.begin(profile.context(operation, url, self._post_security))
            try:
                with self.http.stream(
                    "POST",
                    call.url,
                    content=call.content,
                    headers=call.headers,
                    timeout=attempts.timeout(self.http.timeout),
                ) as response:
                    received = bytearray()
                    for chunk in response.iter_bytes():
                        received += chunk
                        attempts.received(call, len(received))
            except httpx.HTTPError as exc:
                time.sleep(attempts.after_error(call, exc))
                continue
            outcome = attempts.after_response(call, response, bytes(received))
            if not isinstance(outcome, _Again):
                return outcome
            if outcome.delay is not None:
                time.sleep(outcome.delay)

    def stream(
        self,
        operation: OperationInfo,
        request: SealedRequest,
        output: type[T],
        *,
        source: Source | None = None,
        progress: Progress | None = None,
        base_url: str | None = None,
    ) -> Download[T]:
        """Call a streamed (MTOM) operation: the file from `source` (an upload) is sent as it is
        read; the answer's content (a download) is read as it arrives, through the `Download`.
        Never resent, except once under a new security context when the service refused the
        old one (see `resend_refused`); the call's deadline does not apply (files take the time
        they take), the timeouts of each network wait do."""
        import httpx

        from altinn2.runtime.transport.mtom import resender

        self.ensure_security(operation)
        profile = self.security_profile(operation)
        url = self.url_for(operation, base_url)
        rewind = resender(source)
        reissued = False
        while True:
            context = profile.context(operation, url, self._post_security)
            call, message = self.prepare_streamed(
                operation, request, source, progress, url, profile, context
            )
            started = time.monotonic()
            try:
                response = self.http.send(
                    self.http.build_request(
                        "POST", call.url, content=message, headers=call.headers
                    ),
                    stream=True,
                )
            except httpx.HTTPError as exc:
                raise self.call_error(call, exc) from None
            try:
                return self._download(call, response, output, started)
            except httpx.HTTPError as exc:
                response.close()
                raise self.call_error(call, exc) from None
            except BadContextTokenError as exc:
                response.close()
                self.resend_refused(call, profile, url, context, rewind, exc, reissued)
                reissued = True
            except BaseException:
                response.close()
                raise

    def _download(
        self, call: PreparedCall, response: httpx.Response, output: type[T], started: float
    ) -> Download[T]:
        from altinn2.runtime.transport.download import Download, MtomResponseReader, transfer_error
        from altinn2.runtime.transport.mtom import is_mtom

        label, url = call.operation.label, public_url(call.url)
        content_type = response.headers.get("content-type", "")
        chunks = response.iter_bytes()
        if not is_mtom(content_type):  # inline base64 (or a fault): a buffered answer
            received = bytearray()
            for chunk in chunks:
                received += chunk
                self._check_size(call, len(received))
            response.close()
            content = bytes(received)
            self._emit_response(call, response, content, started)
            result = self.finish_response(call, response, content, output)
            data = self.inline_content(result, _streamed_name(output))
            return Download(result, label, iter([data]), _nothing, transfer_error(label, url))
        reader = MtomResponseReader(content_type, self.max_response_bytes)
        pending: list[bytes] = []
        for chunk in chunks:
            pending += reader.feed(chunk)
            if reader.envelope is not None:
                break
        if reader.envelope is None:
            reader.close()
            raise ProtocolError(f"{label}: the MTOM answer has no envelope part")
        self._emit_response(call, response, reader.envelope, started)
        result = self.finish_streamed(
            call, response.status_code, content_type, reader.envelope, output, reader
        )
        # Content the server kept inline in the envelope part (no xop:Include) comes first.
        pending.insert(0, self.inline_content(result, _streamed_name(output)))

        def rest() -> Iterator[bytes]:
            yield from pending
            for chunk in chunks:
                yield from reader.feed(chunk)
            reader.close()

        return Download(result, label, rest(), response.close, transfer_error(label, url))

    def upload(
        self,
        operation: OperationInfo,
        request: SealedRequest,
        output: type[T],
        *,
        source: Source,
        progress: Progress | None = None,
        base_url: str | None = None,
    ) -> T:
        """Send a file to a streamed operation; its typed answer."""
        with self.stream(
            operation, request, output, source=source, progress=progress, base_url=base_url
        ) as answer:
            for _ in answer.iter_bytes():
                pass
            return answer.output

    def _post_security(self, url: str, envelope: bytes, action: str) -> bytes:
        """Post a security profile's own message (issue, cancel); the answer's bytes."""
        import httpx

        from altinn2.runtime.transport.mtom import inline_parts

        try:
            response = self.http.post(url, content=envelope, headers=self.security_headers(action))
        except httpx.HTTPError as exc:
            raise self._security_error(url, exc) from None
        return inline_parts(response.headers.get("content-type", ""), response.content)

    def close(self) -> None:
        """Cancel EC's security contexts (EC2's are never cancelled), then close the HTTP
        client if this client made it."""
        try:
            self.conversation.close(self._post_security)
        finally:
            if self._owns_http:
                with self._http_lock:  # not made yet: never made, nothing to close
                    http, self._closed = self._http, True
                if http is not None:
                    http.close()

    def __enter__(self) -> Self:  # a generated client's services stay typed in a `with`
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(BaseClient):
    """An asynchronous client; one per process (per event loop), closed with `aclose()`."""

    def __init__(
        self,
        *,
        environment: str | None = None,
        base_url: str | None = None,
        binding: Binding | str = Binding.BASIC,
        system: SystemCredentials | None = None,
        user: UserCredentials | None = None,
        enterprise: EnterpriseCredentials | None = None,
        certificate: Certificate | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        hooks: Hooks | None = None,
        deadline: float | None = DEFAULT_DEADLINE,
        timeout: float | httpx.Timeout | None = None,
        verify: Verify = True,
        trust_env: bool = False,
        http_client: httpx.AsyncClient | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_response_elements: int = DEFAULT_MAX_ELEMENTS,
        environments: Mapping[str, str] | None = None,
    ) -> None:
        check_options(
            type(self).__name__,
            timeout=timeout,
            verify=verify,
            trust_env=trust_env,
            http_client=http_client,
            http_client_type="httpx.AsyncClient",
        )
        super().__init__(
            environment=environment,
            base_url=base_url,
            binding=binding,
            system=system,
            user=user,
            enterprise=enterprise,
            retry=retry,
            hooks=hooks,
            max_response_bytes=max_response_bytes,
            max_response_elements=max_response_elements,
            environments=environments,
            deadline=deadline,
            certificate=certificate,
        )
        self._owns_http = http_client is None
        self._http = http_client
        self._closed = False
        if http_client is None:
            self._http_config = _client_options(timeout, verify, trust_env, self.base_url)

    @property
    def http(self) -> httpx.AsyncClient:
        """The HTTP client, given or made with the first call (see `Client.http`)."""
        if self._http is None:
            import httpx

            if self._closed:
                raise RuntimeError(_CLOSED)
            self._http = httpx.AsyncClient(**_transport_config(self._http_config, True))
        return self._http

    async def invoke(
        self,
        operation: OperationInfo,
        body: object,
        output: type[T],
        headers: Sequence[object] = (),
        *,
        base_url: str | None = None,
    ) -> T:
        import httpx

        request = body if isinstance(body, SealedRequest) else SealedRequest(body, headers)
        del body, headers  # only the sealed holder keeps the credentials (see SealedRequest)
        self.ensure_transport(operation)
        self.ensure_security(operation)
        profile = self.security_profile(operation)
        url = self.url_for(operation, base_url)
        attempts = _Attempts(self, operation, request, output, profile, url)
        while True:
            call = attempts.begin(await profile.context_async(operation, url, self._post_security))
            try:
                async with self.http.stream(
                    "POST",
                    call.url,
                    content=call.content,
                    headers=call.headers,
                    timeout=attempts.timeout(self.http.timeout),
                ) as response:
                    received = bytearray()
                    async for chunk in response.aiter_bytes():
                        received += chunk
                        attempts.received(call, len(received))
            except httpx.HTTPError as exc:
                await _sleep(attempts.after_error(call, exc))
                continue
            outcome = attempts.after_response(call, response, bytes(received))
            if not isinstance(outcome, _Again):
                return outcome
            if outcome.delay is not None:
                await _sleep(outcome.delay)

    async def stream(
        self,
        operation: OperationInfo,
        request: SealedRequest,
        output: type[T],
        *,
        source: Source | None = None,
        progress: Progress | None = None,
        base_url: str | None = None,
    ) -> AsyncDownload[T]:
        """`Client.stream` for the async client (a file is read in a worker thread)."""
        import httpx

        from altinn2.runtime.transport.mtom import resender

        self.ensure_security(operation)
        profile = self.security_profile(operation)
        url = self.url_for(operation, base_url)
        rewind = resender(source)
        reissued = False
        while True:
            context = await profile.context_async(operation, url, self._post_security)
            call, message = self.prepare_streamed(
                operation, request, source, progress, url, profile, context
            )
            started = time.monotonic()
            try:
                body = aiter(message)  # the async body (httpx would take the sync one first)
                response = await self.http.send(
                    self.http.build_request("POST", call.url, content=body, headers=call.headers),
                    stream=True,
                )
            except httpx.HTTPError as exc:
                raise self.call_error(call, exc) from None
            try:
                return await self._download(call, response, output, started)
            except httpx.HTTPError as exc:
                await response.aclose()
                raise self.call_error(call, exc) from None
            except BadContextTokenError as exc:
                await response.aclose()
                self.resend_refused(call, profile, url, context, rewind, exc, reissued)
                reissued = True
            except BaseException:
                await response.aclose()
                raise

    async def _download(
        self, call: PreparedCall, response: httpx.Response, output: type[T], started: float
    ) -> AsyncDownload[T]:
        from altinn2.runtime.transport.download import (
            AsyncDownload,
            MtomResponseReader,
            transfer_error,
        )
        from altinn2.runtime.transport.mtom import is_mtom

        label, url = call.operation.label, public_url(call.url)
        content_type = response.headers.get("content-type", "")
        chunks = response.aiter_bytes()
        if not is_mtom(content_type):  # inline base64 (or a fault): a buffered answer
            received = bytearray()
            async for chunk in chunks:
                received += chunk
                self._check_size(call, len(received))
            await response.aclose()
            content = bytes(received)
            self._emit_response(call, response, content, started)
            result = self.finish_response(call, response, content, output)
            data = self.inline_content(result, _streamed_name(output))
            return AsyncDownload(result, label, _one(data), _anothing, transfer_error(label, url))
        reader = MtomResponseReader(content_type, self.max_response_bytes)
        pending: list[bytes] = []
        async for chunk in chunks:
            pending += reader.feed(chunk)
            if reader.envelope is not None:
                break
        if reader.envelope is None:
            reader.close()
            raise ProtocolError(f"{label}: the MTOM answer has no envelope part")
        self._emit_response(call, response, reader.envelope, started)
        result = self.finish_streamed(
            call, response.status_code, content_type, reader.envelope, output, reader
        )
        # Content the server kept inline in the envelope part (no xop:Include) comes first.
        pending.insert(0, self.inline_content(result, _streamed_name(output)))

        async def rest() -> AsyncIterator[bytes]:
            for piece in pending:
                yield piece
            async for chunk in chunks:
                for piece in reader.feed(chunk):
                    yield piece
            reader.close()

        return AsyncDownload(result, label, rest(), response.aclose, transfer_error(label, url))

    async def upload(
        self,
        operation: OperationInfo,
        request: SealedRequest,
        output: type[T],
        *,
        source: Source,
        progress: Progress | None = None,
        base_url: str | None = None,
    ) -> T:
        """Send a file to a streamed operation; its typed answer."""
        answer = await self.stream(
            operation, request, output, source=source, progress=progress, base_url=base_url
        )
        async with answer:
            async for _ in answer.aiter_bytes():
                pass
            return answer.output

    async def _post_security(self, url: str, envelope: bytes, action: str) -> bytes:
        """Post a security profile's own message (issue, cancel); the answer's bytes."""
        import httpx

        from altinn2.runtime.transport.mtom import inline_parts

        try:
            response = await self.http.post(
                url, content=envelope, headers=self.security_headers(action)
            )
        except httpx.HTTPError as exc:
            raise self._security_error(url, exc) from None
        return inline_parts(response.headers.get("content-type", ""), response.content)

    async def aclose(self) -> None:
        """Cancel EC's security contexts (EC2's are never cancelled), then close the HTTP
        client if this client made it."""
        try:
            await self.conversation.aclose(self._post_security)
        finally:
            if self._owns_http:
                http, self._closed = self._http, True  # not made yet: nothing to close
                if http is not None:
                    await http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


async def _sleep(seconds: float) -> None:
    import asyncio  # with the first async call: a synchronous client never loads asyncio

    await asyncio.sleep(seconds)
