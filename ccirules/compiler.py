"""A checked ruleset, compiled into the typed plan the engine runs.

Questions carry the conditions they must pass to apply (their groups' first, then their own);
scores become plans naming the questions they pool or the parts they combine, in an order where
every score comes after what it depends on. Resolution (which questions a score covers, what kind
of value it has) is :mod:`ccirules.resolve`'s, shared with the checker, and the model is the one
the checker built, so the two cannot disagree about what a rule means.

The compiled form is data, msgspec Structs (defined in C: a command that scores a cached ruleset
pays nothing to define them); conditions stay nodes, judged by :func:`ccirules.terms.holds` or
written out by :mod:`ccirules.codegen`. Its scorer is generated and compiled once, the first time
it is asked for, and kept with it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING

import msgspec

from ccirules import terms
from ccirules.limits import MAX_WHOLE
from ccirules.source import Span

if TYPE_CHECKING:
    from ccirules import nodes
    from ccirules.checker import Checked
    from ccirules.codegen import Scorer
    from ccirules.model import Model, QuestionInfo, ScoreInfo


class CompileError(Exception):
    """Raised when asked to compile a ruleset that has errors; check it first."""


class AttributeKind(enum.Enum):
    CHOICE = "choice"
    WHOLE_NUMBER = "whole number"
    YES_OR_NO = "yes or no"
    TEXT = "text"


class Rule(enum.Enum):
    """How a score is computed."""

    PROPORTION = "proportion sufficient"
    COUNT = "count sufficient"
    LOWEST = "lowest"
    HIGHEST = "highest"
    SUM_OF_POINTS = "sum of points"
    SHARE_OF_POINTS = "share of points"
    WEIGHTED_MEAN = "weighted mean"
    JUDGED = "judged directly"

    @property
    def pools(self) -> bool:
        """Whether the rule pools answers to questions (rather than combining scores)."""
        return self in (Rule.PROPORTION, Rule.COUNT)

    @property
    def adds_points(self) -> bool:
        """Whether the rule adds up the points of the bands its parts fall in."""
        return self in (Rule.SUM_OF_POINTS, Rule.SHARE_OF_POINTS)


class CompiledScale(msgspec.Struct, frozen=True):
    name: str
    categories: Mapping[str, terms.Category]  # value -> what it means, in declared order
    spans: Mapping[str, Span]  # value -> where the ruleset says so
    titles: Mapping[str, str | None] = msgspec.field(default_factory=dict)  # value -> title
    welsh: Mapping[str, str | None] = msgspec.field(default_factory=dict)  # value -> in Welsh

    def lookup(self, raw: str) -> str | None:
        """The scale value a recorded answer stands for, or None."""
        return match_value(self.categories, raw)

    def values_meaning(self, *categories: terms.Category) -> tuple[str, ...]:
        """The values that mean one of ``categories``, in declared order."""
        return tuple(value for value, category in self.categories.items()
                     if category in categories)


def match_value(declared: Iterable[str], text: str) -> str | None:
    """The declared value a recorded one stands for: exact, else a unique case-insensitive
    match (spreadsheets say "Yes" for `yes`), else None."""
    declared = tuple(declared)
    if text in declared:
        return text
    folded = [value for value in declared if value.casefold() == text.casefold()]
    return folded[0] if len(folded) == 1 else None


class CompiledAttribute(msgspec.Struct, frozen=True):
    name: str
    title: str | None
    kind: AttributeKind
    values: tuple[str, ...]  # the values of a choice, or yes and no
    low: int | None
    high: int | None
    needed: bool  # some condition uses it, so every case must give it
    span: Span
    welsh: str | None = None

    @property
    def bounds(self) -> tuple[int, int]:
        """The range a whole number must be in: as declared, else the largest the limits allow
        (so every value fits the typed record's 64-bit integer)."""
        return (self.low if self.low is not None else -MAX_WHOLE,
                self.high if self.high is not None else MAX_WHOLE)


class AppliesWhen(msgspec.Struct, frozen=True):
    """One `applies when` a question must satisfy to apply: its own, or a group's it sits in."""

    condition: terms.Condition
    owner: str  # the question or group the condition is written on

    @property
    def span(self) -> Span:
        return self.condition.span


class CompiledQuestion(msgspec.Struct, frozen=True):
    name: str
    title: str | None
    group: str
    scale: CompiledScale
    applies: tuple[AppliesWhen, ...]  # outermost group's first, the question's own last
    key_for: tuple[str, ...]
    span: Span
    welsh: str | None = None


class CompiledGroup(msgspec.Struct, frozen=True):
    """A group of the hierarchy (section, criterion, standard, domain...), scored or not."""

    name: str
    level: str
    title: str | None
    welsh: str | None
    parent: str | None
    span: Span


class CompiledBand(msgspec.Struct, frozen=True):
    label: str
    title: str | None
    low: Fraction
    high: Fraction
    below: bool
    points: Fraction | None
    rank: int  # 0 is the best band
    welsh: str | None = None

    def contains(self, value: Fraction) -> bool:
        return self.low <= value and (value < self.high if self.below else value <= self.high)


class CompiledBands(msgspec.Struct, frozen=True):
    name: str
    title: str | None
    bands: tuple[CompiledBand, ...]
    welsh: str | None = None

    def band_for(self, value: Fraction) -> CompiledBand | None:
        return next((band for band in self.bands if band.contains(value)), None)

    def by_label(self, label: str) -> CompiledBand | None:
        return next((band for band in self.bands if band.label == label), None)


class CompiledLimit(msgspec.Struct, frozen=True):
    """`at most LABEL when CONDITION`: the condition tests the ratings of other scores."""

    label: str
    condition: terms.Condition
    span: Span


class CompiledScore(msgspec.Struct, frozen=True):
    """How one score is computed. ``questions`` for pooling rules, ``parts`` otherwise."""

    name: str
    level: str  # the group's level, "headline" or "score"
    depth: int  # how many scored groups it sits in (0 for top-level groups, headlines, scores)
    title: str | None
    welsh: str | None
    rule: Rule
    value_kind: terms.ValueKind | None
    questions: tuple[str, ...]
    parts: tuple[str, ...]
    weights: tuple[Fraction, ...]
    bands: CompiledBands | None
    limits: tuple[CompiledLimit, ...]
    rounding: terms.Rounding
    band_basis: terms.BandBasis
    span: Span
    rule_span: Span | None  # where the rule is written: on the score, or on its level


class RulesetInfo(msgspec.Struct, frozen=True):
    title: str
    version: str | None
    effective_from: str | None
    effective_to: str | None
    welsh: str | None = None


class CompiledRuleset(msgspec.Struct, frozen=True, dict=True):
    """The compiled ruleset. Beside its fields it keeps indexes by name and the values derived
    from it (its scorer, test strategies), built once each; those are not fields, so they are
    neither compared nor pickled."""

    info: RulesetInfo
    attributes: Mapping[str, CompiledAttribute]
    questions: tuple[CompiledQuestion, ...]  # in the order they are written
    evaluation_order: tuple[str, ...]  # questions, each after those its conditions read
    scores: tuple[CompiledScore, ...]  # in the order they are written
    score_order: tuple[str, ...]  # scores, each after those it depends on
    groups: tuple[CompiledGroup, ...] = ()  # the hierarchy, in the order it is written

    def __post_init__(self) -> None:
        self.__dict__["_questions"] = {question.name: question for question in self.questions}
        self.__dict__["_scores"] = {score.name: score for score in self.scores}
        self.__dict__["_derived"] = {}

    def question(self, name: str) -> CompiledQuestion:
        return self._questions[name]

    def score(self, name: str) -> CompiledScore:
        return self._scores[name]

    def has_score(self, name: str) -> bool:
        return name in self._scores

    @property
    def read_by_conditions(self) -> frozenset[str]:
        """Questions whose answers other questions' conditions read."""
        return frozenset(name for question in self.questions for applies in question.applies
                         for name in terms.subjects(applies.condition)
                         if name in self._questions)

    @property
    def inspection_level(self) -> tuple[str, ...]:
        """Scores judged for the inspection as a whole, and those built on them (a sum of
        ratings that includes a judged one), in ruleset order: a breakdown by a case attribute
        cannot compute them for part of the cases."""
        found: set[str] = set()
        for name in self.score_order:
            score = self._scores[name]
            if score.rule is Rule.JUDGED or any(part in found for part in score.parts):
                found.add(name)
        return tuple(score.name for score in self.scores if score.name in found)

    def derived(self, name: str, build: Callable[[CompiledRuleset], object]) -> object:
        """A value derived from this ruleset (its scorer, test strategies), built once."""
        if name not in self._derived:
            self._derived[name] = build(self)
        return self._derived[name]

    @property
    def scorer(self) -> Scorer:
        """The generated scorer for this ruleset, generated and compiled once."""
        from ccirules.codegen import build_scorer

        return self.derived("scorer", build_scorer)

    def adopt(self, scorer: Scorer) -> None:
        """Keep a scorer built for this ruleset elsewhere (the on-disk cache's)."""
        self._derived["scorer"] = scorer


def compile_ruleset(checked: Checked) -> CompiledRuleset:
    """Compile a ruleset that checks without errors (warnings are fine)."""
    from ccirules.model import DEFAULT_ROUNDING  # the builders: not needed to use the result

    if not checked.ok:
        raise CompileError("the ruleset has errors; run `ccirules check` for details")
    model = checked.model
    metadata = model.metadata[0]
    needed = _attributes_in_conditions(model)
    attributes = {a.name.text: _attribute(a, a.name.text in needed) for a in model.attributes}
    scales = {name: _scale(scale) for name, scale in model.scales.items()}
    questions = tuple(_question(info, scales) for info in model.questions)
    rounding = metadata.rounding or DEFAULT_ROUNDING
    basis = metadata.band_basis or terms.BandBasis.ROUNDED
    tables = {name: _bands(table) for name, table in model.bands.items()}
    scores = tuple(_score(model, info, tables, rounding, basis) for info in model.scores)
    return CompiledRuleset(
        info=RulesetInfo(metadata.title.value, _value(metadata.version),
                         _value(metadata.effective_from), _value(metadata.effective_to),
                         _value(metadata.welsh)),
        attributes=attributes, questions=questions,
        evaluation_order=_question_order(model), scores=scores,
        score_order=_score_order(scores),
        groups=tuple(CompiledGroup(info.node.name.text, info.node.level.text,
                                   _value(info.node.title), _value(info.node.welsh),
                                   info.parent.node.name.text if info.parent else None,
                                   info.node.span) for info in model.groups))


def _value(text: nodes.Text | None) -> str | None:
    return text.value if text is not None else None


def _attributes_in_conditions(model: Model) -> set[str]:
    from ccirules import nodes

    return {name for info in model.questions for condition in info.conditions
            for name in terms.subjects(condition)
            if isinstance(model.things.get(name), nodes.Attribute)}


def _attribute(node: nodes.Attribute, needed: bool) -> CompiledAttribute:
    from ccirules import nodes

    kind, values, low, high = AttributeKind.TEXT, (), None, None
    match node.type:
        case nodes.ChoiceType(values=words):
            kind, values = AttributeKind.CHOICE, tuple(word.text for word in words)
        case nodes.YesNoType():
            kind, values = AttributeKind.YES_OR_NO, ("yes", "no")
        case nodes.WholeNumberType(low=low_node, high=high_node):
            kind = AttributeKind.WHOLE_NUMBER
            low = int(low_node.value) if low_node is not None else None
            high = int(high_node.value) if high_node is not None else None
    return CompiledAttribute(node.name.text, _value(node.title), kind, values, low, high, needed,
                             node.span, _value(node.welsh))


def _scale(scale: nodes.Scale) -> CompiledScale:
    return CompiledScale(scale.name.text,
                         {value.value.text: value.category for value in scale.values},
                         {value.value.text: value.span for value in scale.values},
                         {value.value.text: _value(value.title) for value in scale.values},
                         {value.value.text: _value(value.welsh) for value in scale.values})


def _question(info: QuestionInfo, scales: Mapping[str, CompiledScale]) -> CompiledQuestion:
    from ccirules.model import ancestors

    owners = [group.node for group in reversed(list(ancestors(info.group)))] + [info.node]
    applies = tuple(AppliesWhen(owner.applies, owner.name.text) for owner in owners
                    if owner.applies is not None)
    return CompiledQuestion(
        name=info.node.name.text, title=_value(info.node.title),
        group=info.group.node.name.text, scale=scales[info.scale.name.text], applies=applies,
        key_for=tuple(name.text for name in info.node.key_for), span=info.node.span,
        welsh=_value(info.node.welsh))


def _question_order(model: Model) -> tuple[str, ...]:
    """Questions in source order, each moved after the questions its conditions read."""
    return _dependency_order({
        info.node.name.text: [atom.subject.text for condition in info.conditions
                              for atom in terms.atoms(condition)
                              if atom.subject.text in model.question_info]
        for info in model.questions})


def _dependency_order(depends: Mapping[str, list[str]]) -> tuple[str, ...]:
    """Names in their given order, each moved after what it depends on (the graph is acyclic:
    the checker rejects cycles). Iterative, so long chains cannot exhaust the stack."""
    ordered: list[str] = []
    placed: set[str] = set()
    for name in depends:
        stack = [(name, iter(depends[name]))]
        while stack:
            current, pending = stack[-1]
            following = next((d for d in pending if d not in placed), None)
            if following is not None:
                stack.append((following, iter(depends[following])))
                continue
            stack.pop()
            if current not in placed:
                placed.add(current)
                ordered.append(current)
    return tuple(ordered)


def _bands(table: nodes.BandTable) -> CompiledBands:
    return CompiledBands(table.name.text, _value(table.title), tuple(
        CompiledBand(band.label.text, _value(band.title), Fraction(band.low.value),
                     Fraction(band.high.value), band.below,
                     Fraction(band.points.value) if band.points is not None else None, rank,
                     _value(band.welsh))
        for rank, band in enumerate(table.bands)), _value(table.welsh))


def _rule(rule: nodes.ScoreRule) -> Rule:
    from ccirules import nodes

    match rule:
        case nodes.Judged():
            return Rule.JUDGED
        case nodes.WeightedMean():
            return Rule.WEIGHTED_MEAN
        case nodes.Aggregate(kind=kind):
            return Rule(kind.value)  # the five aggregates share their names with rules
    raise AssertionError(f"unknown rule {rule!r}")


def _score(model: Model, info: ScoreInfo, tables: Mapping[str, CompiledBands],
           rounding: terms.Rounding, basis: terms.BandBasis) -> CompiledScore:
    from ccirules import nodes
    from ccirules.model import QuestionInfo, ancestors
    from ccirules.resolve import kind_of, resolve

    rule = _rule(info.rule)
    names = tuple(target.node.name.text if isinstance(target, QuestionInfo) else
                  target.name.text for target in resolve(model, info).targets)
    weights = tuple(Fraction(term.weight.value) for term in info.rule.terms) \
        if rule is Rule.WEIGHTED_MEAN else ()
    own_rounding = info.node.rounding if isinstance(info.node, nodes.Score) else None
    level = ("headline" if info.is_headline else "score") if info.group is None \
        else info.group.node.level.text
    return CompiledScore(
        name=info.name.text, level=level,
        depth=sum(ancestor.node.name.text in model.score_info
                  for ancestor in list(ancestors(info.group))[1:]),
        title=_value(info.node.title), welsh=_value(info.node.welsh), rule=rule,
        value_kind=kind_of(model, info),
        questions=names if rule.pools else (), parts=() if rule.pools else names,
        weights=weights,
        bands=tables[info.bands.text] if info.bands is not None else None,
        limits=tuple(CompiledLimit(limit.label.text, limit.condition, limit.span)
                     for limit in info.limits),
        rounding=own_rounding or rounding, band_basis=basis, span=info.node.span,
        rule_span=info.rule.span)


def _score_order(scores: tuple[CompiledScore, ...]) -> tuple[str, ...]:
    names = {score.name for score in scores}
    return _dependency_order({
        score.name: [part for part in score.parts if part in names]
        + sorted(subject for limit in score.limits
                 for subject in terms.subjects(limit.condition) if subject in names)
        for score in scores})


def questions_behind(ruleset: CompiledRuleset, name: str) -> frozenset[str]:
    """The questions whose answers a score is built on: those it pools, and those behind its
    parts (a part is a question or another score), at any depth. A judged score has none.
    `explain --case` and `diff` ask it, so "what a case feeds" means the same in both."""
    found: set[str] = set()
    pending, seen = [name], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if not ruleset.has_score(current):
            found.add(current)
            continue
        score = ruleset.score(current)
        found.update(score.questions)
        pending.extend(score.parts)
    return frozenset(found)
