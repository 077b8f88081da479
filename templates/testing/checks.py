"""The checks Altinn's WCF services make of a request, each refusing a bad one as WCF would.

`MockAltinn` runs them in WCF's order (see `MockAltinn._accept`); each raises `Refused`, which
carries the reason (in the mock's words, for `Call.reason`) and the reply to send:

- path: HTTP 404;
- HTTP method, POST only: HTTP 405 with `Allow: POST` (the mock ships no help page or WSDL);
- the content type of the binding's SOAP version (`text/xml` for Basic, `application/soap+xml`
  for WS and EC; UTF-8): HTTP 415;
- a body that is not UTF-8: AltinnFault 0 ("Unable to translate bytes ...", as Altinn answers);
- well-formed XML, a SOAP envelope with a Body: HTTP 400; the envelope's version: a
  `s:VersionMismatch` fault;
- WS: `wsse:Security` with a fresh `wsu:Timestamp` (5 minutes of validity, 5 of clock skew) and
  the system's UsernameToken (PasswordText): else `o:InvalidSecurity`; EC and EC2: the security
  context the mock issued, checked by `altinn2.testing.security` (`BadContextToken` for a token
  it does not know now, `o:InvalidSecurity` for anything else wrong);
- WS: WS-Addressing `Action` (`a:MessageAddressingHeaderRequired`), equal to the content type's
  `action` (`a:ActionMismatch`), `To` this endpoint's path (`a:DestinationUnreachable`);
- `SOAPAction` (Basic) or `Action` (WS) naming an operation of the endpoint:
  `a:ActionNotSupported`;
- every `mustUnderstand` header understood by the binding: `s:MustUnderstand`;
- the encoding: MTOM (multipart/related, XOP) for a streamed operation, text for the others: 415;
- the body element and the XML Schema: AltinnFault 0 with the formatter's deserialization message;
- Basic `systemUserName`/`systemPassword` (body fields or SOAP header parts), and person
  credentials wherever sent (`userSSN`,
  `userPassword`, `userPinCode` and `authMethod` for a person with a pin): AltinnFault 989.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from altinn2.runtime.codec import from_element, qname_of
from altinn2.runtime.credentials import EnterpriseCredentials, SystemCredentials, UserCredentials
from altinn2.runtime.envelope import (
    ENVELOPE_NS,
    ENVELOPE_VERSIONS,
    Envelope,
    parse_xml,
    read_envelope,
)
from altinn2.runtime.errors import AltinnError, ProtocolError
from altinn2.runtime.operation import Credential, OperationInfo, Security, SoapVersion
from altinn2.runtime.wsheaders import WSA, WSA_ANONYMOUS, WSSE, WSU, Clock
from altinn2.testing.endpoints import Endpoint
from altinn2.testing.faults import (
    ACTION_MISMATCH,
    ADDRESS_FILTER_MISMATCH,
    CONTENT_TYPE_MISMATCH,
    CONTENT_TYPES,
    HEADER_REQUIRED,
    Fault,
    Reply,
    action_not_supported,
    altinn_fault,
    deserialization_fault,
    http_error,
    invalid_security,
    must_understand_fault,
    version_mismatch,
    wcf_fault,
)
from altinn2.testing.schemas import SchemaViolation, violations
from altinn2.testing.security.timestamps import (
    MAX_CLOCK_SKEW,
    timestamp_problem,
    wsu_time,
)

AUTH_METHODS = ("AltinnPin", "SMSPin")
PASSWORD_TEXT_SUFFIX = "#PasswordText"


class Refused(Exception):
    """A request a check refuses: `reason` for the record, `reply` to send, and the
    `operation` the refusal answers as, when it names one before the operation is known."""

    def __init__(
        self, reason: str, reply: Reply, *, operation: OperationInfo | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reply = reply
        self.operation = operation


class Answered(Refused):
    """A request the binding's own infrastructure answers before any operation sees it (the
    WS-Trust exchanges of EC and EC2: issue, cancel); `reason` says what it did."""


# -- HTTP ------------------------------------------------------------------------------------


def route(endpoints: Mapping[str, Endpoint], path: str, method: str) -> Endpoint:
    """The endpoint at `path` (any case), which takes POST only."""
    endpoint = endpoints.get(path.lower())
    if endpoint is None:
        raise Refused(
            "no generated endpoint has this path", http_error(404, f"No Altinn endpoint at {path}")
        )
    if method != "POST":
        raise Refused(
            "SOAP endpoints take POST only (the mock has no help page or WSDL)",
            http_error(
                405, "Method not allowed: SOAP messages are POSTed", headers={"Allow": "POST"}
            ),
        )
    return endpoint


def http_action(endpoint: Endpoint, headers: Mapping[str, str]) -> str | None:
    """The action the HTTP request names (`SOAPAction` for SOAP 1.1, the content type's `action`
    for SOAP 1.2), once the content type is the binding's. `headers`: lower-case names."""
    version = endpoint.version
    content_type = headers.get("content-type", "")
    media, parameters = parse_content_type(content_type)
    expected = CONTENT_TYPES[version]
    if media != expected.split(";")[0] or parameters.get("charset", "utf-8") not in (
        "utf-8",
        "utf8",
    ):
        reason = (
            'multipart/related is read as MTOM only (type="application/xop+xml")'
            if media == "multipart/related"
            else f"{endpoint.binding.value} is SOAP {version.value}: {expected}"
        )
        raise Refused(
            reason,
            http_error(415, CONTENT_TYPE_MISMATCH.format(got=content_type, expected=expected)),
        )
    if version is SoapVersion.SOAP11:
        return headers.get("soapaction", "").strip().strip('"')
    return parameters.get("action")


