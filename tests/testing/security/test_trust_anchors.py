"""A bootstrap certificate is accepted when a trusted CA issued and signed it and it is valid
now; a CA of the same name but another key does not vouch for it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from altinn2.runtime.wsheaders import timestamp, utc_now
from altinn2.testing.security.timestamps import timestamp_problem
from altinn2.testing.security.trust_anchors import TrustAnchors
from tests.pki import Pki
from tests.testing.security.conftest import p12


def test_the_ca_vouches_for_its_own_certificate_only(pki: Pki) -> None:
    anchors = TrustAnchors.from_pem([pki.ca_pem])
    now = utc_now()
    assert anchors.problem(p12(pki.enterprise_p12).certificate, now) is None
    assert anchors.problem(p12(pki.expired_p12).certificate, now) == "the certificate has expired"
    stranger = p12(pki.stranger_p12).certificate
    assert stranger.issuer == p12(pki.enterprise_p12).certificate.issuer  # same name
    assert "is no trusted CA" in (anchors.problem(stranger, now) or "")
    early = p12(pki.enterprise_p12).certificate.not_valid_before_utc - dt.timedelta(seconds=1)
    assert anchors.problem(p12(pki.enterprise_p12).certificate, early) == (
        "the certificate is not valid yet"
    )
    assert "is no trusted CA" in (TrustAnchors().problem(stranger, now) or "")


def test_a_file_that_is_not_pem_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("no certificate here")
    with pytest.raises(ValueError, match=r"ca\.pem: not a PEM file of CA certificates"):
        TrustAnchors.from_pem([bad])


def test_timestamps_are_checked_as_wcf_checks_them() -> None:
    now = utc_now()
    assert timestamp_problem(timestamp(now), now, need_id=True) is None
    assert timestamp_problem(None, now) == "no wsu:Timestamp in the Security header"
    future = timestamp(now + dt.timedelta(minutes=6))
    assert timestamp_problem(future, now) == "the Timestamp was created in the future"
    old = timestamp(now - dt.timedelta(minutes=20))
    assert timestamp_problem(old, now) == "the Timestamp has expired"
    stale = timestamp(now - dt.timedelta(minutes=11), dt.timedelta(hours=1))
    assert timestamp_problem(stale, now) == "the Timestamp is stale"
    unnamed = timestamp(now)
    del unnamed.attrib[next(iter(unnamed.attrib))]
    assert timestamp_problem(unnamed, now, need_id=True) == "the Timestamp has no wsu:Id"
