"""Print, as JSON, the request every generated service method builds, to compare two generations.

    python scripts/request_surface.py generated > after.json
    python scripts/request_surface.py OLD/generated > before.json

Every public method of every service class (sync and async) is called on a client that records
what it would send (the body and SOAP header parts as XML, the operation's name, the base URL)
instead of sending it: once with the required arguments only and once with every argument, and
base methods once per binding of the client. Credentials come from the fake client's settings.
"""

from __future__ import annotations

import asyncio
import dataclasses
import decimal
import importlib
import inspect
import json
import pkgutil
import sys
import typing
import uuid
from pathlib import Path
from typing import Any

from xsdata.models.datatype import XmlDate, XmlDateTime, XmlDuration

NATIVE: dict[str, Any] = {
    "bool": True,
    "int": 7,
    "float": 1.5,
    "bytes": b"data",
    "Decimal": decimal.Decimal("1.5"),
    "UUID": uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e"),
    "XmlDateTime": XmlDateTime.from_string("2020-01-02T03:04:05"),
    "XmlDate": XmlDate.from_string("2020-01-02"),
    "XmlDuration": XmlDuration("PT1M"),
}


def fake(name: str, annotation: Any, example: Any) -> Any:
    """A value of the parameter's type (the first member of a union)."""
    for member in typing.get_args(annotation) or (annotation,):
        if member is type(None):
            continue
        origin = typing.get_origin(member)
        if origin is list:
            return [fake(name, typing.get_args(member)[0], example)]
        if member is str or getattr(member, "__name__", "") == "Secret":
            return f"{name}-value"
        if isinstance(member, type) and member.__name__ in NATIVE:
            return NATIVE[member.__name__]
        if isinstance(member, type) and hasattr(member, "__members__"):
            return next(iter(member))  # an enum's first member
        if dataclasses.is_dataclass(member):
            return example(member, full=True)
        return None
    return None


class Recorder:
    """What the service classes ask of a client; `invoke` records instead of sending."""

    def __init__(self, binding: Any, to_element: Any, etree: Any) -> None:
        self.binding = binding
        self.sent: list[dict[str, Any]] = []
        self.to_element = to_element
        self.etree = etree

    def credential(self, kind: Any, given: Any = None) -> str | None:
        if given is not None:
            return given if isinstance(given, str) else given.reveal()
        return f"configured-{kind.value}"

    def credential_text(self, kind: Any, given: Any, operation: str) -> str:
        return str(self.credential(kind, given))

    def ensure_security(self, operation: Any) -> None:
        pass

    def _record(self, operation: Any, body: Any, output: Any, headers: Any, base_url: Any) -> Any:
        def xml(value: Any) -> str:
            return str(self.etree.tostring(self.to_element(value), encoding="unicode"))

        self.sent.append(
            {
                "operation": operation.name,
                "body": xml(body),
                "headers": [xml(header) for header in headers],
                "base_url": base_url,
            }
        )
        return output()

    def invoke(
        self, operation: Any, body: Any, output: Any, headers: Any = (), *, base_url: Any = None
    ) -> Any:
        return self._record(operation, body, output, headers, base_url)


class AsyncRecorder(Recorder):
    async def invoke(  # type: ignore[override]
        self, operation: Any, body: Any, output: Any, headers: Any = (), *, base_url: Any = None
    ) -> Any:
        return self._record(operation, body, output, headers, base_url)


def surface(root: Path) -> dict[str, Any]:
    sys.path.insert(0, str(root))
    from lxml import etree

    from altinn2.runtime.codec import to_element
    from altinn2.runtime.operation import Binding
    from altinn2.testing import example

    services = importlib.import_module("altinn2.services")
    result: dict[str, Any] = {}
    for info in pkgutil.iter_modules(services.__path__, "altinn2.services."):
        module = importlib.import_module(info.name)
        for class_name, cls in sorted(vars(module).items()):
            if not (inspect.isclass(cls) and cls.__module__ == info.name and class_name[0] != "_"):
                continue
            recorder_class = AsyncRecorder if class_name.startswith("Async") else Recorder
            for method_name, method in sorted(vars(cls).items()):
                if method_name.startswith("_") or not inspect.isfunction(method):
                    continue
                hints = typing.get_type_hints(method)
                params = inspect.signature(method).parameters
                required = {
                    name: fake(name, hints[name], example)
                    for name, p in params.items()
                    if p.kind is p.KEYWORD_ONLY and p.default is p.empty
                }
                every = {
                    name: fake(name, hints[name], example)
                    for name, p in params.items()
                    if p.kind is p.KEYWORD_ONLY
                }
                for binding in Binding:
                    for label, arguments in (("required", required), ("every", every)):
                        client = recorder_class(binding, to_element, etree)
                        try:
                            returned = getattr(cls(client), method_name)(**arguments)
                            if inspect.iscoroutine(returned):
                                asyncio.run(returned)
                            outcome: Any = client.sent
                        except Exception as error:  # the outcome is what is compared
                            outcome = f"{type(error).__name__}: {error}"
                        key = f"{info.name}.{class_name}.{method_name} {binding.value} {label}"
                        result[key] = outcome
    return result


if __name__ == "__main__":
    print(json.dumps(surface(Path(sys.argv[1]).resolve()), indent=1, sort_keys=True))