def require_utf8(body: bytes, version: SoapVersion, operation: OperationInfo | None) -> None:
    """A body in UTF-8; else the AltinnFault Altinn answers (as `operation`, the one the HTTP
    action names)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        fault = Fault(
            0,
            f"An error occured: Unable to translate bytes [{body[exc.start]:02X}] at index "
            f"{exc.start} from specified code page to Unicode.",
        )
        raise Refused(
            "the body is not UTF-8",
            altinn_fault(version, fault, operation=operation, relates_to=None),
            operation=operation,
        ) from None


# -- the envelope ----------------------------------------------------------------------------


def soap_envelope(
    message: bytes | etree._Element, version: SoapVersion, max_bytes: int
) -> Envelope:
    """The request's SOAP envelope (from its bytes, or its tree if parsed already), of the
    binding's version, with a Body."""
    if isinstance(message, bytes):
        try:
            root = parse_xml(message, max_bytes=max_bytes)
        except ProtocolError as exc:
            raise Refused(
                str(exc), http_error(400, "Bad Request: the message is not well-formed XML")
            ) from None
    else:
        root = message
    got = ENVELOPE_VERSIONS.get(str(root.tag))
    if got is None:
        raise Refused(
            f"the root element is {root.tag!s}, not a SOAP envelope",
            http_error(400, "Bad Request: not a SOAP envelope"),
        )
    if got is not version:
        raise Refused(
            f"a SOAP {got.value} envelope on a SOAP {version.value} endpoint",
            version_mismatch(version, got),
        )
    try:
        return read_envelope(root)
    except ProtocolError as exc:
        raise Refused(str(exc), http_error(400, "Bad Request: the envelope has no Body")) from None


def headers_by_name(envelope: Envelope) -> dict[str, etree._Element]:
    """The envelope's header blocks by Clark name (the first of each name)."""
    found: dict[str, etree._Element] = {}
    for header in envelope.headers:
        found.setdefault(str(header.tag), header)
    return found


def require_security(
    endpoint: Endpoint,
    headers: Mapping[str, etree._Element],
    system: SystemCredentials,
    clock: Clock,
) -> None:
    """The binding's message security: none (Basic) or the system's UsernameToken with a fresh
    Timestamp (WS). EC and EC2 (a security context) are checked by the mock's security service
    once the action is known (`MockAltinn._accept`)."""
    if endpoint.security is Security.USERNAME_TOKEN:
        problem = security_problem(headers.get(f"{{{WSSE}}}Security"), system, clock)
        if problem:
            raise Refused(problem, invalid_security(endpoint.version))


def security_problem(
    security: etree._Element | None, system: SystemCredentials, clock: Clock
) -> str | None:
    """Why WCF would refuse the WS binding's security header (None: it is fine)."""
    if security is None:
        return "no wsse:Security header"
    now = clock()
    problem = timestamp_problem(security.find(f"{{{WSU}}}Timestamp"), now)
    if problem:
        return problem
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
        moment = wsu_time(token_created)
        if moment is None or moment > now + MAX_CLOCK_SKEW:
            return "the UsernameToken's Created is not valid"
    if (
        element_text(token.find(f"{{{WSSE}}}Username")) != system.user_name
        or element_text(password) != system.password.reveal()
    ):
        return "wrong system user name or password in the UsernameToken"
    return None


