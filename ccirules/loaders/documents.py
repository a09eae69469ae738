"""YAML and JSON case files: parsed with positions, then read as cases and judgements.

Both formats become the same tree of :class:`DocNode` values, each with its span. YAML is composed
with PyYAML's C loader in its "base" mode, where every scalar stays text: `yes`, `no`, `1.1` and
`010` mean what the inspector typed, not booleans or numbers, and the ruleset decides their type.
Aliases are refused (they could multiply a small file into a huge one). JSON is parsed with a Lark
grammar so that every key and value keeps its line and column.

A document holds one case (a mapping with a `case` key), a list of cases, or a mapping with
`cases:` and/or `judgements:` (ratings for scores judged directly).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator

import attrs
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.grammars import grammar_text
from ccirules.loaders.records import CASE_KEY, Field
from ccirules.source import SourceFile, Span

MAX_NODES = 2_000_000  # values in one YAML or JSON file; far beyond any inspection


@attrs.frozen
class DocNode:
    kind: str  # "map", "list" or "scalar"
    value: object  # pairs of DocNodes, a list of DocNodes, or a scalar
    span: Span


class DocumentError(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


# ---- YAML ------------------------------------------------------------------------------------


def parse_yaml(source: SourceFile) -> list[DocNode]:
    """Every document in a YAML stream; raises DocumentError with a located diagnostic."""
    import yaml  # here, not at the top: only YAML input needs it (about 20 ms at start)

    try:
        documents = list(yaml.compose_all(source.text, Loader=yaml.CBaseLoader))
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
    converter = _YamlConverter(source)
    return [converter.convert(document) for document in documents if document is not None]


class _YamlConverter:
    """Composed YAML nodes to DocNodes (yaml is imported by the time this is used)."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.seen: set[int] = set()

    def convert(self, root) -> DocNode:
        import yaml

        # Iterative: nesting depth is up to the file, not to Python's recursion limit.
        results: dict[int, DocNode] = {}
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if not expanded:
                if id(node) in self.seen:
                    raise DocumentError(error(
                        "E410", "YAML aliases (`*name`) are not allowed in case files",
                        self._first_alias() or self._span(node),
                        hint="write the values out in full"))
                self.seen.add(id(node))
                if len(self.seen) > MAX_NODES:
                    raise DocumentError(error("E410", "this file holds too many values",
                                              self._span(node)))
                stack.append((node, True))
                if isinstance(node, yaml.MappingNode):
                    stack.extend((child, False) for pair in node.value for child in pair)
                elif isinstance(node, yaml.SequenceNode):
                    stack.extend((child, False) for child in node.value)
                continue
            span = self._span(node)
            if isinstance(node, yaml.MappingNode):
                pairs = [(results.pop(id(k)), results.pop(id(v))) for k, v in node.value]
                results[id(node)] = DocNode("map", pairs, span)
            elif isinstance(node, yaml.SequenceNode):
                results[id(node)] = DocNode("list", [results.pop(id(c)) for c in node.value],
                                            span)
            else:
                plain_null = node.style is None and node.value in ("", "~", "null", "Null",
                                                                   "NULL")
                results[id(node)] = DocNode("scalar", None if plain_null else node.value, span)
        return results[id(root)]

    def _first_alias(self) -> Span | None:
        """Where the first alias is used (the composer keeps only the anchored node)."""
        import yaml

        for event in yaml.parse(self.source.text, Loader=yaml.CBaseLoader):
            if isinstance(event, yaml.AliasEvent):
                return self.source.span(event.start_mark.index, event.end_mark.index)
        return None

    def _span(self, node) -> Span:
        return self.source.span(node.start_mark.index, max(node.start_mark.index + 1,
                                                           node.end_mark.index))


# ---- JSON ------------------------------------------------------------------------------------


@functools.cache
def _json_parser() -> Lark:
    return Lark(grammar_text("json.lark"), parser="lalr", lexer="basic", propagate_positions=True)


