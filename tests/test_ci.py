"""What CI reads: JSON on stdout whatever happens, GitHub annotations, JUnit XML that fails when
the run fails, gates in the score's own unit, and results that say when the ruleset changed."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from importlib import resources

import jsonschema
import pytest
from click.testing import CliRunner

from ccirules.annotations import annotation
from ccirules.cli import ExitCode, main
from ccirules.escape import github_data, github_property
from tests.conftest import GOLDEN, ROOT, RULESETS

SCHEMA = json.loads(resources.files("ccirules").joinpath("schemas/result.schema.json")
                    .read_text("utf-8"))
EVAL = GOLDEN / "eval"
FRAMEWORK = str(EVAL / "framework.rules")
HMIP = str(RULESETS / "hmip-youth-2018.rules")
POINTS = str(EVAL / "standards-points.rules")  # the 2018 standards, the overall a sum of points


def run(*args: str):
    return CliRunner().invoke(main, [str(arg) for arg in args])


# ---- JSON on stdout, always -------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["eval", FRAMEWORK, EVAL / "bad" / "E403-value-not-allowed.yaml"],
    ["eval", GOLDEN / "check" / "E202-unknown-name.rules", EVAL / "inspection"],
    ["eval", FRAMEWORK, EVAL / "bad" / "W406-answer-where-not-applicable.yaml", "--strict"],
    ["eval", FRAMEWORK, EVAL / "inspection", "--output", EVAL / "inspection" / "cases.yaml"],
    ["explain", FRAMEWORK, EVAL / "bad" / "E404-duplicate-case.yaml", "--score", "A"],
], ids=["bad-cases", "bad-ruleset", "strict-warning", "output-over-input", "explain"])
def test_invalid_inputs_give_a_json_document_on_stdout(args) -> None:
    result = run(*args, "--format", "json")
    assert result.exit_code == ExitCode.INPUT_INVALID
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    assert document["format"] == "ccirules-diagnostics" and document["errors"] + document[
        "warnings"] == len(document["diagnostics"]) > 0
    if "--output" in args:  # the result is refused a place (E450): nothing is written
        assert [d["code"] for d in document["diagnostics"]] == ["E450"]
    # The same shape as `check --format json`.
    checked = json.loads(run("check", GOLDEN / "check" / "E202-unknown-name.rules", "--format",
                             "json").stdout)
    assert set(document) == set(checked)
    assert set(document["diagnostics"][0]) == set(checked["diagnostics"][0])


def test_results_hold_numbers_as_json_numbers() -> None:
    document = json.loads(run("eval", HMIP, ROOT / "examples" / "hmip-2018", "--format",
                              "json").stdout)
    jsonschema.validate(document, SCHEMA)
    scores = {score["id"]: score for score in document["scores"]}
    assert scores["overall"]["value"] == 61.11 and scores["overall"]["exact"] == "550/9"
    assert scores["2.1"]["value"] == 71 and scores["2.1"]["exact"] == "425/6"
    assert scores["1.1"]["value"] is None and scores["1.1"]["band"]["points"] == 2
    assert all(isinstance(score["exact"], str | None) for score in document["scores"])
    points = json.loads(run("eval", POINTS, ROOT / "examples" / "hmip-2018", "--format",
                            "json").stdout)
    assert next(s for s in points["scores"] if s["id"] == "overall")["value"] == 22


def test_expect_reads_results_of_the_earlier_format() -> None:
    earlier = EVAL / "eval-json.expected.json"
    assert json.loads(earlier.read_text())["format_version"] == 1
    result = run("eval", FRAMEWORK, EVAL / "inspection", "--expect", earlier)
    assert result.exit_code == ExitCode.OK and "differs" not in result.output


def test_expect_refuses_what_is_not_a_result(tmp_path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"format": "ccirules-diagnostics"}')
    result = run("eval", FRAMEWORK, EVAL / "inspection", "--expect", other)
    assert result.exit_code == ExitCode.USAGE_ERROR and "not a ccirules result" in result.output
    result = run("eval", FRAMEWORK, EVAL / "inspection", "--expect-same-ruleset")
    assert result.exit_code == ExitCode.USAGE_ERROR and "needs --expect" in result.output


# ---- gates in the score's unit ----------------------------------------------------------------


@pytest.mark.parametrize(("ruleset", "gate", "words"), [
    (POINTS, "overall=50%", "`overall` is a sum of points, not a percentage: give overall=19"),
    (POINTS, "overall=50", "`overall` is a sum of points from 0 to 36; 50 is outside that"),
    (POINTS, "2.1=65 points", "`2.1` is a percentage, not points: give 2.1=74%"),
    (HMIP, "overall=19 points", "`overall` is a percentage, not points: give overall=74%"),
    (HMIP, "2.1=165", "`2.1` is a percentage from 0% to 100%; 165% is outside that"),
    (HMIP, "1.1=2", "`1.1` is judged directly: it has a rating, not a number"),
    (HMIP, "overall=many", "`many` is not a number"),
])
def test_a_threshold_in_another_unit_is_a_usage_error(ruleset: str, gate: str,
                                                      words: str) -> None:
    result = run("eval", ruleset, ROOT / "examples" / "hmip-2018", "--fail-under", gate)
    assert result.exit_code == ExitCode.USAGE_ERROR and words in result.output, result.output


def test_thresholds_in_their_units_are_compared() -> None:
    passed = run("eval", POINTS, ROOT / "examples" / "hmip-2018", "--fail-under", "overall=22",
                 "--fail-under", "2.1=71%")
    assert passed.exit_code == ExitCode.OK
    failed = run("eval", POINTS, ROOT / "examples" / "hmip-2018", "--fail-under",
                 "overall=23 points")
    assert failed.exit_code == ExitCode.GATE_FAILED
    assert "overall is 22 points, below 23 points" in failed.output
    shares = run("eval", HMIP, ROOT / "examples" / "hmip-2018", "--fail-under", "overall=61.2%")
    assert shares.exit_code == ExitCode.GATE_FAILED
    assert "overall is 61.11%, below 61.2%" in shares.output


# ---- JUnit ------------------------------------------------------------------------------------


def junit(tmp_path, *args: str):
    target = tmp_path / "results.xml"
    result = run("test", GOLDEN / "test" / "thin.tests.yaml", "--junit-xml", target, *args)
    return result, ElementTree.parse(target).getroot()


def test_coverage_below_the_threshold_is_a_failing_test_case(tmp_path) -> None:
    result, root = junit(tmp_path, "--threshold", "90")
    assert result.exit_code == ExitCode.GATE_FAILED
    (suite,) = root
    assert suite.get("failures") == "3" and suite.get("tests") == "4"
    cases = {case.get("name"): case for case in suite}
    failure = cases["coverage: questions answered"].find("failure")
    assert failure.get("message") == "questions answered 1/5 (20%) is below 90%"
    assert failure.text == "missed: A2, A3, B1, B2"
    assert cases["coverage: key-question mappings"].find("failure").text == (
        "missed: A3 -> safety, B1 -> safety")
    assert cases["one question answered"].find("failure") is None


def test_coverage_is_a_test_case_only_with_a_threshold(tmp_path) -> None:
    result, root = junit(tmp_path, "--threshold", "30")
    (suite,) = root
    assert suite.get("failures") == "2"  # questions (20%) and band rows (25%); mappings 33%
    result, root = junit(tmp_path)
    assert result.exit_code == ExitCode.OK
    (suite,) = root
    assert suite.get("failures") == "0" and suite.get("tests") == "1"


# ---- GitHub annotations -----------------------------------------------------------------------


def _unescaped(text: str) -> str:
    return re.sub("%(25|0D|0A|3A|2C)", lambda m: bytes.fromhex(m.group(1)).decode(), text)


def test_annotations_escape_what_would_end_them() -> None:
    line = annotation("error", "50% done\nnext::x", file="a,b:c.rules", line=3,
                      title="E1: x,y")
    assert "\n" not in line and "\r" not in line
    head, message = line.split("::", 2)[1:]
    assert _unescaped(message) == "50% done\nnext::x"
    properties = dict(part.split("=", 1) for part in head.split(" ", 1)[1].split(","))
    assert {key: _unescaped(value) for key, value in properties.items()} == {
        "file": "a,b:c.rules", "line": "3", "title": "E1: x,y"}
    assert github_data("%0A") == "%250A" and github_property("a:b,c") == "a%3Ab%2Cc"
    assert github_data("\x1b]0;x\x07") == "\\x1b]0;x\\x07"  # shown, never sent


def test_verify_failures_are_annotated(tmp_path) -> None:
    broken = GOLDEN / "verify" / "inverted-points.rules"
    result = run("verify", broken, "--examples", "5", "--counterexamples", tmp_path,
                 "--format", "github")
    assert result.exit_code == ExitCode.GATE_FAILED
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert line.startswith(f"::error file={github_property(str(broken))},title=property "
                           "failed%3A a better answer never lowers a score")
    assert "counterexample" in line


def test_warnings_are_annotated_when_the_run_passes() -> None:
    result = run("eval", FRAMEWORK, EVAL / "bad" / "W406-answer-where-not-applicable.yaml",
                 "--format", "github")
    assert result.exit_code == ExitCode.OK
    assert any(line.startswith("::warning file=") and "title=W406::" in line
               for line in result.stdout.splitlines())


# ---- the project's own CI -----------------------------------------------------------------


@pytest.mark.parametrize(("ruleset", "inputs", "name"), [
    ("cci-youth-2012.rules", "examples/northamptonshire-2012/cases", "northamptonshire-2012"),
    ("hmip-youth-2018.rules", "examples/hmip-2018", "hmip-2018")])
def test_the_examples_reproduce_their_committed_results(ruleset, inputs, name) -> None:
    """What .ci/run gates on: regenerate the result (docs/ci.md) when a change is meant."""
    result = run("eval", RULESETS / ruleset, ROOT / inputs, "--expect",
                 ROOT / "examples" / "expected-results" / f"{name}.json",
                 "--expect-same-ruleset")
    assert result.exit_code == ExitCode.OK, result.output


def test_the_pre_commit_hooks_check_and_lay_out_rulesets() -> None:
    import yaml

    hooks = {hook["id"]: hook for hook in
             yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {hook["entry"] for hook in hooks.values()} == {"ccirules check",
                                                          "ccirules fmt --check"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert re.search(hook["files"], "rulesets/cci-youth-2012.rules")
        assert not re.search(hook["files"], "rulesets/cci-youth-2012.tests.yaml")
        # What a hook runs passes on the shipped rulesets (pre-commit adds the file names).
        args = hook["entry"].split()[1:]
        assert run(*args, *sorted(RULESETS.glob("*.rules"))).exit_code == ExitCode.OK