# -- WS-Addressing and dispatch --------------------------------------------------------------


def addressing_action(version: SoapVersion, headers: Mapping[str, etree._Element]) -> str:
    """The WS-Addressing `Action`, which the binding requires."""
    action = element_text(headers.get(f"{{{WSA}}}Action"))
    if not action:
        raise Refused(
            "no WS-Addressing Action header",
            wcf_fault(
                version,
                "MessageAddressingHeaderRequired",
                HEADER_REQUIRED.format(name="Action"),
                addressing=True,
            ),
        )
    return action


def require_addressed_here(
    endpoint: Endpoint,
    headers: Mapping[str, etree._Element],
    action: str,
    http_action: str | None,
) -> None:
    """The `Action` agrees with the content type's, and `To` (default: anonymous) is this
    endpoint's path."""
    version = endpoint.version
    if http_action and http_action != action:
        raise Refused(
            "the content type's action differs from the Action header",
            wcf_fault(
                version,
                "ActionMismatch",
                ACTION_MISMATCH.format(action=action, http_action=http_action),
                addressing=True,
            ),
        )
    to = element_text(headers.get(f"{{{WSA}}}To")) or WSA_ANONYMOUS
    if urlsplit(to).path.lower() != endpoint.path.lower():
        raise Refused(
            f"To is not this endpoint ({endpoint.path})",
            wcf_fault(
                version,
                "DestinationUnreachable",
                ADDRESS_FILTER_MISMATCH.format(to=to),
                addressing=True,
            ),
        )


def operation_of(endpoint: Endpoint, action: str) -> OperationInfo:
    """The endpoint's operation that `action` selects."""
    operation = endpoint.operations.get(action)
    if operation is None:
        raise Refused(
            f"no operation of {endpoint.path} has this action",
            action_not_supported(endpoint.version, action, endpoint.addressing),
        )
    return operation


def require_understood(
    endpoint: Endpoint, operation: OperationInfo, headers: Iterable[etree._Element]
) -> None:
    """Every mustUnderstand header is the binding's or one of the operation's header parts."""
    understood = endpoint.understood | {qname_of(cls) for cls in operation.input_headers}
    for header in headers:
        if _must_understand(header, endpoint.version) and str(header.tag) not in understood:
            raise Refused(
                f"mustUnderstand header {header.tag!s} is not part of the binding",
                must_understand_fault(endpoint.version, header),
            )


def require_encoding(version: SoapVersion, operation: OperationInfo, mtom: bool) -> None:
    """A streamed (MTOM) operation's endpoint reads multipart/related (XOP) messages only, every
    other endpoint text ones only: else 415, as WCF's message encoder answers."""
    if operation.mtom == mtom:
        return
    expected = (
        'multipart/related; type="application/xop+xml"'
        if operation.mtom
        else (CONTENT_TYPES[version])
    )
    got = "an MTOM message" if mtom else "a text message"
    raise Refused(
        f"{operation.name} {'is' if operation.mtom else 'is not'} streamed (MTOM): got {got}",
        http_error(
            415,
            f"Cannot process the message because the content type was not the expected "
            f"type '{expected}'.",
        ),
    )


# -- the body --------------------------------------------------------------------------------


def typed_request(
    version: SoapVersion,
    operation: OperationInfo,
    envelope: Envelope,
    message_id: str | None,
) -> tuple[Any, tuple[Any, ...]]:
    """The typed body and SOAP header parts; refused with the AltinnFault WCF's formatter
    causes when the body is not the operation's input element or violates its schema."""
    body = envelope.body
    expected = etree.QName(qname_of(operation.input))
    if body is None or body.tag != expected.text:
        found = etree.QName(body) if body is not None else None
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
        fault = Fault(0, localized_message=f"An error occured: {inner}")
        raise _altinn_refusal(
            f"the body is not {expected.text}", version, fault, operation, message_id
        )
    problems = violations(body, operation.input.__name__)
    if problems:
        fault = deserialization_fault(_parameter(body, problems[0]), problems[0].message)
        reason = "schema: " + "; ".join(str(problem) for problem in problems[:3])
        raise _altinn_refusal(reason, version, fault, operation, message_id)
    wanted = {qname_of(cls): cls for cls in operation.input_headers}
    try:
        request = from_element(body, operation.input)
        soap_headers = tuple(
            from_element(header, wanted[str(header.tag)])
            for header in envelope.headers
            if str(header.tag) in wanted
        )
    except AltinnError as exc:
        fault = deserialization_fault(f"{expected.namespace}:{expected.localname}", str(exc))
        raise _altinn_refusal(str(exc), version, fault, operation, message_id) from None
    return request, soap_headers


