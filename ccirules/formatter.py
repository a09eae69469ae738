"""`ccirules fmt`: a ruleset in the printer's canonical layout, with every comment kept.

The layout is the printer's (:mod:`ccirules.printer`), so rulesets printed by code and rulesets
formatted by people look alike. What the tree does not hold, the formatter takes from the source:

- **Comments.** The parser returns them beside the tree, with their places, and every printed
  line knows where its construct began. A comment at the end of a line ends the line printed
  from the last construct begun before it: the last on its line, or the one its line continues
  (but for a block opened and closed on one line, its header rather than its `end`). When
  several end up bound for one printed line, as when a clause written over two lines is joined,
  the last ends it and the others stand above it, in order. A comment on a line of its own goes
  before the construct that follows it in the source, indented as that construct is (one level
  in before an `end`, so it stays inside the block); comments after the last construct end the
  file. A clause the layout moves (say, `welsh` written after `version`) takes its comments
  with it.
- **Blank lines.** One is kept wherever the source had one or more, except at the start of the
  file and before an `end`.

Text with syntax errors is not formatted: the parser may have replaced or dropped what it could
not read, so the result could not be trusted. Every result is parsed again and must give the same
nodes and the same comments, or formatting fails as a bug rather than change what a ruleset says.
"""

from __future__ import annotations

import bisect
import codecs
import collections
import difflib
import os
import re
import sys

import attrs

from ccirules import nodes, printer
from ccirules.diagnostics import Diagnostic, error
from ccirules.output import write_output
from ccirules.parser import parse
from ccirules.reading import MAX_BYTES, decode, read_bytes
from ccirules.source import SourceFile

#: What separates code from a comment at the end of its line.
_BEFORE_TRAILING = "  "


@attrs.frozen
class Formatted:
    """The formatted text (None when the source has syntax errors, which are the diagnostics)."""

    text: str | None
    diagnostics: tuple[Diagnostic, ...]


def format_source(source: SourceFile) -> Formatted:
    """Format ruleset text: the canonical layout, its comments and blank lines kept, and the
    line ending of its first line (LF or CRLF) used throughout."""
    parsed = parse(source)
    if parsed.ruleset is None or parsed.diagnostics:
        return Formatted(None, parsed.diagnostics)
    text = layout(parsed.ruleset, parsed.comments, source)
    again = parse(SourceFile(source.path, text))
    if (again.diagnostics, again.ruleset) != ((), parsed.ruleset) or \
            _texts(again.comments) != _texts(parsed.comments):
        raise AssertionError(f"formatting {source.path} would change what it says")
    if source.text.split("\n", 1)[0].endswith("\r"):
        text = text.replace("\n", "\r\n")
    return Formatted(text, ())


def _texts(comments: tuple[nodes.Comment, ...]) -> collections.Counter[str]:
    return collections.Counter(comment.text for comment in comments)


def layout(ruleset: nodes.Ruleset, comments: tuple[nodes.Comment, ...],
           source: SourceFile) -> str:
    """The printer's lines for ``ruleset``, with ``comments`` and the blank lines of ``source``
    placed among them (see the module's docstring)."""
    lines = [line for declaration in ruleset.declarations
             for line in printer.declaration_lines(declaration)]
    trailing, before = _place(lines, comments)
    blank = {number for number in range(1, source.text.count("\n") + 2)
             if not source.line_text(number).strip()}
    out: list[str] = []
    previous = 0  # the source line of what was emitted last

    def emit(line: printer.Line, source_line: int) -> None:
        nonlocal previous
        if out and not line.closes and source_line != previous and source_line - 1 in blank:
            out.append("")
        out.append(line.indented())
        previous = source_line

    for index in range(len(lines) + 1):
        following = lines[index] if index < len(lines) else None
        depth = 0 if following is None else following.depth + following.closes
        # Of several comments bound for the end of one line, the last ends it and the others
        # stand above it, in order: where formatting again finds them, and leaves them.
        for comment in before[index] + trailing[index][:-1]:
            emit(printer.Line(depth, comment.text, None), comment.span.line)
        if following is None:
            break
        ending = "".join(_BEFORE_TRAILING + comment.text for comment in trailing[index][-1:])
        emit(attrs.evolve(following, text=following.text + ending), following.at[0])
    return "\n".join(out) + "\n" if out else ""


