"""Places in a document as an editor counts them, and as ccirules does.

The Language Server Protocol breaks lines at ``\\n``, ``\\r\\n`` and ``\\r``, and counts characters
in the code units of the encoding agreed at start-up: UTF-16 unless the editor offers another,
so a Welsh ``ŵ`` is one unit and an emoji two. ccirules breaks lines at ``\\n`` only and counts
code points. Both meet at offsets into the text (code points), which this class converts to and
from LSP positions exactly.
"""

from __future__ import annotations

import bisect
import re

from ccirules.source import SourceFile, Span

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

#: Code units of one character in each encoding LSP knows.
_UNITS = {
    "utf-8": lambda char: len(char.encode("utf-8")),
    "utf-16": lambda char: 2 if ord(char) > 0xFFFF else 1,
    "utf-32": lambda char: 1,
}


class Positions:
    """Converts between offsets into ``text`` and LSP (line, character) positions."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self._units = _UNITS.get(encoding, _UNITS["utf-16"])
        self._starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        """The LSP (line, character) of an offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        return line, sum(map(self._units, self.text[self._starts[line]:offset]))

    def offset(self, line: int, character: int) -> int:
        """The offset of an LSP position; one past the end of its line is the line's end."""
        if line >= len(self._starts):
            return len(self.text)
        start = self._starts[max(line, 0)]
        end = self._starts[line + 1] if line + 1 < len(self._starts) else len(self.text)
        counted = 0
        for offset in range(start, end):
            if counted >= character or self.text[offset] in "\r\n":
                return offset
            counted += self._units(self.text[offset])
        return end

    def span_range(self, span: Span, source: SourceFile) -> tuple[tuple[int, int], ...]:
        """A ccirules span as an LSP (start, end) pair of positions."""
        return (self.position(source.offset(span.line, span.column)),
                self.position(source.offset(span.end_line, span.end_column)))
