"""The answers a WCF service (and Altinn's error handler on top of it) gives to a bad request.

- Channel and dispatcher faults, in the binding's SOAP version: `a:ActionNotSupported` (unknown
  action), `a:DestinationUnreachable` (WS-Addressing `To` not this endpoint),
  `a:MessageAddressingHeaderRequired` / `a:ActionMismatch` (WS-Addressing), `o:InvalidSecurity`
  (UsernameToken or Timestamp refused; always the same reason, as WCF does not say why),
  `MustUnderstand` and `VersionMismatch`.
- `AltinnFault` (detail in `http://www.altinn.no/services/common/fault/2009/10`, faultcode
  `s:Client` / `Sender`, reason "An error occurred", HTTP 500), by ErrorID: 0 for anything the
  service could not deserialize, 989 for wrong credentials, and whatever a test injects.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from altinn2.models.fault_2009_10 import AltinnFault
from altinn2.runtime.codec import to_element
from altinn2.runtime.envelope import ENVELOPE_NS, SOAP11, SOAP12, build_envelope, must_understand
from altinn2.runtime.operation import OperationInfo, SoapVersion
from altinn2.runtime.wsheaders import WSA, WSSE

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
WSA_FAULT_ACTION = f"{WSA}/fault"
CONTENT_TYPES = {
    SoapVersion.SOAP11: "text/xml; charset=utf-8",
    SoapVersion.SOAP12: "application/soap+xml; charset=utf-8",
}

# WCF's own texts (en-US), so that a client's error handling sees what it would see in production.
ACTION_NOT_SUPPORTED = (
    "The message with Action '{action}' cannot be processed at the receiver, due to a "
    "ContractFilter mismatch at the EndpointDispatcher. This may be because of either a contract "
    "mismatch (mismatched Actions between sender and receiver) or a binding/security mismatch "
    "between the sender and the receiver.  Check that sender and receiver have the same contract "
    "and the same binding (including security requirements, e.g. Message, Transport, None)."
)
ADDRESS_FILTER_MISMATCH = (
    "The message with To '{to}' cannot be processed at the receiver, due to an AddressFilter "
    "mismatch at the EndpointDispatcher.  Check that the sender and receiver's EndpointAddresses "
    "agree."
)
HEADER_REQUIRED = "Required header '{name}' is not present; it is required by the binding."
ACTION_MISMATCH = (
    "The SOAP action specified on the message, '{action}', does not match the HTTP SOAP Action, "
    "'{http_action}'."
)
INVALID_SECURITY = "An error occurred when verifying security for the message."
MUST_UNDERSTAND = (
    "The header '{local}' from the namespace '{namespace}' was not understood by the recipient of "
    "this message, causing the message to not be processed.  This error typically indicates that "
    "the sender of this message has enabled a communication protocol that the receiver cannot "
    "process.  Please ensure that the configuration of the client's binding is consistent with "
    "the service's binding."
)
VERSION_MISMATCH = (
    "The envelope version of the incoming message ({got}) does not match that of the encoder "
    "({expected}). Make sure the binding is configured with the same version as the expected "
    "messages."
)
CONTENT_TYPE_MISMATCH = (
    "Cannot process the message because the content type '{got}' was not the expected type "
    "'{expected}'."
)
ENVELOPE_NAMES = {
    SoapVersion.SOAP11: f"Soap11 ({SOAP11})",
    SoapVersion.SOAP12: f"Soap12 ({SOAP12})",
}

# Altinn's texts (recorded faults; Altinn/docs), by ErrorID.
ALTINN_REASON = "An error occurred"
NON_FUNCTIONAL = (
    "Your request suffered from a non-functional error. If this persist, please report it to the "
    "system administrator. Please include the id concerning this speciffic error [{guid}]."
)
DESERIALIZATION = (
    "An error occured: The formatter threw an exception while trying to deserialize the message: "
    "There was an error while trying to deserialize parameter {parameter}. The InnerException "
    "message was '{inner}'.  Please see InnerException for more details."
)
ERROR_MESSAGES: Mapping[int, str] = {
    0: NON_FUNCTIONAL,
    5: "The end user system could not be authorized",
    14: "The user is missing the right to perform the action",
    989: "Incorrect username/password/pin given for user",
    30001: "User is not authorized to perform the action on behalf of the reportee",
    30008: "No receipt found for the given search",
    40207: "No file is ready for download with the given file reference",
}
NO_INFORMATION = "No information available"
NO_VALUE = "-no value-"


class Fault(Exception):
    """Raise in a responder (or register with `MockAltinn.fault`) to answer with an AltinnFault.

    `message` defaults to Altinn's text for the ErrorID; `{guid}` in it becomes the ErrorGuid.
    """

    def __init__(
        self,
        error_id: int,
        message: str | None = None,
        *,
        localized_message: str | None = None,
        extended_message: str = NO_INFORMATION,
        user_id: str = "0",
    ) -> None:
        self.error_id = error_id
        self.message = message or ERROR_MESSAGES.get(error_id, f"Altinn error {error_id}")
        self.localized_message = localized_message
        self.extended_message = extended_message
        self.user_id = user_id
        super().__init__(f"AltinnFault {error_id}: {self.message}")


@dataclass(frozen=True)
class Reply:
    """An HTTP answer of the mock; `outcome` says in a few words what it was, for the record."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    outcome: str = "ok"
    # An MTOM answer, written as it is read (a file on disk): its length and its bytes.
    stream: tuple[int, Iterable[bytes]] | None = field(default=None, repr=False, compare=False)


