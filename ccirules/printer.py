"""Nodes back to ruleset text, in one canonical layout: two spaces per level of nesting, one
clause per line, the rows of a band table aligned by padding before `from`.

Printing then parsing gives equal nodes (spans aside); the property tests rely on that, and it is
the basis for generating rulesets from code. The printer works in lines (:class:`Line`), each
knowing where the construct it prints began in the source, so that the formatter
(:mod:`ccirules.formatter`) can lay out a hand-written file in this same layout and put each
comment back beside the construct it was written by. :func:`print_ruleset` prints nodes alone,
with a blank line between declarations.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

import attrs

from ccirules import nodes
from ccirules.source import Span

_BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|-?\d+(\.\d+)*")
_INDENT = "  "


@functools.cache
def keywords() -> frozenset[str]:
    """Every word the grammar reserves (a value spelled like one must be quoted)."""
    from ccirules.parser import lark_parser

    return frozenset(terminal.pattern.value for terminal in lark_parser().terminals
                     if terminal.pattern.type == "str")


@attrs.frozen
class Line:
    """One line of the canonical layout.

    ``at`` is the (line, column) in the source where the construct printed here began: a
    declaration's first word, a clause's value, a row's first word, a block's `end`. It is None
    for nodes made in code. ``closes`` marks a block's `end`, whose comments belong inside it.
    """

    depth: int
    text: str
    at: tuple[int, int] | None
    closes: bool = False

    def nested(self) -> Line:
        return attrs.evolve(self, depth=self.depth + 1)

    def indented(self) -> str:
        return _INDENT * self.depth + self.text


def print_ruleset(ruleset: nodes.Ruleset) -> str:
    blocks = ["\n".join(line.indented() for line in declaration_lines(declaration))
              for declaration in ruleset.declarations]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def declaration_lines(node: nodes.Declaration) -> list[Line]:
    """A declaration (with everything nested in it) as lines, starting at depth 0."""
    return _PRINTERS[type(node)](node)


def _at(span: Span | None) -> tuple[int, int] | None:
    return None if span is None else (span.line, span.column)


def _end(span: Span | None) -> Line:
    """The `end` that closes a block: the last word of the block's span."""
    at = None if span is None else (span.end_line, span.end_column - len("end"))
    return Line(0, "end", at, closes=True)


# ---- leaves ----------------------------------------------------------------------------------


def _text(text: nodes.Text) -> str:
    return f'"{text.value}"'


#: Keywords the grammar also accepts as plain values (``value yes means sufficient``).
_VALUE_KEYWORDS = frozenset({"yes", "no"})


def print_word(word: nodes.Word) -> str:
    """A value as a ruleset writes it: bare when it can be, else in quotes."""
    return _word(word)


def _word(word: nodes.Word) -> str:
    bare = word.text not in keywords() or word.text in _VALUE_KEYWORDS
    if _BARE_WORD.fullmatch(word.text) and bare:
        return word.text
    return f'"{word.text}"'


def _name(name: nodes.Name) -> str:
    """A name, quoted when it is spelled like a keyword (so it cannot be read as one)."""
    return f'"{name.text}"' if name.text in keywords() else name.text


def _number(number: nodes.Number) -> str:
    return _decimal(number.value)


def _decimal(value: Decimal) -> str:
    return format(value, "f")


def _titled(keyword: str, name: nodes.Name, title: nodes.Text | None) -> str:
    return f"{keyword} {_name(name)}" + (f" {_text(title)}" if title is not None else "")


def _clause(text: str, node: object) -> Line:
    """A clause of a declaration, one level in, placed where its node was written."""
    return Line(1, text, _at(node.span))


def _texts(**clauses: nodes.Text | None) -> list[Line]:
    return [_clause(f"{keyword} {_text(value)}", value) for keyword, value in clauses.items()
            if value is not None]


# ---- declarations ----------------------------------------------------------------------------


def _metadata(node: nodes.Metadata) -> list[Line]:
    lines = [Line(0, f"ruleset {_text(node.title)}", _at(node.span))]
    lines += _texts(welsh=node.welsh, description=node.description, version=node.version)
    if node.effective_from is not None:
        until = f" to {node.effective_to.value}" if node.effective_to is not None else ""
        lines.append(_clause(f"effective from {node.effective_from.value}{until}",
                             node.effective_from))
    if node.rounding is not None:
        lines.append(_clause(_rounding(node.rounding), node.rounding))
    if node.band_basis is not None:
        lines.append(Line(1, f"apply bands to {node.band_basis.value} scores",
                          _at(node.band_basis_span)))
    return lines


def _rounding(rounding: nodes.Rounding) -> str:
    places = "whole numbers" if rounding.places == 0 else (
        f"{rounding.places} decimal place" + ("" if rounding.places == 1 else "s"))
    return f"round {rounding.mode.value} to {places}"


