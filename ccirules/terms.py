"""The terms every stage shares, down to the engine: leaves (names, values, numbers), the
language's fixed vocabularies (answer categories, comparators, rounding, band bases, kinds of
value) and conditions, with what each condition means.

They are attrs nodes like the rest of the syntax tree (:mod:`ccirules.nodes`, which re-exports
them), kept in their own module because a compiled ruleset carries them: the engine and the
on-disk cache need these few classes, not the whole tree, and a command that scores a cached
ruleset should not pay for defining the rest.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Iterator
from decimal import Decimal

from attrs import field, frozen

from ccirules.limits import NumberProblem, read_number
from ccirules.source import Span

# ---- leaves ----------------------------------------------------------------------------------


@frozen
class Name:
    """An identifier as written: a word (``risk_of_harm``) or a numeric code (``1.1``)."""

    text: str
    span: Span = field(eq=False, repr=False)


@frozen
class Word:
    """A value written in a ruleset: a scale value, an enumeration value, a band label."""

    text: str
    span: Span = field(eq=False, repr=False)


@frozen
class Number:
    """A decimal literal, kept exact."""

    value: Decimal
    span: Span = field(eq=False, repr=False)


# ---- vocabularies ----------------------------------------------------------------------------


class RoundingMode(enum.Enum):
    HALF_UP = "half up"
    HALF_EVEN = "half even"
    HALF_DOWN = "half down"
    UP = "up"
    DOWN = "down"


@frozen
class Rounding:
    """How a score is rounded for display and, unless bands apply to exact scores, for banding."""

    mode: RoundingMode
    places: int
    span: Span = field(eq=False, repr=False)


class BandBasis(enum.Enum):
    ROUNDED = "rounded"
    EXACT = "exact"


class Category(enum.Enum):
    """What an answer value means for scoring."""

    SUFFICIENT = "sufficient"
    INSUFFICIENT = "insufficient"
    NOT_APPLICABLE = "not applicable"


class ValueKind(enum.Enum):
    """What kind of value a score takes: it decides how the score is shown and banded."""

    PERCENT = "percentage"
    POINTS = "sum of points"
    COUNT = "count"
    RATING = "judged rating"


# ---- conditions ------------------------------------------------------------------------------


@frozen
class ValueTest:
    """``x is yes``: the subject has this value."""

    value: Word
    span: Span = field(eq=False, repr=False)


class AnswerCategory(enum.Enum):
    SUFFICIENT = "sufficient"
    INSUFFICIENT = "insufficient"
    APPLICABLE = "applicable"


@frozen
class CategoryTest:
    """``1.1.1 is sufficient``: the answer falls in a scoring category."""

    category: AnswerCategory
    span: Span = field(eq=False, repr=False)


@frozen
class RatedTest:
    """``2.1 is rated inadequate``: a score landed in a band."""

    label: Word
    span: Span = field(eq=False, repr=False)


Test = ValueTest | CategoryTest | RatedTest


@frozen
class Is:
    subject: Name
    negated: bool
    test: Test
    span: Span = field(eq=False, repr=False)


@frozen
class InSet:
    subject: Name
    negated: bool
    values: tuple[Word, ...]
    span: Span = field(eq=False, repr=False)


class Comparator(enum.Enum):
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    EQ = "="
    NE = "!="


@frozen
class Compare:
    subject: Name
    comparator: Comparator
    number: Number
    span: Span = field(eq=False, repr=False)


@frozen
class Not:
    operand: Condition
    span: Span = field(eq=False, repr=False)


@frozen
class All:
    """Conjunction: every operand holds (``and``)."""

    operands: tuple[Condition, ...]
    span: Span = field(eq=False, repr=False)


@frozen
class Any:
    """Disjunction: some operand holds (``or``)."""

    operands: tuple[Condition, ...]
    span: Span = field(eq=False, repr=False)


Condition = Is | InSet | Compare | Not | All | Any
Atom = Is | InSet | Compare


# ---- what conditions mean --------------------------------------------------------------------
# The one definition of condition semantics. The checker's satisfiability analysis and the rating
# limits evaluate conditions with :func:`holds`; the generated scorer (:mod:`ccirules.codegen`)
# writes the same tests as Python from these tables. A property test holds the two together.

#: Each comparison: the function that decides it, and the Python operator that writes it.
COMPARISONS: dict[Comparator, tuple[Callable[[object, object], bool], str]] = {
    Comparator.LT: (operator.lt, "<"), Comparator.LE: (operator.le, "<="),
    Comparator.GT: (operator.gt, ">"), Comparator.GE: (operator.ge, ">="),
    Comparator.EQ: (operator.eq, "=="), Comparator.NE: (operator.ne, "!="),
}

#: The answer categories each category test accepts.
CATEGORY_TESTS: dict[AnswerCategory, frozenset[Category]] = {
    AnswerCategory.SUFFICIENT: frozenset({Category.SUFFICIENT}),
    AnswerCategory.INSUFFICIENT: frozenset({Category.INSUFFICIENT}),
    AnswerCategory.APPLICABLE: frozenset({Category.SUFFICIENT, Category.INSUFFICIENT}),
}


def literal(text: str, numeric: bool) -> str | int | Decimal:
    """A value written in a condition, typed as the data it is compared with: a number for a
    whole-number attribute (an int when whole, so it equals the int a case file gives), text
    otherwise. Numbers are read by :func:`ccirules.limits.read_number`, as everywhere; the
    checker has refused any text it does not read."""
    if not numeric:
        return text
    number = read_number(text)
    if isinstance(number, NumberProblem):
        raise ValueError(number.message)
    return exact_number(number)


def exact_number(number: Decimal) -> int | Decimal:
    """A number as data compares with it: an int when it is whole (whole-number attributes are
    ints), else the Decimal itself."""
    return int(number) if number == number.to_integral_value() else number


@frozen
class State:
    """What a condition sees of one subject in one case: ``value`` is an attribute's value, the
    answer to a question that applies, or a score's band label (None when there is none);
    ``category`` is what an answer means (None when there is no answer a condition can see)."""

    value: object = None
    category: Category | None = None
    numeric: bool = False  # the subject is a whole-number attribute


def holds(condition: Condition, state_of: Callable[[str], State]) -> bool:
    """Whether a condition is true, given each subject's :class:`State`.

    A subject with no value satisfies no test of its value (so `is not`, `not in` and negated
    category tests are true of it), and no comparison (`<`, `=`, `!=` ... are all false).
    """
    match condition:
        case All(operands=operands):
            return all(holds(operand, state_of) for operand in operands)
        case Any(operands=operands):
            return any(holds(operand, state_of) for operand in operands)
        case Not(operand=operand):
            return not holds(operand, state_of)
        case Compare(subject=subject, comparator=comparator, number=number):
            value = state_of(subject.text).value
            return value is not None and COMPARISONS[comparator][0](value, number.value)
        case InSet(subject=subject, negated=negated, values=words):
            state = state_of(subject.text)
            found = state.value in {literal(word.text, state.numeric) for word in words}
            return found != negated
        case Is(subject=subject, negated=negated, test=test):
            return _passes(test, state_of(subject.text)) != negated
    raise AssertionError(f"unknown condition {condition!r}")


def _passes(test: Test, state: State) -> bool:
    match test:
        case ValueTest(value=word):
            return state.value is not None and state.value == literal(word.text, state.numeric)
        case RatedTest(label=word):
            return state.value == word.text
        case CategoryTest(category=category):
            return state.category in CATEGORY_TESTS[category]
    raise AssertionError(f"unknown test {test!r}")


def atoms(condition: Condition) -> Iterator[Atom]:
    """The comparisons in a condition, left to right (iteratively: depth is user-controlled)."""
    stack: list[Condition] = [condition]
    while stack:
        current = stack.pop()
        match current:
            case All() | Any():
                stack.extend(reversed(current.operands))
            case Not():
                stack.append(current.operand)
            case _:
                yield current


def subjects(condition: Condition) -> frozenset[str]:
    """The names a condition reads."""
    return frozenset(atom.subject.text for atom in atoms(condition))
