"""The codec modules' sources: `altinn2/codecs/<model module>.py`, one per model module.

The template (`codecs.py.jinja`) writes each module as black would but for its long statements,
one line each, which `generator.codecs.layout` then splits as black would; this module prepares
what the template prints: imports, the enum tables, and per class the slot table and the Python
of each branch.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable

import jinja2

from generator.codecs.plan import CONVERSIONS, GROUPED, ClassPlan, EncoderPlan, Slot
from generator.codecs.probe import public_name
from generator.models.render import LINE_LENGTH

# The text of a simple value `v` as written (anything not of the declared type goes to xsdata).
TEXTS = {
    "str": "_f.str_text({})",
    "int": "_f.int_text({})",
    "int32": "_f.int32_text({})",
    "bool": "_f.bool_text({})",
    "datetime": "_f.date_time_text({})",
    "guid": "_f.guid_text({})",
    "bytes": "_f.bytes_text({})",
}

CODECS_PACKAGE = "altinn2.codecs"


@dataclasses.dataclass
class Branch:
    index: int
    lines: list[str]  # the statements under `elif k == index:`, unindented


@dataclasses.dataclass
class InOrder:
    """A decoder's first try: every child element present, in the schema's order (as WCF writes
    them), read by position into one dict display; anything else takes the loop by name."""

    condition: list[str]  # `if ...:` over the children `cs`, as black writes it (indent 4)
    entries: list[str]  # the dict display's entries, field order (indent 12)
    after: list[str]  # the statements of the fields read after the display (indent 8)


@dataclasses.dataclass
class ClassView:
    name: str
    keys: list[str]  # the arguments of `_f.index(...)`: namespace, names, ... (one line each)
    names: list[str]  # the grouped slots' fields, as string literal lines for `_f.words`
    fields: list[str]  # every field, as string literal lines for `_f.words`
    special: list[tuple[str, str]]  # fields whose initial value is not None (lists apart)
    lists: list[str]  # fields that start as a new empty list
    not_nullable: str  # the grouped slots whose field does not admit None (an expression)
    nil_default: str  # the grouped slots whose field is None unless given (an expression)
    enum_tables: tuple[int, list[str]] | None  # the first grouped enum's index, their tables
    bounds: tuple[int, ...]  # the end of each grouped kind
    grouped: list[tuple[str, int, int]]  # (kind, start, end) of each non-empty group
    branches: list[Branch]
    defaults: list[tuple[str, str]]
    required: list[str]
    uses_text: bool  # some branch reads the element's text
    in_order: InOrder | None = None


@dataclasses.dataclass
class EncoderView:
    name: str
    qname: str  # the element of a root instance
    lines: list[str]  # the body after the class check, unindented


@dataclasses.dataclass
class ModuleView:
    module: str  # the model module (public name)
    own: str  # its alias
    imports: list[str]  # import lines
    namespaces: list[tuple[str, str]]  # XML namespace -> its constant
    enums: list[tuple[str, str]]  # table name -> the enum as an expression
    classes: list[ClassView]
    encoders: list[EncoderView] = dataclasses.field(default_factory=list)
    # (class name, its element name's constant): the operations' message classes of the module
    qnames: list[tuple[str, str]] = dataclasses.field(default_factory=list)


def _str(text: str) -> str:
    """A string literal as black writes it (double quotes)."""
    return json.dumps(text)


def _short(module: str) -> str:
    return module.rpartition(".")[2]


class _Names:
    """How one codec module refers to enums and other modules' decoders."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.modules: dict[str, str] = {}  # imported module -> alias
        self.enums: dict[type, str] = {}
        self.namespaces: dict[str, str] = {}
        self.items: dict[str, str] = {}  # a list item's qname -> its constant
        self.bare: dict[str, str] = {}  # a namespace (no braces) -> its constant

    def tag(self, qname: str) -> str:
        """A `{namespace}name` as an expression over the module's namespace constants."""
        if not qname.startswith("{"):
            return _str(qname)
        namespace, _, local = qname[1:].partition("}")
        if namespace not in self.namespaces:
            self.namespaces[namespace] = f"_NS{len(self.namespaces)}"
        return f"{self.namespaces[namespace]} + {_str(local)}"

    def namespace(self, qname: str) -> str:
        """The constant of a `{namespace}name`'s namespace, without braces."""
        space = qname[1:].partition("}")[0]
        if space not in self.bare:
            self.bare[space] = f"_S{len(self.bare)}"
        return self.bare[space]

    def item(self, qname: str) -> str:
        """A list item's name as a module constant (compared once per item)."""
        if qname not in self.items:
            self.items[qname] = f"_Q{len(self.items)}"
        return self.items[qname]

    def enum(self, cls: type) -> str:
        if cls not in self.enums:
            self.enums[cls] = f"_E{len(self.enums)}"
            self.alias(cls.__module__)
        return self.enums[cls]

    def alias(self, probe_module: str) -> str:
        module = public_name(probe_module)
        if module not in self.modules:
            self.modules[module] = f"_m{len(self.modules)}"
        return self.modules[module]

    def decoder(self, plan: ClassPlan | EncoderPlan, prefix: str = "decode") -> str:
        if plan.module == self.module:
            return f"{prefix}_{plan.name}"
        codec = f"{CODECS_PACKAGE}.{_short(plan.module)}"
        if codec not in self.modules:
            self.modules[codec] = f"_c{len(self.modules)}"
        return f"{self.modules[codec]}.{prefix}_{plan.name}"


