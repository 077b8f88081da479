"""Importing the package, making a client and reading a service load no module that only a call,
a fallback or another kind of client needs; the first call loads what it needs and works; what
only a fallback needs loads when one happens, and the fallback reads as before.

Each check runs in a new interpreter (a module loaded by another test would hide a regression).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from altinn2 import Client, SystemCredentials
from altinn2.runtime import codec
from altinn2.runtime.errors import CertificateError
from altinn2.runtime.registry import operation_index
from altinn2.runtime.xmlcontext import context
from altinn2.testing import DEFAULT_SYSTEM, MockAltinn

# What only a fallback (a codec that refuses an element, a class without one) or the mock needs:
# xsdata's context and its metadata builder, its generic parser and serializer, the fast binder.
REFERENCE_PATH = (
    "xsdata.formats.dataclass.context",
    "xsdata.formats.dataclass.parsers",
    "xsdata.formats.dataclass.serializers",
    "altinn2.runtime.xmlcontext",
    "altinn2.runtime.binder",
)
# What only a streamed (MTOM) call needs.
STREAMED = ("altinn2.runtime.transport.mtom", "altinn2.runtime.transport.download")
# Modules a cold start must leave unloaded: the HTTP stack (the first call loads it), the
# reference path and the streamed calls' modules, the signing library (EC only) and asyncio
# (async clients only).
NOT_AT_COLD_START = (
    "httpx",
    "ssl",
    *REFERENCE_PATH,
    *STREAMED,
    "cryptography",
    "asyncio",
)

COLD_START = """
import json, sys
import altinn2
client = altinn2.Client(environment="tt02", system=altinn2.SystemCredentials("12345", "pw"))
client.reportee_element_list
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
    assert [name for name in NOT_AT_COLD_START if name in loaded] == []


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
def tls_contexts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every TLS context httpx makes for the client (the trusted certificates loaded)."""
    made: list[object] = []
    original = httpx.create_ssl_context

    def counted(*args: object, **kwargs: object) -> object:
        made.append(kwargs.get("verify"))
        return original(*args, **kwargs)

    monkeypatch.setattr(httpx, "create_ssl_context", counted)
    yield made


def _read(client: Client) -> object:
    return client.reportee_element_list.get_correspondence_list_for_archive_ref_basic(
        reportee="910514458", archive_reference="AR123", language_id=1044
    )


def _system() -> SystemCredentials:
    return SystemCredentials(DEFAULT_SYSTEM.user_name, DEFAULT_SYSTEM.password.reveal())


def test_plain_http_makes_no_tls_context(tls_contexts: list[object]) -> None:
    with MockAltinn() as mock, Client(base_url=mock.url, system=_system()) as client:
        assert isinstance(_read(client), list)
        assert isinstance(_read(client), list)
    assert tls_contexts == []


# A CA bundle path is what `verify` takes beside a context (httpx deprecates the path form).
@pytest.mark.filterwarnings("ignore:`verify=<str>` is deprecated:DeprecationWarning")
def test_https_makes_its_tls_context_once_and_verifies_with_it(
    tls_contexts: list[object], tmp_path: Path
) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    with MockAltinn(tls_cert=cert, tls_key=key) as mock:
        assert mock.url.startswith("https://")
        with Client(base_url=mock.url, system=_system(), verify=str(cert)) as client:
            assert isinstance(_read(client), list)
            assert isinstance(_read(client), list)
        assert tls_contexts == [str(cert)]  # made with the first https request, once
        with (  # the default trust store does not know the test's certificate
            Client(base_url=mock.url, system=_system()) as client,
            pytest.raises(CertificateError, match="certificate"),
        ):
            _read(client)
