"""The bad-input catalogue: every class of bad ruleset and case-file input, what ccirules does
with it, and the check that proves it. docs/bad-input.md is generated from this table
(``pytest --update-golden``); tests/test_bad_input.py runs every check.

Each check asserts what its row promises: the diagnostic's code, where it is (file, line and
column, or cell) and its hint, through :func:`one`, which also asserts that the mistake gives
exactly one diagnostic; rows about resources assert the limits (sizes, counts, depths) as well.
Times and memory are measured in benchmarks/hostile_inputs.py, never asserted here.
"""

from __future__ import annotations

import codecs
import datetime
import json
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs
import openpyxl
from click.testing import CliRunner

from ccirules import limits, loaders, output, reading
from ccirules.api import check_ruleset_file, evaluate_files, load_ruleset
from ccirules.checker import conditions
from ccirules.cli import main
from ccirules.diagnostics import Diagnostic
from ccirules.loaders import records, stream, workbooks
from ccirules.parser import MAX_DEPTH
from ccirules.trace import MAX_CONDITIONS, MAX_VALUES
from tests.conftest import GOLDEN, RULESETS

FRAMEWORK = GOLDEN / "eval" / "framework.rules"
RULESET = load_ruleset(str(FRAMEWORK)).compiled
GOOD_RULESET = FRAMEWORK.read_text()
GOOD_CSV = (GOLDEN / "eval" / "formats" / "cases.csv").read_text()
GOOD_CASE = {"case": "C1", "setting": "custody", "age": 16, "A1": "yes", "A2": "yes",
             "A3": "yes", "B1": "yes", "B2": "no"}
HEADER = 'ruleset "R"\n'
SCALE = "scale s value yes means sufficient value no means insufficient end\n"


@attrs.frozen
class Row:
    area: str
    given: str
    outcome: str
    check: Callable[[Path, object], None]  # (tmp_path, monkeypatch)


# ---- helpers ---------------------------------------------------------------------------------


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def at(path: str, text: str, needle: str) -> str:
    """``path:line:column`` of the first ``needle`` in ``text``."""
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return f"{path}:{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def one(diagnostics: Sequence[Diagnostic], code: str, where: str,
        hint: str | None = None) -> Diagnostic:
    """The one diagnostic a mistake gives: its code, its place, and its hint (a part of it)."""
    found = [(d.code, d.span.where, d.message[:80]) for d in diagnostics][:5]
    assert len(diagnostics) == 1, found
    (diagnostic,) = diagnostics
    assert (diagnostic.code, diagnostic.span.where) == (code, where), found
    if hint is not None:
        assert hint in (diagnostic.hint or ""), (diagnostic.hint, hint)
    return diagnostic


def ruleset_diagnostics(folder: Path, content: str | bytes,
                        name: str = "r.rules") -> tuple[str, tuple[Diagnostic, ...]]:
    path = write(folder, name, content)
    return path, check_ruleset_file(path).diagnostics


def errors_of(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity.value == "error"]


def case_diagnostics(folder: Path, name: str, content: str | bytes,
                     ruleset=RULESET) -> tuple[str, tuple[Diagnostic, ...]]:
    """A case file's diagnostics as `eval` finds them (read, validated and evaluated)."""
    path = write(folder, name, content)
    return path, evaluate_files(ruleset, [path], allow_unanswered=True).diagnostics


def record(**changes) -> str:
    return json.dumps({**GOOD_CASE, **changes})


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def workbook(folder: Path, build: Callable, name: str = "cases.xlsx") -> str:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cases"
    sheet.append(list(GOOD_CASE))
    sheet.append(list(GOOD_CASE.values()))
    build(book, sheet)
    path = folder / name
    book.save(path)
    return str(path)


# ---- rulesets --------------------------------------------------------------------------------

#: A syntax mistake in each kind of declaration, and of each kind: the text after the header,
#: the code, the text the diagnostic points at (None: the file's last character, where it
#: ends too soon), and its hint.
SYNTAX = {
    "ruleset header": ('ruleset version "1"', "E105", "version", "text in double quotes"),
    "scale": ("scale s value yes means fine end", "E105", "fine", "`sufficient`"),
    "attribute": ("attribute a one of x y", "E105", "y", 'write "y"'),
    "level": ("level section within", "E105", None, "a name"),
    "group": ('level section "S"\nsection 1 "One"\n  question 1.1\n', "E106", "section 1",
              "add `end`"),
    "question": ('question q "Q" applies when', "E105", None, "a name"),
    "headline": ("headline h banded by", "E105", None, "a name"),
    "score": ("score s scored as average of x", "E105", "average", "`proportion`"),
    "band table": ("bands b band x from 1 end", "E105", "end", "`to`"),
    "condition": ('question q "Q" applies when a = b', "E105", "b", "a number goes here"),
    "a stray character": ("attribute a one of x, %", "E103", "%", "percentages"),
    "an unclosed quote": ('attribute a "Age text', "E104", '"Age', 'closing "'),
    "a stray `end`": ("end", "E107", "end", "remove it"),
    "a clause twice": ('  version "1"\n  version "2"', "E109", 'version "2"', "keep one"),
    "an impossible date": ("  effective from 2012-02-30", "E110", "2012", "YEAR-MONTH-DAY"),
}


def syntax_everywhere(folder, _):
    for construct, (body, code, needle, hint) in SYNTAX.items():
        text = HEADER + body
        path, found = ruleset_diagnostics(folder, text)
        where = at(path, text, needle) if needle else f"{path}:2:{len(body)}"
        assert found, construct
        one(found, code, where, hint)


def nesting_limit(folder, _):
    deep = HEADER + "attribute a yes or no\n" + SCALE + 'level g "G"\ng G "G"\n' + \
        "  question q applies when " + "not " * MAX_DEPTH + "a is yes\nend\n"
    path, found = ruleset_diagnostics(folder, deep)
    assert MAX_DEPTH == 128
    # The first `not` nested deeper than 128 levels (the file, group and question are three).
    one(found, "E108", at(path, deep, "not not not a is"), "split long conditions")