def _conversion(slot: Slot, names: _Names) -> str | None:
    """The expression of a non-empty text `x` as the slot's value (None: `x` itself)."""
    if slot.kind == "str":
        return None
    if slot.kind == "enum":
        assert slot.target is not None
        return f"{names.enum(slot.target)}[x]"
    if slot.kind == "ranged":
        low, high = slot.bounds
        return f"_f.ranged(x, {low}, {high})"
    return CONVERSIONS[slot.kind]


def _branch(slot: Slot, plans: dict[type, ClassPlan], names: _Names) -> list[str]:
    target = f"v[{_str(slot.field)}]"
    nullable = repr(slot.nullable)
    # xsi:nil looked for (a call) only when the element has attributes at all (cheaper to ask)
    nil = f"c.keys() and _f.nil(c, {nullable})"
    if slot.kind == "class":
        assert slot.target is not None
        decode = names.decoder(plans[slot.target])
        if slot.item is not None:
            # an empty wrapper (no children) is an empty list without a call
            items = f"_f.each(c, {names.item(slot.item)}, {decode}, consume) if len(c) else []"
            return [f"{target} = None if {nil} else {items}"]
        if slot.many:
            return [f"{target}.append({decode}(c))", "if consume:", "    c.clear()"]
        return [f"{target} = None if {nil} else {decode}(c, consume)"]
    convert = _conversion(slot, names)
    string = repr(slot.kind == "str")
    if slot.item is not None:
        texts = f"_f.text(i, {string}) for i in c if i.tag == {names.item(slot.item)}"
        items = f"[{texts}]" if convert is None else f"[{convert} for x in [{texts}]]"
        return [f"{target} = None if {nil} else {items}"]
    if slot.many:
        if convert is None:
            return [f"{target}.append(_f.text(c, {string}))"]
        return [f"x = _f.text(c, {string})", f"{target}.append({convert})"]
    assert convert is not None  # single strings are grouped
    if " if " in convert:
        convert = f"({convert})"
    return [f"{target} = {convert} if x else _f.blank(c, {nullable}, False)"]


