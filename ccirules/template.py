"""Workbook templates: an Excel workbook made from a ruleset, for inspectors to record an
inspection's judgements in, which ``ccirules eval`` then reads as it reads any case file.

The workbook (``ccirules template RULESET -o inspection.xlsx``) has these sheets:

- **Cases**: a row per case, a column per attribute and question, under headings for the groups
  of the hierarchy (sections, criteria...) and the question titles. The last heading row holds
  the names exactly as case files use them (``case``, attribute ids, question ids); cases start
  on the row after it, and that row is within the first ten, where the Excel loader looks for it.
  Cells offer dropdowns of the values they take (data validation) and whole-number bounds; a
  question's cells are greyed out, by a conditional format made from its applicability
  condition (:mod:`ccirules.formulas`), in rows where it does not apply; a question whose
  condition cannot be a formula says when it applies in its note instead.
- **Judgements**: a row per score judged directly, with a dropdown of its band labels.
- **Inspection**: the inspection's facts (area, nation, region, date, type).
- **Instructions**: what each column is, what each scale's values mean, how to submit.
- **Lists** (hidden): the values the dropdowns offer.

Every piece of text (titles, values, labels) is written as a text cell, never as a formula,
whatever it starts with. The same ruleset and options give the same bytes: the workbook and the
members of its archive carry one fixed date.

openpyxl is imported by this module alone, and only the ``template`` command imports it.
"""

from __future__ import annotations

import datetime
import io
import os
import zipfile
from collections.abc import Iterator, Sequence

import attrs

from ccirules.compiler import AttributeKind, CompiledRuleset, Rule
from ccirules.facts import FACT_KEYS
from ccirules.formulas import ConditionFormulas
from ccirules.loaders.tables import FACTS_SHEET as INSPECTION
from ccirules.loaders.tables import HEADER_ROWS
from ccirules.loaders.tables import JUDGEMENTS_SHEET as JUDGEMENTS
from ccirules.loaders.workbooks import CASES_SHEET as CASES
from ccirules.printer import print_condition

#: The sheets beside those the loader reads (Cases, Judgements, Inspection).
INSTRUCTIONS, LISTS = "Instructions", "Lists"

#: The date a workbook and every member of its archive carry (the earliest zip can hold), so
#: the same ruleset and options give the same bytes.
FIXED_DATE = datetime.datetime(1980, 1, 1)

_GREY, _HEADING, _NAMES = "D9D9D9", "DDEBF7", "FFF2CC"


class Words:
    """Every word the template shows, in one language: the ruleset's titles
    (:class:`ccirules.i18n.Titles`, which marks and remembers an English title shown for want of
    a Welsh one) and ccirules' own words (the message catalogue's ``template.`` entries)."""

    def __init__(self, ruleset: CompiledRuleset, lang: str) -> None:
        from ccirules.i18n import Messages, Titles

        self.titles = Titles(ruleset, lang)
        self.messages = Messages(lang)

    def __call__(self, key: str, /, **values: object) -> str:
        return self.messages(key, **values)


@attrs.frozen
class Column:
    """A column of the Cases sheet: its name as case files use it, its title, and the groups
    it sits in (outermost first, as (name, title) pairs)."""

    name: str
    title: str
    groups: tuple[tuple[str, str], ...] = ()


def build_template(ruleset: CompiledRuleset, ruleset_path: str, *, cases: int = 100,
                   lang: str = "en") -> tuple[bytes, list[str]]:
    """The workbook for a compiled ruleset, as .xlsx bytes, with room for ``cases`` cases; and
    the titles shown in English for want of Welsh (to warn of, W303)."""
    from openpyxl import Workbook

    words = Words(ruleset, lang)
    book = Workbook()
    book.properties.created = book.properties.modified = FIXED_DATE  # the same bytes each time
    lists = _Lists(book.create_sheet(LISTS))
    instructions = book.active
    instructions.title = INSTRUCTIONS
    columns = _columns(ruleset, words)
    cases_sheet = book.create_sheet(CASES, 0)
    _write_cases(cases_sheet, ruleset, columns, words, lists, cases)
    _write_judgements(book.create_sheet(JUDGEMENTS, 1), ruleset, words, lists)
    _write_facts(book.create_sheet(INSPECTION, 2), words)
    _write_instructions(instructions, ruleset, ruleset_path, columns, words)
    book.move_sheet(INSTRUCTIONS, -(len(book.sheetnames) - 1))
    lists.sheet.sheet_state = "hidden"
    book.active = book.sheetnames.index(CASES)
    return _saved(book), words.titles.fallback_list()


