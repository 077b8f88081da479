"""WS-Security on WS calls, checked by an independent implementation: Apache WSS4J.

The client's real envelopes are captured at a loopback server and handed to a small Java program
(tests/java, `altinn2codegen.WssVerifier`) that runs WSS4J's `WSSecurityEngine` over the
`wsse:Security` header as a service would: the UsernameToken's PasswordText against the expected
password, the Timestamp strictly, nonces against a replay cache; and it insists on what Altinn's
WS binding expects (mustUnderstand, Nonce, wsu:Created, one Timestamp). The Java side is built by
Maven from Maven Central (`make java`, see tests/java_peers.py): when it is missing these tests
fail, they never skip.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from altinn2.client import Client
from altinn2.runtime import SystemCredentials
from altinn2.runtime.client import RetryPolicy
from altinn2.runtime.security import username as username_profile
from altinn2.runtime.security.username import security_header
from altinn2.runtime.wsheaders import PASSWORD_TEXT
from tests import java_peers
from tests.soap_server import (
    SOAP12,
    SOAP12_XML,
    TLS,
    WSA,
    WSSE,
    WSU,
    Reply,
    SoapServer,
    search_be,
    ws_list_response,
)

USER = "412"
PASSWORD = "Hemmelig-Systempassord-1"


@dataclass(frozen=True)
class Verdict:
    returncode: int
    output: str

    @property
    def accepted(self) -> bool:
        return self.returncode == 0

    def line(self, path: Path) -> str:
        """The verifier's first line about `path` (OK or REJECTED)."""
        for line in self.output.splitlines():
            if line.split(" ", 1)[-1].startswith(str(path)):
                return line
        raise AssertionError(f"no verdict for {path} in:\n{self.output}")


@dataclass(frozen=True)
class Wss4j:
    def start(self, password: str, *files: Path) -> subprocess.Popen[str]:
        return java_peers.start("WssVerifier", [USER, password, *(str(file) for file in files)])


@pytest.fixture(scope="session")
def wss4j() -> Wss4j:
    """The verifier (built by `make java`). Fails (never skips) when Java or the build is absent."""
    java_peers.classpath()
    return Wss4j()


def ws_call(folder: Path, name: str, *replies: Reply) -> list[Path]:
    """One real WS call of the client; the envelopes the server received (one per attempt), saved
    as `name`, `name`-2, ..."""
    replies = replies or (Reply(ws_list_response(), content_type=SOAP12_XML),)
    with (
        SoapServer(*replies) as server,
        Client(
            verify=TLS,
            base_url=server.url,
            binding="WS",
            system=SystemCredentials(USER, PASSWORD),
            retry=RetryPolicy(attempts=len(replies), backoff=0.0),
        ) as client,
    ):
        assert (
            client.reportee_element_list.get_reportee_element_list_external_v2(
                search_be=search_be(), language_id=1044
            )
            == []
        )
        assert server.count == len(replies)
        paths = []
        for attempt, request in enumerate(server.received, start=1):
            path = folder / (name if attempt == 1 else name.replace(".xml", f"-{attempt}.xml"))
            path.write_bytes(request.body)
            paths.append(path)
        return paths


def without(path: Path, name: str, xpath: str) -> Path:
    """A copy of an envelope with the elements at `xpath` removed (tampering)."""
    tree = etree.fromstring(path.read_bytes())
    for node in tree.xpath(xpath, namespaces={"o": WSSE, "u": WSU, "s": SOAP12}):
        if isinstance(node, etree._Element):
            node.getparent().remove(node)
        else:  # an attribute
            node.getparent().attrib.pop(node.attrname)
    copy = path.with_name(name)
    copy.write_bytes(etree.tostring(tree))
    return copy


@dataclass(frozen=True)
class Envelopes:
    first: Path
    second: Path
    retried: list[Path]  # the two attempts of a read that got a 503 first
    expired: Path
    nonce_less: Path
    not_must_understand: Path


@pytest.fixture(scope="module")
def envelopes(tmp_path_factory: pytest.TempPathFactory) -> Envelopes:
    folder = tmp_path_factory.mktemp("ws-envelopes")
    (first,) = ws_call(folder, "first.xml")
    (second,) = ws_call(folder, "second.xml")
    retried = ws_call(
        folder,
        "retried.xml",
        Reply(b"<html>Service Unavailable</html>", status=503, content_type="text/html"),
        Reply(ws_list_response(), content_type=SOAP12_XML),
    )
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with pytest.MonkeyPatch.context() as patch:  # the client's clock, an hour behind
        patch.setattr(
            username_profile,
            "security_header",
            functools.partial(security_header, clock=lambda: an_hour_ago),
        )
        (expired,) = ws_call(folder, "expired.xml")
    return Envelopes(
        first=first,
        second=second,
        retried=retried,
        expired=expired,
        nonce_less=without(first, "nonce-less.xml", "//o:UsernameToken/o:Nonce"),
        not_must_understand=without(
            first, "not-must-understand.xml", "//o:Security/@s:mustUnderstand"
        ),
    )


@pytest.fixture(scope="module")
def verdicts(wss4j: Wss4j, envelopes: Envelopes) -> Iterator[dict[str, Verdict]]:
    """Every verification of this module, run side by side (one JVM each) to keep them fast."""
    runs = {
        "two calls": wss4j.start(PASSWORD, envelopes.first, envelopes.second),
        "replayed": wss4j.start(PASSWORD, envelopes.first, envelopes.first),
        "retried": wss4j.start(PASSWORD, *envelopes.retried),
        "wrong password": wss4j.start("Feil-Passord-2", envelopes.first),
        "expired": wss4j.start(PASSWORD, envelopes.expired),
        "nonce-less": wss4j.start(PASSWORD, envelopes.nonce_less),
        "not mustUnderstand": wss4j.start(PASSWORD, envelopes.not_must_understand),
    }
    try:
        yield {
            name: Verdict(run.wait(timeout=120), run.stdout.read() if run.stdout else "")
            for name, run in runs.items()
        }
    finally:
        for run in runs.values():
            if run.poll() is None:
                run.kill()
            if run.stdout:
                run.stdout.close()


