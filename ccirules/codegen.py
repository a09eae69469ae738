"""The engine: a compiled ruleset as a typed record and a straight-line counting function.

From a compiled ruleset this module generates:

- a msgspec ``Struct`` type for one case, which decodes JSON straight into typed fields and
  rejects anything the ruleset does not allow (unknown keys, values outside a scale or domain);
- a Python function that walks a batch of those records and counts each question's outcomes in
  local variables, with every applicability condition written out as an expression. Its traced
  variant also gives each case one trace character per question (see :mod:`ccirules.trace`).

Every number and every explanation comes from these functions.

Safety: nothing a user wrote becomes code, and the code's shape does not depend on what they
wrote. Every identifier is made here (``a3``, ``q17``, ``s17``); names from the ruleset appear only
as data (the Struct's ``rename`` table); values from the ruleset reach the code only as entries of
a constants tuple bound to locals (``k4``), never as literals in the source. Conditions nested
deeper than :data:`INLINE_DEPTH` are computed into temporaries first, so neither nesting nor
length makes the source unparseable. The test suite feeds hostile names and values to prove it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Literal

import msgspec

from ccirules import terms
from ccirules.compiler import AttributeKind, CompiledAttribute, CompiledQuestion, CompiledRuleset
from ccirules.limits import CLEAN_TEXT_PATTERN
from ccirules.trace import UNANSWERED_CODE, condition_code, legend, value_code

#: The five counters kept per question: sufficient, insufficient, answered not applicable, does
#: not apply, unanswered.
COUNTERS = 5

#: Problems the counter reports, as (row, question index, kind).
UNANSWERED, ANSWERED_BUT_NOT_APPLICABLE = 0, 1

#: The field of the record type that holds the case id (named ``case`` in files).
CASE_FIELD = "c"

#: Conditions nested deeper than this are computed into temporaries before they are tested.
INLINE_DEPTH = 12


def case_id_of(row) -> str:
    """A typed row's case id, as text (JSON may give it as a number)."""
    return str(getattr(row, CASE_FIELD)).strip()


class Scorer:
    """The record type and counting functions generated for one compiled ruleset.

    ``count(rows, totals, problems)`` and ``count_traced(rows, totals, problems, trace)`` return
    the updated totals (``COUNTERS`` per question, in evaluation order); the traced one appends
    ``(row, codes)`` to ``trace`` for every row. Each is compiled the first time it is used, or
    adopted already compiled from the on-disk cache (``constants`` and ``code`` are what it
    keeps; everything else is rebuilt from the ruleset).
    """

    def __init__(self, ruleset: CompiledRuleset, constants: tuple[object, ...] | None = None,
                 code: dict[bool, object] | None = None) -> None:
        self.ruleset = ruleset
        self._constants = constants  # the values the code compares with: k0, k1, ...
        self.code = dict(code or {})  # traced -> code object, once compiled
        self.question_order = ruleset.evaluation_order
        self.attribute_fields = {name: f"a{i}" for i, name in enumerate(ruleset.attributes)}
        self.question_fields = {name: f"q{i}" for i, name in enumerate(self.question_order)}
        #: What each trace code means, per question in evaluation order.
        self.legends = tuple(legend(ruleset.question(name)) for name in self.question_order)
        self._writer: _Writer | None = None
        self._functions: dict[bool, Callable] = {}
        self._row_type: type | None = None
        self._decoder: msgspec.json.Decoder | None = None

    @property
    def constants(self) -> tuple[object, ...]:
        if self._constants is None:
            self._constants = self._written().constants
        return self._constants

    def _written(self) -> _Writer:
        if self._writer is None:
            self._writer = _Writer(self.ruleset, self.attribute_fields, self.question_fields)
        return self._writer

    @property
    def row_type(self) -> type:
        """The msgspec Struct type of one case, built on first use."""
        if self._row_type is None:
            self._row_type = _row_type(self.ruleset, self.attribute_fields, self.question_fields)
        return self._row_type

    @property
    def decoder(self) -> msgspec.json.Decoder:
        if self._decoder is None:
            self._decoder = msgspec.json.Decoder(self.row_type)
        return self._decoder

    @property
    def count(self) -> Callable:
        return self._function(traced=False)

    @property
    def count_traced(self) -> Callable:
        return self._function(traced=True)

    def source(self, traced: bool = False) -> str:
        """The generated code, for reading and for tests."""
        return self._written().source(traced)

    def compiled(self, traced: bool) -> object:
        """The code object of one variant, compiled once."""
        if traced not in self.code:
            self.code[traced] = compile(self.source(traced), "<ccirules generated scorer>",
                                        "exec")
        return self.code[traced]

    def _function(self, traced: bool) -> Callable:
        if traced not in self._functions:
            codes = tuple({value: value_code(position)
                           for position, value in enumerate(self.ruleset.question(name)
                                                            .scale.categories)}
                          for name in self.question_order)
            namespace: dict[str, object] = {"_K": self.constants, "_V": codes}
            exec(self.compiled(traced), namespace)  # the code is ours alone: see the docstring
            self._functions[traced] = namespace["count"]
        return self._functions[traced]

    def row_from_case(self, case) -> msgspec.Struct:
        """The typed record for an already-validated :class:`~ccirules.cases.Case`."""
        values = {CASE_FIELD: case.id}
        values.update({self.attribute_fields[name]: value
                       for name, value in case.attributes.items()})
        values.update({self.question_fields[name]: value for name, value in case.answers.items()})
        return self.row_type(**values)

    def answer_of(self, row, question: str) -> str | None:
        """The answer a typed row holds for a question (whether or not it applies)."""
        return getattr(row, self.question_fields[question])