def names_and_types(folder, _):
    text = (HEADER + "attribute a one of x\nattribute a text\n" + SCALE
            + 'level g "G" scored as proportion sufficient of its questions\n'
            + 'g G "G"\n  question q1 applies when a is z\n  question q2 applies when b is yes\n'
            + "  question q3 applies when a > 1\n  question q4 applies when q5 is yes\n"
            + "  question q5 applies when q4 is yes\n  question q6 under a\nend\n"
            + "score s1 scored as lowest of s2\nscore s2 scored as lowest of s1\n")
    path, found = ruleset_diagnostics(folder, text)
    expected = {
        ("E201", at(path, text, "a text")), ("E204", at(path, text, "z\n")),
        ("E202", at(path, text, "b is")), ("E205", at(path, text, "a > 1")),
        ("E206", at(path, text, "q4 applies")), ("E203", at(path, text, "a\nend")),
        ("E207", at(path, text, "s1 scored")),
    }
    assert {(d.code, d.span.where) for d in errors_of(found)} == expected, found
    assert len(errors_of(found)) == len(expected)  # one diagnostic per mistake
    assert all(d.hint for d in found)


def ruleset_files(folder, monkeypatch):
    path, found = ruleset_diagnostics(folder, b"")
    one(found, "E227", f"{path}:1:1", 'start the file with: ruleset')
    path, found = ruleset_diagnostics(folder, b"ruleset\x00 binary")
    one(found, "E101", f"{path}:1:8", "save it again as UTF-8")
    latin = GOOD_RULESET.replace("Golden", "Caf\u00e9")
    path, found = ruleset_diagnostics(folder, latin.encode("latin-1"))
    one(found, "E101", at(path, latin, "\u00e9"), "Latin-1")
    path, found = ruleset_diagnostics(folder, GOOD_RULESET.encode("utf-16"))
    one(found, "E101", f"{path}:1:1", "UTF-8")
    path, found = ruleset_diagnostics(folder, codecs.BOM_UTF8 + GOOD_RULESET.encode())
    assert found == ()


def ruleset_paths(folder, monkeypatch):
    missing = str(folder / "nope.rules")
    one(check_ruleset_file(missing).diagnostics, "E100", f"{missing}:1:1", "check the path")
    one(check_ruleset_file(str(folder)).diagnostics, "E100", f"{folder}:1:1",
        "name a file inside it")
    assert reading.MAX_BYTES == 4 * 1024 * 1024
    path, found = ruleset_diagnostics(folder, "#" * (reading.MAX_BYTES + 1))
    assert "4,194,304" in one(found, "E102", f"{path}:1:1", "not a data file").message


def unreadable(folder, monkeypatch):
    path = write(folder, "locked.rules", GOOD_RULESET)
    real_open = os.open

    def refuse(name, *args, **kwargs):
        if str(name) == path:
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    found = one(check_ruleset_file(path).diagnostics, "E100", f"{path}:1:1", "you may read it")
    assert "Permission denied" in found.message


def numbers_in_rulesets(folder, _):
    digits = "9" * 5000
    group = SCALE + 'level g "G"\ng G "G" question q applies when {} end\n'
    cases = [  # (text after the header, code, the number pointed at, a part of the hint)
        ("attribute age whole number\n" + group.format(f"age > {digits}"), "E111", digits,
         "15 digits"),
        ("attribute age whole number\n" + group.format("age > 1.0000001"), "E111",
         "1.0000001", "6 digits after"),
        ("attribute age whole number from 0 to 9223372036854775808", "E111",
         "9223372036854775808", "15 digits"),
        ("attribute age whole number from 10.5 to 17", "E110", "10.5", "whole number"),
        ("  round half up to 99999999 decimal places", "E111", "99999999", "at most 6"),
    ]
    for body, code, needle, hint in cases:
        text = HEADER + body + "\n"
        path, found = ruleset_diagnostics(folder, text)
        one(errors_of(found), code, at(path, text, needle), hint)
    for written in ('"NaN"', '"Infinity"', '"1e999999999"', '"-inf"', '"\uff19"'):
        text = HEADER + "attribute age whole number from 10 to 17\n" + group.format(
            f"age is {written}")
        path, found = ruleset_diagnostics(folder, text)
        one(errors_of(found), "E205", at(path, text, written), "compare with a number")
    assert (limits.MAX_WHOLE, limits.MAX_DECIMAL_PLACES) == (999_999_999_999_999, 6)


def band_arithmetic(folder, _):
    """Totals at the limits of the numbers, three parts of 333333333333333.333333 points: every
    total is covered exactly, and a gap of one millionth before one is found."""
    def ruleset(middle_top: str) -> str:
        return (HEADER + SCALE + 'level s "S" scored as proportion sufficient of its questions'
                "\n  banded by rating\n"
                + "".join(f's S{i} "S" question Q{i} end\n' for i in range(3))
                + "bands rating band good from 50 to 100 points 333333333333333.333333\n"
                  "  band poor from 0 to below 50 points 0 end\n"
                + "score total scored as sum of points of every s banded by totals\n"
                + "bands totals band top from 666666666666666.666667 to 999999999999999.999999"
                  f"\n  band middle from 333333333333333.333333 to {middle_top}\n"
                  "  band bottom from 0 to 0 end\n")
    assert errors_of(ruleset_diagnostics(folder, ruleset("666666666666666.666666"))[1]) == []
    text = ruleset("666666666666666.666665")
    path, found = ruleset_diagnostics(folder, text)
    gap = one(errors_of(found), "E222", at(path, text, "band top"),
              "start `top` just above where `middle` ends")
    assert gap.message.endswith("covers a total of 666666666666666.666666 points: `middle` "
                                "ends at 666666666666666.666665 and `top` starts at "
                                "666666666666666.666667")
    assert [r.span.where for r in gap.related][:1] == [at(path, text, "band middle")]


