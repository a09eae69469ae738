"""A checked ruleset, compiled into what the evaluator runs.

Conditions become closures over a case's values; scores become plans naming the questions they
pool or the parts they combine, in an order where every score comes after what it depends on.
Resolution (which questions a score covers, what kind of value it has) is the checker's, reused,
so the checker and the evaluator cannot disagree about what a rule means. Nothing a user wrote
becomes code: names and values only ever appear as data the closures compare against.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from ccirules import nodes
from ccirules.checker import check
from ccirules.checker.model import (
    DEFAULT_ROUNDING,
    Model,
    QuestionInfo,
    ScoreInfo,
    ancestors,
    build_model,
)
from ccirules.checker.scores import Kind, kind_of, resolve
from ccirules.checker.walk import atoms
from ccirules.diagnostics import Diagnostic, has_errors
from ccirules.source import Span

#: How a case looks to a condition: attribute values and the answers to applicable questions,
#: the categories of those answers, and (for limits) the ratings of scores.
Values = Mapping[str, object]
Test = Callable[[Values, Mapping[str, nodes.Category], Mapping[str, str | None]], bool]


class CompileError(Exception):
    """Raised when asked to compile a ruleset that has errors; check it first."""


@attrs.frozen
class CompiledScale:
    name: str
    categories: Mapping[str, nodes.Category]  # value -> what it means
    spans: Mapping[str, Span]  # value -> where the ruleset says so

    def lookup(self, raw: str) -> str | None:
        """The scale value a recorded answer stands for, or None."""
        return match_value(self.categories, raw)


def match_value(declared: Iterable[str], text: str) -> str | None:
    """The declared value a recorded one stands for: exact, else a unique case-insensitive
    match (spreadsheets say "Yes" for `yes`), else None."""
    declared = tuple(declared)
    if text in declared:
        return text
    folded = [value for value in declared if value.casefold() == text.casefold()]
    return folded[0] if len(folded) == 1 else None


@attrs.frozen
class CompiledAttribute:
    name: str
    title: str | None
    kind: str  # "choice", "whole number", "yes or no", "text"
    values: tuple[str, ...]
    low: int | None
    high: int | None
    needed: bool  # some condition uses it, so every case must give it
    span: Span


@attrs.frozen
class Gate:
    """One condition a question must pass to apply: its own, or one inherited from a group."""

    test: Test
    condition: nodes.Condition  # the same condition as written, for generating code
    span: Span
    owner: str  # the question or group the condition is written on


@attrs.frozen
class CompiledQuestion:
    name: str
    title: str | None
    group: str
    scale: CompiledScale
    gates: tuple[Gate, ...]
    key_for: tuple[str, ...]
    span: Span


@attrs.frozen
class CompiledBand:
    label: str
    title: str | None
    low: Fraction
    high: Fraction
    below: bool
    points: Fraction | None
    rank: int  # 0 is the best band

    def contains(self, value: Fraction) -> bool:
        return self.low <= value and (value < self.high if self.below else value <= self.high)


@attrs.frozen
class CompiledBands:
    name: str
    title: str | None
    bands: tuple[CompiledBand, ...]

    def band_for(self, value: Fraction) -> CompiledBand | None:
        return next((band for band in self.bands if band.contains(value)), None)

    def by_label(self, label: str) -> CompiledBand | None:
        return next((band for band in self.bands if band.label == label), None)


@attrs.frozen
class CompiledLimit:
    label: str
    test: Test
    span: Span


@attrs.frozen
class CompiledScore:
    """How one score is computed. ``questions`` for pooling rules, ``parts`` otherwise."""

    name: str
    kind: str  # the group's level, "headline" or "score"
    depth: int  # how many scored groups it sits in (0 for top-level groups, headlines, scores)
    title: str | None
    welsh: str | None
    rule: str  # "proportion sufficient", "count sufficient", "lowest", "highest",
    #            "sum of points", "weighted mean", "judged directly"
    value_kind: Kind | None
    questions: tuple[str, ...]
    parts: tuple[str, ...]
    weights: tuple[Fraction, ...]
    bands: CompiledBands | None
    limits: tuple[CompiledLimit, ...]
    rounding: nodes.Rounding
    band_basis: nodes.BandBasis
    span: Span
    rule_span: Span | None  # where the rule is written: on the score, or on its level


@attrs.frozen
class RulesetInfo:
    title: str
    version: str | None
    effective_from: str | None
    effective_to: str | None


@attrs.frozen
class CompiledRuleset:
    info: RulesetInfo
    attributes: Mapping[str, CompiledAttribute]
    questions: tuple[CompiledQuestion, ...]  # in the order they are written
    evaluation_order: tuple[str, ...]  # questions, each after those its conditions read
    scores: tuple[CompiledScore, ...]  # in the order they are written
    score_order: tuple[str, ...]  # scores, each after those it depends on
    _questions: Mapping[str, CompiledQuestion] = attrs.field(init=False, repr=False)
    _scores: Mapping[str, CompiledScore] = attrs.field(init=False, repr=False)

    @_questions.default
    def _index_questions(self) -> Mapping[str, CompiledQuestion]:
        return {question.name: question for question in self.questions}

    @_scores.default
    def _index_scores(self) -> Mapping[str, CompiledScore]:
        return {score.name: score for score in self.scores}

    def question(self, name: str) -> CompiledQuestion:
        return self._questions[name]

    def score(self, name: str) -> CompiledScore:
        return self._scores[name]


def compile_ruleset(ruleset: nodes.Ruleset,
                    diagnostics: Sequence[Diagnostic] | None = None) -> CompiledRuleset:
    """Compile a ruleset that checks without errors (warnings are fine).

    ``diagnostics`` are the checker's findings when the caller has just checked it, so the
    work is not done twice; otherwise the ruleset is checked here.
    """
    found = check(ruleset) if diagnostics is None else diagnostics
    if has_errors(found):
        raise CompileError("the ruleset has errors; run `ccirules check` for details")
    model = build_model(ruleset)
    metadata = model.metadata[0]
    needed = _attributes_in_conditions(model)
    attributes = {a.name.text: _attribute(a, a.name.text in needed) for a in model.attributes}
    scales = {name: _scale(scale) for name, scale in model.scales.items()}
    questions = tuple(_question(model, info, scales) for info in model.questions)
    rounding = metadata.rounding or DEFAULT_ROUNDING
    basis = metadata.band_basis or nodes.BandBasis.ROUNDED
    tables = {name: _bands(table) for name, table in model.bands.items()}
    scores = tuple(_score(model, info, tables, rounding, basis) for info in model.scores)
    return CompiledRuleset(
        info=RulesetInfo(metadata.title.value, _value(metadata.version),
                         _value(metadata.effective_from), _value(metadata.effective_to)),
        attributes=attributes, questions=questions,
        evaluation_order=_question_order(model), scores=scores,
        score_order=_score_order(scores))


def _value(text: nodes.Text | None) -> str | None:
    return text.value if text is not None else None


def _attributes_in_conditions(model: Model) -> set[str]:
    conditions = [c for info in model.questions for c in info.conditions]
    return {atom.subject.text for condition in conditions for atom in atoms(condition)
            if isinstance(model.things.get(atom.subject.text), nodes.Attribute)}


def _attribute(node: nodes.Attribute, needed: bool) -> CompiledAttribute:
    kind, values, low, high = "text", (), None, None
    match node.type:
        case nodes.ChoiceType(values=words):
            kind, values = "choice", tuple(word.text for word in words)
        case nodes.YesNoType():
            kind, values = "yes or no", ("yes", "no")
        case nodes.WholeNumberType(low=low_node, high=high_node):
            kind = "whole number"
            low = int(low_node.value) if low_node is not None else None
            high = int(high_node.value) if high_node is not None else None
    return CompiledAttribute(node.name.text, _value(node.title), kind, values, low, high, needed,
                             node.span)


def _scale(scale: nodes.Scale) -> CompiledScale:
    return CompiledScale(scale.name.text,
                         {value.value.text: value.category for value in scale.values},
                         {value.value.text: value.span for value in scale.values})


def _question(model: Model, info: QuestionInfo,
              scales: Mapping[str, CompiledScale]) -> CompiledQuestion:
    gates = []
    for group in reversed(list(ancestors(info.group))):
        if group.node.applies is not None:
            gates.append(Gate(_condition(model, group.node.applies), group.node.applies,
                              group.node.applies.span, group.node.name.text))
    if info.node.applies is not None:
        gates.append(Gate(_condition(model, info.node.applies), info.node.applies,
                          info.node.applies.span, info.node.name.text))
    return CompiledQuestion(
        name=info.node.name.text, title=_value(info.node.title),
        group=info.group.node.name.text, scale=scales[info.scale.name.text], gates=tuple(gates),
        key_for=tuple(name.text for name in info.node.key_for), span=info.node.span)


def _question_order(model: Model) -> tuple[str, ...]:
    """Questions in source order, each moved after the questions its conditions read."""
    return _dependency_order({
        info.node.name.text: [atom.subject.text for condition in info.conditions
                              for atom in atoms(condition)
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
                     Fraction(band.points.value) if band.points is not None else None, rank)
        for rank, band in enumerate(table.bands)))


def _score(model: Model, info: ScoreInfo, tables: Mapping[str, CompiledBands],
           rounding: nodes.Rounding, basis: nodes.BandBasis) -> CompiledScore:
    rule = info.rule
    targets = resolve(model, info).targets
    names = tuple(t.node.name.text if isinstance(t, QuestionInfo) else t.name.text
                  for t in targets)
    questions: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    weights: tuple[Fraction, ...] = ()
    match rule:
        case nodes.Judged():
            label = "judged directly"
        case nodes.WeightedMean(terms=terms):
            label = "weighted mean"
            parts = names
            weights = tuple(Fraction(term.weight.value) for term in terms)
        case nodes.Aggregate(kind=kind):
            label = kind.value
            if kind in (nodes.AggregateKind.PROPORTION, nodes.AggregateKind.COUNT):
                questions = names
            else:
                parts = names
    own_rounding = info.node.rounding if isinstance(info.node, nodes.Score) else None
    kind_name = ("headline" if info.is_headline else "score") if info.group is None \
        else info.group.node.level.text
    return CompiledScore(
        name=info.name.text, kind=kind_name,
        depth=sum(ancestor.node.name.text in model.score_info
                  for ancestor in list(ancestors(info.group))[1:]),
        title=_value(info.node.title),
        welsh=_value(info.node.welsh), rule=label, value_kind=kind_of(model, info),
        questions=questions, parts=parts, weights=weights,
        bands=tables[info.bands.text] if info.bands is not None else None,
        limits=tuple(CompiledLimit(limit.label.text, _condition(model, limit.condition),
                                   limit.span) for limit in info.limits),
        rounding=own_rounding or rounding, band_basis=basis, span=info.node.span,
        rule_span=rule.span if rule is not None and rule.span is not None else None)


def _score_order(scores: tuple[CompiledScore, ...]) -> tuple[str, ...]:
    names = {score.name for score in scores}
    return _dependency_order({
        score.name: [part for part in score.parts if part in names]
        + sorted(subject for limit in score.limits for subject in limit.test.subjects
                 if subject in names)
        for score in scores})


# ---- conditions ------------------------------------------------------------------------------

_ORDERINGS = {
    nodes.Comparator.LT: operator.lt, nodes.Comparator.LE: operator.le,
    nodes.Comparator.GT: operator.gt, nodes.Comparator.GE: operator.ge,
    nodes.Comparator.EQ: operator.eq, nodes.Comparator.NE: operator.ne,
}


class _Test:
    """A compiled condition: a closure plus the names it reads (for ordering scores)."""

    __slots__ = ("function", "subjects")

    def __init__(self, function: Test, subjects: set[str]) -> None:
        self.function = function
        self.subjects = subjects

    def __call__(self, values, categories, ratings) -> bool:
        return self.function(values, categories, ratings)


def _condition(model: Model, condition: nodes.Condition) -> _Test:
    subjects = {atom.subject.text for atom in atoms(condition)}
    return _Test(_compile(model, condition), subjects)


def _compile(model: Model, condition: nodes.Condition) -> Test:
    match condition:
        case nodes.All(operands=operands):
            parts = [_compile(model, operand) for operand in operands]
            return lambda v, c, r: all(part(v, c, r) for part in parts)
        case nodes.Any(operands=operands):
            parts = [_compile(model, operand) for operand in operands]
            return lambda v, c, r: any(part(v, c, r) for part in parts)
        case nodes.Not(operand=operand):
            inner = _compile(model, operand)
            return lambda v, c, r: not inner(v, c, r)
        case nodes.Compare(subject=subject, comparator=comparator, number=number):
            name, compare, limit = subject.text, _ORDERINGS[comparator], number.value
            return lambda v, c, r: v.get(name) is not None and compare(v[name], limit)
        case nodes.InSet(subject=subject, negated=negated, values=words):
            name = subject.text
            allowed = frozenset(_typed(model, name, word.text) for word in words)
            return lambda v, c, r: (v.get(name) in allowed) != negated
        case nodes.Is(subject=subject, negated=negated, test=test):
            return _is(model, subject.text, negated, test)
    raise AssertionError(f"unknown condition {condition!r}")


def _is(model: Model, name: str, negated: bool, test: nodes.Test) -> Test:
    match test:
        case nodes.ValueTest(value=word):
            wanted = _typed(model, name, word.text)
            return lambda v, c, r: (v.get(name) == wanted) != negated
        case nodes.RatedTest(label=word):
            label = word.text
            return lambda v, c, r: (r.get(name) == label) != negated
        case nodes.CategoryTest(category=category):
            accepted = {
                nodes.AnswerCategory.SUFFICIENT: {nodes.Category.SUFFICIENT},
                nodes.AnswerCategory.INSUFFICIENT: {nodes.Category.INSUFFICIENT},
                nodes.AnswerCategory.APPLICABLE: {nodes.Category.SUFFICIENT,
                                                  nodes.Category.INSUFFICIENT},
            }[category]
            return lambda v, c, r: (c.get(name) in accepted) != negated
    raise AssertionError(f"unknown test {test!r}")


def _typed(model: Model, name: str, text: str) -> object:
    """A value written in a condition, in the type the case data will have."""
    subject = model.things.get(name)
    if isinstance(subject, nodes.Attribute) and isinstance(subject.type, nodes.WholeNumberType):
        return int(Decimal(text)) if Decimal(text) == Decimal(text).to_integral_value() \
            else Decimal(text)
    return text
