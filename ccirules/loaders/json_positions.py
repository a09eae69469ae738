"""JSON with positions: every key and value keeps its line and column, so a problem in a JSON case
file (or a JSON Lines line) is reported exactly where it is.

A small reader written for the purpose: the structure is walked with an explicit stack (nesting
depth is the file's to choose, not Python's recursion limit), strings are decoded by the
json module's own C scanner and numbers by ``json.loads``, for exact JSON semantics, and the
document is refused as soon as it holds more than :data:`MAX_FILE_VALUES` keys and values, before
their cost grows with it. The fast path for JSON Lines decodes with msgspec and comes here only
for a line it rejects.
"""

from __future__ import annotations

import json
import math
import re
from json.decoder import scanstring

import attrs

from ccirules.diagnostics import Related, error
from ccirules.limits import MAX_FILE_VALUES
from ccirules.loaders.documents import DocNode, DocumentError, too_many_values
from ccirules.source import SourceFile

_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"true|false|null")
_WORDS = {"true": True, "false": False, "null": None}


def parse_json(source: SourceFile, start: int = 0, end: int | None = None) -> DocNode:
    """The JSON document in ``source.text[start:end]`` (a whole file, or one line of JSON Lines),
    with spans in ``source``; raises DocumentError with a located diagnostic."""
    return _Reader(source, start, len(source.text) if end is None else end).document()


@attrs.define
class _Open:
    """An array or object being read: where it starts, and what it holds so far."""

    kind: str  # "list" or "map"
    start: int
    items: list = attrs.Factory(list)  # values, or (key, value) pairs
    key: DocNode | None = None  # an object's key awaiting its value
    keys: dict[str, DocNode] = attrs.Factory(dict)


class _Reader:
    def __init__(self, source: SourceFile, start: int, end: int) -> None:
        self.source = source
        self.text = source.text
        self.pos = start
        self.end = end
        self.nodes = 0

    def document(self) -> DocNode:
        stack: list[_Open] = []
        while True:
            node = self._opening(stack)
            if node is None:
                continue  # an array or object was opened: read its first value
            while True:
                if not stack:
                    self._skip()
                    if self.pos < self.end:
                        self._unexpected()
                    return node
                container = stack[-1]
                if container.kind == "map":
                    self._pair(container, node)
                else:
                    container.items.append(node)
                closing = "}" if container.kind == "map" else "]"
                char = self._next_char()
                if char == ",":
                    self.pos += 1
                    if container.kind == "map":
                        container.key = self._key()
                    break
                if char != closing:
                    self._unexpected()
                self.pos += 1
                stack.pop()
                node = DocNode(container.kind, container.items,
                               self.source.span(container.start, self.pos))

    def _opening(self, stack: list[_Open]) -> DocNode | None:
        """Read a value; for `[` or `{` open it on the stack and return None, unless it is
        empty (then it is a complete value)."""
        char = self._next_char()
        if char not in ("[", "{"):
            return self._scalar()
        self._counted()
        kind, closing = ("list", "]") if char == "[" else ("map", "}")
        start = self.pos
        self.pos += 1
        if self._next_char() == closing:
            self.pos += 1
            return DocNode(kind, [], self.source.span(start, self.pos))
        container = _Open(kind, start)
        if kind == "map":
            container.key = self._key()
        stack.append(container)
        return None

    def _key(self) -> DocNode:
        if self._next_char() != '"':
            self._unexpected()
        key = self._scalar()
        if self._next_char() != ":":
            self._unexpected()
        self.pos += 1
        return key

    def _pair(self, container: _Open, value: DocNode) -> None:
        key = container.key
        first = container.keys.get(key.value)
        if first is not None:
            raise DocumentError(error(
                "E410", f"the key `{key.value}` appears twice in one object", key.span,
                hint="keep one of them", related=[Related(first.span, "first here")]))
        container.keys[key.value] = key
        container.items.append((key, value))

    def _scalar(self) -> DocNode:
        self._counted()
        start = self.pos
        char = self.text[start:start + 1] if start < self.end else ""
        if char == '"':
            try:
                value, after = scanstring(self.text, start + 1, True)
            except json.JSONDecodeError as problem:
                self.pos = min(problem.pos, self.end)
                self._unexpected()
            if after > self.end:
                self.pos = self.end
                self._unexpected()
            self.pos = after
            return DocNode("scalar", value, self.source.span(start, after))
        for pattern in (_NUMBER, _WORD):
            match = pattern.match(self.text, start, self.end)
            if match:
                self.pos = match.end()
                span = self.source.span(start, self.pos)
                word = match.group()
                value = _WORDS[word] if pattern is _WORD else json_number(word)
                return DocNode("scalar", value, span)
        self._unexpected()

    def _counted(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_FILE_VALUES:
            raise DocumentError(too_many_values(self.source.span(self.pos, self.pos + 1)))

    def _skip(self) -> None:
        self.pos = _SPACE.match(self.text, self.pos, self.end).end()

    def _next_char(self) -> str:
        self._skip()
        return self.text[self.pos] if self.pos < self.end else ""

    def _unexpected(self):
        offset = self.pos
        found = self.text[offset:offset + 1] if offset < self.end else ""
        shown = found if found.isprintable() and found else (
            repr(found)[1:-1] if found else "the end of the text")
        hint = ("JSON has no NaN or Infinity; leave the value empty (null) instead"
                if self.text[offset:offset + 3] in ("NaN", "Inf", "-In") else
                "check for a missing comma, quote or bracket just before this point")
        raise DocumentError(error("E401", f"this JSON cannot be read: unexpected `{shown}`",
                                  self.source.span(offset, offset + 1), hint=hint))


def json_number(text: str) -> int | float | str:
    """A JSON number as Python reads it; one Python cannot hold as a number (1e999, 5,000
    digits) is kept as the text written, for the loader to judge as it judges any text."""
    try:
        number = json.loads(text)
    except ValueError:
        return text
    if isinstance(number, float) and not math.isfinite(number):
        return text
    return number
