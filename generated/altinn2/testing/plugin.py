"""The pytest plugin (entry point `pytest11: altinn2`): an offline Altinn per test.

Fixtures:

- `altinn2_mock`: a running `MockAltinn` (stateful, 127.0.0.1, any free port), reset for every
  test; `altinn2_mock.client()` / `.async_client()` hand back clients configured for it.
- `altinn2_client`: `altinn2_mock.client()` (Basic binding).
- `altinn2_async_client`: `altinn2_mock.async_client()` (Basic binding), usable from the test's
  event loop (pytest-asyncio, anyio, ...).

The mock is started once per test session and reset between tests; after each test, a failure of
the mock itself (`MockAltinn.errors`) fails the test. Options: `--altinn2-mock-defaults=full`
(answer unregistered operations with every element filled) and `--altinn2-mock-stateless`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from altinn2.client import AsyncClient, Client
    from altinn2.testing.mock import MockAltinn


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("altinn2", "altinn2 mock Altinn")
    group.addoption(
        "--altinn2-mock-defaults",
        choices=("minimal", "full"),
        default="minimal",
        help="how the altinn2_mock fixture answers operations no test registered an answer for",
    )
    group.addoption(
        "--altinn2-mock-stateless",
        action="store_true",
        default=False,
        help="run the altinn2_mock fixture without its stateful scenario",
    )


@pytest.fixture(scope="session")
def _altinn2_mock_server(request: pytest.FixtureRequest) -> Iterator[MockAltinn]:
    from altinn2.testing.mock import MockAltinn

    mock = MockAltinn(
        stateful=not request.config.getoption("--altinn2-mock-stateless"),
        defaults=request.config.getoption("--altinn2-mock-defaults"),
    )
    with mock:
        yield mock


@pytest.fixture
def altinn2_mock(_altinn2_mock_server: MockAltinn) -> Iterator[MockAltinn]:
    """A running mock Altinn with no rules, no calls and an empty scenario."""
    mock = _altinn2_mock_server
    mock.reset()
    stateful, defaults = mock.stateful, mock.defaults
    yield mock
    mock.stateful, mock.defaults = stateful, defaults
    errors = mock.errors
    mock.close_clients()
    mock.reset()
    if errors:
        pytest.fail("the Altinn mock failed:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def altinn2_client(altinn2_mock: MockAltinn) -> Iterator[Client]:
    """A `Client` (Basic binding) for `altinn2_mock`, with its system and user credentials."""
    client = altinn2_mock.client()
    yield client
    client.close()


@pytest.fixture
def altinn2_async_client(altinn2_mock: MockAltinn) -> AsyncClient:
    """An `AsyncClient` (Basic binding) for `altinn2_mock`."""
    return altinn2_mock.async_client()
