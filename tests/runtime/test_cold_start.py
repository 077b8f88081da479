"""Importing the package, making a client and reading a service load no module that only a call,
a fallback or another kind of client needs; the first call loads what it needs and works.

Each check runs in a new interpreter (a module loaded by another test would hide a regression).
"""

from __future__ import annotations

import json
import subprocess
import sys

from altinn2.testing import DEFAULT_SYSTEM, MockAltinn

# Modules a cold start must leave unloaded: the HTTP stack (the first call loads it), xsdata's
# generic parser and serializer (the reference path, for what a generated codec refuses), the
# signing library (EC only) and asyncio (async clients only).
NOT_AT_COLD_START = (
    "httpx",
    "ssl",
    "xsdata.formats.dataclass.parsers",
    "xsdata.formats.dataclass.serializers",
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
import sys
import altinn2
url, user_name, password = sys.argv[1:]
client = altinn2.Client(base_url=url, system=altinn2.SystemCredentials(user_name, password))
before = "httpx" in sys.modules
with client:
    answer = client.reportee_element_list.get_correspondence_list_for_archive_ref_basic(
        reportee="910514458", archive_reference="AR123", language_id=1044
    )
print(type(answer).__name__, before, "httpx" in sys.modules)
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
    assert output.split() == ["list", "False", "True"]
