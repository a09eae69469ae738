"""Scores from cases: every (case, question) gets one outcome, and every number is computed from
those outcomes.

For each case, questions are visited in an order where each comes after the questions its
conditions read; a question that does not apply leaves the denominator, an answer meaning "not
applicable" does too. Outcomes are tallied per question (and per breakdown value); scores are
then computed from the tallies in dependency order, as exact fractions, rounded once. Explaining a
score (:mod:`ccirules.explain`) reads the same outcomes, so a number and its explanation cannot
disagree.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from fractions import Fraction

import attrs

from ccirules import nodes
from ccirules.cases import Case, Inspection, Judgements
from ccirules.checker.scores import Kind
from ccirules.compiler import CompiledBand, CompiledRuleset, CompiledScore
from ccirules.diagnostics import Diagnostic, Related, error, warning
from ccirules.scoring import band_of, percentage, shown_value
from ccirules.source import Span


class Outcome(enum.Enum):
    SUFFICIENT = "sufficient"
    INSUFFICIENT = "insufficient"
    NOT_APPLICABLE = "not applicable"  # answered with a value meaning not applicable
    DOES_NOT_APPLY = "does not apply"  # a condition is false for this case
    UNANSWERED = "unanswered"  # applicable but no answer recorded: left out

    @property
    def counted(self) -> bool:
        return self in (Outcome.SUFFICIENT, Outcome.INSUFFICIENT)


@attrs.frozen
class AnswerRecord:
    """What one case contributed to one question, and why."""

    case: str
    question: str
    outcome: Outcome
    answer: str | None
    reason: str
    rule_span: Span | None  # the condition or scale value that decided the outcome
    data_span: Span | None  # where the answer (or the case) was read


@attrs.frozen
class Tally:
    """How many cases had each outcome for one question."""

    sufficient: int = 0
    insufficient: int = 0
    not_applicable: int = 0
    does_not_apply: int = 0
    unanswered: int = 0

    @property
    def applicable(self) -> int:
        return self.sufficient + self.insufficient

    def add(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(attrs.astuple(self), attrs.astuple(other),
                                               strict=True)))


@attrs.frozen
class ScoreResult:
    """One score: its counts where it pools answers, its exact and shown value, its band."""

    name: str
    sufficient: int | None
    applicable: int | None
    exact: Fraction | None  # None: no score
    band: CompiledBand | None
    capped_by: Span | None  # the `at most` that lowered the band
    parts: tuple[tuple[str, Fraction | None], ...]
    note: str | None  # why there is no score, or where a judged rating came from


@attrs.frozen
class Evaluation:
    """The result of evaluating an inspection: scores in ruleset order, per-question tallies,
    breakdowns, diagnostics, and (when asked for) every answer record."""

    ruleset: CompiledRuleset
    cases: int
    tallies: Mapping[str, Tally]
    scores: tuple[ScoreResult, ...]
    breakdown_by: str | None
    breakdowns: tuple[tuple[str, int, tuple[ScoreResult, ...]], ...]  # (value, cases, scores)
    records: tuple[AnswerRecord, ...] | None
    diagnostics: tuple[Diagnostic, ...]

    def score(self, name: str) -> ScoreResult:
        return next(result for result in self.scores if result.name == name)


def case_records(ruleset: CompiledRuleset, case: Case) -> list[AnswerRecord]:
    """Every question's outcome for one case, in evaluation order."""
    values: dict[str, object] = dict(case.attributes)
    categories: dict[str, nodes.Category] = {}
    no_ratings: dict[str, str | None] = {}
    records = []
    for name in ruleset.evaluation_order:
        question = ruleset.question(name)
        answer = case.answers.get(name)
        data_span = case.origins.get(name, case.span)
        failed = next((gate for gate in question.gates
                       if not gate.test(values, categories, no_ratings)), None)
        if failed is not None:
            where = "its" if failed.owner == name else f"`{failed.owner}`'s"
            records.append(AnswerRecord(case.id, name, Outcome.DOES_NOT_APPLY, answer,
                                        f"{where} condition is false for this case", failed.span,
                                        data_span))
        elif answer is None:
            records.append(AnswerRecord(case.id, name, Outcome.UNANSWERED, None,
                                        "no answer was recorded", question.span, data_span))
        else:
            category = question.scale.categories[answer]
            values[name] = answer
            categories[name] = category
            outcome = {nodes.Category.SUFFICIENT: Outcome.SUFFICIENT,
                       nodes.Category.INSUFFICIENT: Outcome.INSUFFICIENT,
                       nodes.Category.NOT_APPLICABLE: Outcome.NOT_APPLICABLE}[category]
            records.append(AnswerRecord(case.id, name, outcome, answer,
                                        f"`{answer}` means {category.value}",
                                        question.scale.spans[answer], data_span))
    return records