def uncarriable_names(folder, _):
    for body, needle, hint in (
            ("attribute case text", "case", "another name"),
            (SCALE + 'level g "G"\ng G "G" question cases end', "cases", "another name"),
            ("attribute judgements yes or no", "judgements", "another name"),
            ('attribute a one of x, " y"', '" y"', 'write it as "y"'),
            ('attribute a one of x, ""', '""', "give the value a name")):
        text = HEADER + body + "\n"
        path, found = ruleset_diagnostics(folder, text)
        one(errors_of(found), "E208", at(path, text, needle), hint)


def _nested(depth: int) -> str:
    """A question under ``depth`` nested groups, each with a condition."""
    levels = "".join(f'level l{i} "L"' + (f" within l{i - 1}" if i else "")
                     + " scored as proportion sufficient of its questions\n"
                     for i in range(depth))
    groups = "".join(f'l{i} G{i} "G" applies when age > {i % 50}\n' for i in range(depth))
    return (HEADER + SCALE + "attribute age whole number from 0 to 99\n" + levels + groups
            + "question q\n" + "end\n" * depth)


def what_check_accepts_runs(folder, _):
    deepest = max(depth for depth in range(60, MAX_DEPTH)
                  if not ruleset_diagnostics(folder, _nested(depth))[1])
    assert deepest >= 96
    rules = write(folder, "deep.rules", _nested(deepest))
    cases = write(folder, "c.jsonl", '{"case": "C1", "age": 98, "q": "yes"}\n'
                  '{"case": "C2", "age": 20}\n')
    for args in (["eval", rules, cases, "--format", "json", "--trace", "--by", "age"],
                 ["eval", rules, cases, "--format", "markdown"],
                 ["explain", rules, cases, "--case", "C2"],
                 ["explain", rules, cases, "--score", f"G{deepest - 1}"]):
        result = run(*args)
        assert result.exit_code == 0 and result.exception is None, (args, result.output)
    assert json.loads(run("eval", rules, cases, "--format", "json", "--trace").stdout)[
        "scores"][-1]["display"] == "100%"
    deeper = _nested(deepest + 1)
    path, found = ruleset_diagnostics(folder, deeper)
    one(found, "E108", at(path, deeper, f"age > {deepest % 50}\nquestion"), "flatten")
    assert MAX_DEPTH + 1 <= MAX_CONDITIONS  # every condition a question can inherit has a code


def ruleset_sizes(folder, _):
    assert (limits.MAX_QUESTIONS, limits.MAX_ATTRIBUTES, limits.MAX_SCORES, limits.MAX_VALUES,
            limits.MAX_NAME_LENGTH, limits.MAX_CONDITION_COMPARISONS) == (
        5_000, 1_000, 1_000, 1_000, 100, 200_000)
    assert limits.MAX_VALUES <= MAX_VALUES  # every value of a scale has a trace code
    many = 'level g "G" scored as proportion sufficient of its questions\ng G "G"\n' + \
        "".join(f"  question q{i}\n" for i in range(limits.MAX_QUESTIONS + 1)) + "end\n"
    text = HEADER + SCALE + many
    path, found = ruleset_diagnostics(folder, text)
    one(errors_of(found), "E111", at(path, text, f"q{limits.MAX_QUESTIONS}\n"), "split")
    values = " ".join(f"value v{i} means insufficient" for i in range(limits.MAX_VALUES))
    text = HEADER + f"scale s value yes means sufficient {values} end\n"
    path, found = ruleset_diagnostics(folder, text)
    one(errors_of(found), "E111", at(path, text, f"v{limits.MAX_VALUES - 1} "), "group")
    text = HEADER + "attribute a" + "b" * limits.MAX_NAME_LENGTH + " text\n"
    path, found = ruleset_diagnostics(folder, text)
    one(errors_of(found), "E111", at(path, text, "ab"), "short name")
    long = " or ".join(["a is yes"] * 100)
    text = HEADER + SCALE + "attribute a yes or no\n" + \
        'level g "G" scored as proportion sufficient of its questions\n' + \
        f'g G "G" applies when {long}\n' + "".join(f"  question q{i}\n" for i in range(2001)) \
        + "end\n"
    path, found = ruleset_diagnostics(folder, text)
    one(errors_of(found), "E111", at(path, text, "q2000\n"), "shorten long conditions")
    assert conditions.MAX_WORK == 5_000_000


def at_the_limits_runs(folder, _):
    text = HEADER + SCALE + 'level g "G" scored as proportion sufficient of its questions\n' \
        + 'g G "G"\n' + "".join(f"  question q{i}\n" for i in range(limits.MAX_QUESTIONS)) \
        + "end\n"
    rules = write(folder, "many.rules", text)
    cases = write(folder, "c.jsonl", json.dumps({"case": "C1", "q0": "yes"}) + "\n")
    result = run("eval", rules, cases, "--format", "json", "--trace", "--allow-unanswered")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert len(document["trace"]["cases"][0]["outcomes"]) == limits.MAX_QUESTIONS
    assert run("explain", rules, cases, "--case", "C1", "--allow-unanswered").exit_code == 0


def lines_of_every_kind(folder, _):
    _, found = ruleset_diagnostics(folder, GOOD_RULESET.replace("\n", "\r\n", 10))
    assert found == ()
    _, found = ruleset_diagnostics(folder, GOOD_RULESET.replace("  ", "\t"))
    assert found == ()
    _, found = case_diagnostics(folder, "c.csv", GOOD_CSV.replace("\n", "\r\n", 3))
    assert found == ()
    path = write(folder, "tabs.rules", HEADER + "\t\tattribute a one of x, %\n")
    shown = run("check", path).output.splitlines()
    assert shown[2].index("%") == shown[3].index("^")  # the caret is under the mistake


