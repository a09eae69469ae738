"""Trace codes: one character per question per case, each with exactly one meaning in its
question's legend, for any number of scale values and conditions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ccirules.evaluator import evaluate
from ccirules.trace import UNANSWERED_CODE, Outcome
from tests.helpers import case, compiled, inspection


def _ruleset(values: int, depth: int) -> str:
    """A question on a scale of ``values`` values, under ``depth`` nested groups each with a
    condition (`age > i`), with a condition of its own (`age < 90`)."""
    scale = " ".join(f"value v{i} means {('sufficient', 'insufficient')[i % 2]}"
                     for i in range(values))
    levels = "".join(f'level l{i} "L" within {"top" if i == 0 else f"l{i - 1}"}\n'
                     for i in range(depth))
    groups = "".join(f'l{i} G{i} "G" applies when age > {i}\n' for i in range(depth))
    return (f'ruleset "R"\nscale s {scale} end\nattribute age whole number from 0 to 99\n'
            'level top "T" scored as proportion sufficient of its questions\n'
            f'{levels}top T "T"\n{groups}question Q applies when age < 90\n'
            + "end\n" * (depth + 1))


@settings(max_examples=20, deadline=None)
@given(values=st.integers(2, 200), depth=st.integers(0, 99))
def test_every_code_has_exactly_one_meaning(values: int, depth: int) -> None:
    ruleset = compiled(_ruleset(values, depth))
    (legend,) = ruleset.scorer.legends
    conditions = depth + 1
    assert len(legend) == values + 1 + conditions  # no two meanings share a character
    assert all(len(code) == 1 and code.isprintable() for code in legend)
    assert [m.outcome for m in legend.values()].count(Outcome.DOES_NOT_APPLY) == conditions
    assert legend[UNANSWERED_CODE].outcome is Outcome.UNANSWERED
    answered = [m.answer for m in legend.values() if m.answer is not None]
    assert answered == [f"v{i}" for i in range(values)]

    # The engine's codes read back through the legend: the last value, and each failed
    # condition (a case of age k fails the condition of group k, the first false one).
    cases = [case(f"age{age}", {"age": age}, Q="v0")
             for age in sorted({0, depth // 2, depth, 95} & set(range(100)))]
    if depth < 90:
        cases.append(case("last", {"age": depth}, Q=f"v{values - 1}"))
    evaluation = evaluate(ruleset, inspection(*cases), trace=True, allow_unanswered=True)
    codes = {trace.case: trace.codes for trace in evaluation.trace}
    for traced in cases:
        (code,) = codes[traced.id]
        meaning = legend[code]
        age = traced.attributes["age"]
        if age < depth:
            assert (meaning.outcome, meaning.owner) == (Outcome.DOES_NOT_APPLY, f"G{age}")
        elif age >= 90:
            assert (meaning.outcome, meaning.owner) == (Outcome.DOES_NOT_APPLY, "Q")
        else:
            assert meaning.answer == traced.answers["Q"]
