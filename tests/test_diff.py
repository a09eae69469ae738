"""`ccirules diff`: ruleset changes in the author's terms, and what they do to scores, each
checked against what the two rulesets give when scored on their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccirules.api import evaluate, load_cases
from ccirules.changes import Aspect
from ccirules.diff import Membership, QuestionImpact, Ruleset, Standing, diff, read_ruleset
from ccirules.diff_render import render_markdown
from ccirules.parser import parse
from ccirules.printer import print_clause, print_ruleset
from ccirules.reading import read_source
from ccirules.scoring import shown_value
from tests.conftest import GOLDEN, ROOT

CCI = str(ROOT / "rulesets" / "cci-youth-2012.rules")
HMIP = str(ROOT / "rulesets" / "hmip-youth-2018.rules")
CCI_CASES = str(ROOT / "examples" / "northamptonshire-2012" / "cases")
HMIP_CASES = str(ROOT / "examples" / "hmip-2018")
VARIANTS = GOLDEN / "diff"


def _read(path: str | Path) -> Ruleset:
    ruleset, diagnostics = read_ruleset(str(path))
    assert ruleset is not None, diagnostics
    return ruleset


def _variant(tmp_path: Path, source: str, *edits: tuple[str, str]) -> Ruleset:
    """A copy of a ruleset with each edit made exactly once."""
    text = Path(source).read_text(encoding="utf-8")
    for before, after in edits:
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    path = tmp_path / "variant.rules"
    path.write_text(text, encoding="utf-8")
    return _read(path)


def _line_of(path: str | Path, text: str) -> int:
    """The line of a file where ``text`` first appears."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


@pytest.fixture(scope="module")
def cci() -> Ruleset:
    return _read(CCI)


@pytest.fixture(scope="module")
def cci_run(cci: Ruleset):
    """The Northamptonshire cases scored by the 2012 ruleset alone, with answer records."""
    cases = load_cases([CCI_CASES], cci.compiled)
    return cases.inspection, evaluate(cci.compiled, cases.inspection, keep_records=True)


def test_a_threshold_moved_from_75_to_80_moves_the_scores_published_75_to_79(cci, cci_run):
    result = diff(cci, _read(VARIANTS / "threshold-80.rules"), [CCI_CASES])
    assert [(c.thing, c.name, c.aspect, c.part) for c in result.changes] == [
        ("band table", "improvement", Aspect.BAND_ROW, "minimum"),
        ("band table", "improvement", Aspect.BAND_ROW, "moderate")]
    _, evaluation = cci_run
    published = {r.name: shown_value(cci.compiled.score(r.name), r.exact)
                 for r in evaluation.scores}
    between = {name for name, value in published.items() if 75 <= value <= 79}
    assert between == {"1", "1.2", "1.3", "2", "2.2", "3", "likelihood_of_reoffending"}
    assert {score.name for score in result.band_moves} == between
    assert [score.standing for score in result.scores[:len(between)]] == \
        [Standing.BAND_MOVED] * len(between)
    for score in result.band_moves:
        assert (score.old.band, score.new.band) == ("minimum", "moderate")
        assert score.old.shown == score.new.shown
        assert score.causes == (0, 1)
        assert (score.questions, score.cases) == ((), 0)  # no answer counts differently
    assert not any(score.changed for score in result.scores if score.name not in between)


def test_a_question_moved_between_criteria_leaves_one_and_joins_the_other(cci, cci_run):
    result = diff(cci, _read(VARIANTS / "question-moved.rules"), [CCI_CASES])
    (change,) = result.changes
    assert (change.name, change.aspect, change.old, change.new) == \
        ("1.1.16", Aspect.GROUP, "criterion 1.1", "criterion 2.1")
    _, evaluation = cci_run
    moved = evaluation.tallies["1.1.16"]
    counted = sum(record.outcome.counted for record in evaluation.records
                  if record.question == "1.1.16")
    assert counted == moved.applicable > 0
    scores = {score.name: score for score in result.scores}
    for name, membership, sign in (("1.1", Membership.LEFT, -1), ("2.1", Membership.JOINED, 1),
                                   ("1", Membership.LEFT, -1), ("2", Membership.JOINED, 1)):
        score = scores[name]
        assert score.questions == (QuestionImpact("1.1.16", membership, counted),)
        assert (score.cases, score.causes) == (counted, (0,))
        assert score.new.applicable == score.old.applicable + sign * moved.applicable
        assert score.new.sufficient == score.old.sufficient + sign * moved.sufficient
    # still a key question for risk_of_harm: the headline pools the same answers
    assert not scores["risk_of_harm"].changed and scores["risk_of_harm"].causes == ()
    assert {name for name, score in scores.items() if score.changed} == {"1", "1.1", "2", "2.1"}