def long_lines(folder, _):
    title = GOOD_RULESET.replace('ruleset "Golden test framework"',
                                 'ruleset "' + "x" * 100_000 + '"')
    assert ruleset_diagnostics(folder, title)[1] == ()
    text = HEADER + "attribute " + "a" * 50_000 + " one of x, %\n"
    path, found = ruleset_diagnostics(folder, text)
    assert [d.code for d in errors_of(found)] == ["E103"]
    result = run("check", path)
    assert result.exit_code == 3 and max(len(line) for line in result.output.splitlines()) < 200


# ---- case files ------------------------------------------------------------------------------


def case_values(folder, _):
    no_id = json.dumps({k: v for k, v in GOOD_CASE.items() if k != "case"})
    no_setting = json.dumps({k: v for k, v in GOOD_CASE.items() if k != "setting"})
    mistakes = [  # (file, code, where: the text pointed at or "record", a part of the hint)
        (record(A9="yes"), "E402", '"A9"', "remove it"),
        (record(A1="maybe"), "E403", '"maybe"', "valid answers"),
        (record(setting="prison"), "E403", '"prison"', "valid values"),
        (record(age=9), "E403", "9,", "from 10 to 17"),
        (record(age="sixteen"), "E403", '"sixteen"', "whole number"),
        (record(A2=None), "E405", "record", "--allow-unanswered"),
        (record(setting="community"), "W406", '"yes", "B1"', "condition"),
        (no_id, "E407", "record", "give every case"),
        (no_setting, "E408", "record", "conditions use it"),
    ]
    for text, code, needle, hint in mistakes:
        path = write(folder, "c.json", text)
        found = evaluate_files(RULESET, [path]).diagnostics
        one(found, code, f"{path}:1:1" if needle == "record" else at(path, text, needle), hint)
    text = "[" + record() + ", " + record() + "]"
    path = write(folder, "c.json", text)
    second = text.rindex('"C1"') + 1
    one(evaluate_files(RULESET, [path]).diagnostics, "E404", f"{path}:1:{second}",
        "surrounding spaces")


def case_files(folder, monkeypatch):
    for name in ("c.yaml", "c.json", "c.csv", "c.jsonl"):
        path, found = case_diagnostics(folder, name, "")
        one(found, "E411", f"{path}:1:1", "name the case files")
    empty = folder / "empty-folder"
    empty.mkdir()
    one(evaluate_files(RULESET, [str(empty)]).diagnostics, "E411", f"{empty}:1:1",
        "case files end in")
    path, found = case_diagnostics(folder, "c.csv", b"case,setting\x00\x01")
    one(found, "E101", f"{path}:1:13", "UTF-8")
    latin = GOOD_CSV.replace("North", "Nor\u00f0")
    path, found = case_diagnostics(folder, "c.csv", latin.encode("latin-1"))
    one(found, "E101", at(path, latin, "\u00f0"), "UTF-8")
    path, found = case_diagnostics(folder, "c.yaml", "case: C1\n".encode("utf-16"))
    one(found, "E101", f"{path}:1:1", "UTF-8")
    path, found = case_diagnostics(folder, "c.txt", "case: C1")
    one(found, "E400", f"{path}:1:1", "case files end in")
    path, found = case_diagnostics(folder, "c.xlsx", b"PK\x03\x04 not a workbook")
    one(found, "E401", f"{path}:1:1", "save it again")
    missing = str(folder / "none.csv")
    one(evaluate_files(RULESET, [missing]).diagnostics, "E100", f"{missing}:1:1",
        "check the path")
    assert loaders.MAX_CASE_FILE_BYTES == 64 * 1024 * 1024
    assert case_diagnostics(folder, "c.csv", codecs.BOM_UTF8 + GOOD_CSV.encode())[1] == ()
    monkeypatch.setattr(loaders, "MAX_CASE_FILE_BYTES", 100)
    path, found = case_diagnostics(folder, "c.csv", GOOD_CSV)
    one(found, "E102", f"{path}:1:1", "JSON Lines")


def csv_cells(folder, _):
    assert case_diagnostics(folder, "c.csv", GOOD_CSV)[1] == ()  # blanks where not applicable
    blank = GOOD_CSV.replace("C1,custody,16,North,yes,yes,yes,yes,no",
                             "C1,custody,16,North,yes,,yes,yes,no")
    path = write(folder, "c.csv", blank)
    found = evaluate_files(RULESET, [path]).diagnostics
    one(found, "E405", f"{path}:2:1", "record an answer")
    text = "case,,age\nC1,x,16\n"
    path, found = case_diagnostics(folder, "c.csv", text)
    one(found, "E410", f"{path}:1:6", "name every column")
    text = 'case,setting\n"C1,custody\n'
    path, found = case_diagnostics(folder, "c.csv", text)
    one(found, "E401", f"{path}:2:1", "quotes")


def excel_cells(folder, _):
    def found(build) -> tuple[str, tuple[Diagnostic, ...]]:
        path = workbook(folder, build)
        return path, evaluate_files(RULESET, [path]).diagnostics
    path, diagnostics = found(lambda book, sheet: sheet.merge_cells("A1:B1"))
    one(diagnostics, "E410", f"{path}:Cases!B1", "name every column")
    path, diagnostics = found(lambda book, sheet: sheet.merge_cells("D2:E2"))
    one(diagnostics, "E405", f"{path}:Cases!A2", "record an answer")
    path, diagnostics = found(lambda book, sheet: sheet.cell(2, 3, "=10+6"))
    one(diagnostics, "E408", f"{path}:Cases!A2", "conditions use it")

    def notes_first(book, sheet):
        book.create_sheet("Notes", 0).append(["anything at all, ignored"])
    assert found(notes_first)[1] == ()
    path, diagnostics = found(lambda book, sheet: sheet.cell(2, 4,
                                                             datetime.date(2012, 3, 1)))
    one(diagnostics, "E403", f"{path}:Cases!D2", "format the cell as text")
    path, diagnostics = found(lambda book, sheet: sheet.cell(2, 12, "stray"))
    one(diagnostics, "E410", f"{path}:Cases!L2", "name its column")


