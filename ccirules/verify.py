"""`ccirules verify`: a catalogue of properties every ruleset's scoring should have, checked
over generated inspections (see :mod:`ccirules.testing`).

Each property is a small function that draws what it needs and raises :class:`PropertyError` with
an explanation when the ruleset breaks it. Hypothesis shrinks a failure to a minimal inspection,
which is written as a case file the user can open and `ccirules explain`.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from fractions import Fraction

import attrs
import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from ccirules import terms, testing
from ccirules.cases import Case, Inspection, Judgements
from ccirules.compiler import CompiledRuleset, Rule
from ccirules.evaluator import Evaluation, applying, evaluate
from ccirules.output import write_output
from ccirules.results import Stamp, result_document, shown
from ccirules.scoring import band_of
from ccirules.terms import ValueKind


class PropertyError(Exception):
    """A property broken by a given inspection; ``score`` names the score to explain."""

    def __init__(self, message: str, inspection: Inspection, score: str | None = None) -> None:
        super().__init__(message)
        self.message, self.inspection, self.score = message, inspection, score


@attrs.frozen
class PropertyResult:
    name: str
    passed: bool
    message: str = ""
    counterexample: str | None = None
    score: str | None = None  # the score the failure is about, to explain


def _evaluate(ruleset: CompiledRuleset, inspection: Inspection) -> Evaluation:
    return evaluate(ruleset, inspection, allow_unanswered=True)


def _pooling_scores(ruleset: CompiledRuleset):
    return [s for s in ruleset.scores if s.rule.pools]


# ---- the properties --------------------------------------------------------------------------


def within_bounds(ruleset: CompiledRuleset, data: st.DataObject) -> None:
    """Percentages are 0-100, counts and points never negative, sufficient never above
    applicable, and a banded score with a value always has a band."""
    inspection = data.draw(testing.inspections(ruleset))
    evaluation = _evaluate(ruleset, inspection)
    for result in evaluation.scores:
        score = ruleset.score(result.name)
        if result.applicable is not None and not 0 <= result.sufficient <= result.applicable:
            raise PropertyError(f"{score.name}: {result.sufficient} sufficient of "
                            f"{result.applicable}", inspection)
        if result.exact is None:
            continue
        if result.exact < 0 or (score.value_kind is ValueKind.PERCENT and result.exact > 100):
            raise PropertyError(f"{score.name} is {shown(result, ruleset)}, out of range",
                                inspection)
        if score.bands is not None and result.band is None:
            raise PropertyError(f"{score.name} is {shown(result, ruleset)} but lands in no band",
                            inspection)


def pooled_counts_are_sums(ruleset: CompiledRuleset, data: st.DataObject) -> None:
    """A pooled score's counts are the sums of its questions' tallies, and a group's are the
    sums of its sub-groups' and its own questions'."""
    inspection = data.draw(testing.inspections(ruleset))
    evaluation = _evaluate(ruleset, inspection)
    for score in _pooling_scores(ruleset):
        result = evaluation.score(score.name)
        tallies = [evaluation.tallies[q] for q in score.questions]
        if result.sufficient != sum(t.sufficient for t in tallies) or \
                result.applicable != sum(t.applicable for t in tallies):
            raise PropertyError(f"{score.name}: {result.sufficient}/{result.applicable} is not the "
                            "sum of its questions' counts", inspection)
    pooled = {s.name: set(s.questions) for s in _pooling_scores(ruleset)}
    for name, questions in pooled.items():
        parts = [other for other, inner in pooled.items()
                 if other != name and inner and inner < questions
                 and not any(inner < mid < questions for mid in pooled.values())]
        covered = set().union(*(pooled[p] for p in parts)) if parts else set()
        if not parts or len(covered) != sum(len(pooled[p]) for p in parts):
            continue
        direct = questions - covered
        expected = sum(evaluation.score(p).applicable for p in parts) + sum(
            evaluation.tallies[q].applicable for q in direct)
        if evaluation.score(name).applicable != expected:
            raise PropertyError(f"{name}'s applicable answers are not the sum of its parts'",
                            inspection)


def order_changes_nothing(ruleset: CompiledRuleset, data: st.DataObject) -> None:
    """Shuffling cases, and the order of each case's answers, changes no byte of the result."""
    inspection = data.draw(testing.inspections(ruleset))
    rng = random.Random(data.draw(st.integers(0, 2**32)))
    shuffled = [msgspec.structs.replace(case, answers=dict(sorted(case.answers.items(),
                                                       key=lambda _: rng.random())))
                for case in inspection.cases]
    rng.shuffle(shuffled)
    reordered = msgspec.structs.replace(inspection, cases=tuple(shuffled))
    first, second = (_result_bytes(ruleset, shown) for shown in (inspection, reordered))
    if first != second:
        raise PropertyError("shuffling the cases changed the result", inspection)


