"""What changed between two rulesets, in the author's terms: questions added, removed, retitled
or moved, conditions, key-question mappings, rules, band rows, limits and rounding.

Declarations are matched by name, and clauses compared as nodes, whose equality ignores spans:
re-indenting a ruleset, reordering its declarations or rewrapping a condition changes nothing,
and a condition that says the same thing is the same condition. Each difference is a
:class:`Change`, holding the clause as written on each side and what it can touch (the questions
whose counting it changes, the questions it moves between scores, the scores it changes
directly), so :mod:`ccirules.diff` can say which changes lie behind a score that moved. The
comparisons are a table of small functions, one per kind of declaration.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator

import attrs

from ccirules import nodes, terms
from ccirules.model import DEFAULT_ROUNDING, GroupInfo, Model, QuestionInfo, ScoreInfo
from ccirules.printer import print_clause, print_condition
from ccirules.source import Span


class Aspect(enum.Enum):
    """What about a declaration changed."""

    DECLARED = "declared"  # added (old is None) or removed (new is None)
    TITLE = "title"
    GROUP = "group"  # a question or group now sits in another group
    APPLIES = "applies when"
    KEY_QUESTIONS = "key question for"
    SCALE = "on scale"
    RULE = "scored as"
    BANDS = "banded by"
    LIMIT = "at most"
    ROUNDING = "rounding"
    BAND_BASIS = "apply bands to"
    BAND_ROW = "band"
    SCALE_VALUE = "value"
    TYPE = "type"
    WITHIN = "within"


@attrs.frozen
class Change:
    """One difference. ``old`` and ``new`` are the clause as written in each ruleset (None where
    that ruleset has none); ``part`` names the row of a band table or the value of a scale."""

    thing: str  # the kind of declaration, in the ruleset's words: question, criterion, scale...
    name: str
    aspect: Aspect
    old: str | None
    new: str | None
    old_span: Span | None = attrs.field(default=None, eq=False)
    new_span: Span | None = attrs.field(default=None, eq=False)
    part: str | None = None
    within: str | None = None  # the group a question or group was added to or removed from
    counting: frozenset[str] = frozenset()  # questions whose outcomes it can change
    membership: frozenset[str] = frozenset()  # questions it moves into or out of scores
    scores: frozenset[str] = frozenset()  # scores it changes directly


def compare_rulesets(old: Model, new: Model) -> tuple[Change, ...]:
    """Every difference between two checked rulesets, by kind of declaration, each kind in the
    order the new ruleset declares things (then what only the old one has)."""
    return tuple(change for compare in COMPARISONS for change in compare(old, new))


# ---- helpers ---------------------------------------------------------------------------------


def _names(old: Iterable[str], new: Iterable[str]) -> list[str]:
    """Names in either ruleset: the new one's order, then those only the old one has."""
    return list(dict.fromkeys([*new, *old]))


def _text(text: nodes.Text | None) -> str | None:
    return None if text is None else f'"{text.value}"'


def _span(node: object | None) -> Span | None:
    return None if node is None else node.span


def _group_label(group: GroupInfo | None) -> str | None:
    return None if group is None else f"{group.node.level.text} {group.node.name.text}"


def _questions_reading(model: Model, subject: str) -> set[str]:
    """Questions whose conditions (their own or their groups') mention ``subject``."""
    return {info.node.name.text for info in model.questions
            if any(subject in terms.subjects(condition) for condition in info.conditions)}


def _declared(thing: str, name: str, old: object | None, new: object | None,
              within: str | None = None, **touches: frozenset[str]) -> Change:
    return Change(thing, name, Aspect.DECLARED, old and _head(old), new and _head(new),
                  _span(old), _span(new), within=within, **touches)


def _head(node: object) -> str:
    """How a declaration begins, as written: `question 1.1.9 "..."`, `bands improvement`."""
    match node:
        case nodes.Attribute():
            return print_clause(node)
        case nodes.Group():
            words = [node.level.text, node.name.text, _text(node.title)]
        case nodes.Question():
            words = ["question", node.name.text, _text(node.title)]
        case nodes.Score():
            words = ["headline" if node.headline else "score", node.name.text, _text(node.title)]
        case _:
            keyword = {nodes.Scale: "scale", nodes.Level: "level", nodes.BandTable: "bands"}
            words = [keyword[type(node)], node.name.text, _text(node.title)]
    return " ".join(word for word in words if word)


# ---- the comparisons -------------------------------------------------------------------------


