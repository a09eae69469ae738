"""Checks on scores: what each aggregates must exist and suit the aggregator, scores must not
depend on themselves, and every headline must be fed by some key question. Resolution itself is
:mod:`ccirules.resolve`, shared with the compiler."""

from __future__ import annotations

from collections.abc import Iterator

from ccirules import nodes
from ccirules.checker.graph import cycles
from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.model import Model, QuestionInfo, ScoreInfo, describe_thing
from ccirules.nodes import ValueKind
from ccirules.resolve import POOLING, Target, kind_of, resolve, table_of
from ccirules.suggest import with_article

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
    if isinstance(rule, nodes.Aggregate) and rule.kind in nodes.POINTS_RULES:
        for target in resolution.targets:
            yield from _points_problems(model, score, rule, target)
    elif isinstance(rule, nodes.Aggregate | nodes.WeightedMean) and not _pools(rule):
        kinds = {target: kind_of(model, target) for target in resolution.targets}
        for target, kind in kinds.items():
            if kind is ValueKind.RATING:
                yield error("E214", f"{target.describe} is judged, so it has a rating but no "
                            "number to combine", rule.span,
                            hint="use `sum of points` to combine ratings")
        numeric = {kind for kind in kinds.values() if kind not in (None, ValueKind.RATING)}
        if len(numeric) > 1:
            yield error("E214", "this combines scores of different kinds: "
                        + ", ".join(sorted(kind.value for kind in numeric)), rule.span,
                        hint="combine percentages with percentages, points with points")


def _pools(rule: nodes.ScoreRule) -> bool:
    return isinstance(rule, nodes.Aggregate) and rule.kind in POOLING


def _points_problems(model: Model, score: ScoreInfo, rule: nodes.Aggregate,
                     target: Target) -> Iterator[Diagnostic]:
    if isinstance(target, QuestionInfo):
        yield error("E214", f"question `{target.node.name.text}` has no rating to give points",
                    rule.span, hint="sum the points of banded scores, such as standards")
        return
    table = table_of(model, target)
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
            targets.extend(atom.subject.text for atom in nodes.atoms(limit.condition)
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
    if isinstance(rule, nodes.Aggregate) and rule.kind in POOLING:
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
