"""What happened to each answer: outcomes, the one-character trace codes, and answer records.

A traced run of the generated scorer (:mod:`ccirules.codegen`) gives each case a string with one
character per question, in evaluation order. A question that applied and was answered is coded by
the answer's place in its scale; one that did not apply, by the place of the first of its
conditions that is false; one that applied with no answer, by ``?``. The codes are drawn from
disjoint ranges, so every character has one meaning for any number of scale values and
conditions. :func:`legend` says what each character means for a question; :func:`records` turns a
case's codes into :class:`AnswerRecord` values, the form ``explain``, ``test`` and ``verify``
read. Numbers and explanations come from the same run, so they cannot disagree.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence

import msgspec

from ccirules import terms
from ccirules.compiler import CompiledQuestion, CompiledRuleset
from ccirules.source import Span


class Outcome(enum.Enum):
    SUFFICIENT = "sufficient"
    INSUFFICIENT = "insufficient"
    NOT_APPLICABLE = "not applicable"  # answered with a value meaning not applicable
    DOES_NOT_APPLY = "does not apply"  # a condition is false for this case
    UNANSWERED = "unanswered"  # applicable but no answer recorded: left out

    @property
    def counted(self) -> bool:
        return self in (Outcome.SUFFICIENT, Outcome.INSUFFICIENT)


OUTCOME_OF = {terms.Category.SUFFICIENT: Outcome.SUFFICIENT,
              terms.Category.INSUFFICIENT: Outcome.INSUFFICIENT,
              terms.Category.NOT_APPLICABLE: Outcome.NOT_APPLICABLE}

# ---- the codes -------------------------------------------------------------------------------

#: A question that applied but has no answer.
UNANSWERED_CODE = "?"

#: Scale values: a-z, A-Z, then CJK Unified Ideographs (U+4E00, 20,992 code points).
#: Conditions: 0-9, then CJK Extension A (U+3400, 6,592 code points). The ranges are disjoint and
#: hold single printable characters, more than the checker's limits on values and conditions.
_VALUE_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUE_BEYOND, _VALUE_ROOM = 0x4E00, 20_992
_CONDITION_DIGITS = "0123456789"
_CONDITION_BEYOND, _CONDITION_ROOM = 0x3400, 6_592
MAX_VALUES = len(_VALUE_LETTERS) + _VALUE_ROOM
MAX_CONDITIONS = len(_CONDITION_DIGITS) + _CONDITION_ROOM


def value_code(position: int) -> str:
    """The code of a question's ``position``-th scale value (0-based)."""
    if position < len(_VALUE_LETTERS):
        return _VALUE_LETTERS[position]
    if position < MAX_VALUES:
        return chr(_VALUE_BEYOND + position - len(_VALUE_LETTERS))
    raise ValueError(f"no trace code for scale value {position}")


def condition_code(position: int) -> str:
    """The code of a question's ``position``-th condition (0-based; groups' first)."""
    if position < len(_CONDITION_DIGITS):
        return _CONDITION_DIGITS[position]
    if position < MAX_CONDITIONS:
        return chr(_CONDITION_BEYOND + position - len(_CONDITION_DIGITS))
    raise ValueError(f"no trace code for condition {position}")


# ---- meanings --------------------------------------------------------------------------------


class Meaning(msgspec.Struct, frozen=True):
    """What one code means for one question: the outcome, the answer (for answered codes), why,
    and the ruleset place that decided it (a scale value, a condition, the question)."""

    outcome: Outcome
    answer: str | None
    reason: str
    rule_span: Span
    condition: terms.Condition | None = None  # the false condition, for DOES_NOT_APPLY
    owner: str | None = None  # the question or group it is written on

    def to_json(self, question: str) -> dict[str, object]:
        """The legend entry: the reason names the false condition as written."""
        from ccirules.printer import print_condition

        entry: dict[str, object] = {"outcome": self.outcome.value}
        if self.answer is not None:
            entry["answer"] = self.answer
        reason = self.reason
        if self.condition is not None:
            reason = f"{_whose(self.owner, question)} condition is false: " \
                     f"{print_condition(self.condition)}"
        entry["reason"] = reason
        entry["rule_location"] = self.rule_span.to_json()
        return entry


def _whose(owner: str | None, question: str) -> str:
    return "its" if owner == question else f"`{owner}`'s"


def legend(question: CompiledQuestion) -> dict[str, Meaning]:
    """Every code a question can have in a trace, and what it means."""
    meanings: dict[str, Meaning] = {}
    for position, (value, category) in enumerate(question.scale.categories.items()):
        meanings[value_code(position)] = Meaning(
            OUTCOME_OF[category], value, f"`{value}` means {category.value}",
            question.scale.spans[value])
    meanings[UNANSWERED_CODE] = Meaning(Outcome.UNANSWERED, None, "no answer was recorded",
                                        question.span)
    for position, applies in enumerate(question.applies):
        meanings[condition_code(position)] = Meaning(
            Outcome.DOES_NOT_APPLY, None,
            f"{_whose(applies.owner, question.name)} condition is false for this case",
            applies.span, applies.condition, applies.owner)
    return meanings


class AnswerRecord(msgspec.Struct, frozen=True):
    """What one case contributed to one question, and why."""

    case: str
    question: str
    outcome: Outcome
    answer: str | None  # the answer recorded (also where the question does not apply)
    reason: str
    rule_span: Span | None  # the condition or scale value that decided the outcome
    data_span: Span | None  # where the answer (or the case) was read


def records(ruleset: CompiledRuleset, legends: Sequence[dict[str, Meaning]], case: str,
            codes: str, recorded: Callable[[str], str | None],
            located: Callable[[str], Span | None]) -> list[AnswerRecord]:
    """A case's answer records, in evaluation order, from its trace codes and the legends of
    the questions in evaluation order. ``recorded`` gives the answer a file holds for a question
    (shown where the question does not apply), and ``located`` where it was read."""
    found = []
    for name, code, meanings in zip(ruleset.evaluation_order, codes, legends, strict=True):
        meaning = meanings[code]
        answer = meaning.answer
        if meaning.outcome is Outcome.DOES_NOT_APPLY:
            answer = recorded(name)
        found.append(AnswerRecord(case, name, meaning.outcome, answer, meaning.reason,
                                  meaning.rule_span, located(name)))
    return found
