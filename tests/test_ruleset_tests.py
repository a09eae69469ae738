"""`ccirules test` coverage: what the tests did not reach is named, in ruleset order."""

from __future__ import annotations

from ccirules.ruleset_tests import coverage, load_test_file, run_file
from tests.conftest import GOLDEN


def test_coverage_names_every_question_mapping_and_band_row_not_reached() -> None:
    test_file, problems = load_test_file(str(GOLDEN / "test" / "thin.tests.yaml"))
    assert problems == []
    covered = coverage(test_file.ruleset, run_file(test_file))  # one case answers A1 `yes`
    assert covered.questions.missed == ("A2", "A3", "B1", "B2")
    assert covered.mappings.missed == ("A3 -> safety", "B1 -> safety")
    assert covered.band_rows.missed == ("improvement: moderate", "improvement: substantial",
                                        "improvement: drastic")
    for reach in covered.kinds():
        assert set(reach.missed) | reach.reached == set(reach.everything)
        assert not set(reach.missed) & reach.reached
    assert [round(reach.percent) for reach in covered.kinds()] == [20, 33, 25]
