"""`ccirules template`: the workbook read back with openpyxl (dropdowns, bounds, greying
formulas, text), filled with the shipped examples and scored exactly as they are, and the greying
formulas held against the engine's own applicability."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from pathlib import Path
from unittest.mock import patch

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ccirules.formulas
from ccirules.api import check_source, load_cases, load_ruleset
from ccirules.cli import main
from ccirules.codegen import COUNTERS
from ccirules.compiler import AttributeKind, compile_ruleset
from ccirules.evaluator import _Discard, applying_each
from ccirules.formulas import MAX_FORMULA_CHARS, MAX_NESTING, ConditionFormulas, nesting
from ccirules.source import SourceFile
from ccirules.template import build_template
from ccirules.trace import Outcome
from tests.conftest import ROOT
from tests.frameworks import frameworks
from tests.helpers import spelled
from tests.xlformula import evaluate

CCI, HMIP = "rulesets/cci-youth-2012.rules", "rulesets/hmip-youth-2018.rules"
EXAMPLES = {CCI: ["examples/northamptonshire-2012/cases"], HMIP: ["examples/hmip-2018"]}


def template(ruleset: str, cases: int = 100) -> bytes:
    workbook, fallbacks = build_template(load_ruleset(str(ROOT / ruleset)).compiled, ruleset,
                                         cases=cases)
    assert fallbacks == []
    return workbook


def names_row(sheet) -> int:
    return next(row for row in range(1, 11) if sheet.cell(row, 1).value == "case")


def columns(sheet) -> dict[str, int]:
    row = names_row(sheet)
    return {sheet.cell(row, index).value: index for index in range(1, sheet.max_column + 1)}


def example(ruleset: str) -> tuple[list[dict], dict[str, str], dict[str, str]]:
    """The example's cases (whole numbers as numbers, everything else as text), ratings and
    facts."""
    compiled = load_ruleset(str(ROOT / ruleset)).compiled
    cases, ratings, facts = [], {}, {}
    for path in sorted(p for folder in EXAMPLES[ruleset] for p in (ROOT / folder).glob("*.yaml")):
        document = yaml.load(path.read_text(), Loader=yaml.BaseLoader)
        ratings.update(document.get("judgements", {}))
        facts.update(document.get("inspection", {}))
        blocks = {"cases", "judgements", "inspection"}
        cases += document.get("cases", []) if blocks & document.keys() else [document]
    whole = {name for name, a in compiled.attributes.items()
             if a.kind is AttributeKind.WHOLE_NUMBER}
    return [{key: int(value) if key in whole else value for key, value in case.items()}
            for case in cases], ratings, facts


def filled(ruleset: str, folder: Path, ratings: dict[str, str] | None = None) -> Path:
    """The template filled with the example's cases and facts (and these ratings, else the
    example's), saved in ``folder``."""
    cases, example_ratings, facts = example(ruleset)
    book = openpyxl.load_workbook(io.BytesIO(template(ruleset, cases=len(cases) + 3)))
    sheet = book["Cases"]
    first, where = names_row(sheet) + 1, columns(sheet)
    for offset, case in enumerate(cases):
        # A blank row between some cases: blank rows are not read.
        row = first + offset + (offset >= 5)
        for key, value in case.items():
            sheet.cell(row, where[key], value)
    for name, values in (("Judgements", example_ratings if ratings is None else ratings),
                         ("Inspection", facts)):
        other = book[name]
        for row in range(3, other.max_row + 1):
            if other.cell(row, 1).value in values:
                other.cell(row, 2 if name == "Inspection" else 3, values[other.cell(row, 1).value])
    path = folder / "inspection.xlsx"
    book.save(path)
    return path


