"""Which operations only read (safe to repeat): by the base operation's name, as before."""

from __future__ import annotations

# Operations that only read are safe to repeat; everything else is never resent.
READ_PREFIXES = ("Get", "Check", "Test", "Download")


def is_read(base_operation: str) -> bool:
    return base_operation.startswith(READ_PREFIXES)
