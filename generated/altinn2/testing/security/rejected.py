"""Why the security service refuses a message, and which of WCF's two answers it gets."""

from __future__ import annotations


class Rejected(Exception):
    """A message the service refuses: `reason` in the mock's words (for the call record; WCF's
    fault does not say why). `bad_context`: the token is unknown, expired, cancelled or
    forgotten (WS-SC `BadContextToken`, after which a client issues a new one); otherwise the
    security is wrong (`o:InvalidSecurity`). `renew_needed`: EC's context is alive but its
    current key has expired (WS-SC `RenewNeeded`: the client renews it, or issues anew)."""

    def __init__(
        self, reason: str, *, bad_context: bool = False, renew_needed: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.bad_context = bad_context
        self.renew_needed = renew_needed