def scored(ruleset: str, *inputs: str) -> dict:
    result = CliRunner().invoke(main, ["eval", str(ROOT / ruleset), *inputs, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ---- the round trip --------------------------------------------------------------------------


@pytest.mark.parametrize("ruleset", [CCI, HMIP])
def test_a_filled_template_scores_exactly_as_the_example(ruleset: str, tmp_path) -> None:
    expected = scored(ruleset, *(str(ROOT / folder) for folder in EXAMPLES[ruleset]))
    actual = scored(ruleset, str(filled(ruleset, tmp_path)))
    assert actual["cases"] == expected["cases"]
    assert actual.get("inspection") == expected.get("inspection")  # from the Inspection sheet
    assert ruleset != CCI or actual["inspection"]["area"] == "Northamptonshire"
    for part in ("scores", "questions"):
        assert json.dumps(actual[part]) == json.dumps(expected[part])
    assert actual["diagnostics"] == []


def test_ratings_in_the_workbook_combine_with_judgement_files_beside_it(tmp_path) -> None:
    _, ratings, _ = example(HMIP)
    in_sheet = dict(list(ratings.items())[:3])
    beside = tmp_path / "more.yaml"
    beside.write_text(yaml.safe_dump({"judgements": dict(list(ratings.items())[3:])}))
    workbook = filled(HMIP, tmp_path, in_sheet)
    expected = scored(HMIP, str(ROOT / "examples/hmip-2018"))
    assert scored(HMIP, str(workbook), str(beside))["scores"] == expected["scores"]

    beside.write_text(yaml.safe_dump({"judgements": ratings}))
    result = CliRunner().invoke(main, ["eval", str(ROOT / HMIP), str(workbook), str(beside)])
    assert result.exit_code == 3 and "is judged twice" in result.output
    assert "help: record each rating once, in one file or sheet" in result.output


# ---- what the workbook holds -----------------------------------------------------------------


def validations(sheet, book) -> dict[str, object]:
    """Each column's data validation: the list it offers, or (low, high) for whole numbers."""
    found = {}
    names = {index: name for name, index in columns(sheet).items()}
    for validation in sheet.data_validations.dataValidation:
        if validation.type == "list":
            sheet_name, cells = validation.formula1.split("!")
            first, last = (part.replace("$", "") for part in cells.split(":"))
            offered = tuple(cell.value for row in book[sheet_name][first:last] for cell in row)
        else:
            offered = (validation.type, int(validation.formula1), int(validation.formula2))
        for cells in str(validation.sqref).split():
            column = openpyxl.utils.cell.range_boundaries(cells)[0]
            found[names.get(column, cells)] = offered
    return found


def test_dropdowns_and_bounds() -> None:
    book = openpyxl.load_workbook(io.BytesIO(template(CCI, cases=40)))
    sheet = book["Cases"]
    offered = validations(sheet, book)
    assert offered["1.1.8"] == offered["3.2.2"] == ("yes", "no", "na")
    assert offered["setting"] == ("custody", "community")
    assert offered["rmp_required"] == ("yes", "no")
    assert offered["age"] == ("whole", 10, 17)
    assert "office" not in offered  # any text
    first = names_row(sheet) + 1
    ranges = {str(v.sqref).split()[0] for v in sheet.data_validations.dataValidation}
    assert f"H{first}:H{first + 39}" in ranges or any(r.endswith(str(first + 39)) for r in ranges)
    assert book["Lists"].sheet_state == "hidden"


def test_judged_scores_get_dropdowns_of_their_band_labels() -> None:
    book = openpyxl.load_workbook(io.BytesIO(template(HMIP)))
    judged = book["Judgements"]
    (validation,) = judged.data_validations.dataValidation
    sheet_name, cells = validation.formula1.split("!")
    first, last = (part.replace("$", "") for part in cells.split(":"))
    labels = tuple(cell.value for row in book[sheet_name][first:last] for cell in row)
    assert labels == ("outstanding", "good", "requires_improvement", "inadequate")
    rows = [judged.cell(row, 1).value for row in range(3, judged.max_row + 1)]
    assert rows == ["1.1", "1.2", "1.3", "1.4", "3.4", "4.1"]
    assert str(validation.sqref) == " ".join(f"C{row}" for row in range(3, 9))


def greying(sheet) -> dict[str, str]:
    """Each question's greying formula, by the question's name."""
    names = {index: name for name, index in columns(sheet).items()}
    found = {}
    for formatting in sheet.conditional_formatting:
        (rule,) = formatting.rules
        column = openpyxl.utils.cell.range_boundaries(str(formatting.sqref))[0]
        found[names[column]] = rule.formula[0]
    return found


def test_the_greying_formula_of_a_condition_on_an_answer() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(template(CCI)))["Cases"]
    where = columns(sheet)
    letter = {name: openpyxl.utils.get_column_letter(index) for name, index in where.items()}
    first = names_row(sheet) + 1

    def yes(name: str) -> str:
        text = f'UPPER(TRIM(${letter[name]}{first}&""))'
        return f'OR({text}="YES",{text}="TRUE")'  # a spreadsheet's TRUE is read as yes

    # 1.1.9 applies when 1.1.8 is yes; 1.1.8's answer counts only where 1.1.8 applies, which
    # is where rmp_required is yes.
    assert greying(sheet)["1.1.9"] == f'NOT(AND({yes("rmp_required")},{yes("1.1.8")}))'

    formula = greying(sheet)["1.1.9"]
    cells = {letter["rmp_required"]: "yes", letter["1.1.8"]: "Yes"}
    assert evaluate(formula, cells) is False  # applies: not greyed
    assert evaluate(formula, {**cells, letter["1.1.8"]: "no"}) is True
    assert evaluate(formula, {**cells, letter["rmp_required"]: False}) is True
    note = sheet.cell(names_row(sheet), where["1.1.9"]).comment.text
    assert note == "Applies when: 1.1.8 is yes"
    assert sheet.cell(names_row(sheet), where["1.1.1"]).comment is None


@pytest.mark.parametrize("ruleset", [CCI, HMIP])
def test_every_condition_becomes_a_greying_formula(ruleset: str) -> None:
    compiled = load_ruleset(str(ROOT / ruleset)).compiled
    sheet = openpyxl.load_workbook(io.BytesIO(template(ruleset)))["Cases"]
    assert set(greying(sheet)) == {q.name for q in compiled.questions if q.applies}


@pytest.mark.parametrize("ruleset", [CCI, HMIP])
def test_greying_formulas_agree_with_the_engine_on_the_example(ruleset: str, tmp_path) -> None:
    compiled = load_ruleset(str(ROOT / ruleset)).compiled
    sheet = openpyxl.load_workbook(filled(ruleset, tmp_path))["Cases"]
    formulas = greying(sheet)
    letters = {index: openpyxl.utils.get_column_letter(index)
               for index in range(1, sheet.max_column + 1)}
    rows, raw = [], []
    for row in range(names_row(sheet) + 1, sheet.max_row + 1):
        values = {letters[i]: sheet.cell(row, i).value for i in letters}
        if not any(value is not None for value in values.values()):
            continue
        case = {name: sheet.cell(row, index).value for name, index in columns(sheet).items()
                if sheet.cell(row, index).value is not None}
        rows.append(values)
        raw.append(({n: v for n, v in case.items() if n in compiled.attributes},
                    {n: v for n, v in case.items() if n not in compiled.attributes
                     and n != "case"}))
    # The examples answer exactly the questions that apply, so what applying_each keeps is
    # what applies.
    for values, kept in zip(rows, applying_each(compiled, raw), strict=True):
        for name, formula in formulas.items():
            # Every reference in a greying formula is to its own row: a row's cells by column.
            assert evaluate(formula, values) == (name not in kept), (name, values)


# ---- against the engine, for every condition form --------------------------------------------


def applicable(ruleset, attributes: dict, answers: dict) -> set[str]:
    """The questions that apply to one case, from the engine's traced run."""
    scorer = ruleset.scorer
    fields = {**scorer.attribute_fields, **scorer.question_fields}
    row = scorer.row_type(c="C1", **{fields[name]: value for name, value
                                     in (*attributes.items(), *answers.items())})
    traced: list = []
    scorer.count_traced([row], [0] * (COUNTERS * len(scorer.question_order)), _Discard(),
                        traced)
    ((_, codes),) = traced
    return {name for name, code, legend in zip(scorer.question_order, codes, scorer.legends,
                                               strict=True)
            if legend[code].outcome is not Outcome.DOES_NOT_APPLY}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frameworks(), st.randoms(use_true_random=False))
