"""What a ruleset declares, indexed once: for every check, then for the compiler.

The model resolves what the syntax leaves implicit: a question's group, its scale (its own, its
nearest group's, or the only scale declared), the conditions it inherits from its groups, a group's
score rule and bands (its own or its level's), a headline's default rule. It is built from any
parsed ruleset, however broken: the first declaration of a name wins, and unresolved references are
left for the checks to report, each once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator

import attrs

from ccirules import nodes

#: A headline with no rule scores the pooled proportion of the questions keyed to it.
HEADLINE_DEFAULT_RULE = nodes.AggregateKind.PROPORTION

#: Rounding when the ruleset declares none: half up, to whole numbers.
DEFAULT_ROUNDING = nodes.Rounding(nodes.RoundingMode.HALF_UP, 0, span=None)


class Namespace(enum.Enum):
    """Names live in four separate namespaces; conditions and scores refer to ``THINGS``."""

    THINGS = "name"
    SCALES = "scale"
    BANDS = "band table"
    LEVELS = "level"


@attrs.define(eq=False)
class QuestionInfo:
    node: nodes.Question
    nested_in: GroupInfo | None
    group: GroupInfo | None = None  # nested_in, or the group named by `under`
    scale: nodes.Scale | None = None
    conditions: tuple[nodes.Condition, ...] = ()  # inherited first, then the question's own


@attrs.define(eq=False)
class GroupInfo:
    node: nodes.Group
    parent: GroupInfo | None
    children: list[GroupInfo] = attrs.Factory(list)
    questions: list[QuestionInfo] = attrs.Factory(list)  # direct, including those placed by `under`


@attrs.define(eq=False)
class ScoreInfo:
    """Anything with a score: a group, a headline or a free-standing score."""

    name: nodes.Name
    node: nodes.Group | nodes.Score
    rule: nodes.ScoreRule | None
    rule_is_default: bool
    bands: nodes.Name | None
    limits: tuple[nodes.Limit, ...]
    group: GroupInfo | None = None

    @property
    def is_headline(self) -> bool:
        return isinstance(self.node, nodes.Score) and self.node.headline

    @property
    def describe(self) -> str:
        if self.group is not None:
            return f"{self.group.node.level.text} `{self.name.text}`"
        return f"{'headline' if self.is_headline else 'score'} `{self.name.text}`"


@attrs.define(eq=False)
class Model:
    ruleset: nodes.Ruleset
    metadata: list[nodes.Metadata] = attrs.Factory(list)
    things: dict[str, object] = attrs.Factory(dict)
    scales: dict[str, nodes.Scale] = attrs.Factory(dict)
    bands: dict[str, nodes.BandTable] = attrs.Factory(dict)
    levels: dict[str, nodes.Level] = attrs.Factory(dict)
    duplicates: list[tuple[Namespace, nodes.Name, nodes.Name]] = attrs.Factory(list)
    attributes: list[nodes.Attribute] = attrs.Factory(list)
    questions: list[QuestionInfo] = attrs.Factory(list)
    groups: list[GroupInfo] = attrs.Factory(list)
    scores: list[ScoreInfo] = attrs.Factory(list)
    question_info: dict[str, QuestionInfo] = attrs.Factory(dict)
    group_info: dict[str, GroupInfo] = attrs.Factory(dict)
    score_info: dict[str, ScoreInfo] = attrs.Factory(dict)

    # ---- lookups ----------------------------------------------------------------------------

    def key_questions(self, headline: str) -> list[QuestionInfo]:
        return [info for info in self.questions
                if any(name.text == headline for name in info.node.key_for)]

    def all_questions(self, group: GroupInfo) -> Iterator[QuestionInfo]:
        """Every question in a group and its descendants, in source order."""
        stack = [group]
        while stack:
            current = stack.pop()
            yield from current.questions
            stack.extend(reversed(current.children))

    def groups_of_level(self, level: str) -> list[GroupInfo]:
        return [info for info in self.groups if info.node.level.text == level]

    def default_scale(self) -> nodes.Scale | None:
        return next(iter(self.scales.values())) if len(self.scales) == 1 else None


def build_model(ruleset: nodes.Ruleset) -> Model:
    model = Model(ruleset)
    for declaration in ruleset.declarations:
        _declare(model, declaration, parent=None)
    _place_questions(model)
    _resolve_scores(model)
    return model


def _register(model: Model, table: dict, namespace: Namespace, name: nodes.Name,
              value: object) -> None:
    if name.text in table:
        model.duplicates.append((namespace, name, _name_of(table[name.text])))
    else:
        table[name.text] = value


def _name_of(value: object) -> nodes.Name:
    if isinstance(value, QuestionInfo | GroupInfo):
        return value.node.name
    return value.name


def _declare(model: Model, declaration: object, parent: GroupInfo | None) -> None:
    match declaration:
        case nodes.Metadata():
            model.metadata.append(declaration)
        case nodes.Scale():
            _register(model, model.scales, Namespace.SCALES, declaration.name, declaration)
        case nodes.BandTable():
            _register(model, model.bands, Namespace.BANDS, declaration.name, declaration)
        case nodes.Level():
            _register(model, model.levels, Namespace.LEVELS, declaration.name, declaration)
        case nodes.Attribute():
            model.attributes.append(declaration)
            _register(model, model.things, Namespace.THINGS, declaration.name, declaration)
        case nodes.Question():
            info = QuestionInfo(declaration, nested_in=parent)
            model.questions.append(info)
            _register(model, model.things, Namespace.THINGS, declaration.name, info)
            model.question_info.setdefault(declaration.name.text, info)
        case nodes.Group():
            info = GroupInfo(declaration, parent)
            model.groups.append(info)
            if parent is not None:
                parent.children.append(info)
            _register(model, model.things, Namespace.THINGS, declaration.name, info)
            model.group_info.setdefault(declaration.name.text, info)
            for member in declaration.members:
                _declare(model, member, info)
        case nodes.Score():
            info = ScoreInfo(declaration.name, declaration, declaration.rule,
                             rule_is_default=False, bands=declaration.bands,
                             limits=declaration.limits)
            if declaration.headline and declaration.rule is None:
                info.rule = nodes.Aggregate(HEADLINE_DEFAULT_RULE, nodes.Operands(
                    (nodes.Operand(nodes.OperandKind.ITS_KEY_QUESTIONS, None, declaration.span),),
                    (), declaration.span), declaration.span)
                info.rule_is_default = True
            model.scores.append(info)
            _register(model, model.things, Namespace.THINGS, declaration.name, info)
            model.score_info.setdefault(declaration.name.text, info)


def _place_questions(model: Model) -> None:
    for info in model.questions:
        group = info.nested_in
        if group is None and info.node.under is not None:
            group = model.group_info.get(info.node.under.text)
        info.group = group
        if group is not None and (info.nested_in is None or info.nested_in is group):
            group.questions.append(info)
        info.scale = _resolve_scale(model, info)
        inherited = [ancestor.node.applies for ancestor in ancestors(group)
                     if ancestor.node.applies is not None]
        own = [info.node.applies] if info.node.applies is not None else []
        info.conditions = (*reversed(inherited), *own)


def ancestors(group: GroupInfo | None) -> Iterator[GroupInfo]:
    """A group, then its parent, grandparent... (guarded against loops in broken rulesets)."""
    seen = set()
    while group is not None and id(group) not in seen:
        seen.add(id(group))
        yield group
        group = group.parent


def _resolve_scale(model: Model, info: QuestionInfo) -> nodes.Scale | None:
    if info.node.scale is not None:
        return model.scales.get(info.node.scale.text)
    for ancestor in ancestors(info.group):
        if ancestor.node.scale is not None:
            return model.scales.get(ancestor.node.scale.text)
    return model.default_scale()


def _resolve_scores(model: Model) -> None:
    for group in model.groups:
        node = group.node
        level = model.levels.get(node.level.text)
        rule, bands, default = node.rule, node.bands, False
        if rule is None and level is not None and level.rule is not None:
            rule, default = level.rule, True
        if bands is None and level is not None:
            bands = level.bands
        if rule is None and bands is None and not node.limits:
            continue
        info = ScoreInfo(node.name, node, rule, default, bands, node.limits, group)
        model.scores.append(info)
        model.score_info.setdefault(node.name.text, info)
    model.scores.sort(key=lambda info: info.node.span.sort_key())


def describe_thing(thing: object) -> str:
    """What a declaration is, in the ruleset's words: `attribute`, `question`, `criterion`..."""
    match thing:
        case nodes.Attribute():
            return "attribute"
        case QuestionInfo():
            return "question"
        case GroupInfo():
            return thing.node.level.text
        case ScoreInfo():
            return "headline" if thing.is_headline else "score"
    return "name"
