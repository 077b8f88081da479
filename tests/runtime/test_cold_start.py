"""Importing the package, making a client and reading a service load no module that only a call,
a fallback or another kind of client needs; the first call loads what it needs and works; what
only a fallback needs loads when one happens, and the fallback reads as before.

Each check runs in a new interpreter (a module loaded by another test would hide a regression).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import pkgutil
import ssl
import subprocess
import sys
import threading
import time
import typing
from collections.abc import Iterator

import httpx
import pytest

from altinn2 import AsyncClient, Client, SystemCredentials
from altinn2.runtime import codec
from altinn2.runtime.client import _client_options, _transport_config
from altinn2.runtime.errors import CertificateError
from altinn2.runtime.registry import operation_index
from altinn2.runtime.transport.tls import DeferredTransport
from altinn2.runtime.xmlcontext import context
from altinn2.testing import DEFAULT_SYSTEM, MockAltinn
from tests.pki import Pki

# What only a fallback (a codec that refuses an element, a class without one) or the mock needs:
# xsdata's context and its metadata builder, its generic parser and serializer, the fast binder.
REFERENCE_PATH = (
    "xsdata.formats.dataclass.context",
    "xsdata.formats.dataclass.parsers",
    "xsdata.formats.dataclass.serializers",
    "altinn2.runtime.xmlcontext",
    "altinn2.runtime.binder",
)
# The streamed (MTOM) calls' modules: a service with streamed calls imports them for its
# methods' types (so that their hints resolve), another service does not.
STREAMED = ("altinn2.runtime.transport.mtom", "altinn2.runtime.transport.download")
# What only a streamed call itself needs: loaded by none of those imports.
STREAMED_CALL = ("hashlib", "tempfile", "ctypes")
# Modules a cold start must leave unloaded: the HTTP stack (the first call loads it), the
# reference path and the streamed calls' modules, the signing library (EC only) and asyncio
# (async clients only).
NOT_AT_COLD_START = (
    "httpx",
    "ssl",
    *REFERENCE_PATH,
    *STREAMED_CALL,
    "cryptography",
    "asyncio",
)

COLD_START = """
import json, sys
import altinn2
client = altinn2.Client(environment="tt02", system=altinn2.SystemCredentials("12345", "pw"))
client.reportee_element_list
client.broker_service  # a service with streamed calls
print(json.dumps(sorted(sys.modules)))
"""

FIRST_CALL = """
import json, sys
import altinn2
url, user_name, password = sys.argv[1:]
client = altinn2.Client(base_url=url, system=altinn2.SystemCredentials(user_name, password))
before = "httpx" in sys.modules
with client:
    answer = client.reportee_element_list.get_correspondence_list_for_archive_ref_basic(
        reportee="910514458", archive_reference="AR123", language_id=1044
    )
print(type(answer).__name__, before, "httpx" in sys.modules)
print(json.dumps(sorted(sys.modules)))
"""

# A Basic answer (argv[1]) read by the generated decoder, then with an `xsi:nil="false"` the
# decoder leaves to xsdata: read by the reference path, loaded only then.
FALLBACK = """
import json, sys
from lxml import etree
from altinn2.models.reportee_element_list_service_2009_10 import (
    GetCorrespondenceListForArchiveRefBasicResponse as Answer,
)
from altinn2.runtime.codec import from_element