def test_greying_formulas_decide_what_the_engine_decides(framework, rng) -> None:
    checked = check_source(SourceFile("generated.rules", framework.text))
    ruleset = compile_ruleset(checked.checked)
    names = [*ruleset.attributes, *framework.questions]
    letters = {name: openpyxl.utils.get_column_letter(index)
               for index, name in enumerate(names, start=1)}
    formulas = ConditionFormulas(ruleset, letters, 7)
    with patch.multiple(ccirules.formulas, MAX_FORMULA_CHARS=10**9, MAX_NESTING=10**9):
        whole = ConditionFormulas(ruleset, letters, 7)
        unlimited_formulas = {name: whole.greyed(name) for name in framework.questions}
    for _ in range(8):
        attributes, answers, cells = {}, {}, {}
        for name, attribute in ruleset.attributes.items():
            if attribute.kind is AttributeKind.WHOLE_NUMBER:
                value, kind = rng.randint(attribute.low, attribute.high), "number"
            elif attribute.kind is AttributeKind.TEXT:
                value, kind = rng.choice(["north", "south", "east"]), "text"
            else:
                value = rng.choice(attribute.values)
                kind = "yes or no" if attribute.kind is AttributeKind.YES_OR_NO else "choice"
            attributes[name] = value
            cells[letters[name]] = spelled(value, attribute.values, kind, rng)
        for name in framework.questions:
            declared = tuple(ruleset.question(name).scale.categories)
            if rng.random() < 0.25:
                cells[letters[name]] = rng.choice([None, "", "   "])
                continue
            answers[name] = rng.choice(declared)
            cells[letters[name]] = spelled(answers[name], declared, "answer", rng)
        applies = applicable(ruleset, attributes, answers)
        for name in framework.questions:
            formula, unlimited = formulas.greyed(name), unlimited_formulas[name]
            if ruleset.question(name).applies:
                # Beyond Excel's limits there is no formula (the note says when it applies).
                assert formula == unlimited or (formula is None and (
                    len(unlimited) > MAX_FORMULA_CHARS or nesting(unlimited) > MAX_NESTING))
                assert evaluate(unlimited, cells) == (name not in applies), (name, cells)
            else:
                assert formula is None and unlimited is None and name in applies


