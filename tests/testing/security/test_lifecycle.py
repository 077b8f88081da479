"""A context's life at the mock, through the generated client: renewal before expiry (EC
cancels the context it replaced), expiry and a forgotten context (`BadContextToken`: the client
issues a new one and sends the call once more), EC's Cancel on close, and EC2's refusal of a
Cancel."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from altinn2.client import Client
from altinn2.runtime import Certificate
from altinn2.runtime.envelope import parse_xml, read_envelope
from altinn2.runtime.errors import SoapFaultError
from altinn2.runtime.operation import Binding, OperationInfo
from altinn2.runtime.registry import operation_index
from altinn2.runtime.security import cancel, message
from altinn2.runtime.security.context_cache import ContextCache
from altinn2.runtime.security.trust import SecurityContext
from altinn2.runtime.wsheaders import utc_now
from altinn2.testing import MockAltinn
from tests.pki import Pki
from tests.testing.security.conftest import ENTERPRISE, ec_input, https_mock

SOAP12 = "application/soap+xml; charset=utf-8"


def reportee_elements(binding: Binding) -> OperationInfo:
    (found,) = [
        op for op in operation_index().named("GetReporteeElementListEC") if op.binding is binding
    ]
    return found


def post_never(url: str, envelope: bytes, action: str) -> bytes:
    raise AssertionError(f"no round trip expected ({action})")


def current(client: Client, operation: OperationInfo) -> SecurityContext:
    """The client's cached context for the operation's endpoint."""
    return client.conversation.context(operation, client.url_for(operation), post_never)


def kinds(mock: MockAltinn) -> list[str]:
    """Each exchange in order: `issued`, `cancelled`, an operation's name, or its fault."""
    return [
        call.fault or (call.reason or "").split(" ")[0] or str(call.operation)
        for call in mock.calls
    ]


def post_under(mock: MockAltinn, context: SecurityContext, operation: OperationInfo) -> bytes:
    """A call signed under `context` by the runtime, posted as it is; the answer's bytes."""
    body = ec_input(operation)
    from altinn2.runtime.codec import to_element

    sent = message.secured_envelope(
        context,
        operation.action,
        mock.url + operation.path,
        [to_element(body)],
        derived_keys=operation.policy.derived_keys,
    )
    verify = mock.verify()
    response = httpx.post(
        mock.url + operation.path,
        content=sent.envelope,
        headers={"Content-Type": SOAP12},
        verify=verify,
    )
    return response.content


def subcodes(answer: bytes) -> tuple[str, ...]:
    envelope = read_envelope(parse_xml(answer), answer)
    assert envelope.fault and envelope.body is not None
    return tuple(
        value.text.rpartition(":")[2]
        for value in envelope.body.iter("{http://www.w3.org/2003/05/soap-envelope}Value")
        if value.text and value.getparent().tag.endswith("Subcode")
    )


def answered(mock: MockAltinn, operation: OperationInfo) -> None:
    """The mock's last exchange was `operation` verified and answered, not refused."""
    last = mock.calls[-1]
    assert last.ok and last.fault is None and last.operation == operation.name, last


@pytest.mark.parametrize("binding", [Binding.EC, Binding.EC2], ids=str)
def test_the_client_renews_before_the_short_lifetime_ends_and_ec_cancels_the_old_context(
    pki: Pki, certificate: Certificate, binding: Binding
) -> None:
    operation = reportee_elements(binding)
    now = [utc_now()]
    with https_mock(pki, token_lifetime=dt.timedelta(seconds=30)) as mock:
        with mock.client(binding, certificate=certificate, enterprise=ENTERPRISE) as client:
            client.conversation.cache = ContextCache(clock=lambda: now[0])
            client.invoke(operation, ec_input(operation), operation.output)
            first = current(client, operation)
            assert first.expires is not None and first.expires - first.created == dt.timedelta(
                seconds=30
            )
            now[0] += dt.timedelta(seconds=20)  # past 60 % of the lifetime
            client.invoke(operation, ec_input(operation), operation.output)
            second = current(client, operation)
            assert second.identifier != first.identifier
            renewal = ["issued", "cancelled"] if binding is Binding.EC else ["issued"]
            assert kinds(mock) == ["issued", operation.name, *renewal, operation.name]
            if binding is Binding.EC:
                assert mock.conversations.store.cancelled == [first.identifier]
                assert subcodes(post_under(mock, first, operation)) == ("BadContextToken",)
            else:  # EC2's replaced context is never cancelled: it lives on until it expires
                assert b"Fault" not in post_under(mock, first, operation)
                answered(mock, operation)
        mock.check()