def test_wss4j_accepts_the_security_header_of_real_ws_calls(
    verdicts: dict[str, Verdict], envelopes: Envelopes
) -> None:
    verdict = verdicts["two calls"]
    assert verdict.accepted, verdict.output
    for path in (envelopes.first, envelopes.second):
        assert verdict.line(path) == f"OK {path}"
    # WSS4J's processed results: the token (PasswordText, nonce, created) and the timestamp.
    tokens = re.findall(
        r"UsernameToken user=(\S+) type=(\S+) nonce=(\S+) created=(\S+)", verdict.output
    )
    assert [(user, kind) for user, kind, _, _ in tokens] == [(USER, PASSWORD_TEXT)] * 2
    assert tokens[0][2] != tokens[1][2], "every call must carry a fresh nonce"
    assert len(re.findall(r"Timestamp created=\S+ expires=\S+", verdict.output)) == 2


def test_wss4j_rejects_a_replayed_envelope(
    verdicts: dict[str, Verdict], envelopes: Envelopes
) -> None:
    verdict = verdicts["replayed"]
    assert not verdict.accepted
    lines = verdict.output.splitlines()
    assert lines[0] == f"OK {envelopes.first}"
    assert any(
        line.startswith(f"REJECTED {envelopes.first}") and "replay" in line for line in lines
    )


def test_a_retried_call_is_a_fresh_message(
    verdicts: dict[str, Verdict], envelopes: Envelopes
) -> None:
    """A read retried after a 503 may have reached the server the first time: the retry carries a
    new nonce (and Timestamp, and MessageID), so a server that remembers nonces accepts it."""
    verdict = verdicts["retried"]
    assert verdict.accepted, verdict.output
    first, second = (etree.fromstring(path.read_bytes()) for path in envelopes.retried)
    ns = {"o": WSSE, "a": WSA}
    for path in ("//o:Nonce", "//a:MessageID"):
        assert first.xpath(f"string({path})", namespaces=ns) != second.xpath(
            f"string({path})", namespaces=ns
        )


def test_wss4j_rejects_a_wrong_password(verdicts: dict[str, Verdict], envelopes: Envelopes) -> None:
    verdict = verdicts["wrong password"]
    assert verdict.returncode == 1, verdict.output
    assert "could not be authenticated" in verdict.line(envelopes.first)


def test_wss4j_rejects_an_expired_timestamp(
    verdicts: dict[str, Verdict], envelopes: Envelopes
) -> None:
    """The client's clock an hour behind: Timestamp (and token) expired in WSS4J's eyes."""
    verdict = verdicts["expired"]
    assert verdict.returncode == 1, verdict.output
    assert "expired" in verdict.line(envelopes.expired)


def test_a_token_stripped_of_its_nonce_is_rejected(
    verdicts: dict[str, Verdict], envelopes: Envelopes
) -> None:
    """WSS4J accepts a PasswordText token without a Nonce (the profile makes it optional); the
    verifier holds the token to what the client promises and Altinn's binding shows."""
    verdict = verdicts["nonce-less"]
    assert verdict.returncode == 1, verdict.output
    assert "no Nonce" in verdict.line(envelopes.nonce_less)


def test_the_verifier_checks_must_understand(
    verdicts: dict[str, Verdict], envelopes: Envelopes
) -> None:
    """The client's header passes with mustUnderstand; without it, it would not (a live check)."""
    verdict = verdicts["not mustUnderstand"]
    assert verdict.returncode == 1, verdict.output
    assert "mustUnderstand" in verdict.line(envelopes.not_must_understand)


# -- the header's shape, read directly ------------------------------------------------------------


def test_security_header_shape(envelopes: Envelopes) -> None:
    root = etree.fromstring(envelopes.first.read_bytes())
    ns = {"s": SOAP12, "o": WSSE, "u": WSU}
    (security,) = root.xpath("/s:Envelope/s:Header/o:Security", namespaces=ns)
    assert security.get(f"{{{SOAP12}}}mustUnderstand") == "1"
    assert [etree.QName(child).localname for child in security] == ["Timestamp", "UsernameToken"]
    (token,) = security.xpath("o:UsernameToken", namespaces=ns)
    assert token.get(f"{{{WSU}}}Id")
    assert token.findtext(f"{{{WSSE}}}Username") == USER
    password = token.find(f"{{{WSSE}}}Password")
    assert password is not None
    assert (password.get("Type"), password.text) == (PASSWORD_TEXT, PASSWORD)
    nonce = token.find(f"{{{WSSE}}}Nonce")
    assert nonce is not None and nonce.get("EncodingType", "").endswith("#Base64Binary")
    assert len(base64.b64decode(nonce.text or "", validate=True)) == 16
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    created = security.findtext(f"{{{WSU}}}Timestamp/{{{WSU}}}Created") or ""
    expires = security.findtext(f"{{{WSU}}}Timestamp/{{{WSU}}}Expires") or ""
    assert re.fullmatch(stamp, created) and re.fullmatch(stamp, expires)
    assert token.findtext(f"{{{WSU}}}Created") == created
    as_time = dt.datetime.fromisoformat
    assert as_time(expires) - as_time(created) == dt.timedelta(minutes=5)
    assert abs(as_time(created) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
