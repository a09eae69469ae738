"""YAML and JSON case files: parsed with positions, then read as cases and judgements.

Both formats become the same tree of :class:`DocNode` values, each with its span. YAML is composed
with PyYAML's C loader in its "base" mode, where every scalar stays text: `yes`, `no`, `1.1` and
`010` mean what the inspector typed, not booleans or numbers, and the ruleset decides their type.
Aliases are refused (they could multiply a small file into a huge one). JSON is parsed with
positions by :mod:`ccirules.loaders.json_positions`.

A document holds one case (a mapping with a `case` key), a list of cases, or a mapping with
`cases:` and/or `judgements:` (ratings for scores judged directly).
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.loaders.records import CASE_KEY, Field
from ccirules.source import SourceFile, Span

MAX_NODES = 2_000_000  # values in one YAML or JSON file; far beyond any inspection


class DocNode(msgspec.Struct, frozen=True):
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
