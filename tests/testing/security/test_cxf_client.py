"""Apache CXF's client (tests/java, `CxfEcClient`) against the mock's EC and EC2 endpoints: the
mock behaves as the token issuer a real Java client expects.

CXF reads each endpoint's WSDL from the project's WSDL cache (adapted as for the CXF server,
see the README), bootstraps the security context from the policy, calls the endpoint's first
generated operation with the enterprise user in the body, and on EC cancels the context. The
mock's records show the context issued to CXF's RST and CXF's call verified under it.

CXF's Cancel is refused, by the mock as by CXF's own server (tests/runtime/security): CXF 4.2.3
secures it with the bootstrap certificate (a BinarySecurityToken and an RSA signature over the
Timestamp and `To`) and puts the token itself into `CancelTarget`, where WCF sends and expects a
Cancel secured under the context it cancels (Timestamp, the token, a signature with its key;
`../shared/reference/ec-wire.md` section 5). WCF's bootstrap listener takes Issue and Renew
only (.NET Framework reference source, `SecuritySessionSecurityTokenAuthenticator`:
`SetupSessionListener`, `ProcessRequest`), so a Cancel without the context's token reaches no
session. CXF logs the refusal and goes on; Altinn's own Java client never asks CXF to cancel.

CXF's Renew (of an expired context only) carries no proof of the context key; the mock refuses
it, and CXF issues a new context instead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from altinn2.runtime.codec import qname_of
from altinn2.runtime.operation import Binding, OperationInfo
from generator.project import Project
from tests import cxf_client
from tests.cxf_client import CANCEL, ISSUE, ISSUED, Target
from tests.pki import Pki
from tests.testing.security.conftest import ENTERPRISE, https_mock
from tests.testing.security.test_calls import CONVERSATION_OPERATIONS

FAULT = "http://www.w3.org/2005/08/addressing/soap/fault"
RENEW = "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT/Renew"
# Why the mock refuses CXF's Renew, by the shape CXF gave it (it varies from run to run):
# without a signature, and with the certificate's signature.
NO_PROOF = (
    "the RST carries no RSA-SHA1 signature of the enterprise certificate",  # a Timestamp alone
    "no security context token in the Security header",  # the certificate's signature alone
)


def first_per_endpoint() -> list[OperationInfo]:
    """One operation (the first generated) per non-streamed EC and EC2 endpoint."""
    chosen: dict[str, OperationInfo] = {}
    for operation in CONVERSATION_OPERATIONS:
        chosen.setdefault(operation.path, operation)
    return list(chosen.values())


def test_cxf_calls_every_ec_and_ec2_endpoint_of_the_mock(
    pki: Pki, fetched: Project, tmp_path: Path
) -> None:
    operations = first_per_endpoint()
    assert {op.binding for op in operations} == {Binding.EC, Binding.EC2}
    assert len(operations) == 18  # 9 WSDLs, each as EC and EC2
    with https_mock(pki) as mock:
        targets = [Target(op, mock.url.rstrip("/") + op.path) for op in operations]
        calls = cxf_client.run(pki, fetched.cache_dir, targets, ENTERPRISE, tmp_path)
        for operation, call in zip(operations, calls, strict=True):
            ec = operation.binding is Binding.EC
            assert call.outcome == "RESULT", (operation.label, call)
            assert call.sent == [ISSUE, operation.action, *([CANCEL] if ec else [])], call
            answered = [f"{ISSUED} 200", f"{operation.reply_action} 200"]
            assert call.received == answered + ([f"{FAULT} 500"] if ec else []), call
            assert operation.output is not None
            assert call.result().tag == qname_of(operation.output), call.text
            records = [r for r in mock.calls if r.path.lower() == operation.path.lower()]
            issued, called, *cancelled = records
            assert issued.ok and (issued.reason or "").startswith("issued "), issued
            assert called.ok and called.operation == operation.name, called
            assert called.binding is operation.binding
            # CXF followed each policy: a derived key on EC; on EC2 the token as issued, with
            # the mock's sealed cookie.
            assert ("DerivedKeyToken" in called.envelope) == ec, called.envelope
            assert ("Cookie" in called.envelope) == (not ec), called.envelope
            if ec:
                (cancel,) = cancelled
                assert cancel.action == CANCEL and cancel.fault == "o:InvalidSecurity", cancel
                assert cancel.reason == "no security context token in the Security header"
            else:
                assert cancelled == []
        mock.check()


def test_cxf_renews_an_expired_context_and_issues_anew_when_refused(
    pki: Pki, fetched: Project, tmp_path: Path
) -> None:
    """CXF renews a context only once its Lifetime has passed (SecureConversationOutInterceptor).
    Its RST/SCT/Renew puts the token itself in `RenewTarget` and secures the message with a
    Timestamp alone or with the certificate's signature alone (it varies from run to run), never
    under the context: no proof of the context key, which WCF's session service requires (the
    bootstrap's security and the context endorsing it). The mock refuses it as invalid security;
    CXF then issues a new context (`security.issue.after.failed.renew`, Altinn's setting) and the
    second call goes through under it."""
    (operation,) = [op for op in first_per_endpoint() if op.binding is Binding.EC][:1]
    with https_mock(pki, token_lifetime=dt.timedelta(seconds=5)) as mock:
        target = Target(operation, mock.url.rstrip("/") + operation.path)
        first, second = cxf_client.run(
            pki, fetched.cache_dir, [target], ENTERPRISE, tmp_path, again_after_ms=6500
        )
        assert first.outcome == second.outcome == "RESULT", (first, second)
        assert first.sent == [ISSUE, operation.action, CANCEL], first
        assert second.sent == [RENEW, ISSUE, operation.action, CANCEL], second
        answered = [f"{ISSUED} 200", f"{operation.reply_action} 200"]
        assert second.received == [f"{FAULT} 500", *answered, f"{FAULT} 500"], second
        (renewal,) = [call for call in mock.calls if call.action == RENEW]
        # Its security header never holds the context token: no proof of the context key.
        header, _, body = renewal.envelope.partition("Header>")[2].partition("Body>")
        assert "SecurityContextToken" not in header and "RenewTarget" in body, renewal.envelope
        assert renewal.fault == "o:InvalidSecurity", renewal.fault
        # Which proof is missing follows from the shape CXF gave the header this time.
        signed = "SignatureValue" in header and "BinarySecurityToken" in header
        assert renewal.reason == NO_PROOF[signed], (renewal.reason, header)
        issued = mock.conversations.store.issued
        assert len(issued) == 2 and issued[0] != issued[1]
        assert mock.conversations.store.renewed == []
