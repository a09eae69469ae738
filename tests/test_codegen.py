"""The generated scorer: user text only ever as string constants, never as code; and the same
counts as the simple evaluator, whatever the values."""

from __future__ import annotations

import ast
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules.codegen import build_scorer
from ccirules.evaluator import Outcome, case_records, evaluate
from tests import strategies
from tests.helpers import compiled, inspection

HOSTILE = [
    "'); __import__('os').system('touch /tmp/ccirules-pwned') #",
    "\\\\'",
    "{__import__('os')}",
    "%s%s%n",
    "\\x00\\n",
    "${HOME}",
    "é✓ 𝒳",
    "yes",
]

#: Every identifier the generator may write.
GENERATED = re.compile(r"(count|rows|row|totals|problems|trace|append|join|v|_Decimal|"
                       r"_V\d+|[aqxsindu]\d+|o\d+)")


def hostile_ruleset():
    values = " ".join(f'value "{value}" means {category}' for value, category in zip(
        HOSTILE, ["sufficient", "insufficient", "not applicable", "sufficient", "insufficient",
                  "sufficient", "insufficient", "not applicable"], strict=True))
    choices = ", ".join(f'"{value}"' for value in HOSTILE)
    return compiled(f'ruleset "Hostile"\nscale s {values} end\nattribute kind one of {choices}\n'
                    'attribute age whole number from 0 to 99\n'
                    'level g "G" scored as proportion sufficient of its questions\n'
                    f'g G "G"\n  question q1\n  question q2 applies when q1 is "{HOSTILE[0]}"\n'
                    f'  question q3 applies when kind in ("{HOSTILE[2]}", "{HOSTILE[6]}") '
                    'and age >= 18\n'
                    f'  question q4 applies when not (q2 is sufficient) or kind is "{HOSTILE[1]}"\n'
                    "end\n")


@pytest.mark.parametrize("traced", [False, True])
def test_user_text_is_only_ever_a_string_constant(traced: bool) -> None:
    scorer = build_scorer(hostile_ruleset())
    tree = ast.parse(scorer.source(traced))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert GENERATED.fullmatch(node.id), node.id
        if isinstance(node, ast.Attribute):
            assert GENERATED.fullmatch(node.attr), node.attr
        assert not isinstance(node, ast.Import | ast.ImportFrom | ast.Lambda)
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Attribute | ast.Name)
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            assert name in ("append", "join", "_Decimal"), name
    constants = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
    assert HOSTILE[0] in constants  # present, but only as data


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_values_count_like_the_simple_evaluator(data) -> None:
    ruleset = hostile_ruleset()
    cases = data.draw(strategies.case_sets(ruleset))
    evaluation = evaluate(ruleset, inspection(*cases), allow_unanswered=True)
    for question in ruleset.questions:
        outcomes = [r.outcome for case in cases for r in case_records(ruleset, case)
                    if r.question == question.name]
        tally = evaluation.tallies[question.name]
        assert (tally.sufficient, tally.insufficient, tally.does_not_apply) == (
            outcomes.count(Outcome.SUFFICIENT), outcomes.count(Outcome.INSUFFICIENT),
            outcomes.count(Outcome.DOES_NOT_APPLY))