def parse_json(source: SourceFile, start: int = 0, end: int | None = None) -> DocNode:
    """The JSON document in ``source.text[start:end]`` (a whole file, or one line of JSON Lines),
    with spans in ``source``; raises DocumentError with a located diagnostic."""
    text = source.text[start:end]
    try:
        tree = _json_parser().parse(text)
    except UnexpectedInput as problem:
        offset = getattr(problem, "pos_in_stream", None) or 0
        found = text[offset:offset + 1] or "the end of the text"
        hint = ("JSON has no NaN or Infinity; leave the value empty (null) instead"
                if text[offset:offset + 3] in ("NaN", "Inf") else
                "check for a missing comma, quote or bracket just before this point")
        raise DocumentError(error("E401", f"this JSON cannot be read: unexpected `{found}`",
                                  source.span(start + offset, start + offset + 1),
                                  hint=hint)) from None
    return _json_node(source, start, tree)


def _json_node(source: SourceFile, start: int, root: Tree | Token) -> DocNode:
    results: dict[int, DocNode] = {}
    stack: list[tuple[Tree | Token, bool]] = [(root, False)]
    count = 0
    while stack:
        item, expanded = stack.pop()
        if not expanded:
            count += 1
            if count > MAX_NODES:
                raise DocumentError(error("E410", "this file holds too many values",
                                          source.whole()))
            stack.append((item, True))
            if isinstance(item, Tree):
                stack.extend((child, False) for child in item.children
                             if child is not None)
            continue
        results[id(item)] = _json_value(source, start, item, results)
    return results[id(root)]


def _json_value(source: SourceFile, start: int, item: Tree | Token,
                done: dict[int, DocNode]) -> DocNode:
    if isinstance(item, Token):
        span = source.span(start + item.start_pos, start + item.end_pos)
        if item.type == "STRING":  # a pair's key, or a string's text
            return DocNode("scalar", json.loads(str(item)), span)
        return DocNode("token", str(item), span)  # a number's text, read by its parent
    span = source.span(start + item.meta.start_pos, start + item.meta.end_pos)
    children = [done.pop(id(child)) for child in item.children if child is not None]
    match item.data:
        case "string":
            return DocNode("scalar", json.loads(str(item.children[0])), span)
        case "number":
            return DocNode("scalar", json_number(str(item.children[0]), span), span)
        case "true" | "false" | "null":
            return DocNode("scalar", {"true": True, "false": False, "null": None}[item.data],
                           span)
        case "array":
            return DocNode("list", children, span)
        case "pair":
            key, value = children
            return DocNode("pair", (key, value), span)
        case "object":
            pairs = [child.value for child in children]
            keys: dict[str, DocNode] = {}
            for key, _ in pairs:
                if key.value in keys:
                    raise DocumentError(error(
                        "E410", f"the key `{key.value}` appears twice in one object", key.span,
                        hint="keep one of them", related=[Related(keys[key.value].span,
                                                                  "first here")]))
                keys[key.value] = key
            return DocNode("map", pairs, span)
    raise AssertionError(f"unknown JSON node {item.data}")


def json_number(text: str, span: Span) -> int | float:
    """A JSON number as Python reads it, refusing ones no answer could be (1e999, 5000 digits)."""
    try:
        number = json.loads(text)
    except ValueError:
        number = None
    if number is None or (isinstance(number, float) and not math.isfinite(number)):
        raise DocumentError(error("E403", "this number is too large to be a value", span,
                                  hint="case files hold answers and attributes, not big numbers"))
    return number


# ---- documents to records --------------------------------------------------------------------


@attrs.frozen
class Record:
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
    if not {"cases", "judgements"} & keys.keys():
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
        else:
            raise DocumentError(error("E410", f"`{name}` is not expected here; a file of cases "
                                      "has `cases:` and `judgements:`", key.span))
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
