"""Spreadsheet-shaped case files: CSV and Excel, a row per case and a column per question or
attribute, headed by their names; and JSON Lines, a case per line. A workbook may also hold the
ratings of scores judged directly, on a sheet of their own.

Locations name the cell: a CSV problem points at the row's line and the field's column in the
text; an Excel problem at ``Sheet!D7``.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from collections.abc import Iterator

import msgspec

from ccirules.diagnostics import Diagnostic, error
from ccirules.limits import MAX_FILE_VALUES
from ccirules.loaders.documents import (
    DocumentError,
    Record,
    records_and_judgements,
    too_many_values,
)
from ccirules.loaders.records import CASE_KEY, Field
from ccirules.source import SourceFile, Span

#: The sheets of a workbook that hold ratings for scores judged directly, and the inspection's
#: facts (the fields of an `inspection:` block), if it has them.
JUDGEMENTS_SHEET, FACTS_SHEET = "Judgements", "Inspection"

#: A sheet's header row is looked for in its first rows, where titles may stand above it.
HEADER_ROWS = 10

# ---- CSV -------------------------------------------------------------------------------------


def csv_records(source: SourceFile, header: SourceFile | None = None) -> Iterator[Record]:
    """A record per data row, as the rows are read; the first non-blank row names the columns.
    A piece of a large file comes with its file's ``header`` row as a source of its own. A file
    is refused at its MAX_FILE_VALUES-th cell, before its cost grows with it."""
    first = header if header is not None else source
    if not first.text.strip():
        return
    delimiter = delimiter_of(first.text)
    rows = _rows(first, delimiter)
    names: list[tuple[str, Span]] | None = None
    for row, spans, _ in rows:
        names = [(cell.strip(), span) for cell, span in zip(row, spans, strict=True)]
        _check_header(names)
        break
    if names is None:
        return
    cells = len(names)
    for row, spans, row_span in (rows if header is None else _rows(source, delimiter)):
        cells += len(row)
        if cells > MAX_FILE_VALUES:
            raise DocumentError(too_many_values(row_span))
        if len(row) > len(names):
            raise DocumentError(error(
                "E410", f"this row has {len(row)} cells but the header names {len(names)}",
                spans[len(names)], hint="remove the extra cells, or name their column"))
        yield Record(tuple(Field(name, cell, name_span, span) for (name, name_span), cell, span
                           in zip(names, row, spans, strict=False)), row_span)


def _rows(source: SourceFile, delimiter: str) -> Iterator[tuple[list[str], list[Span], Span]]:
    """The non-blank rows of CSV text, each with its cells' spans and its own. Lines are split
    as the reader splits them (at \\r\\n, \\r or \\n; str.splitlines also splits at U+2028
    and others, which would misplace cells), and each row's spans come from where it starts."""
    text = source.text
    lines = io.StringIO(text, newline="").readlines()
    offsets = list(itertools.accumulate((len(line) for line in lines), initial=0))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start_line = 1
    try:
        for row in reader:
            line_number = start_line
            start_line = reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            line_start = offsets[line_number - 1]
            line_text = lines[line_number - 1].rstrip("\r\n")
            line, column = source.position(line_start)
            spans = [Span(source, line, column + begin, line, column + end)
                     for begin, end in _field_offsets(line_text, delimiter, len(row))]
            yield row, spans, Span(source, line, column, line, column + len(line_text))
    except csv.Error as problem:
        line_start = offsets[min(start_line, len(offsets)) - 1]
        raise DocumentError(error("E401", f"this CSV cannot be read: {problem}",
                                  source.span(line_start, line_start + 1),
                                  hint="check the quotes on this row")) from None


def delimiter_of(text: str) -> str:
    """Comma, or the semicolon or tab that some spreadsheet exports use instead."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: (counts[delimiter], delimiter == ","))


def _field_offsets(line: str, delimiter: str, count: int) -> list[tuple[int, int]]:
    """Where each field of a one-line CSV row starts and ends, honouring quotes."""
    positions = []
    start, quoted = 0, False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            positions.append((start, index))
            start = index + 1
    positions.append((start, len(line)))
    while len(positions) < count:  # a row continued over several lines: point at its start
        positions.append((0, 1))
    return [(begin, max(end, begin + 1)) for begin, end in positions[:max(count, 1)]]


def _check_header(header: list[tuple[str, Span]]) -> None:
    seen: dict[str, Span] = {}
    for name, span in header:
        if not name:
            raise DocumentError(error("E410", "a column has no name", span,
                                      hint="name every column in the first row"))
        if name in seen:
            raise DocumentError(error("E410", f"the column `{name}` appears twice", span,
                                      hint="keep one of them"))
        seen[name] = span


# ---- JSON Lines ------------------------------------------------------------------------------


def json_lines_records(source: SourceFile) -> Iterator[Record]:
    """A record per non-blank line, each parsed with positions, so problems point at the key or
    value on that line."""
    from ccirules.loaders.json_positions import parse_json  # only JSON input needs it

    offset = 0
    for line in source.text.splitlines(keepends=True):
        if line.strip():
            document = parse_json(source, offset, offset + len(line.rstrip("\r\n")))
            records, judgements = records_and_judgements(document)
            if judgements:
                raise DocumentError(error("E410", "judgements go in a YAML or JSON file, not in "
                                          "JSON Lines", document.span))
            yield from records
        offset += len(line)


# ---- Excel -----------------------------------------------------------------------------------


class Workbook(msgspec.Struct, frozen=True):
    """What a workbook holds: case records, judgement fields (score id, rating) and the
    inspection's facts (fact, value)."""

    records: list[Record]
    judgements: list[Field]
    facts: list[Field]


