"""The evaluator, on examples worked out by hand: every aggregator, every kind of left-out
answer, rounding at its boundary, band edges, limits and judged ratings."""

from __future__ import annotations

from fractions import Fraction

from ccirules.api import load_cases, load_ruleset
from ccirules.evaluator import evaluate
from ccirules.results import shown
from ccirules.trace import Outcome
from tests.conftest import GOLDEN, RULESETS
from tests.helpers import case, compiled, run

SCALE = ("scale sufficiency value yes means sufficient value no means insufficient "
         "value na means not applicable end\n")
BANDS = ("bands improvement band minimum from 75 to 100 band moderate from 60 to 74 "
         "band substantial from 45 to 59 band drastic from 0 to 44 end\n")


def golden():
    ruleset = load_ruleset(str(GOLDEN / "eval" / "framework.rules")).compiled
    cases = load_cases([str(GOLDEN / "eval" / "inspection")], ruleset)
    return evaluate(ruleset, cases.inspection, keep_records=True)


def test_golden_framework_by_hand() -> None:
    """The numbers in tests/golden/eval, worked out by hand from the six cases:
    A1 4/5, A2 3/4 (asked only where A1 is yes), A3 2/3 (custody only), B1 3/5, B2 2/4."""
    evaluation = golden()
    tallies = evaluation.tallies
    assert (tallies["A1"].sufficient, tallies["A1"].applicable, tallies["A1"].not_applicable) \
        == (4, 5, 1)
    assert (tallies["A2"].sufficient, tallies["A2"].applicable, tallies["A2"].does_not_apply) \
        == (3, 4, 2)
    assert (tallies["A3"].sufficient, tallies["A3"].applicable) == (2, 3)
    assert (tallies["B2"].sufficient, tallies["B2"].applicable) == (2, 4)
    score = evaluation.score
    assert (score("A").sufficient, score("A").applicable, score("A").exact) == (9, 12, 75)
    assert score("A").band.label == "minimum"  # exactly on the 75 edge
    assert score("B").exact == Fraction(500, 9) and score("B").band.label == "substantial"
    assert score("safety").exact == Fraction(900, 13)  # pooled A1 + A3 + B1: 9/13
    assert score("safety").band.label == "moderate"
    assert score("worst").exact == Fraction(500, 9)  # lowest of A and B
    assert score("count_a").exact == 9
    assert score("mean").exact == Fraction(1850, 27)  # (2 x 75 + 1 x 500/9) / 3
    assert shown(score("mean"), evaluation.ruleset) == "69%"


def test_pooled_not_mean_of_means() -> None:
    ruleset = compiled('ruleset "T"\n' + SCALE + 'level section "S" scored as proportion '
                       "sufficient of its questions\n"
                       'section S "S" question q1 question q2 end\n')
    # q1: 1 of 1 sufficient (100%); q2: 1 of 3 (33%). Pooled: 2 of 4 = 50%, not 66.7%.
    evaluation = run(ruleset, case("a", q1="yes", q2="yes"), case("b", q1="na", q2="no"),
                     case("c", q1="na", q2="no"))
    assert evaluation.score("S").exact == 50


def test_highest_and_empty_parts() -> None:
    ruleset = compiled('ruleset "T"\n' + SCALE + 'level s "S"\nattribute x yes or no\n'
                       's S "S" question q1 question q2 applies when x is yes end\n'
                       "score best scored as highest of q1, q2\n"
                       "score low scored as lowest of q1, q2\n")
    evaluation = run(ruleset, case("a", {"x": "no"}, q1="no"), case("b", {"x": "no"}, q1="yes"))
    # q2 never applies: no score, and it is skipped, not counted as 0.
    assert evaluation.score("best").exact == 50
    assert evaluation.score("low").exact == 50
    assert dict(evaluation.score("low").parts) == {"q1": 50, "q2": None}


def test_no_applicable_answers_is_no_score() -> None:
    ruleset = compiled('ruleset "T"\n' + SCALE + BANDS + 'level s "S" scored as proportion '
                       'sufficient of its questions banded by improvement\n'
                       's S "S" question q end\n')
    evaluation = run(ruleset, case("a", q="na"))
    result = evaluation.score("S")
    assert (result.exact, result.band, result.applicable) == (None, None, 0)
    assert shown(result, ruleset) == "no score"


