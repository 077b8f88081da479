"""The enterprise user's `userName`/`password` in EC and EC2 calls (body fields, or SOAP header
parts on the streamed rows) are checked as the Basic credentials are: wrong ones get Altinn's
AltinnFault 989 after the security channel has accepted the message; the password is in no
fault, record or error."""

from __future__ import annotations

from pathlib import Path

import pytest

from altinn2.runtime import Certificate, EnterpriseCredentials
from altinn2.runtime.errors import AuthenticationFailedError
from altinn2.runtime.operation import Binding, Credential, OperationInfo
from altinn2.testing import MockAltinn
from tests.testing.security.conftest import ENTERPRISE
from tests.testing.security.test_lifecycle import reportee_elements
from tests.testing.security.test_streamed_rows import (
    UPLOADS,
    call_arguments,
    kept,
    method,
)
from tests.testing.test_operations import EndpointMethod, arguments, endpoint_methods

WRONG_PASSWORD = "Feil-Passord-41"
WRONG = [
    pytest.param(EnterpriseCredentials(ENTERPRISE.user_name, WRONG_PASSWORD), id="password"),
    pytest.param(EnterpriseCredentials("en-annen-bruker", ENTERPRISE.password), id="userName"),
]
REASON = "wrong enterprise userName or password"


def body_row(binding: Binding) -> EndpointMethod:
    """GetReporteeElementListEC's generated method (credentials in the body) on `binding`."""
    operation = reportee_elements(binding)
    (row,) = [row for row in endpoint_methods() if row.operation == operation]
    return row


def assert_refused(mock: MockAltinn, operation: OperationInfo, error: Exception) -> None:
    """The security channel let the call through; Altinn refused its credentials (989), and no
    password is in the error or the mock's record."""
    issued, refused = mock.calls[0], mock.calls[1]
    assert issued.ok and issued.reason and issued.reason.startswith("issued")
    assert (refused.operation, refused.fault, refused.reason) == (
        operation.name,
        "AltinnFault 989",
        REASON,
    )
    record = " ".join(
        [
            repr(refused),
            str(refused.request),
            str(refused.soap_headers),
            refused.envelope,
            refused.reason or "",
        ]
    )
    for secret in (WRONG_PASSWORD, ENTERPRISE.password.reveal()):
        assert secret not in record and secret not in str(error) and secret not in repr(error)
    assert ENTERPRISE.user_name not in str(error)


@pytest.mark.parametrize("enterprise", WRONG)
@pytest.mark.parametrize("binding", [Binding.EC, Binding.EC2], ids=str)
def test_wrong_enterprise_credentials_in_the_body_are_refused(
    mock: MockAltinn, certificate: Certificate, binding: Binding, enterprise: EnterpriseCredentials
) -> None:
    """Through the generated method, which leaves the credentials to the client's settings."""
    row = body_row(binding)
    client = mock.client(binding, certificate=certificate, enterprise=enterprise)
    function = method(client, row)
    with client, pytest.raises(AuthenticationFailedError) as caught:
        function(**arguments(row, function))
    assert_refused(mock, row.operation, caught.value)


@pytest.mark.parametrize("enterprise", WRONG)
@pytest.mark.parametrize("row", UPLOADS, ids=lambda row: row.operation.label)
def test_wrong_enterprise_credentials_in_a_streamed_header_are_refused(
    mock: MockAltinn,
    certificate: Certificate,
    tmp_path: Path,
    row: EndpointMethod,
    enterprise: EnterpriseCredentials,
) -> None:
    operation = row.operation
    client = mock.client(operation.binding, certificate=certificate, enterprise=enterprise)
    function = method(client, row)
    with client, pytest.raises(AuthenticationFailedError) as caught:
        function(**call_arguments(row, function), source=iter([b"file"]))
    assert_refused(mock, operation, caught.value)
    assert kept(mock) == []  # the refused upload's file is gone


async def test_the_async_client_meets_the_same_refusal(
    mock: MockAltinn, certificate: Certificate
) -> None:
    row = body_row(Binding.EC2)
    wrong = EnterpriseCredentials(ENTERPRISE.user_name, WRONG_PASSWORD)
    client = mock.async_client(Binding.EC2, certificate=certificate, enterprise=wrong)
    function = method(client, row)
    async with client:
        with pytest.raises(AuthenticationFailedError) as caught:
            await function(**arguments(row, function))
    assert_refused(mock, row.operation, caught.value)


def test_every_generated_ec_method_sends_the_clients_enterprise_credentials(
    mock: MockAltinn, certificate: Certificate
) -> None:
    """Each non-streamed EC and EC2 method, its credential parameters left out: the client fills
    each one (`userName`, and `password` or, on Case, `userPassword`) and the mock accepts them."""
    rows = [
        row
        for row in endpoint_methods()
        if row.operation.binding in (Binding.EC, Binding.EC2) and not row.operation.mtom
    ]
    assert {row.operation.binding for row in rows} == {Binding.EC, Binding.EC2}
    assert all(
        set(row.operation.credentials.values())
        == {Credential.ENTERPRISE_USER_NAME, Credential.ENTERPRISE_PASSWORD}
        for row in rows
    ), "an EC operation whose enterprise password the client would not fill"
    clients = {
        binding: mock.client(binding, certificate=certificate, enterprise=ENTERPRISE)
        for binding in (Binding.EC, Binding.EC2)
    }
    for row in rows:
        function = method(clients[row.operation.binding], row)
        function(**arguments(row, function))
        last = mock.last_call
        assert last is not None and last.ok and last.operation == row.operation.name, last
    for client in clients.values():
        client.close()