@pytest.mark.parametrize("binding", [Binding.EC, Binding.EC2], ids=str)
def test_an_expired_context_faults_and_the_client_issues_a_new_one(
    pki: Pki, certificate: Certificate, binding: Binding
) -> None:
    """The mock's clock passes the context's lifetime (the client's has not: its renewal point
    is not reached); the call meets EC's RenewNeeded (its session lives on, its key expired) or
    EC2's BadContextToken (the cookie expired), the client issues anew and resends once."""
    operation = reportee_elements(binding)
    offset = [dt.timedelta(0)]
    with https_mock(
        pki, token_lifetime=dt.timedelta(seconds=60), clock=lambda: utc_now() + offset[0]
    ) as mock:
        with mock.client(binding, certificate=certificate, enterprise=ENTERPRISE) as client:
            client.invoke(operation, ec_input(operation), operation.output)
            first = current(client, operation)
            offset[0] = dt.timedelta(seconds=90)  # within the Timestamps' 5 minutes of skew
            answer = client.invoke(operation, ec_input(operation), operation.output)
            assert isinstance(answer, operation.output)
            assert current(client, operation).identifier != first.identifier
        seen = kinds(mock)
        fault, reason = {
            Binding.EC: ("c:RenewNeeded", "the security context's key has expired"),
            Binding.EC2: ("c:BadContextToken", "the security context has expired"),
        }[binding]
        assert seen[:5] == ["issued", operation.name, fault, "issued", operation.name]
        expired = mock.calls[2]
        assert expired.reason == reason
        mock.check()


@pytest.mark.parametrize("binding", [Binding.EC, Binding.EC2], ids=str)
def test_a_forgotten_context_is_reissued_and_the_call_sent_once_more(
    mock: MockAltinn, certificate: Certificate, binding: Binding
) -> None:
    operation = reportee_elements(binding)
    with mock.client(binding, certificate=certificate, enterprise=ENTERPRISE) as client:
        client.invoke(operation, ec_input(operation), operation.output)
        mock.forget_contexts()  # a recycled service: EC's contexts gone, EC2's cookie key new
        client.invoke(operation, ec_input(operation), operation.output)
    assert kinds(mock)[:5] == [
        "issued",
        operation.name,
        "c:BadContextToken",
        "issued",
        operation.name,
    ]
    refused = mock.calls[2]
    assert refused.status == 500 and refused.operation is None


def test_ec_cancels_on_close_and_the_cancelled_token_faults_afterwards(
    mock: MockAltinn, certificate: Certificate
) -> None:
    operation = reportee_elements(Binding.EC)
    with mock.client(Binding.EC, certificate=certificate, enterprise=ENTERPRISE) as client:
        client.invoke(operation, ec_input(operation), operation.output)
        context = current(client, operation)
        assert b"Fault" not in post_under(mock, context, operation)
        answered(mock, operation)
    assert kinds(mock) == ["issued", operation.name, operation.name, "cancelled"]
    assert mock.conversations.store.cancelled == [context.identifier]
    cancel_call = mock.calls[-1]
    assert cancel_call.action == "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT/Cancel"
    assert subcodes(post_under(mock, context, operation)) == ("BadContextToken",)
    assert (
        mock.calls[-1].reason == "unknown security context (never issued, cancelled or forgotten)"
    )


def test_ec2_refuses_a_cancel_and_its_token_keeps_working(
    mock: MockAltinn, certificate: Certificate
) -> None:
    operation = reportee_elements(Binding.EC2)
    with mock.client(Binding.EC2, certificate=certificate, enterprise=ENTERPRISE) as client:
        client.invoke(operation, ec_input(operation), operation.output)
        context = current(client, operation)
        assert context.has_cookie
        sent = cancel.cancel_request(context, derived_keys=False)
        answer = httpx.post(
            context.endpoint,
            content=sent.envelope,
            headers={"Content-Type": SOAP12},
            verify=mock.verify(),
        ).content
        assert subcodes(answer) == ("SecureConversationCancellationNotAllowed",)
        with pytest.raises(SoapFaultError):
            cancel.read_cancel_response(answer)
        client.invoke(operation, ec_input(operation), operation.output)
    assert kinds(mock) == [
        "issued",
        operation.name,
        "dnse:SecureConversationCancellationNotAllowed",
        operation.name,
    ]  # and no Cancel from the client's close


def test_answers_carry_a_timestamp_and_on_request_a_signature_confirmation(
    pki: Pki, certificate: Certificate
) -> None:
    """WCF's transport binding answers with a Timestamp alone; `signature_confirmation=True`
    adds the WSS 1.1 confirmation of the request's signature, which the client checks."""
    operation = reportee_elements(Binding.EC2)
    for confirm in (False, True):
        with https_mock(pki, signature_confirmation=confirm) as mock:
            with mock.client(Binding.EC2, certificate=certificate, enterprise=ENTERPRISE) as client:
                client.invoke(operation, ec_input(operation), operation.output)
                context = current(client, operation)
            answer = post_under(mock, context, operation)
            assert b"Timestamp" in answer
            assert (b"SignatureConfirmation" in answer) is confirm
