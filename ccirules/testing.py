"""Hypothesis strategies for proving properties of your own rulesets.

From a compiled ruleset, these generate case data the ruleset accepts (attributes within their
domains, answers from each question's scale, an answer exactly where a question applies) and
near-valid records that it must reject. Use them in your own tests::

    from hypothesis import given
    from ccirules.api import evaluate, load_ruleset
    from ccirules.testing import inspections

    RULESET = load_ruleset("rulesets/cci-youth-2012.rules").compiled

    @given(inspections(RULESET))
    def test_sections_never_score_above_their_best_criterion(inspection):
        evaluation = evaluate(RULESET, inspection)
        for section in ("1", "2", "3"):
            ...

``ccirules verify`` runs a catalogue of such properties for any ruleset.

Each case is drawn as its attributes plus one byte string holding every answer (so drawing costs
the same for two questions or two hundred, and hypothesis shrinks answers towards each scale's
first values); which questions apply is decided by the engine itself
(:func:`ccirules.evaluator.applying`). Strategies are built once per ruleset.
"""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

from ccirules import terms
from ccirules.cases import Case, Inspection, Judgements
from ccirules.compiler import AttributeKind, CompiledAttribute, CompiledRuleset, Rule
from ccirules.evaluator import applying
from ccirules.source import SourceFile

_GENERATED = SourceFile("generated", "").whole()
TEXT_VALUES = ("north", "south", "east")
QUALITIES = (0.0, 0.2, 0.5, 0.7, 0.9, 1.0)

#: Bytes drawn per question: the category roll, the value within it, and (for incomplete
#: cases) whether it is left blank.
_BYTES_PER_QUESTION = 3


@attrs.frozen
class _Question:
    """What drawing an answer to one question needs: its values by category."""

    name: str
    sufficient: tuple[str, ...]
    insufficient: tuple[str, ...]
    not_applicable: tuple[str, ...]

    def answer(self, roll: int, pick: int, quality: float) -> str:
        """The answer two drawn bytes stand for: not applicable 8% of the time (where the scale
        allows), else sufficient with probability ``quality``."""
        percent = roll * 100 // 256
        if percent < 8 and self.not_applicable:
            values = self.not_applicable
        elif percent < 8 + 92 * quality:
            values = self.sufficient
        else:
            values = self.insufficient
        return values[pick % len(values)]


@attrs.frozen
class _Plan:
    """The strategies for one ruleset, built once (see :meth:`CompiledRuleset.derived`)."""

    attributes: st.SearchStrategy
    questions: tuple[_Question, ...]
    answers: st.SearchStrategy


def _plan(ruleset: CompiledRuleset) -> _Plan:
    def build(ruleset: CompiledRuleset) -> _Plan:
        questions = tuple(_Question(question.name, *(
            tuple(sorted(question.scale.values_meaning(category)))
            for category in (terms.Category.SUFFICIENT, terms.Category.INSUFFICIENT,
                             terms.Category.NOT_APPLICABLE)))
            for question in ruleset.questions)
        size = _BYTES_PER_QUESTION * len(questions)
        return _Plan(st.fixed_dictionaries({name: _attribute(attribute) for name, attribute
                                            in ruleset.attributes.items()}),
                     questions, st.binary(min_size=size, max_size=size))

    return ruleset.derived("testing", build)


def _attribute(attribute: CompiledAttribute) -> st.SearchStrategy:
    if attribute.kind is AttributeKind.WHOLE_NUMBER:
        low = attribute.low if attribute.low is not None else 0
        high = attribute.high if attribute.high is not None else low + 20
        return st.integers(low, high)
    if attribute.kind is AttributeKind.TEXT:
        return st.sampled_from(TEXT_VALUES)
    return st.sampled_from(attribute.values)


@st.composite
def attribute_values(draw, ruleset: CompiledRuleset) -> dict[str, object]:
    """A value for every attribute, within its declared domain."""
    return draw(_plan(ruleset).attributes)


