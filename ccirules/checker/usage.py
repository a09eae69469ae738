"""W302: scales, band tables and levels declared but never used.

Attributes are not reported: an attribute no condition mentions still describes the cases, and
breaking scores down by it (by office, by custody or community) is one of its uses.
"""

from __future__ import annotations

from collections.abc import Iterator

from ccirules.diagnostics import Diagnostic, warning
from ccirules.model import Model
from ccirules.printer import keywords


def unused_declarations(model: Model) -> Iterator[Diagnostic]:
    """W302: a scale no question is answered on, a band table nothing is banded by, a level with
    no groups."""
    used_scales = {info.scale.name.text for info in model.questions if info.scale is not None}
    used_scales.update(g.node.scale.text for g in model.groups if g.node.scale is not None)
    for name, scale in model.scales.items():
        if name not in used_scales:
            yield warning("W302", f"scale `{name}` is never used", scale.name.span,
                          hint="use it with `on scale`, or remove it")
    used_bands = {score.bands.text for score in model.scores if score.bands is not None}
    used_bands.update(level.bands.text for level in model.levels.values()
                      if level.bands is not None)
    for name, table in model.bands.items():
        if name not in used_bands:
            yield warning("W302", f"band table `{name}` is never used", table.name.span,
                          hint="use it with `banded by`, or remove it")
    used_levels = {group.node.level.text for group in model.groups}
    used_levels.update(level.within.text for level in model.levels.values()
                       if level.within is not None)
    for name, level in model.levels.items():
        if name not in used_levels and name not in keywords():  # E226: none could be written
            yield warning("W302", f"level `{name}` has no groups", level.name.span,
                          hint=f"add a group such as `{name} 1 \"Title\" ... end`, or remove it")