def evaluate(ruleset: CompiledRuleset, inspection: Inspection, *, by: str | None = None,
             allow_unanswered: bool = False, keep_records: bool = False) -> Evaluation:
    """Evaluate an inspection's cases against a compiled ruleset.

    ``by`` names an attribute to break every score down by. An applicable question with no
    answer is an error unless ``allow_unanswered``, when it is left out with a warning.
    ``keep_records`` keeps every answer record for explaining and tracing.
    """
    cases = sorted(inspection.cases, key=lambda case: case.id)
    diagnostics: list[Diagnostic] = []
    totals = {question.name: _Counter() for question in ruleset.questions}
    groups: dict[str, dict[str, _Counter]] = {}
    group_sizes: dict[str, int] = {}
    kept: list[AnswerRecord] = []
    for case in cases:
        records = case_records(ruleset, case)
        key = _group_key(case, by)
        if by is not None:
            group_sizes[key] = group_sizes.get(key, 0) + 1
            counters = groups.setdefault(
                key, {question.name: _Counter() for question in ruleset.questions})
        for record in records:
            totals[record.question].count(record.outcome)
            if by is not None:
                counters[record.question].count(record.outcome)
            diagnostics.extend(_record_problems(ruleset, record, allow_unanswered))
        if keep_records:
            kept.extend(records)
    tallies = {name: counter.frozen() for name, counter in totals.items()}
    scores = compute_scores(ruleset, tallies, inspection.judgements)
    breakdowns = tuple(
        (key, group_sizes[key], compute_scores(
            ruleset, {name: counter.frozen() for name, counter in groups[key].items()},
            inspection.judgements))
        for key in sorted(groups))
    if keep_records:
        order = {name: index for index, name in enumerate(q.name for q in ruleset.questions)}
        kept.sort(key=lambda record: (record.case, order[record.question]))
    return Evaluation(ruleset, len(cases), tallies, scores, by, breakdowns,
                      tuple(kept) if keep_records else None, tuple(diagnostics))


NOT_RECORDED = "(not recorded)"


def _group_key(case: Case, by: str | None) -> str:
    if by is None:
        return ""
    value = case.attributes.get(by)
    return NOT_RECORDED if value is None else str(value)


def _record_problems(ruleset: CompiledRuleset, record: AnswerRecord,
                     allow_unanswered: bool) -> Iterable[Diagnostic]:
    span = record.data_span
    if record.outcome is Outcome.UNANSWERED:
        message = f"case `{record.case}` has no answer for question `{record.question}`"
        related = [Related(ruleset.question(record.question).span, "the question")]
        if allow_unanswered:
            yield warning("W405", message + "; it is left out", span, related=related)
        else:
            yield error("E405", message, span, related=related,
                        hint="record an answer (or a value meaning not applicable), or pass "
                             "--allow-unanswered to leave it out")
    elif record.outcome is Outcome.DOES_NOT_APPLY and record.answer is not None:
        category = ruleset.question(record.question).scale.categories[record.answer]
        if category is not nodes.Category.NOT_APPLICABLE:
            yield warning("W406", f"case `{record.case}` answers question `{record.question}` "
                          "where it does not apply; the answer is not counted", span,
                          hint="check the case's attributes, or the question's condition",
                          related=[Related(record.rule_span, "the condition")])


class _Counter:
    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts = dict.fromkeys(Outcome, 0)

    def count(self, outcome: Outcome) -> None:
        self.counts[outcome] += 1

    def frozen(self) -> Tally:
        counts = self.counts
        return Tally(counts[Outcome.SUFFICIENT], counts[Outcome.INSUFFICIENT],
                     counts[Outcome.NOT_APPLICABLE], counts[Outcome.DOES_NOT_APPLY],
                     counts[Outcome.UNANSWERED])