def test_values_that_differ_only_in_case_are_matched_exactly() -> None:
    text = """ruleset "R"
scale s
  value Yes means sufficient
  value yes means insufficient
  value no means insufficient
end
attribute kind one of A, a, b
level section "Section"
  scored as proportion sufficient of its questions
section S "S"
  question Q1
  question Q2
    applies when Q1 is Yes and kind is a
  question Q3
    applies when Q1 is no and kind is b
end
"""
    checked = check_source(SourceFile("r.rules", text))
    assert checked.ok, checked.diagnostics
    ruleset = compile_ruleset(checked.checked)
    formulas = ConditionFormulas(ruleset, {"kind": "A", "Q1": "B", "Q2": "C", "Q3": "D"}, 2)
    assert evaluate(formulas.greyed("Q2"), {"A": "a", "B": "Yes"}) is False
    assert evaluate(formulas.greyed("Q2"), {"A": "A", "B": "Yes"}) is True
    assert evaluate(formulas.greyed("Q2"), {"A": "a", "B": "yes"}) is True
    assert evaluate(formulas.greyed("Q3"), {"A": "B", "B": "NO"}) is False


def test_a_spreadsheet_boolean_is_read_as_its_text() -> None:
    """TRUE is `yes`, unless a value is spelled `true`, as the loaders read it."""
    text = """ruleset "R"
scale s
  value yes means sufficient
  value "true" means insufficient
  value no means insufficient
end
level section "Section"
  scored as proportion sufficient of its questions
section S "S"
  question Q1
  question Q2
    applies when Q1 is "true"
  question Q3
    applies when Q1 is no
end
"""
    checked = check_source(SourceFile("r.rules", text))
    assert checked.ok, checked.diagnostics
    formulas = ConditionFormulas(compile_ruleset(checked.checked), {"Q1": "A"}, 2)
    assert evaluate(formulas.greyed("Q2"), {"A": True}) is False  # TRUE is `true` here
    assert evaluate(formulas.greyed("Q2"), {"A": "yes"}) is True
    assert evaluate(formulas.greyed("Q3"), {"A": False}) is False  # FALSE is `no`
    assert evaluate(formulas.greyed("Q3"), {"A": " false "}) is False
    assert evaluate(formulas.greyed("Q3"), {"A": None}) is True


