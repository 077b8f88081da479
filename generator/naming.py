"""Python names for WCF names: snake_case that keeps acronyms together and versions apart.

`GetReporteeElementListBasicV2` -> `get_reportee_element_list_basic_v2`, `GetReceiptECV2` ->
`get_receipt_ec_v2`, `SEReporteeElementID` -> `se_reportee_element_id`, `userSSN` -> `user_ssn`,
`ReporteeElementBEV2` -> `reportee_element_be_v2`, `SMSPin` -> `SMS_PIN` (enum members).
"""

from __future__ import annotations

import keyword
import re

# "BEv2": a lower-case version marker glued to an acronym is still a version.
_LOWER_VERSION = re.compile(r"(?<=[A-Z])v(?=\d)")
# "ECV2", "BEV2Response": a version after an acronym is a word of its own.
_VERSION_AFTER_ACRONYM = re.compile(r"(?<=[A-Z])(?=V\d+(?:[A-Z_]|$))")
# "SEReportee" -> "SE|Reportee", "V2Response" -> "V2|Response".
_ACRONYM_WORD = re.compile(r"(?<=[A-Z0-9])(?=[A-Z][a-z])")
# "userSSN" -> "user|SSN", "Level3Id" -> "Level3|Id".
_LOWER_UPPER = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")

# Names a field must not take: keywords, and names the generated annotations use. A dataclass
# field keeps its default as a class attribute, and typing.get_type_hints() evaluates annotations
# with the class namespace as locals: a field `int = None` breaks `int | None` beside it.
RESERVED = frozenset(
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | {"int", "str", "bool", "float", "bytes", "object", "list", "dict", "tuple", "set"}
    | {"self", "cls", "field", "dataclass", "Decimal", "UUID", "QName", "Enum", "Meta"}
    | {"XmlDate", "XmlDateTime", "XmlDuration", "XmlPeriod", "XmlTime"}
)


def words(name: str) -> list[str]:
    text = _LOWER_VERSION.sub("V", name)
    text = _VERSION_AFTER_ACRONYM.sub("_", text)
    text = _ACRONYM_WORD.sub("_", text)
    text = _LOWER_UPPER.sub("_", text)
    return [word for word in _NON_WORD.split(text) if word]


def snake_case(name: str) -> str:
    """A field, parameter or method name; never a keyword or a name annotations use."""
    result = "_".join(word.lower() for word in words(name))
    if not result or not result[0].isalpha():
        result = f"value_{result}"
    if result in RESERVED:
        result += "_value"
    return result


def module_name(name: str) -> str:
    """A module name part (`ReporteeElementList` -> `reportee_element_list`, `Case` -> `case`)."""
    return "_".join(word.lower() for word in words(name))


def constant_case(name: str) -> str:
    """An enum member or module constant: `SMSPin` -> `SMS_PIN`."""
    result = "_".join(word.upper() for word in words(name))
    if not result or not result[0].isalpha():
        result = f"VALUE_{result}"
    return result


def pascal_case(name: str) -> str:
    """A class name: the XML name with its first letter upper-cased (`ExternalSearchBEV2`)."""
    result = "".join(part[:1].upper() + part[1:] for part in _NON_WORD.split(name) if part)
    if not result or not result[0].isalpha():
        result = f"Type{result}"
    return f"{result}_" if keyword.iskeyword(result) else result


# Names a generated service method uses besides its parameters: `self` and `base_url` (a keyword
# of every method). A parameter by either would clash with it.
RESERVED_PARAMETERS = frozenset({"self", "base_url"})


def alias_name(name: str, module: str) -> str:
    """The local name of a class whose name another imported class already has:
    `FormTaskShipmentBE` from `...intermediary_inbound_service_2010_10` ->
    `FormTaskShipmentBEIntermediaryInboundService201010`."""
    return f"{name}{pascal_case(module.rpartition('.')[2])}"


def binding_method_name(operation: str, binding: str, base_method: str) -> str:
    """An endpoint method's name: the operation's, with the binding appended when the operation
    is named like its base operation (whose method takes the plain name)."""
    name = snake_case(operation)
    if binding == "EC2":  # EC2's WSDLs reuse EC's operation names: EC's word becomes EC2
        words = name.split("_")
        if "ec" in words:
            at = len(words) - 1 - words[::-1].index("ec")
            return "_".join([*words[:at], "ec2", *words[at + 1 :]])
        return f"{name}_ec2"
    return f"{name}_{binding.lower()}" if name == base_method else name
