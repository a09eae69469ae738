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
import heapq
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction

import attrs

from ccirules import nodes
from ccirules.cases import Case, InputFile, Inspection, Judgements
from ccirules.checker.scores import Kind
from ccirules.codegen import (
    ANSWERED_BUT_NOT_APPLICABLE,
    CASE_FIELD,
    COUNTERS,
    UNANSWERED,
    FastScorer,
    build_scorer,
    case_id_of,
)
from ccirules.compiler import (
    CompiledBand,
    CompiledQuestion,
    CompiledRuleset,
    CompiledScore,
    Gate,
)
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
    records: tuple[AnswerRecord, ...] | None  # every answer with its reason (explaining)
    trace: tuple[tuple[str, str, dict], ...] | None  # (case, trace characters, its location)
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[InputFile, ...] = ()

    def score(self, name: str) -> ScoreResult:
        return next(result for result in self.scores if result.name == name)


def walk(ruleset: CompiledRuleset, attributes: Mapping[str, object],
         choose: Callable[[CompiledQuestion, bool], str | None]
         ) -> Iterator[tuple[CompiledQuestion, Gate | None, str | None]]:
    """One case's questions in evaluation order: each with the first of its conditions that is
    false (None when it applies) and the answer ``choose(question, applies)`` gives it.

    This is the rule every evaluation follows (recorded answers here, generated or improved ones
    in :mod:`ccirules.testing` and :mod:`ccirules.verify`): an answer is visible to later
    conditions only where its question applies.
    """
    values: dict[str, object] = dict(attributes)
    categories: dict[str, nodes.Category] = {}
    for name in ruleset.evaluation_order:
        question = ruleset.question(name)
        failed = next((gate for gate in question.gates
                       if not gate.test(values, categories, {})), None)
        answer = choose(question, failed is None)
        if failed is None and answer is not None:
            values[name] = answer
            categories[name] = question.scale.categories[answer]
        yield question, failed, answer


def case_records(ruleset: CompiledRuleset, case: Case) -> list[AnswerRecord]:
    """Every question's outcome for one case, in evaluation order."""
    records = []
    recorded = walk(ruleset, case.attributes, lambda question, _: case.answers.get(question.name))
    for question, failed, answer in recorded:
        name = question.name
        data_span = case.origins.get(name, case.span)
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
            outcome = {nodes.Category.SUFFICIENT: Outcome.SUFFICIENT,
                       nodes.Category.INSUFFICIENT: Outcome.INSUFFICIENT,
                       nodes.Category.NOT_APPLICABLE: Outcome.NOT_APPLICABLE}[category]
            records.append(AnswerRecord(case.id, name, outcome, answer,
                                        f"`{answer}` means {category.value}",
                                        question.scale.spans[answer], data_span))
    return records


def evaluate(ruleset: CompiledRuleset, inspection: Inspection, *, by: str | None = None,
             allow_unanswered: bool = False, keep_records: bool = False,
             trace: bool = False) -> Evaluation:
    """Evaluate an inspection's cases (already loaded and validated) against a ruleset.

    ``by`` names an attribute to break every score down by. An applicable question with no
    answer is an error unless ``allow_unanswered``, when it is left out with a warning.
    ``keep_records`` keeps every answer record with its reasons (for explaining); ``trace``
    keeps each case's outcome codes (for ``--trace``).
    """
    scorer = build_scorer(ruleset)
    evaluation = evaluate_rows(ruleset, scorer, _InspectionRows(inspection, scorer), by=by,
                               allow_unanswered=allow_unanswered, trace=trace)
    if keep_records:
        order = {name: index for index, name in enumerate(q.name for q in ruleset.questions)}
        records = [record for case in sorted(inspection.cases, key=lambda c: c.id)
                   for record in case_records(ruleset, case)]
        records.sort(key=lambda record: (record.case, order[record.question]))
        evaluation = attrs.evolve(evaluation, records=tuple(records))
    return evaluation


def evaluate_rows(ruleset: CompiledRuleset, scorer: FastScorer, source, *, by: str | None = None,
                  allow_unanswered: bool = False, trace: bool = False) -> Evaluation:
    """Evaluate typed rows from a source (a :class:`~ccirules.loaders.stream.RowSource`, or an
    inspection already loaded), reading them once, in bounded memory unless ``trace``."""
    width = COUNTERS * len(scorer.question_order)
    problems = _Problems()
    traced: list | None = [] if trace else None
    groups: dict[str, list[int]] = {}
    sizes: dict[str, int] = {}
    field = scorer.attribute_fields[by] if by is not None else None
    for batch in source.batches():
        parts = {"": batch} if field is None else _split(batch, field)
        for key, rows in parts.items():
            totals = groups.get(key) or [0] * width
            if traced is None:
                groups[key] = scorer.count(rows, totals, problems)
            else:
                groups[key] = scorer.count_traced(rows, totals, problems, traced)
            sizes[key] = sizes.get(key, 0) + len(rows)
    grand = [sum(column) for column in zip(*groups.values(), strict=True)] or [0] * width
    tallies = _tallies(ruleset, scorer, grand)
    diagnostics = list(source.diagnostics)
    diagnostics += _problem_diagnostics(ruleset, scorer, source, problems, allow_unanswered)
    scores = compute_scores(ruleset, tallies, source.judgements)
    breakdowns = ()
    if field is not None:
        breakdowns = tuple((key, sizes[key], compute_scores(
            ruleset, _tallies(ruleset, scorer, groups[key]), source.judgements))
            for key in sorted(groups))
    trace_rows = None
    if traced is not None:
        trace_rows = tuple(sorted((case_id_of(row), codes, source.record_location(case_id_of(row)))
                                  for row, codes in traced))
    return Evaluation(ruleset, source.cases, tallies, scores, by, breakdowns, None, trace_rows,
                      tuple(diagnostics), tuple(source.files))


