"""The Python API: what the command line does, as functions that return values.

>>> from ccirules.api import evaluate, load_cases, load_ruleset
>>> ruleset = load_ruleset("rulesets/cci-youth-2012.rules")
>>> ruleset.ok
True
>>> cases = load_cases(["examples/northamptonshire-2012/cases"], ruleset.compiled)
>>> evaluation = evaluate(ruleset.compiled, cases.inspection)
>>> evaluation.score("1.1").band.label
'moderate'

Every function reports problems as :class:`~ccirules.diagnostics.Diagnostic` values rather than
raising, so callers decide what to do with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import msgspec

from ccirules.diagnostics import Diagnostic, Severity, has_errors, sorted_unique
from ccirules.evaluator import Evaluation, evaluate
from ccirules.loaders import LoadResult, load_inspection
from ccirules.reading import read_bytes

if TYPE_CHECKING:
    from ccirules import nodes
    from ccirules.checker import Checked
    from ccirules.compiler import CompiledRuleset
    from ccirules.model import Model
    from ccirules.source import SourceFile

# Parsing, checking and compiling are imported where they are used: a ruleset that comes from
# the compiled-ruleset cache needs none of them (nor Lark).


class CheckedRuleset(msgspec.Struct, frozen=True):
    """A ruleset file after reading, parsing and checking.

    ``ruleset`` and ``checked`` (the model the compiler reads, and the checker's findings) are
    None when the file could not be read or parsed; ``diagnostics`` holds every problem found,
    sorted by position.
    """

    path: str
    ruleset: nodes.Ruleset | None
    checked: Checked | None
    diagnostics: tuple[Diagnostic, ...]
    sha256: str | None = None  # of the file's bytes, for stamping results

    @property
    def model(self) -> Model | None:
        return self.checked.model if self.checked is not None else None

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return self.ruleset is not None and not has_errors(self.diagnostics)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)


def check_source(source: SourceFile) -> CheckedRuleset:
    """Parse and check ruleset text that is already in memory."""
    from ccirules.checker import check
    from ccirules.parser import parse

    parsed = parse(source)
    if parsed.ruleset is None:
        return CheckedRuleset(source.path, None, None, parsed.diagnostics, source.sha256)
    checked = check(parsed.ruleset)
    found = sorted_unique((*parsed.diagnostics, *checked.diagnostics))
    return CheckedRuleset(source.path, parsed.ruleset, checked, found, source.sha256)


def check_ruleset_file(path: str) -> CheckedRuleset:
    """Read, parse and check one ruleset file. Never raises for a problem in the file."""
    read = read_bytes(path)
    if isinstance(read, Diagnostic):
        return CheckedRuleset(path, None, None, (read,))
    return check_source(read.source)


class LoadedRuleset(msgspec.Struct, frozen=True):
    """A ruleset file checked and, when it has no errors, compiled (with its scorer)."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    compiled: CompiledRuleset | None
    sha256: str | None = None

    @property
    def ok(self) -> bool:
        return self.compiled is not None


def load_ruleset(path: str, *, cache: bool = True) -> LoadedRuleset:
    """Read, check and compile a ruleset; ``compiled`` is None when it has errors.

    A ruleset compiled before (the same bytes, this version of ccirules) comes from the
    on-disk cache (:mod:`ccirules.cache`) unless ``cache`` is False.
    """
    from ccirules import cache as disk

    read = read_bytes(path)
    if isinstance(read, Diagnostic):
        return LoadedRuleset(path, (read,), None)
    source = read.source
    if cache:
        hit = disk.load(source, read.data)
        if hit is not None:
            compiled, warnings = hit
            return LoadedRuleset(path, warnings, compiled, source.sha256)
    checked = check_source(source)
    if not checked.ok:
        return LoadedRuleset(path, checked.diagnostics, None, source.sha256)
    from ccirules.compiler import compile_ruleset

    compiled = compile_ruleset(checked.checked)
    if cache:
        disk.store(source, read.data, (compiled, checked.diagnostics))
    return LoadedRuleset(path, checked.diagnostics, compiled, source.sha256)


def load_cases(paths: Sequence[str], ruleset: CompiledRuleset) -> LoadResult:
    """Read and validate case files and folders; ``inspection`` is None when any has errors."""
    return load_inspection(list(paths), ruleset)


def evaluate_files(ruleset: CompiledRuleset, paths: Sequence[str], *, by: str | None = None,
                   allow_unanswered: bool = False, trace: bool = False,
                   jobs: int | None = None) -> Evaluation:
    """Score case files and folders as they are read, in memory that does not grow with the
    number of cases (unless ``trace``), in ``jobs`` processes (by default every CPU for large
    inputs, one for small; see :mod:`ccirules.pieces`). The result is the same whatever
    ``jobs`` is. Problems in the files are in ``diagnostics``; when there are errors the scores
    cover only the cases that could be read."""
    from ccirules import pieces

    if jobs is None:
        jobs = pieces.default_jobs(paths)
    return pieces.evaluate_files(ruleset, paths, jobs=jobs, by=by,
                                 allow_unanswered=allow_unanswered, trace=trace)


__all__ = ["CheckedRuleset", "Evaluation", "LoadResult", "LoadedRuleset", "check_ruleset_file",
           "check_source", "evaluate", "evaluate_files", "load_cases", "load_ruleset"]
