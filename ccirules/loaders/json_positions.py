"""JSON with positions: a Lark grammar keeps every key's and value's line and column, so a
problem in a JSON case file (or a JSON Lines line) is reported exactly where it is.

Only JSON input needs this module (and so Lark); the fast path for JSON Lines decodes with
msgspec and comes here only for a line it rejects.
"""

from __future__ import annotations

import functools
import json
import math

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from ccirules.diagnostics import Related, error
from ccirules.grammars import grammar_text
from ccirules.loaders.documents import MAX_NODES, DocNode, DocumentError
from ccirules.source import SourceFile, Span


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
