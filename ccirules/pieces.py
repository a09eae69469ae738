"""Scoring case files piece by piece, in one process or several, with the same result.

The inputs are cut into pieces (:class:`~ccirules.loaders.stream.Piece`): for several processes,
JSON Lines and CSV files larger than :data:`PIECE_BYTES` into byte ranges that start and end on a
record boundary (for CSV, a line break outside quotes, so a quoted field may hold line breaks),
other files whole; for one, only CSV files too large to read whole (JSON Lines stream anyway).
Each piece is read and counted by the engine on its own, in this process or in a worker
(``jobs``), and comes back with what it counted and found, every diagnostic already placed; the
pieces are merged in order. What
only the whole can decide is decided at the merge, as for one file: a case id repeated across
pieces (E404), the inspection's judgements, "no cases", and a CSV file that cannot be read at
all (its first such problem is reported and the file gives no cases). Counting is addition and
every list is sorted before it is written, so the output is the same, byte for byte, whatever
``jobs`` is.

Workers are forked, so they share this process's compiled ruleset; where fork is not available
(outside Linux) every piece is read in this process.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import sys
from collections.abc import Sequence

import msgspec

from ccirules.cases import InputFile
from ccirules.compiler import CompiledRuleset
from ccirules.diagnostics import Diagnostic, has_errors, sorted_unique
from ccirules.evaluator import CaseTrace, Evaluation, Problems, Run, finish
from ccirules.loaders import MAX_CASE_FILE_BYTES, no_cases, read_judgements
from ccirules.loaders.records import CASE_KEY, Field
from ccirules.loaders.stream import FileRows, Piece, whole_files
from ccirules.source import Span

#: Inputs smaller than this in all are read in one process unless --jobs says otherwise:
#: starting workers would cost more than they save.
PARALLEL_BYTES = 8 * 1024 * 1024

#: JSON Lines and CSV files are cut into pieces of about this size.
PIECE_BYTES = 4 * 1024 * 1024

#: How much of a file is read at a time while looking for piece boundaries.
_SCAN_BYTES = 1024 * 1024


def available_cpus() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_jobs(paths: Sequence[str]) -> int:
    """Processes to use when none is asked for: every available CPU for inputs of
    :data:`PARALLEL_BYTES` or more in all, one otherwise."""
    total = 0
    for piece in whole_files(paths, []):
        try:
            total += os.path.getsize(piece.path)
        except OSError:
            continue
    return available_cpus() if total >= PARALLEL_BYTES else 1


class PieceResult(msgspec.Struct):
    """What reading one piece gives: its counts, its placed problems and diagnostics, and what
    the merge must settle (the case ids it counted, judgements, a fatal problem)."""

    groups: dict[str, list[int]]
    sizes: dict[str, int]
    problems: Problems
    traced: list[tuple[str, str, dict]]
    diagnostics: list[Diagnostic]
    judged: list[tuple[Field, str]]
    files: list[InputFile]
    ids: list[str]  # every id its records claimed, in order
    cases: int
    fatal: Diagnostic | None


def evaluate_files(ruleset: CompiledRuleset, paths: Sequence[str], *, jobs: int = 1,
                   by: str | None = None, allow_unanswered: bool = False,
                   trace: bool = False) -> Evaluation:
    """Score case files and folders piece by piece, in ``jobs`` processes."""
    diagnostics: list[Diagnostic] = []
    pieces, digests = cut(whole_files(paths, diagnostics), several=jobs > 1)
    task = _Task(ruleset, by, allow_unanswered, trace)
    context = _fork_context() if jobs > 1 and len(pieces) > 1 else None
    if context is not None:
        _TASKS.append(task)
        try:
            with context.Pool(min(jobs, len(pieces))) as pool:
                results = pool.map(_read_piece, pieces, chunksize=1)
        finally:
            _TASKS.pop()
    else:
        results = [task.read(piece) for piece in pieces]
    return _merged(task, paths, list(zip(pieces, results, strict=True)), digests, diagnostics)


def _fork_context():
    """Forked workers, where the platform has them (they inherit the task), else None."""
    import multiprocessing  # here: one process needs none of it

    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


# ---- cutting files into pieces ---------------------------------------------------------------


def cut(files: list[Piece], several: bool = True) -> tuple[list[Piece], list[InputFile]]:
    """Pieces for the files, for ``several`` processes or one (see the module docstring); and
    the sha256 of every file cut (read once here, while looking for boundaries, since no piece
    holds a whole one)."""
    pieces: list[Piece] = []
    digests: list[InputFile] = []
    for file in files:
        try:
            size = os.path.getsize(file.path)
        except OSError:
            size = 0
        found = None
        cuttable = ("jsonl", "csv") if several else ("csv",)
        if file.kind in cuttable and size > (PIECE_BYTES if several else MAX_CASE_FILE_BYTES):
            try:
                found, digest = _boundaries(file, size)
            except OSError:
                found = None  # the reader reports why it cannot be read
        if found is None or len(found) == 1:
            pieces.append(file)
            continue
        pieces.extend(found)
        digests.append(InputFile(file.path, digest))
    return pieces, digests


def _boundaries(file: Piece, size: int) -> tuple[list[Piece] | None, str]:
    """Cut a file into pieces of about PIECE_BYTES, reading it once: a piece ends at the
    first record end at or after its target size. A CSV record ends at a line break with an
    even number of quotes before it (quotes within a quoted field come in pairs); a CSV piece
    after the first carries where the header row is. None when the file is better read whole
    (a CSV whose header row cannot be found in its first block)."""
    csv_file = file.kind == "csv"
    header = None
    starts = [(0, 1)]  # (offset, line)
    digest = hashlib.sha256()
    offset = lines = quotes = 0
    target = PIECE_BYTES
    with open(file.path, "rb") as handle:
        while block := handle.read(_SCAN_BYTES):
            digest.update(block)
            if csv_file and offset == 0:
                header = _header(block)
                if header is None:
                    return None, ""
            search = 0
            while offset + len(block) > target:
                newline = block.find(b"\n", max(search, target - offset - 1))
                if newline < 0:
                    break
                search = newline + 1
                if csv_file and (quotes + block.count(b'"', 0, newline)) % 2:
                    continue  # inside a quoted field
                end = offset + newline + 1
                if end >= size:
                    break
                if header is not None and end <= header[1]:
                    target = header[1]  # a piece after the first starts below the header
                    continue
                starts.append((end, lines + block.count(b"\n", 0, newline) + 2))
                target = end + PIECE_BYTES
            lines += block.count(b"\n")
            quotes += block.count(b'"')
            offset += len(block)
    ends = [start for start, _ in starts[1:]] + [size]
    return [Piece(file.path, file.kind, start, end, line, header if index else None)
            for index, ((start, line), end) in enumerate(zip(starts, ends, strict=True))], \
        digest.hexdigest()


def _header(block: bytes) -> tuple[int, int, int] | None:
    """Where a CSV file's header row ends, as the range (0, end, 1) that holds it (with any
    blank rows before it), found the way the CSV reader finds it: the first row with a cell
    that is not blank. None if it is not within the block's whole lines."""
    from ccirules.loaders.tables import delimiter_of

    whole = block[:block.rfind(b"\n") + 1]
    body = whole.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines, delimiter=delimiter_of(text), strict=True)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                end = len(whole) - len(body) + sum(len(line.encode()) for line in
                                                   lines[:reader.line_num])
                return (0, end, 1) if whole[:end].endswith(b"\n") else None
    except csv.Error:
        return None
    return None


