"""Building rulesets, cases and evaluations in memory for unit and property tests."""

from __future__ import annotations

from collections.abc import Mapping

from ccirules.api import check_source
from ccirules.cases import Case, Inspection, Judgements
from ccirules.compiler import CompiledRuleset, compile_ruleset
from ccirules.evaluator import Evaluation, evaluate
from ccirules.source import SourceFile

NOWHERE = SourceFile("memory", "")


def compiled(text: str, path: str = "test.rules") -> CompiledRuleset:
    checked = check_source(SourceFile(path, text))
    assert checked.ok, checked.diagnostics
    return compile_ruleset(checked.checked)


def case(case_id: str, attributes: Mapping[str, object] | None = None,
         **answers: str) -> Case:
    """A case; answers as keyword arguments (``**{"1.1.2": "yes"}`` for dotted names)."""
    return Case(case_id, dict(attributes or {}), answers, {}, NOWHERE.whole())


def inspection(*cases: Case, ratings: Mapping[str, str] | None = None) -> Inspection:
    return Inspection(tuple(cases), Judgements(dict(ratings or {}), {}), ())


def run(ruleset: CompiledRuleset, *cases: Case, ratings: Mapping[str, str] | None = None,
        **options) -> Evaluation:
    return evaluate(ruleset, inspection(*cases, ratings=ratings), **options)
