"""The oracle: a deliberately simple evaluator, written straight from the language's meaning, that
the engine (the generated scorer) is tested against.

For each case it visits the questions in an order where each comes after the questions its
conditions read; a question applies when every condition on it and its groups holds, judged by
:func:`ccirules.nodes.holds` with each subject's state (an attribute's value, the answer to a
question that applies); it then tallies outcomes and pools them as Appendix 5 says: a group pools
every question in it, a headline its key questions. Nothing here is generated or fast, so the
two can only agree by being right.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ccirules import nodes
from ccirules.cases import Case
from ccirules.compiler import AttributeKind, CompiledRuleset
from ccirules.source import Span
from ccirules.trace import Outcome

_OUTCOMES = {nodes.Category.SUFFICIENT: Outcome.SUFFICIENT,
             nodes.Category.INSUFFICIENT: Outcome.INSUFFICIENT,
             nodes.Category.NOT_APPLICABLE: Outcome.NOT_APPLICABLE}


@attrs.frozen
class Decision:
    """One case's outcome for one question, and the ruleset place that decided it."""

    case: str
    question: str
    outcome: Outcome
    answer: str | None
    rule_span: Span


def decisions(ruleset: CompiledRuleset, case: Case) -> list[Decision]:
    """Every question's outcome for one case, in the ruleset's question order."""
    states: dict[str, nodes.State] = {
        name: nodes.State(value, numeric=ruleset.attributes[name].kind
                          is AttributeKind.WHOLE_NUMBER)
        for name, value in case.attributes.items()}
    found: dict[str, Decision] = {}
    for name in _order(ruleset):
        question = ruleset.question(name)
        answer = case.answers.get(name)
        false = next((applies for applies in question.applies if not nodes.holds(
            applies.condition, lambda subject: states.get(subject, nodes.State()))), None)
        if false is not None:
            found[name] = Decision(case.id, name, Outcome.DOES_NOT_APPLY, answer, false.span)
            continue
        if answer is None:
            found[name] = Decision(case.id, name, Outcome.UNANSWERED, None, question.span)
            continue
        category = question.scale.categories[answer]
        states[name] = nodes.State(answer, category)
        found[name] = Decision(case.id, name, _OUTCOMES[category], answer,
                               question.scale.spans[answer])
    return [found[question.name] for question in ruleset.questions]


def _order(ruleset: CompiledRuleset) -> list[str]:
    """Questions, each after every question its conditions read (found afresh, by repeated
    passes: slow and obviously right)."""
    reads = {question.name: {subject for applies in question.applies
                             for subject in nodes.subjects(applies.condition)
                             if subject in {q.name for q in ruleset.questions}}
             for question in ruleset.questions}
    ordered: list[str] = []
    while len(ordered) < len(reads):
        for name in reads:
            if name not in ordered and reads[name] <= set(ordered):
                ordered.append(name)
    return ordered


def tallies(ruleset: CompiledRuleset, cases: Iterable[Case]) -> dict[str, tuple[int, ...]]:
    """Per question: (sufficient, insufficient, not applicable, does not apply, unanswered)."""
    counts = {question.name: [0] * 5 for question in ruleset.questions}
    order = list(Outcome)
    for case in cases:
        for decision in decisions(ruleset, case):
            counts[decision.question][order.index(decision.outcome)] += 1
    return {name: tuple(values) for name, values in counts.items()}