def _in_order(plan: ClassPlan, plans: dict[type, ClassPlan], names: _Names) -> InOrder | None:
    """The positional first try (None where the children's count is not fixed: a repeated
    element, or fields that are not all elements)."""
    slots = sorted(plan.slots, key=lambda slot: slot.position)
    fields = [name for name, _ in plan.defaults]
    if not slots or any(s.many and s.item is None for s in slots):
        return None
    if sorted(fields) != sorted(s.field for s in slots):
        return None
    at = {slot.field: (i, slot) for i, slot in enumerate(slots)}
    tests = [f"len(cs) == {len(slots)}"]
    tests += [f"cs[{i}].tag == {names.item(slot.tag)}" for i, slot in enumerate(slots)]
    entries: list[str] = []
    after: list[str] = []
    for name in fields:
        i, slot = at[name]
        nullable = repr(slot.nullable)
        if slot.kind == "class" or slot.many:
            parts = ["None"]  # read by the loop's branch, after the display
            after += [f"c = cs[{i}]", *_branch(slot, plans, names)]
        elif slot.kind == "str":
            parts = [f"cs[{i}].text", f"or _f.blank(cs[{i}], {nullable}, True)"]
        else:
            convert = _conversion(slot, names)
            assert convert is not None
            if " if " in convert:
                convert = f"({convert})"
            parts = [
                convert,
                f"if (x := cs[{i}].text)",
                f"else _f.blank(cs[{i}], {nullable}, False)",
            ]
        entries += _entry(_str(name), parts, 12)
    return InOrder(_condition(tests, 4), entries, after)


def _condition(tests: list[str], indent: int) -> list[str]:
    """`if a and b ...:` on one line if it fits, else one test a line (black's split)."""
    line = f"if {' and '.join(tests)}:"
    if indent + len(line) <= LINE_LENGTH:
        return [line]
    return ["if (", f"    {tests[0]}", *(f"    and {test}" for test in tests[1:]), "):"]


def _entry(key: str, parts: list[str], indent: int) -> list[str]:
    """A dict display's `key: value,` as black writes it: one line if it fits, else the value
    in parentheses on its own line, else split at its operators."""
    value = " ".join(parts)
    line = f"{key}: {value},"
    if indent + len(line) <= LINE_LENGTH or len(parts) == 1:
        return [line]
    if indent + 4 + len(value) <= LINE_LENGTH:
        return [f"{key}: (", f"    {value}", "),"]
    return [f"{key}: (", *(f"    {part}" for part in parts), "),"]


def _text(slot: Slot, value: str, names: _Names) -> str:
    if slot.kind == "enum":
        assert slot.target is not None
        alias = names.alias(slot.target.__module__)
        return f"_f.enum_text({value}, {alias}.{slot.target.__name__})"
    if slot.kind == "ranged":
        low, high = slot.bounds
        return f"_f.ranged_text({value}, {low}, {high})"
    return TEXTS.get(slot.kind, "_f.refuse({})").format(value)


def _encoder_lines(slot: Slot, plans: dict[type, EncoderPlan], names: _Names) -> list[str]:
    """Writing one field, `v` its value, into `e`; each element's namespace noted in `ns` (in
    document order: the first of each gives its prefix)."""

    def noted(qname: str) -> list[str]:
        if not qname.startswith("{"):
            return []
        return [f"ns[{names.namespace(qname)}] = None"]

    lines = [f"v = o.{slot.field}", "if v is not None:"]
    body: list[str] = []
    parent, tag = "e", names.item(slot.tag)
    if slot.item is not None:
        body += [f"w = _SE(e, {tag})", *noted(slot.tag)]
        parent, tag = "w", names.item(slot.item)
    element = f"_SE({parent}, {tag})"
    if slot.kind == "class" and slot.nillable:
        # xsdata writes a nillable element whose object writes nothing as xsi:nil
        assert slot.target is not None
        encode = names.decoder(plans[slot.target], "encode")
        write = [f"{encode}({{}}, c := {element}, ns)", "_f.nil_if_empty(c, ns)"]
    elif slot.kind == "class":
        assert slot.target is not None
        encode = names.decoder(plans[slot.target], "encode")
        write = [f"{encode}({{}}, {element}, ns)"]
    else:
        write = [f"{element}.text = {_text(slot, '{}', names)}"]
    qname = slot.item or slot.tag
    if slot.many:
        if noted(qname):
            body += ["if v:", *(f"    {line}" for line in noted(qname))]
        body += ["for i in v:", *(f"    {line.format('i')}" for line in write)]
    else:
        body += [*noted(qname), *(line.format("v") for line in write)]
    lines += [f"    {line}" for line in body]
    if slot.required:
        lines += ["else:", f"    _f.absent(e, {names.item(slot.tag)}, {slot.nillable}, ns)"]
    return lines


