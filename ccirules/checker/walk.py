"""Walks over the parts of a ruleset that several checks need: conditions and references."""

from __future__ import annotations

from collections.abc import Iterator

from ccirules import nodes
from ccirules.model import Model, Namespace


def conditions(model: Model) -> Iterator[tuple[str, nodes.Condition]]:
    """Every condition with where it stands: ``"applies"`` (questions, groups) or ``"limit"``."""
    for info in model.questions:
        if info.node.applies is not None:
            yield "applies", info.node.applies
    for group in model.groups:
        if group.node.applies is not None:
            yield "applies", group.node.applies
    for score in model.scores:
        for limit in score.limits:
            yield "limit", limit.condition


def operands_of(rule: nodes.ScoreRule | None) -> nodes.Operands | None:
    return rule.operands if isinstance(rule, nodes.Aggregate) else None


def references(model: Model) -> Iterator[tuple[Namespace, nodes.Name, str]]:
    """Every name used to refer to a declaration: the namespace it must be found in, and what
    it should name, in words (``"headline"``, ``"group"``, ``"name"``)."""
    for level in model.levels.values():
        if level.within is not None:
            yield Namespace.LEVELS, level.within, "level"
        if level.bands is not None:
            yield Namespace.BANDS, level.bands, "band table"
        yield from _rule_references(level.rule)
    for group in model.groups:
        yield Namespace.LEVELS, group.node.level, "level"
        if group.node.scale is not None:
            yield Namespace.SCALES, group.node.scale, "scale"
    for info in model.questions:
        if info.node.scale is not None:
            yield Namespace.SCALES, info.node.scale, "scale"
        for name in info.node.key_for:
            yield Namespace.THINGS, name, "headline"
        if info.node.under is not None:
            yield Namespace.THINGS, info.node.under, "group"
    for score in model.scores:
        if score.bands is not None and score.bands is not _level_bands(model, score):
            yield Namespace.BANDS, score.bands, "band table"
        if not score.rule_is_default:
            yield from _rule_references(score.rule)
    for _, condition in conditions(model):
        for atom in nodes.atoms(condition):
            yield Namespace.THINGS, atom.subject, "name"


def _level_bands(model: Model, score) -> nodes.Name | None:
    if score.group is None:
        return None
    level = model.levels.get(score.group.node.level.text)
    return level.bands if level is not None else None


def _rule_references(rule: nodes.ScoreRule | None
                     ) -> Iterator[tuple[Namespace, nodes.Name, str]]:
    if isinstance(rule, nodes.WeightedMean):
        for term in rule.terms:
            yield Namespace.THINGS, term.name, "score"
    operands = operands_of(rule)
    if operands is None:
        return
    for operand in operands.items:
        if operand.kind is nodes.OperandKind.EVERY:
            yield Namespace.LEVELS, operand.name, "level"
        elif operand.kind is nodes.OperandKind.NAMED:
            yield Namespace.THINGS, operand.name, "question or score"
    for name in operands.excluded:
        yield Namespace.THINGS, name, "name"
