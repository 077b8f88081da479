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


def read_policy(policy_id: str, element: etree._Element) -> Policy:
    security = SecurityProfile.NONE
    bootstrap = None
    derived_keys = False
    conversation = _sp(element, "SecureConversationToken")
    if conversation is not None:
        security = SecurityProfile.SECURE_CONVERSATION
        bootstrap_policy = _sp(conversation, "BootstrapPolicy")
        if bootstrap_policy is not None and _sp(bootstrap_policy, "X509Token") is not None:
            bootstrap = "X509"
        in_bootstrap = set(bootstrap_policy.iter()) if bootstrap_policy is not None else set()
        derived_keys = any(
            etree.QName(child).localname == "RequireDerivedKeys"
            for child in conversation.iter()
            if child not in in_bootstrap
        )
    elif _sp(element, "UsernameToken") is not None:
        security = SecurityProfile.USERNAME_TOKEN
    transport = _sp(element, "TransportBinding")
    return Policy(
        id=policy_id,
        security=security,
        bootstrap_token=bootstrap,
        https=transport is not None,
        include_timestamp=_sp(element, "IncludeTimestamp") is not None,
        derived_keys=derived_keys,
        addressing=_find(element, "UsingAddressing", (WSAW, WSAM)) is not None
        or _find(element, "Addressing", (WSAM,)) is not None,
        mtom=_find(element, "OptimizedMimeSerialization", (WSOMA,)) is not None,
    )
