"""Typed objects with their secrets masked: for records, decoded captures and anything shown.

Credential fields (the element names `secrets.SECRET_ELEMENTS` lists: passwords, pin codes,
identity numbers, nonces) become `***`; every other text is scrubbed by a `Redactor` (a national
identity number in `reportee`, say). The object keeps its type; the original is not changed.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any, TypeVar

from altinn2.runtime.codec import context
from altinn2.runtime.secrets import DEFAULT_REDACTOR, MASK, SECRET_ELEMENTS, Redactor

V = TypeVar("V")


def masked(value: V, redactor: Redactor = DEFAULT_REDACTOR) -> V:
    """A copy of `value` (a generated dataclass, or None) with its secrets masked."""
    if value is None:
        return value
    clone = copy.deepcopy(value)
    _mask(clone, redactor)
    return clone


def _mask(value: Any, redactor: Redactor) -> None:
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return
    meta = context().build(type(value))
    # A class that is one credential (a SOAP header part such as `SystemPassword`) keeps the
    # secret in its text.
    secret_class = meta.qname.rpartition("}")[2].lower() in SECRET_ELEMENTS
    for var in meta.get_all_vars():
        item = getattr(value, var.name, None)
        if isinstance(item, str):
            secret = (var.local_name or "").lower() in SECRET_ELEMENTS or (
                secret_class and var.is_text
            )
            setattr(value, var.name, MASK if secret else redactor.text(item))
        elif isinstance(item, list):
            for index, member in enumerate(item):
                if isinstance(member, str):
                    item[index] = redactor.text(member)
                else:
                    _mask(member, redactor)
        else:
            _mask(item, redactor)
