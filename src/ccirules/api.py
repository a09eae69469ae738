"""The Python API: what the command line does, as functions that return values.

>>> from ccirules.api import check_ruleset_file
>>> result = check_ruleset_file("rulesets/cci-youth-2012.rules")
>>> result.ok
True
"""

from __future__ import annotations

import attrs

from ccirules import nodes
from ccirules.checker import check
from ccirules.diagnostics import Diagnostic, Severity, has_errors, sorted_unique
from ccirules.parser import parse
from ccirules.reading import read_source
from ccirules.source import SourceFile


@attrs.frozen
class CheckedRuleset:
    """A ruleset file after reading, parsing and checking.

    ``ruleset`` is None when the file could not be read or parsed; ``diagnostics`` holds every
    problem found, sorted by position.
    """

    path: str
    ruleset: nodes.Ruleset | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return self.ruleset is not None and not has_errors(self.diagnostics)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)


def check_source(source: SourceFile) -> CheckedRuleset:
    """Parse and check ruleset text that is already in memory."""
    parsed = parse(source)
    if parsed.ruleset is None:
        return CheckedRuleset(source.path, None, parsed.diagnostics)
    found = sorted_unique((*parsed.diagnostics, *check(parsed.ruleset)))
    return CheckedRuleset(source.path, parsed.ruleset, found)


def check_ruleset_file(path: str) -> CheckedRuleset:
    """Read, parse and check one ruleset file. Never raises for a problem in the file."""
    source = read_source(path)
    if isinstance(source, Diagnostic):
        return CheckedRuleset(path, None, (source,))
    return check_source(source)
