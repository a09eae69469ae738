"""The ruleset's syntax tree: immutable attrs classes, each carrying the span it was parsed from.

Spans are excluded from equality and hashing (``eq=False``), so two rulesets that say the same thing
compare equal however they are laid out; this is what the print-and-reparse property relies on.
Sequences are tuples, never lists, so nodes stay hashable and cannot be changed after parsing.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Iterator
from decimal import Decimal

from attrs import field, frozen

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
class Text:
    """Quoted text: a title, a description, a version."""

    value: str
    span: Span = field(eq=False, repr=False)


@frozen
class Number:
    """A decimal literal, kept exact."""

    value: Decimal
    span: Span = field(eq=False, repr=False)


# ---- metadata --------------------------------------------------------------------------------


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


@frozen
class Metadata:
    title: Text
    version: Text | None
    effective_from: Text | None
    effective_to: Text | None
    welsh: Text | None
    description: Text | None
    rounding: Rounding | None
    band_basis: BandBasis | None
    span: Span = field(eq=False, repr=False)


# ---- scales and attributes -------------------------------------------------------------------


class Category(enum.Enum):
    """What an answer value means for scoring."""

    SUFFICIENT = "sufficient"
    INSUFFICIENT = "insufficient"
    NOT_APPLICABLE = "not applicable"


@frozen
class ScaleValue:
    value: Word
    title: Text | None
    category: Category
    points: Number | None
    welsh: Text | None
    span: Span = field(eq=False, repr=False)


@frozen
class Scale:
    name: Name
    title: Text | None
    welsh: Text | None
    description: Text | None
    values: tuple[ScaleValue, ...]
    span: Span = field(eq=False, repr=False)


@frozen
class ChoiceType:
    values: tuple[Word, ...]
    span: Span = field(eq=False, repr=False)


@frozen
class WholeNumberType:
    low: Number | None
    high: Number | None
    span: Span = field(eq=False, repr=False)


@frozen
class YesNoType:
    span: Span = field(eq=False, repr=False)


@frozen
class TextType:
    span: Span = field(eq=False, repr=False)


AttributeType = ChoiceType | WholeNumberType | YesNoType | TextType


@frozen
class Attribute:
    name: Name
    title: Text | None
    type: AttributeType
    welsh: Text | None
    description: Text | None
    span: Span = field(eq=False, repr=False)


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
    otherwise."""
    return exact_number(Decimal(text)) if numeric else text


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


# ---- scores ----------------------------------------------------------------------------------


class OperandKind(enum.Enum):
    ITS_QUESTIONS = "its questions"
    ITS_KEY_QUESTIONS = "its key questions"
    ITS_PARTS = "its parts"
    EVERY = "every"
    NAMED = "named"


@frozen
class Operand:
    kind: OperandKind
    name: Name | None
    span: Span = field(eq=False, repr=False)


@frozen
class Operands:
    items: tuple[Operand, ...]
    excluded: tuple[Name, ...]
    span: Span = field(eq=False, repr=False)


class AggregateKind(enum.Enum):
    PROPORTION = "proportion sufficient"
    COUNT = "count sufficient"
    LOWEST = "lowest"
    HIGHEST = "highest"
    SUM_OF_POINTS = "sum of points"


@frozen
class Aggregate:
    """A score computed from operands: pooled proportion, count, lowest, highest, sum of points."""

    kind: AggregateKind
    operands: Operands
    span: Span = field(eq=False, repr=False)


@frozen
class Weighted:
    name: Name
    weight: Number
    span: Span = field(eq=False, repr=False)


@frozen
class WeightedMean:
    terms: tuple[Weighted, ...]
    span: Span = field(eq=False, repr=False)


@frozen
class Judged:
    """A rating recorded by inspectors for the inspection, not computed from cases."""

    span: Span = field(eq=False, repr=False)


ScoreRule = Aggregate | WeightedMean | Judged


@frozen
class Limit:
    """``at most LABEL when CONDITION``: caps a rating (overall at most Requires improvement)."""

    label: Word
    condition: Condition
    span: Span = field(eq=False, repr=False)


# ---- the hierarchy ---------------------------------------------------------------------------


@frozen
class Level:
    """A kind of group (section, criterion, standard...), with defaults for its groups."""

    name: Name
    title: Text | None
    within: Name | None
    rule: ScoreRule | None
    bands: Name | None
    welsh: Text | None
    description: Text | None
    span: Span = field(eq=False, repr=False)


@frozen
class Question:
    name: Name
    title: Text | None
    welsh: Text | None
    description: Text | None
    applies: Condition | None
    scale: Name | None
    key_for: tuple[Name, ...]
    under: Name | None
    span: Span = field(eq=False, repr=False)


@frozen
class Group:
    level: Name
    name: Name
    title: Text | None
    welsh: Text | None
    description: Text | None
    applies: Condition | None
    scale: Name | None
    rule: ScoreRule | None
    bands: Name | None
    limits: tuple[Limit, ...]
    members: tuple[Group | Question, ...]
    span: Span = field(eq=False, repr=False)


@frozen
class Score:
    """A score outside the hierarchy: a headline (``headline``) or any other (``score``)."""

    headline: bool
    name: Name
    title: Text | None
    welsh: Text | None
    description: Text | None
    rule: ScoreRule | None
    bands: Name | None
    limits: tuple[Limit, ...]
    rounding: Rounding | None
    span: Span = field(eq=False, repr=False)


# ---- band tables -----------------------------------------------------------------------------


@frozen
class Band:
    """One row of a band table: inclusive ``low``; ``high`` inclusive unless ``below``."""

    label: Word
    title: Text | None
    low: Number
    high: Number
    below: bool
    points: Number | None
    welsh: Text | None
    span: Span = field(eq=False, repr=False)


@frozen
class BandTable:
    name: Name
    title: Text | None
    welsh: Text | None
    description: Text | None
    bands: tuple[Band, ...]
    span: Span = field(eq=False, repr=False)


Declaration = Metadata | Scale | Attribute | Level | Group | Question | Score | BandTable


@frozen
class Ruleset:
    declarations: tuple[Declaration, ...]
    span: Span = field(eq=False, repr=False)
