"""What hovering over a name shows: what it is, its titles in English and Welsh, what it belongs
to and feeds, and where it is used. Markdown, built from the model the checker uses, so hover
and `check` never disagree about what a name is (the first declaration wins)."""

from __future__ import annotations

from ccirules import nodes
from ccirules.lsp.symbols import Occurrence, Symbols
from ccirules.model import (
    GroupInfo,
    Model,
    Namespace,
    QuestionInfo,
    ScoreInfo,
    ancestors,
    describe_thing,
)
from ccirules.printer import print_attribute_type, print_condition, print_rule, print_word

#: Uses listed by line before the rest are counted.
_LINES_SHOWN = 12


def hover_text(model: Model, symbols: Symbols, occurrence: Occurrence) -> str | None:
    """Markdown for the thing a name refers to; None for a name nothing declares."""
    namespace, name = occurrence.key
    if namespace is Namespace.THINGS:
        thing = model.things.get(name)
        facts = _thing_facts(model, thing)
        kind = describe_thing(thing)
        node = thing.node if isinstance(thing, QuestionInfo | GroupInfo | ScoreInfo) else thing
    else:
        node = {Namespace.SCALES: model.scales, Namespace.BANDS: model.bands,
                Namespace.LEVELS: model.levels}[namespace].get(name)
        kind = namespace.value
        facts = _other_facts(model, node)
    if node is None:
        return None
    heading = f"**{kind}** `{name}`"
    title = getattr(node, "title", None)
    lines = [heading + (f" · {title.value}" if title is not None else "")]
    welsh = getattr(node, "welsh", None)
    if welsh is not None:
        lines.append(f"*Welsh:* {welsh.value}")
    lines += facts
    lines.append(_uses(symbols.uses(occurrence.key)))
    return "\n\n".join(lines)


def _named(name: str, node: object) -> str:
    title = getattr(node, "title", None)
    return f"`{name}`" + (f" ({title.value})" if title is not None else "")


def _thing_facts(model: Model, thing: object) -> list[str]:
    match thing:
        case QuestionInfo():
            facts = []
            if thing.group is not None:
                facts.append("In " + ", in ".join(
                    f"{group.node.level.text} {_named(group.node.name.text, group.node)}"
                    for group in ancestors(thing.group)))
            for headline in thing.node.key_for:
                score = model.score_info.get(headline.text)
                facts.append("Key question for " + _named(
                    headline.text, score.node if score is not None else None))
            facts += [f"Applies when `{print_condition(condition)}`"
                      for condition in thing.conditions]
            if thing.scale is not None:
                facts.append(f"Answered on scale `{thing.scale.name.text}`")
            return facts
        case GroupInfo():
            facts = []
            if thing.parent is not None:
                parent = thing.parent.node
                facts.append(f"In {parent.level.text} {_named(parent.name.text, parent)}")
            count = sum(1 for _ in model.all_questions(thing))
            facts.append(f"{count} question{'s' * (count != 1)}")
            return facts + _score_facts(model.score_info.get(thing.node.name.text))
        case ScoreInfo():
            facts = _score_facts(thing)
            if thing.is_headline:
                count = len(model.key_questions(thing.name.text))
                facts.append(f"Fed by {count} key question{'s' * (count != 1)}")
            return facts
        case nodes.Attribute():
            return [f"`{print_attribute_type(thing.type)}`"]
    return []


def _score_facts(score: ScoreInfo | None) -> list[str]:
    if score is None:
        return []
    facts = []
    if score.rule is not None:
        facts.append(f"`{print_rule(score.rule)}`" + (" (its level's)" * score.rule_is_default))
    if score.bands is not None:
        facts.append(f"Banded by `{score.bands.text}`")
    return facts


def _other_facts(model: Model, node: object) -> list[str]:
    match node:
        case nodes.Scale(values=values):
            return ["Values: " + ", ".join(f"`{print_word(value.value)}` "
                                           f"({value.category.value})" for value in values)]
        case nodes.BandTable(bands=bands):
            return ["Bands: " + ", ".join(
                f"`{print_word(band.label)}` ({band.low.value} to "
                f"{'below ' * band.below}{band.high.value})" for band in bands)]
        case nodes.Level():
            facts = [f"Within level `{node.within.text}`"] if node.within is not None else []
            count = len(model.groups_of_level(node.name.text))
            facts.append(f"{count} group{'s' * (count != 1)}")
            if node.rule is not None:
                facts.append(f"`{print_rule(node.rule)}`")
            if node.bands is not None:
                facts.append(f"Banded by `{node.bands.text}`")
            return facts
    return []


def _uses(uses: list[Occurrence]) -> str:
    if not uses:
        return "Not used anywhere"
    lines = sorted({use.name.span.line for use in uses})
    shown = ", ".join(map(str, lines[:_LINES_SHOWN]))
    more = f" and {len(lines) - _LINES_SHOWN} more" if len(lines) > _LINES_SHOWN else ""
    return f"Used on line{'s' * (len(lines) != 1)} {shown}{more}"