def test_a_narrower_condition_changes_the_outcome_of_exactly_the_cases_it_excludes(cci, cci_run):
    result = diff(cci, _read(VARIANTS / "condition-changed.rules"), [CCI_CASES])
    (change,) = result.changes
    assert (change.name, change.aspect) == ("1.2.16", Aspect.APPLIES)
    assert (change.old, change.new) == ("applies when setting is community and age < 17",
                                        "applies when setting is community and age < 16")
    inspection, _ = cci_run
    excluded = sum(case.attributes["setting"] == "community" and case.attributes["age"] == 16
                   and case.answers.get("1.2.16") in ("yes", "no")
                   for case in inspection.cases)
    assert excluded > 0
    changed = {score.name: score for score in result.scores if score.changed}
    assert set(changed) == {"1", "1.2"}  # 1.2.16 is not a key question
    for score in changed.values():
        assert score.questions == (QuestionImpact("1.2.16", Membership.KEPT, excluded),)
        assert score.cases == excluded
        assert score.old.applicable - score.new.applicable == excluded
    assert {d.code for d in result.new.diagnostics} == {"W406"}  # answered, no longer asked
    assert not result.inputs_invalid


def test_a_dropped_key_question_mapping_changes_only_that_headline(cci, tmp_path):
    dropped = _variant(tmp_path, CCI, ("key question for likelihood_of_reoffending, safeguarding",
                                       "key question for likelihood_of_reoffending"))
    inputs = [f"{CCI_CASES}/N0{n}.yaml" for n in range(15, 24)]  # 1.2.14 is answered from N017
    result = diff(cci, dropped, inputs)
    (change,) = result.changes
    assert (change.name, change.aspect, change.old, change.new) == (
        "1.2.14", Aspect.KEY_QUESTIONS, "likelihood_of_reoffending, safeguarding",
        "likelihood_of_reoffending")
    assert change.scores == {"safeguarding"} and not change.counting
    changed = [score for score in result.scores if score.changed]
    assert [score.name for score in changed] == ["safeguarding"]
    (impact,) = changed[0].questions
    assert (impact.question, impact.membership) == ("1.2.14", Membership.LEFT)
    assert changed[0].old.applicable - changed[0].new.applicable == impact.cases > 0


def test_a_level_s_rule_is_one_change_behind_every_group_of_the_level(cci, tmp_path):
    lowest = _variant(tmp_path, CCI, ("  within section\n  scored as proportion sufficient of its "
                                      "questions", "  within section\n  scored as lowest of its "
                                      "questions"))
    result = diff(cci, lowest, [f"{CCI_CASES}/N001.yaml", f"{CCI_CASES}/N002.yaml"])
    (change,) = result.changes
    assert (change.thing, change.name, change.aspect) == ("level", "criterion", Aspect.RULE)
    assert (change.old, change.new) == ("scored as proportion sufficient of its questions",
                                        "scored as lowest of its questions")
    criteria = {"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2"}
    assert change.scores == criteria
    scores = {score.name: score for score in result.scores}
    assert all(scores[name].causes == (0,) and scores[name].cases == 0 for name in criteria)
    assert all(scores[name].new.applicable is None for name in criteria)  # no longer pooled
    assert not any(score.changed for name, score in scores.items() if name not in criteria)


def test_layout_comments_and_order_are_not_changes(cci, tmp_path):
    source = read_source(CCI, kind="rulesets")
    parsed = parse(source).ruleset
    reordered = print_ruleset(type(parsed)(tuple(reversed(parsed.declarations)), parsed.span))
    path = tmp_path / "reprinted.rules"
    path.write_text(reordered, encoding="utf-8")
    assert diff(cci, _read(path)).changes == ()


def test_each_kind_of_change_is_named_in_the_ruleset_s_terms():
    result = diff(_read(HMIP), _read(VARIANTS / "hmip-revised.rules"))
    found = [(c.thing, c.name, c.aspect, c.part, c.within) for c in result.changes]
    assert found == [
        ("ruleset", "", Aspect.ROUNDING, None, None),
        ("attribute", "custody", Aspect.DECLARED, None, None),
        ("domain", "3", Aspect.APPLIES, None, None),
        ("question", "2.1.1", Aspect.TITLE, None, None),
        ("question", "2.4.4", Aspect.DECLARED, None, "standard 2.4"),
        ("score", "overall", Aspect.LIMIT, None, None),
        ("band table", "overall_rating", Aspect.BAND_ROW, "good", None),
        ("band table", "overall_rating", Aspect.BAND_ROW, "requires_improvement", None)]
    rounding, custody, condition, title, added, limit, good, _ = result.changes
    assert (rounding.old, rounding.new) == ("round half up to whole numbers",
                                            "round half even to whole numbers")
    assert (custody.old, custody.new) == (
        'attribute custody "The child was sentenced to custody" yes or no', None)
    assert condition.counting == {f"3.{s}.{q}" for s in (1, 2, 3) for q in (1, 2, 3)}
    assert title.counting == title.membership == title.scores == frozenset()
    assert added.counting == {"2.4.4"}
    assert (limit.old, limit.new, limit.scores) == (
        None, "at most requires_improvement when 2.3 is rated inadequate", {"overall"})
    assert (good.old_span.line, good.new_span.line) == (
        _line_of(HMIP, "from 51 to below 85"),
        _line_of(VARIANTS / "hmip-revised.rules", "from 55 to below 85"))
    assert good.scores == {"overall"}