def _place(lines: list[printer.Line], comments: tuple[nodes.Comment, ...]
           ) -> tuple[dict[int, list[nodes.Comment]], dict[int, list[nodes.Comment]]]:
    """Which printed line each comment ends (``trailing``), or which it stands before
    (``before``; index ``len(lines)`` is the end of the file), in source order."""
    starts = sorted((line.at, index) for index, line in enumerate(lines))
    places = [start for start, _ in starts]
    trailing: dict[int, list[nodes.Comment]] = collections.defaultdict(list)
    before: dict[int, list[nodes.Comment]] = collections.defaultdict(list)
    for comment in comments:
        at = (comment.span.line, comment.span.column)
        after = bisect.bisect_left(places, at)  # constructs [0, after) began before it
        if comment.trailing and after:
            trailing[_ended_by(lines, starts[after - 1][1], at[0])].append(comment)
        else:
            before[starts[after][1] if after < len(starts) else len(lines)].append(comment)
    return trailing, before


def _ended_by(lines: list[printer.Line], last: int, line: int) -> int:
    """The printed line a comment at the end of source line ``line`` ends, given ``last``, the
    last construct begun before it: that construct, unless it is the `end` of a block begun on
    the same line (``standard 1.1 "Staff" judged directly end  # ...``), whose header it is."""
    if lines[last].closes and lines[last].at[0] == line:
        header = last - 1
        while lines[header].depth != lines[last].depth:  # everything between is nested deeper
            header -= 1
        if lines[header].at[0] == line:
            return header
    return last


# ---- files -----------------------------------------------------------------------------------


@attrs.frozen
class FormattedFile:
    """A ruleset file read and formatted. ``before`` is None when it could not be read,
    ``after`` when it could not be formatted; the diagnostics say why."""

    path: str
    before: str | None
    after: str | None
    diagnostics: tuple[Diagnostic, ...]
    bom: bool = False  # the file starts with a UTF-8 byte-order mark, which a rewrite keeps

    @property
    def changed(self) -> bool:
        return self.after is not None and self.after != self.before


def format_file(path: str) -> FormattedFile:
    """Read and format one ruleset file (``-`` is standard input), changing nothing."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            return FormattedFile(path, None, None, (error(
                "E102", f"standard input holds more than {MAX_BYTES:,} bytes; rulesets are "
                "limited to that", SourceFile("<stdin>", "").whole()),))
        read = decode("<stdin>", data)
    else:
        read = read_bytes(path)
        if not isinstance(read, Diagnostic):
            data, read = read.data, read.source
    if isinstance(read, Diagnostic):
        return FormattedFile(path, None, None, (read,))
    formatted = format_source(read)
    return FormattedFile(path, read.text, formatted.text, formatted.diagnostics,
                         data.startswith(codecs.BOM_UTF8))


def rewrite(result: FormattedFile) -> Diagnostic | None:
    """Write a changed file's formatted text in its place, as every output is written
    (:func:`ccirules.output.write_output`: atomically, keeping its permissions; a symbolic
    link stays one, the file it points to rewritten), keeping its byte-order mark. None when
    written, else why not."""
    return write_output(result.path, "\ufeff" * result.bom + result.after)


def ruleset_files(paths: tuple[str, ...]) -> list[str]:
    """The files to format: files as given, and every ``.rules`` file under a folder (hidden
    folders, such as ``.git`` and ``.venv``, left out): a folder's own files in name order,
    then its subfolders'."""
    found = []
    for path in paths:
        if not os.path.isdir(path):
            found.append(path)
            continue
        for folder, subfolders, names in os.walk(path):
            subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
            found += [os.path.join(folder, name) for name in sorted(names)
                      if name.endswith(".rules")]
    return found


def unified_diff(result: FormattedFile) -> str:
    """What formatting changes in a file, as a unified diff naming the file as given (so
    ``patch -p0`` applies it)."""
    lines = []
    for line in difflib.unified_diff(_lines(result.before), _lines(result.after), result.path,
                                     result.path):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def _lines(text: str) -> list[str]:
    """Lines as rulesets have them, ended by ``\\n`` only (``str.splitlines`` would also split
    a title at a form feed or a Unicode line separator)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)
