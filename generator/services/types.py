"""Python types as structures: a union of members, each a class (or a union of classes), maybe a
list, maybe None. Rendered once, here; nothing parses an annotation back."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Member:
    names: tuple[str, ...]  # the classes as the module names them (several: a union of them)
    is_list: bool = False

    def render(self) -> str:
        inner = " | ".join(self.names)
        return f"list[{inner}]" if self.is_list else inner


@dataclass(frozen=True)
class TypeRef:
    members: tuple[Member, ...] = ()  # none: the type is None
    optional: bool = False  # `| None`

    @classmethod
    def of(cls, *names: str, is_list: bool = False, optional: bool = False) -> TypeRef:
        """One member: `names` (a union of them), or a list of it."""
        if is_list:
            return cls((Member(names, is_list=True),), optional)
        return cls(tuple(Member((name,)) for name in names), optional)

    @property
    def is_list(self) -> bool:
        return len(self.members) == 1 and self.members[0].is_list

    @property
    def has_list(self) -> bool:
        return any(member.is_list for member in self.members)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for member in self.members for name in member.names)

    def required(self) -> TypeRef:
        return replace(self, optional=False)

    def or_none(self) -> TypeRef:
        return replace(self, optional=True)

    def render(self) -> str:
        parts = [member.render() for member in self.members]
        if self.optional or not parts:
            parts.append("None")
        return " | ".join(parts)

    def __str__(self) -> str:
        return self.render()


NONE = TypeRef()


def union(types: list[TypeRef]) -> TypeRef:
    """Every member of the given types once, in order; None if any of them allows None."""
    members = tuple(dict.fromkeys(member for tp in types for member in tp.members))
    optional = any(tp.optional or not tp.members for tp in types)
    return TypeRef(members, optional)