def _scale(node: nodes.Scale) -> list[Line]:
    lines = [Line(0, _titled("scale", node.name, node.title), _at(node.span))]
    lines += _texts(welsh=node.welsh, description=node.description)
    for value in node.values:
        head = f"value {_word(value.value)}"
        head += f" {_text(value.title)}" if value.title is not None else ""
        lines += _row(value, f"{head} means {value.category.value}", value.points, value.welsh)
    lines.append(_end(node.span))
    return lines


def _attribute(node: nodes.Attribute) -> list[Line]:
    head = _titled("attribute", node.name, node.title)
    return [Line(0, f"{head} {print_attribute_type(node.type)}", _at(node.span)),
            *_texts(welsh=node.welsh, description=node.description)]


def print_attribute_type(kind: nodes.AttributeType) -> str:
    """An attribute's type as written: `one of custody, community`, `yes or no`..."""
    match kind:
        case nodes.ChoiceType(values=values):
            return "one of " + ", ".join(_word(value) for value in values)
        case nodes.WholeNumberType(low=low, high=high):
            if low is None or high is None:
                return "whole number"
            return f"whole number from {_number(low)} to {_number(high)}"
        case nodes.YesNoType():
            return "yes or no"
    return "text"


def _level(node: nodes.Level) -> list[Line]:
    lines = [Line(0, _titled("level", node.name, node.title), _at(node.span))]
    lines += _texts(welsh=node.welsh, description=node.description)
    if node.within is not None:
        lines.append(_clause(f"within {_name(node.within)}", node.within))
    lines += _score_clauses(node.rule, node.bands, ())
    return lines


def _question(node: nodes.Question) -> list[Line]:
    lines = [Line(0, _titled("question", node.name, node.title), _at(node.span))]
    lines += _texts(welsh=node.welsh, description=node.description)
    if node.applies is not None:
        lines.append(_clause(f"applies when {_condition(node.applies)}", node.applies))
    if node.scale is not None:
        lines.append(_clause(f"on scale {_name(node.scale)}", node.scale))
    if node.key_for:
        lines.append(_clause("key question for " + ", ".join(map(_name, node.key_for)),
                             node.key_for[0]))
    if node.under is not None:
        lines.append(_clause(f"under {_name(node.under)}", node.under))
    return lines


def _group(node: nodes.Group) -> list[Line]:
    lines = [Line(0, f"{node.level.text} {_name(node.name)} {_text(node.title)}",
                  _at(node.span))]
    lines += _texts(welsh=node.welsh, description=node.description)
    if node.applies is not None:
        lines.append(_clause(f"applies when {_condition(node.applies)}", node.applies))
    if node.scale is not None:
        lines.append(_clause(f"on scale {_name(node.scale)}", node.scale))
    lines += _score_clauses(node.rule, node.bands, node.limits)
    for member in node.members:
        lines += [line.nested() for line in declaration_lines(member)]
    lines.append(_end(node.span))
    return lines


def _score(node: nodes.Score) -> list[Line]:
    keyword = "headline" if node.headline else "score"
    lines = [Line(0, _titled(keyword, node.name, node.title), _at(node.span))]
    lines += _texts(welsh=node.welsh, description=node.description)
    lines += _score_clauses(node.rule, node.bands, node.limits)
    if node.rounding is not None:
        lines.append(_clause(_rounding(node.rounding), node.rounding))
    return lines


def _score_clauses(rule: nodes.ScoreRule | None, bands: nodes.Name | None,
                   limits: tuple[nodes.Limit, ...]) -> list[Line]:
    lines = []
    if rule is not None:
        lines.append(_clause(print_rule(rule), rule))
    if bands is not None:
        lines.append(_clause(f"banded by {_name(bands)}", bands))
    for limit in limits:
        lines.append(_clause(f"at most {_word(limit.label)} when {_condition(limit.condition)}",
                             limit))
    return lines


def print_rule(rule: nodes.ScoreRule) -> str:
    """A score's rule as written: `scored as lowest of its questions`, `judged directly`."""
    match rule:
        case nodes.Judged():
            return "judged directly"
        case nodes.WeightedMean(terms=terms):
            return "scored as weighted mean of " + ", ".join(
                f"{_name(term.name)} weight {_number(term.weight)}" for term in terms)
        case nodes.Aggregate(kind=kind, operands=operands):
            prefix = {nodes.AggregateKind.SUM_OF_POINTS: "sum of points of",
                      nodes.AggregateKind.SHARE_OF_POINTS: "share of points of"}.get(
                kind, f"{kind.value} of")
            return f"scored as {prefix} {_operands(operands)}"
    raise AssertionError(f"unknown rule {rule!r}")


