"""Case files as a stream of typed rows, for evaluating national programmes in bounded memory,
in one process or several.

What one reader reads is a :class:`Piece`: a whole file, or (for :mod:`ccirules.parallel`) a byte
range of a large JSON Lines or CSV file that starts and ends on a record boundary. JSON Lines are
read in chunks of about :data:`CHUNK_BYTES`; each chunk is decoded by the ruleset's generated
record type (msgspec validates every value as it decodes). A chunk the fast decoder rejects is
read again line by line, and a line it rejects goes through the position-aware loader, so the
diagnostic names its file, line and column exactly as for any other file. Memory stays flat but
for each case's id, kept to find repeated ids (about 80 bytes a case); where a case was read is
found again, in one pass, only for the cases a diagnostic names. YAML, JSON, Excel and whole CSV
files are read whole by the ordinary loaders and turned into the same typed rows; a piece of a
CSV file is read as its rows under the file's header row.

A reader reports what it can see alone, every diagnostic placed, and what the whole must
settle (its case ids in order, judgements, a CSV piece that cannot be read at all):
:mod:`ccirules.pieces` settles them. A case id seen twice is reported at the repeat's id, with
where it was first seen, whatever the files' formats (E404).

One difference is documented rather than paid for: in JSON Lines, a key repeated within one
record keeps its last value, as in most JSON readers; YAML and JSON files report it (E410).
"""

from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence

import msgspec

from ccirules.cases import Case, InputFile, Judgements
from ccirules.codegen import case_id_of
from ccirules.compiler import CompiledRuleset
from ccirules.diagnostics import Diagnostic, error
from ccirules.loaders import FORMATS, MAX_CASE_FILE_BYTES, expand_paths, load_file
from ccirules.loaders.documents import DocumentError, records_and_judgements
from ccirules.loaders.records import CASE_KEY, Field, RecordBuilder, repeated_case
from ccirules.reading import decode, open_failure, open_regular
from ccirules.source import SourceFile, Span

CHUNK_BYTES = 1024 * 1024

#: The longest line read: a case, like a file read whole, is at most MAX_CASE_FILE_BYTES.
MAX_LINE_BYTES = MAX_CASE_FILE_BYTES


class Piece(msgspec.Struct, frozen=True):
    """What one reader reads: a whole file (``end`` None), or the byte range ``start`` to
    ``end`` of a JSON Lines or CSV file, starting at line ``first_line``. A CSV piece after the
    first carries where its file's header row is: (start, end, line)."""

    path: str
    kind: str  # the file's format, as loaders.FORMATS names it
    start: int = 0
    end: int | None = None
    first_line: int = 1
    header: tuple[int, int, int] | None = None


def whole_files(paths: Sequence[str], diagnostics: list[Diagnostic]) -> list[Piece]:
    """Every case file named (folders expanded, as :func:`expand_paths` does), each whole."""
    return [Piece(path, FORMATS.get(os.path.splitext(path)[1].lower(), ""))
            for path in expand_paths(paths, diagnostics)]


