"""Checks on names: each declared once, each reference resolvable, a ruleset header present."""

from __future__ import annotations

from collections.abc import Iterator

from ccirules import nodes
from ccirules.checker.walk import references
from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.model import GroupInfo, Model, Namespace, ScoreInfo, describe_thing
from ccirules.suggest import did_you_mean, with_article


def duplicate_names(model: Model) -> Iterator[Diagnostic]:
    """E201: a name declared twice in one namespace (the first declaration is the one used)."""
    for namespace, name, first in model.duplicates:
        kind = _kind(model, namespace, first)
        yield error("E201", f"`{name.text}` is already declared as {with_article(kind)}",
                    name.span, hint="give each declaration its own name",
                    related=[Related(first.span, "first declared here")])


def duplicate_values(model: Model) -> Iterator[Diagnostic]:
    """E201: a value listed twice in one scale, choice attribute or band table."""
    lists: list[tuple[str, tuple[nodes.Word, ...]]] = []
    for scale in model.scales.values():
        lists.append((f"scale `{scale.name.text}`", tuple(v.value for v in scale.values)))
    for attribute in model.attributes:
        if isinstance(attribute.type, nodes.ChoiceType):
            lists.append((f"attribute `{attribute.name.text}`", attribute.type.values))
    for table in model.bands.values():
        lists.append((f"band table `{table.name.text}`", tuple(b.label for b in table.bands)))
    for owner, words in lists:
        seen: dict[str, nodes.Word] = {}
        for word in words:
            if word.text in seen:
                yield error("E201", f"`{word.text}` is listed twice in {owner}", word.span,
                            hint="remove the repeat",
                            related=[Related(seen[word.text].span, "first listed here")])
            else:
                seen[word.text] = word


def ruleset_header(model: Model) -> Iterator[Diagnostic]:
    """E227: exactly one `ruleset` header naming the framework (results are stamped with it)."""
    if not model.metadata:
        yield error("E227", "this file has no `ruleset` header", model.ruleset.span.source.whole(),
                    hint='start the file with: ruleset "Name of the framework" version "1.0"')
    for extra in model.metadata[1:]:
        yield error("E201", "a second `ruleset` header", extra.span,
                    hint="a file describes one ruleset: keep one header",
                    related=[Related(model.metadata[0].span, "first header here")])


def unknown_references(model: Model) -> Iterator[Diagnostic]:
    """E202: a reference to a name that is not declared in the namespace it needs."""
    tables = {Namespace.THINGS: model.things, Namespace.SCALES: model.scales,
              Namespace.BANDS: model.bands, Namespace.LEVELS: model.levels}
    for namespace, name, wanted in references(model):
        table = tables[namespace]
        if name.text in table:
            continue
        fitting = [key for key, value in table.items() if _fits(value, wanted)]
        hint = did_you_mean(name.text, fitting)
        elsewhere = [other for other in tables if other is not namespace
                     and name.text in tables[other]]
        if hint is None and elsewhere:
            other = elsewhere[0]
            kind = (describe_thing(model.things[name.text]) if other is Namespace.THINGS
                    else other.value)
            hint = (f"`{name.text}` is {with_article(kind)}, but {with_article(wanted)} is "
                    "needed here")
        if hint is None and wanted == "name":
            hint = f"declare it first, for example `attribute {name.text} yes or no`"
        if hint is None:
            known = sorted(fitting)
            hint = (f"declared {wanted}s: " + ", ".join(f"`{k}`" for k in known[:8])
                    + (", ..." if len(known) > 8 else "")) if known else (
                f"no {wanted} is declared yet")
        yield error("E202", f"unknown {wanted} `{name.text}`", name.span, hint=hint)


def _fits(value: object, wanted: str) -> bool:
    """Whether a declaration is the kind of thing a reference asks for."""
    if wanted == "headline":
        return isinstance(value, ScoreInfo) and value.is_headline
    if wanted == "group":
        return isinstance(value, GroupInfo)
    if wanted in ("score", "question or score"):
        return not isinstance(value, nodes.Attribute)
    return True


def _kind(model: Model, namespace: Namespace, first: nodes.Name) -> str:
    if namespace is Namespace.THINGS:
        return describe_thing(model.things[first.text])
    return namespace.value
