"""`ccirules schema`: the shipped examples validate; every kind of bad case file in the
bad-input catalogue that JSON Schema can express fails; and on generated rulesets the schema
accepts a case exactly when `eval` scores it without errors."""

from __future__ import annotations

import functools
import json
import os
import random
import re
import tempfile

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules.api import check_source, evaluate, load_cases, load_ruleset
from ccirules.case_schema import case_file_schema, integer_pattern
from ccirules.cli import main
from ccirules.compiler import AttributeKind, compile_ruleset
from ccirules.diagnostics import has_errors
from ccirules.facts import date_problem
from ccirules.source import SourceFile
from tests.bad_input import GOOD_CASE
from tests.conftest import GOLDEN, ROOT
from tests.frameworks import frameworks
from tests.helpers import spelled

CCI, HMIP = "rulesets/cci-youth-2012.rules", "rulesets/hmip-youth-2018.rules"
FRAMEWORK = str(GOLDEN / "eval" / "framework.rules")


@functools.cache
def validator(ruleset: str, *options: str) -> jsonschema.Draft202012Validator:
    """The schema `ccirules schema` writes, checked against the draft's meta-schema (once per
    ruleset and options: the suite stays fast)."""
    result = CliRunner().invoke(main, ["schema", ruleset, *options])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize(("ruleset", "folder"), [
    (CCI, "examples/northamptonshire-2012/cases"), (HMIP, "examples/hmip-2018")])
def test_the_shipped_examples_validate(ruleset: str, folder: str) -> None:
    check = validator(str(ROOT / ruleset))
    files = sorted((ROOT / folder).glob("*.yaml"))
    assert files
    for path in files:
        document = yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # as ccirules reads it
        assert not list(check.iter_errors(document)), (path, next(check.iter_errors(document)))


@pytest.mark.parametrize(("ruleset", "files"), [
    (CCI, "examples/northamptonshire-2012/cases/N00*.yaml"), (HMIP, "examples/hmip-2018/*.yaml")])
def test_the_examples_validate_as_yaml_1_1_reads_them(ruleset: str, files: str) -> None:
    """YAML 1.1 loaders read `yes` as true and `16` as 16: the schema takes those too, as eval
    does."""
    check = validator(str(ROOT / ruleset))
    for path in sorted(ROOT.glob(files)):
        document = yaml.safe_load(path.read_text())
        records = document.get("cases", [] if "judgements" in document else [document])
        assert not records or True in records[0].values()
        assert not list(check.iter_errors(document)), (path, next(check.iter_errors(document)))


def test_json_and_json_lines_validate() -> None:
    check = validator(FRAMEWORK)
    formats = GOLDEN / "eval" / "formats"
    check.validate(json.loads((formats / "cases.json").read_text()))
    for line in (formats / "cases.jsonl").read_text().splitlines():
        jsonschema.validate(json.loads(line), {**check.schema, "$ref": "#/$defs/case"})


def test_the_file_is_written_where_asked_and_is_the_same_each_time(tmp_path) -> None:
    target = tmp_path / "cases.schema.json"
    result = CliRunner().invoke(main, ["schema", FRAMEWORK, "-o", str(target)])
    assert result.exit_code == 0 and result.output == ""
    assert target.read_text() == CliRunner().invoke(main, ["schema", FRAMEWORK]).stdout


def _without(key: str) -> dict:
    return {k: v for k, v in GOOD_CASE.items() if k != key}


#: The bad-input catalogue's bad case files (tests/bad_input.py: case_values, yaml_structure,
#: json_values and the loaders' structure rules), each with what eval says, and whether JSON
#: Schema can say it too.
BAD = [
    ("unknown question", {**GOOD_CASE, "A9": "yes"}, "E402", True),
    ("value outside a scale", {**GOOD_CASE, "A1": "maybe"}, "E403", True),
    ("value outside a choice", {**GOOD_CASE, "setting": "prison"}, "E403", True),
    ("number out of range", {**GOOD_CASE, "age": 9}, "E403", True),
    ("digits out of range", {**GOOD_CASE, "age": "18"}, "E403", True),
    ("not a number", {**GOOD_CASE, "age": "sixteen"}, "E403", True),
    ("not a whole number", {**GOOD_CASE, "age": 16.5}, "E403", True),
    ("a number too large to be a value", {**GOOD_CASE, "age": float("inf")}, "E403", True),
    ("missing answer", {**GOOD_CASE, "A2": None}, "E405", True),
    ("blank answer", {**GOOD_CASE, "B1": "  "}, "E405", True),
    ("missing answer of a question applying by an answer",
     _without("A2"), "E405", True),
    ("case without an id", _without("case"), "E407", True),
    ("blank id", {**GOOD_CASE, "case": " "}, "E407", True),
    ("missing attribute a condition uses", _without("setting"), "E408", True),
    ("blank attribute a condition uses", {**GOOD_CASE, "age": ""}, "E408", True),
    ("a case that is not a mapping", ["C1"], "E410", True),
    ("a value that is not single", {**GOOD_CASE, "A1": ["yes"]}, "E410", True),
    ("`cases` not a list", {"cases": GOOD_CASE}, "E410", True),
    ("`judgements` not a mapping", {"cases": [GOOD_CASE], "judgements": ["x"]}, "E410", True),
    ("an unexpected key beside cases", {"cases": [GOOD_CASE], "notes": "x"}, "E410", True),
    ("a judgement of a score not judged", {"cases": [GOOD_CASE], "judgements": {"A": "x"}},
     "E409", True),
    ("a repeated case id", [GOOD_CASE, GOOD_CASE], "E404", False),
    ("no cases at all", [], "E411", False),
]