def test_a_condition_too_long_for_a_formula_is_told_in_the_note(tmp_path) -> None:
    values = ", ".join(f"v{index}" for index in range(400))
    text = f"""ruleset "R"
scale s value yes means sufficient value no means insufficient end
attribute kind one of {values}
level section "Section"
  scored as proportion sufficient of its questions
section S "S"
  question Q1
  question Q2
    applies when kind in ({values})
end
"""
    (tmp_path / "r.rules").write_text(text)
    output = tmp_path / "t.xlsx"
    result = CliRunner().invoke(main, ["template", str(tmp_path / "r.rules"), "-o", str(output)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(output)["Cases"]
    assert greying(sheet) == {}
    note = sheet.cell(names_row(sheet), columns(sheet)["Q2"]).comment.text
    assert note.startswith("Applies when: kind in (v0, v1,") and "too long" in note


def test_a_deep_hierarchy_keeps_the_names_row_within_ten_rows() -> None:
    depth = 9
    levels = "\n".join(f'level l{i} "Level {i}"' + (f" within l{i - 1}" if i > 1 else "")
                       for i in range(1, depth + 1))
    opening = "\n".join(f'l{i} G{i} "Group {i}"' for i in range(1, depth + 1))
    text = (f'ruleset "R"\nscale s value yes means sufficient value no means insufficient end\n'
            f"{levels}\n{opening}\nquestion Q1\n" + "end\n" * depth)
    checked = check_source(SourceFile("r.rules", text))
    assert checked.ok, checked.diagnostics
    data, _ = build_template(compile_ruleset(checked.checked), "r.rules")
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Cases"]
    assert names_row(sheet) == 10
    headings = [sheet.cell(row, 2).value for row in range(2, 9)]
    assert headings[:6] == [f"G{i} Group {i}" for i in range(1, 7)]
    assert headings[6] == " › ".join(f"G{i} Group {i}" for i in range(7, depth + 1))


# ---- text, bytes, the command ------------------------------------------------------------


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path) -> None:
    text = """ruleset "=HYPERLINK(""x"")"
scale s
  value "=1+2" "@SUM(A1)" means sufficient
  value "-2" means insufficient
end
attribute kind "+cmd" one of "=x", y
level section "Section"
  scored as proportion sufficient of its questions
section S "=SUM(A1:A9)"
  question Q1 "-1+1"
    applies when kind is "=x"
end
"""
    checked = check_source(SourceFile("r.rules", text.replace('""x""', "x")))
    assert checked.ok, checked.diagnostics
    data, _ = build_template(compile_ruleset(checked.checked), "r.rules")
    book = openpyxl.load_workbook(io.BytesIO(data))
    risky = [cell for sheet in book for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value[:1] in "=+-@"]
    assert {cell.value for cell in risky} >= {"=1+2", "-2", "=x", "-1+1", "+cmd",
                                              "=HYPERLINK(x): case judgements"}
    assert all(cell.data_type == "s" for cell in risky)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(name) for name in archive.namelist()
                  if name.startswith("xl/worksheets/sheet")]
    assert not any(b"<f>" in sheet or b"<f " in sheet for sheet in sheets)


