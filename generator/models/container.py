"""xsdata's class container with the WCF handlers and our own module designation."""

from __future__ import annotations

from xsdata.codegen.container import ClassContainer, Steps
from xsdata.codegen.handlers import CreateWrapperFields, ValidateReferences
from xsdata.models.config import GeneratorConfig
from xsdata.utils.namespaces import split_qname

from generator.models.handlers import FlattenListWrappers, MapSerializationTypes
from generator.models.layout import Layout, designate_modules


class WcfContainer(ClassContainer):
    """`original_names` maps renamed conflict variants (Clark name) to their XML names; `known`
    holds the Clark names of the types generated before (spec/models.lock)."""

    def __init__(
        self,
        config: GeneratorConfig,
        original_names: dict[str, str],
        known: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(config)
        self.original_names = original_names
        self.known = known
        self.flattened: set[str] = set()
        self.layout = Layout()
        self.processors[Steps.FLATTEN].insert(0, MapSerializationTypes(self))
        self.processors[Steps.FINALIZE] = [
            (
                FlattenListWrappers(self, self.flattened)
                if isinstance(handler, CreateWrapperFields)
                else handler
            )
            for handler in self.processors[Steps.FINALIZE]
        ]

    def variants(self) -> dict[str, str]:
        """Renamed conflict variant -> its flavour (`{ns}ReceiptEC` -> `EC`)."""
        flavours = {}
        for qname, original in self.original_names.items():
            _, name = split_qname(qname)
            flavours[qname] = name[len(original) :]
        return flavours

    def designate_classes(self) -> None:
        used = {tp.qname for cls in self for tp in cls.types()}
        self.remove(*(c for c in list(self) if c.qname in self.flattened and c.qname not in used))
        for cls in self:
            if cls.qname in self.original_names:
                cls.meta_name = self.original_names[cls.qname]
        ValidateReferences(self).run()
        self.layout = designate_modules(self, self.variants(), self.known)
        self.data = {qname: items for qname, items in self.data.items() if items}
