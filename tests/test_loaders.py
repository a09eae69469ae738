"""Case files: every format reads the same cases; every kind of bad input is a located
diagnostic, never an exception; files are only read."""

from __future__ import annotations

import codecs
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules.api import load_cases, load_ruleset
from ccirules.diagnostics import has_errors
from tests import strategies
from tests.conftest import GOLDEN

RULESET = load_ruleset(str(GOLDEN / "eval" / "framework.rules")).compiled
FORMATS = GOLDEN / "eval" / "formats"
GOOD = {"case": "C1", "setting": "custody", "age": 16, "office": "North", "A1": "yes",
        "A2": "yes", "A3": "yes", "B1": "yes", "B2": "no"}


def load(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return load_cases([str(path)], RULESET)


def codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


@pytest.mark.parametrize("name", ["cases.json", "cases.jsonl", "cases.csv", "cases.xlsx"])
def test_every_format_reads_the_same_cases(name: str) -> None:
    reference = load_cases([str(GOLDEN / "eval" / "inspection")], RULESET).inspection.cases
    other = load_cases([str(FORMATS / name)], RULESET).inspection.cases
    assert [(c.id, dict(c.attributes), dict(c.answers)) for c in other] == [
        (c.id, dict(c.attributes), dict(c.answers)) for c in reference]


def test_yaml_keeps_what_the_inspector_typed(tmp_path) -> None:
    result = load(tmp_path, "c.yaml", "case: 007\nsetting: Custody\nage: '16'\nA1: Yes\n"
                  "A2: YES\nA3: no\nB1: na\nB2: NO\n")
    (case,) = result.inspection.cases
    assert case.id == "007"  # not the number 7
    assert case.attributes == {"setting": "custody", "age": 16}
    assert case.answers == {"A1": "yes", "A2": "yes", "A3": "no", "B1": "na", "B2": "no"}


def test_json_booleans_and_numbers(tmp_path) -> None:
    record = dict(GOOD, A1=True, B2=False, age=16.0)
    (case,) = load(tmp_path, "c.json", json.dumps(record)).inspection.cases
    assert case.answers["A1"] == "yes" and case.answers["B2"] == "no"
    assert case.attributes["age"] == 16


@pytest.mark.parametrize(("name", "content", "code", "line"), [
    ("empty.yaml", "", "E411", 1),
    ("empty.csv", "", "E411", 1),
    ("blank.jsonl", "\n\n", "E411", 1),
    ("bad.json", '{"case": "C1", "age": NaN}', "E401", 1),
    ("bad.json", '{"case": "C1", "A1": "yes", "A1": "no"}', "E410", 1),
    ("bad.json", '{"case": "C1", "age": 1e999}', "E403", 1),
    ("bad.json", '{"case": "C1", "age": ' + "9" * 5000 + "}", "E403", 1),
    ("bad.jsonl", json.dumps(GOOD) + "\n{oops\n", "E401", 2),
    ("bad.yaml", "base: &a [1, 2]\ncase: *a\n", "E410", 2),
    ("bad.yaml", "case: [C1\n", "E401", 2),
    ("bad.yaml", "- " + "[" * 46 + "1" + "]" * 46 + "\n", "E410", 1),
    ("bad.csv", "case,setting,age\nC1,custody,16,extra\n", "E410", 2),
    ("bad.csv", "case,case\nC1,C2\n", "E410", 1),
    ("bad.csv", "case,,age\nC1,x,16\n", "E410", 1),
    ("bad.csv", 'case,setting\n"C1,custody\n', "E401", 2),
    ("bad.csv", "case,setting,age,A1\nC1,custody,sixteen,yes\n", "E403", 2),
    ("bad.csv", "case,setting,age,A1\nC1,custody,\u00b216,yes\n", "E403", 2),  # found by fuzzing
    ("bad.csv", "case,setting,age,A1\nC1,custody,\u0661\u0666,yes\n", "E403", 2),
    ("blank-id.csv", "case,setting,age\n ,custody,16\n", "E407", 2),
])
def test_bad_files_give_located_diagnostics(tmp_path, name, content, code, line) -> None:
    result = load(tmp_path, name, content)
    assert result.inspection is None
    assert code in codes(result)
    diagnostic = next(d for d in result.diagnostics if d.code == code)
    assert diagnostic.span.line == line


@pytest.mark.parametrize(("data", "message"), [
    (codecs.BOM_UTF8 + b"case: C1\nsetting: custody\nage: 16\n", None),
    ("case: Café\n".encode("utf-16"), "UTF-16"),
    ("case: Caf\u00e9\n".encode("latin-1"), "not UTF-8"),
    (b"case: C1\x00\x01\x02", "binary"),
])
def test_encodings(tmp_path, data: bytes, message: str | None) -> None:
    result = load(tmp_path, "c.yaml", data)
    if message is None:
        assert "E101" not in codes(result)
    else:
        assert [d for d in result.diagnostics if d.code == "E101" and message in d.message]


def test_missing_paths_folders_and_unknown_formats(tmp_path) -> None:
    assert codes(load_cases([str(tmp_path / "nope.yaml")], RULESET)) == ["E100"]
    assert codes(load_cases([str(tmp_path)], RULESET)) == ["E411"]  # an empty folder
    assert codes(load(tmp_path, "cases.txt", "case: C1")) == ["E400"]
    broken = load(tmp_path, "cases.xlsx", b"PK\x03\x04 not really a workbook")
    assert codes(broken) == ["E401"]


def test_hidden_files_in_folders_are_skipped(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text("case: C1\nsetting: custody\nage: 16\n" + "".join(
        f"{k}: {v}\n" for k, v in GOOD.items() if k.startswith(("A", "B"))))
    (tmp_path / ".draft.yaml").write_text("this is not valid: [")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.yaml").write_text("nor is this: [")
    result = load_cases([str(tmp_path)], RULESET)
    assert not has_errors(result.diagnostics)
    assert [f.path for f in result.inspection.files] == [str(tmp_path / "a.yaml")]


def test_inputs_are_never_modified(tmp_path) -> None:
    paths = []
    for path in sorted(FORMATS.iterdir()):
        copy = tmp_path / path.name
        copy.write_bytes(path.read_bytes())
        paths.append(copy)
    before = {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in paths}
    load_cases([str(p) for p in paths], RULESET)
    assert {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in paths} == before


TEXT_FORMATS = {name: (FORMATS / name).read_text() for name in
                ("cases.json", "cases.jsonl", "cases.csv")}
TEXT_FORMATS["cases.yaml"] = (GOLDEN / "eval" / "inspection" / "cases.yaml").read_text()


@pytest.mark.parametrize("name", sorted(TEXT_FORMATS))
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_edited_case_files_give_diagnostics_never_exceptions(tmp_path, name, data) -> None:
    text = data.draw(strategies.edited(TEXT_FORMATS[name]))
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    result = load_cases([str(path)], RULESET)
    lines = text.split("\n")
    for diagnostic in result.diagnostics:
        span = diagnostic.span
        if span.source.text:
            assert 1 <= span.line <= len(span.source.text.split("\n"))
    assert result.inspection is not None or has_errors(result.diagnostics)
    assert lines is not None
