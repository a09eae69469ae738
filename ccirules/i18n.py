"""Languages: the tool's own words from a message catalogue, and a ruleset's titles in English or
Welsh.

The catalogue (``messages.json``, shipped in the package) holds every word ccirules prints on
its own account (column heads, "no score", report headings) in every language, keyed by a stable
id; a test fails if any entry lacks a language, or if code or a template uses an id the catalogue
does not hold. Placeholders are ``str.format`` fields; an entry may give ``one`` and ``other``
forms, chosen by its ``n`` field.

A ruleset's titles come from its ``welsh`` clauses. Where one is missing the English title is
used and marked with :data:`FALLBACK_MARK`; :class:`Titles` remembers every fallback it served,
so a command can list them in one warning. :func:`missing_titles` lists every title a parsed
ruleset has in English but not in Welsh, for ``check --lang cy``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from ccirules import nodes
    from ccirules.compiler import CompiledBand, CompiledBands, CompiledRuleset
    from ccirules.diagnostics import Diagnostic
    from ccirules.source import Span

#: The languages ccirules speaks: English and Welsh.
LANGUAGES = ("en", "cy")
DEFAULT = "en"

#: Put after an English title shown where a Welsh one is missing.
FALLBACK_MARK = "†"


@functools.cache
def catalogue() -> dict[str, dict[str, object]]:
    """Every message, by id, then by language (read once per process)."""
    import json

    with open(os.path.join(os.path.dirname(__file__), "messages.json"), "rb") as handle:
        found = json.load(handle)
    del found["_about"]
    return found


def message(key: str, lang: str = DEFAULT, /, **values: object) -> str:
    """The message ``key`` in ``lang``, with ``values`` filled in. An entry with ``one`` and
    ``other`` forms chooses by ``values["n"]``."""
    entry = catalogue()[key][lang]
    if isinstance(entry, dict):
        entry = entry["one"] if values.get("n") == 1 else entry["other"]
    return str(entry).format(**values)


class Messages:
    """The catalogue in one language: ``messages("key", n=3)``."""

    def __init__(self, lang: str = DEFAULT) -> None:
        self.lang = lang

    def __call__(self, key: str, /, **values: object) -> str:
        return message(key, self.lang, **values)


# ---- titles from the ruleset ------------------------------------------------------------------


class Title(msgspec.Struct, frozen=True):
    """A title as shown in a language; ``fallback`` when the English one stands in."""

    text: str
    fallback: bool = False

    def __str__(self) -> str:
        return f"{self.text} {FALLBACK_MARK}" if self.fallback else self.text


class Titles:
    """A ruleset's titles in one language, recording the English ones used for want of Welsh.

    Each method returns a :class:`Title`; the thing's name (its id) stands in where the ruleset
    gives no title at all, in any language.
    """

    def __init__(self, ruleset: CompiledRuleset, lang: str = DEFAULT) -> None:
        self.ruleset = ruleset
        self.lang = lang
        self.fallbacks: dict[tuple[str, str], None] = {}  # (kind, id), in order of first use

    def _pick(self, kind: str, name: str, english: str | None, welsh: str | None,
              default: str | None = None) -> Title:
        if self.lang == "cy" and english is not None:
            if welsh is not None:
                return Title(welsh)
            self.fallbacks.setdefault((kind, name))
            return Title(english, fallback=True)
        if self.lang == "cy" and welsh is not None:
            return Title(welsh)
        return Title(english if english is not None else (default or name))

    def ruleset_title(self) -> Title:
        info = self.ruleset.info
        return self._pick("ruleset", info.title, info.title, info.welsh)

    def score(self, name: str) -> Title:
        score = self.ruleset.score(name)
        return self._pick(score.level, name, score.title, score.welsh)

    def group(self, name: str) -> Title:
        group = next(group for group in self.ruleset.groups if group.name == name)
        return self._pick(group.level, name, group.title, group.welsh)

    def question(self, name: str) -> Title:
        question = self.ruleset.question(name)
        return self._pick("question", name, question.title, question.welsh)

    def band(self, band: CompiledBand) -> Title:
        return self._pick("band", band.label, band.title, band.welsh)

    def bands(self, table: CompiledBands) -> Title:
        return self._pick("bands", table.name, table.title, table.welsh)

    def attribute(self, name: str) -> Title:
        attribute = self.ruleset.attributes[name]
        return self._pick("attribute", name, attribute.title, attribute.welsh)

    def scale_value(self, question: str, value: str) -> Title:
        scale = self.ruleset.question(question).scale
        return self._pick("scale value", f"{scale.name}.{value}", scale.titles.get(value),
                          scale.welsh.get(value), default=value)

    def fallback_list(self) -> list[str]:
        """The English titles used, as ``kind `id```, in the order first used."""
        return [f"{kind} `{name}`" for kind, name in self.fallbacks]


class MissingTitle(msgspec.Struct, frozen=True):
    kind: str
    name: str
    title: str
    span: Span


def missing_titles(ruleset: nodes.Ruleset) -> Iterator[MissingTitle]:
    """Everything a parsed ruleset titles in English but not in Welsh, in the order written.
    (Levels are included: their titles name the kinds of group.)"""
    from ccirules import nodes

    kinds = {nodes.Scale: "scale", nodes.Attribute: "attribute", nodes.Level: "level",
             nodes.Group: "group", nodes.Question: "question", nodes.Score: "score",
             nodes.BandTable: "bands"}
    stack: list = list(reversed(ruleset.declarations))
    while stack:
        node = stack.pop()
        match node:
            case nodes.Metadata():
                if node.welsh is None:
                    yield MissingTitle("ruleset", node.title.value, node.title.value, node.span)
            case nodes.ScaleValue():
                if node.title is not None and node.welsh is None:
                    yield MissingTitle("scale value", node.value.text, node.title.value,
                                       node.span)
            case nodes.Band():
                if node.title is not None and node.welsh is None:
                    yield MissingTitle("band", node.label.text, node.title.value, node.span)
            case _:
                kind = kinds.get(type(node))
                if kind is None:
                    continue
                if isinstance(node, nodes.Group):
                    kind = node.level.text
                elif isinstance(node, nodes.Score) and node.headline:
                    kind = "headline"
                if node.title is not None and node.welsh is None:
                    yield MissingTitle(kind, node.name.text, node.title.value, node.span)
                if isinstance(node, nodes.Group):
                    stack.extend(reversed(node.members))
                elif isinstance(node, nodes.Scale):
                    stack.extend(reversed(node.values))
                elif isinstance(node, nodes.BandTable):
                    stack.extend(reversed(node.bands))



def welsh_diagnostics(ruleset: nodes.Ruleset | None) -> list[Diagnostic]:
    """W303 for every title a ruleset has in English but not in Welsh (`check --lang cy`)."""
    from ccirules.diagnostics import warning

    if ruleset is None:
        return []
    return [warning("W303", f"{missing.kind} `{missing.name}` has no Welsh title",
                    missing.span, hint=f"add `welsh \"...\"` under it, a Welsh version of "
                                       f"\"{missing.title}\"")
            for missing in missing_titles(ruleset)]
