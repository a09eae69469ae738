"""What a score is computed from, and what kind of value it takes.

Resolution is shared by the checker (which reports what does not resolve) and the compiler (which
turns what does into score plans), so the two cannot disagree about what a rule means: `its
questions`, `every criterion`, a named group or score, `except ...`. A score's kind (a percentage,
a sum of points, a count or a judged rating) and the totals a sum of points can reach are worked
out here too, for banding checks and for display.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import attrs

from ccirules import nodes
from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.limits import MAX_TOTALS_WORK
from ccirules.model import GroupInfo, Model, QuestionInfo, ScoreInfo
from ccirules.nodes import ValueKind

#: Rules that pool answers (rather than combine scores).
POOLING = (nodes.AggregateKind.PROPORTION, nodes.AggregateKind.COUNT)




Target = QuestionInfo | ScoreInfo


@attrs.frozen
class Resolution:
    """What a score's rule ranges over, and what was wrong with it."""

    targets: tuple[Target, ...]
    problems: tuple[Diagnostic, ...]


def resolve(model: Model, score: ScoreInfo, visiting: frozenset[str] = frozenset()) -> Resolution:
    """The questions (pooling rules) or scores (other rules) a score is computed from.

    ``visiting`` holds the pooled scores being expanded, so a cycle among them stops here; the
    cycle itself is reported by :func:`score_cycles`.
    """
    rule = score.rule
    problems: list[Diagnostic] = []
    targets: list[Target] = []
    if isinstance(rule, nodes.WeightedMean):
        for term in rule.terms:
            target = _as_score_target(model, term.name, problems)
            if target is not None:
                targets.append(target)
            if term.weight.value <= 0:
                problems.append(error("E214", "weights must be greater than zero",
                                      term.weight.span, hint="leave the term out instead"))
        return Resolution(tuple(targets), tuple(problems))
    if not isinstance(rule, nodes.Aggregate):
        return Resolution((), ())
    pooling = rule.kind in POOLING
    for operand in rule.operands.items:
        targets.extend(_operand_targets(model, score, operand, pooling, problems,
                                        visiting | {score.name.text}))
    for name in rule.operands.excluded:
        before = len(targets)
        targets = [target for target in targets if _target_name(target) != name.text]
        if len(targets) == before and name.text in model.things:
            problems.append(error("E214", f"`{name.text}` is not among what this score counts, "
                                  "so `except` leaves nothing out", name.span,
                                  hint="remove it from `except`, or check the name"))
    unique = list(dict.fromkeys(targets))
    return Resolution(tuple(unique), tuple(problems))


def _target_name(target: Target) -> str:
    return target.node.name.text if isinstance(target, QuestionInfo) else target.name.text


def _operand_targets(model: Model, score: ScoreInfo, operand: nodes.Operand, pooling: bool,
                     problems: list[Diagnostic], visiting: frozenset[str]) -> list[Target]:
    kind = operand.kind
    if kind is nodes.OperandKind.ITS_QUESTIONS:
        if score.group is None:
            problems.append(error("E214", f"`its questions` needs a group, and {score.describe} "
                                  "is not one", operand.span,
                                  hint="name the groups or questions it should count"))
            return []
        return list(model.all_questions(score.group))
    if kind is nodes.OperandKind.ITS_KEY_QUESTIONS:
        if not score.is_headline:
            problems.append(error("E214", f"`its key questions` belongs in a headline, and "
                                  f"{score.describe} is not one", operand.span,
                                  hint="use `its questions` in a group"))
            return []
        return list(model.key_questions(score.name.text))
    if kind is nodes.OperandKind.ITS_PARTS:
        if score.group is None:
            problems.append(error("E214", f"`its parts` needs a group, and {score.describe} is "
                                  "not one", operand.span, hint="name the scores it combines"))
            return []
        return _groups_as_targets(model, score.group.children, pooling, operand, problems)
    if kind is nodes.OperandKind.EVERY:
        if operand.name.text not in model.levels:
            return []
        return _groups_as_targets(model, model.groups_of_level(operand.name.text), pooling,
                                  operand, problems)
    thing = model.things.get(operand.name.text)
    if thing is None:
        return []
    if isinstance(thing, QuestionInfo):
        return [thing]
    if isinstance(thing, GroupInfo):
        return _groups_as_targets(model, [thing], pooling, operand, problems)
    if isinstance(thing, ScoreInfo):
        if not pooling:
            return [thing]
        return _pooled_questions(model, thing, operand, problems, visiting)
    problems.append(error("E203", f"`{operand.name.text}` is an attribute; a score counts "
                          "questions or other scores", operand.span))
    return []


def _groups_as_targets(model: Model, groups: list[GroupInfo], pooling: bool,
                       operand: nodes.Operand, problems: list[Diagnostic]) -> list[Target]:
    if pooling:
        return [question for group in groups for question in model.all_questions(group)]
    targets: list[Target] = []
    for group in groups:
        score = model.score_info.get(group.node.name.text)
        if score is None or score.rule is None:
            problems.append(error("E214", f"{group.node.level.text} `{group.node.name.text}` has "
                                  "no score to combine", operand.span,
                                  hint="give it (or its level) a `scored as` or `judged directly`",
                                  related=[Related(group.node.span, "declared here")]))
        else:
            targets.append(score)
    return targets


