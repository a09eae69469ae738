"""Semantic checks: a table of small functions, each named for what it forbids.

Every check reads the same :class:`~ccirules.model.Model` and yields diagnostics; all run,
so one pass reports every problem, sorted by position. Checks skip what another check already
reports (an unknown name is reported once, not again by every check that meets it), so one mistake
gives one diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from ccirules import nodes
from ccirules.checker import bands, conditions, names, scores, sizes, structure, usage
from ccirules.diagnostics import Diagnostic, has_errors, sorted_unique
from ccirules.model import Model, build_model

Check = Callable[[Model], Iterable[Diagnostic]]

#: The checks, in the order a reader would think of them. Order does not affect the output.
CHECKS: tuple[Check, ...] = (
    names.ruleset_header,
    names.duplicate_names,
    names.duplicate_values,
    names.unknown_references,
    sizes.uncarriable_names,
    sizes.declaration_counts,
    sizes.value_counts,
    sizes.condition_sizes,
    structure.level_cycles,
    structure.level_nesting,
    structure.level_names,
    structure.question_placement,
    structure.question_scales,
    structure.scale_sufficiency,
    structure.attribute_ranges,
    conditions.condition_types,
    conditions.condition_cycles,
    conditions.impossible_conditions,
    conditions.category_named_values,
    scores.score_completeness,
    scores.score_operands,
    scores.score_cycles,
    scores.headline_questions,
    bands.band_order,
    bands.band_overlaps,
    bands.band_coverage,
    usage.unused_declarations,
)


@attrs.frozen
class Checked:
    """A parsed ruleset's model and every problem the checks found in it, sorted by position.

    The model is what the compiler reads, so it is built once for checking and compiling.
    """

    model: Model
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed): the ruleset can be compiled."""
        return not has_errors(self.diagnostics)


def check(ruleset: nodes.Ruleset) -> Checked:
    """Run every check on a parsed ruleset."""
    model = build_model(ruleset)
    found = sorted_unique(diagnostic for rule in CHECKS for diagnostic in rule(model))
    return Checked(model, found)
