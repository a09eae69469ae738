"""Case files as a stream of typed rows, for evaluating national programmes in bounded memory.

JSON Lines files are read in chunks of about :data:`CHUNK_BYTES`; each chunk is decoded by the
ruleset's generated record type (msgspec validates every value as it decodes). A chunk the fast
decoder rejects is read again line by line, and a line it rejects goes through the
position-aware loader, so the diagnostic names its file, line and column exactly as for any other
file. Memory stays flat but for each case's id, kept to find repeated ids (about 80 bytes a
case); where a case was read is found again, in one pass, only for the cases a diagnostic names.

Other formats (YAML, JSON, CSV, Excel: inspection-sized files) are read whole by the ordinary
loaders and turned into the same typed rows.

One difference is documented rather than paid for: in JSON Lines, a key repeated within one
record keeps its last value, as in most JSON readers; YAML and JSON files report it (E410).
"""

from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Iterator, Sequence

import msgspec

from ccirules.cases import Case, InputFile, Judgements
from ccirules.codegen import case_id_of
from ccirules.compiler import CompiledRuleset
from ccirules.diagnostics import Diagnostic, error
from ccirules.loaders import FORMATS, expand_paths, load_file, no_cases, read_judgements
from ccirules.loaders.documents import DocumentError, records_and_judgements
from ccirules.loaders.records import CASE_KEY, RecordBuilder, repeated_case
from ccirules.reading import open_failure
from ccirules.source import SourceFile, Span

CHUNK_BYTES = 1024 * 1024


