"""What can be written at a point of a ruleset being typed.

Text being typed rarely parses, so completion reads two things separately:

- the words before the cursor, for the names and values valid there. After `rosh is ` come
  exactly `rosh`'s values (and for a question, its scale's values and the answer categories);
  after `is rated `, the labels of that score's bands; after `on scale `, the scales; after
  `banded by `, the band tables; after `within ` or `every `, the levels; after `under `, the
  groups; after `key question for `, the headlines; where a condition starts, the attributes
  and questions (and in `at most ... when`, the scores); where a score rule lists what it
  combines, the questions, groups and scores. Names come from a model of the ruleset, which the
  server builds from the text as it is or, while that does not parse, without the line being
  typed, or from the last version that parsed.
- the parser's own state after those words (Lark's interactive parser), for the keywords the
  grammar accepts there, and the levels where a group may begin.
"""

from __future__ import annotations

import re

import attrs
from lark.exceptions import UnexpectedInput

from ccirules import nodes
from ccirules.model import GroupInfo, Model, QuestionInfo, ScoreInfo
from ccirules.parser import lark_parser
from ccirules.printer import keywords, print_word

_WORDS = re.compile(r'"[^"\n]*"|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)*|[<>!]=|\S')
_TYPING = re.compile(r"[A-Za-z0-9_.]*\Z")

#: Words that may stand in a list being written (`of a, every criterion, its parts, `).
_IN_LISTS = frozenset({",", "every", "its", "questions", "key", "parts", "weight"})

#: The answer categories a question's answer can be tested for.
_CATEGORIES = ("sufficient", "insufficient", "applicable")


@attrs.frozen
class Suggestion:
    label: str
    kind: str  # a member of LSP's CompletionItemKind
    detail: str | None = None


def complete(text: str, offset: int, model: Model | None) -> list[Suggestion]:
    """Suggestions for the word being typed at ``offset`` (the word so far is left for the
    editor to filter by)."""
    start = offset - len(_TYPING.search(text, 0, offset).group())
    words = [word for word in _WORDS.findall(text, 0, start) if not word.startswith("#")]
    found = _in_context(words, model) if model is not None else None
    if found is not None:
        exclusive, suggestions = found
        if exclusive:
            return suggestions
    else:
        suggestions = []
    accepted = _accepted(text[:start])
    suggestions += [Suggestion(word, "Keyword") for word in sorted(
        keyword for keyword in map(_keyword, accepted) if keyword)]
    if model is not None and {"IDENT", "QUESTION"} <= accepted:  # where a group may begin
        suggestions += [Suggestion(name, "Class", _title(level))
                        for name, level in model.levels.items()]
    return suggestions


def _accepted(before: str) -> set[str]:
    """The terminals the grammar accepts after ``before``; none if it does not parse so far."""
    interactive = lark_parser().parse_interactive(before)
    try:
        for _ in interactive.iter_parse():
            pass
    except UnexpectedInput:
        return set()
    return set(interactive.accepts())


def _keyword(terminal: str) -> str | None:
    pattern = lark_parser().get_terminal(terminal).pattern if terminal != "$END" else None
    if pattern is not None and pattern.type == "str" and pattern.value.isalpha():
        return pattern.value
    return None


def _title(node: object) -> str | None:
    title = getattr(node, "title", None)
    return title.value if title is not None else None


