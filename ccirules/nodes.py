"""The ruleset's syntax tree: immutable attrs classes, each carrying the span it was parsed from.

The leaves, vocabularies and conditions are defined in :mod:`ccirules.terms` (the engine needs
only those) and are part of this tree under the same names.

Spans are excluded from equality and hashing (``eq=False``), so two rulesets that say the same thing
compare equal however they are laid out; this is what the print-and-reparse property relies on.
Sequences are tuples, never lists, so nodes stay hashable and cannot be changed after parsing.
"""

from __future__ import annotations

import enum

from attrs import field, frozen

from ccirules.source import Span
from ccirules.terms import (  # noqa: F401 - the terms are part of this tree: nodes.Is is terms.Is
    CATEGORY_TESTS,
    COMPARISONS,
    All,
    AnswerCategory,
    Any,
    Atom,
    BandBasis,
    Category,
    CategoryTest,
    Comparator,
    Compare,
    Condition,
    InSet,
    Is,
    Name,
    Not,
    Number,
    RatedTest,
    Rounding,
    RoundingMode,
    State,
    Test,
    ValueKind,
    ValueTest,
    Word,
    atoms,
    exact_number,
    holds,
    literal,
    subjects,
)

# ---- leaves ----------------------------------------------------------------------------------


@frozen
class Text:
    """Quoted text: a title, a description, a version."""

    value: str
    span: Span = field(eq=False, repr=False)


@frozen
class Comment:
    """A ``#`` comment, from ``#`` to the end of its line. Comments are not part of the tree
    (they mean nothing); the parser returns them beside it, for the formatter to put back.
    ``trailing`` says whether code comes before it on its line."""

    text: str
    trailing: bool
    span: Span = field(eq=False, repr=False)


# ---- metadata --------------------------------------------------------------------------------


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
    #: Where `apply bands to` was written: every other clause is a node with a span of its own,
    #: and the formatter needs each clause's place to keep comments beside it.
    band_basis_span: Span | None = field(default=None, eq=False, repr=False)


# ---- scales and attributes -------------------------------------------------------------------


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
    SHARE_OF_POINTS = "share of points"


#: Rules that add up the points of the bands their parts fall in.
POINTS_RULES = (AggregateKind.SUM_OF_POINTS, AggregateKind.SHARE_OF_POINTS)


@frozen
class Aggregate:
    """A score computed from operands: pooled proportion, count, lowest, highest, sum of points,
    share of points."""

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