@pytest.mark.parametrize(("what", "document", "code", "expressible"), BAD,
                         ids=[row[0] for row in BAD])
def test_bad_case_files_fail_where_the_schema_can_say_so(what, document, code, expressible,
                                                         tmp_path) -> None:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(document).replace("Infinity", "1e999"))
    ruleset = load_ruleset(FRAMEWORK).compiled
    loaded = load_cases([str(path)], ruleset)
    found = list(loaded.diagnostics)
    if loaded.inspection is not None:
        found += evaluate(ruleset, loaded.inspection).diagnostics
    assert code in [d.code for d in found] and has_errors(found)
    assert validator(FRAMEWORK).is_valid(document) is not expressible


def test_ratings_must_be_band_labels_of_judged_scores() -> None:
    check = validator(str(ROOT / HMIP))
    assert check.is_valid({"judgements": {"1.1": "Good", "3.4": " outstanding "}})
    assert not check.is_valid({"judgements": {"1.1": "excellent"}})
    assert not check.is_valid({"judgements": {"2.1": "good"}})  # computed, not judged
    assert not check.is_valid({"judgements": {"1.1": None}})


def test_inspection_facts() -> None:
    check = validator(FRAMEWORK)
    assert check.is_valid({"inspection": {"area": "Northamptonshire", "date": "2012-03"}})
    assert check.is_valid({"cases": [GOOD_CASE], "inspection": {"date": 2012, "type": None}})
    for facts in ({"city": "x"}, {"date": "March 2012"}, {"area": "x" * 201},
                  {"area": "two\nlines"}):
        assert not check.is_valid({"inspection": facts}), facts


@settings(max_examples=300, deadline=None)
@given(year=st.integers(0, 9999), month=st.integers(0, 13), day=st.integers(0, 32),
       form=st.sampled_from(["{y:04d}", "{y:04d}-{m:02d}", "{y:04d}-{m:02d}-{d:02d}"]))
def test_the_schemas_dates_are_the_dates_eval_accepts(year: int, month: int, day: int,
                                                      form: str) -> None:
    """One rule (facts.date_problem), which the schema's pattern follows as far as a pattern can:
    29 February is accepted in every year, and eval then refuses it outside leap years."""
    text = form.format(y=year, m=month, d=day)
    accepted = validator(FRAMEWORK).is_valid({"inspection": {"date": text}})
    leap_day = text.endswith("-02-29") and not text.startswith("0000")
    assert accepted == (date_problem(text) is None or leap_day), text


def test_allow_unanswered_accepts_what_eval_allow_unanswered_accepts() -> None:
    assert validator(FRAMEWORK, "--allow-unanswered").is_valid(_without("A2"))
    assert not validator(FRAMEWORK, "--allow-unanswered").is_valid(_without("setting"))


@pytest.mark.parametrize(("low", "high"), [(10, 17), (0, 0), (-5, 3), (None, 16), (17, None),
                                           (None, None), (-120, -7), (1, 1000), (99, 101)])
def test_integer_patterns_match_exactly_the_numbers_in_range(low, high) -> None:
    pattern = re.compile(rf"^(?:{integer_pattern(low, high)})$")
    for number in range(-1100, 1101):
        inside = (low is None or number >= low) and (high is None or number <= high)
        for text in {str(number), f"+{number}" if number >= 0 else str(number),
                     f"00{number}" if number >= 0 else f"-00{-number}"}:
            assert bool(pattern.match(text)) is inside, (low, high, text)
    assert integer_pattern(5, 4) is None


@given(st.integers(-10**16, 10**16), st.integers(-10**16, 10**16), st.integers(-10**17, 10**17))
def test_integer_patterns_hold_for_large_numbers(low, high, number) -> None:
    low, high = min(low, high), max(low, high)
    pattern = re.compile(rf"^(?:{integer_pattern(low, high)})$")
    assert bool(pattern.match(str(number))) is (low <= number <= high)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frameworks(), st.randoms(use_true_random=False))
def test_the_schema_accepts_exactly_what_eval_scores(framework, rng: random.Random) -> None:
    checked = check_source(SourceFile("generated.rules", framework.text))
    ruleset = compile_ruleset(checked.checked)
    schema = json.loads(case_file_schema(ruleset))
    check = jsonschema.Draft202012Validator(schema)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "case.json")
        for _ in range(6):
            record = {"case": "C1"}
            for name, attribute in ruleset.attributes.items():
                if rng.random() < 0.1:
                    continue  # not recorded
                if attribute.kind is AttributeKind.WHOLE_NUMBER:
                    value, kind = rng.randint(attribute.low - 1, attribute.high + 1), "number"
                elif attribute.kind is AttributeKind.TEXT:
                    value, kind = rng.choice(["north", "south", "east"]), "text"
                else:
                    value = rng.choice(attribute.values)
                    kind = "yes or no" if attribute.kind is AttributeKind.YES_OR_NO else "choice"
                record[name] = spelled(value, attribute.values, kind, rng)
            for name in framework.questions:
                declared = tuple(ruleset.question(name).scale.categories)
                if rng.random() < 0.3:
                    continue
                record[name] = spelled(rng.choice(declared), declared, "answer", rng)
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(record, handle)
            loaded = load_cases([path], ruleset)
            found = list(loaded.diagnostics)
            if loaded.inspection is not None:
                found += evaluate(ruleset, loaded.inspection).diagnostics
            assert check.is_valid(record) is not has_errors(found), (record, found)