# ---- reading a piece -------------------------------------------------------------------------


class _Task:
    """What every piece is read for: the ruleset and the evaluation's options."""

    def __init__(self, ruleset: CompiledRuleset, by: str | None, allow_unanswered: bool,
                 trace: bool) -> None:
        self.ruleset, self.by = ruleset, by
        self.allow_unanswered, self.trace = allow_unanswered, trace

    def read(self, piece: Piece, seen: dict[str, Span] | None = None) -> PieceResult:
        """Read and count one piece; ``seen`` are ids read before it (see FileRows)."""
        source = FileRows(piece, self.ruleset, exact_lines=self.trace, seen=seen)
        run = Run(self.ruleset.scorer, self.by, self.trace, False)
        for batch in source.batches():
            run.count(batch)
        problems = run.located_problems(self.ruleset, source, self.allow_unanswered)
        problems.kept = [(key, diagnostic.detached()) for key, diagnostic in problems.kept]
        traced = [(case, codes, source.record_location(case))
                  for case, codes, _ in run.traced or ()]
        return PieceResult(
            run.groups, run.sizes, problems, traced,
            [diagnostic.detached() for diagnostic in source.diagnostics],
            [(_detached_field(field), path) for field, path in source.judged],
            source.files, source.claimed_ids, source.cases,
            source.fatal.detached() if source.fatal is not None else None)


