"""`ccirules verify` and the public strategies in `ccirules.testing`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules.api import evaluate, load_cases, load_ruleset
from ccirules.cli import ExitCode, main
from ccirules.testing import broken_records, inspections
from ccirules.verify import verify
from tests.conftest import GOLDEN, ROOT, RULESETS
from tests.test_docs import snippets

BROKEN = GOLDEN / "verify" / "inverted-points.rules"


VERIFIED = [*sorted(RULESETS.glob("*.rules")), GOLDEN / "eval" / "framework.rules"]


@pytest.mark.parametrize("path", VERIFIED, ids=lambda path: path.name)
def test_shipped_rulesets_pass_every_property(path, tmp_path) -> None:
    ruleset = load_ruleset(str(path)).compiled
    results = verify(str(path), ruleset, examples=12, seed=1, folder=str(tmp_path))
    assert [(r.name, r.message) for r in results if not r.passed] == []
    assert not any(tmp_path.iterdir())  # counterexamples are written only on failure


def test_a_score_that_better_work_lowers_is_caught_with_a_counterexample(tmp_path) -> None:
    result = CliRunner().invoke(main, ["verify", str(BROKEN), "--examples", "30",
                                       "--counterexamples", str(tmp_path)])
    assert result.exit_code == ExitCode.GATE_FAILED
    assert "FAILED  a better answer never lowers a score, band or rating" in result.output
    example = tmp_path / "counterexample-monotonicity.yaml"
    assert example.exists()
    # The file is an ordinary case file headed by the property and the finding, as printed, and
    # it shows the problem: improving the answer the finding names lowers the overall score.
    ruleset = load_ruleset(str(BROKEN)).compiled
    cases = load_cases([str(example)], ruleset)
    assert cases.inspection is not None
    before = evaluate(ruleset, cases.inspection).score("overall").exact
    heading = example.read_text().splitlines()[1:3]
    assert heading[0] == "# a better answer never lowers a score, band or rating:"
    note = heading[1]
    assert f"        {note.removeprefix('# ')}\n" in result.output
    assert " lowers overall from " in note
    case_id, question = note.split("case ")[1].split("'s answer to ")
    question = question.split(" ")[0]
    improved = [c if c.id != case_id else type(c)(c.id, c.attributes,
                                                  {**c.answers, question: "yes"}, c.origins,
                                                  c.span)
                for c in cases.inspection.cases]
    after = evaluate(ruleset, type(cases.inspection)(tuple(improved), cases.inspection.judgements,
                                                     ())).score("overall").exact
    assert after < before
    explained = CliRunner().invoke(main, ["explain", str(BROKEN), str(example), "--score",
                                          "overall"])
    assert explained.exit_code == ExitCode.OK and "points" in explained.output


RULESET = load_ruleset(str(RULESETS / "cci-youth-2012.rules")).compiled


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_broken_records_get_the_promised_diagnostic(tmp_path, data) -> None:
    record, code = data.draw(broken_records(RULESET))
    path = tmp_path / "case.json"
    path.write_text(json.dumps(record))
    found = [d.code for d in load_cases([str(path)], RULESET).diagnostics]
    assert code in found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inspection=inspections(RULESET, min_size=1))
def test_generated_inspections_evaluate_without_errors(inspection) -> None:
    evaluation = evaluate(RULESET, inspection)
    assert [d.code for d in evaluation.diagnostics] == []
    assert evaluation.cases == len(inspection.cases)


def test_the_example_in_the_docs_runs_as_written(monkeypatch) -> None:
    """docs/verifying.md's example property, taken from the page and run, so the page cannot
    drift from the API it shows."""
    [example] = [snippet.text for snippet in snippets("verifying.md") if snippet.kind == "python"]
    namespace: dict = {}
    monkeypatch.chdir(ROOT)
    exec(compile(example, "docs/verifying.md", "exec"), namespace)
    prop = namespace["test_a_section_lies_between_its_weakest_and_strongest_criterion"]
    settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])(prop)()
