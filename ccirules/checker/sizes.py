"""Checks that keep a ruleset within the limits of :mod:`ccirules.limits`, so that whatever
`check` accepts, every command runs in bounded time and memory (counts of questions,
attributes, scores, values and comparisons), and that every name and value is one case files
can carry."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ccirules import limits, nodes
from ccirules.diagnostics import Diagnostic, error
from ccirules.model import Model
from ccirules.source import Span
from ccirules.suggest import with_article


def uncarriable_names(model: Model) -> Iterator[Diagnostic]:
    """E208: what no case file could give. A question or attribute named as a case file's own
    keys (`case` is the case's id; `cases` and `judgements` make a mapping a file of cases); a
    value of a scale, a choice or a band table that is blank or has surrounding spaces (case
    files trim them from every value, so it could never be matched)."""
    named = [("attribute", attribute.name) for attribute in model.attributes]
    named += [("question", info.node.name) for info in model.questions]
    for kind, name in named:
        if name.text in limits.RESERVED_NAMES:
            yield error("E208", f"`{name.text}` cannot name {with_article(kind)}: case files use "
                        f"`{name.text}` for {_RESERVED_USE[name.text]}", name.span,
                        hint=f"choose another name for this {kind}")
    for word in _values(model):
        if not word.text.strip():
            yield error("E208", f'"{word.text}" cannot be a value: a blank value in a case file '
                        "means nothing was recorded", word.span, hint="give the value a name")
        elif word.text != word.text.strip():
            yield error("E208", f'"{word.text}" cannot be a value: case files trim the spaces '
                        "around every value, so no answer could match it", word.span,
                        hint=f'write it as "{word.text.strip()}"')


_RESERVED_USE = {"case": "each case's id", "cases": "the list of cases",
                 "judgements": "the inspection's judgements"}


def _values(model: Model) -> Iterator[nodes.Word]:
    for scale in model.scales.values():
        yield from (value.value for value in scale.values)
    for attribute in model.attributes:
        if isinstance(attribute.type, nodes.ChoiceType):
            yield from attribute.type.values
    for table in model.bands.values():
        yield from (band.label for band in table.bands)


def declaration_counts(model: Model) -> Iterator[Diagnostic]:
    """E111: more questions, attributes or scores than a ruleset may hold; reported at the first
    declaration beyond the limit."""
    counted: list[tuple[str, int, Sequence[Span]]] = [
        ("questions", limits.MAX_QUESTIONS, [info.node.name.span for info in model.questions]),
        ("attributes", limits.MAX_ATTRIBUTES, [a.name.span for a in model.attributes]),
        ("scores (scored groups, headlines and scores)", limits.MAX_SCORES,
         [score.name.span for score in model.scores]),
    ]
    for what, most, spans in counted:
        if len(spans) > most:
            yield error("E111", f"this ruleset declares {len(spans):,} {what}; a ruleset holds at "
                        f"most {most:,}", spans[most],
                        hint="split the framework into several rulesets")


def value_counts(model: Model) -> Iterator[Diagnostic]:
    """E111: more values in a scale or a choice, or more bands in a table, than the limit."""
    lists: list[tuple[str, Sequence[nodes.Word]]] = []
    for scale in model.scales.values():
        lists.append((f"scale `{scale.name.text}`", [value.value for value in scale.values]))
    for attribute in model.attributes:
        if isinstance(attribute.type, nodes.ChoiceType):
            lists.append((f"attribute `{attribute.name.text}`", attribute.type.values))
    for table in model.bands.values():
        lists.append((f"band table `{table.name.text}`", [band.label for band in table.bands]))
    for owner, words in lists:
        if len(words) > limits.MAX_VALUES:
            yield error("E111", f"{owner} lists {len(words):,} values; at most "
                        f"{limits.MAX_VALUES:,} are allowed", words[limits.MAX_VALUES].span,
                        hint="group values that mean the same, or use a text attribute")


def condition_sizes(model: Model) -> Iterator[Diagnostic]:
    """E111: more comparisons in the conditions questions must pass than the limit, a group's
    condition counted once for each question in it; reported at the first question beyond."""
    sizes: dict[int, int] = {}
    total = 0
    for info in model.questions:
        for condition in info.conditions:
            if id(condition) not in sizes:
                sizes[id(condition)] = sum(1 for _ in nodes.atoms(condition))
            total += sizes[id(condition)]
        if total > limits.MAX_CONDITION_COMPARISONS:
            yield error("E111", "the conditions that decide whether questions apply hold more "
                        f"than {limits.MAX_CONDITION_COMPARISONS:,} comparisons in all (a "
                        "group's condition counts once for each question in it)",
                        info.node.name.span,
                        hint="shorten long conditions, or move questions out of groups whose "
                             "conditions are long")
            return
