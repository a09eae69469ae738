"""Properties of scoring that must hold for any cases: agreement with a reference written
straight from Appendix 5, pooling, order independence, additivity, monotonicity, neutrality of
not-applicable answers, and a trace with exactly one record per case and question."""

from __future__ import annotations

import random
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules import nodes
from ccirules.api import load_ruleset
from ccirules.cases import Inspection, Judgements
from ccirules.checker.conditions import _Candidate, _holds
from ccirules.checker.model import build_model
from ccirules.evaluator import Outcome, case_records, evaluate
from ccirules.parser import parse
from ccirules.report import Stamp, render_json, trace_legend
from ccirules.source import SourceFile
from tests import strategies
from tests.conftest import GOLDEN, RULESETS

PATHS = {"cci-2012": RULESETS / "cci-youth-2012.rules",
         "hmip-2018": RULESETS / "hmip-youth-2018.rules",
         "golden": GOLDEN / "eval" / "framework.rules"}
COMPILED = {name: load_ruleset(str(path)).compiled for name, path in PATHS.items()}
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def evaluated(ruleset, cases, ratings=None, **options):
    return evaluate(ruleset, Inspection(tuple(cases), Judgements(ratings or {}, {}), ()),
                    allow_unanswered=True, **options)


# ---- the reference ---------------------------------------------------------------------------


def appendix5(path, cases) -> dict[str, tuple[int, int]]:
    """Appendix 5, written independently of the evaluator: a question counts for a case when
    its conditions hold and its answer is sufficient or insufficient; a group's score pools its
    questions over every case; a headline pools its key questions. Applicability is decided by
    a recursive look-up, using the checker's own condition semantics."""
    model = build_model(parse(SourceFile(str(path), path.read_text())).ruleset)

    def state(case, name, seen=()):
        info = model.question_info[name]
        env = {}
        for condition in info.conditions:
            for subject in _subjects(condition):
                if subject in model.question_info:
                    env[subject] = state(case, subject, (*seen, name))
                else:
                    value = case.attributes.get(subject)
                    env[subject] = _Candidate(Decimal(value) if isinstance(value, int) else value)
        applies = all(_holds(condition, env) for condition in info.conditions)
        answer = case.answers.get(name) if applies else None
        category = info.scale and {v.value.text: v.category for v in info.scale.values}.get(answer)
        return _Candidate(answer, category)

    counted = {}
    for name in model.question_info:
        categories = [state(case, name).category for case in cases]
        counted[name] = (categories.count(nodes.Category.SUFFICIENT),
                         sum(c in (nodes.Category.SUFFICIENT, nodes.Category.INSUFFICIENT)
                             for c in categories))
    pools = {group.node.name.text: [q.node.name.text for q in model.all_questions(group)]
             for group in model.groups}
    pools.update({score.name.text: [q.node.name.text for q in model.key_questions(
        score.name.text)] for score in model.scores if score.is_headline})
    return {name: (sum(counted[q][0] for q in questions), sum(counted[q][1] for q in questions))
            for name, questions in pools.items()}


def _subjects(condition):
    from ccirules.checker.walk import atoms
    return [atom.subject.text for atom in atoms(condition)]


@pytest.mark.parametrize("name", ["cci-2012", "golden"])
@SETTINGS
@given(data=st.data())
def test_agrees_with_appendix5_reference(name, data) -> None:
    ruleset = COMPILED[name]
    cases = data.draw(strategies.case_sets(ruleset))
    evaluation = evaluated(ruleset, cases)
    for score, (sufficient, applicable) in appendix5(PATHS[name], cases).items():
        result = evaluation.score(score)
        if ruleset.score(score).rule == "proportion sufficient":
            assert (result.sufficient, result.applicable) == (sufficient, applicable), score


# ---- structure -------------------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_a_sections_counts_are_the_sums_of_its_criteria(data) -> None:
    ruleset = COMPILED["cci-2012"]
    evaluation = evaluated(ruleset, data.draw(strategies.case_sets(ruleset)))
    for section in ("1", "2", "3"):
        criteria = [s for s in ruleset.scores if s.kind == "criterion"
                    and s.name.startswith(section + ".")]
        parent = evaluation.score(section)
        assert parent.sufficient == sum(evaluation.score(c.name).sufficient for c in criteria)
        assert parent.applicable == sum(evaluation.score(c.name).applicable for c in criteria)


@pytest.mark.parametrize("name", sorted(PATHS))
@SETTINGS
@given(data=st.data())
def test_order_of_cases_and_answers_changes_nothing(name, data) -> None:
    ruleset = COMPILED[name]
    cases = data.draw(strategies.case_sets(ruleset))
    ratings = data.draw(strategies.ratings(ruleset))
    shuffler = random.Random(data.draw(st.integers(0, 2**32)))
    shuffled = [attrs.evolve(case, answers=dict(sorted(case.answers.items(),
                                                       key=lambda _: shuffler.random())))
                for case in cases]
    shuffler.shuffle(shuffled)
    stamp = Stamp("r.rules", "0" * 64, ())
    first = render_json(evaluated(ruleset, cases, ratings, trace=True), stamp)
    second = render_json(evaluated(ruleset, shuffled, ratings, trace=True), stamp)
    assert first == second