# ---- scores ----------------------------------------------------------------------------------


def compute_scores(ruleset: CompiledRuleset, tallies: Mapping[str, Tally],
                   judgements: Judgements) -> tuple[ScoreResult, ...]:
    """Every score from per-question tallies, in dependency order; returned in ruleset order."""
    done: dict[str, ScoreResult] = {}
    ratings: dict[str, str | None] = {}
    for name in ruleset.score_order:
        score = ruleset.score(name)
        result = _score(score, tallies, judgements, done)
        result = _apply_limits(score, result, ratings)
        done[name] = result
        ratings[name] = result.band.label if result.band is not None else None
    return tuple(done[score.name] for score in ruleset.scores)


def _score(score: CompiledScore, tallies: Mapping[str, Tally], judgements: Judgements,
           done: Mapping[str, ScoreResult]) -> ScoreResult:
    if score.rule == "judged directly":
        label = judgements.ratings.get(score.name)
        band = score.bands.by_label(label) if label is not None else None
        note = "judged by inspectors" if band is not None else "no rating was recorded"
        return ScoreResult(score.name, None, None, None, band, None, (), note)
    if score.questions:
        pooled = Tally()
        for question in score.questions:
            pooled = pooled.add(tallies[question])
        if score.rule == "count sufficient":
            exact = Fraction(pooled.sufficient)
        else:
            exact = percentage(pooled.sufficient, pooled.applicable)
        note = None if exact is not None else "no applicable answers"
        return _finish(score, exact, pooled.sufficient, pooled.applicable, (), note)
    if score.rule in ("proportion sufficient", "count sufficient"):  # pools no questions at all
        return _finish(score, None, 0, 0, (), "no questions to pool")
    parts = tuple((part, _part_value(part, score, tallies, done)) for part in score.parts)
    exact, note = _combine(score, parts, done)
    return _finish(score, exact, None, None, parts, note)


def _part_value(part: str, score: CompiledScore, tallies: Mapping[str, Tally],
                done: Mapping[str, ScoreResult]) -> Fraction | None:
    if part in tallies:
        tally = tallies[part]
        return percentage(tally.sufficient, tally.applicable)
    result = done[part]
    if score.rule == "sum of points":
        return result.band.points if result.band is not None else None
    return result.exact


def _combine(score: CompiledScore, parts: tuple[tuple[str, Fraction | None], ...],
             done: Mapping[str, ScoreResult]) -> tuple[Fraction | None, str | None]:
    values = [value for _, value in parts if value is not None]
    if score.rule == "sum of points":
        missing = [name for name, value in parts if value is None]
        if missing:
            return None, "no rating for " + ", ".join(f"`{name}`" for name in missing)
        return sum(values, Fraction(0)), None
    if not values:
        return None, "none of its parts has a score"
    if score.rule == "lowest":
        return min(values), None
    if score.rule == "highest":
        return max(values), None
    weighted = [(weight, value) for weight, (_, value) in zip(score.weights, parts, strict=True)
                if value is not None]
    total = sum(weight for weight, _ in weighted)
    return sum(weight * value for weight, value in weighted) / total, None


def _finish(score: CompiledScore, exact: Fraction | None, sufficient: int | None,
            applicable: int | None, parts, note: str | None) -> ScoreResult:
    band = band_of(score, exact) if exact is not None else None
    return ScoreResult(score.name, sufficient, applicable, exact, band, None, parts, note)


def _apply_limits(score: CompiledScore, result: ScoreResult,
                  ratings: Mapping[str, str | None]) -> ScoreResult:
    """`at most LABEL when ...`: lower the band to LABEL when the condition holds."""
    for limit in score.limits:
        cap = score.bands.by_label(limit.label)
        if result.band is not None and result.band.rank < cap.rank and limit.test({}, {}, ratings):
            result = attrs.evolve(result, band=cap, capped_by=limit.span)
    return result


def shown(result: ScoreResult, ruleset: CompiledRuleset) -> str:
    """A score as printed: `74%`, `27 points`, `12`, or `no score`."""
    if result.exact is None:
        return "no score"
    score = ruleset.score(result.name)
    text = format(shown_value(score, result.exact), "f")
    if score.value_kind is Kind.PERCENT:
        return f"{text}%"
    if score.value_kind is Kind.POINTS:
        return f"{text} points"
    return text