plain = from_element(etree.fromstring(sys.argv[1]), Answer)
before = sorted(sys.modules)
element = etree.fromstring(sys.argv[1])
element.set("{http://www.w3.org/2001/XMLSchema-instance}nil", "false")
fallback = from_element(element, Answer)
print(json.dumps([repr(plain), repr(fallback), before, sorted(sys.modules)]))
"""


def python(code: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_cold_start_loads_no_http_stack_and_no_reference_codec() -> None:
    loaded = set(json.loads(python(COLD_START)))
    assert "altinn2.services.reportee_element_list" in loaded
    assert "altinn2.services.broker_service" in loaded
    assert [name for name in NOT_AT_COLD_START if name in loaded] == []


def test_every_service_methods_hints_resolve_at_run_time() -> None:
    """The streamed calls' types are imported by their services, not for type checkers only:
    `typing.get_type_hints` works on every method (dataclass tools and frameworks call it)."""
    import altinn2.services as services
    from altinn2.runtime.service import AsyncService, Service

    checked = 0
    for module_info in pkgutil.iter_modules(services.__path__):
        module = importlib.import_module(f"{services.__name__}.{module_info.name}")
        for name in getattr(module, "__all__", ()):
            cls = getattr(module, name)
            if not (isinstance(cls, type) and issubclass(cls, (Service, AsyncService))):
                continue
            checked += 1
            for attribute, method in vars(cls).items():
                if callable(method) and not attribute.startswith("_"):
                    assert typing.get_type_hints(method), f"{cls.__name__}.{attribute}"
    assert checked >= 26  # 13 services, sync and async


def test_the_first_call_loads_the_http_stack_and_answers() -> None:
    with MockAltinn() as mock:  # in this process: the client's process loads only the client
        system = DEFAULT_SYSTEM
        output = python(FIRST_CALL, mock.url, system.user_name, system.password.reveal())
    summary, modules = output.splitlines()
    assert summary.split() == ["list", "False", "True"]
    # the request written and the answer read by the generated codecs: no reference path
    loaded = set(json.loads(modules))
    assert "altinn2.codecs.reportee_element_list_service_2009_10" in loaded
    assert [name for name in (*REFERENCE_PATH, *STREAMED) if name in loaded] == []


def test_a_fallback_loads_the_reference_path_and_reads_as_the_codec_does() -> None:
    from lxml import etree

    from altinn2.models.reportee_element_list_service_2009_10 import (
        GetCorrespondenceListForArchiveRefBasicResponse as Answer,
    )
    from altinn2.testing.examples import example

    answer = example(Answer, full=True)  # every element once
    assert answer.get_correspondence_list_for_archive_ref_basic_result  # items to read
    xml = etree.tostring(codec.to_element(answer)).decode()
    plain, fallback, before, after = json.loads(python(FALLBACK, xml))
    assert plain == fallback == repr(answer)
    assert [name for name in REFERENCE_PATH if name in before] == []
    assert "xsdata.formats.dataclass.parsers" in after


def test_every_message_class_has_its_element_name_in_its_codec_module() -> None:
    """An ordinary call asks no xsdata context for the element names it writes and expects:
    every operation's input and output class is in its codec module's `QNAMES`, with the name
    xsdata's metadata gives it; another class's name still comes from xsdata."""
    operations = operation_index().operations
    classes = {op.input for op in operations} | {op.output for op in operations if op.output}
    classes |= {cls for op in operations for cls in op.input_headers}
    for cls in classes:
        module = codec._codec_module(cls)
        assert module is not None, cls
        assert module.QNAMES[cls] == context().build(cls).qname, cls
    from altinn2.models.reportee_element_list_service_2009_10 import ReporteeElementBE

    own = codec._codec_module(ReporteeElementBE)  # a class of a message's contents
    assert own is not None and ReporteeElementBE not in own.QNAMES
    assert codec.qname_of(ReporteeElementBE) == context().build(ReporteeElementBE).qname


# -- the TLS context: made with the first https request, not for plain http --------------------


@pytest.fixture
def loaded_trust(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every time trusted certificates are loaded into a TLS context (what making the https
    transport costs), in this process, whoever makes the context."""
    loads: list[object] = []
    original = ssl.SSLContext.load_verify_locations

    def counted(self: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        loads.append(kwargs.get("cafile", args[0] if args else None))
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    yield loads


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """An environment that names no proxy and no other trust store (for `trust_env=True`)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def https_mock(pki: Pki) -> Iterator[MockAltinn]:
    with MockAltinn(tls_cert=pki.server_cert_pem, tls_key=pki.server_key_pem) as mock:
        assert mock.url.startswith("https://")
        yield mock


def _read(client: Client) -> object:
    return client.reportee_element_list.get_correspondence_list_for_archive_ref_basic(
        reportee="910514458", archive_reference="AR123", language_id=1044
    )


async def _aread(client: AsyncClient) -> object:
    return await client.reportee_element_list.get_correspondence_list_for_archive_ref_basic(
        reportee="910514458", archive_reference="AR123", language_id=1044
    )


def _system() -> SystemCredentials:
    return SystemCredentials(DEFAULT_SYSTEM.user_name, DEFAULT_SYSTEM.password.reveal())


def _trusting(pki: Pki) -> ssl.SSLContext:
    """What `verify` takes to trust the test CA."""
    return ssl.create_default_context(cafile=str(pki.ca_pem))


def test_plain_http_loads_no_trusted_certificates(loaded_trust: list[object]) -> None:
    with MockAltinn() as mock, Client(base_url=mock.url, system=_system()) as client:
        assert isinstance(_read(client), list)
        assert isinstance(_read(client), list)
    assert loaded_trust == []


def test_plain_http_loads_no_trusted_certificates_async(loaded_trust: list[object]) -> None:
    async def main(url: str) -> None:
        async with AsyncClient(base_url=url, system=_system()) as client:
            assert isinstance(await _aread(client), list)
            assert isinstance(await _aread(client), list)

    with MockAltinn() as mock:
        asyncio.run(main(mock.url))
    assert loaded_trust == []


def test_https_loads_the_trusted_certificates_once_and_verifies_with_them(
    loaded_trust: list[object], https_mock: MockAltinn, pki: Pki
) -> None:
    trusting = _trusting(pki)
    loaded_trust.clear()
    with Client(base_url=https_mock.url, system=_system(), verify=trusting) as client:
        assert isinstance(_read(client), list)
        assert isinstance(_read(client), list)
    assert loaded_trust == []  # the context given is used as it is
    with (  # the default trust store, loaded with the first https request, once
        Client(base_url=https_mock.url, system=_system()) as client,
        pytest.raises(CertificateError, match="certificate"),
    ):
        assert loaded_trust == []
        _read(client)
    assert len(loaded_trust) == 1


def test_the_first_https_request_from_many_threads_loads_them_once(
    loaded_trust: list[object], https_mock: MockAltinn
) -> None:
    threads = 16
    ready = threading.Barrier(threads)
    failures: list[BaseException] = []

    def first(client: Client) -> None:
        ready.wait()
        try:
            _read(client)
        except CertificateError as exc:  # the default store does not know the test CA
            failures.append(exc)

    with Client(base_url=https_mock.url, system=_system()) as client:
        workers = [threading.Thread(target=first, args=(client,)) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert len(failures) == threads
    assert len(loaded_trust) == 1


def test_https_async_loads_them_once(loaded_trust: list[object], https_mock: MockAltinn) -> None:
    async def main() -> None:
        async with AsyncClient(base_url=https_mock.url, system=_system()) as client:
            for _ in range(2):
                with pytest.raises(CertificateError, match="certificate"):
                    await _aread(client)

    asyncio.run(main())
    assert len(loaded_trust) == 1


@pytest.mark.usefixtures("no_proxies")
def test_trust_env_uses_httpx_transport_with_the_trusted_certificates(
    loaded_trust: list[object], https_mock: MockAltinn, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca_pem))  # honoured with trust_env only
    with Client(base_url=https_mock.url, system=_system(), trust_env=True) as client:
        assert isinstance(_read(client), list)
        assert isinstance(_read(client), list)
    assert loaded_trust == [str(pki.ca_pem)]
    with (
        Client(base_url=https_mock.url, system=_system()) as client,
        pytest.raises(CertificateError, match="certificate"),
    ):
        _read(client)  # without trust_env the environment's trust store is not read


# -- closing: nothing made is closed, nothing is made after -----------------------------------

CLOSE_UNUSED = """
import json, sys
import altinn2
client = altinn2.Client(base_url=sys.argv[1], system=altinn2.SystemCredentials("1", "pw"))
client.close()
print(json.dumps("httpx" in sys.modules))
"""


def test_closing_an_unused_client_makes_no_http_client() -> None:
    assert json.loads(python(CLOSE_UNUSED, "http://127.0.0.1:9")) is False


def test_a_call_after_close_is_refused(https_mock: MockAltinn) -> None:
    for url in (https_mock.url, "http://127.0.0.1:9"):
        client = Client(base_url=url, system=_system())
        client.close()  # before any call
        with pytest.raises(RuntimeError, match="closed"):
            _read(client)

    async def main() -> None:
        client = AsyncClient(base_url=https_mock.url, system=_system())
        await client.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            await _aread(client)

    asyncio.run(main())


class _Recorded(httpx.BaseTransport):
    def __init__(self) -> None:
        self.closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200)

    def close(self) -> None:
        self.closed = True


def test_closing_while_the_first_request_makes_the_transport_closes_it() -> None:
    making, release = threading.Event(), threading.Event()
    made: list[_Recorded] = []

    def make() -> _Recorded:
        making.set()
        release.wait()
        made.append(_Recorded())
        return made[-1]

    deferred = DeferredTransport(make)
    request = httpx.Request("GET", "https://127.0.0.1/")
    first = threading.Thread(target=deferred.handle_request, args=(request,))
    first.start()
    making.wait()
    closing = threading.Thread(target=deferred.close)
    closing.start()
    time.sleep(0.05)  # let close wait for the transport being made (ordering, not timing)
    release.set()
    first.join()
    closing.join()
    assert [transport.closed for transport in made] == [True]
    with pytest.raises(RuntimeError, match="closed"):
        deferred.handle_request(request)


# -- the transports take every transport option of the client ---------------------------------


def test_every_transport_option_reaches_both_transports(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[dict[str, object]] = []

    class Transport(_Recorded):
        def __init__(self, **options: object) -> None:
            super().__init__()
            made.append(options)

    monkeypatch.setattr(httpx, "HTTPTransport", Transport)
    limits = httpx.Limits(max_connections=3)
    options = {**_client_options(None, True, False, "https://x"), "limits": limits, "http1": True}
    with httpx.Client(**_transport_config(options, asynchronous=False)) as http:
        http.get("https://127.0.0.1/")
    plain, https = made
    for transport in (plain, https):
        assert transport["limits"] is limits
        assert transport["http1"] is True and transport["http2"] is False
        assert transport["trust_env"] is False
        assert isinstance(transport["verify"], ssl.SSLContext)
    with pytest.raises(TypeError, match="proxy"):
        _transport_config({**options, "proxy": "http://127.0.0.1:3128"}, asynchronous=False)


# -- xsdata's context on its own: the runtime's converters -------------------------------------

OWN_CONTEXT = """
import json, warnings
from dataclasses import dataclass, field
from xsdata.formats.dataclass.parsers import XmlParser
from altinn2.runtime.xmlcontext import WcfXmlContext

@dataclass
class Thing:
    n: int = field(metadata={"type": "Element"})

with warnings.catch_warnings(record=True) as heard:
    warnings.simplefilter("always")
    thing = XmlParser(context=WcfXmlContext()).from_string("<Thing><n>1_044</n></Thing>", Thing)
print(json.dumps([thing.n, [type(w.message).__name__ for w in heard]]))
"""


def test_a_context_of_its_own_reads_ints_as_xsd_does() -> None:
    """Python's int() takes `1_044`; XSD does not: the runtime's converter refuses it, and
    xsdata keeps the text with a warning, as it did when importing the models registered it."""
    value, warned = json.loads(python(OWN_CONTEXT))
    assert value == "1_044"
    assert warned == ["ConverterWarning"]
