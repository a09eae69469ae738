"""One run of the engine over an inspection: tallies, scores, breakdowns and diagnostics, and,
when asked, each case's trace and every answer's record.

Rows come from a :class:`~ccirules.rows.RowSource` (files streamed as they are read, or an
inspection held in memory) and go through the ruleset's generated scorer
(:mod:`ccirules.codegen`) once. Tallies per question (and per breakdown value) become scores in
:mod:`ccirules.scoring`. A traced run gives every case one trace code per question
(:mod:`ccirules.trace`); answer records, which ``explain``, ``test`` and ``verify`` read, are
those codes decoded, so a number and its explanation come from the same run.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence

import attrs
import msgspec

from ccirules.cases import InputFile, Inspection
from ccirules.codegen import ANSWERED_BUT_NOT_APPLICABLE, COUNTERS, UNANSWERED, Scorer, case_id_of
from ccirules.compiler import CompiledRuleset
from ccirules.diagnostics import Diagnostic, Related, error, warning
from ccirules.rows import InspectionRows, RowSource
from ccirules.scoring import ScoreResult, Tally, compute_scores
from ccirules.source import Span
from ccirules.trace import AnswerRecord, Outcome, records

#: The breakdown group of cases that do not record the attribute scores are broken down by.
NOT_RECORDED = "(not recorded)"


class CaseTrace(msgspec.Struct, frozen=True):
    """One case's trace: a code per question in evaluation order, and where the case was read."""

    case: str
    codes: str
    location: dict[str, object]


class Breakdown(msgspec.Struct, frozen=True):
    """The scores of the cases with one value of the breakdown attribute."""

    value: str
    cases: int
    scores: tuple[ScoreResult, ...]


class Evaluation(msgspec.Struct, frozen=True):
    """The result of evaluating an inspection: scores in ruleset order, per-question tallies,
    breakdowns, diagnostics and, when asked for, traces and answer records."""

    ruleset: CompiledRuleset
    cases: int
    tallies: Mapping[str, Tally]
    scores: tuple[ScoreResult, ...]
    breakdown_by: str | None
    breakdowns: tuple[Breakdown, ...]
    trace: tuple[CaseTrace, ...] | None  # sorted by case id
    records: tuple[AnswerRecord, ...] | None  # sorted by case id, then ruleset order
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[InputFile, ...] = ()
    #: The inspection's facts (area, nation, region, date, type) as its files give them.
    facts: Mapping[str, str] = msgspec.field(default_factory=dict)
    #: Scores judged for the inspection as a whole (and those built on them): left out of
    #: breakdowns, which would otherwise repeat them for every value as if each were rated.
    inspection_level: tuple[str, ...] = ()

    def score(self, name: str) -> ScoreResult:
        return next(result for result in self.scores if result.name == name)


def evaluate(ruleset: CompiledRuleset, inspection: Inspection | RowSource, *,
             by: str | None = None, allow_unanswered: bool = False, trace: bool = False,
             keep_records: bool = False) -> Evaluation:
    """Evaluate an inspection (loaded cases, or a row source such as files being streamed).

    ``by`` names an attribute to break every score down by. An applicable question with no
    answer is an error unless ``allow_unanswered``, when it is left out with a warning.
    ``trace`` keeps each case's trace codes (for ``--trace``); ``keep_records`` every answer's
    record (for explaining). The rows are read once, in bounded memory unless either is asked.
    """
    scorer = ruleset.scorer
    source = InspectionRows(inspection, scorer) if isinstance(inspection, Inspection) \
        else inspection
    run = Run(scorer, by, trace or keep_records, keep_records)
    for batch in source.batches():
        run.count(batch)
    problems = run.located_problems(ruleset, source, allow_unanswered)
    traces = found = None
    if trace or keep_records:
        ordered = sorted(run.traced, key=lambda item: item[0])
        if trace:
            traces = tuple(CaseTrace(case, codes, source.record_location(case))
                           for case, codes, _ in ordered)
        if keep_records:
            found = tuple(_records(ruleset, scorer, source, ordered))
    return finish(ruleset, run, problems, source, traces, found)


