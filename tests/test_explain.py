"""Explanations: the answers behind a score, and how far the neighbouring bands are, checked
against hand calculations."""

from __future__ import annotations

from ccirules.api import evaluate, load_cases, load_ruleset
from ccirules.explain import Contribution, explain_case, explain_score
from tests.conftest import GOLDEN, ROOT, RULESETS
from tests.helpers import case, compiled, run


def explained(ruleset_path, inputs, score):
    ruleset = load_ruleset(str(ruleset_path)).compiled
    cases = load_cases([str(path) for path in inputs], ruleset)
    return explain_score(evaluate(ruleset, cases.inspection, keep_records=True), score)


def step(move):
    return None if move is None else (move.answers, move.band.label, move.where)


GOLDEN_RUN = (GOLDEN / "eval" / "framework.rules", [GOLDEN / "eval" / "inspection"])


def test_pooled_score_distances() -> None:
    # A is 9/12 = 75%, exactly MINIMUM: nothing above; 8/12 = 66.7% is MODERATE.
    a = explained(*GOLDEN_RUN, "A")
    assert (step(a.up), step(a.down)) == (None, (1, "moderate", ()))
    # safety is 9/13 = 69.2%: 10/13 = 76.9% is MINIMUM; 8/13 = 61.5% is still MODERATE,
    # 7/13 = 53.8% is SUBSTANTIAL.
    safety = explained(*GOLDEN_RUN, "safety")
    assert (step(safety.up), step(safety.down)) == ((1, "minimum", ()), (2, "substantial", ()))


def test_lowest_of_parts_distances() -> None:
    # worst = lowest of A (75%) and B (5/9 = 55.6%): 6/9 = 66.7% lifts B, and so worst, to
    # MODERATE; 4/9 = 44.4% drops it to DRASTIC.
    worst = explained(*GOLDEN_RUN, "worst")
    assert step(worst.up) == (1, "moderate", (("B", 1),))
    assert step(worst.down) == (1, "drastic", (("B", 1),))


def test_standard_distances_on_the_2018_example() -> None:
    # 2.3 is lowest of 19/24, 15/24 (62.5%: Requires improvement) and 17/24: one more in 2.3.2
    # is 16/24 = 66.7%, Good; four fewer is 11/24 = 45.8%, Inadequate.
    standard = explained(RULESETS / "hmip-youth-2018.rules", [ROOT / "examples" / "hmip-2018"],
                         "2.3")
    assert step(standard.up) == (1, "good", (("2.3.2", 1),))
    assert step(standard.down) == (4, "inadequate", (("2.3.2", 4),))


def test_highest_moves_every_part_down_and_reports_the_band_reached() -> None:
    ruleset = compiled('ruleset "T"\nscale s value yes means sufficient value no means '
                       'insufficient end\nlevel g "G"\ng G "G" question q1 question q2 end\n'
                       "score best scored as highest of q1, q2 banded by b\n"
                       "bands b band top from 75 to 100 band mid from 60 to 74 band low from 0 "
                       "to 59 end\n")
    # q1 is 1/2 = 50%, q2 3/4 = 75%: highest is 75% (top). Dropping it needs q2 below 75%:
    # one answer makes q2 2/4 = 50%, so the highest is 50%, which is `low`, not `mid`.
    evaluation = run(ruleset, case("a", q1="yes", q2="yes"), case("b", q1="no", q2="yes"),
                     case("c", q2="yes"), case("d", q2="no"), keep_records=True,
                     allow_unanswered=True)
    best = explain_score(evaluation, "best")
    assert step(best.down) == (1, "low", (("q2", 1),))
    assert best.up is None


def test_case_contributions() -> None:
    ruleset = load_ruleset(str(GOLDEN_RUN[0])).compiled
    cases = load_cases([str(GOLDEN_RUN[1][0])], ruleset)
    evaluation = evaluate(ruleset, cases.inspection, keep_records=True, trace=True)
    c4 = explain_case(evaluation, "C4")
    # A1 yes, A2 yes, A3 no, B1 na: B gets nothing from C4, so neither does it count there.
    assert c4.contributions == (
        Contribution("A", 2, 3), Contribution("safety", 1, 2),  # A1 and A3 are key questions
        Contribution("worst", 2, 3, ("A",)), Contribution("count_a", 2, 3),
        Contribution("mean", 2, 3, ("A",)))
    assert [r.outcome.value for r in c4.records] == [
        "sufficient", "sufficient", "insufficient", "not applicable", "does not apply"]
    assert (c4.location["file"], c4.location["line"]) == (
        str(GOLDEN_RUN[1][0] / "cases.yaml"), 26)


def test_a_case_contributes_to_standards_and_the_overall_through_their_parts() -> None:
    ruleset = load_ruleset(str(RULESETS / "hmip-youth-2018.rules")).compiled
    cases = load_cases([str(ROOT / "examples" / "hmip-2018")], ruleset)
    c004 = explain_case(evaluate(ruleset, cases.inspection, keep_records=True), "C004")
    # C004 answers 2.1.1-2.4.3 (a court case): no, yes, yes | yes, yes, no | no, yes, no |
    # yes, yes, no. Each standard is the lowest of its questions; the overall sums standards.
    assert c004.contributions == (
        Contribution("2.1", 2, 3, ("2.1.1", "2.1.2", "2.1.3")),
        Contribution("2.2", 2, 3, ("2.2.1", "2.2.2", "2.2.3")),
        Contribution("2.3", 1, 3, ("2.3.1", "2.3.2", "2.3.3")),
        Contribution("2.4", 2, 3, ("2.4.1", "2.4.2", "2.4.3")),
        Contribution("overall", 7, 12, ("2.1", "2.2", "2.3", "2.4")))
    assert c004.location is None  # only a traced run says where the case was read


def test_a_limited_score_keeps_its_rule_and_the_band_before_it(tmp_path) -> None:
    """22 of 36 points (61.11%) is Good; two limits apply in turn, to Requires improvement and
    then to Inadequate: the band before the limits is still Good, and the last one is quoted."""
    text = (RULESETS / "hmip-youth-2018.rules").read_text(encoding="utf-8").replace(
        "  banded by overall_rating\n",
        "  banded by overall_rating\n"
        "  at most requires_improvement when 2.3 is rated requires_improvement\n"
        "  at most inadequate when 3.1 is rated requires_improvement or 1.1 is rated good\n")
    path = tmp_path / "limited.rules"
    path.write_text(text, encoding="utf-8")
    explanation = explained(path, [ROOT / "examples" / "hmip-2018"], "overall")
    assert explanation.result.band.label == "inadequate"
    limited = explanation.limited
    assert (limited.rule.label, limited.before.label) == ("inadequate", "good")
    assert [(name, band.label) for name, band in limited.ratings] == [
        ("3.1", "requires_improvement"), ("1.1", "good")]
    assert explained(RULESETS / "hmip-youth-2018.rules", [ROOT / "examples" / "hmip-2018"],
                     "overall").limited is None
