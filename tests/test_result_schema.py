"""The JSON result format: every output `ccirules eval` writes validates against the schema
shipped in the package."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
from click.testing import CliRunner

from ccirules.cli import main
from tests.conftest import GOLDEN, ROOT, RULESETS

SCHEMA = json.loads(resources.files("ccirules").joinpath("schemas/result.schema.json")
                    .read_text("utf-8"))
EVAL = GOLDEN / "eval"


def test_the_schema_is_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("args", [
    [str(EVAL / "framework.rules"), str(EVAL / "inspection")],
    [str(EVAL / "framework.rules"), str(EVAL / "inspection"), "--by", "office", "--trace"],
    [str(EVAL / "framework.rules"), str(EVAL / "formats" / "cases.jsonl"), "--trace"],
    [str(EVAL / "framework.rules"), str(EVAL / "formats" / "cases.xlsx"), "--trace"],
    [str(EVAL / "framework.rules"), str(EVAL / "bad" / "W406-answer-where-not-applicable.yaml")],
    [str(RULESETS / "hmip-youth-2018.rules"), str(EVAL / "hmip" / "cases.yaml")],
], ids=["plain", "breakdown-and-trace", "json-lines", "excel", "warnings", "standards"])
def test_eval_json_validates(args, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["eval", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    assert document["format_version"] == 2
