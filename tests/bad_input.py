"""The bad-input catalogue: every class of bad ruleset and case-file input, what ccirules does
with it, and the check that proves it. docs/bad-input.md is generated from this table
(``pytest --update-golden``); tests/test_bad_input.py runs every check."""

from __future__ import annotations

import codecs
import datetime
import json
import os
from collections.abc import Callable
from pathlib import Path

import attrs
import openpyxl
from click.testing import CliRunner

from ccirules import loaders, reading
from ccirules.api import check_ruleset_file, evaluate, load_cases, load_ruleset
from ccirules.cli import main
from tests.conftest import GOLDEN, RULESETS

FRAMEWORK = GOLDEN / "eval" / "framework.rules"
RULESET = load_ruleset(str(FRAMEWORK)).compiled
GOOD_RULESET = FRAMEWORK.read_text()
GOOD_CSV = (GOLDEN / "eval" / "formats" / "cases.csv").read_text()
GOOD_CASE = {"case": "C1", "setting": "custody", "age": 16, "A1": "yes", "A2": "yes",
             "A3": "yes", "B1": "yes", "B2": "no"}


@attrs.frozen
class Row:
    area: str
    given: str
    outcome: str
    check: Callable[[Path, object], None]  # (tmp_path, monkeypatch)


def _write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def ruleset_codes(folder: Path, content: str | bytes) -> list[str]:
    return [d.code for d in check_ruleset_file(_write(folder, "r.rules", content)).diagnostics]


def case_codes(folder: Path, name: str, content: str | bytes) -> list[str]:
    """Codes from loading a case file and, if it loads, evaluating it."""
    loaded = load_cases([_write(folder, name, content)], RULESET)
    found = [d.code for d in loaded.diagnostics]
    if loaded.inspection is not None:
        found += [d.code for d in evaluate(RULESET, loaded.inspection).diagnostics]
    return found


def workbook(folder: Path, build: Callable) -> str:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cases"
    sheet.append(list(GOOD_CASE))
    sheet.append(list(GOOD_CASE.values()))
    build(book, sheet)
    path = folder / "cases.xlsx"
    book.save(path)
    return str(path)


def xlsx_codes(folder: Path, build: Callable) -> list[str]:
    loaded = load_cases([workbook(folder, build)], RULESET)
    found = [d.code for d in loaded.diagnostics]
    if loaded.inspection is not None:
        found += [d.code for d in evaluate(RULESET, loaded.inspection).diagnostics]
    return found


def run(*args: str):
    return CliRunner().invoke(main, list(args))


# ---- the checks ------------------------------------------------------------------------------

CONSTRUCTS = {
    "ruleset header": 'ruleset version "1"',
    "scale": "scale s value yes means fine end",
    "attribute": "attribute a one of x y",
    "level": "level section within",
    "group": 'level section "S"\nsection 1 "One"\n  question 1.1\n',
    "question": 'question q "Q" applies when',
    "headline": "headline h banded by",
    "score": "score s scored as average of x",
    "band table": "bands b band x from 1 end",
    "condition": 'question q "Q" applies when a = b',
}


def syntax_everywhere(folder, _):
    for construct, text in CONSTRUCTS.items():
        codes = ruleset_codes(folder, 'ruleset "R"\n' + text)
        assert codes and codes[0].startswith("E1"), (construct, codes)


def expect(codes: list[str], *wanted: str) -> None:
    assert all(code in codes for code in wanted), (codes, wanted)


def lines_of_every_kind(folder, _):
    mixed = GOOD_RULESET.replace("\n", "\r\n", 10)
    assert ruleset_codes(folder, mixed) == []
    tabs = GOOD_RULESET.replace("  ", "\t")
    assert ruleset_codes(folder, tabs) == []
    assert case_codes(folder, "c.csv", GOOD_CSV.replace("\n", "\r\n", 3)) == []


def long_lines(folder, _):
    text = GOOD_RULESET.replace('ruleset "Golden test framework"',
                                'ruleset "' + "x" * 100_000 + '"')
    assert ruleset_codes(folder, text) == []
    broken = 'ruleset "R"\nattribute ' + "a" * 50_000 + " one of x, %\n"
    result = run("check", _write(folder, "long.rules", broken))
    assert result.exit_code == 3 and max(len(line) for line in result.output.splitlines()) < 200