def yaml_structure(folder, _):
    text = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\ncase: *c\n"
    path, found = case_diagnostics(folder, "c.yaml", text)
    one(found, "E410", at(path, text, "*a"), "write the values out")
    text = "- " + "[" * 5000 + "]" * 5000 + "\n"
    path, found = case_diagnostics(folder, "c.yaml", text)
    one(found, "E401", f"{path}:1:1002", "indentation")
    text = "case: C1\n\tsetting: custody\n"
    path, found = case_diagnostics(folder, "c.yaml", text)
    one(found, "E401", f"{path}:2:1", "indentation")
    text = "case: C1\ncase: C2\n"
    path, found = case_diagnostics(folder, "c.yaml", text)
    one(found, "E410", f"{path}:2:1", "keep one")


def json_values(folder, _):
    text = '{"case": "C1", "case": "C2"}'
    path, found = case_diagnostics(folder, "c.json", text)
    one(found, "E410", f"{path}:1:16", "keep one")
    text = '{"case": "C1", "age": NaN}'
    path, found = case_diagnostics(folder, "c.json", text)
    one(found, "E401", at(path, text, "NaN"), "no NaN")
    text = "[" * 50_000 + "]" * 50_000
    path, found = case_diagnostics(folder, "c.json", text)
    one(found, "E410", f"{path}:1:2", "for example")
    text = record() + record(case="C2") + "\n"  # two records on one line of JSON Lines
    path, found = case_diagnostics(folder, "c.jsonl", text)
    one(found, "E401", f"{path}:1:{len(record()) + 1}", "missing comma")


def case_numbers(folder, _):
    """The same value in every format gives the same diagnostic, at the value."""
    unbounded = load_ruleset_text(folder, GOOD_RULESET.replace("whole number from 10 to 17",
                                                               "whole number"))
    for value, hint in (("9" * 5000, "15 digits"), ("9223372036854775808", "15 digits"),
                        ("1e999", "whole number"), ("1.5", "whole number"),
                        ("\uff19", "whole number"), ("TRUE", "whole number")):
        quoted = value if value[0] in "0123456789" else f'"{value}"'  # JSON's spelling
        record_text = f'{{"case": "C1", "setting": "custody", "age": {quoted}}}'
        for name, text, written in (
                ("c.json", record_text, quoted), ("c.jsonl", record_text + "\n", quoted),
                ("c.csv", f"case,setting,age\nC1,custody,{value}\n", value),
                ("c.yaml", f"case: C1\nsetting: custody\nage: {value}\n", value)):
            path, found = case_diagnostics(folder, name, text, unbounded)
            one(errors_of(found), "E403", at(path, text, written[:3]), hint)


def load_ruleset_text(folder: Path, text: str):
    return load_ruleset(write(folder, "unbounded.rules", text)).compiled


def special_files(folder, _):
    fifo = folder / "pipe.csv"
    os.mkfifo(fifo)
    zero = folder / "zero.jsonl"
    zero.symlink_to("/dev/zero")
    for path in (fifo, zero, folder / "zero.xlsx", folder / "zero.csv"):
        if not path.exists() and not path.is_symlink():
            path.symlink_to("/dev/zero")
        kind = "a named pipe (FIFO)" if path == fifo else "a device"
        found = one(evaluate_files(RULESET, [str(path)]).diagnostics, "E100", f"{path}:1:1",
                    "never pipes or devices")
        assert kind in found.message
    rules_fifo = folder / "pipe.rules"
    os.mkfifo(rules_fifo)
    one(check_ruleset_file(str(rules_fifo)).diagnostics, "E100", f"{rules_fifo}:1:1",
        "never pipes")
    tests_fifo = folder / "pipe.tests.yaml"
    os.mkfifo(tests_fifo)
    result = run("test", str(tests_fifo))
    assert result.exit_code == 3 and "named pipe" in result.output
    result = run("eval", str(FRAMEWORK), str(GOLDEN / "eval" / "formats" / "cases.csv"),
                 "--expect", str(fifo))
    assert result.exit_code == 2 and "named pipe" in result.output
    linked = folder / "linked.csv"
    linked.symlink_to(GOLDEN / "eval" / "formats" / "cases.csv")
    assert evaluate_files(RULESET, [str(linked)]).diagnostics == ()


def excel_dimensions(folder, monkeypatch):
    path = workbook(folder, lambda book, sheet: sheet.cell(1_048_576, 16_384, "far"))
    assert os.path.getsize(path) < 10_000
    found = one(evaluate_files(RULESET, [path]).diagnostics, "E102",
                f"{path}:Cases!XFD1048576", "Ctrl+End")
    assert "17,179,869,184 cells" in found.message
    assert limits.MAX_FILE_VALUES == 1_000_000
    assert workbooks.MAX_INFLATED_BYTES == 256 * 1024 * 1024
    monkeypatch.setattr(workbooks, "MAX_INFLATED_BYTES", 2_000)
    path = workbook(folder, lambda book, sheet: None)
    one(evaluate_files(RULESET, [path]).diagnostics, "E102", f"{path}:1:1", "JSON Lines")