def header(old: Model, new: Model) -> Iterator[Change]:
    """The ruleset's rounding and what bands apply to: every score that does not round on its
    own is touched."""
    before, after = old.metadata[0], new.metadata[0]
    rounding = [(before.rounding or DEFAULT_ROUNDING), (after.rounding or DEFAULT_ROUNDING)]
    if rounding[0] != rounding[1]:
        scores = frozenset(info.name.text for model in (old, new) for info in model.scores
                           if getattr(info.node, "rounding", None) is None)
        yield Change("ruleset", "", Aspect.ROUNDING, *map(print_clause, rounding),
                     before.rounding and before.rounding.span,
                     after.rounding and after.rounding.span, scores=scores)
    basis = [meta.band_basis or terms.BandBasis.ROUNDED for meta in (before, after)]
    if basis[0] != basis[1]:
        scores = frozenset(info.name.text for model in (old, new) for info in model.scores
                           if info.bands is not None)
        yield Change("ruleset", "", Aspect.BAND_BASIS,
                     *(f"apply bands to {value.value} scores" for value in basis),
                     before.span, after.span, scores=scores)


def scales(old: Model, new: Model) -> Iterator[Change]:
    """Scales added or removed, and their values: a value's meaning or points."""
    for name in _names(old.scales, new.scales):
        before, after = old.scales.get(name), new.scales.get(name)
        if before is None or after is None:
            yield _declared("scale", name, before, after)
            continue
        counting = frozenset(info.node.name.text for model in (old, new)
                             for info in model.questions
                             if info.scale is not None and info.scale.name.text == name)
        values = ({value.value.text: value for value in before.values},
                  {value.value.text: value for value in after.values})
        for value in _names(*values):
            was, now = values[0].get(value), values[1].get(value)
            texts = [None if node is None else print_clause(node) for node in (was, now)]
            if texts[0] != texts[1]:
                yield Change("scale", name, Aspect.SCALE_VALUE, *texts, _span(was), _span(now),
                             part=value, counting=counting)


def attributes(old: Model, new: Model) -> Iterator[Change]:
    """Attributes added, removed, or given another type or set of values."""
    olds = {node.name.text: node for node in old.attributes}
    news = {node.name.text: node for node in new.attributes}
    for name in _names(olds, news):
        before, after = olds.get(name), news.get(name)
        counting = frozenset(_questions_reading(old, name) | _questions_reading(new, name))
        if before is None or after is None:
            yield _declared("attribute", name, before, after, counting=counting)
        elif before.type != after.type:
            yield Change("attribute", name, Aspect.TYPE, print_clause(before),
                         print_clause(after), before.span, after.span, counting=counting)


def levels(old: Model, new: Model) -> Iterator[Change]:
    """Levels added or removed, and the defaults their groups take: rule, bands, nesting."""
    for name in _names(old.levels, new.levels):
        before, after = old.levels.get(name), new.levels.get(name)
        if before is None or after is None:
            yield _declared("level", name, before, after)
            continue
        defaulted = frozenset(info.name.text for model in (old, new) for info in model.scores
                              if info.group is not None and info.group.node.level.text == name)
        yield from _clause("level", name, Aspect.RULE, before.rule, after.rule, scores=defaulted)
        yield from _clause("level", name, Aspect.BANDS, before.bands, after.bands,
                           scores=defaulted)
        yield from _clause("level", name, Aspect.WITHIN, before.within, after.within)


def groups(old: Model, new: Model) -> Iterator[Change]:
    """Groups added, removed, retitled or moved, and the conditions their questions inherit."""
    for name in _names(old.group_info, new.group_info):
        before, after = old.group_info.get(name), new.group_info.get(name)
        inside = frozenset(info.node.name.text for model, group in ((old, before), (new, after))
                           if group is not None for info in model.all_questions(group))
        if before is None or after is None:
            only = before or after
            yield _declared(only.node.level.text, name, before and before.node,
                            after and after.node, _group_label(only.parent), membership=inside)
            continue
        thing = after.node.level.text
        if before.node.title != after.node.title:
            yield Change(thing, name, Aspect.TITLE, _text(before.node.title),
                         _text(after.node.title), before.node.title.span,
                         after.node.title.span)
        if _group_label(before.parent) != _group_label(after.parent):
            yield Change(thing, name, Aspect.GROUP, _group_label(before.parent),
                         _group_label(after.parent), before.node.span, after.node.span,
                         membership=inside)
        yield from _clause(thing, name, Aspect.APPLIES, before.node.applies, after.node.applies,
                           counting=inside)


def questions(old: Model, new: Model) -> Iterator[Change]:
    """Questions added, removed, retitled or moved to another group; their own conditions,
    key-question mappings and scales."""
    for name in _names(old.question_info, new.question_info):
        before, after = old.question_info.get(name), new.question_info.get(name)
        if before is None or after is None:
            only = before or after
            yield _declared("question", name, before and before.node, after and after.node,
                            _group_label(only.group), counting=frozenset({name}),
                            scores=frozenset(key.text for key in only.node.key_for))
            continue
        yield from _question_changes(name, before, after)