def _operands(operands: nodes.Operands) -> str:
    items = []
    for operand in operands.items:
        if operand.kind is nodes.OperandKind.NAMED:
            items.append(_name(operand.name))
        elif operand.kind is nodes.OperandKind.EVERY:
            items.append(f"every {_name(operand.name)}")
        else:
            items.append(operand.kind.value)
    text = ", ".join(items)
    if operands.excluded:
        text += " except " + ", ".join(map(_name, operands.excluded))
    return text


def _bands(node: nodes.BandTable) -> list[Line]:
    """A band table, its rows padded before `from` so that the bounds line up."""
    lines = [Line(0, _titled("bands", node.name, node.title), _at(node.span))]
    lines += _texts(welsh=node.welsh, description=node.description)
    heads = [f"band {_word(band.label)}" + (f" {_text(band.title)}" if band.title else "")
             for band in node.bands]
    width = max(map(len, heads), default=0)
    for head, band in zip(heads, node.bands, strict=True):
        upper = ("below " if band.below else "") + _number(band.high)
        lines += _row(band, f"{head.ljust(width)} from {_number(band.low)} to {upper}",
                      band.points, band.welsh)
    lines.append(_end(node.span))
    return lines


def _row(node: nodes.ScaleValue | nodes.Band, text: str, points: nodes.Number | None,
         welsh: nodes.Text | None) -> list[Line]:
    """A row of a scale or band table (`value yes "Yes" means sufficient points 1`), with its
    Welsh title on a line of its own below it."""
    text += f" points {_number(points)}" if points is not None else ""
    row = [_clause(text, node)]
    return row + ([Line(2, f"welsh {_text(welsh)}", _at(welsh.span))] if welsh else [])


_PRINTERS = {
    nodes.Metadata: _metadata, nodes.Scale: _scale, nodes.Attribute: _attribute,
    nodes.Level: _level, nodes.Question: _question, nodes.Group: _group,
    nodes.Score: _score, nodes.BandTable: _bands,
}


def print_clause(node: object) -> str:
    """One clause, row or attribute as it would be written, on one line (Welsh titles left out):
    what `ccirules diff` shows of a change, in the ruleset's own words."""
    match node:
        case nodes.Aggregate() | nodes.WeightedMean() | nodes.Judged():
            return print_rule(node)
        case nodes.Limit(label=label, condition=condition):
            return f"at most {_word(label)} when {_condition(condition)}"
        case nodes.Rounding():
            return _rounding(node)
        case nodes.Band():
            upper = ("below " if node.below else "") + _number(node.high)
            return _one_row("band", node.label, node.title,
                            f"from {_number(node.low)} to {upper}", node.points)
        case nodes.ScaleValue():
            return _one_row("value", node.value, node.title, f"means {node.category.value}",
                            node.points)
        case nodes.Attribute():
            return f"{_titled('attribute', node.name, node.title)} " \
                   f"{print_attribute_type(node.type)}"
    raise AssertionError(f"no clause printer for {node!r}")


def _one_row(keyword: str, word: nodes.Word, title: nodes.Text | None, body: str,
             points: nodes.Number | None) -> str:
    titled = f" {_text(title)}" if title is not None else ""
    counted = f" points {_number(points)}" if points is not None else ""
    return f"{keyword} {_word(word)}{titled} {body}{counted}"


# ---- conditions ------------------------------------------------------------------------------


def print_condition(condition: nodes.Condition) -> str:
    """A condition as it would be written in a ruleset (for traces and explanations)."""
    return _condition(condition)


def _condition(condition: nodes.Condition) -> str:
    match condition:
        case nodes.All(operands=operands):
            return " and ".join(_operand(operand) for operand in operands)
        case nodes.Any(operands=operands):
            return " or ".join(_operand(operand) for operand in operands)
        case nodes.Not(operand=operand):
            return f"not {_operand(operand)}"
        case nodes.Compare(subject=subject, comparator=comparator, number=number):
            return f"{_name(subject)} {comparator.value} {_number(number)}"
        case nodes.InSet(subject=subject, negated=negated, values=values):
            listed = ", ".join(_word(value) for value in values)
            return f"{_name(subject)} {'not ' if negated else ''}in ({listed})"
        case nodes.Is(subject=subject, negated=negated, test=test):
            return f"{_name(subject)} is {'not ' if negated else ''}{_test(test)}"
    raise AssertionError(f"unknown condition {condition!r}")


def _operand(condition: nodes.Condition) -> str:
    """A condition inside `and`, `or` or `not`: compound ones are parenthesised, so the nesting
    that was parsed is the nesting that is printed."""
    text = _condition(condition)
    return f"({text})" if isinstance(condition, nodes.All | nodes.Any) else text


def _test(test: nodes.Test) -> str:
    match test:
        case nodes.ValueTest(value=value):
            return _word(value)
        case nodes.CategoryTest(category=category):
            return category.value
        case nodes.RatedTest(label=label):
            return f"rated {_word(label)}"
    raise AssertionError(f"unknown test {test!r}")
