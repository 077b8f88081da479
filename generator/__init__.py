"""altinn-codegen: turns Altinn 2's endpoint table and WSDLs into a typed Python client."""
