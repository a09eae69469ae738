"""Excel workbooks measured before they are loaded.

The Excel reader (calamine) holds a sheet as a dense grid from A1 to its last cell, so a 5 KB
workbook with one cell at XFD1048576 asks for 17 billion cells and aborts the process; and a
workbook is a zip archive, whose few kilobytes can inflate to gigabytes. So before calamine sees
a workbook, :func:`measure` reads the archive once, as a stream: it inflates every member within
:data:`MAX_INFLATED_BYTES` in all, and scans the sheet that will be read for the cells it holds,
refusing the workbook if the grid they span holds more than ``limits.MAX_FILE_VALUES`` cells.
The scan looks only at cell and row tags, so it costs a pass over the bytes and constant memory.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

import attrs

from ccirules.diagnostics import Diagnostic, error
from ccirules.limits import MAX_FILE_VALUES
from ccirules.loaders.documents import DocumentError
from ccirules.source import SourceFile, Span

#: The sheet read from a workbook when it has one of this name; otherwise the first sheet.
CASES_SHEET = "Cases"

#: Bytes every member of a workbook may inflate to, in all.
MAX_INFLATED_BYTES = 256 * 1024 * 1024

#: Excel's own grid: 1,048,576 rows and 16,384 columns (A to XFD).
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384

_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row)[\s/>]([^<>]*)")
_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")


@attrs.frozen
class Measured:
    """A workbook found safe to load: the sheet of cases to read, and the others asked for
    that it has."""

    sheet: str
    others: tuple[str, ...] = ()


def measure(path: str, data: bytes, others: tuple[str, ...] = ()) -> Measured | Diagnostic:
    """The sheets to read from a workbook's bytes (`Cases`, else the first; and those of
    ``others`` it has), or why the workbook must not be loaded."""
    nowhere = SourceFile(path, "")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheets = _sheets(archive)
        sheet = CASES_SHEET if CASES_SHEET in sheets else next(iter(sheets))
        read = [sheet, *(name for name in others if name in sheets and name != sheet)]
        members = {sheets[name] for name in read}
        budget = _Budget(nowhere)
        for info in archive.infolist():
            if info.filename not in members:
                for _ in budget.blocks(archive, info):
                    pass
        extents = {name: _extent(archive, archive.getinfo(sheets[name]), budget)
                   for name in read}
    except DocumentError as refused:
        return refused.diagnostic
    except Exception as problem:  # a damaged archive fails in zipfile, zlib or XML, any way
        return error("E401", f"this workbook cannot be read: {problem}", nowhere.whole(),
                     hint="save it again from Excel as a .xlsx workbook")
    for name, (rows, columns, far) in extents.items():
        span = cell_span(nowhere, name, *far) if far is not None else nowhere.whole()
        if rows > EXCEL_ROWS or columns > EXCEL_COLUMNS:
            return error("E401", "this workbook has a cell beyond Excel's last row or column",
                         span, hint="save it again from Excel as a .xlsx workbook")
        if rows * columns > MAX_FILE_VALUES:
            return error("E102", f"the sheet `{name}` spans A1:{_letters(columns)}{rows} "
                         f"({rows:,} rows of {columns:,} columns, {rows * columns:,} cells); "
                         f"sheets are limited to {MAX_FILE_VALUES:,} cells", span,
                         hint="delete stray cells far from the table (press Ctrl+End in Excel "
                              "to find the last one), or write large programmes as JSON Lines")
    return Measured(sheet, tuple(read[1:]))


def cell_span(source: SourceFile, sheet: str, row: int, column: int) -> Span:
    """Where a cell is, named as Excel names it (``Cases!D7``)."""
    return Span(source, row, column, row, column + 1, cell=f"{sheet}!{_letters(column)}{row}")


class _Budget:
    """Inflated bytes counted across a workbook's members, refusing beyond the limit."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.used = 0

    def blocks(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo):
        with archive.open(info) as member:
            while block := member.read(1 << 20):
                self.used += len(block)
                if self.used > MAX_INFLATED_BYTES:
                    raise DocumentError(error(
                        "E102", f"this workbook inflates to more than {MAX_INFLATED_BYTES:,} "
                        "bytes", self.source.whole(),
                        hint="check that this is the workbook you meant; large programmes "
                             "belong in JSON Lines"))
                yield block


def _sheets(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name and its member's name, in the workbook's order. Namespaces are
    matched by local name, so transitional and strict workbooks both read."""
    workbook = ElementTree.fromstring(_small(archive, "xl/workbook.xml"))
    sheets = [(sheet.get("name"), _attribute(sheet, "id")) for sheet in workbook.iter()
              if _local(sheet.tag) == "sheet"]
    if not sheets:
        raise ValueError("it has no sheets")
    relations = ElementTree.fromstring(_small(archive, "xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in relations.iter()
               if _local(r.tag) == "Relationship"}
    return {name: targets[relation].lstrip("/") if targets[relation].startswith("/")
            else f"xl/{targets[relation]}" for name, relation in sheets}


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _attribute(element: ElementTree.Element, local: str) -> str | None:
    return next((value for key, value in element.attrib.items() if _local(key) == local
                 and key != local), None)


def _small(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member that describes the workbook: a few kilobytes, refused when it is not."""
    info = archive.getinfo(name)
    if info.file_size > 1 << 24:
        raise ValueError(f"{name} is too large to describe a workbook")
    with archive.open(info) as member:
        return member.read(1 << 24)


def _extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget
            ) -> tuple[int, int, tuple[int, int] | None]:
    """Rows and columns from A1 to the sheet's last cell, and the farthest cell (row, column).
    A cell or row written without its reference follows the one before, as readers place it."""
    rows = columns = row = column = 0
    far: tuple[int, int] | None = None
    tail = b""
    for block in budget.blocks(archive, info):
        text = tail + block
        cut = text.rfind(b"<")
        if cut != -1 and text.find(b">", cut) == -1:
            text, tail = text[:cut], text[cut:]
        else:
            tail = b""
        for tag in _TAG.finditer(text):
            reference = _R.search(tag.group(2))
            letters, digits = reference.groups() if reference else (b"", b"")
            if tag.group(1) == b"row":
                row = int(digits) if digits else row + 1
                column = 0
                continue
            row = int(digits) if digits else max(row, 1)
            column = _column(letters) if letters else column + 1
            if row > rows or column > columns:
                far = (row, column)
                rows, columns = max(rows, row), max(columns, column)
    return rows, columns, far


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper()[:8]:
        number = number * 26 + letter - ord("A") + 1
    return number


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