def _pooled_questions(model: Model, score: ScoreInfo, operand: nodes.Operand,
                      problems: list[Diagnostic], visiting: frozenset[str]) -> list[Target]:
    """The questions a pooled score covers, for pooling it again inside another score."""
    rule = score.rule
    if not (isinstance(rule, nodes.Aggregate) and rule.kind in POOLING):
        problems.append(error("E214", f"{score.describe} is not a pool of answers, so its "
                              "answers cannot be pooled again", operand.span,
                              hint="pool its questions or groups directly, or use `lowest`, "
                                   "`highest` or `weighted mean` to combine scores"))
        return []
    if score.name.text in visiting:
        return []
    return [target for target in resolve(model, score, visiting).targets
            if isinstance(target, QuestionInfo)]


def _as_score_target(model: Model, name: nodes.Name, problems: list[Diagnostic]) -> Target | None:
    thing = model.things.get(name.text)
    if isinstance(thing, QuestionInfo):
        return thing
    if isinstance(thing, GroupInfo):
        score = model.score_info.get(name.text)
        if score is None or score.rule is None:
            problems.append(error("E214", f"{thing.node.level.text} `{name.text}` has no score",
                                  name.span, hint="give it a `scored as`"))
            return None
        return score
    if isinstance(thing, ScoreInfo):
        return thing
    if thing is not None:
        problems.append(error("E203", f"`{name.text}` is an attribute, not a score", name.span))
    return None


def kind_of(model: Model, target: Target, seen: frozenset[str] = frozenset()) -> ValueKind | None:
    """The kind of value a score takes; None when it cannot be known (errors, cycles)."""
    if isinstance(target, QuestionInfo):
        return ValueKind.PERCENT
    rule = target.rule
    if target.name.text in seen or rule is None:
        return None
    if isinstance(rule, nodes.Judged):
        return ValueKind.RATING
    if isinstance(rule, nodes.Aggregate):
        if rule.kind is nodes.AggregateKind.PROPORTION:
            return ValueKind.PERCENT
        if rule.kind is nodes.AggregateKind.COUNT:
            return ValueKind.COUNT
        if rule.kind is nodes.AggregateKind.SUM_OF_POINTS:
            return ValueKind.POINTS
        if rule.kind is nodes.AggregateKind.SHARE_OF_POINTS:
            return ValueKind.PERCENT
    kinds = {kind_of(model, item, seen | {target.name.text})
             for item in resolve(model, target).targets}
    return kinds.pop() if len(kinds) == 1 else None


class TotalsLimitError(Exception):
    """Finding every total a sum of points can reach would take more than
    :data:`ccirules.limits.MAX_TOTALS_WORK` steps."""


@attrs.frozen
class Totals:
    """Every total a sum of points can reach, exactly: the multiples of ``step`` whose indices
    fall in one of ``runs`` (inclusive, ascending, separated by gaps)."""

    step: Fraction
    runs: tuple[tuple[int, int], ...]

    @property
    def minimum(self) -> Fraction:
        return self.runs[0][0] * self.step

    @property
    def maximum(self) -> Fraction:
        return self.runs[-1][1] * self.step


def reachable_totals(model: Model, score: ScoreInfo) -> Totals | None:
    """For a sum of points: every total some set of ratings can give (None when a part's bands
    lack points, which is reported elsewhere).

    Exact and bounded: the points are Fractions on the grid of their greatest common step, and
    totals are kept as runs of consecutive grid points, so twelve standards with points 0 to 3
    are one run (0 to 36) however many parts there are. Raises :class:`TotalsLimitError` when the
    runs would take more than MAX_TOTALS_WORK steps to find.
    """
    options_per_part = []
    for target in resolve(model, score).targets:
        table = table_of(model, target)
        if table is None or any(band.points is None for band in table.bands):
            return None
        options_per_part.append(sorted({Fraction(band.points.value) for band in table.bands}))
    step = functools.reduce(_fraction_gcd, (o for options in options_per_part for o in options),
                            Fraction(0)) or Fraction(1)
    runs = [(0, 0)]
    work = 0
    for options in options_per_part:
        work += len(runs) * len(options)
        if work > MAX_TOTALS_WORK:
            raise TotalsLimitError
        shifted = sorted((low + int(o / step), high + int(o / step))
                         for low, high in runs for o in options)
        runs = [shifted[0]]
        for low, high in shifted[1:]:
            if low <= runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], max(runs[-1][1], high))
            else:
                runs.append((low, high))
    return Totals(step, tuple(runs))


def _fraction_gcd(a: Fraction, b: Fraction) -> Fraction:
    """The greatest Fraction of which both are whole multiples (gcd(0, x) is |x|)."""
    denominator = a.denominator * b.denominator // math.gcd(a.denominator, b.denominator)
    return Fraction(math.gcd(int(a * denominator), int(b * denominator)), denominator)


def table_of(model: Model, target: Target) -> nodes.BandTable | None:
    if isinstance(target, ScoreInfo) and target.bands is not None:
        return model.bands.get(target.bands.text)
    return None
