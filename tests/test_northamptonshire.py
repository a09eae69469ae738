"""The shipped 2012 framework on the Northamptonshire example: the published table and the
counts the report states, worked out by ccirules from the 62 synthetic cases."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from ccirules.api import evaluate, load_cases, load_ruleset
from ccirules.results import shown
from ccirules.trace import Outcome
from tests.conftest import ROOT, RULESETS

EXAMPLE = ROOT / "examples" / "northamptonshire-2012"
RULESET = load_ruleset(str(RULESETS / "cci-youth-2012.rules")).compiled
INSPECTION = load_cases([str(EXAMPLE / "cases")], RULESET).inspection
EVALUATION = evaluate(RULESET, INSPECTION, keep_records=True)

PUBLISHED = {"1.1": ("74%", "moderate"), "1.2": ("75%", "minimum"), "1.3": ("76%", "minimum"),
             "2.1": ("70%", "moderate"), "2.2": ("78%", "minimum"), "2.3": ("87%", "minimum"),
             "3.1": ("71%", "moderate"), "3.2": ("89%", "minimum"), "1": ("75%", "minimum"),
             "2": ("79%", "minimum"), "3": ("75%", "minimum"),
             "safeguarding": ("80%", "minimum"), "risk_of_harm": ("68%", "moderate"),
             "likelihood_of_reoffending": ("76%", "minimum")}


@pytest.mark.parametrize("score", sorted(PUBLISHED))
def test_published_table(score: str) -> None:
    result = EVALUATION.score(score)
    assert (shown(result, RULESET), result.band.label) == PUBLISHED[score]


def counts(question: str, setting: str | None = None) -> tuple[int, int]:
    """(sufficient, applicable) for a question, optionally in custody or community only."""
    settings = {case.id: case.attributes["setting"] for case in INSPECTION.cases}
    outcomes = [r.outcome for r in EVALUATION.records if r.question == question
                and (setting is None or settings[r.case] == setting)]
    return outcomes.count(Outcome.SUFFICIENT), sum(outcome.counted for outcome in outcomes)


@pytest.mark.parametrize(("question", "setting", "expected"), [
    ("1.1.8", None, (22, 24)),       # "An RMP was completed in 22 out of 24 cases where required"
    ("1.3.4", None, (32, 40)),       # "40 cases required a VMP; 32 were completed;
    ("1.3.5", None, (29, 32)),       #  29 were timely;
    ("1.3.6", None, (28, 32)),       #  and 28 were of a sufficient quality"
    ("1.3.8", "custody", (13, 14)),  # "In 13 out of 14 applicable custody cases"
    ("2.3.2", "community", (31, 32)),  # referrals "31 out of 32" in the community
    ("2.3.2", "custody", (7, 7)),    # "all of the seven custody cases where required"
    ("1.1.12", None, (9, 9)),        # nine MAPPA cases, all managed appropriately
])
def test_counts_the_report_states(question, setting, expected) -> None:
    assert counts(question, setting) == expected


def test_the_sample_is_like_the_reports() -> None:
    cases = INSPECTION.cases
    assert len(cases) == 62
    assert Counter(case.attributes["setting"] for case in cases)["custody"] == 16
    assert all(10 <= case.attributes["age"] <= 17 for case in cases)
    assert set(Counter(case.attributes["office"] for case in cases)) == {"Kettering",
                                                                          "Northampton"}
    assert {"referral_order", "detention_and_training_order"} <= {
        case.attributes["sentence"] for case in cases}


def test_the_offices_differ_as_the_commentary_says() -> None:
    by_office = evaluate(RULESET, INSPECTION, by="office")
    section1 = {group.value: next(r for r in group.scores if r.name == "1").exact
                for group in by_office.breakdowns}
    assert abs(section1["Northampton"] - section1["Kettering"]) > 15


def test_the_generator_makes_exactly_the_shipped_cases(tmp_path) -> None:
    spec = importlib.util.spec_from_file_location("make_cases", EXAMPLE / "make_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path / "cases")
    made = {path.name: path.read_text() for path in (tmp_path / "cases").iterdir()}
    shipped = {path.name: path.read_text() for path in (EXAMPLE / "cases").iterdir()}
    assert made == shipped


def test_the_example_is_synthetic_and_says_so() -> None:
    for path in Path(EXAMPLE / "cases").iterdir():
        assert path.read_text().startswith("# Synthetic")