def build_scorer(ruleset: CompiledRuleset) -> Scorer:
    """The scorer for a compiled ruleset: its code is generated and compiled when first used,
    or taken from the on-disk cache (see :mod:`ccirules.cache`)."""
    return Scorer(ruleset)


# ---- the record type -------------------------------------------------------------------------


def _row_type(ruleset: CompiledRuleset, attribute_fields: dict[str, str],
              question_fields: dict[str, str]) -> type:
    fields: list[tuple] = [(CASE_FIELD, _CleanText | int)]
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
    if attribute.kind is AttributeKind.WHOLE_NUMBER:
        low, high = attribute.bounds
        return Annotated[int, msgspec.Meta(ge=low, le=high)]
    if attribute.kind is AttributeKind.TEXT:
        return _CleanText
    return Literal[attribute.values]


#: Text taken as it is; other text (blank, padded, with control characters) is read again by
#: the position-aware loader, which trims or refuses it as every other format does.
_CleanText = Annotated[str, msgspec.Meta(pattern=CLEAN_TEXT_PATTERN)]


# ---- the counting functions ------------------------------------------------------------------


class _Writer:
    """Writes the counting functions. Questions are numbered in evaluation order: question k's
    answer is read into ``v``, its value as conditions see it (the answer if it applies, else
    None) kept in ``xk``, and its five counters are ``sk ik nk dk uk``; ``ok`` is its trace code.
    Values from the ruleset are the constants ``k0 k1 ...``; temporaries are ``t0 t1 ...``."""

    def __init__(self, ruleset: CompiledRuleset, attribute_fields: dict[str, str],
                 question_fields: dict[str, str]) -> None:
        self.ruleset = ruleset
        self.attribute_fields = attribute_fields
        self.question_fields = question_fields
        self.plan = [ruleset.question(name) for name in ruleset.evaluation_order]
        self.index = {question.name: k for k, question in enumerate(self.plan)}
        self.subjects = {subject for question in self.plan for applies in question.applies
                         for subject in terms.subjects(applies.condition)}
        self.read_by_conditions = {self.index[name] for name in self.subjects
                                   if name in self.index}
        self._constants: dict[tuple[str, object], int] = {}
        self._temporaries = 0
        # Both variants name the same constants in the same order: the untraced one is written
        # first and fixes them.
        self._sources = {False: self._write(traced=False)}
        self.constants = tuple(value for (_, value) in self._constants)

    def source(self, traced: bool) -> str:
        if traced not in self._sources:
            self._sources[traced] = self._write(traced)
            assert len(self._constants) == len(self.constants), "variants name other constants"
        return self._sources[traced]

    def _write(self, traced: bool) -> str:
        body: list[str] = []
        used = [name for name in self.attribute_fields if name in self.subjects]
        body += [f"        {self.attribute_fields[name]} = row.{self.attribute_fields[name]}"
                 for name in used]
        for k, question in enumerate(self.plan):
            body += self._question(k, question, traced)
        if traced:
            codes = _balanced_sum([f"o{k}" for k in range(len(self.plan))]) or "''"
            body.append(f"        trace.append((row, {codes}))")
        counters = [f"{code}{k}" for k in range(len(self.plan)) for code in "sindu"]
        head = [f"def count(rows, totals, problems{', trace' if traced else ''}):"]
        if counters:
            head.append(f"    ({', '.join(counters)},) = totals")
        if self._constants:
            head.append(f"    ({', '.join(f'k{i}' for i in range(len(self._constants)))},) = _K")
        if traced and self.plan:
            head.append(f"    ({', '.join(f'V{k}' for k in range(len(self.plan)))},) = _V")
        head.append("    for row in rows:")
        tail = [f"    return [{', '.join(counters)}]"]
        return "\n".join(head + body + tail) + "\n"

    def _question(self, k: int, question: CompiledQuestion, traced: bool) -> list[str]:
        scale = question.scale
        sufficient = scale.values_meaning(terms.Category.SUFFICIENT)
        insufficient = scale.values_meaning(terms.Category.INSUFFICIENT)
        not_applicable = scale.values_meaning(terms.Category.NOT_APPLICABLE)
        read = k in self.read_by_conditions
        # The commonest answer is tested first: most answers are sufficient.
        applies = [
            *([f"x{k} = v"] if read else []),
            f"if v {self._member(sufficient)}:", f"    s{k} += 1",
            f"elif v {self._member(insufficient)}:", f"    i{k} += 1",
            "elif v is None:", f"    u{k} += 1",
            f"    problems.append((row, {k}, {UNANSWERED}))",
            "else:", f"    n{k} += 1",
        ]
        if traced:
            applies.append(f"o{k} = {UNANSWERED_CODE!r} if v is None else V{k}[v]")
        answered = "v is not None" + (f" and v {self._member(not_applicable, negated=True)}"
                                      if not_applicable else "")
        off = [*([f"x{k} = None"] if read else []), f"d{k} += 1",
               f"if {answered}:",
               f"    problems.append((row, {k}, {ANSWERED_BUT_NOT_APPLICABLE}))"]
        lines = [f"v = row.{self.question_fields[question.name]}"]
        if not question.applies:
            return _indented(lines + applies, 2)
        hoisted: list[str] = []
        tests = [self._condition(applies_when.condition, 0, hoisted)
                 for applies_when in question.applies]
        lines += hoisted
        if not traced:  # one test: which condition failed does not matter to the counts
            lines.append("if " + " and ".join(f"({test})" for test in tests) + ":")
            lines += [*_indented(applies, 1), "else:", *_indented(off, 1)]
            return _indented(lines, 2)
        # A flat chain finds the first false condition, however many there are.
        lines.append(f"o{k} = None")
        for position, test in enumerate(tests):
            keyword = "if" if position == 0 else "elif"
            lines += [f"{keyword} not ({test}):", f"    o{k} = {condition_code(position)!r}"]
        lines += [f"if o{k} is None:", *_indented(applies, 1), "else:", *_indented(off, 1)]
        return _indented(lines, 2)

    def _condition(self, condition: terms.Condition, depth: int, hoisted: list[str]) -> str:
        """A condition as a Python expression; parts nested deeper than INLINE_DEPTH are
        computed first into temporaries (appended to ``hoisted``), so depth is bounded."""
        if depth > INLINE_DEPTH:
            name = f"t{self._temporaries}"
            self._temporaries += 1
            expression = self._condition(condition, 0, hoisted)
            hoisted.append(f"{name} = {expression}")
            return name
        match condition:
            case terms.All(operands=operands):
                return " and ".join(f"({self._condition(o, depth + 1, hoisted)})"
                                    for o in operands)
            case terms.Any(operands=operands):
                return " or ".join(f"({self._condition(o, depth + 1, hoisted)})"
                                   for o in operands)
            case terms.Not(operand=operand):
                return f"not ({self._condition(operand, depth + 1, hoisted)})"
        return self._atom(condition)

    def _atom(self, atom: terms.Atom) -> str:
        variable = self._variable(atom.subject.text)
        match atom:
            case terms.Compare(comparator=comparator, number=number):
                operator = terms.COMPARISONS[comparator][1]
                return (f"{variable} is not None and {variable} {operator} "
                        f"{self._constant(terms.exact_number(number.value))}")
            case terms.InSet(negated=negated, values=words):
                literals = frozenset(self._literal(atom.subject.text, w.text) for w in words)
                return f"{variable} {'not in' if negated else 'in'} {self._constant(literals)}"
            case terms.Is(negated=negated, test=terms.ValueTest(value=word)):
                literal = self._constant(self._literal(atom.subject.text, word.text))
                return f"{variable} {'!=' if negated else '=='} {literal}"
            case terms.Is(negated=negated, test=terms.CategoryTest(category=category)):
                scale = self.ruleset.question(atom.subject.text).scale
                wanted = scale.values_meaning(*terms.CATEGORY_TESTS[category])
                if not wanted:
                    return "True" if negated else "False"
                return f"{variable} {self._member(wanted, negated)}"
        raise AssertionError(f"cannot generate code for {atom!r}")

    def _variable(self, name: str) -> str:
        if name in self.index:
            return f"x{self.index[name]}"
        return self.attribute_fields[name]

    def _literal(self, subject: str, text: str) -> object:
        attribute = self.ruleset.attributes.get(subject)
        numeric = attribute is not None and attribute.kind is AttributeKind.WHOLE_NUMBER
        return terms.literal(text, numeric)

    def _constant(self, value: object) -> str:
        """The local name of a constant (``k4``), registered once per distinct value."""
        key = (type(value).__name__, value)
        if key not in self._constants:
            self._constants[key] = len(self._constants)
        return f"k{self._constants[key]}"

    def _member(self, values: Sequence[str], negated: bool = False) -> str:
        """`== k3` for one value, `in k4` (a frozenset) for several."""
        if len(values) == 1:
            return f"{'!=' if negated else '=='} {self._constant(values[0])}"
        return f"{'not in' if negated else 'in'} {self._constant(frozenset(values))}"


def _balanced_sum(parts: list[str]) -> str:
    """``(a + b) + (c + d)``: the sum of the terms as a balanced tree, nested log2(n) deep, not
    ``a + b + c + d``, which nests one level per term and exhausts Python's compiler beyond a
    few thousand questions."""
    if len(parts) <= 2:
        return " + ".join(parts)
    middle = len(parts) // 2
    return f"({_balanced_sum(parts[:middle])}) + ({_balanced_sum(parts[middle:])})"


def _indented(lines: list[str], levels: int) -> list[str]:
    return ["    " * levels + line for line in lines]
