"""The mock's stateful mode, through the pytest plugin's fixtures, as an app's tests use it:
submit a form task -> receipt -> the reportee's element list shows it; list elements -> read a
correspondence -> confirm it; broker initiate -> available files; the pin flow.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from xsdata.models.datatype import XmlDateTime

from altinn2 import AsyncClient, Client, UserCredentials
from altinn2.models.broker_2015_06 import (
    BrokerServiceInitiation,
    BrokerServiceSearch,
    File,
    Manifest,
    Recipient,
)
from altinn2.models.enums import BrokerServiceAvailableFileStatus, ReceiptStatusEnum, ReferenceType
from altinn2.models.intermediary_inbound_service_2009_10 import Form, FormTask, FormTaskShipmentBE
from altinn2.models.receipt_2015_06 import ReceiptSearch, Reference
from altinn2.models.reportee_archive_2009_10 import ExternalSearchBEV2
from altinn2.runtime.errors import AuthenticationFailedError, MissingRightError, NotFoundError
from altinn2.runtime.pin import PinChallengeError, PinFlow
from altinn2.runtime.receipts import receipt_ok
from altinn2.testing import DEFAULT_USER, MockAltinn, example

ORG = "910000001"
SINCE = XmlDateTime(2000, 1, 1, 0, 0, 0)
UNTIL = XmlDateTime(2100, 1, 1, 0, 0, 0)


def shipment(reference: str, reportee: str = ORG) -> FormTaskShipmentBE:
    return FormTaskShipmentBE(
        reportee=reportee,
        external_shipment_reference=reference,
        form_tasks=FormTask(
            service_code="4712",
            service_edition=1,
            forms=[
                Form(
                    completed=True,
                    data_format_id="5678",
                    data_format_version=12345,
                    end_user_system_reference="main",
                    parent_reference=0,
                    form_data="<Skjema/>",
                )
            ],
        ),
    )


def search(reportee: str = ORG, **values: Any) -> ExternalSearchBEV2:
    return example(ExternalSearchBEV2, reportee=reportee, from_date=SINCE, to_date=UNTIL, **values)


def test_submit_form_task_then_receipt_then_element_list(
    altinn2_mock: MockAltinn, altinn2_client: Client
) -> None:
    receipt = altinn2_client.intermediary_inbound.submit_form_task_basic(
        form_task_shipment=shipment("my-ref-1")
    )
    assert receipt is not None and receipt_ok(receipt)
    assert receipt.receipt_status_code is not None and receipt.receipt_status_code.value == "OK"
    references = {r.reference_type_name.value: r.reference_value for r in receipt.references or []}
    assert references["ExternalShipmentReference"] == "my-ref-1"
    element_id = int(references["WorkFlowReference"])

    receipts = altinn2_client.receipt_external
    by_id = receipts.get_receipt_basic_v2(receipt=ReceiptSearch(receipt_id=receipt.receipt_id))
    assert by_id is not None and by_id.receipt_status is ReceiptStatusEnum.OK
    by_reference = receipts.get_receipt_basic_v2(
        receipt=ReceiptSearch(
            references=[
                Reference(
                    reference_type=ReferenceType.EXTERNAL_SHIPMENT_REFERENCE,
                    reference_value="my-ref-1",
                )
            ]
        )
    )
    assert by_reference is not None and by_reference.receipt_id == receipt.receipt_id
    with pytest.raises(NotFoundError):
        receipts.get_receipt_basic_v2(receipt=ReceiptSearch(receipt_id=1))

    # Both bindings list the reportee's archived form task; another reportee sees nothing.
    for binding in ("Basic", "WS"):
        listing = altinn2_mock.client(binding).reportee_element_list
        elements = listing.get_reportee_element_list_v2(search_be=search(), language_id=1044)
        assert [(e.reportee_element_id, e.reportee_element_type.value) for e in elements] == [
            (element_id, "FormTask")
        ]
        assert elements[0].archive_reference == references["ArchiveReference"]
    other = altinn2_client.reportee_element_list.get_reportee_element_list_v2(
        search_be=search("910000002"), language_id=1044
    )
    assert other == []
    forms = altinn2_client.reportee_element_list.get_form_set_elements_basic_v2(
        reportee_element_id=element_id, language_id=1044
    )
    assert [f.item_name for f in forms] == ["5678 (12345)"]
    (shipped,) = altinn2_mock.scenario.shipments
    assert shipped.form_tasks.forms[0].form_data == "<Skjema/>"


def test_list_read_and_confirm_a_correspondence(
    altinn2_mock: MockAltinn, altinn2_client: Client
) -> None:
    message = altinn2_mock.scenario.add_correspondence(
        ORG, "Vedtak", summary="Les meg", body="<p>Hei</p>", confirmation_needed=True
    )
    listing = altinn2_client.reportee_element_list
    (element,) = listing.get_reportee_element_list_basic_v2(search_be=search(), language_id=1044)
    assert element.reportee_element_type.value == "Correspondence"
    assert element.status.value == "NotOpenedConfirmationReq"

    correspondence = altinn2_client.correspondence_external
    read = correspondence.get_correspondence_for_end_user_systems_basic_v2(
        correspondence_id=element.reportee_element_id, language_id=1044
    )
    assert read is not None and read.correspondence is not None
    assert read.correspondence.correspondence_title == "Vedtak"
    assert read.correspondence.correspondence_txt == "<p>Hei</p>"
    assert read.correspondence.is_confirmation_needed is True
    assert message.read and not message.confirmed  # reading marked it read, as Altinn does

    correspondence.save_correspondence_confirmation_basic(
        reportee_element_id=element.reportee_element_id
    )
    assert message.confirmed
    ws = altinn2_mock.client("WS").reportee_element_list
    (listed,) = ws.get_correspondence_list_for_reportee_ws(
        reportee=ORG,
        from_date=SINCE,
        to_date=UNTIL,
        language_id=1044,
    )
    assert listed.status.value == "Confirmed"
    correspondence.delete_correspondence_basic(reportee_element_id=element.reportee_element_id)
    assert listing.get_reportee_element_list_basic_v2(search_be=search(), language_id=1044) == []
    assert [call.operation for call in altinn2_mock.calls] == [
        "GetReporteeElementListBasicV2",
        "GetCorrespondenceForEndUserSystemsBasicV2",
        "SaveCorrespondenceConfirmationBasic",
        "GetCorrespondenceListForReportee",
        "DeleteCorrespondenceBasic",
        "GetReporteeElementListBasicV2",
    ]


def test_broker_initiate_then_available_files(altinn2_client: Client) -> None:
    broker = altinn2_client.broker_service
    reference = broker.initiate_broker_service_basic(
        broker_service_initiation=BrokerServiceInitiation(
            manifest=Manifest(
                external_service_code="4752",
                external_service_edition_code=1,
                file_list=[File(check_sum=None, file_name="payload.zip")],
                property_list=[],
                reportee=ORG,
                senders_reference="sender-1",
            ),
            recipient_list=[Recipient(party_number="910000002")],
        )
    )
    assert reference is not None and uuid.UUID(reference)
    files = broker.get_available_files_basic(
        search_parameters=BrokerServiceSearch(
            external_service_code="4752",
            file_status=BrokerServiceAvailableFileStatus.UPLOADED,
            reportee="910000002",
        )
    )
    assert [(str(f.file_reference), f.file_name, f.senders_reference) for f in files] == [
        (reference, "payload.zip", "sender-1")
    ]
    nobody = broker.get_available_files_basic(
        search_parameters=BrokerServiceSearch(
            file_status=BrokerServiceAvailableFileStatus.UPLOADED, reportee=ORG
        )
    )
    assert nobody == []


def test_pin_flow_challenge_then_calls_with_the_pin(altinn2_mock: MockAltinn) -> None:
    person = UserCredentials(DEFAULT_USER.ssn, DEFAULT_USER.password)  # no pin yet
    client = altinn2_mock.client(user=person)
    listing = client.reportee_element_list
    with pytest.raises(AuthenticationFailedError):
        listing.get_reportee_element_list_basic_v2(search_be=search(), language_id=1044)
    flow = PinFlow(client, person, "AltinnPin")
    challenge = flow.challenge()
    assert challenge.code_number == 2
    assert challenge.valid_to is not None and challenge.valid_from is not None
    assert challenge.valid_to - challenge.valid_from == dt.timedelta(minutes=30)
    flow.use_pin("12345")
    assert listing.get_reportee_element_list_basic_v2(search_be=search(), language_id=1044) == []

    stranger = UserCredentials("01017099999", "wrong")
    with pytest.raises(PinChallengeError, match="InvalidCredentials"):
        PinFlow(altinn2_mock.client(user=stranger), stranger).challenge()


async def test_async_client_fixture_and_scenario(
    altinn2_mock: MockAltinn, altinn2_async_client: AsyncClient
) -> None:
    altinn2_mock.scenario.add_correspondence(ORG, "Async")
    listing = altinn2_async_client.reportee_element_list
    (element,) = await listing.get_reportee_element_list_basic_v2(
        search_be=search(), language_id=1044
    )
    assert element.title == "Async"
    receipt = await altinn2_async_client.intermediary_inbound.submit_form_task_basic(
        form_task_shipment=shipment("async-1")
    )
    assert receipt is not None and receipt_ok(receipt)


def test_fixture_starts_clean(altinn2_mock: MockAltinn) -> None:
    """Each test gets the session's mock reset: no calls, rules or scenario state."""
    assert altinn2_mock.calls == () and altinn2_mock.scenario.elements == {}
    assert altinn2_mock.stateful and altinn2_mock.url.startswith("http://127.0.0.1:")


