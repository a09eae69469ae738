"""The fast path: a compiled ruleset as a typed record and a straight-line counting function.

For national programmes (millions of answers) the evaluator's per-record objects are too slow, so
this module generates, from the compiled ruleset:

- a msgspec ``Struct`` type for one case, which decodes JSON straight into typed fields and
  rejects anything the ruleset does not allow (unknown keys, values outside a scale or domain);
- a Python function that walks a batch of those records and counts each question's outcomes in
  local variables, with every applicability condition written out as an expression.

Safety: nothing a user wrote becomes code. Every identifier in the generated source is made
here (``a3``, ``q17``, ``s17``); names from the ruleset appear only as data (the Struct's
``rename`` table); values appear only as ``repr()`` string literals, numbers as ``repr()`` of an
int or a ``Decimal`` built from a literal. The test suite feeds hostile values to prove it.

The counting function must agree with :func:`ccirules.evaluator.case_records`, the simple
evaluator kept as the oracle; property tests check they do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Annotated, Literal

import attrs
import msgspec

from ccirules import nodes
from ccirules.checker.walk import atoms
from ccirules.compiler import CompiledAttribute, CompiledQuestion, CompiledRuleset

#: The five counters kept per question: sufficient, insufficient, answered not applicable, does
#: not apply, unanswered.
COUNTERS = 5

#: Trace characters. A question that applied and was answered is a letter: the answer's place
#: in its scale ("a" for the first value). One that did not apply is a digit: the place of the
#: condition that was false among the conditions it must pass (its groups' first, then its own).
#: One that applied but has no answer is "?".
UNANSWERED_CODE = "?"


def value_code(position: int) -> str:
    return chr(ord("a") + position) if position < 26 else chr(ord("A") + position - 26)


def gate_code(position: int) -> str:
    return chr(ord("0") + position)

#: Problems the counter reports, as (row, question index, kind).
UNANSWERED, ANSWERED_BUT_NOT_APPLICABLE = 0, 1

CASE_FIELD = "c"


def case_id_of(row) -> str:
    """A typed row's case id, as text (JSON may give it as a number)."""
    return str(getattr(row, CASE_FIELD)).strip()


@attrs.define
class FastScorer:
    """A record type and counting functions generated for one compiled ruleset.

    ``count(rows, totals, problems)`` and ``count_traced(rows, totals, problems, trace)`` return
    the updated totals; each is compiled the first time it is used.
    """

    row_type: type
    decoder: msgspec.json.Decoder
    question_order: tuple[str, ...]  # counter blocks are in this (evaluation) order
    attribute_fields: dict[str, str]  # attribute name -> field name
    question_fields: dict[str, str]  # question name -> field name
    writer: _Writer = attrs.field(repr=False)
    _compiled: dict[bool, Callable] = attrs.Factory(dict)

    @property
    def count(self) -> Callable:
        return self._function(traced=False)

    @property
    def count_traced(self) -> Callable:
        return self._function(traced=True)

    def source(self, traced: bool = False) -> str:
        """The generated code, for reading and for tests."""
        return self.writer.source(traced)

    def _function(self, traced: bool) -> Callable:
        if traced not in self._compiled:
            namespace: dict[str, object] = {"_Decimal": Decimal}
            code = compile(self.source(traced), "<ccirules generated scorer>", "exec")
            exec(code, namespace)  # the code is ours alone: see the module docstring
            self._compiled[traced] = namespace["count"]
        return self._compiled[traced]

    def row_from_case(self, case) -> msgspec.Struct:
        """The typed record for an already-validated :class:`~ccirules.cases.Case`."""
        values = {CASE_FIELD: case.id}
        values.update({self.attribute_fields[name]: value
                       for name, value in case.attributes.items()})
        values.update({self.question_fields[name]: value for name, value in case.answers.items()})
        return self.row_type(**values)


def build_scorer(ruleset: CompiledRuleset) -> FastScorer:
    attribute_fields = {name: f"a{index}" for index, name in enumerate(ruleset.attributes)}
    order = ruleset.evaluation_order
    question_fields = {name: f"q{index}" for index, name in enumerate(order)}
    row_type = _row_type(ruleset, attribute_fields, question_fields)
    writer = _Writer(ruleset, attribute_fields, question_fields)
    return FastScorer(row_type, msgspec.json.Decoder(row_type), order, attribute_fields,
                      question_fields, writer)