def ruleset_files(folder, monkeypatch):
    assert ruleset_codes(folder, b"") == ["E227"]
    expect(ruleset_codes(folder, b"\x89PNG\r\n\x1a\n\x00\x00"), "E101")
    assert ruleset_codes(folder, codecs.BOM_UTF8 + GOOD_RULESET.encode()) == []
    expect(ruleset_codes(folder, GOOD_RULESET.replace("Golden", "Caf\u00e9").encode(
        "latin-1")), "E101")
    expect(ruleset_codes(folder, GOOD_RULESET.encode("utf-16")), "E101")
    assert [d.code for d in check_ruleset_file(str(folder / "nope.rules")).diagnostics] == [
        "E100"]
    assert [d.code for d in check_ruleset_file(str(folder)).diagnostics] == ["E100"]
    monkeypatch.setattr(reading, "MAX_BYTES", 100)
    assert ruleset_codes(folder, GOOD_RULESET) == ["E102"]


def unreadable(folder, monkeypatch):
    path = _write(folder, "locked.rules", GOOD_RULESET)
    real_open = os.open

    def refuse(name, *args, **kwargs):
        if str(name) == path:
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    (diagnostic,) = check_ruleset_file(path).diagnostics
    assert diagnostic.code == "E100" and "Permission denied" in diagnostic.message


def case_values(folder, _):
    def record(**changes):
        return json.dumps({**GOOD_CASE, **changes})
    expect(case_codes(folder, "c.json", record(A9="yes")), "E402")
    expect(case_codes(folder, "c.json", record(A1="maybe")), "E403")
    expect(case_codes(folder, "c.json", record(setting="prison")), "E403")
    expect(case_codes(folder, "c.json", record(age=9)), "E403")
    expect(case_codes(folder, "c.json", record(age="sixteen")), "E403")
    expect(case_codes(folder, "c.json", "[" + record() + ", " + record() + "]"), "E404")
    expect(case_codes(folder, "c.json", record(A2=None)), "E405")
    expect(case_codes(folder, "c.json", record(setting="community")), "W406")
    no_id = {k: v for k, v in GOOD_CASE.items() if k != "case"}
    expect(case_codes(folder, "c.json", json.dumps(no_id)), "E407")
    no_setting = {k: v for k, v in GOOD_CASE.items() if k != "setting"}
    expect(case_codes(folder, "c.json", json.dumps(no_setting)), "E408")


def case_files(folder, monkeypatch):
    for name in ("c.yaml", "c.json", "c.csv", "c.jsonl"):
        expect(case_codes(folder, name, ""), "E411")
    expect(case_codes(folder, "c.csv", b"\x00\x01\x02binary"), "E101")
    assert case_codes(folder, "c.csv", codecs.BOM_UTF8 + GOOD_CSV.encode()) == []
    expect(case_codes(folder, "c.csv", GOOD_CSV.replace("North", "Nor\u00f0").encode(
        "latin-1")), "E101")
    expect(case_codes(folder, "c.yaml", "case: C1\n".encode("utf-16")), "E101")
    expect(case_codes(folder, "c.txt", "case: C1"), "E400")
    expect(case_codes(folder, "c.xlsx", b"PK\x03\x04 not a workbook"), "E401")
    assert [d.code for d in load_cases([str(folder / "none.csv")], RULESET).diagnostics] == [
        "E100"]
    empty = folder / "empty-folder"
    empty.mkdir()
    assert [d.code for d in load_cases([str(empty)], RULESET).diagnostics] == ["E411"]
    monkeypatch.setattr(loaders, "MAX_CASE_FILE_BYTES", 100)
    expect(case_codes(folder, "c.csv", GOOD_CSV), "E102")


def csv_cells(folder, _):
    assert case_codes(folder, "c.csv", GOOD_CSV) == []  # blanks where questions do not apply
    blank = GOOD_CSV.replace("C1,custody,16,North,yes,yes,yes,yes,no",
                             "C1,custody,16,North,yes,,yes,yes,no")
    expect(case_codes(folder, "c.csv", blank), "E405")
    expect(case_codes(folder, "c.csv", "case,,age\nC1,x,16\n"), "E410")
    expect(case_codes(folder, "c.csv", 'case,setting\n"C1,custody\n'), "E401")