def excel_workbook(path: str, data: bytes) -> Workbook:
    """The case records of a workbook's `Cases` sheet (or its first sheet), a record per data
    row; the ratings on its `Judgements` sheet and the facts on its `Inspection` sheet, if it
    has them (as a workbook template lays them out, :mod:`ccirules.template`); from the
    workbook's bytes, measured first (see :mod:`ccirules.loaders.workbooks`).

    A sheet's header is its first row, within the first :data:`HEADER_ROWS`, with a cell
    naming its key column (`case`; `score` on the Judgements sheet, `fact` on the Inspection
    sheet), so rows of titles may stand above it; a Cases sheet with no such row is headed by
    its first non-blank row. Rows above the header, blank rows and blank ratings or facts are
    not read."""
    from python_calamine import CalamineWorkbook  # imported here: only Excel input needs it

    from ccirules.loaders.workbooks import measure

    nowhere = SourceFile(path, "")
    measured = measure(path, data, (JUDGEMENTS_SHEET, FACTS_SHEET))
    if isinstance(measured, Diagnostic):
        raise DocumentError(measured)
    sheet = measured.sheet
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        extra = {name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
                 if name in measured.others else [] for name in (JUDGEMENTS_SHEET, FACTS_SHEET)}
    except BaseException as problem:  # calamine's Rust panics derive from BaseException
        if isinstance(problem, KeyboardInterrupt | SystemExit):
            raise
        raise DocumentError(error("E401", f"this workbook cannot be read: {problem}",
                                  nowhere.whole(),
                                  hint="save it again from Excel as a .xlsx workbook")) from None
    return Workbook(
        list(_case_records(nowhere, sheet, rows)),
        list(_sheet_fields(nowhere, JUDGEMENTS_SHEET, extra[JUDGEMENTS_SHEET], "score",
                           "rating")),
        list(_sheet_fields(nowhere, FACTS_SHEET, extra[FACTS_SHEET], "fact", "value")))


def _case_records(nowhere: SourceFile, sheet: str, rows: list[list]) -> Iterator[Record]:
    from ccirules.loaders.workbooks import cell_span  # only workbooks need it
    first = _header_index(rows, CASE_KEY)
    header: list[tuple[str, Span]] | None = None
    for row_index, row in enumerate(rows, start=1):
        if not any(_cell_text(value) for value in row) or (first is not None
                                                          and row_index <= first):
            continue
        spans = [cell_span(nowhere, sheet, row_index, column)
                 for column in range(1, len(row) + 1)]
        if header is None:
            header = [(_cell_text(value), span) for value, span in zip(row, spans, strict=True)]
            while header and not header[-1][0]:
                header.pop()
            _check_header(header)
            continue
        extra = [index for index in range(len(header), len(row)) if _cell_text(row[index])]
        if extra:
            raise DocumentError(error("E410", "this cell is outside the named columns",
                                      spans[extra[0]], hint="name its column in the header row"))
        fields = tuple(Field(name, _cell_value(value), name_span, span)
                       for (name, name_span), value, span in zip(header, row, spans, strict=False))
        yield Record(fields, spans[0])


def _header_index(rows: list[list], key: str) -> int | None:
    """How many rows stand before the header: the first of the first HEADER_ROWS rows with a
    cell reading ``key``; None if none has one."""
    return next((index for index, row in enumerate(rows[:HEADER_ROWS])
                 if any(_cell_text(value) == key for value in row)), None)


def _sheet_fields(nowhere: SourceFile, sheet: str, rows: list[list], key: str,
                  value: str) -> Iterator[Field]:
    """A field per row of a two-column sheet (a rating per score, a value per fact): the
    name in its ``key`` column, the value in its ``value`` column (other columns, such as
    titles, are for people). Rows with no value are not read."""
    from ccirules.loaders.workbooks import cell_span  # only workbooks need it

    if not any(_cell_text(cell) for row in rows for cell in row):
        return
    before = _header_index(rows, key)
    names = [_cell_text(cell) for cell in rows[before]] if before is not None else []
    if value not in names:
        raise DocumentError(error(
            "E410", f"the {sheet} sheet has no header row naming its `{key}` and `{value}` "
            f"columns in its first {HEADER_ROWS} rows", cell_span(nowhere, sheet, 1, 1),
            hint=f"write `{key}` and `{value}` above its columns"))
    named, given = names.index(key), names.index(value)
    for row_index, row in enumerate(rows[before + 1:], start=before + 2):
        cells = [*row, *[None] * (max(named, given) + 1 - len(row))]
        if not _cell_text(cells[given]):
            continue  # nothing recorded: as if the row were not there
        where = cell_span(nowhere, sheet, row_index, given + 1)
        if not _cell_text(cells[named]):
            raise DocumentError(error("E410", f"this {value} has no {key} beside it", where,
                                      hint=f"write its name in the `{key}` column"))
        yield Field(_cell_text(cells[named]), _dated(cells[given]),
                    cell_span(nowhere, sheet, row_index, named + 1), where)


def _dated(value: object) -> str:
    """A cell's text, a date cell as its date (a date typed into a facts sheet is a date
    there, where the `inspection:` block says `2012-03-01`)."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    return value.isoformat() if isinstance(value, datetime.date) else _cell_text(value)



def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell_value(value: object) -> object:
    """Empty cells are None; numbers stay numbers; dates stay dates (and are refused where text
    is expected); everything else is text."""
    if value == "" or value is None:
        return None
    if isinstance(value, bool | int | float | datetime.date | datetime.time):
        return value
    return str(value)