def addressing_reply_headers(
    version: SoapVersion, action: str, relates_to: str | None
) -> list[etree._Element]:
    """`a:Action` (mustUnderstand) and `a:RelatesTo`, as WCF answers a WS-Addressing request."""
    action_element = must_understand(etree.Element(f"{{{WSA}}}Action", nsmap={"a": WSA}), version)
    action_element.text = action
    headers = [action_element]
    if relates_to:
        relates = etree.Element(f"{{{WSA}}}RelatesTo", nsmap={"a": WSA})
        relates.text = relates_to
        headers.append(relates)
    return headers


def soap_fault(
    version: SoapVersion,
    code: str,
    reason: str,
    *,
    subcode: tuple[str, str, str] | None = None,
    detail: etree._Element | None = None,
    headers: list[etree._Element] | None = None,
    lang: str = "en-US",
) -> bytes:
    """A fault envelope. `code` is the SOAP 1.2 code (`Sender`, `Receiver`, `MustUnderstand`,
    `VersionMismatch`); SOAP 1.1 gets `Client`/`Server`. `subcode` is (prefix, namespace,
    local name): the SOAP 1.2 Subcode, and SOAP 1.1's faultcode itself (as WCF writes it)."""
    namespace = ENVELOPE_NS[version]
    nsmap: dict[str | None, str] = {}
    if subcode is not None:
        nsmap[subcode[0]] = subcode[1]
    fault = etree.Element(f"{{{namespace}}}Fault", nsmap=nsmap or None)
    if version is SoapVersion.SOAP11:
        legacy = {"Sender": "Client", "Receiver": "Server"}.get(code, code)
        faultcode = f"{subcode[0]}:{subcode[2]}" if subcode is not None else f"s:{legacy}"
        etree.SubElement(fault, "faultcode").text = faultcode
        faultstring = etree.SubElement(fault, "faultstring")
        faultstring.set(XML_LANG, lang)
        faultstring.text = reason
        if detail is not None:
            etree.SubElement(fault, "detail").append(detail)
    else:
        code_element = etree.SubElement(fault, f"{{{namespace}}}Code")
        etree.SubElement(code_element, f"{{{namespace}}}Value").text = f"s:{code}"
        if subcode is not None:
            sub = etree.SubElement(code_element, f"{{{namespace}}}Subcode")
            etree.SubElement(sub, f"{{{namespace}}}Value").text = f"{subcode[0]}:{subcode[2]}"
        reason_element = etree.SubElement(fault, f"{{{namespace}}}Reason")
        text = etree.SubElement(reason_element, f"{{{namespace}}}Text")
        text.set(XML_LANG, lang)
        text.text = reason
        if detail is not None:
            etree.SubElement(fault, f"{{{namespace}}}Detail").append(detail)
    return build_envelope(version, headers or [], [fault])