def finish(ruleset: CompiledRuleset, run: Run, problems: Problems, source: RowSource,
           traces: tuple[CaseTrace, ...] | None = None,
           records: tuple[AnswerRecord, ...] | None = None) -> Evaluation:
    """The evaluation from counted rows: tallies, scores, breakdowns and diagnostics (the
    source's, then the problems the counting found). Parallel runs finish here too, with the
    merged counts of every piece (:mod:`ccirules.parallel`)."""
    tallies = _tallies(ruleset, run.scorer, run.grand_totals())
    scores = compute_scores(ruleset, tallies, source.judgements)
    whole = ruleset.inspection_level
    breakdowns = tuple(
        Breakdown(key, run.sizes[key], tuple(
            result for result in compute_scores(
                ruleset, _tallies(ruleset, run.scorer, run.groups[key]), source.judgements)
            if result.name not in whole))
        for key in sorted(run.groups)) if run.field is not None else ()
    diagnostics = (*source.diagnostics, *problems.diagnostics())
    return Evaluation(ruleset, source.cases, tallies, scores, run.by, breakdowns, traces,
                      records, diagnostics, tuple(source.files), dict(source.judgements.facts),
                      whole)


class Run:
    """Counts batches of rows into totals: one set per breakdown value (or one in all)."""

    def __init__(self, scorer: Scorer, by: str | None, traced: bool, keep_rows: bool) -> None:
        self.scorer = scorer
        self.by = by
        self.width = COUNTERS * len(scorer.question_order)
        self.field = scorer.attribute_fields[by] if by is not None else None
        self.problems = _Problems()
        self.groups: dict[str, list[int]] = {}
        self.sizes: dict[str, int] = {}
        self.traced: list[tuple[str, str, object]] | None = [] if traced else None
        self.keep_rows = keep_rows

    def add(self, groups: Mapping[str, list[int]], sizes: Mapping[str, int]) -> None:
        """Add totals counted elsewhere (another piece of a parallel run)."""
        for key, totals in groups.items():
            mine = self.groups.get(key) or [0] * self.width
            self.groups[key] = [a + b for a, b in zip(mine, totals, strict=True)]
            self.sizes[key] = self.sizes.get(key, 0) + sizes[key]

    def located_problems(self, ruleset: CompiledRuleset, source: RowSource,
                         allow_unanswered: bool) -> Problems:
        """The problems the counting kept, each as its diagnostic, placed by the source."""
        source.find_lines(kept.key[0] for kept in self.problems.kept)
        return Problems([(kept.key, _diagnostic(ruleset, self.scorer, source, kept,
                                                allow_unanswered))
                         for kept in self.problems.sorted()], list(self.problems.counts))

    def count(self, batch: list) -> None:
        parts = {"": batch} if self.field is None else _split(batch, self.field)
        for key, rows in parts.items():
            totals = self.groups.get(key) or [0] * self.width
            if self.traced is None:
                self.groups[key] = self.scorer.count(rows, totals, self.problems)
            else:
                codes: list = []
                self.groups[key] = self.scorer.count_traced(rows, totals, self.problems, codes)
                self.traced.extend((case_id_of(row), code, row if self.keep_rows else None)
                                   for row, code in codes)
            self.sizes[key] = self.sizes.get(key, 0) + len(rows)

    def grand_totals(self) -> list[int]:
        return [sum(column) for column in zip(*self.groups.values(), strict=True)] \
            or [0] * self.width


def _split(rows: list, field: str) -> dict[str, list]:
    parts: dict[str, list] = {}
    for row in rows:
        value = getattr(row, field)
        key = NOT_RECORDED if value is None else str(value).strip()
        parts.setdefault(key, []).append(row)
    return parts


def _tallies(ruleset: CompiledRuleset, scorer: Scorer, totals: list[int]) -> dict[str, Tally]:
    by_name = {name: Tally(*totals[COUNTERS * k:COUNTERS * (k + 1)])
               for k, name in enumerate(scorer.question_order)}
    return {question.name: by_name[question.name] for question in ruleset.questions}


def _records(ruleset: CompiledRuleset, scorer: Scorer, source: RowSource,
             traced: list[tuple[str, str, object]]) -> list[AnswerRecord]:
    """Every answer's record, by case id and then in ruleset order."""
    order = {question.name: index for index, question in enumerate(ruleset.questions)}
    found = []
    for case, codes, row in traced:
        decoded = records(ruleset, scorer.legends, case, codes,
                          lambda question, row=row: scorer.answer_of(row, question),
                          lambda question, case=case: source.locate(case, question))
        found += sorted(decoded, key=lambda record: order[record.question])
    return found