# The README's example: an app's test with the fixture.


class InboxApp:
    """A tiny app: reads the organisation's unread messages and confirms them."""

    def __init__(self, client: Client, organisation: str) -> None:
        self.client = client
        self.organisation = organisation

    def confirm_all(self) -> list[str]:
        listing = self.client.reportee_element_list
        search_be = ExternalSearchBEV2(reportee=self.organisation, from_date=SINCE, to_date=UNTIL)
        titles = []
        for element in listing.get_reportee_element_list_v2(search_be=search_be, language_id=1044):
            if element.reportee_element_type.value != "Correspondence":
                continue
            service = self.client.correspondence_external
            message = service.get_correspondence_for_end_user_systems_basic_v2(
                correspondence_id=element.reportee_element_id, language_id=1044
            )
            assert message is not None and message.correspondence is not None
            service.save_correspondence_confirmation_basic(
                reportee_element_id=element.reportee_element_id
            )
            titles.append(message.correspondence.correspondence_title or "")
        return titles


def test_readme_example_app_confirms_its_messages(
    altinn2_mock: MockAltinn, altinn2_client: Client
) -> None:
    altinn2_mock.scenario.add_correspondence(ORG, "Vedtak", confirmation_needed=True)
    assert InboxApp(altinn2_client, ORG).confirm_all() == ["Vedtak"]
    assert [element.confirmed for element in altinn2_mock.scenario.visible(ORG)] == [True]
    assert [call.operation for call in altinn2_mock.calls] == [
        "GetReporteeElementListBasicV2",
        "GetCorrespondenceForEndUserSystemsBasicV2",
        "SaveCorrespondenceConfirmationBasic",
    ]

    altinn2_mock.fault("GetCorrespondenceForEndUserSystemV2", 30001)  # every binding
    altinn2_mock.scenario.add_correspondence(ORG, "Hemmelig")
    with pytest.raises(MissingRightError):
        InboxApp(altinn2_client, ORG).confirm_all()


def test_a_responder_that_returns_none_passes_the_call_to_the_scenario(
    altinn2_mock: MockAltinn, altinn2_client: Client
) -> None:
    receipt = altinn2_client.intermediary_inbound.submit_form_task_basic(
        form_task_shipment=shipment("watched")
    )
    assert receipt is not None
    seen: list[int | None] = []
    altinn2_mock.respond("GetReceiptV2", lambda request: seen.append(request.receipt.receipt_id))
    receipts = altinn2_client.receipt_external
    found = receipts.get_receipt_basic_v2(receipt=ReceiptSearch(receipt_id=receipt.receipt_id))
    assert found is not None and found.receipt_id == receipt.receipt_id  # the scenario's answer
    with pytest.raises(NotFoundError):  # the scenario's fault, not an example receipt
        receipts.get_receipt_basic_v2(receipt=ReceiptSearch(receipt_id=1))
    assert seen == [receipt.receipt_id, 1]
