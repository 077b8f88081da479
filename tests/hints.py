"""Type hints of a generated service method. The streamed calls' types (`Download`, `Source`, ...)
are imported by the service modules for type checkers only (their modules load with the first
streamed call), so resolving a method's annotations at run time is given them here."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from altinn2.runtime.transport import download, mtom

STREAMED_TYPES = {
    "AsyncDownload": download.AsyncDownload,
    "Download": download.Download,
    "Progress": mtom.Progress,
    "Source": mtom.Source,
}


def method_hints(method: Callable[..., Any]) -> dict[str, Any]:
    return typing.get_type_hints(method, localns=STREAMED_TYPES)