def excel_cells(folder, _):
    expect(xlsx_codes(folder, lambda book, sheet: sheet.merge_cells("A1:B1")), "E410")
    expect(xlsx_codes(folder, lambda book, sheet: sheet.merge_cells("D2:E2")), "E405")
    expect(xlsx_codes(folder, lambda book, sheet: sheet.cell(2, 3, "=10+6")), "E408")

    def notes_first(book, sheet):
        notes = book.create_sheet("Notes", 0)
        notes.append(["anything at all, ignored"])
    assert xlsx_codes(folder, notes_first) == []
    expect(xlsx_codes(folder, lambda book, sheet: sheet.cell(2, 4, datetime.date(2012, 3, 1))),
           "E403")
    expect(xlsx_codes(folder, lambda book, sheet: sheet.cell(2, 12, "stray")), "E410")


def yaml_structure(folder, _):
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\ncase: *c\n"
    expect(case_codes(folder, "c.yaml", bomb), "E410")
    expect(case_codes(folder, "c.yaml", "- " + "[" * 5000 + "]" * 5000 + "\n"), "E401")
    expect(case_codes(folder, "c.yaml", "case: C1\n\tsetting: custody\n"), "E401")
    expect(case_codes(folder, "c.yaml", "case: C1\ncase: C2\n"), "E410")


def json_values(folder, _):
    expect(case_codes(folder, "c.json", '{"case": "C1", "case": "C2"}'), "E410")
    expect(case_codes(folder, "c.json", '{"case": "C1", "age": NaN}'), "E401")
    expect(case_codes(folder, "c.json", '{"case": "C1", "age": 1e999}'), "E403")
    expect(case_codes(folder, "c.json", '{"case": "C1", "age": ' + "9" * 5000 + "}"), "E403")
    expect(case_codes(folder, "c.json", "[" * 50_000 + "]" * 50_000), "E410")


