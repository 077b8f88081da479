"""The WSDL model: what a WSDL closure (WSDL + imported WSDLs/XSDs) says about its operations."""

from generator.wsdl.loader import load_wsdl
from generator.wsdl.model import (
    Binding,
    BindingOperation,
    HeaderRef,
    Message,
    Operation,
    Part,
    Policy,
    PortType,
    PortTypeOperation,
    Schema,
    SecurityProfile,
    Wsdl,
)

__all__ = [
    "Binding",
    "BindingOperation",
    "HeaderRef",
    "Message",
    "Operation",
    "Part",
    "Policy",
    "PortType",
    "PortTypeOperation",
    "Schema",
    "SecurityProfile",
    "Wsdl",
    "load_wsdl",
]
