"""An inspection's facts: dates the calendar has, in the forms the docs list, checked once for
case files and results stores alike."""

from __future__ import annotations

import pytest

from ccirules.api import load_cases, load_ruleset
from ccirules.facts import date_problem
from tests.conftest import GOLDEN

FRAMEWORK = load_ruleset(str(GOLDEN / "eval" / "framework.rules")).compiled


@pytest.mark.parametrize("text", ["2012", "2012-03", "2012-03-01", "2020-02-29", "0001-01-01",
                                  "9999-12-31"])
def test_dates_in_every_documented_form(text: str) -> None:
    assert date_problem(text) is None


@pytest.mark.parametrize("text", ["2019-02-30", "2019-02-29", "2019-04-31", "0000", "0000-01",
                                  "2019-13", "2019-00", "2019-1-5", "12", "March 2012",
                                  "2012-03-01T10:00", "２０１２"])
def test_dates_the_calendar_has_not_or_written_otherwise(text: str) -> None:
    assert date_problem(text) is not None


def test_an_impossible_inspection_date_is_located_with_the_forms_in_the_hint(tmp_path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text("inspection:\n  date: 2019-02-30\ncases:\n"
                    "  - {case: C1, setting: community, age: 15, A1: yes, A2: yes, B1: yes}\n",
                    encoding="utf-8")
    [problem] = load_cases([str(path)], FRAMEWORK).diagnostics
    assert (problem.code, problem.span.line, problem.span.column) == ("E413", 2, 9)
    assert problem.message == "`2019-02-30` is written as a date, but the calendar has no such day"
    assert "YYYY-MM-DD, YYYY-MM or YYYY" in problem.hint


def test_a_fact_given_differently_by_two_files_points_at_both(tmp_path) -> None:
    case = "  - {case: C%d, setting: community, age: 15, A1: yes, A2: yes, B1: yes}\n"
    for number, area in ((1, "Northamptonshire"), (2, "Leicestershire")):
        (tmp_path / f"c{number}.yaml").write_text(
            f"inspection:\n  area: {area}\ncases:\n" + case % number, encoding="utf-8")
    [problem] = load_cases([str(tmp_path)], FRAMEWORK).diagnostics
    assert (problem.code, problem.span.line, problem.span.column) == ("E413", 2, 9)
    assert problem.message == "`area` is `Leicestershire` here but `Northamptonshire` elsewhere"
    assert [(r.span.line, r.message) for r in problem.related] == [(2, "first given here")]
    assert problem.hint == "an inspection has one of each fact: make them agree, or give it once"
