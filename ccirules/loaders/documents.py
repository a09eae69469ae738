"""YAML and JSON case files: parsed with positions, then read as cases and judgements.

Both formats become the same tree of :class:`DocNode` values, each with its span. YAML is read
from the events of PyYAML's C parser in its "base" mode, where every scalar stays text: `yes`,
`no`, `1.1` and `010` mean what the inspector typed, not booleans or numbers, and the ruleset
decides their type. Aliases are refused (they could multiply a small file into a huge one).
JSON is parsed with positions by :mod:`ccirules.loaders.json_positions`.

A document holds one case (a mapping with a `case` key), a list of cases, or a mapping with
`cases:` and/or `judgements:` (ratings for scores judged directly).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import msgspec

from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.limits import MAX_FILE_VALUES
from ccirules.loaders.records import CASE_KEY, Field
from ccirules.source import SourceFile, Span


class DocNode(msgspec.Struct, frozen=True):
    kind: str  # "map", "list" or "scalar"
    value: object  # pairs of DocNodes, a list of DocNodes, or a scalar
    span: Span


class DocumentError(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def too_many_values(span: Span) -> Diagnostic:
    """E102 for a file read whole that holds more keys, values or cells than the limit."""
    return error("E102", f"this file holds more than {MAX_FILE_VALUES:,} values; case files read "
                 "whole are limited to that", span,
                 hint="write large programmes as JSON Lines (.jsonl), which `eval` streams")


# ---- YAML ------------------------------------------------------------------------------------


def parse_yaml(source: SourceFile) -> list[DocNode]:
    """Every document in a YAML stream; raises DocumentError with a located diagnostic.

    Nodes are built straight from the parser's events, one pass with an explicit stack, so
    nesting depth is not bounded by Python's recursion, an alias is refused where it is met
    (before anything is expanded), and a file is refused at its MAX_FILE_VALUES-th value, before
    its cost grows with it.
    """
    import yaml  # here, not at the top: only YAML input needs it (about 20 ms at start)

    documents: list[DocNode] = []
    stack: list[tuple[str, int, list[DocNode]]] = []
    count = 0
    # The parser's marks give each scalar's line and column directly, unless the text has line
    # breaks YAML counts and the file's lines do not (a lone CR, NEL, LS, PS).
    marked = _OTHER_BREAKS.search(source.text) is None
    try:
        for event in yaml.parse(source.text, Loader=yaml.CBaseLoader):
            kind = type(event)
            if kind is yaml.ScalarEvent or kind is yaml.MappingStartEvent or \
                    kind is yaml.SequenceStartEvent:
                count += 1
                if count > MAX_FILE_VALUES:
                    raise DocumentError(too_many_values(_span(source, event, event)))
            if kind is yaml.ScalarEvent:
                plain_null = event.style is None and event.value in _NULLS
                node = DocNode("scalar", None if plain_null else event.value,
                               _marked_span(source, event) if marked else
                               _span(source, event, event))
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                stack.append(("map" if kind is yaml.MappingStartEvent else "list",
                              event.start_mark.index, []))
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                container, start, items = stack.pop()
                value = list(zip(items[0::2], items[1::2], strict=True)) \
                    if container == "map" else items
                node = DocNode(container, value, source.span(
                    start, max(start + 1, event.end_mark.index)))
            elif kind is yaml.AliasEvent:
                raise DocumentError(error(
                    "E410", "YAML aliases (`*name`) are not allowed in case files",
                    _span(source, event, event), hint="write the values out in full"))
            else:
                continue  # the stream's and documents' starts and ends
            if stack:
                stack[-1][2].append(node)
            else:
                documents.append(node)
    except yaml.MarkedYAMLError as problem:
        mark = problem.problem_mark or problem.context_mark
        offset = mark.index if mark is not None else 0
        raise DocumentError(error(
            "E401", f"this YAML cannot be read: {problem.problem or problem.context}",
            source.span(offset, offset + 1),
            hint="check the indentation and the quoting around this point")) from None
    except yaml.YAMLError as problem:
        raise DocumentError(error("E401", f"this YAML cannot be read: {problem}",
                                  source.whole())) from None
    return documents


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


_OTHER_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


def _marked_span(source: SourceFile, event) -> Span:
    """A scalar's span from the parser's marks (0-based lines and columns), as
    :func:`_span` would find it by searching the text's lines, at a fraction of the cost."""
    start, end, first = event.start_mark, event.end_mark, source.first_line
    if end.index <= start.index:
        return Span(source, start.line + first, start.column + 1, start.line + first,
                    start.column + 2)
    return Span(source, start.line + first, start.column + 1, end.line + first, end.column + 1)


