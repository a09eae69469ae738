"""Checks on conditions: each comparison makes sense for what it compares, applicability does not
depend on itself, and no condition is impossible given the declared domains."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

from ccirules import limits, nodes
from ccirules.checker.graph import cycles
from ccirules.checker.walk import conditions
from ccirules.diagnostics import Diagnostic, Related, error, warning
from ccirules.model import GroupInfo, Model, QuestionInfo, ScoreInfo, ancestors, describe_thing
from ccirules.suggest import did_you_mean

#: Satisfiability is not judged beyond this many combinations of candidate values for one
#: condition, beyond this many comparisons in one condition, or once this many comparisons
#: have been judged in all (combinations times comparisons, over the whole ruleset): the
#: check's cost stays bounded however many and however long the conditions are.
MAX_COMBINATIONS = 4096
MAX_ATOMS = 1_000
MAX_WORK = 5_000_000


def condition_types(model: Model) -> Iterator[Diagnostic]:
    """E204/E205: values outside a domain, tests that do not fit what they test."""
    for place, condition in conditions(model):
        for atom in nodes.atoms(condition):
            yield from _atom_problems(model, place, atom)


def _atom_problems(model: Model, place: str, atom) -> Iterator[Diagnostic]:
    subject = model.things.get(atom.subject.text)
    if subject is None:
        return  # reported as an unknown name
    name = atom.subject.text
    what = f"{describe_thing(subject)} `{name}`"
    if place == "limit":
        if not (isinstance(atom, nodes.Is) and isinstance(atom.test, nodes.RatedTest)):
            yield error("E205", "a limit tests the rating of a score, not case data",
                        atom.span, hint="write it as `STANDARD is rated LABEL`")
            return
    elif isinstance(subject, GroupInfo | ScoreInfo):
        yield error("E205", f"{what} is a score; whether a question applies cannot depend on "
                    "a score", atom.span, hint="test case attributes or other answers here")
        return
    match atom:
        case nodes.Compare():
            if not _is_whole_number(subject):
                yield error("E205", f"{what} is not a number, so `{atom.comparator.value}` "
                            "cannot compare it", atom.span,
                            hint=f"test a value instead: `{name} is VALUE`")
        case nodes.InSet():
            for word in atom.values:
                yield from _value_problems(model, subject, what, word)
        case nodes.Is(test=nodes.ValueTest(value=word)):
            yield from _value_problems(model, subject, what, word)
        case nodes.Is(test=nodes.CategoryTest(category=category)):
            if not isinstance(subject, QuestionInfo):
                yield _keyword_read(model, subject, what, atom, category.value) or error(
                    "E205", f"only answers are {category.value}; {what} is not a question",
                    atom.span, hint=f"test a value: `{name} is VALUE`")
        case nodes.Is(test=nodes.RatedTest(label=label)):
            misread = None if isinstance(subject, GroupInfo | ScoreInfo) else _keyword_read(
                model, subject, what, atom, "rated")
            if misread is not None:
                yield misread
            else:
                yield from _rating_problems(model, subject, what, label, atom)


def _keyword_read(model: Model, subject, what: str, atom: nodes.Is,
                  keyword: str) -> Diagnostic | None:
    """E226: `X is sufficient` (or `applicable`, `rated`...) where X is not what the keyword
    tests but has a value spelled like it: the value was meant, and must be quoted."""
    if keyword not in (_allowed_values(model, subject) or ()):
        return None
    name = atom.subject.text
    return error("E226", f"`{keyword}` is a reserved word, so it is read here as the keyword, "
                 f"not as the value `{keyword}` of {what}", atom.span,
                 hint=f'to test the value, write it in quotes: `{name} is "{keyword}"`')


def _value_problems(model: Model, subject, what: str, word: nodes.Word) -> Iterator[Diagnostic]:
    allowed = _allowed_values(model, subject)
    if isinstance(subject, nodes.Attribute) and isinstance(subject.type, nodes.WholeNumberType):
        yield from _whole_number_problems(subject, what, word)
        return
    if allowed is None or word.text in allowed:
        return
    hint = did_you_mean(word.text, allowed) or (
        "valid here: " + ", ".join(f"`{value}`" for value in allowed))
    yield error("E204", f"`{word.text}` is not a value of {what}", word.span, hint=hint)


def _whole_number_problems(subject: nodes.Attribute, what: str,
                           word: nodes.Word) -> Iterator[Diagnostic]:
    """`age is 15` compares numbers, as `age = 15` does; so the value must be a whole number
    the attribute can take, or the test could never hold."""
    number = limits.read_number(word.text)
    if isinstance(number, limits.NumberProblem) and number.malformed:
        yield error("E205", f"{what} is a whole number; `{word.text}` is not",
                    word.span, hint="compare with a number, for example `age >= 15`")
        return
    if isinstance(number, limits.NumberProblem):
        yield error("E111", number.message, word.span, hint=number.hint)
        return
    if number != number.to_integral_value():
        yield error("E205", f"{what} is a whole number, so it is never {word.text}", word.span,
                    hint=f"write a whole number, or compare: `{subject.name.text} < {word.text}`")
        return
    low, high = subject.type.low, subject.type.high
    if (low is not None and number < low.value) or (high is not None and number > high.value):
        yield error("E204", f"`{word.text}` is not a value of {what}: it is a whole number "
                    f"from {low.value} to {high.value}", word.span,
                    hint=f"write a number from {low.value} to {high.value}")


def _rating_problems(model: Model, subject, what: str, label: nodes.Word,
                     atom) -> Iterator[Diagnostic]:
    score = _score_of(model, subject)
    if score is None or score.bands is None:
        yield error("E205", f"{what} has no bands, so it is never rated", atom.span,
                    hint="give it bands with `banded by`, or test a value instead")
        return
    table = model.bands.get(score.bands.text)
    if table is None:
        return
    labels = [band.label.text for band in table.bands]
    if label.text not in labels:
        yield error("E204", f"`{label.text}` is not a band of `{table.name.text}`", label.span,
                    hint=did_you_mean(label.text, labels)
                    or "valid here: " + ", ".join(f"`{value}`" for value in labels))


def _score_of(model: Model, subject) -> ScoreInfo | None:
    if isinstance(subject, ScoreInfo):
        return subject
    if isinstance(subject, GroupInfo):
        return model.score_info.get(subject.node.name.text)
    return None


def _allowed_values(model: Model, subject) -> list[str] | None:
    """The values a subject can take, or None when any text is allowed."""
    match subject:
        case nodes.Attribute(type=nodes.ChoiceType(values=values)):
            return [value.text for value in values]
        case nodes.Attribute(type=nodes.YesNoType()):
            return ["yes", "no"]
        case QuestionInfo(scale=nodes.Scale() as scale):
            return [value.value.text for value in scale.values]
    return None


def _is_whole_number(subject) -> bool:
    return isinstance(subject, nodes.Attribute) and isinstance(subject.type, nodes.WholeNumberType)


def _as_number(text: str) -> Decimal | None:
    number = limits.read_number(text)
    return None if isinstance(number, limits.NumberProblem) else number


def category_named_values(model: Model) -> Iterator[Diagnostic]:
    """W304: `Q is sufficient` (`insufficient`, `applicable`, with or without `not`) where Q's
    scale also has a value spelled that way: the condition tests the category, which a reader
    may take for the value. It says which it is, and how to write the other."""
    for _, condition in conditions(model):
        for atom in nodes.atoms(condition):
            if not (isinstance(atom, nodes.Is) and isinstance(atom.test, nodes.CategoryTest)):
                continue
            subject = model.things.get(atom.subject.text)
            if not isinstance(subject, QuestionInfo) or subject.scale is None:
                continue
            category = atom.test.category.value
            written = f"not {category}" if atom.negated else category
            for value in subject.scale.values:
                if value.value.text in (category, written):
                    yield _category_named_value(atom, category, value, subject.scale)


def _category_named_value(atom: nodes.Is, category: str, value: nodes.ScaleValue,
                          scale: nodes.Scale) -> Diagnostic:
    name, text = atom.subject.text, value.value.text
    written = f"{name} is {'not ' if atom.negated else ''}{category}"
    meaning = ("it has an answer that counts, sufficient or insufficient"
               if category == "applicable" else f"its answer means {category}")
    negated = "not " if atom.negated and text == category else ""
    return warning("W304", f"`{written}` tests the answer's category, not the value `{text}` "
                   f"of scale `{scale.name.text}`", atom.span,
                   hint=f"`{name} is {category}` holds when {meaning}; to test the value, write "
                        f'it in quotes: `{name} is {negated}"{text}"`, or rename the value',
                   related=[Related(value.span, f"the value `{text}` is declared here")])


def condition_cycles(model: Model) -> Iterator[Diagnostic]:
    """E206: a question whose applicability depends, through other answers, on itself.

    A group's condition is one node of the graph, which the questions in it depend on, rather
    than copied into each of them: the graph grows with the ruleset, not with questions times
    the length of their groups' conditions.
    """
    edges: dict[object, list[object]] = {}
    order: dict[object, tuple] = {}
    for info in model.questions:
        name = info.node.name.text
        edges[name] = [*_questions_read(model, info.node.applies),
                       *_conditioned_group(info.group)]
        order[name] = info.node.span.sort_key()
    for group in model.groups:
        if group.node.applies is not None:
            edges[group] = [*_questions_read(model, group.node.applies),
                            *_conditioned_group(group.parent)]
            order[group] = group.node.span.sort_key()
    for cycle in cycles(list(edges), edges, order.__getitem__):
        questions = [node for node in cycle[:-1] if isinstance(node, str)]
        if not questions:
            continue
        start = questions.index(min(questions, key=order.__getitem__))
        path = [*questions[start:], *questions[:start], questions[start]]
        first = model.question_info[path[0]].node
        shown = " → ".join(f"`{name}`" for name in path)
        related = [Related(model.question_info[name].node.span, f"`{name}` is declared here")
                   for name in dict.fromkeys(path[1:-1])]
        yield error("E206", f"whether `{path[0]}` applies depends on itself: {shown}",
                    first.name.span, related=related,
                    hint="a question's condition may only use answers that do not depend on it")


def _questions_read(model: Model, condition: nodes.Condition | None) -> list[str]:
    if condition is None:
        return []
    return [atom.subject.text for atom in nodes.atoms(condition)
            if isinstance(model.things.get(atom.subject.text), QuestionInfo)]


def _conditioned_group(group: GroupInfo | None) -> list[GroupInfo]:
    """The nearest group, from ``group`` outwards, with a condition of its own."""
    return next(([found] for found in ancestors(group) if found.node.applies is not None), [])


# ---- satisfiability --------------------------------------------------------------------------


def impossible_conditions(model: Model) -> Iterator[Diagnostic]:
    """W301: a condition no case (or rating) can satisfy, given the declared domains.

    Checked by trying every combination of candidate states, judged by :func:`nodes.holds` (the
    one definition of what conditions mean): each enumeration value, each scale value (and "no
    answer"), each band label, and for numbers the bounds and the numbers the condition mentions
    and their neighbours. That set decides every comparison the language has. The analysis is
    best effort within a budget (see :class:`_Analysis`), so its cost is bounded whatever the
    ruleset holds; what it cannot afford to judge, it does not warn about.
    """
    analysis = _Analysis(model)
    for info in model.questions:
        if info.node.applies is None or not all(analysis.well_typed(c) for c in info.conditions):
            continue
        inherited = info.conditions[:-1]
        if not analysis.satisfiable(info.conditions):
            if inherited and analysis.satisfiable(inherited):
                yield warning("W301", f"question `{info.node.name.text}` can never apply: its "
                              "condition contradicts its group's", info.node.applies.span,
                              hint="check the condition against the group's `applies when`")
            elif not inherited:
                yield warning("W301", "this condition can never be true", info.node.applies.span,
                              hint=f"so question `{info.node.name.text}` would never apply")
    for group in model.groups:
        condition = group.node.applies
        if condition is not None and analysis.well_typed(condition) and not \
                analysis.satisfiable((condition,)):
            yield warning("W301", "this condition can never be true", group.node.applies.span,
                          hint=f"so no question in `{group.node.name.text}` would ever apply")
    for score in model.scores:
        for limit in score.limits:
            condition = limit.condition
            if analysis.well_typed(condition, "limit") and not analysis.satisfiable((condition,)):
                yield warning("W301", "this limit can never take effect", limit.condition.span)


class _Analysis:
    """Satisfiability for one ruleset: what each condition holds is worked out once (a group's
    condition is shared by every question in it), and the comparisons judged in all are
    counted against MAX_WORK; a condition with more than MAX_ATOMS comparisons, or one whose
    combinations no longer fit the budget, is taken to be satisfiable."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.budget = MAX_WORK
        self._atoms: dict[int, tuple[dict[str, list], int]] = {}  # by id(condition)
        self._typed: dict[tuple[int, str], bool] = {}

    def atoms_by_subject(self, condition: nodes.Condition) -> tuple[dict[str, list], int]:
        """A condition's comparisons by what they compare, and how many there are."""
        key = id(condition)
        if key not in self._atoms:
            found: dict[str, list] = {}
            count = 0
            for atom in nodes.atoms(condition):
                found.setdefault(atom.subject.text, []).append(atom)
                count += 1
            self._atoms[key] = found, count
        return self._atoms[key]

    def well_typed(self, condition: nodes.Condition, place: str = "applies") -> bool:
        """Whether every comparison in a condition names something known and fits its type;
        the others are reported by :func:`condition_types` and not judged here."""
        key = (id(condition), place)
        if key not in self._typed:
            self._typed[key] = all(
                atom.subject.text in self.model.things
                and not any(True for _ in _atom_problems(self.model, place, atom))
                for atom in nodes.atoms(condition))
        return self._typed[key]

    def satisfiable(self, parts: tuple[nodes.Condition, ...]) -> bool:
        found = [self.atoms_by_subject(part) for part in parts]
        size = sum(count for _, count in found)
        if size > MAX_ATOMS:
            return True
        by_subject: dict[str, list] = {}
        for atoms_of, _ in found:
            for name, atoms in atoms_of.items():
                by_subject.setdefault(name, []).extend(atoms)
        names = sorted(by_subject)
        options = []
        combinations = 1
        for name in names:
            options.append(_candidates(self.model, self.model.things[name], by_subject[name]))
            combinations *= max(1, len(options[-1]))
            if combinations > MAX_COMBINATIONS:
                return True
        if combinations * size > self.budget:
            return True
        self.budget -= combinations * size
        for combination in itertools.product(*options):
            states = dict(zip(names, combination, strict=True))
            if all(nodes.holds(part, states.__getitem__) for part in parts):
                return True
        return False


def _candidates(model: Model, subject, atoms: list) -> list[nodes.State]:
    """The states of one subject that decide every comparison in ``atoms`` (its own)."""
    match subject:
        case nodes.Attribute(type=nodes.ChoiceType(values=values)):
            return [nodes.State(value.text) for value in values]
        case nodes.Attribute(type=nodes.YesNoType()):
            return [nodes.State("yes"), nodes.State("no")]
        case nodes.Attribute(type=nodes.WholeNumberType() as kind):
            return [nodes.State(number, numeric=True)
                    for number in _number_candidates(kind, atoms)]
        case nodes.Attribute():
            mentioned = {word.text for atom in atoms for word in _words(atom)}
            return [nodes.State(text) for text in sorted(mentioned)] + [nodes.State()]
        case QuestionInfo(scale=nodes.Scale() as scale):
            return [nodes.State(v.value.text, v.category) for v in scale.values] + [nodes.State()]
        case GroupInfo() | ScoreInfo():
            name = subject.node.name.text if isinstance(subject, GroupInfo) else \
                subject.name.text
            score = subject if isinstance(subject, ScoreInfo) else model.score_info.get(name)
            table = model.bands.get(score.bands.text) if score and score.bands else None
            labels = [band.label.text for band in table.bands] if table else []
            return [nodes.State(label) for label in labels] + [nodes.State()]
    return [nodes.State()]


def _number_candidates(kind: nodes.WholeNumberType, atoms: list) -> list[Decimal]:
    points = {Decimal(0)}
    for atom in atoms:
        numbers = [atom.number.value] if isinstance(atom, nodes.Compare) else [
            number for number in (_as_number(word.text) for word in _words(atom))
            if number is not None]
        for number in numbers:
            points.update({number.to_integral_value() + step for step in (-1, 0, 1)})
    low = kind.low.value if kind.low is not None else None
    high = kind.high.value if kind.high is not None else None
    points.update(bound for bound in (low, high) if bound is not None)
    return sorted(point for point in points
                  if (low is None or point >= low) and (high is None or point <= high))


def _words(atom) -> tuple[nodes.Word, ...]:
    if isinstance(atom, nodes.InSet):
        return atom.values
    if isinstance(atom, nodes.Is) and isinstance(atom.test, nodes.ValueTest | nodes.RatedTest):
        return (atom.test.value if isinstance(atom.test, nodes.ValueTest) else atom.test.label,)
    return ()
