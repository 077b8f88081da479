"""XML namespaces of WSDL 1.1, its SOAP bindings, XML Schema and the WS-* policies WCF writes."""

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11_BINDING = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12_BINDING = "http://schemas.xmlsoap.org/wsdl/soap12/"
XSD = "http://www.w3.org/2001/XMLSchema"
WSAW = "http://www.w3.org/2006/05/addressing/wsdl"
WSAM = "http://www.w3.org/2007/05/addressing/metadata"
WSP = "http://schemas.xmlsoap.org/ws/2004/09/policy"
WSP15 = "http://www.w3.org/ns/ws-policy"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
SP = "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy"
SP12 = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"
WSOMA = "http://schemas.xmlsoap.org/ws/2004/09/policy/optimizedmimeserialization"

POLICY_NAMESPACES = (WSP, WSP15)
SECURITY_POLICY_NAMESPACES = (SP, SP12)


def q(namespace: str, local: str) -> str:
    """Clark notation, as lxml spells qualified names: `{namespace}local`."""
    return f"{{{namespace}}}{local}"