def _span(source: SourceFile, first, last) -> Span:
    start = first.start_mark.index
    return source.span(start, max(start + 1, last.end_mark.index))


# ---- documents to records --------------------------------------------------------------------


class Record(msgspec.Struct, frozen=True):
    fields: tuple[Field, ...]
    span: Span


def records_and_judgements(document: DocNode) -> tuple[list[Record], list[Field]]:
    """The case records and judgement fields a document holds; DocumentError if neither."""
    if document.kind == "list":
        return [_record(item) for item in document.value], []
    if document.kind != "map":
        raise DocumentError(error(
            "E410", "a case file holds a case, a list of cases, or `cases:` and `judgements:`",
            document.span, hint=f"start each case with `{CASE_KEY}: ID`"))
    keys = {key_text(key): value for key, value in document.value}
    if not {"cases", "judgements", "inspection"} & keys.keys():
        return [_record(document)], []  # one case (the builder reports a missing id)
    records: list[Record] = []
    judgements: list[Field] = []
    for key, value in document.value:
        name = key_text(key)
        if name == "cases":
            if value.kind != "list":
                raise DocumentError(error("E410", "`cases` must be a list of cases", value.span))
            records.extend(_record(item) for item in value.value)
        elif name == "judgements":
            if value.kind != "map":
                raise DocumentError(error("E410", "`judgements` must map scores to ratings",
                                          value.span, hint="for example `1.1: good`"))
            judgements.extend(_fields(value))
        elif name == "inspection":  # facts about the inspection: see ccirules.facts
            from ccirules.facts import FactField

            if value.kind != "map":
                raise DocumentError(error("E410", "`inspection` must map facts to values",
                                          value.span, hint="for example `area: Northamptonshire`"))
            judgements.extend(FactField(f.key, f.value, f.key_span, f.value_span)
                              for f in _fields(value))
        else:
            raise DocumentError(error("E410", f"`{name}` is not expected here; a file of cases "
                                      "has `cases:`, `judgements:` and `inspection:`", key.span))
    return records, judgements


def _record(node: DocNode) -> Record:
    if node.kind != "map":
        raise DocumentError(error("E410", "each case must be a mapping of names to values",
                                  node.span, hint=f"for example `{CASE_KEY}: C001`"))
    return Record(tuple(_fields(node)), node.span)


def _fields(node: DocNode) -> Iterator[Field]:
    seen: dict[str, Span] = {}
    for key, value in node.value:
        name = key_text(key)
        if name in seen:
            raise DocumentError(error("E410", f"`{name}` is given twice", key.span,
                                      hint="keep one of them",
                                      related=[Related(seen[name], "first given here")]))
        seen[name] = key.span
        if value.kind != "scalar":
            raise DocumentError(error("E410", f"`{name}` must have a single value", value.span))
        yield Field(name, value.value, key.span, value.span)


def key_text(key: DocNode) -> str:
    """A mapping key as text; anything but a plain scalar is refused (E410)."""
    if key.kind != "scalar" or key.value is None:
        raise DocumentError(error("E410", "keys must be plain names", key.span))
    value = key.value
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