def test_a_changed_part_is_behind_the_scores_built_from_it(tmp_path):
    """Raising the `rating` table's Good threshold to 68 moves standards 2.2, 3.2 and 3.3 (67%)
    down a band, and with them the overall share of points, through its parts."""
    revised = _variant(tmp_path, HMIP, ("from 65 to 79 points 2", "from 68 to 79 points 2"),
                       ("from 50 to 64 points 1", "from 50 to 67 points 1"))
    result = diff(_read(HMIP), revised, [HMIP_CASES])
    scores = {score.name: score for score in result.scores}
    assert {score.name for score in result.band_moves} == {"2.2", "3.2", "3.3"}
    # the overall is a share of points: 22 of 36 before, 19 of 36 after
    assert (scores["overall"].old.shown, scores["overall"].new.shown) == ("61.11%", "52.78%")
    assert scores["overall"].causes == (0, 1)  # through 2.2, 3.2 and 3.3
    assert scores["1.1"].causes == (0, 1) and not scores["1.1"].changed  # judged, same table


def test_inputs_the_new_ruleset_cannot_read_leave_its_scores_not_computed(cci):
    inputs = [f"{CCI_CASES}/N001.yaml", f"{CCI_CASES}/N002.yaml"]
    result = diff(cci, _read(VARIANTS / "question-renamed.rules"), inputs)
    assert (result.old.cases, result.new.cases) == (2, None)
    assert {d.code for d in result.new.diagnostics} == {"E402"} and not result.old.diagnostics
    assert result.inputs_invalid and result.band_moves == ()
    for score in result.scores:
        assert score.old.missing is None and score.old.shown is not None
        assert score.new.missing == "cannot compute: the inputs could not be read"
        assert score.standing is Standing.NOT_COMPARABLE and score.cases is None


def test_an_unanswered_new_question_leaves_only_the_scores_behind_it_not_computed(cci,
                                                                                   tmp_path):
    added = _variant(tmp_path, CCI, ('    question 1.1.16 "',
                                     '    question 1.1.17 "Was the plan shared?"\n'
                                     '    question 1.1.16 "'))
    inputs = [f"{CCI_CASES}/N001.yaml", f"{CCI_CASES}/N002.yaml"]
    result = diff(cci, added, inputs)
    missing = {score.name: score.new.missing for score in result.scores if score.new.missing}
    assert missing == {"1": "cannot compute: 2 cases have no answer for 1.1.17",
                       "1.1": "cannot compute: 2 cases have no answer for 1.1.17"}
    assert {d.code for d in result.new.diagnostics} == {"E405"} and result.inputs_invalid
    left_out = diff(cci, added, inputs, allow_unanswered=True)
    assert not any(score.changed for score in left_out.scores)
    assert {d.code for d in left_out.new.diagnostics} == {"W405"}
    assert not left_out.inputs_invalid


def test_without_inputs_only_the_rulesets_are_compared(cci):
    result = diff(cci, _read(VARIANTS / "threshold-80.rules"))
    assert len(result.changes) == 2 and result.scores == ()
    assert result.old.cases is None and result.new.cases is None


def test_clauses_are_shown_as_written(cci):
    """Band rows, scale values and attributes of the 2012 ruleset print as their source lines
    read (spaces aside, Welsh titles, on lines of their own, left out)."""
    model = cci.model
    written = [*(band for table in model.bands.values() for band in table.bands),
               *(value for scale in model.scales.values() for value in scale.values),
               *model.attributes]
    for node in written:
        span = node.span
        source = " ".join(" ".join(span.source.line_text(line).split())
                          for line in range(span.line, span.end_line + 1)
                          if not span.source.line_text(line).strip().startswith("welsh"))
        assert print_clause(node) == source


def test_markdown_keeps_titles_in_their_cells(cci, tmp_path):
    odd = _variant(tmp_path, CCI, ('criterion 1.1 "Risk of Harm to others (RoH)"',
                                   'criterion 1.1 "Risk | <b>Harm</b> [to] others"'))
    text = render_markdown(diff(cci, odd, [f"{CCI_CASES}/N001.yaml"]))
    line = _line_of(CCI, "criterion 1.1")
    assert f"- the title of criterion `1.1` changed (line {line} → {line})" in text
    (row,) = [line for line in text.splitlines() if line.startswith("| &nbsp;&nbsp;1.1 ")]
    assert row.replace("\\|", "").count("|") == 5 and "<b>" not in row and "\\[to]" in row