class FileRows:
    """One piece of a case file read as batches of typed rows (a
    :class:`~ccirules.rows.RowSource` for what it read), every case once.

    Every record that gives a case id claims it, usable or not: a later record with the same id
    is a repeat (E404), as in a file read whole. After :meth:`batches` is exhausted:
    ``diagnostics`` and ``files`` hold what this reader found and hashed; ``judged`` the
    judgement fields it read, ``claimed_ids`` the ids claimed, in order, and ``fatal`` the problem
    of a CSV piece that could not be read at all, for whoever gathers the pieces to settle.
    """

    def __init__(self, piece: Piece, ruleset: CompiledRuleset, exact_lines: bool = False,
                 seen: dict[str, Span] | None = None) -> None:
        """``exact_lines`` records each JSON Lines case's line number as it is read (for traces,
        which give every case's location); otherwise it is found when a diagnostic needs it.
        ``seen`` are case ids claimed before this piece, with where: each is a repeat here."""
        self.piece = piece
        self.exact_lines = exact_lines
        self.ruleset = ruleset
        self.scorer = ruleset.scorer
        self.diagnostics: list[Diagnostic] = []
        self.files: list[InputFile] = []
        self.judgements = Judgements({}, {})  # settled for the whole, not by a reader
        self.cases = 0
        self.judged: list[tuple[Field, str]] = []
        self.fatal: Diagnostic | None = None
        self._builder = RecordBuilder(ruleset)
        self._seen = dict(seen or {})
        self._claims: dict[str, Span | None] = {}  # ids claimed here (spans found later: None)
        self._cases: dict[str, Case] = {}  # cases read by the position-aware loaders
        self._lines: dict[str, tuple[str, int]] = {}  # JSON Lines places found (or kept)
        self._repeats: list[tuple[str, Span]] = []  # (id, where it was repeated)

    @property
    def claimed_ids(self) -> list[str]:
        return list(self._claims)

    # ---- reading ----------------------------------------------------------------------------

    def batches(self) -> Iterator[list]:
        piece = self.piece
        if piece.kind == "jsonl":
            yield from self._json_lines(piece)
        else:
            self._builder.seen.update(self._seen)  # the builder finds repeats in whole records
            if piece.kind == "csv" and piece.end is not None:
                cases = self._csv_piece(piece)
            else:
                digest, cases, fields = load_file(piece.path, self._builder, self.diagnostics)
                if digest is not None:
                    self.files.append(InputFile(piece.path, digest))
                self.judged.extend((field, piece.path) for field in fields)
            self._claims.update((case_id, span) for case_id, span in self._builder.seen.items()
                                if case_id not in self._seen)
            rows = [self._counted(case) for case in cases]
            if rows:
                yield rows
        self.diagnostics.extend(self._builder.diagnostics)
        self._builder.diagnostics.clear()
        if self._repeats:
            self.find_lines(case_id for case_id, _ in self._repeats)
            for case_id, span in self._repeats:
                first = self._seen.get(case_id) or self.locate(case_id, CASE_KEY)
                self.diagnostics.append(repeated_case(case_id, span, first))

    def _counted(self, case: Case):
        """A usable case, counted; its row."""
        self._cases[case.id] = case
        self.cases += 1
        return self.scorer.row_from_case(case)

    def _claimed(self, case_id: str) -> bool:
        return case_id in self._claims or case_id in self._seen

    def _claim(self, case_id: str, span: Span | None = None) -> None:
        self._claims[case_id] = span

    def _json_lines(self, piece: Piece) -> Iterator[list]:
        path = piece.path
        handle = open_regular(path)
        if isinstance(handle, Diagnostic):
            self.diagnostics.append(handle)
            return
        decoder = self.scorer.decoder
        line_number = piece.first_line
        digest = hashlib.sha256()  # a whole file is hashed as it is read: it is read once
        with handle:
            handle.seek(piece.start)
            if piece.start == 0:
                head = handle.read(len(codecs.BOM_UTF8))
                if head == codecs.BOM_UTF8:
                    digest.update(head)
                else:
                    handle.seek(0)
            left = None if piece.end is None else piece.end - handle.tell()
            while left is None or left > 0:
                chunk = handle.read(CHUNK_BYTES if left is None else min(CHUNK_BYTES, left))
                if not chunk:
                    break
                if not chunk.endswith(b"\n") and (left is None or len(chunk) < left):
                    chunk += handle.readline(MAX_LINE_BYTES)
                    if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
                        self.diagnostics.append(
                            _line_too_long(path, line_number + chunk.count(b"\n")))
                        return
                if left is not None:
                    left -= len(chunk)
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
        if piece.end is None:
            self.files.append(InputFile(path, digest.hexdigest()))

    def _accept(self, rows: list, path: str, chunk: bytes, first_line: int) -> list:
        """Rows decoded in one go: record each id with where to find its line (the chunk's first
        line and the row's place among the chunk's non-blank lines), or, at a repeated id, undo
        and go line by line so the repeat is reported where it is. The decoder also takes
        records that share a line (``}{``), which JSON Lines does not allow: then too the chunk
        goes line by line, where such a line is reported (E401)."""
        numbers = [first_line + offset for offset, line in enumerate(chunk.split(b"\n"))
                   if line.strip()]
        fresh = [case_id_of(row) for row in rows]
        if len(numbers) != len(rows) or len(set(fresh)) < len(rows) or \
                any(map(self._claimed, fresh)):
            return list(self._lines_one_by_one(path, chunk, first_line))
        for case_id in fresh:
            self._claim(case_id)
        self.cases += len(rows)
        if self.exact_lines:
            self._lines.update((case_id, (path, number))
                               for case_id, number in zip(fresh, numbers, strict=True))
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
                yield from self._slow_line(path, number, line)
                continue
            case_id = case_id_of(row)
            if self._claimed(case_id):
                self._repeats.append((case_id, self._id_span(path, number, line)))
                continue
            self._claim(case_id)
            self.cases += 1
            if self.exact_lines:
                self._lines[case_id] = (path, number)
            yield row

    def _slow_line(self, path: str, number: int, line: bytes) -> list:
        """A line the fast decoder rejected: read it with positions, for exact diagnostics;
        its rows (none, unless it holds usable cases)."""
        try:
            text = line.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as problem:
            source = SourceFile(path, line.decode("utf-8", errors="replace"), first_line=number)
            offset = len(line[:problem.start].decode("utf-8", errors="replace"))
            self.diagnostics.append(error("E101", "this line is not UTF-8 text",
                                          source.span(offset, offset + 1),
                                          hint="save the file again as UTF-8"))
            return []
        source = SourceFile(path, text, first_line=number)
        try:
            records, judgements = records_and_judgements(_parsed_line(source))
            if judgements:
                raise DocumentError(error("E410", "judgements go in a YAML or JSON file, not "
                                          "in JSON Lines", source.span(0, len(text))))
        except DocumentError as problem:
            self.diagnostics.append(problem.diagnostic)
            return []
        rows = []
        for record in records:
            self._builder.seen.clear()  # repeats are found here, against every id claimed
            case = self._builder.build(record.fields, record.span)
            for case_id, span in self._builder.seen.items():  # the record's id, if it has one
                if self._claimed(case_id):
                    self._repeats.append((case_id, span))
                    case = None
                else:
                    self._claim(case_id, span)
            if case is not None:
                rows.append(self._counted(case))
        return rows

    def _csv_piece(self, piece: Piece) -> list[Case]:
        """The cases in a piece of a CSV file, read under the file's header row. A piece that
        cannot be read as CSV at all is ``fatal``: as for a whole file, its file gives no
        cases, only that diagnostic."""
        from ccirules.loaders.tables import csv_records

        header = None
        handle = open_regular(piece.path)
        if isinstance(handle, Diagnostic):
            self.diagnostics.append(handle)
            return []
        try:
            with handle:
                if piece.header is not None:
                    start, end, line = piece.header
                    handle.seek(start)
                    header = decode(piece.path, handle.read(end - start), line)
                handle.seek(piece.start)
                data = handle.read(piece.end - piece.start)
        except OSError as problem:
            self.diagnostics.append(open_failure(piece.path, problem))
            return []
        body = decode(piece.path, data, piece.first_line)
        for decoded in (header, body):
            if isinstance(decoded, Diagnostic):
                self.fatal = decoded
                return []
        try:
            records = list(csv_records(body, header))
        except DocumentError as problem:
            self.fatal = problem.diagnostic
            return []
        return [case for case in (self._builder.build(r.fields, r.span) for r in records) if case]

    # ---- locating ---------------------------------------------------------------------------

    def find_lines(self, case_ids: Iterable[str]) -> None:
        """Find, in one pass over the JSON Lines pieces, where the given cases were read (the
        first time each appears), so that :meth:`locate` can say."""
        wanted = {case_id for case_id in case_ids
                  if case_id not in self._cases and case_id not in self._lines}
        if not wanted or self.piece.kind != "jsonl":
            return
        finder = msgspec.json.Decoder(_CaseOnly)
        for number, line in _lines_of(self.piece):
            try:
                case_id = str(finder.decode(line).case).strip()
            except (msgspec.ValidationError, msgspec.DecodeError):
                continue
            if case_id in wanted:
                self._lines[case_id] = (self.piece.path, number)
                wanted.discard(case_id)
                if not wanted:
                    return

    def locate(self, case_id: str, field: str | None) -> Span:
        """Where a case's record (``field`` None) or one of its fields was read. JSON Lines are
        read again, with positions, only now, when a diagnostic needs them."""
        case = self._cases.get(case_id)
        if case is not None:
            return case.origins.get(field, case.span) if field is not None else case.span
        claimed = self._claims.get(case_id)
        if field == CASE_KEY and claimed is not None:
            return claimed
        if case_id not in self._lines:
            self.find_lines([case_id])
        path, number = self._lines[case_id]
        source = SourceFile(path, _read_line(path, number), first_line=number)
        try:
            (record,), _ = records_and_judgements(_parsed_line(source))
        except (DocumentError, ValueError):
            return source.span(0, len(source.text))
        if field is None:
            return record.span
        return next((candidate.value_span for candidate in record.fields
                     if candidate.key == field), record.span)

    def record_location(self, case_id: str) -> dict[str, object]:
        """Where a case's record is, as JSON: its file and line (or spreadsheet cell)."""
        case = self._cases.get(case_id)
        if case is not None:
            return case.span.to_json()
        if case_id not in self._lines:
            self.find_lines([case_id])
        path, number = self._lines[case_id]
        return {"file": path, "line": number}

    def _id_span(self, path: str, number: int, line: bytes) -> Span:
        """Where a JSON Lines record gives its case id (found only for a repeated id)."""
        source = SourceFile(path, line.decode("utf-8", errors="replace").rstrip("\r"),
                            first_line=number)
        try:
            (record,), _ = records_and_judgements(_parsed_line(source))
        except (DocumentError, ValueError):
            return source.span(0, len(source.text))
        return next((field.value_span for field in record.fields if field.key == CASE_KEY),
                    record.span)