def test_rounding_boundary_decides_the_band() -> None:
    text = ('ruleset "T" round half {mode} to whole numbers\n' + SCALE + BANDS
            + 'level s "S" scored as proportion sufficient of its questions banded by '
              'improvement\ns S "S" question q end\n')
    cases = [case(f"c{i}", q="yes") for i in range(149)] + [
        case(f"d{i}", q="no") for i in range(51)]  # 149 of 200: exactly 74.5%
    up = run(compiled(text.format(mode="up")), *cases).score("S")
    assert up.exact == Fraction(149, 2) and up.band.label == "minimum"
    even = run(compiled(text.format(mode="even")), *cases).score("S")
    assert even.band.label == "moderate"
    exact = compiled(text.format(mode="up").replace('ruleset "T"', 'ruleset "T" apply bands to '
                     "exact scores").replace("from 60 to 74", "from 60 to below 75").replace(
        "from 45 to 59", "from 45 to below 60").replace("from 0 to 44", "from 0 to below 45"))
    assert run(exact, *cases).score("S").band.label == "moderate"  # 74.5 is below 75


def hmip_ratings(**overrides: str) -> dict[str, str]:
    ratings = {"1.1": "good", "1.2": "good", "1.3": "outstanding", "1.4": "good",
               "3.4": "requires_improvement", "4.1": "inadequate"}
    ratings.update(overrides)
    return ratings


def hmip_case(case_id: str, disposal: str, answers: dict[str, str]):
    return case(case_id, {"disposal": disposal, "custody": "no"}, **answers)


def hmip_inspection():
    """Court cases: 2.1.x sufficient 4/5, 3/5, 5/5 -> lowest 60% (Requires improvement); the
    other court standards all 5/5 (Outstanding). Out-of-court: 3.1-3.3 all 2/2 (Outstanding)."""
    court = []
    for index in range(5):
        answers = {f"2.{s}.{q}": "yes" for s in (2, 3, 4) for q in (1, 2, 3)}
        answers["2.1.1"] = "yes" if index < 4 else "no"
        answers["2.1.2"] = "yes" if index < 3 else "no"
        answers["2.1.3"] = "yes"
        court.append(hmip_case(f"c{index}", "court", answers))
    out_of_court = [hmip_case(f"o{i}", "out_of_court",
                              {f"3.{s}.{q}": "yes" for s in (1, 2, 3) for q in (1, 2, 3)})
                    for i in range(2)]
    return [*court, *out_of_court]


def test_standards_framework_by_hand() -> None:
    ruleset = load_ruleset(str(RULESETS / "hmip-youth-2018.rules")).compiled
    evaluation = run(ruleset, *hmip_inspection(), ratings=hmip_ratings())
    score = evaluation.score
    assert score("2.1").exact == 60 and score("2.1").band.label == "requires_improvement"
    assert dict(score("2.1").parts) == {"2.1.1": 80, "2.1.2": 60, "2.1.3": 100}
    assert score("2.2").band.label == "outstanding"
    assert score("1.3").band.label == "outstanding" and score("1.3").exact is None
    # Points: 1.x 2+2+3+2 = 9; 2.1 1 + 2.2-2.4 3x3 = 10; 3.1-3.3 3x3 = 9; 3.4 1. 4.1 left out.
    # Twelve standards rated, 3 points each at best: 29 of 36, 80.56% (shown to 2 places).
    overall = score("overall")
    assert (overall.points, overall.maximum, overall.exact) == (29, 36, Fraction(2900, 36))
    assert shown(overall, ruleset) == "80.56%" and overall.band.label == "good"  # 51 to below 85
    assert dict(overall.parts)["2.1"] == 1


def test_a_share_of_points_leaves_out_what_was_not_rated() -> None:
    """A standard with no rating leaves both the points and the maximum: 27 of 33."""
    ruleset = load_ruleset(str(RULESETS / "hmip-youth-2018.rules")).compiled
    ratings = hmip_ratings()
    del ratings["1.2"]  # judged Good (2 points) above; here not judged at all
    overall = run(ruleset, *hmip_inspection(), ratings=ratings).score("overall")
    assert (overall.points, overall.maximum) == (27, 33)
    assert overall.exact == Fraction(2700, 33) and shown(overall, ruleset) == "81.82%"
    assert overall.band.label == "good" and "`1.2`" in overall.note


def test_every_total_bands_as_the_points_bands_did() -> None:
    """With all twelve standards rated, the share bands give the published points bands for
    every total: 0-6 Inadequate, 7-18 Requires improvement, 19-30 Good, 31-36 Outstanding."""
    from ccirules.scoring import band_of

    overall = load_ruleset(str(RULESETS / "hmip-youth-2018.rules")).compiled.score("overall")
    published = {**dict.fromkeys(range(0, 7), "inadequate"),
                 **dict.fromkeys(range(7, 19), "requires_improvement"),
                 **dict.fromkeys(range(19, 31), "good"),
                 **dict.fromkeys(range(31, 37), "outstanding")}
    assert {total: band_of(overall, Fraction(100 * total, 36)).label
            for total in range(37)} == published