def require_credentials(
    version: SoapVersion,
    operation: OperationInfo,
    request: Any,
    message_id: str | None,
    system: SystemCredentials,
    users: Sequence[UserCredentials],
    enterprise: EnterpriseCredentials | None = None,
) -> None:
    """The body credentials are the system's (EC, EC2: the enterprise user's) and a known
    person's: else AltinnFault 989."""
    problem = credential_problem(operation, request, system, users, enterprise)
    if problem is not None:
        raise _altinn_refusal(problem, version, Fault(989), operation, message_id)


def credential_problem(
    operation: OperationInfo,
    request: Any,
    system: SystemCredentials,
    users: Sequence[UserCredentials],
    enterprise: EnterpriseCredentials | None = None,
) -> str | None:
    """Why Altinn would answer 989 to these body credentials (None: they are fine). EC and EC2
    carry the enterprise user's `userName`/`password` (header parts when streamed): they must be
    `enterprise`'s (none given: every enterprise user is refused)."""
    values = {kind: getattr(request, name, None) for name, kind in operation.credentials.items()}
    sends_enterprise = (
        Credential.ENTERPRISE_USER_NAME in values or Credential.ENTERPRISE_PASSWORD in values
    )
    if sends_enterprise and (
        enterprise is None
        or values.get(Credential.ENTERPRISE_USER_NAME) != enterprise.user_name
        or values.get(Credential.ENTERPRISE_PASSWORD) != enterprise.password.reveal()
    ):
        return "wrong enterprise userName or password"
    sends_system = Credential.SYSTEM_USER_NAME in values or Credential.SYSTEM_PASSWORD in values
    if sends_system and (
        values.get(Credential.SYSTEM_USER_NAME) != system.user_name
        or values.get(Credential.SYSTEM_PASSWORD) != system.password.reveal()
    ):
        return "wrong systemUserName or systemPassword"
    challenge = getattr(request, "challenge_request", None)
    system_user = getattr(challenge, "system_user_name", None)
    if system_user and system_user != system.user_name:
        return "wrong SystemUserName in the challenge request"
    ssn = values.get(Credential.USER_SSN) or ""
    if not ssn:
        if values.get(Credential.USER_PASSWORD) or values.get(Credential.USER_PIN_CODE):
            return "a user password or pin code without userSSN"
        return None
    user = next((user for user in users if user.ssn.reveal() == ssn), None)
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


# -- helpers ---------------------------------------------------------------------------------


def element_text(element: etree._Element | None) -> str | None:
    """An element's text as WCF reads a header's: stripped, `""` when empty (unlike the runtime's
    reading of answers, which takes empty and `xsi:nil` elements for no value); None when absent.
    """
    if element is None:
        return None
    return "".join(element.itertext()).strip()


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """The media type and parameters (names and charset in lower case) of a Content-Type."""
    media, _, rest = value.partition(";")
    parameters: dict[str, str] = {}
    for part in rest.split(";"):
        name, _, text = part.partition("=")
        if name.strip():
            parameters[name.strip().lower()] = text.strip().strip('"')
    if "charset" in parameters:
        parameters["charset"] = parameters["charset"].lower()
    return media.strip().lower(), parameters


def _altinn_refusal(
    reason: str,
    version: SoapVersion,
    fault: Fault,
    operation: OperationInfo,
    message_id: str | None,
) -> Refused:
    return Refused(reason, altinn_fault(version, fault, operation=operation, relates_to=message_id))


def _must_understand(header: etree._Element, version: SoapVersion) -> bool:
    value = header.get(f"{{{ENVELOPE_NS[version]}}}mustUnderstand", "")
    return value.strip().lower() in ("1", "true")


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