# ---- the record type -------------------------------------------------------------------------


def _row_type(ruleset: CompiledRuleset, attribute_fields: dict[str, str],
              question_fields: dict[str, str]) -> type:
    fields: list[tuple] = [(CASE_FIELD, str | int)]
    rename = {CASE_FIELD: "case"}
    for name, attribute in ruleset.attributes.items():
        kind = _attribute_type(attribute)
        field = attribute_fields[name]
        fields.append((field, kind) if attribute.needed else (field, kind | None, None))
        rename[field] = name
    for name, field in question_fields.items():
        values = tuple(ruleset.question(name).scale.categories)
        fields.append((field, Literal[values] | None, None))
        rename[field] = name
    return msgspec.defstruct("Case", fields, rename=rename, forbid_unknown_fields=True,
                             frozen=True, kw_only=True)


def _attribute_type(attribute: CompiledAttribute):
    if attribute.kind == "whole number":
        return Annotated[int, msgspec.Meta(ge=attribute.low, le=attribute.high)]
    if attribute.kind == "text":
        return str
    return Literal[attribute.values]


# ---- the counting functions ------------------------------------------------------------------


_COMPARISONS = {nodes.Comparator.LT: "<", nodes.Comparator.LE: "<=", nodes.Comparator.GT: ">",
                nodes.Comparator.GE: ">=", nodes.Comparator.EQ: "==", nodes.Comparator.NE: "!="}
_TESTED = {nodes.AnswerCategory.SUFFICIENT: (nodes.Category.SUFFICIENT,),
           nodes.AnswerCategory.INSUFFICIENT: (nodes.Category.INSUFFICIENT,),
           nodes.AnswerCategory.APPLICABLE: (nodes.Category.SUFFICIENT,
                                             nodes.Category.INSUFFICIENT)}