def many_problems(folder, monkeypatch):
    assert records.MAX_PROBLEMS_PER_FILE == 100
    header = "case," + ",".join(f"X{i}" for i in range(200_001))
    path, found = case_diagnostics(folder, "wide.csv", header + "\nC1" + ",y" * 200_001
                                   + "\nC2" + ",y" * 200_001 + "\n")
    assert [d.code for d in found].count("E402") == 100  # each column once, at its header
    assert all(d.span.line == 1 for d in found if d.code == "E402")
    summary = one([d for d in found if d.code == "E412"], "E412", f"{path}:1:1",
                  "fix the problems listed")
    # 200,001 unknown columns, and two rows that do not say their setting and age: 200,005.
    assert summary.message.startswith("199,905 more problems")
    rows = "case,setting,age\n" + "".join(f"C{i},prison,16\n" for i in range(1_000))
    path, found = case_diagnostics(folder, "rows.csv", rows)
    assert [d.code for d in found].count("E403") == 100 and len(found) == 101
    assert one([d for d in found if d.code == "E412"], "E412", f"{path}:1:1",
               "fix").message.startswith("900 more")


def big_documents(folder, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_VALUES", 1_000)
    for module in ("ccirules.loaders.documents", "ccirules.loaders.json_positions",
                   "ccirules.loaders.tables"):
        monkeypatch.setattr(f"{module}.MAX_FILE_VALUES", 1_000)
    for name, text, where in (
            ("c.json", "[" + ", ".join(["0"] * 2_000) + "]", "1:2999"),
            ("c.yaml", "- 0\n" * 2_000, "1000:3"),
            ("c.csv", "case,setting,age\n" + "".join(f"C{i},custody,16\n"
                                                     for i in range(2_000)), "334:1")):
        path, found = case_diagnostics(folder, name, text)
        assert "1,000 values" in one(found, "E102", f"{path}:{where}", "JSON Lines").message
    monkeypatch.setattr(stream, "MAX_LINE_BYTES", 1_000)
    monkeypatch.setattr(stream, "CHUNK_BYTES", 100)
    text = record() + "\n" + '{"case": "' + "x" * 5_000 + '"}\n'
    path, found = case_diagnostics(folder, "c.jsonl", text)
    one(found, "E102", f"{path}:2:1", "one case per line")


def spreadsheet_exports(folder, _):
    text = GOOD_CSV.replace("yes", "TRUE").replace(",no", ",false")
    path = write(folder, "booleans.csv", text)
    same = evaluate_files(RULESET, [str(GOLDEN / "eval" / "formats" / "cases.csv")])
    booleans = evaluate_files(RULESET, [path])
    assert booleans.diagnostics == () and booleans.scores == same.scores
    text = "case, setting ,age\n X1 ,custody,16\nX1, custody ,16\n"
    path = write(folder, "padded.csv", text)
    found = [d for d in evaluate_files(RULESET, [path], allow_unanswered=True).diagnostics
             if d.code != "W405"]
    one(found, "E404", f"{path}:3:1", "`X1 ` is `X1`")


def large_files(folder, monkeypatch):
    monkeypatch.setattr(stream, "CHUNK_BYTES", 256)  # many chunks, as a large file has
    lines = "".join(json.dumps({**GOOD_CASE, "case": f"C{i}"}) + "\n" for i in range(300))
    path = write(folder, "big.jsonl", lines)
    result = run("eval", str(FRAMEWORK), path, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["cases"] == 300


# ---- outputs ---------------------------------------------------------------------------------


def outputs(folder, monkeypatch):
    target = folder / "result.csv"
    target.write_text("previous")
    monkeypatch.setattr(output.os, "replace", _fail)
    result = run("eval", str(FRAMEWORK), str(GOLDEN / "eval" / "inspection"), "--format",
                 "csv", "--output", str(target))
    assert result.exit_code == 3 and "error[E450]" in result.output
    assert f"{target}:1:1" in result.output and "No space left" in result.output
    assert target.read_text() == "previous"
    assert sorted(p.name for p in folder.iterdir()) == ["result.csv"]


def _fail(*args):
    raise OSError(28, "No space left on device")


def output_targets(folder, _):
    cases = folder / "cases.csv"
    cases.write_text(GOOD_CSV)
    before = cases.read_bytes()
    hard = folder / "hard.csv"
    os.link(cases, hard)
    fifo = folder / "out.fifo"
    os.mkfifo(fifo)
    for target, reason in ((cases, "one of the inputs"), (hard, "one of the inputs"),
                           (FRAMEWORK, "one of the inputs"), (fifo, "named pipe"),
                           (Path("/dev/null"), "a device")):
        result = run("eval", str(FRAMEWORK), str(cases), "--output", str(target))
        assert result.exit_code == 3, result.output
        assert f"{target}:1:1: error[E450]" in result.output and reason in result.output
    assert cases.read_bytes() == before and stat.S_ISFIFO(os.stat(fifo).st_mode)
    kept = folder / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o640)
    link = folder / "link.txt"
    link.symlink_to(kept)
    assert run("eval", str(FRAMEWORK), str(cases), "--output", str(link)).exit_code == 0
    assert link.is_symlink() and kept.read_text().startswith("Golden test framework")
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o640
    mask = os.umask(0o027)
    try:
        assert run("eval", str(FRAMEWORK), str(cases), "-o", str(folder / "new.txt")).exit_code \
            == 0
    finally:
        os.umask(mask)
    assert stat.S_IMODE(os.stat(folder / "new.txt").st_mode) == 0o640
    tests = folder / "t.tests.yaml"
    tests.write_text(f"ruleset: {FRAMEWORK}\ntests:\n  - name: t\n    case_files: cases.csv\n"
                     "    expect: {}\n")
    result = run("test", str(tests), "--junit-xml", str(tests))
    assert result.exit_code == 3 and "E450" in result.output
    assert not any(name.startswith(".ccirules-") for name in os.listdir(folder))


def injections(folder, _):
    dangerous = GOOD_RULESET.replace('section A "Assessment"', 'section A "=1+2"').replace(
        'section B "Delivery"', 'section B "@SUM(A1) | [link](x) <b>"')
    rules = write(folder, "r.rules", dangerous)
    inspection = str(GOLDEN / "eval" / "inspection")
    result = run("eval", rules, inspection, "--format", "csv")
    assert result.exit_code == 0
    cells = [cell for line in result.stdout.splitlines() for cell in line.split(",")]
    assert "'=1+2" in cells and "'@SUM(A1) | [link](x) <b>" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    markdown = run("eval", rules, inspection, "--format", "markdown").stdout
    assert "B @SUM(A1) \\| \\[link](x) &lt;b>" in markdown

    workbook = folder / "template.xlsx"
    assert run("template", rules, "-o", str(workbook)).exit_code == 0
    titles = [cell for row in openpyxl.load_workbook(workbook)["Cases"].iter_rows()
              for cell in row if isinstance(cell.value, str) and "SUM(A1)" in cell.value]
    assert titles and all(cell.data_type == "s" for cell in titles)

def control_characters(folder, _):
    text = GOOD_RULESET.replace('section A "Assessment"', 'section A "Assess\rment\x1b]0;x\x07"')
    path, found = ruleset_diagnostics(folder, text)
    one(found, "E103", at(path, text, "\r"), "control characters")
    for value in ("C1\x1b]0;x\x07", "C\u202e1", "C\u20281"):
        text = record(case=value)
        path, found = case_diagnostics(folder, "c.json", text)
        one(found, "E403", at(path, text, json.dumps(value)), "control characters")
        path, found = case_diagnostics(folder, "c.jsonl", text + "\n")
        one(found, "E403", at(path, text, json.dumps(value)), "control characters")
    evil = folder / "evil\x1b]0;x\x07"
    evil.mkdir()
    (evil / "c.csv").write_text("case,setting\nC9,prison\n")
    result = run("eval", str(FRAMEWORK), str(evil))
    assert "evil\\x1b]0;x\\x07" in result.output and "\x1b" not in result.output


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
                 ["verify", rules, "--examples", "2", "--counterexamples", str(folder / "v")],
                 ["diff", rules, rules, data[0]],
                 ["template", rules, "-o", str(folder / "t.xlsx")], ["schema", rules]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    assert {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in copies} == before


def fuzzed(folder, _):
    from tests import fuzz

    assert fuzz.run_inline(runs=4, seed_number=11) == []


# ---- the catalogue ---------------------------------------------------------------------------

CATALOGUE = (
    Row("ruleset", "a syntax error in any kind of declaration (header, scale, attribute, level, "
        "group, question, headline, score, band table, condition), and each kind of slip (a "
        "stray character, an unclosed quote, a stray `end`, a clause twice, an impossible "
        "date)", "one diagnostic, E103-E110, at the exact line and column, with a hint",
        syntax_everywhere),
    Row("ruleset", "groups, parentheses or `not` nested deeper than 128 levels",
        "E108 where the nesting passes the limit", nesting_limit),
    Row("ruleset", "duplicates, unknown names, wrong kinds of name, values outside a domain, "
        "type mismatches, cycles among conditions and among scores",
        "E201-E207, one diagnostic per mistake, each at the name or value", names_and_types),
    Row("ruleset", "an empty file; a binary file; a Latin-1 or UTF-16 file; UTF-8 with a "
        "byte-order mark", "E227; E101 at the first NUL byte (a binary file); E101 at the "
        "first byte that is not UTF-8 (Latin-1) or at 1:1 (UTF-16), naming the encoding; read "
        "as UTF-8", ruleset_files),
    Row("ruleset", "a missing file, a folder, a file over 4 MiB", "E100; E100; E102, before "
        "the file is read", ruleset_paths),
    Row("ruleset", "an unreadable file", "E100 with the system's reason", unreadable),
    Row("ruleset", "numbers of any size or form wherever a number goes: 5,000 digits, more "
        "than 6 decimal places, a bound beyond 64 bits, `round ... to 99999999 decimal "
        "places`, a bound that is not whole; `NaN`, `Infinity`, `1e999999999` or a full-width "
        "digit compared with a whole number",
        "E111 (numbers have at most 15 digits before the point and 6 after; 0 to 6 decimal "
        "places) or E110/E205, one diagnostic at the number, the limit in the hint",
        numbers_in_rulesets),
    Row("ruleset", "sums of points at the limits of the numbers (fifteen digits and six "
        "decimal places)", "band coverage is exact: a gap of one millionth is E222, no gap is "
        "none", band_arithmetic),
    Row("ruleset", "a question or attribute named `case`, `cases` or `judgements`; a value "
        "that is blank or has spaces around it", "E208 at the name or value (no case file "
        "could carry it)", uncarriable_names),
    Row("ruleset", "a question under the deepest nesting the parser accepts (over 96 groups), "
        "each group with a condition", "check passes, and eval (with --trace and --by), "
        "explain and test run; one level deeper is E108", what_check_accepts_runs),
    Row("ruleset", "more than 5,000 questions, 1,000 attributes, 1,000 scores or 1,000 values "
        "in a scale, choice or band table; names over 100 characters; conditions holding "
        "more than 200,000 comparisons, a group's counted once per question in it",
        "E111 at the first declaration beyond the limit; the satisfiability check (W301) "
        "judges at most 5,000,000 comparisons", ruleset_sizes),
    Row("ruleset", "a ruleset at the limits: 5,000 questions", "eval --trace and explain run",
        at_the_limits_runs),
    Row("both", "mixed line endings (CRLF and LF), tabs for indentation",
        "read normally; carets still line up under tabs", lines_of_every_kind),
    Row("both", "very long lines", "read normally; diagnostics show a window of the line, "
        "read without copying the line", long_lines),
    Row("cases", "unknown question or attribute; a value outside a scale or domain; a "
        "repeated case id; a missing answer; an answer where a question does not apply; no "
        "id; a missing attribute that conditions need",
        "E402, E403, E404, E405, W406, E407, E408, one each, at the key, value or record, "
        "with a hint", case_values),
    Row("cases", "an empty file or folder; a binary file; Latin-1 or UTF-16 text; an unknown "
        "extension; a corrupt workbook; a missing path; a file read whole over 64 MiB; UTF-8 "
        "with a byte-order mark", "E411; E101 at the first NUL byte; E101 at the first byte "
        "that is not UTF-8, or at 1:1 (UTF-16); E400; E401; E100; E102 (JSON Lines are "
        "streamed instead); read as UTF-8", case_files),
    Row("cases", "blank CSV cells; a header with a blank name; a broken quote",
        "not recorded: fine where a question does not apply, E405 where it does; E410 at the "
        "header cell; E401 at the row", csv_cells),
    Row("cases", "Excel: merged cells; formulas; extra sheets; dates where text is expected; "
        "cells outside the named columns",
        "a merged cell's value belongs to its first cell, the rest read blank (E410 in the "
        "header, E405 for answers); a formula reads as the value Excel last calculated (blank "
        "if never calculated); the `Cases` sheet (or the first) is read, others ignored; E403 "
        "at a date's cell; E410 at a stray cell", excel_cells),
    Row("cases", "YAML: alias bombs, deep nesting, tabs, repeated keys",
        "E410 at the first alias (aliases are refused before anything is expanded); E401 "
        "where nesting passes the parser's limit, and at a tab; E410 at the repeat",
        yaml_structure),
    Row("cases", "JSON: repeated keys, NaN, deep nesting; JSON Lines: two records on one line",
        "E410 at the repeat; E401 at NaN, with a hint; nesting is read without recursion, "
        "then E410; E401 at the second record", json_values),
    Row("cases", "whole numbers of any size or form: 5,000 digits, 2^63, 1e999, 1.5, a "
        "full-width digit, TRUE", "E403 at the value in every format (JSON Lines' fast "
        "decoder too): at most 999,999,999,999,999, or not a whole number", case_numbers),
    Row("cases", "a named pipe, or a link to /dev/zero, as a case file of any format, a "
        "ruleset, a test file or --expect; a link to a regular file",
        "E100 (a usage error for --expect) naming what it is, without reading it; the link "
        "to a file is read", special_files),
    Row("cases", "a 5 KB workbook with a cell at XFD1048576; a workbook inflating beyond "
        "256 MiB", "E102 at that cell (sheets hold at most 1,000,000 cells from A1), and "
        "E102, both before the workbook is loaded", excel_dimensions),
    Row("cases", "a CSV header of 200,001 unknown columns; a mistake on every row",
        "the first 100 problems in each file, then one E412 counting the rest; an unknown "
        "column once, at its header", many_problems),
    Row("cases", "YAML, JSON or CSV of more than 1,000,000 values; a JSON Lines line over "
        "64 MiB", "E102 where the limit passes, before the rest is read; E102 at the line",
        big_documents),
    Row("cases", "spreadsheet exports: TRUE and FALSE in CSV, spaces around ids, answers "
        "and headers", "TRUE and FALSE are yes and no, as in workbooks; spaces are trimmed, "
        "so ` X1 ` and `X1` are one id (E404 says so)", spreadsheet_exports),
    Row("cases", "files of hundreds of MB",
        "JSON Lines are streamed in flat memory (52 MB at 150,000 cases, docs/performance.md); "
        "files read whole stop at 64 MiB with E102", large_files),
    Row("outputs", "an output that cannot be written, or a failure mid-write",
        "E450 with the reason (exit 3); the previous file is untouched; no temporary file is "
        "left", outputs),
    Row("outputs", "--output or --junit-xml naming an input (the case file, the ruleset, a "
        "test file, a hard link to one), a named pipe or a device; a link; an existing file",
        "E450, nothing written; a link is written through and kept; an existing file keeps "
        "its permissions, a new one gets 0666 less the umask. A killed run can leave only a "
        "`.ccirules-*.tmp` file beside the target, never a part-written target",
        output_targets),
    Row("outputs", "text a spreadsheet would run as a formula (cells starting =, +, -, @), "
        "or Markdown would read as a table cell's end, a link or HTML, in CSV, Markdown or a "
        "workbook template",
        "CSV: prefixed with ' so it is shown, not run; Markdown: `|`, `[` and `\\` escaped, "
        "`<` as `&lt;`; a workbook template (`ccirules template`): written as a text cell, "
        "never a formula", injections),
    Row("all", "control characters (a carriage return, an escape sequence, a bidirectional "
        "override, a line separator) in a ruleset's quoted text, a case id or value, or a "
        "file name", "E103 and E403 at the character; file names shown escaped; no output "
        "(terminal, CSV, Markdown, JSON, JUnit XML) carries one", control_characters),
    Row("all", "every command (check, eval, explain, test, verify, diff, template, schema) on "
        "every kind of input", "inputs are never modified: same bytes, same modification time",
        inputs_untouched),
    Row("all", "any generated ruleset and case file (tests/fuzz.py), mutated, through every "
        "command", "results or diagnostics: never an exception, an abort, a hang or a control "
        "character; test agrees with eval, and diff finds nothing between a ruleset and itself; "
        "a short round runs here", fuzzed),
)


def render_catalogue() -> str:
    lines = ["# Bad input: what ccirules does with it", "",
             "Every class of bad ruleset and case-file input, and what happens. Each row is a "
             "check that the test suite runs (`tests/bad_input.py`), asserting the "
             "diagnostic's code, its place and its hint, and the limits where the row names "
             "them; this page is generated from them (`pytest --update-golden`). Codes are "
             "explained in [errors.md](errors.md); the limits are listed in "
             "[language.md](language.md#limits) and [cases.md](cases.md#limits), and what "
             "hostile inputs cost is measured in [performance.md](performance.md).", "",
             "| input | given | what happens | check |", "|---|---|---|---|"]
    for row in CATALOGUE:
        lines.append(f"| {row.area} | {row.given} | {row.outcome} | `{row.check.__name__}` |")
    return "\n".join(lines) + "\n"


