"""The mock's stateful mode: a small Altinn that remembers, for the main end-user-system workflows.

- Submit a form set: `SubmitFormTask` stores the shipment, answers with an `OK` receipt (references
  `ExternalShipmentReference`, `ArchiveReference`, `WorkFlowReference` = the new reportee element)
  and the reportee's element list shows the archived form task; `GetReceiptV2` finds the receipt by
  id or reference (else AltinnFault 30008), `GetReceiptListV2` lists them, `UpdateReceipt` changes
  one, `GetFormSetElementsV2` lists the forms of the element.
- Read messages: `add_correspondence()` puts a message in a reportee's inbox;
  `GetReporteeElementListV2` / `GetCorrespondenceListForReportee` list it,
  `GetCorrespondenceForEndUserSystemV2` returns it and marks it read (as Altinn does),
  `SaveCorrespondenceConfirmation` confirms it, `DeleteCorrespondence` / `DeleteReporteeElement`
  remove it.
- Broker: `InitiateBrokerService` returns a file reference and makes the file available to every
  recipient (`GetAvailableFiles`). `UploadFileStreamed` (MTOM) keeps the shipment's file on
  the mock's disk, `DownloadFileStreamed` streams it to each recipient (then Downloaded). An
  initiated shipment counts as uploaded (empty) unless `Scenario.broker_auto_upload` is False.
- The pin flow: `GetAuthenticationChallenge` answers `Ok` (code number 2 of an AltinnPin letter)
  for a known person and password, `InvalidCredentials` otherwise.

Every other operation answers with the schema-valid default. The state is plain data
(`elements`, `receipts`, `shipments`, `broker_files`) that a test can read and change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xsdata.models.datatype import XmlDateTime

from altinn2.runtime.codec import context
from altinn2.runtime.credentials import UserCredentials
from altinn2.runtime.operation import OperationInfo
from altinn2.runtime.wsheaders import Clock
from altinn2.testing.examples import example, result_type
from altinn2.testing.faults import Fault

NOT_HANDLED: Any = object()


class Transfer:
    """A streamed (MTOM) call's file, as the scenario sees it: the upload's, spooled to the
    mock's disk (None: none came), which the scenario may keep (`kept`: the mock leaves it on
    disk); a download's content, which its handler names (None: empty)."""

    def __init__(self, upload: Path | None = None) -> None:
        self.upload = upload
        self.kept = False
        self.content: Path | None = None


