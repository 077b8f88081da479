"""The WS-Policy reader on policies written in the test: what the runtime's SecurityPolicy holds."""

from __future__ import annotations

from lxml import etree

from generator.wsdl.model import SecurityProfile
from generator.wsdl.policy import read_policy

NAMESPACES = (
    'xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy" '
    'xmlns:sp="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy" '
    'xmlns:mssp="http://schemas.microsoft.com/ws/2005/07/securitypolicy" '
    'xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"'
)
TRANSPORT = """<sp:TransportBinding><wsp:Policy>
  <sp:TransportToken><wsp:Policy><sp:HttpsToken/></wsp:Policy></sp:TransportToken>
  <sp:AlgorithmSuite><wsp:Policy><sp:{suite}/></wsp:Policy></sp:AlgorithmSuite>
  <sp:IncludeTimestamp/>
</wsp:Policy></sp:TransportBinding>"""


def policy(assertions: str) -> etree._Element:
    return etree.fromstring(
        f"<wsp:Policy {NAMESPACES}><wsp:ExactlyOne><wsp:All>{assertions}"
        "</wsp:All></wsp:ExactlyOne></wsp:Policy>"
    )


def conversation(inner: str, bootstrap: str) -> str:
    return f"""<sp:EndorsingSupportingTokens><wsp:Policy><sp:SecureConversationToken><wsp:Policy>
  {inner}<sp:BootstrapPolicy><wsp:Policy>{bootstrap}</wsp:Policy></sp:BootstrapPolicy>
</wsp:Policy></sp:SecureConversationToken></wsp:Policy></sp:EndorsingSupportingTokens>"""


# The bootstrap of EC: its own suite, a Wss11 asking for signature confirmation, derived keys.
BOOTSTRAP = (
    TRANSPORT.format(suite="TripleDes")
    + "<sp:EndorsingSupportingTokens><wsp:Policy><sp:X509Token><wsp:Policy><sp:RequireDerivedKeys/>"
    "</wsp:Policy></sp:X509Token></wsp:Policy></sp:EndorsingSupportingTokens>"
    "<sp:Wss11><wsp:Policy><sp:RequireSignatureConfirmation/></wsp:Policy></sp:Wss11>"
)


def test_ec_reads_the_outer_policy_not_the_bootstraps() -> None:
    read = read_policy(
        "EC",
        policy(
            TRANSPORT.format(suite="Basic256")
            + conversation("<sp:RequireDerivedKeys/>", BOOTSTRAP)
            + "<sp:Wss11><wsp:Policy/></sp:Wss11><wsaw:UsingAddressing/>"
        ),
    )
    assert read.security is SecurityProfile.SECURE_CONVERSATION
    assert read.bootstrap_token == "X509"
    assert read.derived_keys and read.include_timestamp and read.addressing and read.https
    assert read.algorithm_suite == "Basic256"
    assert not read.signature_confirmation  # only the bootstrap's Wss11 asks for it
    assert not read.must_not_send_cancel


def test_ec2_must_not_send_cancel_and_derives_no_keys() -> None:
    read = read_policy(
        "EC2",
        policy(
            TRANSPORT.format(suite="Basic256")
            + conversation("<mssp:MustNotSendCancel/>", BOOTSTRAP)
        ),
    )
    assert read.must_not_send_cancel
    assert not read.derived_keys  # the bootstrap's X509Token derives keys, the messages do not
    assert read.bootstrap_token == "X509"


def test_signature_confirmation_of_the_messages() -> None:
    read = read_policy(
        "P",
        policy(
            "<sp:SignedSupportingTokens><wsp:Policy><sp:UsernameToken/></wsp:Policy>"
            "</sp:SignedSupportingTokens>"
            "<sp:Wss11><wsp:Policy><sp:RequireSignatureConfirmation/></wsp:Policy></sp:Wss11>"
        ),
    )
    assert read.security is SecurityProfile.USERNAME_TOKEN
    assert read.signature_confirmation
    assert read.algorithm_suite is None and not read.include_timestamp


def test_no_assertions_no_security() -> None:
    read = read_policy("P", policy(""))
    assert read.security is SecurityProfile.NONE
    assert (read.bootstrap_token, read.algorithm_suite) == (None, None)
    assert not (read.derived_keys or read.must_not_send_cancel or read.signature_confirmation)


def test_the_generator_and_the_runtime_name_the_security_styles_alike() -> None:
    from altinn2.runtime.operation import Security

    assert {p.name: p.value for p in SecurityProfile} == {s.name: s.value for s in Security}


def test_generated_operations_carry_their_wsdls_policy() -> None:
    from altinn2.runtime.operation import Binding, Security, SecurityPolicy
    from altinn2.runtime.registry import operation_index

    operations = operation_index().operations
    by_binding = {
        binding: [op for op in operations if op.binding is binding] for binding in Binding
    }
    assert all(op.policy == SecurityPolicy() for op in by_binding[Binding.BASIC])
    assert all(op.security is Security.USERNAME_TOKEN for op in by_binding[Binding.WS])
    ec = {op.policy for op in by_binding[Binding.EC]}
    assert ec == {
        SecurityPolicy(
            style=Security.SECURE_CONVERSATION,
            timestamp=True,
            bootstrap="X509",
            derived_keys=True,
            algorithm_suite="Basic256",
        )
    }
