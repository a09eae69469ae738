"""`ccirules test`: coverage names what the tests did not reach, in ruleset order; and the
documented test file passes."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from ccirules.cli import ExitCode, main
from ccirules.ruleset_tests import coverage, load_test_file, run_file
from tests.conftest import GOLDEN, ROOT, RULESETS
from tests.test_docs import snippets


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


def test_the_test_file_in_the_docs_passes_beside_the_shipped_ruleset(tmp_path: Path) -> None:
    """docs/ruleset-tests.md's example, taken from the page and run where it says it sits."""
    [example] = [snippet.text for snippet in snippets("ruleset-tests.md") if snippet.kind == "yaml"]
    shutil.copytree(RULESETS, tmp_path / "rulesets")
    shutil.copytree(ROOT / "examples" / "northamptonshire-2012",
                    tmp_path / "examples" / "northamptonshire-2012")
    test_file = tmp_path / "rulesets" / "example.tests.yaml"
    test_file.write_text(example, encoding="utf-8")
    result = CliRunner().invoke(main, ["test", str(test_file)])
    assert result.exit_code == ExitCode.OK, result.output
    assert "2 passed, 0 failed" in result.output