def _in_context(words: list[str], model: Model) -> tuple[bool, list[Suggestion]] | None:
    """(whether only these may follow, the suggestions) for the last words, if they call for
    names or values."""
    if not words:
        return None
    index = len(words) - 1
    if words[index] == ",":  # in a list: what introduced it decides (`of`, `for`, `in (`...)
        while index > 0 and _in_list(words[index]):
            index -= 1
    last, before = words[index], words[:index]
    previous = before[-1] if before else ""
    if last == "is" and before:
        return True, _values(model, previous, categories=True)
    if last == "not" and previous == "is" and len(before) > 1:
        return True, _values(model, before[-2], categories=True)
    if last == "rated" and "is" in before[-2:]:
        return True, _labels(model, before[-2] if previous == "is" else before[-3])
    if last == "(" and previous == "in":
        subject = before[-3] if before[-2:-1] == ["not"] else before[-2]
        return True, _values(model, subject, categories=False)
    if last == "scale" and previous == "on":
        return False, [Suggestion(name, "Enum", _title(scale))
                       for name, scale in model.scales.items()]
    if last == "by" and previous == "banded":
        return False, [Suggestion(name, "Struct", _title(table))
                       for name, table in model.bands.items()]
    if last in ("within", "every"):
        return False, [Suggestion(name, "Class", _title(level))
                       for name, level in model.levels.items()]
    if last == "under":
        return False, [_thing(name, info) for name, info in model.group_info.items()]
    if last == "for" and previous == "question":
        return False, [_thing(score.name.text, score) for score in model.scores
                       if score.is_headline]
    if last in ("of", "except") and previous != "one":
        return False, [_thing(name, thing) for name, thing in model.things.items()
                       if not isinstance(thing, nodes.Attribute)]
    if last in ("when", "and", "or", "not") or (last == "(" and previous != "in"):
        return False, _subjects(model, _in_limit(words))
    if last == "most" and previous == "at":
        labels = {print_word(band.label) for table in model.bands.values()
                  for band in table.bands}
        return False, [Suggestion(label, "EnumMember") for label in sorted(labels)]
    return None


def _in_list(word: str) -> bool:
    """Whether a word can be part of a list's items: a name, a value, or `every`, `its`..."""
    return word in _IN_LISTS or word in ("yes", "no") or word not in keywords()


def _in_limit(words: list[str]) -> bool:
    """Whether the condition being written follows `at most LABEL when`."""
    when = len(words) - 1 - words[::-1].index("when") if "when" in words else -1
    return when >= 3 and words[when - 3:when - 1] == ["at", "most"]


def _thing(name: str, thing: object) -> Suggestion:
    kinds = {QuestionInfo: "Field", GroupInfo: "Module", ScoreInfo: "Function",
             nodes.Attribute: "Property"}
    node = getattr(thing, "node", thing)
    return Suggestion(name, kinds[type(thing)], _title(node))


def _subjects(model: Model, in_limit: bool) -> list[Suggestion]:
    """What a condition may test: attributes and answers, and in a limit, ratings too."""
    kinds = (nodes.Attribute, QuestionInfo, GroupInfo, ScoreInfo) if in_limit else (
        nodes.Attribute, QuestionInfo)
    return [_thing(name, thing) for name, thing in model.things.items()
            if isinstance(thing, kinds)]


def _values(model: Model, subject: str, categories: bool) -> list[Suggestion]:
    """The values ``subject`` can have: an attribute's, a question's scale's (and the answer
    categories), or for a score, `rated`."""
    thing = model.things.get(subject)
    match thing:
        case nodes.Attribute(type=nodes.ChoiceType(values=values)):
            return [Suggestion(print_word(value), "EnumMember") for value in values]
        case nodes.Attribute(type=nodes.YesNoType()):
            return [Suggestion("yes", "EnumMember"), Suggestion("no", "EnumMember")]
        case QuestionInfo(scale=nodes.Scale(values=values)):
            found = [Suggestion(print_word(value.value), "EnumMember", value.category.value)
                     for value in values]
            return found + [Suggestion(category, "Keyword") for category in _CATEGORIES
                            if categories]
        case GroupInfo() | ScoreInfo():
            return [Suggestion("rated", "Keyword")]
    return []


def _labels(model: Model, subject: str) -> list[Suggestion]:
    score = model.score_info.get(subject)
    table = model.bands.get(score.bands.text) if score and score.bands else None
    return [Suggestion(print_word(band.label), "EnumMember", _title(band))
            for band in (table.bands if table else ())]
