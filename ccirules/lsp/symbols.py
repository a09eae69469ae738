"""Every name written in a ruleset: where each thing is declared and where it is used.

Go to definition, find references and hover all start from the name under the cursor. Names
live in the four namespaces of :class:`~ccirules.model.Namespace` (questions, groups, scores and
attributes share one; scales, band tables and levels each have their own), so an occurrence is
its namespace, its text and its span. As in the model, the first declaration of a name is the
one that counts.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ccirules import nodes
from ccirules.model import Namespace


@attrs.frozen
class Occurrence:
    namespace: Namespace
    name: nodes.Name
    declares: bool  # where the thing is declared, rather than used

    @property
    def key(self) -> tuple[Namespace, str]:
        return self.namespace, self.name.text


@attrs.frozen
class Symbols:
    """The occurrences of names in one ruleset, in source order."""

    occurrences: tuple[Occurrence, ...]

    def at(self, line: int, column: int) -> Occurrence | None:
        """The name at a 1-based line and column (its end counts: the cursor just after it)."""
        for occurrence in self.occurrences:
            span = occurrence.name.span
            if (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column):
                return occurrence
        return None

    def declaration(self, key: tuple[Namespace, str]) -> Occurrence | None:
        return next((o for o in self.occurrences if o.declares and o.key == key), None)

    def uses(self, key: tuple[Namespace, str]) -> list[Occurrence]:
        return [o for o in self.occurrences if not o.declares and o.key == key]

    def all_of(self, key: tuple[Namespace, str]) -> list[Occurrence]:
        return [o for o in self.occurrences if o.key == key]


def symbols(ruleset: nodes.Ruleset) -> Symbols:
    found = [occurrence for declaration in ruleset.declarations
             for occurrence in _declaration(declaration)]
    found.sort(key=lambda occurrence: occurrence.name.span.sort_key())
    return Symbols(tuple(found))


def _declared(namespace: Namespace, name: nodes.Name) -> Occurrence:
    return Occurrence(namespace, name, declares=True)


def _used(namespace: Namespace, name: nodes.Name | None) -> Iterator[Occurrence]:
    if name is not None:
        yield Occurrence(namespace, name, declares=False)


def _declaration(node: object) -> Iterator[Occurrence]:
    match node:
        case nodes.Scale(name=name):
            yield _declared(Namespace.SCALES, name)
        case nodes.BandTable(name=name):
            yield _declared(Namespace.BANDS, name)
        case nodes.Attribute(name=name):
            yield _declared(Namespace.THINGS, name)
        case nodes.Level():
            yield _declared(Namespace.LEVELS, node.name)
            yield from _used(Namespace.LEVELS, node.within)
            yield from _scoring(node.rule, node.bands, ())
        case nodes.Question():
            yield _declared(Namespace.THINGS, node.name)
            yield from _condition(node.applies)
            yield from _used(Namespace.SCALES, node.scale)
            for headline in node.key_for:
                yield from _used(Namespace.THINGS, headline)
            yield from _used(Namespace.THINGS, node.under)
        case nodes.Group():
            yield from _used(Namespace.LEVELS, node.level)
            yield _declared(Namespace.THINGS, node.name)
            yield from _condition(node.applies)
            yield from _used(Namespace.SCALES, node.scale)
            yield from _scoring(node.rule, node.bands, node.limits)
            for member in node.members:
                yield from _declaration(member)
        case nodes.Score():
            yield _declared(Namespace.THINGS, node.name)
            yield from _scoring(node.rule, node.bands, node.limits)


def _scoring(rule: nodes.ScoreRule | None, bands: nodes.Name | None,
             limits: tuple[nodes.Limit, ...]) -> Iterator[Occurrence]:
    match rule:
        case nodes.WeightedMean(terms=terms):
            for term in terms:
                yield from _used(Namespace.THINGS, term.name)
        case nodes.Aggregate(operands=operands):
            for operand in operands.items:
                every = operand.kind is nodes.OperandKind.EVERY
                yield from _used(Namespace.LEVELS if every else Namespace.THINGS, operand.name)
            for name in operands.excluded:
                yield from _used(Namespace.THINGS, name)
    yield from _used(Namespace.BANDS, bands)
    for limit in limits:
        yield from _condition(limit.condition)


def _condition(condition: nodes.Condition | None) -> Iterator[Occurrence]:
    if condition is not None:
        for atom in nodes.atoms(condition):
            yield from _used(Namespace.THINGS, atom.subject)