# ---- the Cases sheet -------------------------------------------------------------------------


def _columns(ruleset: CompiledRuleset, words: Words) -> list[Column]:
    """The case id, the attributes, then the questions, grouped by the hierarchy: each
    group's questions are next to each other, in the order written."""
    details = (("", words("template.case_details")),)
    found = [Column("case", words("template.case"), details)]
    found += [Column(name, str(words.titles.attribute(name)), details)
              for name in ruleset.attributes]
    groups = {group.name: group for group in ruleset.groups}
    order = {group.name: index for index, group in enumerate(ruleset.groups)}

    def path(question) -> list[str]:
        """The question's groups, outermost first."""
        found, name = [], question.group
        while name is not None and name not in found:  # the checker refuses loops; be safe
            found.append(name)
            name = groups[name].parent
        return found[::-1]

    written = {question.name: index for index, question in enumerate(ruleset.questions)}
    for question in sorted(ruleset.questions, key=lambda q: (
            [order[name] for name in path(q)], written[q.name])):
        headings = tuple((name, _group_heading(name, words)) for name in path(question))
        found.append(Column(question.name, str(words.titles.question(question.name)), headings))
    return found


def _group_heading(name: str, words: Words) -> str:
    title = str(words.titles.group(name))
    return name if title == name else f"{name} {title}"


def _heading_rows(columns: Sequence[Column]) -> int:
    """Rows for group headings: one per level of the deepest question, at most as many as fit
    above the titles and names within the first ten rows (deeper levels share the last)."""
    deepest = max((len(column.groups) for column in columns), default=0)
    return min(max(deepest, 1), HEADER_ROWS - 3)


def _write_cases(sheet, ruleset: CompiledRuleset, columns: list[Column], words: Words,
                 lists: _Lists, count: int) -> None:
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    levels = _heading_rows(columns)
    title_row, names_row = levels + 2, levels + 3
    first, last = names_row + 1, names_row + count
    _text(sheet.cell(1, 1), words("template.heading", title=_ruleset_title(ruleset, words)))
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    letters = {column.name: get_column_letter(index)
               for index, column in enumerate(columns, start=1)}
    for level in range(levels):
        for start, end, heading in _spans(columns, level, levels):
            cell = sheet.cell(2 + level, start + 1)
            _text(cell, heading)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=_HEADING)
            cell.alignment = Alignment(vertical="top", wrap_text=end > start)
            if end > start:
                sheet.merge_cells(start_row=2 + level, start_column=start + 1,
                                  end_row=2 + level, end_column=end + 1)
    formulas = ConditionFormulas(ruleset, letters, first)
    grey = PatternFill("solid", fgColor=_GREY, bgColor=_GREY)
    for index, column in enumerate(columns, start=1):
        letter = letters[column.name]
        title = sheet.cell(title_row, index)
        _text(title, column.title)
        title.alignment = Alignment(wrap_text=True, vertical="top")
        name = sheet.cell(names_row, index)
        _text(name, column.name)
        name.font = Font(bold=True)
        name.fill = PatternFill("solid", fgColor=_NAMES)
        sheet.column_dimensions[letter].width = 14 if index > 1 else 12
        cells = f"{letter}{first}:{letter}{last}"
        if column.name == "case":
            _as_text(sheet, index, first, last)
        elif column.name in ruleset.attributes:
            _attribute_cells(sheet, ruleset.attributes[column.name], cells, index, first, last,
                             words, lists)
        else:
            question = ruleset.question(column.name)
            lists.validate(sheet, tuple(question.scale.categories), cells)
            if question.applies:
                condition = " and ".join(
                    print_condition(applies.condition) for applies in question.applies)
                greyed = formulas.greyed(column.name)
                if greyed is not None:
                    sheet.conditional_formatting.add(cells, FormulaRule(
                        formula=[greyed], fill=grey, font=Font(color="808080")))
                note = words("template.applies_when" if greyed is not None
                             else "template.not_greyed", condition=condition)
                name.comment = Comment(note, "ccirules", width=300, height=120)
    sheet.row_dimensions[title_row].height = 90
    sheet.freeze_panes = sheet.cell(first, 2)