def module_view(
    module: str,
    plans: dict[type, ClassPlan],
    encoders: dict[type, EncoderPlan],
    qnames: dict[type, str],
) -> ModuleView:
    """What the template prints of one codec module; `qnames`: the element name of each class an
    operation reads or writes (those of this module go in its `QNAMES`)."""
    names = _Names(module)
    everything: list[ClassPlan | EncoderPlan] = [*plans.values(), *encoders.values()]
    own = names.alias(next(p.cls for p in everything if p.module == module).__module__)
    encoder_views = [
        EncoderView(
            plan.name,
            plan.qname,
            [line for slot in plan.slots for line in _encoder_lines(slot, encoders, names)],
        )
        for plan in sorted(encoders.values(), key=lambda p: p.name)
        if plan.module == module
    ]
    classes = []
    for plan in sorted((p for p in plans.values() if p.module == module), key=lambda p: p.name):
        start = 0
        grouped = []
        for kind, end in zip(GROUPED, plan.bounds, strict=True):
            if end > start:
                grouped.append((kind, start, end))
            start = end
        defaults = dict(plan.defaults)
        branches = [
            Branch(slot.index, _branch(slot, plans, names))
            for slot in plan.slots
            if slot.index >= plan.bounds[-1]
        ]
        classes.append(
            ClassView(
                name=plan.name,
                keys=_index_arguments(plan, names),
                names=_literal_lines([slot.field for slot in plan.slots[: plan.bounds[-1]]]),
                fields=_literal_lines([name for name, _ in plan.defaults]),
                special=[(n, value) for n, value in plan.defaults if value not in ("None", "[]")],
                lists=[n for n, value in plan.defaults if value == "[]"],
                not_nullable=_index_set(
                    s.index for s in plan.slots if s.index < plan.bounds[-1] and not s.nullable
                ),
                nil_default=_index_set(
                    s.index
                    for s in plan.slots
                    if s.index < plan.bounds[-1] and s.nullable and defaults.get(s.field) == "None"
                ),
                enum_tables=_enum_tables(plan, names),
                bounds=plan.bounds,
                grouped=grouped,
                branches=branches,
                defaults=list(plan.defaults),
                required=list(plan.required),
                uses_text=bool(grouped)
                or any(" if x else " in ln for b in branches for ln in b.lines),
                in_order=_in_order(plan, plans, names),
            )
        )
    own_qnames = [
        (cls.__name__, names.item(qname))
        for cls, qname in sorted(qnames.items(), key=lambda item: item[0].__name__)
        if public_name(cls.__module__) == module
    ]
    imports = _imports(names.modules)
    enums = [
        (table, f"{names.alias(cls.__module__)}.{cls.__name__}")
        for cls, table in names.enums.items()
    ]
    namespaces = [("{" + space + "}", alias) for space, alias in names.namespaces.items()]
    namespaces += [(qname, alias) for qname, alias in names.items.items()]
    namespaces += [(space, alias) for space, alias in names.bare.items()]
    return ModuleView(module, own, imports, namespaces, enums, classes, encoder_views, own_qnames)