class _Writer:
    """Writes the counting functions. Questions are numbered in evaluation order: question k's
    answer is read into ``v``, its value as conditions see it (the answer if it applies) kept in
    ``xk``, and its five counters are ``sk ik nk dk uk``."""

    def __init__(self, ruleset: CompiledRuleset, attribute_fields: dict[str, str],
                 question_fields: dict[str, str]) -> None:
        self.ruleset = ruleset
        self.attribute_fields = attribute_fields
        self.question_fields = question_fields
        self.plan = [ruleset.question(name) for name in ruleset.evaluation_order]
        self.index = {question.name: k for k, question in enumerate(self.plan)}
        self.subjects = {subject for question in self.plan for gate in question.gates
                         for subject in _subjects(gate.condition)}
        self.read_by_conditions = {self.index[name] for name in self.subjects
                                   if name in self.index}

    def source(self, traced: bool) -> str:
        counters = [f"{code}{k}" for k in range(len(self.plan)) for code in "sindu"]
        used = [name for name in self.attribute_fields if name in self.subjects]
        lines = [f"_V{k} = {self._codes(question)!r}" for k, question in enumerate(self.plan)]
        lines.append(f"def count(rows, totals, problems{', trace' if traced else ''}):")
        if counters:
            lines.append(f"    ({', '.join(counters)},) = totals")
        lines.append("    for row in rows:")
        lines += [f"        {self.attribute_fields[name]} = row.{self.attribute_fields[name]}"
                  for name in used]
        for k, question in enumerate(self.plan):
            lines += self._question(k, question, traced)
        if traced:
            codes = "".join(f"o{k}, " for k in range(len(self.plan)))
            lines.append(f"        trace.append((row, ''.join(({codes}))))")
        lines.append(f"    return [{', '.join(counters)}]")
        return "\n".join(lines) + "\n"

    @staticmethod
    def _codes(question: CompiledQuestion) -> dict[str, str]:
        return {value: value_code(position)
                for position, value in enumerate(question.scale.categories)}

    def _question(self, k: int, question: CompiledQuestion, traced: bool) -> list[str]:
        categories = question.scale.categories

        def values(category):
            return [value for value, c in categories.items() if c is category]

        # The commonest answer is tested first: most answers are sufficient.
        answered = [
            f"if v {_member(values(nodes.Category.SUFFICIENT))}:", f"    s{k} += 1",
            f"elif v {_member(values(nodes.Category.INSUFFICIENT))}:", f"    i{k} += 1",
            "elif v is None:", f"    u{k} += 1",
            f"    problems.append((row, {k}, {UNANSWERED}))",
            *([f"    o{k} = {UNANSWERED_CODE!r}"] if traced else []),
            "else:", f"    n{k} += 1",
        ]
        if traced:
            answered += ["if v is not None:", f"    o{k} = _V{k}[v]"]
        not_applicable = values(nodes.Category.NOT_APPLICABLE)
        read = k in self.read_by_conditions
        off = [*([f"x{k} = None"] if read else []), f"d{k} += 1",
               "if v is not None" + (f" and v {_member(not_applicable, negated=True)}"
                                     if not_applicable else "") + ":",
               f"    problems.append((row, {k}, {ANSWERED_BUT_NOT_APPLICABLE}))"]
        lines = [f"        v = row.{self.question_fields[question.name]}"]
        store = [f"x{k} = v"] if read else []
        if not question.gates:
            return lines + ["        " + line for line in [*store, *answered]]
        if not traced:  # one test: which condition failed does not matter to the counts
            test = " and ".join(f"({self._condition(gate.condition)})" for gate in question.gates)
            lines += [f"        if {test}:"]
            lines += ["            " + line for line in [*store, *answered]]
            lines += ["        else:"] + ["            " + line for line in off]
            return lines
        depth = "        "
        for gate in question.gates:  # nested, to know which one failed
            lines.append(f"{depth}if {self._condition(gate.condition)}:")
            depth += "    "
        lines += [depth + line for line in [*store, *answered]]
        for position in reversed(range(len(question.gates))):
            depth = depth[:-4]
            lines.append(f"{depth}else:")
            lines += [f"{depth}    {line}" for line in off]
            lines.append(f"{depth}    o{k} = {gate_code(position)!r}")
        return lines

    def _condition(self, condition: nodes.Condition) -> str:
        match condition:
            case nodes.All(operands=operands):
                return " and ".join(f"({self._condition(o)})" for o in operands)
            case nodes.Any(operands=operands):
                return " or ".join(f"({self._condition(o)})" for o in operands)
            case nodes.Not(operand=operand):
                return f"not ({self._condition(operand)})"
            case nodes.Compare(subject=subject, comparator=comparator, number=number):
                value = self._variable(subject.text)
                return (f"{value} is not None and {value} {_COMPARISONS[comparator]} "
                        f"{_number(number.value)}")
            case nodes.InSet(subject=subject, negated=negated, values=words):
                literals = [self._literal(subject.text, word.text) for word in words]
                return f"{self._variable(subject.text)} {_member(literals, negated, quoted=True)}"
            case nodes.Is(subject=subject, negated=negated, test=nodes.ValueTest(value=word)):
                literal = self._literal(subject.text, word.text)
                return f"{self._variable(subject.text)} {'!=' if negated else '=='} {literal}"
            case nodes.Is(subject=subject, negated=negated, test=nodes.CategoryTest() as test):
                categories = self.ruleset.question(subject.text).scale.categories
                wanted = [v for v, c in categories.items() if c in _TESTED[test.category]]
                variable = self._variable(subject.text)
                if not wanted:
                    return "True" if negated else "False"
                return f"{variable} {_member(wanted, negated)}"
        raise AssertionError(f"cannot generate code for {condition!r}")

    def _variable(self, name: str) -> str:
        if name in self.index:
            return f"x{self.index[name]}"
        return self.attribute_fields[name]

    def _literal(self, subject: str, text: str) -> str:
        attribute = self.ruleset.attributes.get(subject)
        if attribute is not None and attribute.kind == "whole number":
            return _number(Decimal(text))
        return repr(text)


def _number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return repr(int(value))
    return f"_Decimal({str(value)!r})"


def _member(values: Sequence[str], negated: bool = False, quoted: bool = False) -> str:
    """`== 'yes'` for one value, `in ('yes', 'fine')` for several; literals via repr() (or
    already written as literals, when ``quoted``)."""
    literals = list(values) if quoted else [repr(value) for value in values]
    if len(literals) == 1:
        return f"{'!=' if negated else '=='} {literals[0]}"
    return f"{'not in' if negated else 'in'} ({', '.join(literals)})"


def _subjects(condition: nodes.Condition) -> set[str]:
    return {atom.subject.text for atom in atoms(condition)}
