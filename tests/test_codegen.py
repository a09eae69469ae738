"""The generated scorer: no user text ever reaches its source, its shape does not depend on how
deep or how long conditions are, and it counts exactly as the oracle does, whatever the values."""

from __future__ import annotations

import ast
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules.evaluator import evaluate
from ccirules.testing import case_sets
from tests import oracle
from tests.helpers import case, compiled, inspection

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
GENERATED = re.compile(r"count|rows|row|totals|problems|trace|append|v|_K|_V|"
                       r"[aqxsindutkoV]\d+")


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
def test_user_text_never_reaches_the_source(traced: bool) -> None:
    scorer = hostile_ruleset().scorer
    source = scorer.source(traced)
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert GENERATED.fullmatch(node.id), node.id
        if isinstance(node, ast.Attribute):
            assert GENERATED.fullmatch(node.attr), node.attr
        assert not isinstance(node, ast.Import | ast.ImportFrom | ast.Lambda)
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Attribute) and node.func.attr == "append"
        if isinstance(node, ast.Constant):
            assert node.value is None or isinstance(node.value, int) or (
                isinstance(node.value, str) and len(node.value) == 1), node.value
    for value in HOSTILE:
        assert value not in source
    assert HOSTILE[0] in {value for constant in scorer.constants
                          for value in (constant if isinstance(constant, frozenset)
                                        else {constant})}  # present, but only as data


def _nested(depth: int, negations: int) -> str:
    """A question under ``depth`` nested groups, each with a condition, whose own condition
    nests `not (` ``negations`` deep."""
    levels = "".join(f'level l{i} "L" within {"top" if i == 0 else f"l{i - 1}"}\n'
                     for i in range(depth - 1))
    groups = "".join(f'l{i} G{i} "G" applies when age > {i % 50}\n' for i in range(depth - 1))
    condition = "not (" * negations + "age < 90" + ")" * negations
    return ('ruleset "Deep"\nscale s value yes means sufficient value no means insufficient end\n'
            'attribute age whole number from 0 to 99\n'
            'level top "T" scored as proportion sufficient of its questions\n'
            f'{levels}top T "T" applies when age >= 0\n{groups}'
            f'question Q applies when {condition}\n' + "end\n" * depth)


@pytest.mark.parametrize("traced", [False, True])
@pytest.mark.parametrize(("depth", "negations"), [(99, 2), (1, 120)])
def test_depth_does_not_shape_the_code(traced: bool, depth: int, negations: int) -> None:
    """However deep the groups and conditions, the generated code indents the same few levels
    and nests no expression more than INLINE_DEPTH deep, so Python always compiles it."""
    ruleset = compiled(_nested(depth, negations))
    assert len(ruleset.question("Q").applies) == depth + 1
    source = ruleset.scorer.source(traced)
    assert max(len(line) - len(line.lstrip()) for line in source.splitlines()) <= 20
    evaluation = evaluate(ruleset, inspection(case("c1", {"age": 60}, Q="yes"),
                                              case("c2", {"age": 95}, Q="yes")), trace=traced)
    assert (evaluation.tallies["Q"].sufficient, evaluation.tallies["Q"].does_not_apply) == (1, 1)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_values_count_like_the_oracle(data) -> None:
    ruleset = hostile_ruleset()
    cases = data.draw(case_sets(ruleset, complete=data.draw(st.booleans())))
    evaluation = evaluate(ruleset, inspection(*cases), allow_unanswered=True)
    expected = oracle.tallies(ruleset, cases)
    for question in ruleset.questions:
        tally = evaluation.tallies[question.name]
        assert (tally.sufficient, tally.insufficient, tally.not_applicable,
                tally.does_not_apply, tally.unanswered) == expected[question.name]
