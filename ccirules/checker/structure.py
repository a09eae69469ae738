"""Checks on the hierarchy: groups nest as their levels say, each question sits in exactly one
group and has a scale that can decide sufficiency."""

from __future__ import annotations

from collections.abc import Iterator

from ccirules import nodes
from ccirules.checker.graph import cycles
from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.model import GroupInfo, Model, QuestionInfo, ancestors


def level_nesting(model: Model) -> Iterator[Diagnostic]:
    """E210: a group must sit inside a group of the level its own level is `within`."""
    for group in model.groups:
        level = model.levels.get(group.node.level.text)
        if level is None:
            continue  # reported as an unknown level
        described = f"{group.node.level.text} `{group.node.name.text}`"
        parent = group.parent
        if level.within is None:
            if parent is not None:
                yield error(
                    "E210", f"{described} cannot be inside {parent.node.level.text} "
                    f"`{parent.node.name.text}`", group.node.span,
                    hint=f"level `{level.name.text}` is a top level; to nest it, declare "
                         f"`level {level.name.text} within {parent.node.level.text}`",
                    related=[Related(level.span, "level declared here")])
            continue
        if level.within.text not in model.levels:
            continue
        if parent is None or parent.node.level.text != level.within.text:
            where = ("at the top of the file" if parent is None else
                     f"inside {parent.node.level.text} `{parent.node.name.text}`")
            yield error("E210", f"{described} must be inside a {level.within.text}, not {where}",
                        group.node.span,
                        hint=f"move it into a {level.within.text}, or change the level's `within`",
                        related=[Related(level.span, "level declared here")])


def level_cycles(model: Model) -> Iterator[Diagnostic]:
    """E210: levels `within` each other in a loop can never be nested."""
    names = list(model.levels)
    edges = {name: [level.within.text] for name, level in model.levels.items()
             if level.within is not None and level.within.text in model.levels}
    order = {name: model.levels[name].span.sort_key() for name in names}
    for cycle in cycles(names, edges, order.__getitem__):
        first = model.levels[cycle[0]]
        path = " within ".join(f"`{name}`" for name in cycle)
        yield error("E210", f"levels are nested in a loop: {path}", first.span,
                    hint="a level's `within` must name a level above it")


def level_names(model: Model) -> Iterator[Diagnostic]:
    """E226: a level named like a keyword, whose groups could not be written: a group begins
    with its level's name, bare, and there the keyword is read (`score 1 "..."` is a score)."""
    from ccirules.printer import keywords

    for level in model.levels.values():
        if level.name.text in keywords():
            yield error("E226", f"`{level.name.text}` is a reserved word, so it cannot name a "
                        "level", level.name.span,
                        hint="a level's name begins each of its groups, where it cannot be "
                             "quoted: choose another name")


def question_placement(model: Model) -> Iterator[Diagnostic]:
    """E211: every question belongs to exactly one group, so it counts towards one criterion."""
    for info in model.questions:
        node = info.node
        if node.under is None:
            if info.nested_in is None:
                yield error("E211", f"question `{node.name.text}` is under no group",
                            node.name.span,
                            hint="move it inside a group, or add `under` and the group's name")
            continue
        target = model.things.get(node.under.text)
        if target is None:
            continue  # reported as an unknown name
        if not isinstance(target, GroupInfo):
            yield error("E203", f"`under` needs a group, and `{node.under.text}` is not one",
                        node.under.span,
                        hint="name the section, criterion or standard it counts in")
        elif info.nested_in is not None and info.nested_in is not target:
            yield error("E211", f"question `{node.name.text}` is under two groups: "
                        f"`{info.nested_in.node.name.text}` and `{node.under.text}`",
                        node.under.span, hint="a question counts in one group: remove `under` "
                        "or move the question",
                        related=[Related(info.nested_in.node.span, "it is written inside this")])


def question_scales(model: Model) -> Iterator[Diagnostic]:
    """E212: every question needs a scale, its own, its group's, or the one scale declared."""
    for info in model.questions:
        if info.scale is not None or _names_unknown_scale(model, info):
            continue
        known = ", ".join(f"`{name}`" for name in model.scales) or "none yet"
        yield error("E212", f"question `{info.node.name.text}` has no scale", info.node.name.span,
                    hint=f"add `on scale NAME` to it or to its group (declared scales: {known})")


def _names_unknown_scale(model: Model, info: QuestionInfo) -> bool:
    named = [info.node.scale] + [group.node.scale for group in ancestors(info.group)]
    return any(name is not None and name.text not in model.scales for name in named)


def scale_sufficiency(model: Model) -> Iterator[Diagnostic]:
    """E213: a scale needs a sufficient and an insufficient value, or no answer can be scored."""
    for scale in model.scales.values():
        categories = {value.category for value in scale.values}
        missing = [category.value for category in
                   (nodes.Category.SUFFICIENT, nodes.Category.INSUFFICIENT)
                   if category not in categories]
        if missing:
            yield error("E213", f"scale `{scale.name.text}` has no {' and no '.join(missing)} "
                        "value", scale.name.span,
                        hint='add a value such as `value no means insufficient`')


def attribute_ranges(model: Model) -> Iterator[Diagnostic]:
    """E220: a whole-number range written high to low, and effective dates out of order."""
    for attribute in model.attributes:
        kind = attribute.type
        if (isinstance(kind, nodes.WholeNumberType) and kind.low is not None
                and kind.high is not None and kind.low.value > kind.high.value):
            yield error("E220", f"the range of `{attribute.name.text}` runs from "
                        f"{kind.low.value} down to {kind.high.value}", kind.span,
                        hint=f"write the lower bound first: from {kind.high.value} to "
                             f"{kind.low.value}")
    for metadata in model.metadata:
        if (metadata.effective_from is not None and metadata.effective_to is not None
                and metadata.effective_to.value < metadata.effective_from.value):
            yield error("E220", "the ruleset stops being effective before it starts",
                        metadata.effective_to.span,
                        hint="the date after `to` must not be before the date after `from`")