def _imports(modules: dict[str, str]) -> list[str]:
    """`from parent import child as alias` lines, one per parent, as isort writes them (black
    profile, `combine_as_imports`): the names sorted, wrapped one a line when too long."""
    by_parent: dict[str, list[str]] = {}
    for target, alias in sorted(modules.items()):
        parent, _, child = target.rpartition(".")
        by_parent.setdefault(parent, []).append(f"{child} as {alias}")
    lines = []
    for parent, children in sorted(by_parent.items()):
        line = f"from {parent} import {', '.join(children)}"
        if len(line) > LINE_LENGTH:
            line = "\n".join([f"from {parent} import (", *(f"    {c}," for c in children), ")"])
        lines.append(line)
    return lines


def _literal_lines(words: list[str], width: int = 90) -> list[str]:
    """Space-separated `words` as string literals of at most `width` characters (implicitly
    concatenated: each line after the first starts with the space)."""
    lines: list[str] = []
    current = ""
    for word in words:
        piece = f" {word}" if current or lines else word
        if current and len(current) + len(piece) > width:
            lines.append(current)
            current = f" {word}"
        else:
            current += piece
    if current:
        lines.append(current)
    return [_str(line) for line in lines]


# The indent of each argument line of `_f.index(...)`, one argument a line (codecs.py.jinja).
_ARGUMENT_INDENT = "    "


def _index_arguments(plan: ClassPlan, names: _Names) -> list[str]:
    """`_f.index` arguments: each run of slots in one namespace as its constant and names."""
    runs: list[tuple[str, list[str]]] = []
    for slot in plan.slots:
        space, _, local = (
            slot.tag[1:].partition("}") if slot.tag.startswith("{") else ("", "", slot.tag)
        )
        constant = names.tag(slot.tag).split(" + ")[0] if space else '""'
        if runs and runs[-1][0] == constant:
            runs[-1][1].append(local)
        else:
            runs.append((constant, [local]))
    found: list[str] = []
    for constant, locals_ in runs:
        lines = _literal_lines(locals_)
        joined = " ".join(lines)
        if len(lines) > 1 and len(f"{_ARGUMENT_INDENT}{joined},") <= LINE_LENGTH:
            lines = [joined]  # black joins an argument that fits on its line, comma included
        found += [f"{constant},", *lines]
        found[-1] += ","
    return found


def _enum_tables(plan: ClassPlan, names: _Names) -> tuple[int, list[str]] | None:
    start = plan.bounds[-2]
    tables = []
    for slot in plan.slots[start : plan.bounds[-1]]:
        assert slot.target is not None
        tables.append(names.enum(slot.target))
    return (start, tables) if tables else None


def _index_set(indices: Iterable[int]) -> str:
    found = sorted(indices)
    if not found:
        return "frozenset()"
    if found == list(range(found[0], found[-1] + 1)):
        return f"frozenset(range({found[0]}, {found[-1] + 1}))"
    return f"frozenset({{{', '.join(map(str, found))}}})"


def codec_path(module: str) -> str:
    """Where the codecs of model module `module` (`altinn2.models.x`) go in generated/."""
    return f"altinn2/codecs/{_short(module)}.py"


def render_codecs_init(env: jinja2.Environment) -> dict[str, str]:
    return {"altinn2/codecs/__init__.py": env.get_template("codecs_init.py.jinja").render()}


def render_codecs(
    env: jinja2.Environment,
    plans: dict[type, ClassPlan],
    encoders: dict[type, EncoderPlan],
    qnames: dict[type, str],
    only: set[str] | None = None,
) -> dict[str, str]:
    """{path inside generated/: source} of every codec module (of the model modules `only`
    names, given it), and the package's __init__; `qnames`: the element name of each class an
    operation reads or writes."""
    everything: list[ClassPlan | EncoderPlan] = [*plans.values(), *encoders.values()]
    modules = sorted({plan.module for plan in everything})
    if only is not None:
        modules = [module for module in modules if module in only]
    files = render_codecs_init(env)
    template = env.get_template("codecs.py.jinja")
    for module in modules:
        view = module_view(module, plans, encoders, qnames)
        files[codec_path(module)] = template.render(view=view, conversions=CONVERSIONS, str=_str)
    return files