class FileRows:
    """Case files and folders as a :class:`~ccirules.rows.RowSource`: every case read once, as
    batches of typed rows.

    After :meth:`batches` is exhausted, ``diagnostics``, ``files`` and ``judgements`` are final.
    ``locate`` finds where any case (or one of its fields) was read, for diagnostics.
    """

    def __init__(self, paths: Sequence[str], ruleset: CompiledRuleset,
                 exact_lines: bool = False) -> None:
        """``exact_lines`` records each JSON Lines case's line number as it is read (for traces,
        which give every case's location); otherwise it is found when a diagnostic needs it."""
        self.paths = list(paths)
        self.exact_lines = exact_lines
        self.ruleset = ruleset
        self.scorer = ruleset.scorer
        self.diagnostics: list[Diagnostic] = []
        self.files: list[InputFile] = []
        self.judgements = Judgements({}, {})
        self.cases = 0
        self._builder = RecordBuilder(ruleset)
        self._ids: set[str] = set()  # every case id read so far
        self._cases: dict[str, Case] = {}  # cases read by the position-aware loaders
        self._lines: dict[str, tuple[str, int]] = {}  # JSON Lines places found (or kept)
        self._repeats: list[tuple[str, Span]] = []  # (id, where it was repeated)

    # ---- reading ----------------------------------------------------------------------------

    def batches(self) -> Iterator[list]:
        judged = []
        for path in expand_paths(self.paths, self.diagnostics):
            if FORMATS.get(os.path.splitext(path)[1].lower()) == "jsonl":
                yield from self._json_lines(path)
            else:
                digest, cases, fields = load_file(path, self._builder, self.diagnostics)
                if digest is not None:
                    self.files.append(InputFile(path, digest))
                judged.extend((field, path) for field in fields)
                rows = [row for row in map(self._row_of_case, cases) if row is not None]
                if rows:
                    yield rows
        self.diagnostics.extend(self._builder.diagnostics)
        self._builder.diagnostics.clear()
        if self._repeats:
            self.find_lines(case_id for case_id, _ in self._repeats)
            for case_id, span in self._repeats:
                self.diagnostics.append(
                    repeated_case(case_id, span, self.locate(case_id, None)))
        self.judgements = read_judgements(self.ruleset, judged, self.diagnostics)
        self.files.sort(key=lambda file: file.path)
        if self.cases == 0 and not self.diagnostics:
            self.diagnostics.append(no_cases(self.paths))

    def _row_of_case(self, case: Case):
        if case.id in self._ids:
            self._repeats.append((case.id, case.origins.get(CASE_KEY, case.span)))
            return None
        self._ids.add(case.id)
        self._cases[case.id] = case
        self.cases += 1
        return self.scorer.row_from_case(case)

    def _json_lines(self, path: str) -> Iterator[list]:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed by the `with` below
        except OSError as problem:
            self.diagnostics.append(open_failure(path, problem))
            return
        decoder = self.scorer.decoder
        line_number = 1
        digest = hashlib.sha256()  # hashed as it is read: the file is read once
        with handle:
            head = handle.read(len(codecs.BOM_UTF8))
            if head == codecs.BOM_UTF8:
                digest.update(head)
            else:
                handle.seek(0)
            while True:
                chunk = handle.read(CHUNK_BYTES)
                if not chunk:
                    break
                chunk += handle.readline()
                digest.update(chunk)
                try:
                    rows = decoder.decode_lines(chunk)
                except (msgspec.ValidationError, msgspec.DecodeError):
                    rows = list(self._lines_one_by_one(path, chunk, line_number))
                else:
                    rows = self._accept(rows, path, chunk, line_number)
                line_number += chunk.count(b"\n")
                if rows:
                    yield rows
        self.files.append(InputFile(path, digest.hexdigest()))

    def _accept(self, rows: list, path: str, chunk: bytes, first_line: int) -> list:
        """Rows decoded in one go: record each id with where to find its line (the chunk's first
        line and the row's place among the chunk's non-blank lines), or, at a repeated id, undo
        and go line by line so the repeat is reported where it is."""
        ids = self._ids
        fresh = {case_id_of(row) for row in rows}
        if len(fresh) < len(rows) or not ids.isdisjoint(fresh):
            return list(self._lines_one_by_one(path, chunk, first_line))  # to place the repeat
        ids |= fresh
        if self.exact_lines:
            numbers = [first_line + offset for offset, line in enumerate(chunk.split(b"\n"))
                       if line.strip()]
            self._lines.update((case_id_of(row), (path, number))
                               for row, number in zip(rows, numbers, strict=True))
        self.cases += len(rows)
        return rows

    def _lines_one_by_one(self, path: str, chunk: bytes, first_line: int) -> Iterator:
        decoder = self.scorer.decoder
        for offset, line in enumerate(chunk.split(b"\n")):
            number = first_line + offset
            if not line.strip():
                continue
            try:
                row = decoder.decode(line)
            except (msgspec.ValidationError, msgspec.DecodeError):
                row = self._slow_line(path, number, line)
                if row is None:
                    continue
            else:
                case_id = case_id_of(row)
                if case_id in self._ids:
                    self._repeats.append((case_id, self._line_span(path, number, line)))
                    continue
                self._ids.add(case_id)
                if self.exact_lines:
                    self._lines[case_id] = (path, number)
            self.cases += 1
            yield row

    def _slow_line(self, path: str, number: int, line: bytes):
        """A line the fast decoder rejected: read it with positions, for exact diagnostics."""
        try:
            text = line.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as problem:
            source = _line_source(path, number, line.decode("utf-8", errors="replace"))
            start = len(line[:problem.start].decode("utf-8", errors="replace"))
            offset = len(source.text) - len(line.decode("utf-8", errors="replace")) + start
            self.diagnostics.append(error("E101", "this line is not UTF-8 text",
                                          source.span(offset, offset + 1),
                                          hint="save the file again as UTF-8"))
            return None
        from ccirules.loaders.json_positions import parse_json  # Lark: only for a bad line

        source = _line_source(path, number, text)
        start = len(source.text) - len(text)
        try:
            records, judgements = records_and_judgements(parse_json(source, start))
            if judgements:
                raise DocumentError(error("E410", "judgements go in a YAML or JSON file, not "
                                          "in JSON Lines", source.span(start, len(source.text))))
        except DocumentError as problem:
            self.diagnostics.append(problem.diagnostic)
            return None
        builder = self._builder
        case = None
        for record in records:
            builder.seen.clear()  # repeats are found below, against every file read so far
            case = builder.build(record.fields, record.span)
        if case is None:
            return None
        if case.id in self._ids:
            self._repeats.append((case.id, case.origins.get(CASE_KEY, case.span)))
            return None
        self._ids.add(case.id)
        self._cases[case.id] = case
        return self.scorer.row_from_case(case)

    # ---- locating ---------------------------------------------------------------------------

    def find_lines(self, case_ids) -> None:
        """Find, in one pass over the JSON Lines files, where the given cases were read (the
        first time each appears), so that :meth:`locate` can say."""
        wanted = {case_id for case_id in case_ids
                  if case_id not in self._cases and case_id not in self._lines}
        if not wanted:
            return
        finder = msgspec.json.Decoder(_CaseOnly)
        for path in expand_paths(self.paths, []):
            if FORMATS.get(os.path.splitext(path)[1].lower()) != "jsonl":
                continue
            with open(path, "rb") as handle:
                for number, line in enumerate(handle, start=1):
                    try:
                        case_id = str(finder.decode(line).case).strip()
                    except (msgspec.ValidationError, msgspec.DecodeError):
                        continue
                    if case_id in wanted:
                        self._lines[case_id] = (path, number)
                        wanted.discard(case_id)
                        if not wanted:
                            return

    def locate(self, case_id: str, field: str | None) -> Span:
        """Where a case (or one of its fields) was read. JSON Lines are read again, with
        positions, only now, when a diagnostic needs them."""
        from ccirules.loaders.json_positions import parse_json  # Lark: only to locate a case

        case = self._cases.get(case_id)
        if case is not None:
            return case.origins.get(field, case.span) if field is not None else case.span
        if case_id not in self._lines:
            self.find_lines([case_id])
        path, number = self._lines[case_id]
        text = _read_line(path, number)
        source = _line_source(path, number, text)
        start = len(source.text) - len(text)
        try:
            (record,), _ = records_and_judgements(parse_json(source, start))
        except (DocumentError, ValueError):
            return source.span(start, len(source.text))
        for candidate in record.fields:
            if candidate.key == (field or "case"):
                return candidate.value_span if field else candidate.key_span
        return record.span

    def record_location(self, case_id: str) -> dict[str, object]:
        """Where a case's record is, as JSON: its file and line (or spreadsheet cell)."""
        case = self._cases.get(case_id)
        if case is not None:
            return case.span.to_json()
        if case_id not in self._lines:
            self.find_lines([case_id])
        path, number = self._lines[case_id]
        return {"file": path, "line": number}

    def _line_span(self, path: str, number: int, line: bytes) -> Span:
        text = line.decode("utf-8", errors="replace").rstrip("\r")
        source = _line_source(path, number, text)
        return source.span(len(source.text) - len(text), len(source.text))


def _line_source(path: str, number: int, text: str) -> SourceFile:
    """A source holding one line at its place in the file, so spans get the right line number
    without the whole file in memory."""
    return SourceFile(path, "\n" * (number - 1) + text)


def _read_line(path: str, wanted: int) -> str:
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number == wanted:
                return line.decode("utf-8", errors="replace").rstrip("\r\n")
    return ""


class _CaseOnly(msgspec.Struct):
    """Just a record's id, for finding a case's line again."""

    case: str | int
