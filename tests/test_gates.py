"""`eval --expect`: drift from a committed result, in published numbers, bands and limits."""

from __future__ import annotations

from ccirules.gates import drift


def _result(**overall: object) -> dict[str, object]:
    score = {"id": "overall", "display": "22 points", "sufficient": None, "applicable": None,
             "band": {"label": "good"}, "capped_by": None}
    return {"cases": 36, "scores": [{**score, **overall}]}


LIMIT = {"file": "r.rules", "line": 92, "column": 3, "end_line": 92, "end_column": 60}


def test_a_limit_that_starts_or_stops_applying_is_drift_and_keeps_its_mark() -> None:
    limited = _result(band={"label": "requires_improvement"}, capped_by=LIMIT)
    assert drift(limited, _result()) == [
        "overall: 22 points good -> 22 points requires_improvement (limited)"]
    assert drift(_result(band={"label": "requires_improvement"}), limited) == [
        "overall: 22 points requires_improvement (limited) -> 22 points requires_improvement"]


def test_a_limit_that_moved_in_the_ruleset_is_not_drift() -> None:
    moved = {**LIMIT, "line": 95}
    assert drift(_result(capped_by=moved), _result(capped_by=LIMIT)) == []