def _question_changes(name: str, before: QuestionInfo, after: QuestionInfo) -> Iterator[Change]:
    was, now = before.node, after.node
    if was.title != now.title:
        yield Change("question", name, Aspect.TITLE, _text(was.title), _text(now.title),
                     _span(was.title) or was.span, _span(now.title) or now.span)
    if _group_label(before.group) != _group_label(after.group):
        yield Change("question", name, Aspect.GROUP, _group_label(before.group),
                     _group_label(after.group), was.span, now.span,
                     membership=frozenset({name}))
    yield from _clause("question", name, Aspect.APPLIES, was.applies, now.applies,
                       counting=frozenset({name}))
    keys = [tuple(key.text for key in node.key_for) for node in (was, now)]
    if set(keys[0]) != set(keys[1]):
        texts = [", ".join(listed) or None for listed in keys]
        yield Change("question", name, Aspect.KEY_QUESTIONS, *texts,
                     was.key_for[0].span if was.key_for else was.span,
                     now.key_for[0].span if now.key_for else now.span,
                     scores=frozenset(set(keys[0]) ^ set(keys[1])))
    scales_used = [None if info.scale is None else info.scale.name.text
                   for info in (before, after)]
    if scales_used[0] != scales_used[1]:
        yield Change("question", name, Aspect.SCALE, *scales_used, was.span, now.span,
                     counting=frozenset({name}))


def scores(old: Model, new: Model) -> Iterator[Change]:
    """Headlines and scores added or removed; for every score (groups' too) its rule, band table,
    limits and rounding. A rule or band table both take from the same level is left to
    :func:`levels`."""
    for name in _names(old.score_info, new.score_info):
        before, after = old.score_info.get(name), new.score_info.get(name)
        if before is None or after is None:
            only = before or after
            if only.group is None:  # a group's coming and going is :func:`groups`'
                yield _declared("headline" if only.is_headline else "score", name,
                                before and before.node, after and after.node,
                                scores=frozenset({name}))
            continue
        yield from _score_changes(name, before, after)


def _score_changes(name: str, before: ScoreInfo, after: ScoreInfo) -> Iterator[Change]:
    thing = after.group.node.level.text if after.group is not None else (
        "headline" if after.is_headline else "score")
    touched = frozenset({name})
    if after.group is None and before.node.title != after.node.title:
        yield Change(thing, name, Aspect.TITLE, _text(before.node.title),
                     _text(after.node.title), _span(before.node.title),
                     _span(after.node.title))
    same_level = (before.group is not None and after.group is not None
                  and before.group.node.level.text == after.group.node.level.text)
    if not (same_level and before.rule_is_default and after.rule_is_default):
        yield from _clause(thing, name, Aspect.RULE, before.rule, after.rule, scores=touched)
    own_bands = [info.node.bands is not None for info in (before, after)]
    if not (same_level and not any(own_bands)):
        yield from _clause(thing, name, Aspect.BANDS, before.bands, after.bands,
                           scores=touched)
    for limit in before.limits:
        if limit not in after.limits:
            yield Change(thing, name, Aspect.LIMIT, print_clause(limit), None, limit.span,
                         None, scores=touched)
    for limit in after.limits:
        if limit not in before.limits:
            yield Change(thing, name, Aspect.LIMIT, None, print_clause(limit), None,
                         limit.span, scores=touched)
    roundings = [getattr(info.node, "rounding", None) for info in (before, after)]
    yield from _clause(thing, name, Aspect.ROUNDING, *roundings, scores=touched)


def band_tables(old: Model, new: Model) -> Iterator[Change]:
    """Band tables added or removed, and their rows: bounds, points, titles, rows added or
    removed. Every score banded by the table is touched."""
    for name in _names(old.bands, new.bands):
        before, after = old.bands.get(name), new.bands.get(name)
        users = frozenset(info.name.text for model in (old, new) for info in model.scores
                          if info.bands is not None and info.bands.text == name)
        if before is None or after is None:
            yield _declared("band table", name, before, after, scores=users)
            continue
        rows = ({band.label.text: band for band in before.bands},
                {band.label.text: band for band in after.bands})
        for label in _names(*rows):
            was, now = rows[0].get(label), rows[1].get(label)
            texts = [None if node is None else print_clause(node) for node in (was, now)]
            if texts[0] != texts[1]:
                yield Change("band table", name, Aspect.BAND_ROW, *texts, _span(was), _span(now),
                             part=label, scores=users)


def _clause(thing: str, name: str, aspect: Aspect, before: object | None,
            after: object | None, **touches: frozenset[str]) -> Iterator[Change]:
    """A clause compared as nodes (spans aside), shown as written."""
    if before == after:
        return
    yield Change(thing, name, aspect, _written(aspect, before), _written(aspect, after),
                 _span(before), _span(after), **touches)


def _written(aspect: Aspect, node: object | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, nodes.Name):
        return f"{aspect.value} {node.text}"
    if aspect is Aspect.APPLIES:
        return f"applies when {print_condition(node)}"
    return print_clause(node)


#: The comparisons, in the order their changes are listed.
COMPARISONS: tuple[Callable[[Model, Model], Iterator[Change]], ...] = (
    header, scales, attributes, levels, groups, questions, scores, band_tables)
