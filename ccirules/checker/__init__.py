"""Semantic checks: a table of small functions, each named for what it forbids.

Every check reads the same :class:`~ccirules.checker.model.Model` and yields diagnostics; all run,
so one pass reports every problem, sorted by position. Checks skip what another check already
reports (an unknown name is reported once, not again by every check that meets it), so one mistake
gives one diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ccirules import nodes
from ccirules.checker import bands, conditions, names, scores, structure, usage
from ccirules.checker.model import Model, build_model
from ccirules.diagnostics import Diagnostic, sorted_unique

Check = Callable[[Model], Iterable[Diagnostic]]

#: The checks, in the order a reader would think of them. Order does not affect the output.
CHECKS: tuple[Check, ...] = (
    names.ruleset_header,
    names.duplicate_names,
    names.duplicate_values,
    names.unknown_references,
    structure.level_cycles,
    structure.level_nesting,
    structure.question_placement,
    structure.question_scales,
    structure.scale_sufficiency,
    structure.attribute_ranges,
    conditions.condition_types,
    conditions.condition_cycles,
    conditions.impossible_conditions,
    scores.score_completeness,
    scores.score_operands,
    scores.score_cycles,
    scores.headline_questions,
    bands.band_order,
    bands.band_overlaps,
    bands.band_coverage,
    usage.unused_declarations,
)


def check(ruleset: nodes.Ruleset) -> tuple[Diagnostic, ...]:
    """Run every check on a parsed ruleset; return the diagnostics sorted by position."""
    model = build_model(ruleset)
    return sorted_unique(diagnostic for rule in CHECKS for diagnostic in rule(model))