def _result_bytes(ruleset: CompiledRuleset, inspection: Inspection) -> bytes:
    """The JSON result with its trace, compactly encoded: the same document, byte for byte, as
    `eval --format json --trace` writes indented, at a fraction of the cost."""
    evaluation = evaluate(ruleset, inspection, allow_unanswered=True, trace=True)
    return msgspec.json.encode(result_document(evaluation, Stamp("ruleset", "0" * 64, ())))


def not_applicable_changes_nothing(ruleset: CompiledRuleset, data: st.DataObject) -> None:
    """Adding a case whose every applicable answer means "not applicable" changes no score."""
    inspection = data.draw(testing.inspections(ruleset))
    extra = data.draw(testing.cases(ruleset, "NA-CASE"))
    answers = {}
    for name in extra.answers:
        categories = ruleset.question(name).scale.categories
        not_applicable = [v for v, c in categories.items()
                          if c is terms.Category.NOT_APPLICABLE]
        if not not_applicable:
            return
        answers[name] = not_applicable[0]
    extra = msgspec.structs.replace(extra, answers=answers)
    if _gated_by_answers(ruleset, answers):
        return  # answers that other questions' conditions read are not neutral by design
    before = _evaluate(ruleset, inspection)
    after_inspection = msgspec.structs.replace(inspection, cases=(*inspection.cases, extra))
    after = _evaluate(ruleset, after_inspection)
    for old, new in zip(before.scores, after.scores, strict=True):
        if (old.exact, old.band) != (new.exact, new.band):
            raise PropertyError(f"adding case NA-CASE, which answers 'not applicable' "
                                f"throughout, changes {old.name} from {shown(old, ruleset)} "
                                f"to {shown(new, ruleset)}", after_inspection, old.name)


def _gated_by_answers(ruleset: CompiledRuleset, answers) -> bool:
    return not ruleset.read_by_conditions.isdisjoint(answers)


def counts_add_up(ruleset: CompiledRuleset, data: st.DataObject) -> None:
    """Pooled counts over two disjoint sets of cases add up to the counts over both."""
    inspection = data.draw(testing.inspections(ruleset))
    cut = data.draw(st.integers(0, len(inspection.cases)))
    whole = _evaluate(ruleset, inspection)
    left = _evaluate(ruleset, msgspec.structs.replace(inspection, cases=inspection.cases[:cut]))
    right = _evaluate(ruleset, msgspec.structs.replace(inspection, cases=inspection.cases[cut:]))
    for score in _pooling_scores(ruleset):
        total = whole.score(score.name)
        parts = (left.score(score.name), right.score(score.name))
        if total.applicable != sum(p.applicable for p in parts) or \
                total.sufficient != sum(p.sufficient for p in parts):
            raise PropertyError(f"{score.name}: counts over all cases are not the sum over the two "
                            f"halves (split after {cut} cases)", inspection)


def better_never_lowers(ruleset: CompiledRuleset, data: st.DataObject) -> None:
    """Making one insufficient answer sufficient (and any work that change brings into scope
    sufficient too) never lowers a score, a band or a rating: through pooling, lowest, highest,
    sums of points and limits alike."""
    inspection = data.draw(testing.inspections(ruleset, min_size=1))
    before = _evaluate(ruleset, inspection)
    candidates = [(case, name) for case in inspection.cases for name, value in case.answers.items()
                  if ruleset.question(name).scale.categories[value] is terms.Category.INSUFFICIENT]
    for case, name in candidates[:MAX_IMPROVEMENTS]:
        _check_improvement(ruleset, inspection, before, case, name)


#: Improvements tried per generated inspection (each is one more evaluation).
MAX_IMPROVEMENTS = 24


