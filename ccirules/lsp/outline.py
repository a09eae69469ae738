"""The document outline: each declaration, named by its name and detailed by its title, with
groups holding their members, scales their values and band tables their bands."""

from __future__ import annotations

import attrs

from ccirules import nodes
from ccirules.printer import print_word
from ccirules.source import Span


@attrs.frozen
class Entry:
    name: str
    detail: str | None
    kind: str  # a member of LSP's SymbolKind
    span: Span  # the whole declaration
    selection: Span  # its name
    children: tuple[Entry, ...] = ()


def outline(ruleset: nodes.Ruleset) -> list[Entry]:
    return [_entry(declaration) for declaration in ruleset.declarations]


def _title(node: object) -> str | None:
    title = getattr(node, "title", None)
    return title.value if title is not None else None


def _entry(node: nodes.Declaration) -> Entry:
    match node:
        case nodes.Metadata():
            return Entry("ruleset", node.title.value, "File", node.span, node.title.span)
        case nodes.Scale():
            values = tuple(Entry(print_word(value.value), value.category.value, "EnumMember",
                                 value.span, value.value.span) for value in node.values)
            return Entry(f"scale {node.name.text}", _title(node), "Enum", node.span,
                         node.name.span, values)
        case nodes.BandTable():
            bands = tuple(Entry(print_word(band.label), band.title.value if band.title else None,
                                "EnumMember", band.span, band.label.span) for band in node.bands)
            return Entry(f"bands {node.name.text}", _title(node), "Enum", node.span,
                         node.name.span, bands)
        case nodes.Group():
            members = tuple(_entry(member) for member in node.members)
            return Entry(f"{node.level.text} {node.name.text}", _title(node), "Namespace",
                         node.span, node.name.span, members)
        case nodes.Score():
            return Entry(f"{'headline' if node.headline else 'score'} {node.name.text}",
                         _title(node), "Function", node.span, node.name.span)
    kind = {nodes.Attribute: "Property", nodes.Level: "Class", nodes.Question: "Field"}
    return Entry(f"{type(node).__name__.lower()} {node.name.text}", _title(node),
                 kind[type(node)], node.span, node.name.span)