def xml_time(moment: dt.datetime) -> XmlDateTime:
    """Altinn writes local times without an offset, with milliseconds."""
    moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return XmlDateTime.from_datetime(moment.replace(microsecond=moment.microsecond // 1000 * 1000))


def _moment(value: XmlDateTime | str | None) -> dt.datetime | None:
    """A request's date as an aware datetime (UTC when it has no offset). A date alone (which
    WCF reads, and xsdata keeps as text) is its midnight."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        moment = value.to_datetime()
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def make(cls: type[Any], **values: Any) -> Any:
    """A schema-valid `cls` with `values` for the fields it has (others: the minimal example);
    an enumeration field takes the member's value as text."""
    names = {f.name: f for f in dataclasses.fields(cls)}
    instance = example(cls)
    for name, value in values.items():
        if name not in names or value is None:
            continue
        current = getattr(instance, name, None)
        kind = _enum_of(cls, name)
        if kind is not None and isinstance(value, str):
            value = kind(value)
        elif isinstance(value, enum.Enum) and kind is not None and not isinstance(value, kind):
            value = kind(value.value)
        elif isinstance(current, list) and not isinstance(value, list):
            value = [value]
        setattr(instance, name, value)
    return instance


def _enum_of(cls: type[Any], name: str) -> type[enum.Enum] | None:
    for var in context().build(cls).get_all_vars():
        if var.name == name and var.types and isinstance(var.types[0], type):
            kind = var.types[0]
            if issubclass(kind, enum.Enum):
                return kind
    return None


@dataclass
class Element:
    """A reportee element: a submitted form task or a correspondence in a reportee's inbox."""

    element_id: int
    reportee: str
    kind: str  # "FormTask" or "Correspondence"
    title: str
    service_code: str = ""
    service_edition: int = 1
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    last_changed: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    archive_reference: str | None = None
    summary: str = ""
    body: str = ""
    sender: str = ""
    confirmation_needed: bool = False
    read: bool = False
    confirmed: bool = False
    deleted: bool = False
    forms: list[tuple[str, int]] = field(default_factory=list)  # (DataFormatId, version)

    @property
    def correspondence_status(self) -> str:
        if self.deleted:
            return "DeletedByUser"
        if self.confirmed:
            return "Confirmed"
        return "Read" if self.read else "Created"

    @property
    def status(self) -> str:
        if self.kind == "FormTask":
            return "Archive"
        if self.confirmed:
            return "Confirmed"
        if self.read:
            return "OpenedNotConfirmed" if self.confirmation_needed else "OpenedNoConfirmedReq"
        return (
            "NotOpenedConfirmationReq" if self.confirmation_needed else "NotOpenedNoConfirmationReq"
        )


@dataclass
class StoredReceipt:
    receipt_id: int
    kind: str  # ReceiptType value: FormTask, BrokerService, ...
    status: str  # ReceiptStatus value: OK, Rejected, ...
    text: str
    reportee: str
    last_changed: dt.datetime
    references: dict[str, str] = field(default_factory=dict)  # ReferenceType value -> value
    parent_id: int = 0


@dataclass
class BrokerFile:
    reference: uuid.UUID
    sender: str
    recipient: str
    service_code: str
    service_edition: int
    senders_reference: str
    file_name: str
    sent: dt.datetime
    receipt_id: int
    status: str = "Initiated"  # then Uploaded, Downloaded
    content: Path | None = None  # the streamed upload's file (on the mock's disk)


class Scenario:
    """The state of the stateful mode and the operations that use it (thread-safe)."""

    def __init__(self, clock: Clock, users: Iterable[UserCredentials] = ()) -> None:
        self.clock = clock
        self.users = list(users)
        self.broker_auto_upload = True
        self.elements: dict[int, Element] = {}
        self.receipts: dict[int, StoredReceipt] = {}
        self.shipments: list[Any] = []  # the typed FormTaskShipmentBE of every submission
        self.broker_files: list[BrokerFile] = []
        self._next_id = 100_000
        self._lock = threading.RLock()

    def reset(self) -> None:
        with self._lock:
            self.elements.clear()
            self.receipts.clear()
            self.shipments.clear()
            self.broker_files.clear()

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # -- seeding -------------------------------------------------------------------------------

    def add_correspondence(
        self,
        reportee: str,
        title: str,
        *,
        summary: str = "",
        body: str = "",
        sender: str = "Mock etat",
        service_code: str = "4503",
        service_edition: int = 1,
        confirmation_needed: bool = False,
    ) -> Element:
        """Put a message in `reportee`'s inbox; its `element_id` is also its correspondence id."""
        with self._lock:
            now = self.clock()
            element = Element(
                self._new_id(),
                reportee,
                "Correspondence",
                title,
                service_code=service_code,
                service_edition=service_edition,
                created=now,
                last_changed=now,
                summary=summary,
                body=body,
                sender=sender,
                confirmation_needed=confirmation_needed,
            )
            self.elements[element.element_id] = element
            return element

    def visible(self, reportee: str | None = None, kind: str | None = None) -> list[Element]:
        with self._lock:
            return [
                element
                for element in self.elements.values()
                if not element.deleted
                and (not reportee or element.reportee == reportee)
                and (kind is None or element.kind == kind)
            ]

    # -- dispatch ------------------------------------------------------------------------------

    def handle(
        self, operation: OperationInfo, request: Any, transfer: Transfer | None = None
    ) -> Any:
        """The operation's result (or whole output), `NOT_HANDLED`, or raise `Fault`. `request`
        holds the body's fields and the SOAP header values; a streamed (MTOM) operation's
        handler is given its `transfer` too (the file uploaded, the content to download)."""
        handler = getattr(self, f"_{_snake(operation.base_operation)}", None)
        if handler is None:
            return NOT_HANDLED
        with self._lock:
            if operation.mtom:
                return handler(operation, request, transfer or Transfer())
            return handler(operation, request)

    # -- IntermediaryInbound / Receipt -----------------------------------------------------------

    def _submit_form_task(self, operation: OperationInfo, request: Any) -> Any:
        shipment = request.form_task_shipment
        reportee = shipment.reportee or _user_reportee(request)
        task = shipment.form_tasks
        forms = list(task.forms or []) if task is not None else []
        if not reportee:
            return self._receipt_external(operation, 0, "Rejected", "Reportee is required", {})
        now = self.clock()
        element_id = self._new_id()
        archive_reference = f"AR{element_id}"
        self.elements[element_id] = Element(
            element_id,
            reportee,
            "FormTask",
            (task.service_code if task is not None else None) or "Form task",
            service_code=(task.service_code if task is not None else None) or "",
            service_edition=(task.service_edition if task is not None else None) or 1,
            created=now,
            last_changed=now,
            archive_reference=archive_reference,
            forms=[(form.data_format_id or "", form.data_format_version or 0) for form in forms],
        )
        references = {
            "ArchiveReference": archive_reference,
            "WorkFlowReference": str(element_id),
        }
        if shipment.external_shipment_reference:
            references["ExternalShipmentReference"] = shipment.external_shipment_reference
        receipt = StoredReceipt(
            self._new_id(), "FormTask", "OK", "Form task received", reportee, now, references
        )
        self.receipts[receipt.receipt_id] = receipt
        self.shipments.append(shipment)
        return self._receipt_external(
            operation, receipt.receipt_id, "OK", receipt.text, references, now
        )

    def _receipt_external(
        self,
        operation: OperationInfo,
        receipt_id: int,
        status: str,
        text: str,
        references: dict[str, str],
        moment: dt.datetime | None = None,
    ) -> Any:
        cls = result_type(operation)
        assert cls is not None
        reference_cls = _field_type(cls, "references")
        return make(
            cls,
            receipt_id=receipt_id,
            receipt_text=text,
            last_changed=xml_time(moment or self.clock()),
            receipt_type_name="FormTask",
            receipt_status_code=status,
            parent_receipt_id=0,
            references=[
                make(reference_cls, reference_value=value, reference_type_name=kind)
                for kind, value in references.items()
            ],
        )

    def _typed_receipt(self, operation: OperationInfo, receipt: StoredReceipt) -> Any:
        cls = result_type(operation)
        assert cls is not None
        reference_cls = _field_type(cls, "references")
        return make(
            cls,
            receipt_id=receipt.receipt_id,
            receipt_status=receipt.status,
            receipt_type=receipt.kind,
            receipt_text=receipt.text,
            last_changed=xml_time(receipt.last_changed),
            parent_receipt_id=receipt.parent_id,
            references=[
                make(reference_cls, reference_type=kind, reference_value=value)
                for kind, value in receipt.references.items()
            ],
            sub_receipts=[],
        )

    def _find_receipt(self, search: Any) -> StoredReceipt:
        if search.receipt_id:
            found = self.receipts.get(search.receipt_id)
            if found is not None:
                return found
            raise Fault(30008)
        wanted = {
            (_text(reference.reference_type), reference.reference_value)
            for reference in search.references or []
        }
        for receipt in self.receipts.values():
            if wanted & set(receipt.references.items()):
                return receipt
        raise Fault(30008)

    def _get_receipt_v2(self, operation: OperationInfo, request: Any) -> Any:
        return self._typed_receipt(operation, self._find_receipt(request.receipt))

    def _get_receipt_list_v2(self, operation: OperationInfo, request: Any) -> Any:
        kind = _text(request.receipt_type_name)
        low, high = _moment(request.date_from), _moment(request.date_to)
        return [
            self._typed_receipt(operation, receipt)
            for receipt in self.receipts.values()
            if (kind in (None, "NotSet") or receipt.kind == kind)
            and (low is None or receipt.last_changed >= low)
            and (high is None or receipt.last_changed <= high)
        ]

    def _update_receipt(self, operation: OperationInfo, request: Any) -> Any:
        save = request.receipt
        receipt = self.receipts.get(save.receipt_id or 0)
        if receipt is None:
            raise Fault(30008)
        receipt.status = _text(save.receipt_status) or receipt.status
        receipt.text = save.receipt_text or receipt.text
        receipt.last_changed = self.clock()
        return self._typed_receipt(operation, receipt)

    # -- ReporteeElementList ---------------------------------------------------------------------

    def _element(self, cls: type[Any], element: Element) -> Any:
        return make(
            cls,
            reportee_element_id=element.element_id,
            se_reportee_element_id=element.element_id,
            reportee_element_type=element.kind,
            title=element.title,
            status=element.status,
            status_name=element.status,
            correspondence_status=(
                element.correspondence_status if element.kind == "Correspondence" else "Default"
            ),
            last_changed_date=xml_time(element.last_changed),
            last_change_type="Archived" if element.kind == "FormTask" else "Sent",
            external_service_code=element.service_code,
            service_edition_version=element.service_edition,
            archive_reference=element.archive_reference,
            archive_id=element.element_id if element.archive_reference else None,
            reportee_name=element.reportee,
            allow_delete=True,
            task_status="Archive" if element.kind == "FormTask" else "Default",
        )

    def _get_reportee_element_list_v2(self, operation: OperationInfo, request: Any) -> Any:
        search = request.search_be
        reportee = (search.reportee if search is not None else None) or _user_reportee(request)
        codes = set(search.service_code_list or []) if search is not None else set()
        low = _moment(search.from_date) if search is not None else None
        high = _moment(search.to_date) if search is not None else None
        cls = result_type(operation)
        assert cls is not None
        return [
            self._element(cls, element)
            for element in self.visible(reportee)
            if (not codes or element.service_code in codes)
            and _between(element.last_changed, low, high)
        ]

    def _get_correspondence_list_for_reportee(self, operation: OperationInfo, request: Any) -> Any:
        cls = result_type(operation)
        assert cls is not None
        reportee = request.reportee or _user_reportee(request)
        low, high = _moment(request.from_date), _moment(request.to_date)
        return [
            self._element(cls, element)
            for element in self.visible(reportee, "Correspondence")
            if _between(element.last_changed, low, high)
        ]

    def _get_correspondence_list_for_archive_ref(
        self, operation: OperationInfo, request: Any
    ) -> Any:
        cls = result_type(operation)
        assert cls is not None
        return [
            self._element(cls, e)
            for e in self.visible(request.reportee or _user_reportee(request), "Correspondence")
            if request.archive_reference and e.archive_reference == request.archive_reference
        ]

    def _get_form_set_elements_v2(self, operation: OperationInfo, request: Any) -> Any:
        element = self.elements.get(request.reportee_element_id)
        if element is None or element.deleted or element.kind != "FormTask":
            raise Fault(0, f"No form set with id {request.reportee_element_id}")
        cls = result_type(operation)
        assert cls is not None
        return [
            make(
                cls,
                item_id=index + 1,
                item_name=f"{data_format_id} ({version})",
                item_type="MainForm" if index == 0 else "SubForm",
                created_date_time=xml_time(element.created),
                is_associated_to_form_set=True,
            )
            for index, (data_format_id, version) in enumerate(element.forms)
        ]

    def _delete_reportee_element(self, operation: OperationInfo, request: Any) -> Any:
        code = request.reportee_element_code or ""
        element = self.elements.get(int(code)) if code.isdigit() else None
        if element is None or element.deleted:
            raise Fault(0, f"No reportee element {code}")
        element.deleted = True
        element.last_changed = self.clock()
        return NOT_HANDLED  # the empty response

    # -- CorrespondenceExternal ------------------------------------------------------------------

    def _correspondence(self, element_id: int | None) -> Element:
        element = self.elements.get(element_id or 0)
        if element is None or element.deleted or element.kind != "Correspondence":
            raise Fault(0, f"No correspondence with id {element_id}")
        return element

    def _get_correspondence_for_end_user_system_v2(
        self, operation: OperationInfo, request: Any
    ) -> Any:
        element = self._correspondence(request.correspondence_id)
        element.read = True  # reading through the API marks it read, as Altinn does
        element.last_changed = self.clock()
        cls = result_type(operation)
        assert cls is not None
        correspondence_cls = _field_type(cls, "correspondence")
        correspondence = make(
            correspondence_cls,
            correspondence_id=element.element_id,
            correspondence_title=element.title,
            correspondence_subject=element.title,
            correspondence_summary=element.summary,
            correspondence_txt=element.body,
            correspondence_status=element.correspondence_status,
            is_confirmation_needed=element.confirmation_needed,
            confirmation_date=xml_time(element.last_changed) if element.confirmed else None,
            date_sent=xml_time(element.created),
            sent_by=element.sender,
            reportee=int(element.reportee) if element.reportee.isdigit() else 0,
            archive_reference=element.archive_reference,
        )
        return make(
            cls,
            correspondence=correspondence,
            correspondence_attachments=[],
            correspondence_links=[],
            correspondence_notifications=[],
        )

    def _save_correspondence_confirmation(self, operation: OperationInfo, request: Any) -> Any:
        element = self._correspondence(request.reportee_element_id)
        element.read = True
        element.confirmed = True
        element.last_changed = self.clock()
        return NOT_HANDLED

    def _delete_correspondence(self, operation: OperationInfo, request: Any) -> Any:
        element = self._correspondence(request.reportee_element_id)
        element.deleted = True
        element.last_changed = self.clock()
        return NOT_HANDLED

    # -- BrokerService ---------------------------------------------------------------------------

    def _initiate_broker_service(self, operation: OperationInfo, request: Any) -> Any:
        initiation = request.broker_service_initiation
        manifest = initiation.manifest
        if manifest is None:
            raise Fault(40201, "The manifest is required")
        reference = uuid.uuid4()
        now = self.clock()
        receipt = StoredReceipt(
            self._new_id(),
            "BrokerService",
            "OK",
            "Broker shipment initiated",
            manifest.reportee or "",
            now,
            {"SendersReference": manifest.senders_reference or ""},
        )
        self.receipts[receipt.receipt_id] = receipt
        files = manifest.file_list or []
        for recipient in initiation.recipient_list or []:
            self.broker_files.append(
                BrokerFile(
                    reference,
                    manifest.reportee or "",
                    recipient.party_number or "",
                    manifest.external_service_code or "",
                    manifest.external_service_edition_code,
                    manifest.senders_reference or "",
                    (files[0].file_name if files else None) or "payload.zip",
                    now,
                    receipt.receipt_id,
                    "Uploaded" if self.broker_auto_upload else "Initiated",
                )
            )
        return str(reference)

    def _get_available_files(self, operation: OperationInfo, request: Any) -> Any:
        search = request.search_parameters
        status = _text(search.file_status) or "Uploaded"
        low, high = _moment(search.min_sent_date_time), _moment(search.max_sent_date_time)
        cls = result_type(operation)
        assert cls is not None
        return [
            make(
                cls,
                file_reference=file.reference,
                file_name=file.file_name,
                file_status=file.status,
                reportee=file.recipient,
                external_service_code=file.service_code,
                external_service_edition_code=file.service_edition,
                senders_reference=file.senders_reference,
                sent_date=xml_time(file.sent),
                receipt_id=file.receipt_id,
                file_size=0,
                is_sftp_download_only=False,
            )
            for file in self.broker_files
            if file.status == status
            and (not search.reportee or file.recipient == search.reportee)
            and (
                not search.external_service_code
                or file.service_code == search.external_service_code
            )
            and (low is None or file.sent >= low)
            and (high is None or file.sent <= high)
        ]

    def _upload_file_streamed(
        self, operation: OperationInfo, request: Any, transfer: Transfer
    ) -> Any:
        """A broker upload keeps its file for the recipients' download (without a file: the
        default answer). A header part left out (WCF: null) is not in `request`."""
        if transfer.upload is None:
            return NOT_HANDLED
        reference = getattr(request, "reference", None) or ""
        file_name = getattr(request, "file_name", None) or ""
        receipt = self.upload_broker_file(
            operation, str(reference), str(file_name), transfer.upload
        )
        transfer.kept = True
        return receipt

    def _download_file_streamed(
        self, operation: OperationInfo, request: Any, transfer: Transfer
    ) -> Any:
        """A recipient's download: the default answer, the file kept as its content."""
        transfer.content = self.download_broker_file(
            str(request.file_reference), str(request.reportee)
        )
        return NOT_HANDLED

    def upload_broker_file(
        self, operation: OperationInfo, reference: str, file_name: str, content: Path
    ) -> Any:
        """A streamed upload (`UploadFileStreamed`): the file of the shipment `reference`, kept
        on disk for its recipients; its receipt (as the transition service writes it);
        AltinnFault 40202 for an unknown reference."""
        with self._lock:
            files = [file for file in self.broker_files if str(file.reference) == reference]
            if not files:
                raise Fault(40202, f"No broker shipment with the reference {reference!r}")
            previous = {f.content for f in files if f.content is not None and f.content != content}
            for file in files:
                file.content, file.status = content, "Uploaded"
                file.file_name = file_name or file.file_name
            for path in previous:  # a new upload replaces the shipment's file
                path.unlink(missing_ok=True)
            cls = operation.output
            assert cls is not None
            return make(
                cls,
                last_changed=self.clock().strftime("%d.%m.%Y %H:%M:%S"),
                parent_receipt_id=0,
                receipt_id=files[0].receipt_id,
                receipt_status_code="OK",
                receipt_text=f"Upload of file {reference} was successful. Recipients can now "
                "download the file.",
                receipt_type_name="BrokerService",
            )

    def download_broker_file(self, reference: str, reportee: str) -> Path | None:
        """A recipient's streamed download (`DownloadFileStreamed`): the uploaded file (None: an
        empty one, for a shipment marked uploaded without a file), then marked Downloaded;
        AltinnFault 40207 when no file is ready for that reportee."""
        with self._lock:
            for file in self.broker_files:
                ready = file.status in ("Uploaded", "Downloaded")
                if str(file.reference) == reference and file.recipient == reportee and ready:
                    file.status = "Downloaded"
                    return file.content
        raise Fault(40207, f"No file is ready for download with the reference {reference!r}")

    # -- SystemAuthentication --------------------------------------------------------------------

    def _get_authentication_challenge(self, operation: OperationInfo, request: Any) -> Any:
        challenge = request.challenge_request
        cls = result_type(operation)
        assert cls is not None
        now = self.clock()
        user = next(
            (
                user
                for user in self.users
                if challenge is not None
                and user.ssn.reveal() == (challenge.user_ssn or "")
                and user.password.reveal() == (challenge.user_password or "")
            ),
            None,
        )
        method = (challenge.auth_method if challenge is not None else None) or "AltinnPin"
        if user is None:
            return make(cls, status="InvalidCredentials", message="Invalid credentials")
        if method not in ("AltinnPin", "SMSPin"):
            return make(cls, status="InvalidPinType", message=f"Unknown pin type {method}")
        message = (
            "Benytt engangskode 2 fra brev datert torsdag, 17. desember 2015"
            if method == "AltinnPin"
            else "Engangskode er sendt på SMS"
        )
        return make(
            cls,
            status="Ok",
            message=message,
            valid_from=xml_time(now),
            valid_to=xml_time(now + dt.timedelta(minutes=30)),
        )


def _between(moment: dt.datetime, low: dt.datetime | None, high: dt.datetime | None) -> bool:
    """Within [low, high]; a date-only bound (midnight) includes its whole day."""
    if high is not None and high.time() == dt.time(0):
        high += dt.timedelta(days=1)
    return (low is None or moment >= low) and (high is None or moment < high)


def _snake(name: str) -> str:
    out = []
    for index, char in enumerate(name):
        if char.isupper() and index and (not name[index - 1].isupper()):
            out.append("_")
        out.append(char.lower())
    return "".join(out)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value.value) if isinstance(value, enum.Enum) else str(value)


def _user_reportee(request: Any) -> str:
    return str(getattr(request, "user_ssn", None) or "")


def _field_type(cls: type[Any], name: str) -> type[Any]:
    """The model class of a field (of its items, for a list)."""
    for var in context().build(cls).get_all_vars():
        if var.name == name and var.clazz is not None:
            return var.clazz
    raise TypeError(f"{cls.__name__} has no model field {name}")