NOT_RECORDED = "(not recorded)"


def _split(rows: list, field: str) -> dict[str, list]:
    parts: dict[str, list] = {}
    for row in rows:
        value = getattr(row, field)
        key = NOT_RECORDED if value is None else str(value).strip()
        parts.setdefault(key, []).append(row)
    return parts


def _tallies(ruleset: CompiledRuleset, scorer: FastScorer, totals: list[int]) -> dict[str, Tally]:
    by_name = {name: Tally(*totals[COUNTERS * k:COUNTERS * (k + 1)])
               for k, name in enumerate(scorer.question_order)}
    return {question.name: by_name[question.name] for question in ruleset.questions}


class _Problems:
    """Unanswered questions and answers where a question does not apply, as the generated
    counter reports them. Only the first :data:`MAX_REPORTED` by case id and question are kept,
    so a file with a million gaps cannot exhaust memory, and the choice does not depend on the
    order cases were read in."""

    MAX_REPORTED = 200

    def __init__(self) -> None:
        self.kept: list[_Kept] = []  # a heap whose top is the greatest kept problem
        self.counts = [0, 0]

    def append(self, problem: tuple) -> None:
        row, question, kind = problem
        self.counts[kind] += 1
        kept = _Kept((case_id_of(row), question, kind), row)
        if len(self.kept) < self.MAX_REPORTED:
            heapq.heappush(self.kept, kept)
        elif kept.key < self.kept[0].key:
            heapq.heapreplace(self.kept, kept)

    def sorted(self) -> list[_Kept]:
        return sorted(self.kept, key=lambda kept: kept.key)


class _Kept:
    """A reported problem and its row, ordered greatest first for the heap."""

    __slots__ = ("key", "row")

    def __init__(self, key: tuple[str, int, int], row) -> None:
        self.key, self.row = key, row

    def __lt__(self, other: _Kept) -> bool:
        return self.key > other.key


def _problem_diagnostics(ruleset: CompiledRuleset, scorer: FastScorer, source,
                         problems: _Problems, allow_unanswered: bool) -> list[Diagnostic]:
    found = []
    source.find_lines(kept.key[0] for kept in problems.kept)
    for kept in problems.sorted():
        case_id, index, kind = kept.key
        name = scorer.question_order[index]
        question = ruleset.question(name)
        if kind == UNANSWERED:
            message = f"case `{case_id}` has no answer for question `{name}`"
            related = [Related(question.span, "the question")]
            span = source.locate(case_id, None)
            if allow_unanswered:
                found.append(warning("W405", message + "; it is left out", span, related=related))
            else:
                found.append(error("E405", message, span, related=related,
                                   hint="record an answer (or a value meaning not applicable), "
                                        "or pass --allow-unanswered to leave it out"))
        else:
            gate = _failed_gate(ruleset, scorer, kept.row, name)
            found.append(warning("W406", f"case `{case_id}` answers question `{name}` where it "
                                 "does not apply; the answer is not counted",
                                 source.locate(case_id, name),
                                 hint="check the case's attributes, or the question's condition",
                                 related=[Related(gate, "the condition")]))
    reported = len(problems.kept)
    total = sum(problems.counts)
    if total > reported:
        kinds = "unanswered questions" if problems.counts[ANSWERED_BUT_NOT_APPLICABLE] == 0 \
            else "problems like these"
        last = found[-1]
        found.append(attrs.evolve(last, message=f"... and {total - reported:,} more {kinds} "
                                  "(only the first are listed)", related=()))
    return found


def _failed_gate(ruleset: CompiledRuleset, scorer: FastScorer, row, name: str) -> Span:
    """The condition that kept a question from applying to this case, found by the simple
    evaluator (only for the few problems reported)."""
    case = Case(case_id_of(row),
                {attribute: getattr(row, field) for attribute, field
                 in scorer.attribute_fields.items() if getattr(row, field) is not None},
                {question: getattr(row, field) for question, field
                 in scorer.question_fields.items() if getattr(row, field) is not None},
                {}, ruleset.question(name).span)
    record = next(r for r in case_records(ruleset, case) if r.question == name)
    return record.rule_span


class _InspectionRows:
    """An inspection already loaded as cases, offered as a row source."""

    def __init__(self, inspection: Inspection, scorer: FastScorer) -> None:
        self.inspection = inspection
        self.scorer = scorer
        self.diagnostics: list[Diagnostic] = []
        self.judgements = inspection.judgements
        self.files = inspection.files
        self.cases = len(inspection.cases)
        self._cases = {case.id: case for case in inspection.cases}

    def batches(self):
        if self.inspection.cases:
            yield [self.scorer.row_from_case(case) for case in self.inspection.cases]

    def locate(self, case_id: str, field: str | None) -> Span:
        case = self._cases[case_id]
        return case.origins.get(field or CASE_FIELD, case.span)

    def record_location(self, case_id: str) -> dict[str, object]:
        return self._cases[case_id].span.to_json()

    def find_lines(self, case_ids) -> None:
        """Nothing to find: loaded cases keep where every field was read."""


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
    """A score as printed: `74%`, `27 points`, `12`, `judged` (a rating with no number), or
    `no score`."""
    score = ruleset.score(result.name)
    if result.exact is None:
        judged = score.rule == "judged directly" and result.band is not None
        return "judged" if judged else "no score"
    text = format(shown_value(score, result.exact), "f")
    if score.value_kind is Kind.PERCENT:
        return f"{text}%"
    if score.value_kind is Kind.POINTS:
        return f"{text} point" + ("" if text == "1" else "s")
    return text
