"""The EC/EC2 mock over loopback HTTPS: the session's test PKI (tests/conftest.py, made at
run time, never committed), the mock trusting its CA, and the enterprise certificate it
issued."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from altinn2.runtime import Certificate, EnterpriseCredentials
from altinn2.runtime.operation import Credential, OperationInfo
from altinn2.testing import MockAltinn, example_input
from tests.pki import P12_PASSWORD, Pki

ENTERPRISE = EnterpriseCredentials(user_name="virksomhetsbruker", password="Virksomhet-Passord-9")


@pytest.fixture(scope="session")
def certificate(pki: Pki) -> Certificate:
    return Certificate.from_pkcs12(pki.enterprise_p12, P12_PASSWORD)


def https_mock(pki: Pki, **options: object) -> MockAltinn:
    """A mock on loopback HTTPS (the PKI's server certificate) trusting the PKI's CA."""
    return MockAltinn(
        tls_cert=pki.server_cert_pem,
        tls_key=pki.server_key_pem,
        ca=pki.ca_pem,
        enterprise=ENTERPRISE,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def mock(pki: Pki) -> Iterator[MockAltinn]:
    with https_mock(pki) as running:
        yield running
        running.check()


def p12(path: Path) -> Certificate:
    return Certificate.from_pkcs12(path, P12_PASSWORD)


def enterprise_values(
    operation: OperationInfo, enterprise: EnterpriseCredentials = ENTERPRISE
) -> dict[str, str]:
    """The operation's enterprise credential parameters (body fields or header parts) set to
    `enterprise`'s."""
    values = {
        Credential.ENTERPRISE_USER_NAME: enterprise.user_name,
        Credential.ENTERPRISE_PASSWORD: enterprise.password.reveal(),
    }
    return {name: values[kind] for name, kind in operation.credentials.items()}


def ec_input(operation: OperationInfo, enterprise: EnterpriseCredentials = ENTERPRISE) -> object:
    """The operation's example input carrying `enterprise`'s credentials (an example fills a
    required field with its element's name, which the mock refuses as credentials)."""
    values = enterprise_values(operation, enterprise)
    in_body = {
        name: value for name, value in values.items() if name not in operation.header_parameters
    }
    return example_input(operation, **in_body)
