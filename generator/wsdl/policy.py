"""Read the security profile, MTOM and WS-Addressing out of WCF's WS-Policy assertions."""

from __future__ import annotations

from lxml import etree

from generator.wsdl.model import Policy, SecurityProfile
from generator.wsdl.namespaces import (
    POLICY_NAMESPACES,
    SECURITY_POLICY_NAMESPACES,
    WSAM,
    WSAW,
    WSOMA,
    WSU,
    q,
)


def _find(scope: etree._Element, local: str, namespaces: tuple[str, ...]) -> etree._Element | None:
    for namespace in namespaces:
        found = scope.find(f".//{q(namespace, local)}")
        if found is not None:
            return found
    return None


def _sp(scope: etree._Element, local: str) -> etree._Element | None:
    return _find(scope, local, SECURITY_POLICY_NAMESPACES)


def read_policies(definitions: etree._Element) -> dict[str, Policy]:
    """Every top-level `wsp:Policy` with a `wsu:Id`, keyed by that id."""
    policies: dict[str, Policy] = {}
    for namespace in POLICY_NAMESPACES:
        for element in definitions.findall(q(namespace, "Policy")):
            policy_id = element.get(q(WSU, "Id")) or element.get("Id")
            if policy_id:
                policies[policy_id] = read_policy(policy_id, element)
    return policies


def _outer(element: etree._Element) -> list[etree._Element]:
    """The policy's assertions, without those of a secure conversation's bootstrap policy (they
    describe the token request, not the messages)."""
    bootstraps = [
        found
        for found in element.iter()
        if isinstance(found.tag, str) and etree.QName(found).localname == "BootstrapPolicy"
    ]
    inside = {node for bootstrap in bootstraps for node in bootstrap.iter()}
    return [node for node in element.iter() if isinstance(node.tag, str) and node not in inside]


def _named(nodes: list[etree._Element], local: str) -> list[etree._Element]:
    return [node for node in nodes if etree.QName(node).localname == local]


def _algorithm_suite(nodes: list[etree._Element]) -> str | None:
    """The suite's name: the assertion inside `sp:AlgorithmSuite/wsp:Policy` (`Basic256`)."""
    for suite in _named(nodes, "AlgorithmSuite"):
        for policy in suite:
            for choice in policy:
                if isinstance(choice.tag, str):
                    return str(etree.QName(choice).localname)
    return None


def read_policy(policy_id: str, element: etree._Element) -> Policy:
    security = SecurityProfile.NONE
    bootstrap = None
    outer = _outer(element)
    conversation = _sp(element, "SecureConversationToken")
    if conversation is not None:
        security = SecurityProfile.SECURE_CONVERSATION
        bootstrap_policy = _sp(conversation, "BootstrapPolicy")
        if bootstrap_policy is not None and _sp(bootstrap_policy, "X509Token") is not None:
            bootstrap = "X509"
    elif _sp(element, "UsernameToken") is not None:
        security = SecurityProfile.USERNAME_TOKEN
    transport = _sp(element, "TransportBinding")
    return Policy(
        id=policy_id,
        security=security,
        bootstrap_token=bootstrap,
        https=transport is not None,
        include_timestamp=bool(_named(outer, "IncludeTimestamp")),
        derived_keys=conversation is not None and bool(_named(outer, "RequireDerivedKeys")),
        must_not_send_cancel=bool(_named(outer, "MustNotSendCancel")),
        signature_confirmation=bool(_named(outer, "RequireSignatureConfirmation")),
        algorithm_suite=_algorithm_suite(outer),
        addressing=_find(element, "UsingAddressing", (WSAW, WSAM)) is not None
        or _find(element, "Addressing", (WSAM,)) is not None,
        mtom=_find(element, "OptimizedMimeSerialization", (WSOMA,)) is not None,
    )
