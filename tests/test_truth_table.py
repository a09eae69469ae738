"""The truth table of docs/language.md ("What a condition sees of a question") as a property:
over generated rulesets using every form of condition, the engine decides that a question
applies to a case exactly when a small reference, written straight from that table, does.

The reference is deliberately separate from the code it checks: it reads each condition from
the ruleset's text with a parser of its own (so precedence is checked too), finds the groups a
question is in from the syntax tree, and decides each comparison by the table's rules, not by
:func:`ccirules.terms.holds` or the generated scorer. Cases answer each question with any
value of its scale (sufficient, insufficient or not applicable) or not at all, wherever the
question applies or not, so every row of the table is met.
"""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules import nodes
from ccirules.cases import Case
from ccirules.compiler import AttributeKind, CompiledRuleset
from ccirules.parser import parse
from ccirules.source import SourceFile
from ccirules.testing import attribute_values
from ccirules.trace import Outcome
from tests.frameworks import frameworks
from tests.helpers import NOWHERE, compiled, run

# ---- the reference ---------------------------------------------------------------------------

_TOKEN = re.compile(r'\s*("[^"]*"|<=|>=|!=|[<>=(),]|[^\s<>=!(),"]+)')


class _Condition:
    """One condition's text, read by recursive descent: `not` binds tightest, then `and`,
    then `or`, and parentheses group (the docs' Conditions table)."""

    def __init__(self, text: str) -> None:
        self.tokens = _TOKEN.findall(text)
        self.at = 0

    def holds(self, value_of) -> bool:
        self.value_of, self.at = value_of, 0
        result = self._or()
        assert self.at == len(self.tokens), self.tokens[self.at:]
        return result

    def _next(self) -> str:
        self.at += 1
        return self.tokens[self.at - 1]

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _or(self) -> bool:
        results = [self._and()]
        while self._peek() == "or":
            self._next()
            results.append(self._and())
        return any(results)  # every operand is read, whatever the first gives

    def _and(self) -> bool:
        results = [self._not()]
        while self._peek() == "and":
            self._next()
            results.append(self._not())
        return all(results)

    def _not(self) -> bool:
        if self._peek() == "not":
            self._next()
            return not self._not()
        if self._peek() == "(":
            self._next()
            result = self._or()
            assert self._next() == ")"
            return result
        return self._comparison()

    def _comparison(self) -> bool:
        subject = _unquoted(self._next())
        value, category, numeric = self.value_of(subject)
        word = self._next()
        if word in ("<", "<=", ">", ">=", "=", "!="):
            number = Decimal(self._next())
            return value is not None and {
                "<": value < number, "<=": value <= number, ">": value > number,
                ">=": value >= number, "=": value == number, "!=": value != number}[word]
        negated = word == "not"
        if negated:
            word = self._next()
        if word == "in":
            assert self._next() == "("
            listed = [self._next()]
            while self._next() == ",":
                listed.append(self._next())
            found = value is not None and any(_same(value, item, numeric) for item in listed)
            return found != negated
        assert word == "is", word
        if self._peek() == "not":
            self._next()
            negated = True
        test = self._next()
        if test == "sufficient":
            found = category == "sufficient"
        elif test == "insufficient":
            found = category == "insufficient"
        elif test == "applicable":
            found = category in ("sufficient", "insufficient")
        else:
            found = value is not None and _same(value, test, numeric)
        return found != negated


def _unquoted(token: str) -> str:
    return token[1:-1] if token.startswith('"') else token


def _same(value: object, written: str, numeric: bool) -> bool:
    """Whether a value is the one written: as numbers on a whole-number attribute, else as
    text."""
    return value == Decimal(_unquoted(written)) if numeric else value == _unquoted(written)


def _text(source: str, span) -> str:
    lines = source.split("\n")
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1:span.end_column - 1]
    return "\n".join([lines[span.line - 1][span.column - 1:],
                      *lines[span.line:span.end_line - 1],
                      lines[span.end_line - 1][:span.end_column - 1]])