def _check_improvement(ruleset: CompiledRuleset, inspection: Inspection, before: Evaluation,
                       case: Case, name: str) -> None:
    improved = _improve(ruleset, case, name)
    after_inspection = msgspec.structs.replace(inspection, cases=tuple(
        improved if c.id == case.id else c for c in inspection.cases))
    after = _evaluate(ruleset, after_inspection)
    change = (f"case {case.id}'s answer to {name} is `{case.answers[name]}`; making it "
              f"`{improved.answers[name]}`")
    for old, new in zip(before.scores, after.scores, strict=True):
        if old.exact is not None and new.exact is None:
            raise PropertyError(f"{change} leaves {old.name} with no score", inspection,
                                old.name)
        if old.exact is not None and new.exact < old.exact:
            raise PropertyError(f"{change} lowers {old.name} from {shown(old, ruleset)} to "
                                f"{shown(new, ruleset)}", inspection, old.name)
        if old.band is not None and new.band is not None and new.band.rank > old.band.rank:
            raise PropertyError(f"{change} lowers {old.name} from {old.band.label} to "
                                f"{new.band.label}", inspection, old.name)


def _improve(ruleset: CompiledRuleset, case: Case, name: str) -> Case:
    def sufficient(question: str) -> str:
        categories = ruleset.question(question).scale.categories
        return sorted(v for v, c in categories.items() if c is terms.Category.SUFFICIENT)[0]

    everywhere = {question.name: case.answers.get(question.name) or sufficient(question.name)
                  for question in ruleset.questions}
    everywhere[name] = sufficient(name)
    return msgspec.structs.replace(case, answers=applying(ruleset, case.attributes, everywhere))


EDGE_MODES = {terms.RoundingMode.HALF_UP: ROUND_HALF_UP, terms.RoundingMode.HALF_EVEN:
              ROUND_HALF_EVEN, terms.RoundingMode.HALF_DOWN: ROUND_HALF_DOWN,
              terms.RoundingMode.UP: ROUND_UP, terms.RoundingMode.DOWN: ROUND_DOWN}


def band_edges(ruleset: CompiledRuleset, data: st.DataObject) -> None:
    """Each band threshold, and the values just either side of its rounding boundary, land in
    the band the table declares for the value as rounded (worked out independently here)."""
    for score in ruleset.scores:
        if score.bands is None or score.value_kind is not ValueKind.PERCENT:
            continue
        step = Decimal(1).scaleb(-score.rounding.places)
        for band in score.bands.bands:
            low = Decimal(band.low.numerator) / Decimal(band.low.denominator)
            for value in (low, low - step / 2, low - step / 2 - step / 1000, low + step / 1000):
                if not 0 <= value <= 100:
                    continue
                if score.band_basis is terms.BandBasis.ROUNDED:
                    judged = value.quantize(step, rounding=EDGE_MODES[score.rounding.mode])
                else:
                    judged = value
                expected = next((b.label for b in score.bands.bands
                                 if Decimal(b.low.numerator) / b.low.denominator <= judged and (
                                     judged < Decimal(b.high.numerator) / b.high.denominator
                                     if b.below else
                                     judged <= Decimal(b.high.numerator) / b.high.denominator)),
                                None)
                actual = band_of(score, Fraction(value))
                if (actual.label if actual else None) != expected:
                    raise PropertyError(f"{score.name} at {value}% lands in "
                                    f"{actual.label if actual else 'no band'}, but its table "
                                    f"puts {judged}% in {expected}", Inspection((), Judgements(
                                        {}, {}), ()))


class _Reach:
    """What the reachability property has seen across all its examples."""

    def __init__(self) -> None:
        self.questions: set[str] = set()
        self.rows: set[tuple[str, str]] = set()


def make_reachability(reach: _Reach) -> Callable:
    def reachable(ruleset: CompiledRuleset, data: st.DataObject) -> None:
        """Every question is asked, and every band row reached, by some generated inspection
        (one at each level of quality, every example)."""
        for quality in testing.QUALITIES:
            inspection = data.draw(testing.inspections(ruleset, min_size=1, quality=quality))
            evaluation = _evaluate(ruleset, inspection)
            reach.questions.update(n for n, t in evaluation.tallies.items() if t.applicable)
            for result in evaluation.scores:
                score = ruleset.score(result.name)
                if result.band is not None and score.bands is not None:
                    reach.rows.add((score.bands.name, result.band.label))
    return reachable


def deterministic_across_runs(ruleset_path: str, ruleset: CompiledRuleset,
                              data: st.DataObject) -> None:
    """`ccirules eval` gives byte-identical JSON in separate processes with different hash
    seeds."""
    inspection = data.draw(testing.inspections(ruleset, min_size=1, max_size=4))
    with tempfile.TemporaryDirectory() as folder:
        path = write_inspection(inspection, os.path.join(folder, "cases.yaml"))
        outputs = []
        for hash_seed in ("0", "12345"):
            environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
            done = subprocess.run(
                [sys.executable, "-m", "ccirules", "eval", ruleset_path, path, "--format",
                 "json", "--trace", "--allow-unanswered"], capture_output=True, env=environment,
                check=False)
            outputs.append(done.stdout)
        if outputs[0] != outputs[1] or not outputs[0]:
            raise PropertyError("two runs with different hash seeds gave different output",
                            inspection)


