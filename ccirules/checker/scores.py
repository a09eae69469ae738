"""Checks on scores: what each aggregates must exist and suit the aggregator, scores must not
depend on themselves, and every headline must be fed by some key question.

The functions that resolve operands and work out a score's kind (percentage, points, count or a
judged rating) and its possible range are shared with the band checks.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from decimal import Decimal

import attrs

from ccirules import nodes
from ccirules.checker.graph import cycles
from ccirules.checker.model import GroupInfo, Model, QuestionInfo, ScoreInfo, describe_thing
from ccirules.checker.walk import atoms
from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.suggest import with_article

_POOLING = (nodes.AggregateKind.PROPORTION, nodes.AggregateKind.COUNT)


class Kind(enum.Enum):
    PERCENT = "percentage"
    POINTS = "sum of points"
    COUNT = "count"
    RATING = "judged rating"


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
    pooling = rule.kind in _POOLING
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
    if not (isinstance(rule, nodes.Aggregate) and rule.kind in _POOLING):
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


def kind_of(model: Model, target: Target, seen: frozenset[str] = frozenset()) -> Kind | None:
    """The kind of value a score takes; None when it cannot be known (errors, cycles)."""
    if isinstance(target, QuestionInfo):
        return Kind.PERCENT
    rule = target.rule
    if target.name.text in seen or rule is None:
        return None
    if isinstance(rule, nodes.Judged):
        return Kind.RATING
    if isinstance(rule, nodes.Aggregate):
        if rule.kind is nodes.AggregateKind.PROPORTION:
            return Kind.PERCENT
        if rule.kind is nodes.AggregateKind.COUNT:
            return Kind.COUNT
        if rule.kind is nodes.AggregateKind.SUM_OF_POINTS:
            return Kind.POINTS
    kinds = {kind_of(model, item, seen | {target.name.text})
             for item in resolve(model, target).targets}
    return kinds.pop() if len(kinds) == 1 else None


def points_range(model: Model, score: ScoreInfo) -> tuple[Decimal, set[Decimal]] | None:
    """For a sum of points: the maximum, and every total that some set of ratings can give."""
    totals = {Decimal(0)}
    for target in resolve(model, score).targets:
        table = _table_of(model, target)
        if table is None or any(band.points is None for band in table.bands):
            return None
        options = {band.points.value for band in table.bands}
        totals = {total + option for total in totals for option in options}
    return max(totals), totals


def _table_of(model: Model, target: Target) -> nodes.BandTable | None:
    if isinstance(target, ScoreInfo) and target.bands is not None:
        return model.bands.get(target.bands.text)
    return None


# ---- the checks ------------------------------------------------------------------------------


def score_operands(model: Model) -> Iterator[Diagnostic]:
    """E214/E217: operands that do not exist for, or do not suit, their aggregator."""
    for score in model.scores:
        if score.rule is None or (score.rule_is_default and score.group is not None):
            continue  # a level's rule is checked where it is used, once per group, below
        yield from _operand_problems(model, score)
    reported_levels: set[str] = set()
    for score in model.scores:
        if score.rule_is_default and score.group is not None:
            problems = list(_operand_problems(model, score))
            level = score.group.node.level.text
            if problems and level not in reported_levels:
                reported_levels.add(level)
                yield from problems


def _operand_problems(model: Model, score: ScoreInfo) -> Iterator[Diagnostic]:
    resolution = resolve(model, score)
    yield from resolution.problems
    rule = score.rule
    if isinstance(rule, nodes.Aggregate) and rule.kind is nodes.AggregateKind.SUM_OF_POINTS:
        for target in resolution.targets:
            yield from _points_problems(model, score, rule, target)
    elif isinstance(rule, nodes.Aggregate | nodes.WeightedMean) and not _pools(rule):
        kinds = {target: kind_of(model, target) for target in resolution.targets}
        for target, kind in kinds.items():
            if kind is Kind.RATING:
                yield error("E214", f"{target.describe} is judged, so it has a rating but no "
                            "number to combine", rule.span,
                            hint="use `sum of points` to combine ratings")
        numeric = {kind for kind in kinds.values() if kind not in (None, Kind.RATING)}
        if len(numeric) > 1:
            yield error("E214", "this combines scores of different kinds: "
                        + ", ".join(sorted(kind.value for kind in numeric)), rule.span,
                        hint="combine percentages with percentages, points with points")


def _pools(rule: nodes.ScoreRule) -> bool:
    return isinstance(rule, nodes.Aggregate) and rule.kind in _POOLING


def _points_problems(model: Model, score: ScoreInfo, rule: nodes.Aggregate,
                     target: Target) -> Iterator[Diagnostic]:
    if isinstance(target, QuestionInfo):
        yield error("E214", f"question `{target.node.name.text}` has no rating to give points",
                    rule.span, hint="sum the points of banded scores, such as standards")
        return
    table = _table_of(model, target)
    if table is None:
        if target.bands is None:
            yield error("E214", f"{target.describe} has no bands, so it earns no points",
                        rule.span, hint=f"give {target.describe} bands with points")
        return
    missing = [band.label.text for band in table.bands if band.points is None]
    if missing:
        yield error("E217", f"band table `{table.name.text}` gives no points for "
                    + ", ".join(f"`{label}`" for label in missing), table.name.span,
                    hint="add `points N` to every band, since "
                         f"{score.describe} sums its points",
                    related=[Related(rule.span, "points are summed here")])


def score_cycles(model: Model) -> Iterator[Diagnostic]:
    """E207: a score that depends on itself, through operands or limits."""
    edges: dict[str, list[str]] = {}
    for score in model.scores:
        targets = [target.name.text for target in resolve(model, score).targets
                   if isinstance(target, ScoreInfo)]
        targets.extend(_named_scores(model, score))
        for limit in score.limits:
            targets.extend(atom.subject.text for atom in atoms(limit.condition)
                           if atom.subject.text in model.score_info)
        edges[score.name.text] = targets
    names = [score.name.text for score in model.scores]
    order = {name: model.score_info[name].node.span.sort_key() for name in names}
    for cycle in cycles(names, edges, order.__getitem__):
        first = model.score_info[cycle[0]]
        path = " → ".join(f"`{name}`" for name in cycle)
        yield error("E207", f"{first.describe} depends on itself: {path}", first.name.span,
                    hint="a score can only use scores that do not use it")


def _named_scores(model: Model, score: ScoreInfo) -> Iterator[str]:
    """Scores named in a pooling rule: their answers are pooled, so they are dependencies too."""
    rule = score.rule
    if isinstance(rule, nodes.Aggregate) and rule.kind in _POOLING:
        for operand in rule.operands.items:
            if operand.kind is nodes.OperandKind.NAMED and isinstance(
                    model.things.get(operand.name.text), ScoreInfo):
                yield operand.name.text


def headline_questions(model: Model) -> Iterator[Diagnostic]:
    """E215/E203: a headline fed by no key question; `key question for` naming a non-headline."""
    for score in model.scores:
        rule = score.rule
        if not (score.is_headline and isinstance(rule, nodes.Aggregate)):
            continue
        if any(o.kind is nodes.OperandKind.ITS_KEY_QUESTIONS for o in rule.operands.items) and \
                not model.key_questions(score.name.text):
            yield error("E215", f"headline `{score.name.text}` has no key questions",
                        score.name.span,
                        hint=f"add `key question for {score.name.text}` to the questions that "
                             "feed it")
    for info in model.questions:
        for name in info.node.key_for:
            thing = model.things.get(name.text)
            if thing is not None and not (isinstance(thing, ScoreInfo) and thing.is_headline):
                kind = with_article(describe_thing(thing))
                yield error("E203", f"`{name.text}` is {kind}, not a headline",
                            name.span, hint="`key question for` names headlines")


def score_completeness(model: Model) -> Iterator[Diagnostic]:
    """E216/E218/E219/E204: bands or limits with no score, scores with no rule, judged scores
    with no bands, limits naming a band their table lacks."""
    for score in model.scores:
        if score.rule is None:
            if score.group is None:
                yield error("E218", f"{score.describe} has no rule", score.name.span,
                            hint="add `scored as ...` or `judged directly`")
            else:
                yield error("E216", f"{score.describe} has bands or limits but no score",
                            score.name.span,
                            hint="add `scored as ...` to it or to its level")
            continue
        if isinstance(score.rule, nodes.Judged) and score.bands is None:
            yield error("E219", f"{score.describe} is judged but has no bands to judge it by",
                        score.name.span, hint="add `banded by` and the table of ratings")
        table = model.bands.get(score.bands.text) if score.bands is not None else None
        for limit in score.limits:
            if score.bands is None:
                yield error("E216", "`at most` needs bands to limit", limit.span,
                            hint=f"add `banded by` to {score.describe}")
            elif table is not None and limit.label.text not in {b.label.text for b in table.bands}:
                labels = ", ".join(f"`{band.label.text}`" for band in table.bands)
                yield error("E204", f"`{limit.label.text}` is not a band of `{table.name.text}`",
                            limit.label.span, hint=f"valid here: {labels}")
