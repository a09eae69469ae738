"""The results store: import, eval --store, identity and replacement, transactions, schema
versions, and comparisons whose lowest/highest/average are worked out by hand."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from fractions import Fraction

import pytest
from click.testing import CliRunner

from ccirules import store
from ccirules.cli import main
from tests.conftest import GOLDEN, ROOT
from tests.test_docs import snippets

COMPARATORS = GOLDEN / "report" / "comparators.csv"
FRAMEWORK = "Golden test framework"


@pytest.fixture
def imported(tmp_path) -> str:
    path = str(tmp_path / "results.sqlite")
    assert store.import_csv(str(COMPARATORS), path) == 5
    return path


def test_comparison_by_hand(imported: str) -> None:
    """Golden test framework 1.x, areas X, Y, Z (V is version 2.3, W another framework):
    safety 70, 71, 40 -> lowest 40, highest 71, mean 181/3; A 80, 61, 90 -> 61, 90, 77;
    B 50, 45 (Y has none) -> 45, 50, 95/2."""
    found = store.compare(imported, FRAMEWORK, "1.0", exclude="", where={})
    assert found.inspections == 3
    assert found.column("safety") == (Decimal(40), Decimal(71), Fraction(181, 3), 3)
    assert found.column("A") == (Decimal(61), Decimal(90), Fraction(77), 3)
    assert found.column("B") == (Decimal(45), Decimal(50), Fraction(95, 2), 2)


def test_comparison_where_a_fact_matches(imported: str) -> None:
    """Wales only: X and Y. safety (70 + 71) / 2 = 70.5: half up makes 71 (Python's round, 70)."""
    found = store.compare(imported, FRAMEWORK, "1.4", exclude="", where={"nation": "Wales"})
    assert found.inspections == 2
    assert found.column("safety") == (Decimal(70), Decimal(71), Fraction(141, 2), 2)


def test_other_major_versions_are_not_compared(imported: str) -> None:
    found = store.compare(imported, FRAMEWORK, "2.0", exclude="", where={})
    assert found.inspections == 1 and found.column("safety")[0] == Decimal(99)
    assert store.compare(imported, "No such framework", "1.0", "", {}).inspections == 0


def test_storing_again_replaces(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    path = str(tmp_path / "results.sqlite")
    args = ["eval", "tests/golden/eval/framework.rules", "tests/golden/eval/inspection",
            "--store", path]
    for _ in range(2):
        assert CliRunner().invoke(main, args).exit_code == 0
    stored = store.stored(path)
    assert len(stored) == 1
    assert stored[0].scores["safety"] == (Decimal(69), "moderate")
    assert stored[0].source == "eval" and stored[0].cases == 6
    # the reported inspection is left out of its own comparison
    from ccirules.store import identity
    assert stored[0].identity.startswith('["inputs", "Golden test framework"')
    assert store.compare(path, FRAMEWORK, "1.0", stored[0].identity, {}).inspections == 0
    assert identity("R", {"area": "A", "date": "2020"}) == '["facts", "R", "A", "2020"]'


def test_import_reports_every_problem_and_writes_nothing(tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("area,nation,region,date,ruleset,score,value,band\n"
                   "A,Wales,,2020-13,R 1.0,s,70,\n"
                   ",Wales,,2020,R 1.0,s,70,\n"
                   "B,Wales,,2020,R 1.0,s,seventy,\n"
                   "C,Wales,,2020,R 1.0,s,1,\n"
                   "C,Wales,,2020,R 1.0,s,2,\n"
                   "D,Wales,,2019-02-30,R 1.0,s,-5,\n"
                   "E,Wales,,2020,R 1.0,s,1e3,\n", encoding="utf-8")
    path = str(tmp_path / "results.sqlite")
    with pytest.raises(store.StoreError) as raised:
        store.import_csv(str(bad), path)
    problems = "\n".join(raised.value.problems)
    for expected in ("bad.csv:2: `2020-13` is not a date", "bad.csv:3: `area` is empty",
                     "bad.csv:4: `seventy` is not a published score",
                     "bad.csv:6: score `s` is given",
                     "bad.csv:7: `2019-02-30` is written as a date, but the calendar has no",
                     "bad.csv:7: `-5` is not a published score",
                     "bad.csv:8: `1e3` is not a published score"):
        assert expected in problems
    assert not (tmp_path / "results.sqlite").exists()


def test_import_lacking_columns(tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("area,score,value\nA,s,1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["store", "import", str(bad), "--store",
                                       str(tmp_path / "s.sqlite")])
    assert result.exit_code == 3
    assert "the header lacks ruleset" in result.stderr
    assert "optionally nation, region, date, type, band" in result.stderr


def test_import_without_the_optional_columns(tmp_path) -> None:
    """Facts and bands may be left out of the header, as docs/store.md says they may be empty."""
    lean = tmp_path / "lean.csv"
    lean.write_text("area,ruleset,score,value\nA,R 1.0,s,81.82%\n", encoding="utf-8")
    path = str(tmp_path / "s.sqlite")
    assert store.import_csv(str(lean), path) == 1
    [inspection] = store.stored(path)
    assert inspection.facts == {"area": "A"}
    assert inspection.scores == {"s": (Decimal("81.82"), None)}


def test_import_of_a_file_that_is_not_utf8_says_so(tmp_path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text("area,ruleset,score,value\n", encoding="utf-16")
    with pytest.raises(store.StoreError) as raised:
        store.import_csv(str(wide), str(tmp_path / "s.sqlite"))
    assert str(raised.value).endswith(
        "wide.csv:1:1: this file is UTF-16 text; ccirules reads UTF-8")
    assert list(raised.value.problems) == ["save it again choosing the encoding “UTF-8”"]


def test_import_reads_only_a_regular_file(tmp_path) -> None:
    """A named pipe would hang a plain open(): it is refused, as case files are."""
    import os

    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    with pytest.raises(store.StoreError, match="named pipe"):
        store.import_csv(str(pipe), str(tmp_path / "s.sqlite"))


def test_import_refuses_a_column_it_does_not_know(tmp_path) -> None:
    """A misspelt optional column would be dropped silently, and `date` is part of an
    inspection's identity."""
    typo = tmp_path / "typo.csv"
    typo.write_text("area,regoin,Date,ruleset,score,value\nA,X,2020,R 1.0,s,80\n",
                    encoding="utf-8")
    with pytest.raises(store.StoreError) as raised:
        store.import_csv(str(typo), str(tmp_path / "s.sqlite"))
    assert str(raised.value).endswith("typo.csv: `regoin` is not a column (did you mean "
                                      "`region`?); `Date` is not a column (did you mean `date`?)")
    assert not (tmp_path / "s.sqlite").exists()


def test_a_failed_write_leaves_the_store_as_it_was(imported: str, monkeypatch) -> None:
    before = store.stored(imported)
    document = {"stamp": {"ruleset": {"title": FRAMEWORK, "version": "1.0", "sha256": "x"},
                          "inputs": []}, "inspection": {"area": "Area X", "date": "2020-01"},
                "cases": 1, "scores": [{"id": "s", "kind": "score", "value": "1", "exact": "1",
                                        "sufficient": 1, "applicable": 1, "band": None}] * 2}
    with pytest.raises(store.StoreError):  # the same score twice: the insert fails
        store.save_result(imported, document)
    assert store.stored(imported) == before


def test_schema_version_is_checked(imported: str) -> None:
    connection = sqlite3.connect(imported)
    connection.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    connection.commit()
    connection.close()
    with pytest.raises(store.StoreError, match="schema version 99"):
        store.stored(imported)


def test_not_a_store(tmp_path) -> None:
    other = tmp_path / "other.sqlite"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.close()
    with pytest.raises(store.StoreError, match="not a ccirules results store"):
        store.stored(str(other))
    with pytest.raises(store.StoreError, match="no such store"):
        store.stored(str(tmp_path / "missing.sqlite"))


def test_history(imported: str) -> None:
    result = CliRunner().invoke(main, ["history", imported])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "5 inspections stored"
    assert "Area X" in result.stdout
    as_json = CliRunner().invoke(main, ["history", imported, "--format", "json"])
    assert '"value": "70"' in as_json.stdout


def test_split_ruleset() -> None:
    assert store.split_ruleset("Core Case Inspection 2012.1") == ("Core Case Inspection",
                                                                  "2012.1")
    assert store.split_ruleset("Framework") == ("Framework", None)


def _layout(schema: str) -> dict[str, tuple[list, list, list]]:
    """Each table's columns (name, type, NOT NULL, default, key), foreign keys and indexes."""
    database = sqlite3.connect(":memory:")
    database.executescript(schema)
    tables = [name for (name,) in database.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {table: (database.execute(f"PRAGMA table_info({table})").fetchall(),
                    database.execute(f"PRAGMA foreign_key_list({table})").fetchall(),
                    database.execute(f"PRAGMA index_list({table})").fetchall())
            for table in tables}


def test_the_schema_in_the_docs_is_the_stores() -> None:
    """docs/store.md's schema, run in SQLite, makes exactly the store's tables, columns, keys
    and indexes, so the page people query the store from cannot drift."""
    [documented] = [snippet.text for snippet in snippets("store.md") if snippet.kind == "sql"]
    assert _layout(documented) == _layout(store.SCHEMA)


@pytest.mark.parametrize("kind", ["missing folder", "not a store"])
def test_a_store_eval_cannot_use_is_e450_and_json_stays_json(kind: str, tmp_path) -> None:
    """`eval --store` failing is an output not written (E450, exit 3): with --format json,
    stdout still holds the diagnostics document, as for any other failure."""
    import json

    path = tmp_path / ("nowhere/s.sqlite" if kind == "missing folder" else "notes.sqlite")
    if kind == "not a store":
        path.write_text("my notes", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(ROOT / "rulesets/hmip-youth-2018.rules"),
                                       str(ROOT / "examples/hmip-2018"), "--format", "json",
                                       "--store", str(path)])
    assert result.exit_code == 3
    [problem] = json.loads(result.stdout)["diagnostics"]
    assert (problem["code"], problem["location"]["file"]) == ("E450", str(path))
    assert problem["message"].startswith("the output was not written: the store ")
    assert "the store is unchanged" in problem["hint"]
    assert kind == "not a store" or not path.parent.exists()


def test_a_store_is_never_one_of_the_inputs(tmp_path) -> None:
    """`--store` names an output: naming a case file (here one found in an input folder) is
    E450, and the file is left as it was, as for --output."""
    import shutil

    folder = tmp_path / "inputs"
    shutil.copytree(ROOT / "examples/hmip-2018", folder)
    notes = folder / "notes.yaml"
    notes.write_text("# notes\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(ROOT / "rulesets/hmip-youth-2018.rules"),
                                       str(folder), "--store", str(notes)])
    assert result.exit_code == 3
    assert "error[E450]: the output was not written: it is one of the inputs" in result.output
    assert notes.read_text(encoding="utf-8") == "# notes\n"

