"""Message security as profiles: one small interface the client calls, one module per WS-* style.

`profile_for` picks the profile from the operation's policy (`OperationInfo.policy.style`):

- `BodyCredentials` (Basic, and anything without message security): the envelope as it is, the
  credentials travel in the body;
- `UsernameToken` (`security.username`, WS): a WS-Security UsernameToken with the system's
  credentials;
- `SecureConversation` (`security.conversation`, EC and EC2): a security context issued to the
  enterprise certificate, every message signed under it.

A profile that needs round trips of its own (issuing, cancelling a context) is given a `Send` (or
an `AsyncSend`): the sync and async clients share the profile and all its building code, and
differ only in how they post an envelope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from lxml import etree

from altinn2.runtime.envelope import Envelope, build_envelope
from altinn2.runtime.operation import OperationInfo
from altinn2.runtime.wsheaders import addressing_headers

# Posts a security envelope (url, envelope, action) and returns the answer's bytes.
Send = Callable[[str, bytes, str], bytes]
AsyncSend = Callable[[str, bytes, str], Awaitable[bytes]]


@dataclass(frozen=True)
class Secured:
    """A message ready to post, and how to check the security of its answer (None: nothing to
    check)."""

    envelope: bytes = field(repr=False)  # it may carry credentials: never in a repr
    check: Callable[[Envelope], None] | None = field(default=None, repr=False)


def plain_envelope(
    operation: OperationInfo,
    url: str,
    headers: Sequence[etree._Element],
    body: etree._Element,
) -> bytes:
    """The envelope with WS-Addressing first when the operation uses it, then `headers`."""
    blocks = list(headers)
    if operation.addressing:
        blocks[0:0] = addressing_headers(operation.soap_version, operation.action, url)
    return build_envelope(operation.soap_version, blocks, [body])


class SecurityProfile:
    """What the client asks of a security profile. `secure` is the only required part; a
    profile without a context (all but SecureConversation) keeps the defaults."""

    def context(self, operation: OperationInfo, url: str, send: Send) -> object:
        """What `secure` needs from the service before a message can be built (None: nothing)."""
        return None

    async def context_async(self, operation: OperationInfo, url: str, send: AsyncSend) -> object:
        return None

    def secure(
        self,
        operation: OperationInfo,
        url: str,
        headers: Sequence[etree._Element],
        body: etree._Element,
        context: object = None,
    ) -> Secured:
        raise NotImplementedError

    def refused(self, operation: OperationInfo, url: str, context: object) -> None:
        """The service no longer knows `context` (BadContextToken): forget it."""

    def close(self, send: Send) -> None:
        """End what the profile holds open with the service (the client closes)."""

    async def aclose(self, send: AsyncSend) -> None:
        """`close` for the async client."""


class BodyCredentials(SecurityProfile):
    """Basic: no message security; the credentials are fields of the body."""

    def __repr__(self) -> str:
        return "BodyCredentials()"

    def secure(
        self,
        operation: OperationInfo,
        url: str,
        headers: Sequence[etree._Element],
        body: etree._Element,
        context: object = None,
    ) -> Secured:
        return Secured(plain_envelope(operation, url, headers, body))


BODY_CREDENTIALS = BodyCredentials()
