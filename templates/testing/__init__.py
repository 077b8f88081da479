"""An offline Altinn for tests and apps: a mock server driven by the generated operations.

    from altinn2.testing import MockAltinn

    with MockAltinn(stateful=True) as mock:            # http://127.0.0.1:<any free port>
        client = mock.client()                         # Basic; mock.client("WS") for WS
        mock.fault("GetReceiptBasicV2", 30008)         # the next answers, per operation
        ...
        assert mock.calls[-1].operation == "GetReceiptBasicV2"

The mock checks every request as Altinn's WCF services would (HTTP method, content type and SOAP
version, SOAPAction / WS-Addressing, the body against the shipped XML Schemas, WS-Security and the
body credentials) and answers a bad one with the fault WCF or Altinn would send. EC and EC2
endpoints are served as WCF's WS-SecureConversation services (`altinn2.testing.security`: a token
issuer for enterprise certificates of a test CA, `MockAltinn(tls_cert=..., ca=...)` on HTTPS). See
`altinn2.testing.checks` for the checks, `altinn2.testing.scenario` for the stateful mode,
`altinn2.testing.examples` for `example()`, and `altinn2.testing.plugin` for the pytest fixtures
(`altinn2_mock`, `altinn2_client`, `altinn2_async_client`). `altinn2 mock serve` runs it from the
command line.
"""

from altinn2.testing.examples import ExampleError, example, example_input, example_output
from altinn2.testing.faults import Fault, Reply
from altinn2.testing.mock import (
    DEFAULT_ENTERPRISE,
    DEFAULT_SYSTEM,
    DEFAULT_USER,
    Call,
    MockAltinn,
    Rule,
)
from altinn2.testing.scenario import BrokerFile, Element, Scenario, StoredReceipt
from altinn2.testing.schemas import SchemaViolation, schema, violations

__all__ = [
    "DEFAULT_ENTERPRISE",
    "DEFAULT_SYSTEM",
    "DEFAULT_USER",
    "BrokerFile",
    "Call",
    "Element",
    "ExampleError",
    "Fault",
    "MockAltinn",
    "Reply",
    "Rule",
    "Scenario",
    "SchemaViolation",
    "StoredReceipt",
    "example",
    "example_input",
    "example_output",
    "schema",
    "violations",
]
