"""Building rulesets, cases and evaluations in memory for unit and property tests."""

from __future__ import annotations

import random
from collections.abc import Mapping

from ccirules.api import check_source
from ccirules.cases import Case, Inspection, Judgements
from ccirules.compiler import CompiledRuleset, compile_ruleset
from ccirules.evaluator import Evaluation, evaluate
from ccirules.loaders.records import matching
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


def spelled(value: object, declared: tuple[str, ...], kind: str, rng: random.Random) -> object:
    """A way a cell may hold ``value`` that the loaders read as it: another case, spaces
    around it, a spreadsheet boolean or its text, a number."""
    if kind == "number":
        return rng.choice([value, float(value), str(value), f" {value} ", f"+{value}",
                           f"0{value}" if value >= 0 else value])
    options: list[object] = [value, f"  {value} "]
    if kind != "text" and matching(declared, value.upper()) == value:
        options.append(value.swapcase())
    for truth in (True, False):
        text = str(truth).upper()
        if (text == value) if kind == "text" else (matching(declared, text) == value):
            options += [truth, text.lower(), f" {truth!s} "]
    if value.isdigit() and value == str(int(value)):
        options.append(float(value))
    return rng.choice(options)
