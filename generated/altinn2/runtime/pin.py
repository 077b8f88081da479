"""The one-time code ("pin") flow: ask for a challenge, then use the pin until it expires.

1. `challenge()` calls SystemAuthentication.GetAuthenticationChallenge for the person and the
   method (`AltinnPin`: a code from a letter; `SMSPin`: a code sent by SMS). Altinn answers which
   code to use (`Challenge.message`, e.g. "Benytt engangskode 2 fra brev ..."), or sends the SMS.
2. `use_pin(code)` puts the code into the client's user credentials; every later call that acts
   for the person sends it.
3. A pin is valid for 30 minutes after the challenge, renewed by 30 minutes with each call that
   uses it, for at most 8 hours; `expired` tells when a new challenge is needed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from altinn2.runtime.credentials import UserCredentials
from altinn2.runtime.errors import AltinnError, ConfigurationError
from altinn2.runtime.hooks import ResponseEvent

if TYPE_CHECKING:
    from altinn2.runtime.client import AsyncClient, Client

AUTH_METHODS = ("AltinnPin", "SMSPin")
RENEWAL = dt.timedelta(minutes=30)
MAXIMUM = dt.timedelta(hours=8)

Clock = Callable[[], dt.datetime]
_CODE_NUMBER = re.compile(r"\bengangskode\s+(\d+)\b", re.IGNORECASE)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PinChallengeError(AltinnError):
    """Altinn did not issue a challenge (e.g. `NoPhoneNumber` for SMSPin)."""

    def __init__(self, status: str, message: str | None) -> None:
        self.status = status
        self.message = message
        super().__init__(f"authentication challenge refused: {status}: {message or 'no message'}")


@dataclass(frozen=True)
class Challenge:
    status: str
    message: str | None
    valid_from: dt.datetime | None
    valid_to: dt.datetime | None

    @property
    def code_number(self) -> int | None:
        """Which code of the pin letter to use (AltinnPin), when the message says."""
        match = _CODE_NUMBER.search(self.message or "")
        return int(match.group(1)) if match else None


def _moment(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    moment: dt.datetime = value.to_datetime()
    if moment.year == 1:  # DateTime.MinValue: "no value"
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _request(client: Client | AsyncClient, user: UserCredentials, auth_method: str) -> Any:
    from altinn2.services.system_authentication import AuthenticationChallengeRequestBE

    if auth_method not in AUTH_METHODS:
        raise ConfigurationError(f"unknown auth method {auth_method!r} ({', '.join(AUTH_METHODS)})")
    return AuthenticationChallengeRequestBE(
        system_user_name=client.system.user_name if client.system else None,
        user_ssn=user.ssn.reveal(),
        user_password=user.password.reveal(),
        auth_method=auth_method,
    )


def _challenge(answer: Any) -> Challenge:
    status = getattr(answer.status, "value", answer.status) if answer is not None else None
    challenge = Challenge(
        status=str(status),
        message=answer.message if answer is not None else None,
        valid_from=_moment(answer.valid_from) if answer is not None else None,
        valid_to=_moment(answer.valid_to) if answer is not None else None,
    )
    if challenge.status.lower() != "ok":
        raise PinChallengeError(challenge.status, challenge.message)
    return challenge


class _PinState:
    def __init__(self, user: UserCredentials, auth_method: str, clock: Clock) -> None:
        self.user = user
        self.auth_method = auth_method
        self.clock = clock
        self.challenge_result: Challenge | None = None
        self.first_use: dt.datetime | None = None
        self.valid_until: dt.datetime | None = None

    def challenged(self, challenge: Challenge) -> Challenge:
        self.challenge_result = challenge
        now = self.clock()
        self.first_use = now
        self.valid_until = challenge.valid_to or now + RENEWAL
        return challenge

    def with_pin(self, pin_code: str) -> UserCredentials:
        if self.challenge_result is None:
            raise ConfigurationError("ask for a challenge before using a pin code")
        return self.user.with_pin(pin_code, self.auth_method)

    def used(self, event: ResponseEvent) -> None:
        """Each successful call with the pin renews it by 30 minutes, up to 8 hours in all."""
        if event.status != 200 or self.first_use is None:
            return
        self.valid_until = min(self.clock() + RENEWAL, self.first_use + MAXIMUM)

    @property
    def expired(self) -> bool:
        return self.valid_until is None or self.clock() >= self.valid_until


class PinFlow:
    """The pin flow for one person on a synchronous `Client`."""

    def __init__(
        self,
        client: Client,
        user: UserCredentials,
        auth_method: str = "AltinnPin",
        *,
        clock: Clock = _utc_now,
    ) -> None:
        self.client = client
        self._state = _PinState(user, auth_method, clock)
        client.hooks.response.append(self._state.used)

    def challenge(self) -> Challenge:
        """Ask Altinn which code to use (or to send the SMS)."""
        from altinn2.services.system_authentication import SystemAuthentication

        request = _request(self.client, self._state.user, self._state.auth_method)
        service = SystemAuthentication(self.client)
        answer = service.get_authentication_challenge(challenge_request=request)
        return self._state.challenged(_challenge(answer))

    def use_pin(self, pin_code: str) -> None:
        """Send `pin_code` with every call that acts for the person from now on."""
        self.client.set_user(self._state.with_pin(pin_code))

    @property
    def expired(self) -> bool:
        return self._state.expired

    @property
    def valid_until(self) -> dt.datetime | None:
        return self._state.valid_until


class AsyncPinFlow:
    """The pin flow for one person on an `AsyncClient`."""

    def __init__(
        self,
        client: AsyncClient,
        user: UserCredentials,
        auth_method: str = "AltinnPin",
        *,
        clock: Clock = _utc_now,
    ) -> None:
        self.client = client
        self._state = _PinState(user, auth_method, clock)
        client.hooks.response.append(self._state.used)

    async def challenge(self) -> Challenge:
        from altinn2.services.system_authentication import AsyncSystemAuthentication

        request = _request(self.client, self._state.user, self._state.auth_method)
        service = AsyncSystemAuthentication(self.client)
        answer = await service.get_authentication_challenge(challenge_request=request)
        return self._state.challenged(_challenge(answer))

    def use_pin(self, pin_code: str) -> None:
        self.client.set_user(self._state.with_pin(pin_code))

    @property
    def expired(self) -> bool:
        return self._state.expired

    @property
    def valid_until(self) -> dt.datetime | None:
        return self._state.valid_until