@pytest.mark.parametrize("name", ["cci-2012", "golden"])
@SETTINGS
@given(data=st.data())
def test_pooled_counts_add_over_disjoint_case_sets(name, data) -> None:
    ruleset = COMPILED[name]
    cases = data.draw(strategies.case_sets(ruleset, max_size=10))
    cut = data.draw(st.integers(0, len(cases)))
    whole, left, right = (evaluated(ruleset, part) for part in (cases, cases[:cut], cases[cut:]))
    for result in whole.scores:
        if result.applicable is not None:
            assert result.sufficient == (left.score(result.name).sufficient
                                         + right.score(result.name).sufficient)
            assert result.applicable == (left.score(result.name).applicable
                                         + right.score(result.name).applicable)


# ---- monotonicity and neutrality -------------------------------------------------------------


def _better(case, ruleset, question):
    """The case with one insufficient answer made sufficient."""
    scale = ruleset.question(question).scale
    good = next(v for v, c in scale.categories.items() if c is nodes.Category.SUFFICIENT)
    return attrs.evolve(case, answers={**case.answers, question: good})


@pytest.mark.parametrize("name", ["cci-2012", "golden"])
@SETTINGS
@given(data=st.data())
def test_a_better_answer_never_lowers_a_pooled_score_or_band(name, data) -> None:
    ruleset = COMPILED[name]
    cases = data.draw(strategies.case_sets(ruleset, min_size=1))
    before = evaluated(ruleset, cases, keep_records=True)
    insufficient = [r for r in before.records if r.outcome is Outcome.INSUFFICIENT]
    if not insufficient:
        return
    record = data.draw(st.sampled_from(insufficient))
    improved = [_better(c, ruleset, record.question) if c.id == record.case else c
                for c in cases]
    after = evaluated(ruleset, improved)
    for old, new in zip(before.scores, after.scores, strict=True):
        if ruleset.score(old.name).rule != "proportion sufficient" or old.exact is None:
            continue
        if _depends_on_answer(ruleset, record.question):
            continue  # a better answer can make other questions apply: not a pure improvement
        assert new.exact >= old.exact, old.name
        if old.band is not None:
            assert new.band.rank <= old.band.rank, old.name


def _depends_on_answer(ruleset, question) -> bool:
    return any(question in gate.test.subjects for q in ruleset.questions for gate in q.gates)


@pytest.mark.parametrize("name", ["cci-2012", "golden"])
@SETTINGS
@given(data=st.data())
def test_not_applicable_answers_change_nothing(name, data) -> None:
    ruleset = COMPILED[name]
    cases = data.draw(strategies.case_sets(ruleset))
    before = evaluated(ruleset, cases)
    neutral = []
    for case in cases:
        answers = dict(case.answers)
        for question in ruleset.questions:
            na = [v for v, c in question.scale.categories.items()
                  if c is nodes.Category.NOT_APPLICABLE]
            if question.name not in answers and na and not _depends_on_answer(
                    ruleset, question.name) and data.draw(st.booleans()):
                answers[question.name] = na[0]
        neutral.append(attrs.evolve(case, answers=answers))
    after = evaluated(ruleset, neutral)
    for old, new in zip(before.scores, after.scores, strict=True):
        assert (old.exact, old.band, old.sufficient, old.applicable) == (
            new.exact, new.band, new.sufficient, new.applicable)


@pytest.mark.parametrize("name", sorted(PATHS))
@SETTINGS
@given(data=st.data())
def test_trace_has_every_case_and_question_once_and_agrees_with_the_oracle(name, data) -> None:
    """The generated scorer against the simple evaluator (the oracle): same tallies, and each
    trace character, read through the legend, is the oracle's outcome and reason."""
    ruleset = COMPILED[name]
    cases = data.draw(strategies.case_sets(ruleset))
    evaluation = evaluated(ruleset, cases, trace=True)
    assert [case for case, _, _ in evaluation.trace] == sorted(case.id for case in cases)
    legends = {q: trace_legend(ruleset, q) for q in ruleset.evaluation_order}
    oracle = {(r.case, r.question): r for case in cases for r in case_records(ruleset, case)}
    for case, codes, _ in evaluation.trace:
        assert len(codes) == len(ruleset.questions)
        for question, code in zip(ruleset.evaluation_order, codes, strict=True):
            meaning = legends[question][code]
            record = oracle[(case, question)]
            assert meaning["outcome"] == record.outcome.value
            assert meaning["rule_location"] == record.rule_span.to_json()
    for question in ruleset.questions:
        mine = [record.outcome for key, record in oracle.items() if key[1] == question.name]
        tally = evaluation.tallies[question.name]
        assert attrs.astuple(tally) == (
            mine.count(Outcome.SUFFICIENT), mine.count(Outcome.INSUFFICIENT),
            mine.count(Outcome.NOT_APPLICABLE), mine.count(Outcome.DOES_NOT_APPLY),
            mine.count(Outcome.UNANSWERED))