def _spans(columns: Sequence[Column], level: int, levels: int
           ) -> Iterator[tuple[int, int, str]]:
    """(first, last, heading) for each run of columns sharing a group at ``level`` (the last
    level shown also names any deeper ones)."""
    def heading(column: Column) -> tuple[str, str] | None:
        if level >= len(column.groups):
            return None
        if level == levels - 1 and len(column.groups) > levels:
            deeper = column.groups[level:]
            return ("/".join(name for name, _ in deeper),
                    " › ".join(title for _, title in deeper))
        return column.groups[level]

    start = 0
    while start < len(columns):
        current = heading(columns[start])
        end = start
        while end + 1 < len(columns) and heading(columns[end + 1]) == current:
            end += 1
        if current is not None:
            yield start, end, current[1]
        start = end + 1


def _attribute_cells(sheet, attribute, cells: str, index: int, first: int, last: int,
                     words: Words, lists: _Lists) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if attribute.kind in (AttributeKind.CHOICE, AttributeKind.YES_OR_NO):
        lists.validate(sheet, attribute.values, cells)
    elif attribute.kind is AttributeKind.WHOLE_NUMBER:
        low, high = attribute.bounds  # as declared, else the limits every whole number has
        validation = DataValidation(type="whole", operator="between", formula1=str(low),
                                    formula2=str(high), allow_blank=True, showErrorMessage=True,
                                    errorTitle=attribute.name[:32],
                                    error=_takes(attribute, words)[:255])
        validation.add(cells)
        sheet.add_data_validation(validation)
    else:
        _as_text(sheet, index, first, last)


def _as_text(sheet, index: int, first: int, last: int) -> None:
    """Cells formatted as text, so an id such as 007 stays as typed."""
    for row in range(first, last + 1):
        sheet.cell(row, index).number_format = "@"


class _Lists:
    """The hidden sheet of dropdown values: a column per distinct list, written as text."""

    def __init__(self, sheet) -> None:
        self.sheet = sheet
        self.ranges: dict[tuple[str, ...], str] = {}
        self.validations: dict[tuple[int, tuple[str, ...]], object] = {}

    def validate(self, sheet, values: tuple[str, ...], cells: str) -> None:
        """Offer ``values`` as a dropdown in ``cells``, refusing anything else."""
        from openpyxl.worksheet.datavalidation import DataValidation

        key = (id(sheet), values)
        validation = self.validations.get(key)
        if validation is None:
            validation = DataValidation(type="list", formula1=self._range(values),
                                        allow_blank=True, showErrorMessage=True,
                                        errorTitle="ccirules",
                                        error=("Choose one of: " + ", ".join(values))[:255])
            sheet.add_data_validation(validation)
            self.validations[key] = validation
        validation.add(cells)

    def _range(self, values: tuple[str, ...]) -> str:
        from openpyxl.utils import get_column_letter

        if values not in self.ranges:
            index = len(self.ranges) + 1
            for row, value in enumerate(values, start=1):
                _text(self.sheet.cell(row, index), value)
            letter = get_column_letter(index)
            self.ranges[values] = f"{LISTS}!${letter}$1:${letter}${len(values)}"
        return self.ranges[values]


# ---- the other sheets ------------------------------------------------------------------------


def _write_judgements(sheet, ruleset: CompiledRuleset, words: Words, lists: _Lists) -> None:
    from openpyxl.styles import Font

    _text(sheet.cell(1, 1), words("template.judgements_heading"))
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    judged = [score for score in ruleset.scores if score.rule is Rule.JUDGED]
    for index, name in enumerate(("score", "title", "rating"), start=1):
        _text(sheet.cell(2, index), name)
        sheet.cell(2, index).font = Font(bold=True)
    for row, score in enumerate(judged, start=3):
        _text(sheet.cell(row, 1), score.name)
        _text(sheet.cell(row, 2), str(words.titles.score(score.name)))
        labels = tuple(band.label for band in score.bands.bands)
        lists.validate(sheet, labels, f"C{row}")
    if not judged:
        _text(sheet.cell(3, 2), words("template.no_judgements"))
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 50
    sheet.column_dimensions["C"].width = 24
    sheet.freeze_panes = "A3"


