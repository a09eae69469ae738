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

Each case is drawn as one number, the seed of its attributes and answers: drawing costs the same
for two questions or two hundred, and hypothesis shrinks a failing inspection to the fewest
cases. Which questions apply is decided by the engine itself
(:func:`ccirules.evaluator.applying_each`). Strategies are built once per ruleset.
"""

from __future__ import annotations

import random

import attrs
from hypothesis import strategies as st

from ccirules import terms
from ccirules.cases import Case, Inspection, Judgements
from ccirules.compiler import AttributeKind, CompiledAttribute, CompiledRuleset, Rule
from ccirules.evaluator import applying_each
from ccirules.source import SourceFile

_GENERATED = SourceFile("generated", "").whole()
TEXT_VALUES = ("north", "south", "east")
QUALITIES = (0.0, 0.2, 0.5, 0.7, 0.9, 1.0)
SEEDS = st.integers(0, 2**32 - 1)


@attrs.frozen
class _Question:
    """What drawing an answer to one question needs: its values by category."""

    name: str
    sufficient: tuple[str, ...]
    insufficient: tuple[str, ...]
    not_applicable: tuple[str, ...]

    def answer(self, rng: random.Random, quality: float) -> str:
        """Not applicable 8% of the time (where the scale allows), else sufficient with
        probability ``quality``."""
        roll = rng.random()
        if roll < 0.08 and self.not_applicable:
            values = self.not_applicable
        elif roll < 0.08 + 0.92 * quality:
            values = self.sufficient
        else:
            values = self.insufficient
        return rng.choice(values)


def _questions(ruleset: CompiledRuleset) -> tuple[_Question, ...]:
    """Each question's values by category, worked out once per ruleset."""
    def build(ruleset: CompiledRuleset) -> tuple[_Question, ...]:
        return tuple(_Question(question.name, *(
            tuple(sorted(question.scale.values_meaning(category)))
            for category in (terms.Category.SUFFICIENT, terms.Category.INSUFFICIENT,
                             terms.Category.NOT_APPLICABLE)))
            for question in ruleset.questions)

    return ruleset.derived("testing", build)


def _attribute(attribute: CompiledAttribute, rng: random.Random) -> object:
    if attribute.kind is AttributeKind.WHOLE_NUMBER:
        low = attribute.low if attribute.low is not None else 0
        high = attribute.high if attribute.high is not None else low + 20
        return rng.randint(low, high)
    if attribute.kind is AttributeKind.TEXT:
        return rng.choice(TEXT_VALUES)
    return rng.choice(attribute.values)


def _attributes(ruleset: CompiledRuleset, rng: random.Random) -> dict[str, object]:
    return {name: _attribute(attribute, rng) for name, attribute in ruleset.attributes.items()}


def _raw_case(ruleset: CompiledRuleset, seed: int, quality: float,
              complete: bool) -> tuple[dict[str, object], dict[str, str]]:
    """A case's attributes and an answer to every question (``complete``) or to some."""
    rng = random.Random(seed)
    attributes = _attributes(ruleset, rng)
    answers = {}
    for question in _questions(ruleset):
        answer = question.answer(rng, quality)
        if complete or rng.random() < 0.5:
            answers[question.name] = answer
    return attributes, answers


def _made(ruleset: CompiledRuleset, drawn: list[tuple[str, int]], quality: float,
          complete: bool) -> list[Case]:
    """Cases from (id, seed) pairs; complete ones keep exactly the answers that apply."""
    raw = [_raw_case(ruleset, seed, quality, complete) for _, seed in drawn]
    answers = applying_each(ruleset, raw) if complete else [found for _, found in raw]
    return [Case(case_id, attributes, kept, {}, _GENERATED)
            for (case_id, _), (attributes, _), kept in zip(drawn, raw, answers, strict=True)]


@st.composite
def attribute_values(draw, ruleset: CompiledRuleset) -> dict[str, object]:
    """A value for every attribute, within its declared domain."""
    return _attributes(ruleset, random.Random(draw(SEEDS)))


@st.composite
def cases(draw, ruleset: CompiledRuleset, case_id: str = "C001",
          quality: float | None = None, complete: bool = True) -> Case:
    """One case. With ``complete``, exactly the questions that apply to it are answered (so it
    evaluates without errors or warnings); otherwise answers are drawn for any question, or left
    blank. ``quality`` is the chance an answer is sufficient (drawn when not given)."""
    if quality is None:
        quality = draw(st.sampled_from(QUALITIES))
    (case,) = _made(ruleset, [(case_id, draw(SEEDS))], quality, complete)
    return case


@st.composite
def case_sets(draw, ruleset: CompiledRuleset, min_size: int = 0, max_size: int = 12,
              complete: bool = True, quality: float | None = None) -> list[Case]:
    """Cases with distinct ids, sharing one level of quality (drawn when not given), so that
    scores spread over their whole range across examples."""
    if quality is None:
        quality = draw(st.sampled_from(QUALITIES))
    seeds = draw(st.lists(SEEDS, min_size=min_size, max_size=max_size))
    return _made(ruleset, [(f"C{index:03d}", seed) for index, seed in enumerate(seeds)],
                 quality, complete)


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