def test_the_same_ruleset_gives_the_same_bytes_wherever_it_is(tmp_path) -> None:
    """The instructions name the ruleset's file, not the folder it was in when the workbook
    was made."""
    copy = tmp_path / "elsewhere" / Path(HMIP).name
    copy.parent.mkdir()
    copy.write_bytes((ROOT / HMIP).read_bytes())
    compiled = load_ruleset(str(copy)).compiled
    assert template(HMIP) == template(HMIP) == build_template(compiled, str(copy))[0]


def test_the_command_writes_a_workbook_eval_reads(tmp_path) -> None:
    output = tmp_path / "inspection.xlsx"
    result = CliRunner().invoke(main, ["template", str(ROOT / HMIP), "-o", str(output),
                                       "--cases", "7"])
    assert result.exit_code == 0, result.output
    empty = CliRunner().invoke(main, ["eval", str(ROOT / HMIP), str(output)])
    assert empty.exit_code == 3 and "error[E411]" in empty.output
    assert "cases go on the Cases sheet, a row each under the row of names" in empty.output
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == ["Cases", "Judgements", "Inspection", "Instructions", "Lists"]
    sheet = book["Cases"]
    first = names_row(sheet) + 1
    assert sheet.freeze_panes == f"B{first}"
    assert {str(f.sqref) for f in sheet.conditional_formatting} >= {f"E{first}:E{first + 6}"}
    sheet.cell(first, 1, "C1")
    sheet.cell(first, columns(sheet)["disposal"], "out_of_court")
    sheet.cell(first, columns(sheet)["custody"], False)
    for name in ("3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2", "3.2.3", "3.3.1", "3.3.2", "3.3.3"):
        sheet.cell(first, columns(sheet)[name], "Yes")
    book.save(output)
    result = CliRunner().invoke(main, ["eval", str(ROOT / HMIP), str(output), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cases"] == 1


def test_welsh_titles_and_words(tmp_path) -> None:
    output = tmp_path / "arolygiad.xlsx"
    result = CliRunner().invoke(main, ["template", str(ROOT / CCI), "-o", str(output),
                                       "--lang", "cy"])
    assert result.exit_code == 0, result.output
    assert "W303" in result.output  # question titles have no Welsh yet: listed, marked †
    book = openpyxl.load_workbook(output)
    sheet = book["Cases"]
    assert sheet["A1"].value.startswith("Arolygiad Craidd o Achosion gwaith troseddu ieuenctid")
    assert sheet.cell(names_row(sheet) - 1, 1).value == "Rhif adnabod yr achos"
    headings = {cell.value for cell in sheet[2] if cell.value}
    assert "1 Asesu a chynllunio dedfrydau" in headings
    assert sheet.cell(names_row(sheet) - 1, columns(sheet)["1.1.1"]).value.endswith(" †")
    assert book["Instructions"]["A2"].value == "Sut i lenwi'r llyfr gwaith hwn"


def test_the_command_refuses_what_it_cannot_do(tmp_path) -> None:
    rules = tmp_path / "r.xlsx"
    rules.write_text((ROOT / HMIP).read_text())
    for args, words in (
            (["-o", str(tmp_path / "t.csv")], "name it FILE.xlsx"),
            (["-o", str(tmp_path / "t.xlsx"), "--lang", "fr"], "'fr' is not one of 'en', 'cy'")):
        result = CliRunner().invoke(main, ["template", str(rules), *args])
        assert result.exit_code == 2 and words in result.output, result.output
    result = CliRunner().invoke(main, ["template", str(rules), "-o", str(rules)])
    assert result.exit_code == 3 and "never writes over what it reads" in result.output
    assert rules.read_text() == (ROOT / HMIP).read_text()
    bad = tmp_path / "bad.rules"
    bad.write_text('ruleset "R"\nattribute a one of x\nquestion q applies when b is y\n')
    result = CliRunner().invoke(main, ["template", str(bad), "-o", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 3 and not (tmp_path / "t.xlsx").exists()


# ---- reading workbooks --------------------------------------------------------------------


def workbook(tmp_path, cases: list[list], judgements: list[list] | None = None,
             facts: list[list] | None = None) -> str:
    book = openpyxl.Workbook()
    book.active.title = "Cases"
    for row in cases:
        book.active.append(row)
    for name, rows in (("Judgements", judgements), ("Inspection", facts)):
        if rows is not None:
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
    path = tmp_path / "book.xlsx"
    book.save(path)
    return str(path)


CASE_ROWS = [["Titles above the header"], [], ["Case", "Setting"], ["case", "setting", "age",
                                                                       "A1", "B1"],
             ["C1", "community", 15, "yes", "no"], [], [None, None], ["C2", "custody", 16,
                                                                     "Yes", True]]


def test_the_header_is_found_under_titles_and_blank_rows_are_skipped(tmp_path) -> None:
    ruleset = load_ruleset(str(ROOT / "tests/golden/eval/framework.rules")).compiled
    loaded = load_cases([workbook(tmp_path, CASE_ROWS)], ruleset)
    assert [case.id for case in loaded.inspection.cases] == ["C1", "C2"]
    assert loaded.inspection.cases[1].answers == {"A1": "yes", "B1": "yes"}
    assert loaded.inspection.cases[1].origins["A1"].where.endswith("Cases!D8")


def test_ratings_and_facts_sheets(tmp_path) -> None:
    from ccirules.loaders.tables import excel_workbook

    path = workbook(tmp_path, CASE_ROWS,
                    [["Ratings"], ["score", "title", "rating"], ["1.1", "Governance", "good"],
                     ["1.2", "Staff", None], [None, "a note for people"]],
                    [["About"], ["fact", "value"], ["area", "Northamptonshire"], ["region", None],
                     ["date", datetime.date(2012, 3, 1)]])
    read = excel_workbook(path, Path(path).read_bytes())
    assert [(f.key, f.value, f.value_span.cell) for f in read.judgements] == [
        ("1.1", "good", "Judgements!C3")]
    assert [(f.key, f.value) for f in read.facts] == [("area", "Northamptonshire"),
                                                      ("date", "2012-03-01")]


@pytest.mark.parametrize(("rows", "words"), [
    ([["score", "title"], ["1.1", "good"]], "no header row naming its `score` and `rating`"),
    ([["score", "rating"], [None, "good"]], "this rating has no score beside it"),
])
def test_a_judgements_sheet_that_cannot_be_read_is_e410(tmp_path, rows, words) -> None:
    ruleset = load_ruleset(str(ROOT / HMIP)).compiled
    loaded = load_cases([workbook(tmp_path, [["case", "disposal"], ["C1", "court"]], rows)],
                        ruleset)
    (problem,) = [d for d in loaded.diagnostics if d.code == "E410"]
    assert words in problem.message


def test_the_ratings_sheet_is_measured_before_it_is_loaded(tmp_path) -> None:
    """A stray cell far away would make the reader allocate the whole grid: refused (E102)."""
    book = openpyxl.Workbook()
    book.active.title = "Cases"
    book.active.append(["case", "disposal"])
    book.active.append(["C1", "court"])
    book.create_sheet("Judgements").cell(1_048_576, 16_384, "far")
    path = tmp_path / "book.xlsx"
    book.save(path)
    loaded = load_cases([str(path)], load_ruleset(str(ROOT / HMIP)).compiled)
    (problem,) = [d for d in loaded.diagnostics if d.code == "E102"]
    assert problem.span.cell == "Judgements!XFD1048576"
