"""The pin flow: the challenge request on the wire, Altinn's answers, and the pin's lifetime."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from altinn2 import AsyncClient, Client, SystemCredentials, UserCredentials
from altinn2.runtime.pin import AsyncPinFlow, PinChallengeError, PinFlow
from tests.soap_server import TLS, Reply, SoapServer

AUTH = "http://www.altinn.no/services/Authentication/SystemAuthentication/2009/10"
BE = "http://schemas.altinn.no/services/Authentication/2009/10"
PERSON = UserCredentials("01017012345", "person-password")


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2020, 3, 15, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def recorded(shared: Path, number: int) -> bytes:
    name = f"GetAuthenticationChallenge-response-{number}.xml"
    return (shared / "altinn2-traffic" / "SystemAuthentication" / name).read_bytes()


def client(server: SoapServer) -> Client:
    return Client(base_url=server.url, system=SystemCredentials("12345", "system-pw"), verify=TLS)


def test_challenge_sends_the_person_and_reads_altinns_answer(shared: Path) -> None:
    clock = Clock()
    with SoapServer(Reply(recorded(shared, 1))) as server, client(server) as c:
        flow = PinFlow(c, PERSON, "AltinnPin", clock=clock)
        challenge = flow.challenge()
        request = server.last.xml
    sent = request.find(f".//{{{AUTH}}}challengeRequest")
    assert sent is not None
    assert {child.tag.split("}")[1]: child.text for child in sent} == {
        "AuthMethod": "AltinnPin",
        "SystemUserName": "12345",
        "UserPassword": "person-password",
        "UserSSN": "01017012345",
    }
    assert challenge.status == "Ok"
    assert challenge.code_number == 2
    assert challenge.valid_to == dt.datetime(2020, 3, 15, 12, 30, 44, 235366, tzinfo=dt.UTC)
    assert challenge.message is not None and "engangskode 2" in challenge.message


def test_no_phone_number_is_an_error_with_altinns_message(shared: Path) -> None:
    with (
        SoapServer(Reply(recorded(shared, 2))) as server,
        client(server) as c,
        pytest.raises(PinChallengeError) as caught,
    ):
        PinFlow(c, PERSON, "SMSPin").challenge()
    assert caught.value.status == "NoPhoneNumber"
    assert "Mobilnummer" in str(caught.value)
    assert "01017012345" not in str(caught.value)


def test_the_pin_goes_with_later_calls_and_lives_thirty_minutes_renewed_up_to_eight_hours(
    shared: Path,
) -> None:
    clock = Clock()
    start = clock.now
    with SoapServer(Reply(recorded(shared, 1))) as server, client(server) as c:
        flow = PinFlow(c, PERSON, "AltinnPin", clock=clock)
        with pytest.raises(Exception, match="challenge before using a pin"):
            flow.use_pin("11111")
        assert flow.expired
        challenge = flow.challenge()
        flow.use_pin("54321")
        assert c.user is not None and c.user.pin_code is not None
        assert c.user.pin_code.reveal() == "54321" and c.user.auth_method == "AltinnPin"
        assert flow.valid_until == challenge.valid_to and not flow.expired

        # Each successful call renews the pin: 30 minutes from the call, 8 hours at the most.
        request = c.system_authentication.get_authentication_challenge
        for step in range(1, 20):
            clock.advance(minutes=25)
            assert not flow.expired, step
            request(challenge_request=None)  # any successful call with the pin counts
            expected = min(clock.now + dt.timedelta(minutes=30), start + dt.timedelta(hours=8))
            assert flow.valid_until == expected, step
        assert flow.valid_until == start + dt.timedelta(hours=8)
        clock.advance(minutes=6)
        assert flow.expired


async def test_async_pin_flow(shared: Path) -> None:
    clock = Clock()
    with SoapServer(Reply(recorded(shared, 1))) as server:
        async with AsyncClient(
            base_url=server.url, system=SystemCredentials("12345", "system-pw"), verify=TLS
        ) as c:
            flow = AsyncPinFlow(c, PERSON, "SMSPin", clock=clock)
            challenge = await flow.challenge()
            flow.use_pin("999")
            assert challenge.code_number == 2
            assert c.user is not None and c.user.auth_method == "SMSPin"
            assert not flow.expired


def test_unknown_auth_method_is_refused_before_any_call() -> None:
    with SoapServer(Reply(b"")) as server, client(server) as c:
        with pytest.raises(Exception, match="unknown auth method 'TaxPin'"):
            PinFlow(c, PERSON, "TaxPin").challenge()
        assert server.count == 0
