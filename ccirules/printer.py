"""Nodes back to ruleset text, in one canonical layout.

Printing then parsing gives equal nodes (spans aside); the property tests rely on that, and it is
the basis for generating rulesets from code. Comments are not nodes, so they are not printed:
this is not yet a formatter for hand-written files.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from ccirules import nodes

_BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|-?\d+(\.\d+)*")
_INDENT = "  "


@functools.cache
def keywords() -> frozenset[str]:
    """Every word the grammar reserves (a value spelled like one must be quoted)."""
    from ccirules.parser import lark_parser

    return frozenset(terminal.pattern.value for terminal in lark_parser().terminals
                     if terminal.pattern.type == "str")


def print_ruleset(ruleset: nodes.Ruleset) -> str:
    blocks = [_declaration(declaration, 0) for declaration in ruleset.declarations]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _declaration(node: nodes.Declaration, depth: int) -> str:
    printer = _PRINTERS[type(node)]
    return "\n".join(_INDENT * depth + line if line else line for line in printer(node))


# ---- leaves ----------------------------------------------------------------------------------


def _text(text: nodes.Text) -> str:
    return f'"{text.value}"'


#: Keywords the grammar also accepts as plain values (``value yes means sufficient``).
_VALUE_KEYWORDS = frozenset({"yes", "no"})


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


def _texts(**clauses: nodes.Text | None) -> list[str]:
    return [f"{_INDENT}{keyword} {_text(value)}" for keyword, value in clauses.items()
            if value is not None]


# ---- declarations ----------------------------------------------------------------------------


def _metadata(node: nodes.Metadata) -> list[str]:
    lines = [f"ruleset {_text(node.title)}"]
    lines += _texts(version=node.version)
    if node.effective_from is not None:
        until = f" to {node.effective_to.value}" if node.effective_to is not None else ""
        lines.append(f"{_INDENT}effective from {node.effective_from.value}{until}")
    lines += _texts(welsh=node.welsh, description=node.description)
    if node.rounding is not None:
        lines.append(_INDENT + _rounding(node.rounding))
    if node.band_basis is not None:
        lines.append(f"{_INDENT}apply bands to {node.band_basis.value} scores")
    return lines


def _rounding(rounding: nodes.Rounding) -> str:
    places = "whole numbers" if rounding.places == 0 else (
        f"{rounding.places} decimal place" + ("" if rounding.places == 1 else "s"))
    return f"round {rounding.mode.value} to {places}"


def _scale(node: nodes.Scale) -> list[str]:
    lines = [_titled("scale", node.name, node.title)]
    lines += _texts(welsh=node.welsh, description=node.description)
    for value in node.values:
        lines += _row("value", value.value, value.title, f"means {value.category.value}",
                      value.points, value.welsh)
    lines.append("end")
    return lines


def _attribute(node: nodes.Attribute) -> list[str]:
    head = _titled("attribute", node.name, node.title)
    match node.type:
        case nodes.ChoiceType(values=values):
            kind = "one of " + ", ".join(_word(value) for value in values)
        case nodes.WholeNumberType(low=low, high=high):
            kind = "whole number"
            if low is not None and high is not None:
                kind += f" from {_number(low)} to {_number(high)}"
        case nodes.YesNoType():
            kind = "yes or no"
        case _:
            kind = "text"
    return [f"{head} {kind}", *_texts(welsh=node.welsh, description=node.description)]


def _level(node: nodes.Level) -> list[str]:
    lines = [_titled("level", node.name, node.title)]
    lines += _texts(welsh=node.welsh, description=node.description)
    if node.within is not None:
        lines.append(f"{_INDENT}within {_name(node.within)}")
    lines += _score_clauses(node.rule, node.bands, ())
    return lines


def _question(node: nodes.Question) -> list[str]:
    lines = [_titled("question", node.name, node.title)]
    lines += _texts(welsh=node.welsh, description=node.description)
    if node.applies is not None:
        lines.append(f"{_INDENT}applies when {_condition(node.applies)}")
    if node.scale is not None:
        lines.append(f"{_INDENT}on scale {_name(node.scale)}")
    if node.key_for:
        lines.append(f"{_INDENT}key question for " + ", ".join(map(_name, node.key_for)))
    if node.under is not None:
        lines.append(f"{_INDENT}under {_name(node.under)}")
    return lines


def _group(node: nodes.Group) -> list[str]:
    lines = [f"{node.level.text} {_name(node.name)} {_text(node.title)}"]
    lines += _texts(welsh=node.welsh, description=node.description)
    if node.applies is not None:
        lines.append(f"{_INDENT}applies when {_condition(node.applies)}")
    if node.scale is not None:
        lines.append(f"{_INDENT}on scale {_name(node.scale)}")
    lines += _score_clauses(node.rule, node.bands, node.limits)
    for member in node.members:
        lines.append(_declaration(member, 1))
    lines.append("end")
    return lines


def _score(node: nodes.Score) -> list[str]:
    lines = [_titled("headline" if node.headline else "score", node.name, node.title)]
    lines += _texts(welsh=node.welsh, description=node.description)
    lines += _score_clauses(node.rule, node.bands, node.limits)
    if node.rounding is not None:
        lines.append(_INDENT + _rounding(node.rounding))
    return lines


def _score_clauses(rule: nodes.ScoreRule | None, bands: nodes.Name | None,
                   limits: tuple[nodes.Limit, ...]) -> list[str]:
    lines = []
    if rule is not None:
        lines.append(_INDENT + _rule(rule))
    if bands is not None:
        lines.append(f"{_INDENT}banded by {_name(bands)}")
    for limit in limits:
        lines.append(f"{_INDENT}at most {_word(limit.label)} when {_condition(limit.condition)}")
    return lines


def _rule(rule: nodes.ScoreRule) -> str:
    match rule:
        case nodes.Judged():
            return "judged directly"
        case nodes.WeightedMean(terms=terms):
            return "scored as weighted mean of " + ", ".join(
                f"{_name(term.name)} weight {_number(term.weight)}" for term in terms)
        case nodes.Aggregate(kind=kind, operands=operands):
            prefix = {nodes.AggregateKind.SUM_OF_POINTS: "sum of points of"}.get(
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


def _bands(node: nodes.BandTable) -> list[str]:
    lines = [_titled("bands", node.name, node.title)]
    lines += _texts(welsh=node.welsh, description=node.description)
    for band in node.bands:
        upper = ("below " if band.below else "") + _number(band.high)
        lines += _row("band", band.label, band.title, f"from {_number(band.low)} to {upper}",
                      band.points, band.welsh)
    lines.append("end")
    return lines


def _row(keyword: str, word: nodes.Word, title: nodes.Text | None, body: str,
         points: nodes.Number | None, welsh: nodes.Text | None) -> list[str]:
    """A row of a scale or band table: `value yes "Yes" means sufficient points 1`."""
    line = f"{_INDENT}{keyword} {_word(word)}"
    line += f" {_text(title)}" if title is not None else ""
    line += f" {body}"
    line += f" points {_number(points)}" if points is not None else ""
    return [line] + ([f"{_INDENT * 2}welsh {_text(welsh)}"] if welsh is not None else [])


_PRINTERS = {
    nodes.Metadata: _metadata, nodes.Scale: _scale, nodes.Attribute: _attribute,
    nodes.Level: _level, nodes.Question: _question, nodes.Group: _group,
    nodes.Score: _score, nodes.BandTable: _bands,
}


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
