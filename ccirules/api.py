"""The Python API: what the command line does, as functions that return values.

>>> from ccirules.api import evaluate, load_cases, load_ruleset
>>> ruleset = load_ruleset("rulesets/cci-youth-2012.rules")
>>> ruleset.ok
True
>>> cases = load_cases(["examples/cases.yaml"], ruleset.compiled)   # doctest: +SKIP
>>> evaluation = evaluate(ruleset.compiled, cases.inspection)       # doctest: +SKIP
>>> evaluation.score("1.1").band.label                              # doctest: +SKIP
'moderate'

Every function reports problems as :class:`~ccirules.diagnostics.Diagnostic` values rather than
raising, so callers decide what to do with them.
"""

from __future__ import annotations

import attrs

from ccirules import nodes
from ccirules.checker import check
from ccirules.compiler import CompiledRuleset, compile_ruleset
from ccirules.diagnostics import Diagnostic, Severity, has_errors, sorted_unique
from ccirules.evaluator import Evaluation, evaluate
from ccirules.loaders import LoadResult, load_inspection
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
    sha256: str | None = None  # of the file's bytes, for stamping results

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
        return CheckedRuleset(source.path, None, parsed.diagnostics, source.sha256)
    found = sorted_unique((*parsed.diagnostics, *check(parsed.ruleset)))
    return CheckedRuleset(source.path, parsed.ruleset, found, source.sha256)


def check_ruleset_file(path: str) -> CheckedRuleset:
    """Read, parse and check one ruleset file. Never raises for a problem in the file."""
    source = read_source(path)
    if isinstance(source, Diagnostic):
        return CheckedRuleset(path, None, (source,))
    return check_source(source)


@attrs.frozen
class LoadedRuleset:
    """A ruleset file checked and, when it has no errors, compiled."""

    checked: CheckedRuleset
    compiled: CompiledRuleset | None

    @property
    def ok(self) -> bool:
        return self.compiled is not None


def load_ruleset(path: str) -> LoadedRuleset:
    """Read, check and compile a ruleset; ``compiled`` is None when it has errors."""
    checked = check_ruleset_file(path)
    compiled = compile_ruleset(checked.ruleset, checked.diagnostics) if checked.ok else None
    return LoadedRuleset(checked, compiled)


def load_cases(paths: list[str] | tuple[str, ...], ruleset: CompiledRuleset) -> LoadResult:
    """Read and validate case files and folders; ``inspection`` is None when any has errors."""
    return load_inspection(list(paths), ruleset)


__all__ = ["CheckedRuleset", "Evaluation", "LoadResult", "LoadedRuleset", "check_ruleset_file",
           "check_source", "evaluate", "load_cases", "load_ruleset"]
