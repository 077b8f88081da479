"""The service modules to generate, in terms of the model classes (what the templates print).

One pass per module, each with one entry point: `imports` (local names of what a module
imports, types as structures), `endpoints` (one method per generated row, with the effect and
credentials the spec declares), `merge` (one base-operation method over the
bindings), `checks` (name clashes), `metadata` (each operation's metadata as the module
prints it: one `Endpoint` per binding and path, per operation what differs), `source` (the
Python text of declarations and bodies) and `plan` (runs them per service).
"""

from generator.services.model import (
    BaseMethod,
    EndpointMethod,
    Param,
    ServiceModule,
)
from generator.services.plan import plan_services

__all__ = ["BaseMethod", "EndpointMethod", "Param", "ServiceModule", "plan_services"]