def test_sum_of_points_needs_every_part_rated() -> None:
    ruleset = compiled('ruleset "T"\n' + SCALE + 'level s "S" judged directly banded by r\n'
                       's A "A" end s B "B" end\nscore total scored as sum of points of every s\n'
                       "bands r band good from 1 to 1 points 2 band poor from 0 to 0 points 0 end\n"
                       "level q \"Q\" scored as proportion sufficient of its questions\n"
                       'q Q "Q" question q1 end\n')
    total = run(ruleset, case("c", q1="yes"), ratings={"A": "good"}).score("total")
    assert total.exact is None and "`B`" in total.note


def test_groups_of_different_sizes_share_one_band_table() -> None:
    """Two domains of four and two standards, each banded by the share of its own maximum."""
    def standards(domain: int, count: int) -> str:
        return "".join(f's S{domain}{index} "S" end\n' for index in range(count))

    ruleset = compiled(
        'ruleset "T"\n' + SCALE + 'level d "Domain" scored as share of points of its parts '
        "banded by share\nlevel s \"Standard\" within d judged directly banded by rating\n"
        f'd D1 "Four" {standards(1, 4)}end\nd D2 "Two" {standards(2, 2)}end\n'
        "bands rating band good from 1 to 1 points 3 band poor from 0 to 0 points 1 end\n"
        "bands share band high from 50 to 100 band low from 0 to below 50 end\n"
        'level q "Q" scored as proportion sufficient of its questions\nq Q "Q" question q1 end\n')
    ratings = {"S10": "good", "S11": "poor", "S12": "poor", "S13": "poor",  # 6 of 12
               "S20": "good", "S21": "poor"}  # 4 of 6
    evaluation = run(ruleset, case("c", q1="yes"), ratings=ratings)
    assert (evaluation.score("D1").points, evaluation.score("D1").maximum) == (6, 12)
    assert evaluation.score("D1").exact == 50 and evaluation.score("D1").band.label == "high"
    assert evaluation.score("D2").exact == Fraction(200, 3)
    assert evaluation.score("D2").band.label == "high"


def test_limit_caps_the_band() -> None:
    text = (RULESETS / "hmip-youth-2018.rules").read_text().replace(
        "  banded by overall_rating\n",
        "  banded by overall_rating\n  at most requires_improvement when 1.1 is rated inadequate\n")
    ruleset = compiled(text)
    uncapped = run(ruleset, *hmip_inspection(), ratings=hmip_ratings())
    assert uncapped.score("overall").band.label == "good"
    capped = run(ruleset, *hmip_inspection(), ratings=hmip_ratings(**{"1.1": "inadequate"}))
    overall = capped.score("overall")
    assert overall.points == 27 and overall.exact == 75  # the share is what it is...
    assert overall.band.label == "requires_improvement"  # ...but the rating is capped
    assert overall.capped_by is not None


def test_conditions_on_answers_and_attributes() -> None:
    ruleset = compiled('ruleset "T"\n' + SCALE + "attribute age whole number from 10 to 17\n"
                       'level s "S"\ns S "S" question done question on_time applies when done '
                       "is sufficient and age >= 15 end\n")
    evaluation = run(ruleset, case("a", {"age": 16}, done="yes", on_time="no"),
                     case("b", {"age": 14}, done="yes"), case("c", {"age": 16}, done="no"),
                     keep_records=True)
    outcomes = {(r.case, r.question): r.outcome for r in evaluation.records}
    assert outcomes[("a", "on_time")] is Outcome.INSUFFICIENT
    assert outcomes[("b", "on_time")] is Outcome.DOES_NOT_APPLY
    assert outcomes[("c", "on_time")] is Outcome.DOES_NOT_APPLY


def test_unanswered_is_an_error_unless_allowed() -> None:
    ruleset = compiled('ruleset "T"\n' + SCALE + 'level s "S" scored as proportion sufficient '
                       'of its questions\ns S "S" question q1 question q2 end\n')
    strict = run(ruleset, case("a", q1="yes"))
    assert [d.code for d in strict.diagnostics] == ["E405"]
    lenient = run(ruleset, case("a", q1="yes"), allow_unanswered=True)
    assert [d.code for d in lenient.diagnostics] == ["W405"]
    assert lenient.score("S").exact == 100  # q2 left out
    assert lenient.tallies["q2"].unanswered == 1


def test_breakdown_scores_use_each_groups_cases() -> None:
    evaluation = run(*_breakdown(), by="office")
    assert evaluation.breakdown_by == "office"
    north = {group.value: group.scores for group in evaluation.breakdowns}["north"]
    assert next(r for r in north if r.name == "S").exact == 100
    assert [(group.value, group.cases) for group in evaluation.breakdowns] == [
        ("(not recorded)", 1), ("north", 1), ("south", 1)]


def _breakdown():
    ruleset = compiled('ruleset "T"\n' + SCALE + "attribute office text\n" + 'level s "S" '
                       'scored as proportion sufficient of its questions\ns S "S" question q end\n')
    return (ruleset, case("a", {"office": "north"}, q="yes"),
            case("b", {"office": "south"}, q="no"), case("c", q="no"))