def _write_facts(sheet, words: Words) -> None:
    from openpyxl.styles import Font

    _text(sheet.cell(1, 1), words("template.facts_heading"))
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    for index, name in enumerate(("fact", "value", "about"), start=1):
        _text(sheet.cell(2, index), name)
        sheet.cell(2, index).font = Font(bold=True)
    for row, fact in enumerate(FACT_KEYS, start=3):
        _text(sheet.cell(row, 1), fact)
        sheet.cell(row, 2).number_format = "@"  # a date stays as typed: 2012-03
        _text(sheet.cell(row, 3), words(f"template.fact.{fact}"))
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 40


def _write_instructions(sheet, ruleset: CompiledRuleset, ruleset_path: str,
                        columns: list[Column], words: Words) -> None:
    from openpyxl.styles import Alignment, Font

    headings = (words("template.instructions_heading"), words("template.columns_heading"),
                words("template.scales_heading"))
    rows: list[tuple[str, ...]] = [(_ruleset_title(ruleset, words),), (headings[0],)]
    steps = words("template.instructions",
                  names="case, " + ", ".join(c.name for c in columns[1:3]) + "...",
                  details=words("template.case_details"),
                  ruleset=os.path.basename(ruleset_path))  # the workbook travels; paths do not
    rows += [(f"{number}.", step) for number, step in enumerate(steps.split("|"), start=1)]
    rows += [(), (headings[1],),
             (words("template.column"), words("template.title"), words("template.takes"),
              words("template.applies"))]
    for column in columns:
        rows.append((column.name, column.title, *_column_facts(ruleset, column, words)))
    rows += [(), (headings[2],),
             (words("template.scale"), words("template.value"), words("template.title"),
              words("template.means"))]
    scales = {question.scale.name: question for question in reversed(ruleset.questions)}
    for name, question in reversed(scales.items()):
        for value, category in question.scale.categories.items():
            title = words.titles.scale_value(question.name, value)
            rows.append((name, value, "" if title.text == value else str(title),
                         words(f"template.means.{category.name.lower()}")))
    for row, cells in enumerate(rows, start=1):
        for index, value in enumerate(cells, start=1):
            cell = sheet.cell(row, index)
            _text(cell, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if cells and (row == 1 or cells[0] in headings):
            sheet.cell(row, 1).font = Font(bold=True, size=14 if row == 1 else 12)
    for letter, width in zip("ABCD", (14, 60, 40, 40), strict=True):
        sheet.column_dimensions[letter].width = width


def _column_facts(ruleset: CompiledRuleset, column: Column, words: Words) -> tuple[str, str]:
    """What a column takes, and when it applies (questions)."""
    if column.name == "case":
        return words("template.any_text"), words("template.always")
    if column.name in ruleset.attributes:
        return _takes(ruleset.attributes[column.name], words), words("template.always")
    question = ruleset.question(column.name)
    condition = " and ".join(print_condition(applies.condition) for applies in question.applies)
    return ", ".join(question.scale.categories), condition or words("template.always")


def _takes(attribute, words: Words) -> str:
    if attribute.kind is AttributeKind.WHOLE_NUMBER:
        if attribute.low is None:
            return words("template.whole_number")
        return words("template.whole_number_from", low=attribute.low, high=attribute.high)
    if attribute.kind is AttributeKind.TEXT:
        return words("template.any_text")
    return ", ".join(attribute.values)


def _ruleset_title(ruleset: CompiledRuleset, words: Words) -> str:
    version = f" {ruleset.info.version}" if ruleset.info.version else ""
    return f"{words.titles.ruleset_title()}{version}"


# ---- writing ---------------------------------------------------------------------------------


def _text(cell, value: str) -> None:
    """Put text in a cell as text: never a formula, whatever it starts with (a title such as
    "=SUM(A1)" is shown as written). Text that starts as a formula would is also marked with
    a quote prefix, so editing the cell in Excel keeps it text."""
    cell.value = value
    cell.data_type = "s"
    if value[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True


def _saved(book) -> bytes:
    """The workbook's bytes, the same for the same workbook."""
    from openpyxl.writer.excel import ExcelWriter

    buffer = io.BytesIO()
    with _FixedDates(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return buffer.getvalue()


class _FixedDates(zipfile.ZipFile):
    """A zip archive whose members all carry :data:`FIXED_DATE`."""

    def writestr(self, name, data, compress_type=None, compresslevel=None) -> None:
        if isinstance(name, str):
            name = zipfile.ZipInfo(name, date_time=FIXED_DATE.timetuple()[:6])
            name.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(name, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None) -> None:
        with open(filename, "rb") as handle:
            self.writestr(arcname or str(filename), handle.read())
