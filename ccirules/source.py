"""Source text and the spans that point into it.

Every node and diagnostic carries a :class:`Span`, so any number or error can be traced back to the
file, line and column it came from. Spans are metadata: nodes exclude them from equality, which lets
a ruleset printed back to text and re-parsed compare equal to the original.
"""

from __future__ import annotations

import bisect
import itertools

from attrs import field, frozen


@frozen
class SourceFile:
    """A named text, decoded and with its BOM removed.

    ``path`` is what diagnostics print: the path the user gave, not an absolute one, so output does
    not depend on the working directory. ``first_line`` is the line of the file the text starts
    at: a piece of a large file (one line of JSON Lines, part of a CSV) is a source of its own,
    with the file's line numbers, without holding the rest of the file.
    """

    path: str
    text: str = field(repr=False)
    sha256: str | None = field(default=None, repr=False, eq=False)  # of the bytes read, if any
    first_line: int = field(default=1, repr=False)
    _line_starts: tuple[int, ...] = field(init=False, repr=False, eq=False)

    @_line_starts.default
    def _compute_line_starts(self) -> tuple[int, ...]:
        lines = self.text.split("\n")  # a step per line, not per character
        return tuple(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))

    def position(self, offset: int) -> tuple[int, int]:
        """Return the 1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line_index = bisect.bisect_right(self._line_starts, offset) - 1
        return line_index + self.first_line, offset - self._line_starts[line_index] + 1

    def offset(self, line: int, column: int) -> int:
        """The character offset of a 1-based (line, column): the inverse of :meth:`position`
        (for editors, which count lines and columns their own way)."""
        index = max(0, min(line - self.first_line, len(self._line_starts) - 1))
        return min(self._line_starts[index] + max(column, 1) - 1, len(self.text))

    def line_text(self, line: int) -> str:
        """Return one line (1-based, counted in the whole file) without its line ending."""
        index = line - self.first_line + 1
        if not 1 <= index <= len(self._line_starts):
            return ""
        start = self._line_starts[index - 1]
        end = self._line_starts[index] if index < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def line_window(self, line: int, start: int, end: int) -> tuple[str, int]:
        """Characters ``start`` to ``end`` (0-based columns) of one line, and the line's
        length: a part of a long line costs what the part costs, not what the line does."""
        index = line - self.first_line + 1
        if not 1 <= index <= len(self._line_starts):
            return "", 0
        first = self._line_starts[index - 1]
        last = self._line_starts[index] - 1 if index < len(self._line_starts) else len(self.text)
        if last > first and self.text[last - 1] == "\r":
            last -= 1
        return self.text[first + start:min(first + end, last)], last - first

    def span(self, start: int, end: int) -> Span:
        """Return the span covering character offsets ``start`` to ``end`` (exclusive)."""
        line, column = self.position(start)
        end_line, end_column = self.position(max(start, end))
        return Span(self, line, column, end_line, end_column)

    def whole(self) -> Span:
        """A span for the file as a whole, for problems with no better place (an empty file)."""
        return Span(self, self.first_line, 1, self.first_line, 1)


@frozen
class Span:
    """A region of a source file: 1-based lines and columns, the end column exclusive."""

    source: SourceFile = field(repr=lambda source: repr(source.path))
    line: int
    column: int
    end_line: int
    end_column: int
    cell: str | None = None  # a spreadsheet cell such as "Cases!D7", printed instead of line:col

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def where(self) -> str:
        """``file:line:column``, or ``file:Sheet!A1`` for a spreadsheet cell."""
        if self.cell is not None:
            return f"{self.source.path}:{self.cell}"
        return f"{self.source.path}:{self.line}:{self.column}"

    def sort_key(self) -> tuple[str, int, int]:
        return (self.source.path, self.line, self.column)

    def detached(self) -> Span:
        """The same span on a source holding only the lines it covers: what a diagnostic shows
        of it, without the rest of a large text (to send from one process to another)."""
        lines = [self.source.line_text(number) for number in range(self.line, self.end_line + 1)]
        return Span(SourceFile(self.source.path, "\n".join(lines), first_line=self.line),
                    self.line, self.column, self.end_line, self.end_column, self.cell)

    def to_json(self) -> dict[str, object]:
        located: dict[str, object] = {
            "file": self.source.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }
        if self.cell is not None:
            located["cell"] = self.cell
        return located