def applying(ruleset: CompiledRuleset, attributes: Mapping[str, object],
             answers: Mapping[str, str]) -> dict[str, str]:
    """The answers of a case that count: those to questions that apply to it, as the engine
    decides in a run of that one case. (An answer is visible to other questions' conditions only
    where its own question applies, so dropping the rest changes nothing the engine decides.)
    Generated and improved cases (:mod:`ccirules.testing`, :mod:`ccirules.verify`) are made
    consistent with it."""
    (kept,) = applying_each(ruleset, [(attributes, answers)])
    return kept


def applying_each(ruleset: CompiledRuleset,
                  cases: Sequence[tuple[Mapping[str, object], Mapping[str, str]]]
                  ) -> list[dict[str, str]]:
    """:func:`applying` for several cases (attributes, answers), in one run of the engine."""
    scorer = ruleset.scorer
    fields = {**scorer.attribute_fields, **scorer.question_fields}
    rows = [scorer.row_type(c=str(index), **{fields[name]: value for name, value
                                             in (*attributes.items(), *answers.items())})
            for index, (attributes, answers) in enumerate(cases)]
    traced: list = []
    scorer.count_traced(rows, [0] * (COUNTERS * len(scorer.question_order)), _Discard(), traced)
    applies = [[meanings[code].outcome is not Outcome.DOES_NOT_APPLY
                for code, meanings in zip(codes, scorer.legends, strict=True)]
               for _, codes in traced]
    return [{name: answers[name] for name, keep in zip(scorer.question_order, flags, strict=True)
             if keep and name in answers}
            for (_, answers), flags in zip(cases, applies, strict=True)]


# ---- problems --------------------------------------------------------------------------------


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


class Problems(msgspec.Struct):
    """Problems the counting found, each placed as its diagnostic, and how many there were of
    each kind (only the first :data:`_Problems.MAX_REPORTED` by case and question are kept)."""

    kept: list[tuple[tuple[str, int, int], Diagnostic]]
    counts: list[int]

    def merge(self, other: Problems) -> None:
        """Add another piece's problems, keeping the first by case and question."""
        self.kept = sorted([*self.kept, *other.kept], key=lambda item: item[0])
        del self.kept[_Problems.MAX_REPORTED:]
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]

    def diagnostics(self) -> list[Diagnostic]:
        found = [diagnostic for _, diagnostic in self.kept]
        total = sum(self.counts)
        if total > len(found):
            kinds = "unanswered questions" if self.counts[ANSWERED_BUT_NOT_APPLICABLE] == 0 \
                else "problems like these"
            found.append(attrs.evolve(found[-1], message=f"... and {total - len(found):,} more "
                                      f"{kinds} (only the first are listed)", related=()))
        return found


def _diagnostic(ruleset: CompiledRuleset, scorer: Scorer, source: RowSource, kept: _Kept,
                allow_unanswered: bool) -> Diagnostic:
    case_id, index, kind = kept.key
    name = scorer.question_order[index]
    if kind == UNANSWERED:
        message = f"case `{case_id}` has no answer for question `{name}`"
        related = [Related(ruleset.question(name).span, "the question")]
        span = source.locate(case_id, None)
        if allow_unanswered:
            return warning("W405", message + "; it is left out", span, related=related)
        return error("E405", message, span, related=related,
                     hint="record an answer (or a value meaning not applicable), "
                          "or pass --allow-unanswered to leave it out")
    return warning("W406", f"case `{case_id}` answers question `{name}` where it does not "
                   "apply; the answer is not counted", source.locate(case_id, name),
                   hint="check the case's attributes, or the question's condition",
                   related=[Related(_false_condition(scorer, kept.row, index), "the condition")])


def _false_condition(scorer: Scorer, row, index: int) -> Span:
    """The condition that kept a question from applying to a case: the engine's traced run of
    that one row says which (only for the few problems reported)."""
    traced: list = []
    scorer.count_traced([row], [0] * (COUNTERS * len(scorer.question_order)), _Discard(),
                        traced)
    (_, codes), = traced
    return scorer.legends[index][codes[index]].rule_span


class _Discard:
    """A problems list that keeps nothing (the problem is already being reported)."""

    def append(self, problem: tuple) -> None:
        """Drop it."""
