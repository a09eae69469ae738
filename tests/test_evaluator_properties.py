"""The engine against the oracle (tests/oracle.py), for generated rulesets and the shipped ones:
the same tallies, the same per-answer outcomes and reasons, the same numbers; and pooled counts
as Appendix 5 defines them. The consistency properties every ruleset should have (order,
additivity, monotonicity...) are `ccirules verify`'s catalogue, run in tests/test_verify.py."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules.api import load_ruleset
from ccirules.cases import Inspection, Judgements
from ccirules.evaluator import evaluate
from ccirules.scoring import Tally, compute_scores
from ccirules.testing import case_sets, ratings
from tests import oracle
from tests.conftest import GOLDEN, RULESETS
from tests.frameworks import frameworks
from tests.helpers import compiled

PATHS = {"cci-2012": RULESETS / "cci-youth-2012.rules",
         "hmip-2018": RULESETS / "hmip-youth-2018.rules",
         "golden": GOLDEN / "eval" / "framework.rules"}
SHIPPED = {name: load_ruleset(str(path)).compiled for name, path in PATHS.items()}
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def agrees_with_the_oracle(ruleset, cases, judged) -> None:
    """The engine's tallies, records and scores are the oracle's."""
    inspection = Inspection(tuple(cases), Judgements(judged, {}), ())
    evaluation = evaluate(ruleset, inspection, allow_unanswered=True, keep_records=True)
    expected = oracle.tallies(ruleset, cases)
    for question in ruleset.questions:
        tally = evaluation.tallies[question.name]
        assert (tally.sufficient, tally.insufficient, tally.not_applicable,
                tally.does_not_apply, tally.unanswered) == expected[question.name], question.name
    decided = {(d.case, d.question): d for case in cases
               for d in oracle.decisions(ruleset, case)}
    assert len(evaluation.records) == len(decided)
    for record in evaluation.records:
        decision = decided[(record.case, record.question)]
        assert (record.outcome, record.answer, record.rule_span) == (
            decision.outcome, decision.answer, decision.rule_span)
    from_oracle = compute_scores(ruleset, {name: Tally(*counts)
                                           for name, counts in expected.items()},
                                 inspection.judgements)
    assert evaluation.scores == from_oracle


@SETTINGS
@given(data=st.data())
def test_generated_rulesets_agree_with_the_oracle(data) -> None:
    ruleset = compiled(data.draw(frameworks()).text)
    cases = data.draw(case_sets(ruleset, complete=data.draw(st.booleans())))
    agrees_with_the_oracle(ruleset, cases, {})


@pytest.mark.parametrize("name", sorted(PATHS))
@SETTINGS
@given(data=st.data())
def test_shipped_rulesets_agree_with_the_oracle(name, data) -> None:
    ruleset = SHIPPED[name]
    cases = data.draw(case_sets(ruleset, complete=data.draw(st.booleans())))
    agrees_with_the_oracle(ruleset, cases, data.draw(ratings(ruleset)))


def appendix5(model, cases, ruleset) -> dict[str, tuple[int, int]]:
    """Appendix 5's pooling, from the model rather than the compiled plans: a group pools every
    question in it, a headline its key questions, over every case."""
    counts = oracle.tallies(ruleset, cases)
    pools = {group.node.name.text: [q.node.name.text for q in model.all_questions(group)]
             for group in model.groups}
    pools.update({score.name.text: [q.node.name.text for q in model.key_questions(
        score.name.text)] for score in model.scores if score.is_headline})
    return {name: (sum(counts[q][0] for q in questions),
                   sum(counts[q][0] + counts[q][1] for q in questions))
            for name, questions in pools.items()}


@SETTINGS
@given(data=st.data())
def test_pooled_scores_are_appendix_5(data) -> None:
    from ccirules.api import check_source
    from ccirules.source import SourceFile

    path = PATHS["cci-2012"]
    model = check_source(SourceFile(str(path), path.read_text())).model
    ruleset = SHIPPED["cci-2012"]
    cases = data.draw(case_sets(ruleset))
    evaluation = evaluate(ruleset, Inspection(tuple(cases), Judgements({}, {}), ()))
    for name, counts in appendix5(model, cases, ruleset).items():
        result = evaluation.score(name)
        assert (result.sufficient, result.applicable) == counts, name
