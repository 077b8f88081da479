"""The client as an app developer meets it: typed settings checked at construction, arguments
checked before anything is sent, Python's own date types converted, errors that keep their
cause."""

from __future__ import annotations

import dataclasses
import datetime
import socket
from decimal import Decimal

import httpx
import pytest
from xsdata.models.datatype import XmlDate, XmlDateTime, XmlDuration

from altinn2 import AsyncClient, Client, SystemCredentials
from altinn2.runtime.arguments import check_argument
from altinn2.runtime.errors import ConfigurationError, TransportError
from altinn2.services.reportee_element_list import ExternalSearchBEV2
from altinn2.testing import MockAltinn, example


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"system": "10000"}, "Client(system=...): expected SystemCredentials or None, got str"),
        ({"deadline": "30"}, "Client(deadline=...): expected float or None, got str"),
        ({"max_response_bytes": True}, "Client(max_response_bytes=...): expected int, got bool"),
        ({"verify": 1}, "Client(verify=...): expected bool, a CA bundle path or ssl"),
        ({"binding": "SOAP"}, "Client: unknown binding 'SOAP' (Basic, WS, EC, EC2)"),
    ],
)
def test_a_wrong_setting_fails_at_construction_in_one_line(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Client(base_url="http://127.0.0.1:9", **options)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_the_async_client_checks_its_settings_too() -> None:
    with pytest.raises(TypeError, match=r"^AsyncClient\(system=\.\.\.\): expected Syst"):
        AsyncClient(base_url="http://127.0.0.1:9", system="10000")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^AsyncClient\(http_client=\.\.\.\): expected httpx"):
        AsyncClient(
            base_url="http://127.0.0.1:9", http_client=httpx.Client()  # type: ignore[arg-type]
        )


def test_timeouts_default_to_two_minutes_a_wait_and_take_a_number_or_httpx_timeout() -> None:
    with Client(base_url="http://127.0.0.1:9") as client:
        assert client.http.timeout == httpx.Timeout(120.0, connect=15.0)
    with Client(base_url="http://127.0.0.1:9", timeout=5) as client:
        assert client.http.timeout == httpx.Timeout(5.0)
    given = httpx.Timeout(3.0, connect=1.0)
    with Client(base_url="http://127.0.0.1:9", timeout=given) as client:
        assert client.http.timeout == given
    with pytest.raises(TypeError, match=r"^Client\(timeout=\.\.\.\): expected float, httpx"):
        Client(base_url="http://127.0.0.1:9", timeout="5")  # type: ignore[arg-type]


def test_a_wrong_type_is_a_type_error_that_never_shows_the_value() -> None:
    with pytest.raises(TypeError) as caught:
        Client(base_url="http://127.0.0.1:9", user="01017012345")  # type: ignore[arg-type]
    assert "01017012345" not in str(caught.value)


def test_arguments_are_checked_before_a_byte_is_sent() -> None:
    with MockAltinn() as mock, mock.client() as client:
        service = client.reportee_element_list
        cases = [
            ({"search_be": "910000000"}, "search_be: expected ExternalSearchBEV2, got str"),
            (
                {"search_be": ExternalSearchBEV2(reportee="1", from_date=..., to_date=...)},
                "search_be.from_date: expected XmlDateTime | datetime | date | None, got ellipsis",
            ),
            (
                {"search_be": {"reportee": "910000000"}},
                "search_be: expected ExternalSearchBEV2, got dict",
            ),
            (
                {"search_be": dataclasses.replace(example(ExternalSearchBEV2), reportee=910000000)},
                "search_be.reportee: expected str | None, got int",
            ),
        ]
        for arguments, message in cases:
            with pytest.raises(TypeError) as caught:
                service.get_reportee_element_list_basic_v2(language_id=1044, **arguments)
            assert str(caught.value).endswith(message), str(caught.value)
            assert "GetReporteeElementListBasicV2" in str(caught.value)
        with pytest.raises(TypeError, match="language_id: expected int, got bool"):
            service.get_reportee_element_list_basic_v2(
                search_be=example(ExternalSearchBEV2), language_id=True
            )
        assert mock.calls == ()


def test_python_dates_are_converted_as_wcf_reads_them() -> None:
    naive = datetime.datetime(2024, 1, 2, 8, 30, 0, 123456)
    aware = datetime.datetime(
        2024, 7, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    assert str(check_argument(naive, XmlDateTime, "x")) == "2024-01-02T08:30:00.123456"
    assert str(check_argument(aware, XmlDateTime, "x")) == "2024-07-01T12:00:00+02:00"
    assert str(check_argument(datetime.date(2024, 1, 2), XmlDateTime, "x")) == "2024-01-02T00:00:00"
    assert str(check_argument(datetime.date(2024, 1, 2), XmlDate, "x")) == "2024-01-02"
    with pytest.raises(TypeError, match=r"x: expected XmlDate \| date, got datetime"):
        check_argument(naive, XmlDate, "x")
    duration = datetime.timedelta(days=1, hours=2, seconds=3, microseconds=500000)
    assert check_argument(duration, XmlDuration, "x") == XmlDuration("P1DT7203.5S")
    assert check_argument(3, Decimal, "x") == Decimal(3)


def test_a_converted_search_reaches_the_mock_and_the_callers_object_is_unchanged() -> None:
    search = ExternalSearchBEV2(
        reportee="910000000",
        from_date=datetime.date(2024, 1, 1),  # type: ignore[arg-type]
        to_date=datetime.datetime(2024, 2, 1, 12, 0, tzinfo=datetime.UTC),  # type: ignore[arg-type]
    )
    with MockAltinn() as mock, mock.client() as client:
        assert (
            client.reportee_element_list.get_reportee_element_list_v2(
                search_be=search, language_id=1044
            )
            == []
        )
        sent = mock.last_call.request.search_be  # type: ignore[union-attr]
    assert sent.from_date == XmlDateTime(2024, 1, 1, 0, 0, 0)
    assert sent.to_date == XmlDateTime(2024, 2, 1, 12, 0, 0, 0, 0)
    assert isinstance(search.from_date, datetime.date)


def _refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_transport_errors_keep_their_cause_and_name_the_kind() -> None:
    from altinn2.runtime.retry import NO_RETRY

    system = SystemCredentials("1", "secret-pw")
    url = f"http://127.0.0.1:{_refused_port()}"
    with (
        Client(base_url=url, system=system, retry=NO_RETRY) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=example(ExternalSearchBEV2), language_id=1044
        )
    assert "connection refused" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)

    def no_dns(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    transport = httpx.HTTPTransport()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", no_dns)
        with (
            Client(
                base_url="https://altinn.invalid",
                system=system,
                retry=NO_RETRY,
                http_client=httpx.Client(transport=transport),
            ) as client,
            pytest.raises(TransportError) as caught,
        ):
            client.reportee_element_list.get_reportee_element_list_basic_v2(
                search_be=example(ExternalSearchBEV2), language_id=1044
            )
    assert "DNS lookup failed" in str(caught.value)
    assert caught.value.__cause__ is not None


def test_an_http_500_with_a_html_page_shows_a_redacted_excerpt() -> None:
    page = b"<html><body><h1>Server Error</h1>secret-pw leaked</body></html>"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, content=page, headers={"content-type": "text/html"})

    system = SystemCredentials("1", "secret-pw")
    http = httpx.Client(transport=httpx.MockTransport(handler))
    with (
        Client(base_url="https://altinn.example", system=system, http_client=http) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.reportee_element_list.get_reportee_element_list_basic_v2(
            search_be=example(ExternalSearchBEV2), language_id=1044
        )
    message = str(caught.value)
    assert "HTTP 500" in message and "Server Error" in message
    assert "secret-pw" not in message