#: The task of the run in progress, inherited by forked workers.
_TASKS: list[_Task] = []


def _read_piece(piece: Piece) -> PieceResult:
    return _TASKS[-1].read(piece)


def _detached_field(field: Field) -> Field:
    return msgspec.structs.replace(field, key_span=field.key_span.detached(),
                                   value_span=field.value_span.detached())


# ---- merging ---------------------------------------------------------------------------------


class _Merged:
    """The pieces' results as one source, for :func:`ccirules.evaluator.finish`."""

    def __init__(self, cases: int, diagnostics: list[Diagnostic], judgements,
                 files: list[InputFile]) -> None:
        self.cases, self.diagnostics, self.judgements, self.files = (
            cases, diagnostics, judgements, files)


def _merged(task: _Task, paths: Sequence[str], read: list[tuple[Piece, PieceResult]],
            digests: list[InputFile], diagnostics: list[Diagnostic]) -> Evaluation:
    read, unreadable = _without_unreadable_files(read, diagnostics)
    read = _settle_repeats(task, read)
    cases = sum(result.cases for _, result in read)
    run = Run(task.ruleset.scorer, task.by, False, False)
    problems = Problems([], [0, 0])
    judged: list[tuple[Field, str]] = []
    files = [file for file in digests if file.path not in unreadable]
    traced: list[tuple[str, str, dict]] = []
    for _, result in read:
        run.add(result.groups, result.sizes)
        problems.merge(result.problems)
        diagnostics.extend(result.diagnostics)
        judged.extend(result.judged)
        files.extend(result.files)
        traced.extend(result.traced)
    judgements = read_judgements(task.ruleset, judged, diagnostics)
    if cases == 0 and not has_errors(diagnostics):  # warnings (W409) do not count
        diagnostics.append(no_cases(paths))
    source = _Merged(cases, list(sorted_unique(diagnostics)), judgements,
                     sorted(files, key=lambda file: file.path))
    traces = tuple(CaseTrace(case, codes, location) for case, codes, location
                   in sorted(traced, key=lambda item: item[0])) if task.trace else None
    return finish(task.ruleset, run, problems, source, traces)


def _without_unreadable_files(read: list[tuple[Piece, PieceResult]],
                              diagnostics: list[Diagnostic]
                              ) -> tuple[list[tuple[Piece, PieceResult]], set[str]]:
    """A CSV file with a piece that cannot be read gives what a whole unreadable file gives:
    its first such problem and nothing else (nor its digest, when it is not UTF-8 text)."""
    fatal: dict[str, Diagnostic] = {}
    for piece, result in read:
        known = fatal.get(piece.path)
        if result.fatal is not None and (known is None
                                         or result.fatal.sort_key() < known.sort_key()):
            fatal[piece.path] = result.fatal
    diagnostics.extend(fatal.values())
    undecodable = {path for path, problem in fatal.items() if problem.code == "E101"}
    return [(piece, result) for piece, result in read if piece.path not in fatal], undecodable


def _settle_repeats(task: _Task, read: list[tuple[Piece, PieceResult]]
                    ) -> list[tuple[Piece, PieceResult]]:
    """Pieces read again where they claim a case id an earlier piece claimed: every such
    record is then a repeat (E404, with where the id was first seen), as when one reader reads
    everything in order. Rare: repeated ids are mistakes."""
    first: dict[str, int] = {}
    again: dict[int, list[str]] = {}
    for index, (_, result) in enumerate(read):
        for case_id in result.ids:
            if case_id in first:
                again.setdefault(index, []).append(case_id)
            else:
                first[case_id] = index
    placed: dict[int, FileRows] = {}

    def place(case_id: str) -> Span:
        index = first[case_id]
        if index not in placed:
            reader = placed[index] = FileRows(read[index][0], task.ruleset)
            if read[index][0].kind != "jsonl":  # JSON Lines are searched, not read
                for _ in reader.batches():
                    pass
        return placed[index].locate(case_id, CASE_KEY)

    settled = list(read)
    for index, case_ids in again.items():
        piece = read[index][0]
        settled[index] = (piece, task.read(piece, {case_id: place(case_id)
                                                   for case_id in case_ids}))
    return settled