def large_files(folder, monkeypatch):
    from ccirules.loaders import stream
    monkeypatch.setattr(stream, "CHUNK_BYTES", 256)  # many chunks, as a large file has
    lines = "".join(json.dumps({**GOOD_CASE, "case": f"C{i}"}) + "\n" for i in range(300))
    path = _write(folder, "big.jsonl", lines)
    result = run("eval", str(FRAMEWORK), path, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["cases"] == 300


def outputs(folder, monkeypatch):
    from ccirules import output
    target = folder / "result.csv"
    target.write_text("previous")
    monkeypatch.setattr(output.os, "replace", _fail)
    result = run("eval", str(FRAMEWORK), str(GOLDEN / "eval" / "inspection"), "--format",
                 "csv", "--output", str(target))
    assert result.exit_code == 3 and target.read_text() == "previous"
    assert sorted(p.name for p in folder.iterdir()) == ["result.csv"]


def _fail(*args):
    raise OSError(28, "No space left on device")


def formula_text(folder, _):
    dangerous = GOOD_RULESET.replace('section A "Assessment"', 'section A "=1+2"').replace(
        'section B "Delivery"', 'section B "@SUM(A1)"')
    rules = _write(folder, "r.rules", dangerous)
    result = run("eval", rules, str(GOLDEN / "eval" / "inspection"), "--format", "csv")
    assert result.exit_code == 0
    cells = [cell for line in result.stdout.splitlines() for cell in line.split(",")]
    assert "'=1+2" in cells and "'@SUM(A1)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def inputs_untouched(folder, _):
    copies = []
    for source in [FRAMEWORK, *sorted((GOLDEN / "eval" / "formats").iterdir()),
                   RULESETS / "hmip-youth-2018.rules"]:
        copy = folder / source.name
        copy.write_bytes(source.read_bytes())
        copies.append(copy)
    before = {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in copies}
    rules, data = str(folder / FRAMEWORK.name), [str(p) for p in copies[1:-1]
                                                 if p.suffix != ".xlsx"]
    tests = folder / "t.tests.yaml"
    tests.write_text(f"ruleset: {FRAMEWORK.name}\ntests:\n  - name: t\n    case_files: "
                     "cases.jsonl\n    expect: {A: {band: minimum}}\n")
    for args in (["check", rules], ["eval", rules, data[0]], ["explain", rules, data[0],
                                                               "--score", "A"],
                 ["test", str(tests)], ["eval", rules, str(folder / "cases.xlsx")],
                 ["verify", rules, "--examples", "2", "--counterexamples", str(folder / "v")]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    assert {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in copies} == before


CATALOGUE = (
    Row("ruleset", "a syntax error in any kind of declaration (header, scale, attribute, level, "
        "group, question, headline, score, band table, condition)",
        "E103-E110 at the exact place, with a hint", syntax_everywhere),
    Row("ruleset", "unknown names, wrong kinds of name, duplicates, values outside a domain, "
        "type mismatches, cycles", "E201-E207, never more than one diagnostic per mistake",
        lambda folder, _: expect(ruleset_codes(folder, 'ruleset "R"\nattribute a one of x\n'
                                               "attribute a text\nscale s value y means "
                                               "sufficient value n means insufficient end\n"
                                               'level g "G"\ng G "G" question q applies when '
                                               "a is z and b > 1 end\n"),
                                 "E201", "E202", "E204")),
    Row("ruleset", "an empty file", "E227: no `ruleset` header", ruleset_files),
    Row("ruleset", "a binary file; a Latin-1 or UTF-16 file", "E101, naming the encoding",
        ruleset_files),
    Row("ruleset", "UTF-8 with a byte-order mark", "read as UTF-8", ruleset_files),
    Row("ruleset", "a missing file, a folder, a file too large (over 4 MiB)", "E100; E102",
        ruleset_files),
    Row("ruleset", "an unreadable file", "E100 with the system's reason", unreadable),
    Row("both", "mixed line endings (CRLF and LF), tabs for indentation",
        "read normally; carets still line up under tabs", lines_of_every_kind),
    Row("both", "very long lines", "read normally; diagnostics show a window of the line",
        long_lines),
    Row("cases", "unknown question or attribute; a value outside a scale or domain; a "
        "repeated case id; a missing answer; an answer where a question does not apply; no "
        "id; a missing attribute that conditions need",
        "E402, E403, E404, E405, W406, E407, E408, each at the key, value, cell or row",
        case_values),
    Row("cases", "an empty file or folder; a binary file; Latin-1 or UTF-16 text; an unknown "
        "extension; a corrupt workbook; a missing path; a file read whole over 64 MiB",
        "E411; E101; E101; E400; E401; E100; E102 (JSON Lines are streamed instead)",
        case_files),
    Row("cases", "UTF-8 CSV with a byte-order mark (as Excel exports)", "read as UTF-8",
        case_files),
    Row("cases", "blank CSV cells", "not recorded: fine where a question does not apply, E405 "
        "where it does; a header with a blank name or a broken quote: E410, E401", csv_cells),
    Row("cases", "Excel: merged cells; formulas; extra sheets; dates where text is expected; "
        "cells outside the named columns",
        "a merged cell's value belongs to its first cell, the rest read blank (E410 in the "
        "header, E405 for answers); a formula reads as the value Excel last calculated (blank "
        "if never calculated); the `Cases` sheet (or the first) is read, others ignored; E403 "
        "for a date; E410 for a stray cell", excel_cells),
    Row("cases", "YAML: alias bombs, deep nesting, tabs, repeated keys",
        "E410 (aliases are refused outright); E401 (nesting beyond the parser's limit, tabs); "
        "E410", yaml_structure),
    Row("cases", "JSON: repeated keys, NaN, numbers too large to be values, deep nesting",
        "E410; E401; E403; E410", json_values),
    Row("cases", "files of hundreds of MB",
        "JSON Lines are streamed in flat memory (52 MB at 150,000 cases, docs/performance.md); "
        "files read whole stop at 64 MiB with E102", large_files),
    Row("outputs", "an output path that cannot be written, or a failure mid-write",
        "exit 3 with the reason; the previous file is untouched; no temporary file is left",
        outputs),
    Row("outputs", "text a spreadsheet would run as a formula (cells starting =, +, -, @) in "
        "CSV output", "prefixed with ' so it is shown, not run. (ccirules writes no Excel "
        "files.)", formula_text),
    Row("all", "every command (check, eval, explain, test, verify) on every kind of input",
        "inputs are never modified: same bytes, same modification time", inputs_untouched),
)


def render_catalogue() -> str:
    lines = ["# Bad input: what ccirules does with it", "",
             "Every class of bad ruleset and case-file input, and what happens. Each row is a "
             "check that the test suite runs (`tests/bad_input.py`); this page is generated "
             "from them (`pytest --update-golden`). Codes are explained in "
             "[errors.md](errors.md).", "",
             "| input | given | what happens | check |", "|---|---|---|---|"]
    for row in CATALOGUE:
        name = row.check.__name__ if row.check.__name__ != "<lambda>" else "inline"
        lines.append(f"| {row.area} | {row.given} | {row.outcome} | `{name}` |")
    return "\n".join(lines) + "\n"