def wcf_fault(
    version: SoapVersion,
    subcode: str,
    reason: str,
    *,
    namespace: str = WSA,
    prefix: str = "a",
    addressing: bool = False,
    status: int = 500,
) -> Reply:
    """A dispatcher/channel fault (`Sender` + `subcode`), with `a:Action` .../fault on
    WS-Addressing bindings."""
    headers = (
        addressing_reply_headers(version, WSA_FAULT_ACTION, None)
        if addressing and version is SoapVersion.SOAP12
        else None
    )
    body = soap_fault(
        version, "Sender", reason, subcode=(prefix, namespace, subcode), headers=headers
    )
    return Reply(status, body, CONTENT_TYPES[version], outcome=f"{prefix}:{subcode}")


def action_not_supported(version: SoapVersion, action: str, addressing: bool) -> Reply:
    return wcf_fault(
        version,
        "ActionNotSupported",
        ACTION_NOT_SUPPORTED.format(action=action),
        addressing=addressing,
    )


def invalid_security(version: SoapVersion) -> Reply:
    return wcf_fault(version, "InvalidSecurity", INVALID_SECURITY, namespace=WSSE, prefix="o")


def must_understand_fault(version: SoapVersion, header: etree._Element) -> Reply:
    name = etree.QName(header)
    reason = MUST_UNDERSTAND.format(local=name.localname, namespace=name.namespace)
    headers: list[etree._Element] = []
    if version is SoapVersion.SOAP12:
        not_understood = etree.Element(
            f"{{{SOAP12}}}NotUnderstood", nsmap={"h": name.namespace or ""}
        )
        not_understood.set("qname", f"h:{name.localname}")
        headers.append(not_understood)
    body = soap_fault(version, "MustUnderstand", reason, headers=headers)
    return Reply(500, body, CONTENT_TYPES[version], outcome="s:MustUnderstand")


def version_mismatch(expected: SoapVersion, got: SoapVersion) -> Reply:
    reason = VERSION_MISMATCH.format(got=ENVELOPE_NAMES[got], expected=ENVELOPE_NAMES[expected])
    body = soap_fault(expected, "VersionMismatch", reason)
    return Reply(500, body, CONTENT_TYPES[expected], outcome="s:VersionMismatch")


def altinn_fault_detail(fault: Fault, error_guid: str) -> etree._Element:
    message = fault.message.replace("{guid}", error_guid)
    detail = AltinnFault(
        altinn_error_message=message,
        altinn_extended_error_message=fault.extended_message,
        altinn_localized_error_message=(fault.localized_message or message).replace(
            "{guid}", error_guid
        ),
        error_guid=error_guid,
        error_id=fault.error_id,
        user_guid=NO_VALUE,
        user_id=fault.user_id,
    )
    return to_element(detail)


def altinn_fault(
    version: SoapVersion,
    fault: Fault,
    *,
    operation: OperationInfo | None = None,
    relates_to: str | None = None,
    error_guid: str | None = None,
) -> Reply:
    """The AltinnFault for `fault`, as Altinn sends it on the operation's binding (SOAP 1.2:
    with the WSDL's fault action `<action>AltinnFaultFault`)."""
    guid = error_guid or str(uuid.uuid4())
    headers = None
    if version is SoapVersion.SOAP12 and operation is not None and operation.addressing:
        headers = addressing_reply_headers(
            version, f"{operation.action}AltinnFaultFault", relates_to
        )
    body = soap_fault(
        version,
        "Sender",
        ALTINN_REASON,
        detail=altinn_fault_detail(fault, guid),
        headers=headers,
        lang="nb-NO",
    )
    return Reply(500, body, CONTENT_TYPES[version], outcome=f"AltinnFault {fault.error_id}")


def deserialization_fault(parameter: str, inner: str) -> Fault:
    """ErrorID 0, worded as Altinn words a request its formatter could not read."""
    return Fault(
        0,
        NON_FUNCTIONAL,
        localized_message=DESERIALIZATION.format(parameter=parameter, inner=inner),
    )


def http_error(status: int, text: str, *, headers: Mapping[str, str] | None = None) -> Reply:
    """A plain HTTP error (415, 405, 404, 400, ...): a short text body, no SOAP."""
    return Reply(
        status,
        text.encode("utf-8"),
        "text/plain; charset=utf-8" if text else None,
        dict(headers or {}),
        outcome=f"HTTP {status}",
    )