def _conditions_by_question(source: str) -> dict[str, list[_Condition]]:
    """Each question's conditions: its own, and those of every group it sits in (nested in
    it, or placed there with `under`), found from the syntax tree."""
    ruleset = parse(SourceFile("generated.rules", source)).ruleset
    parent: dict[str, str | None] = {}
    owned: dict[str, list[_Condition]] = {}
    placed: dict[str, str | None] = {}

    def walk(members, group: str | None) -> None:
        for member in members:
            own = [_Condition(_text(source, member.applies.span))] if member.applies else []
            owned[member.name.text] = own
            if isinstance(member, nodes.Group):
                parent[member.name.text] = group
                walk(member.members, member.name.text)
            elif isinstance(member, nodes.Question):
                placed[member.name.text] = member.under.text if member.under else group

    walk([d for d in ruleset.declarations if isinstance(d, nodes.Group | nodes.Question)], None)
    found = {}
    for question, group in placed.items():
        conditions = list(owned[question])
        while group is not None:
            conditions += owned[group]
            group = parent[group]
        found[question] = conditions
    return found


def reference_applies(ruleset: CompiledRuleset, source: str, case: Case) -> dict[str, bool]:
    """Whether each question applies to the case, by the docs' table: a question sees another's
    answer only where that one applies; a missing or unseen answer is no value, which `is` and
    `in` are false of; an answer meaning not applicable is a value of no category that counts."""
    conditions = _conditions_by_question(source)
    decided: dict[str, bool] = {}

    def value_of(name: str) -> tuple[object, str | None, bool]:
        if name in ruleset.attributes:
            numeric = ruleset.attributes[name].kind is AttributeKind.WHOLE_NUMBER
            value = case.attributes.get(name)
            return (Decimal(value) if numeric and value is not None else value), None, numeric
        answer = case.answers.get(name)
        if answer is None or not applies(name):
            return None, None, False
        return answer, ruleset.question(name).scale.categories[answer].value, False

    def applies(name: str) -> bool:
        if name not in decided:
            decided[name] = all(condition.holds(value_of) for condition in conditions[name])
        return decided[name]

    return {question.name: applies(question.name) for question in ruleset.questions}


# ---- the property ----------------------------------------------------------------------------


@st.composite
def _cases(draw, ruleset: CompiledRuleset) -> list[Case]:
    """Cases whose attributes are in their domains and whose every question is answered with
    any value of its scale, or left unanswered, whether or not it applies."""
    found = []
    for index in range(draw(st.integers(1, 5))):
        answers = {}
        for question in ruleset.questions:
            answer = draw(st.none() | st.sampled_from(sorted(question.scale.categories)))
            if answer is not None:
                answers[question.name] = answer
        found.append(Case(f"C{index}", draw(attribute_values(ruleset)), answers, {},
                          NOWHERE.whole()))
    return found


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_the_engine_applies_questions_as_the_truth_table_says(data) -> None:
    framework = data.draw(frameworks(max_questions=8))
    ruleset = compiled(framework.text)
    cases = data.draw(_cases(ruleset))
    evaluation = run(ruleset, *cases, allow_unanswered=True, keep_records=True)
    engine = {(record.case, record.question): record.outcome is not Outcome.DOES_NOT_APPLY
              for record in evaluation.records}
    for case in cases:
        for question, applies in reference_applies(ruleset, framework.text, case).items():
            assert engine[(case.id, question)] == applies, (case, question)


def test_the_reference_reads_conditions_as_the_docs_say() -> None:
    """The reference itself, on the docs' own examples: precedence, and a question whose
    answer is recorded where it does not apply."""
    text = """ruleset "R"
scale s value yes means sufficient value no means insufficient value na means not applicable end
attribute plan_needed yes or no
level section "Section"
section 1 "S"
  applies when plan_needed is yes or plan_needed is no
  question 1.1
  question 1.2 applies when not 1.1 is no and 1.1 is applicable
  question 1.3 applies when not (1.1 is no and 1.1 is applicable)
end
"""
    ruleset = compiled(text)
    expected = {"yes": (True, True), "no": (False, False), "na": (False, True)}
    for answer, (second, third) in expected.items():
        case = Case("C", {"plan_needed": "yes"}, {"1.1": answer}, {}, NOWHERE.whole())
        assert reference_applies(ruleset, text, case) == {"1.1": True, "1.2": second,
                                                          "1.3": third}