# ---- running ---------------------------------------------------------------------------------


def write_inspection(inspection: Inspection, path: str, note: str = "",
                     inputs: Sequence[str] = ()) -> str:
    """An inspection as a YAML case file (JSON flow syntax, so every value is quoted), written
    as every output is (never over ``inputs``); ``note``, what it shows, heads it as comments."""
    lines = ["# Written by ccirules verify: a counterexample, shrunk by hypothesis."]
    lines += [f"# {line}" for line in note.splitlines()]
    lines.append("cases:")
    lines += [f"  - {json.dumps(testing.record_of(case))}" for case in inspection.cases]
    if not inspection.cases:
        lines[-1] = "cases: []"
    if inspection.judgements.ratings:
        lines.append("judgements: " + json.dumps(dict(sorted(inspection.judgements.ratings
                                                            .items()))))
    problem = write_output(path, "\n".join(lines) + "\n", inputs)
    if problem is not None:
        raise CounterexampleNotWrittenError(problem.message.removeprefix(
            "the output was not written: "))
    return path


class CounterexampleNotWrittenError(Exception):
    """A counterexample that could not be written (the reason is the message)."""


def run_property(name: str, slug: str, check: Callable, ruleset: CompiledRuleset,
                 examples: int, seed: int, folder: str,
                 inputs: Sequence[str] = ()) -> PropertyResult:
    failures: list[PropertyError] = []

    @settings(max_examples=examples, deadline=None, database=None, print_blob=False,
              suppress_health_check=list(HealthCheck))
    @hypothesis_seed(seed)
    @given(data=st.data())
    def property_holds(data: st.DataObject) -> None:
        try:
            check(ruleset, data)
        except PropertyError as violation:
            failures.append(violation)
            raise AssertionError(violation.message) from None

    try:
        property_holds()
    except AssertionError:
        violation = failures[-1]  # hypothesis replays the shrunk example last
        path = os.path.join(folder, f"counterexample-{slug}.yaml")
        try:
            os.makedirs(folder, exist_ok=True)
            write_inspection(violation.inspection, path, f"{name}:\n{violation.message}", inputs)
        except (OSError, CounterexampleNotWrittenError) as problem:
            reason = problem.strerror if isinstance(problem, OSError) else str(problem)
            return PropertyResult(name, False, f"{violation.message} (the counterexample "
                                  f"could not be written to {path}: {reason})", None,
                                  violation.score)
        return PropertyResult(name, False, violation.message, path, violation.score)
    return PropertyResult(name, True)


def verify(ruleset_path: str, ruleset: CompiledRuleset, examples: int, seed: int,
           folder: str) -> list[PropertyResult]:
    reach = _Reach()
    catalogue: list[tuple[str, str, Callable, int]] = [
        ("scores stay within bounds", "bounds", within_bounds, examples),
        ("pooled counts are sums of their parts", "pooling", pooled_counts_are_sums, examples),
        ("order of cases and answers changes nothing", "order", order_changes_nothing,
         examples),
        ("not-applicable answers change nothing", "not-applicable",
         not_applicable_changes_nothing, examples),
        ("counts add over disjoint case sets", "additivity", counts_add_up, examples),
        ("a better answer never lowers a score, band or rating", "monotonicity",
         better_never_lowers, examples),
        ("band edges land in the declared band", "band-edges", band_edges, 1),
        ("every question and band row is reachable", "reachability",
         make_reachability(reach), examples),
        ("output is identical across runs and hash seeds", "determinism",
         lambda r, d: deterministic_across_runs(ruleset_path, r, d), 2),
    ]
    results = [run_property(name, slug, check, ruleset, count, seed, folder, [ruleset_path])
               for name, slug, check, count in catalogue]
    missing = [q.name for q in ruleset.questions if q.name not in reach.questions]
    rows = {(s.bands.name, b.label) for s in ruleset.scores if s.bands for b in s.bands.bands
            if s.rule is not Rule.JUDGED}
    unreached = sorted(rows - reach.rows)
    if missing or unreached:
        message = "; ".join(filter(None, [
            ("never asked: " + ", ".join(missing[:8])) if missing else "",
            ("band rows never reached: " + ", ".join(f"{t}:{b}" for t, b in unreached))
            if unreached else ""]))
        results[7] = PropertyResult(results[7].name, False, message)
    return results