@st.composite
def cases(draw, ruleset: CompiledRuleset, case_id: str = "C001",
          quality: float | None = None, complete: bool = True) -> Case:
    """One case. With ``complete``, exactly the questions that apply to it are answered (so it
    evaluates without errors or warnings); otherwise answers are drawn for any question, or left
    blank. ``quality`` is the chance an answer is sufficient (drawn when not given)."""
    plan = _plan(ruleset)
    attributes = draw(plan.attributes)
    if quality is None:
        quality = draw(st.sampled_from(QUALITIES))
    data = draw(plan.answers)
    answers = {}
    for index, question in enumerate(plan.questions):
        roll, pick, blank = data[_BYTES_PER_QUESTION * index:_BYTES_PER_QUESTION * (index + 1)]
        if complete or blank < 128:
            answers[question.name] = question.answer(roll, pick, quality)
    if complete:
        answers = applying(ruleset, attributes, answers)
    return Case(case_id, attributes, answers, {}, _GENERATED)


@st.composite
def case_sets(draw, ruleset: CompiledRuleset, min_size: int = 0, max_size: int = 12,
              complete: bool = True, quality: float | None = None) -> list[Case]:
    """Cases with distinct ids, sharing one level of quality (drawn when not given), so that
    scores spread over their whole range across examples."""
    count = draw(st.integers(min_size, max_size))
    if quality is None:
        quality = draw(st.sampled_from(QUALITIES))
    return [draw(cases(ruleset, f"C{index:03d}", quality, complete)) for index in range(count)]


@st.composite
def ratings(draw, ruleset: CompiledRuleset, quality: float | None = None) -> dict[str, str]:
    """A rating for every score judged directly, from its band table: near the best band for
    high quality, near the worst for low (any band when quality is not given)."""
    found = {}
    for score in ruleset.scores:
        if score.rule is not Rule.JUDGED:
            continue
        labels = [band.label for band in score.bands.bands]  # best first
        if quality is None:
            found[score.name] = draw(st.sampled_from(labels))
        else:
            centre = round((1 - quality) * (len(labels) - 1))
            near = labels[max(0, centre - 1):centre + 2]
            found[score.name] = draw(st.sampled_from([labels[centre]] * 3 + near))
    return found


@st.composite
def inspections(draw, ruleset: CompiledRuleset, min_size: int = 0, max_size: int = 12,
                quality: float | None = None) -> Inspection:
    """A whole inspection: cases and the ratings of scores judged directly, sharing one level
    of quality (drawn when not given)."""
    if quality is None:
        quality = draw(st.sampled_from(QUALITIES))
    found = draw(case_sets(ruleset, min_size, max_size, quality=quality))
    return Inspection(tuple(found), Judgements(draw(ratings(ruleset, quality)), {}), ())


def record_of(case: Case) -> dict[str, object]:
    """A case as a record for a YAML or JSON case file."""
    return {"case": case.id, **case.attributes, **case.answers}


@st.composite
def broken_records(draw, ruleset: CompiledRuleset) -> tuple[dict[str, object], str]:
    """A record one mistake away from valid, and the diagnostic code the loaders must give it:
    an unknown key (E402), a value outside a scale or domain (E403), no id (E407), or a missing
    attribute that conditions need (E408)."""
    record = record_of(draw(cases(ruleset)))
    needed = [a.name for a in ruleset.attributes.values() if a.needed]
    closed = [a for a in ruleset.attributes.values()
              if a.kind in (AttributeKind.CHOICE, AttributeKind.YES_OR_NO)]
    answered = [key for key in record if key in {q.name for q in ruleset.questions}]
    mistakes = ["unknown", "no id"]
    if needed:
        mistakes.append("missing attribute")
    if answered or closed:
        mistakes.append("bad value")
    mistake = draw(st.sampled_from(mistakes))
    if mistake == "unknown":
        record[draw(st.sampled_from(("remarks", "q_unknown", "Case Notes")))] = "x"
        return record, "E402"
    if mistake == "no id":
        del record["case"]
        return record, "E407"
    if mistake == "missing attribute":
        del record[draw(st.sampled_from(needed))]
        return record, "E408"
    key = draw(st.sampled_from(answered + [a.name for a in closed]))
    record[key] = "certainly-not-a-value"
    return record, "E403"

