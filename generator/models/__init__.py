"""Typed models: xsdata dataclasses for every schema of the WSDL cache, WCF quirks handled.

The stages: `schemas` (collect, clean, deduplicate and merge the XSD definitions of all WSDLs),
xsdata's parser and mapper, `container` (xsdata's handlers plus ours: `handlers`, module layout in
`layout`), and `render` (naming, types, docstrings). `build.build_models` runs them all.
"""