def _parsed_line(source: SourceFile):
    from ccirules.loaders.json_positions import parse_json  # only for a line in question

    return parse_json(source)


def _lines_of(piece: Piece) -> Iterator[tuple[int, bytes]]:
    """A JSON Lines piece's lines with their numbers (the file's first without its byte-order
    mark, as it was read)."""
    handle = open_regular(piece.path)
    if isinstance(handle, Diagnostic):
        return
    with handle:
        handle.seek(piece.start)
        position = piece.start
        for number, line in enumerate(handle, start=piece.first_line):
            if piece.end is not None and position >= piece.end:
                return
            yield number, line.removeprefix(codecs.BOM_UTF8) if position == 0 else line
            position += len(line)


def _read_line(path: str, wanted: int) -> str:
    for number, line in _lines_of(Piece(path, "jsonl")):
        if number == wanted:
            return line.decode("utf-8", errors="replace").rstrip("\r\n")
    return ""


def _line_too_long(path: str, number: int) -> Diagnostic:
    """E102 for a JSON Lines line longer than a file read whole may be (reading stops)."""
    return error("E102", f"line {number:,} is longer than {MAX_LINE_BYTES:,} bytes; a line of "
                 "JSON Lines holds one case", Span(SourceFile(path, ""), number, 1, number, 1),
                 hint="check that this is a JSON Lines file, with one case per line")


class _CaseOnly(msgspec.Struct):
    """Just a record's id, for finding a case's line again."""

    case: str | int

