"""An offline Altinn for tests and apps: a WSDL-driven mock server (see `altinn2.testing.mock`)."""
