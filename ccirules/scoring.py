"""Scores from tallies: exact arithmetic, rounded once, as the ruleset says, then banded.

Python's ``round`` rounds halves to even and floats cannot hold 2/3; published scores need 74.5
to become 75 under "half up" exactly. So values stay :class:`~fractions.Fraction` until they are
rounded here, with integer arithmetic, into a :class:`~decimal.Decimal` for display. Scores are
computed in dependency order from per-question tallies (counts of each outcome), so a score and
the counts behind it always agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import msgspec

from ccirules import terms
from ccirules.cases import Judgements
from ccirules.compiler import CompiledBand, CompiledRuleset, CompiledScore, Rule
from ccirules.source import Span


class Tally(msgspec.Struct, frozen=True):
    """How many cases had each outcome for one question."""

    sufficient: int = 0
    insufficient: int = 0
    not_applicable: int = 0
    does_not_apply: int = 0
    unanswered: int = 0

    @property
    def applicable(self) -> int:
        return self.sufficient + self.insufficient


class ScoreResult(msgspec.Struct, frozen=True):
    """One score: its counts where it pools answers, its exact and shown value, its band."""

    name: str
    sufficient: int | None
    applicable: int | None
    exact: Fraction | None  # None: no score
    band: CompiledBand | None
    capped_by: Span | None  # the `at most` that lowered the band
    parts: tuple[tuple[str, Fraction | None], ...]
    note: str | None  # why there is no score, or where a judged rating came from
    points: Fraction | None = None  # a share of points: the points of the rated parts
    maximum: Fraction | None = None  # ... and the most those parts could score
    uncapped: CompiledBand | None = None  # the band before an `at most` lowered it


# ---- rounding and banding --------------------------------------------------------------------


def round_value(value: Fraction, rounding: terms.Rounding) -> Decimal:
    """Round ``value`` to ``rounding.places`` decimal places with ``rounding.mode``.

    Half up and half down are taken away from and towards zero, as on paper; "up" and "down"
    round away from and towards zero.
    """
    scaled = value * 10 ** rounding.places
    whole, remainder = divmod(abs(scaled.numerator), scaled.denominator)
    twice, denominator = 2 * remainder, scaled.denominator
    match rounding.mode:
        case terms.RoundingMode.HALF_UP:
            whole += twice >= denominator
        case terms.RoundingMode.HALF_DOWN:
            whole += twice > denominator
        case terms.RoundingMode.HALF_EVEN:
            whole += twice > denominator or (twice == denominator and whole % 2 == 1)
        case terms.RoundingMode.UP:
            whole += remainder > 0
        case terms.RoundingMode.DOWN:
            pass
    signed = -whole if scaled < 0 else whole
    return Decimal(signed).scaleb(-rounding.places)


def shown_value(score: CompiledScore, exact: Fraction) -> Decimal:
    """The value as printed: rounded once, as the score's rounding rule says."""
    return round_value(exact, score.rounding)


def band_of(score: CompiledScore, exact: Fraction) -> CompiledBand | None:
    """The band a value falls in: of its rounded value, unless bands apply to exact scores."""
    if score.bands is None:
        return None
    if score.band_basis is terms.BandBasis.EXACT:
        return score.bands.band_for(exact)
    return score.bands.band_for(Fraction(shown_value(score, exact)))


def percentage(sufficient: int, applicable: int) -> Fraction | None:
    """Sufficient answers as a percentage of applicable ones; None ("no score") when none apply."""
    if applicable == 0:
        return None
    return Fraction(100 * sufficient, applicable)


# ---- scores ----------------------------------------------------------------------------------


def compute_scores(ruleset: CompiledRuleset, tallies: Mapping[str, Tally],
                   judgements: Judgements) -> tuple[ScoreResult, ...]:
    """Every score from per-question tallies, in dependency order; returned in ruleset order."""
    done: dict[str, ScoreResult] = {}
    for name in ruleset.score_order:
        score = ruleset.score(name)
        done[name] = _apply_limits(score, _score(ruleset, score, tallies, judgements, done), done)
    return tuple(done[score.name] for score in ruleset.scores)


def _score(ruleset: CompiledRuleset, score: CompiledScore, tallies: Mapping[str, Tally],
           judgements: Judgements, done: Mapping[str, ScoreResult]) -> ScoreResult:
    if score.rule is Rule.JUDGED:
        label = judgements.ratings.get(score.name)
        band = score.bands.by_label(label) if label is not None else None
        note = "judged by inspectors" if band is not None else "no rating was recorded"
        return ScoreResult(score.name, None, None, None, band, None, (), note)
    if score.rule.pools:
        if not score.questions:
            return _finish(score, None, 0, 0, (), "no questions to pool")
        pooled = [tallies[question] for question in score.questions]
        sufficient = sum(tally.sufficient for tally in pooled)
        applicable = sum(tally.applicable for tally in pooled)
        if score.rule is Rule.COUNT:
            exact = Fraction(sufficient)
        else:
            exact = percentage(sufficient, applicable)
        note = None if exact is not None else "no applicable answers"
        return _finish(score, exact, sufficient, applicable, (), note)
    parts = tuple((part, _part_value(part, score, tallies, done)) for part in score.parts)
    if score.rule is Rule.SHARE_OF_POINTS:
        return _share_of_points(ruleset, score, parts)
    exact, note = _combine(score, parts)
    return _finish(score, exact, None, None, parts, note)


def _share_of_points(ruleset: CompiledRuleset, score: CompiledScore,
                     parts: tuple[tuple[str, Fraction | None], ...]) -> ScoreResult:
    """The points of the rated parts as a percentage of the most those parts could score: a
    part with no rating (no applicable answer, not judged) is left out of both, so an inspection
    that did not rate a standard is scored on the standards it rated."""
    rated = [(name, value) for name, value in parts if value is not None]
    unrated = [name for name, value in parts if value is None]
    left_out = ("not rated, so left out: " + ", ".join(f"`{name}`" for name in unrated)
                if unrated else None)
    points = sum((value for _, value in rated), Fraction(0))
    maximum = sum((max(band.points for band in ruleset.score(name).bands.bands)
                   for name, _ in rated), Fraction(0))
    if not maximum:
        note = "none of its parts has a rating" if not rated else \
            "its rated parts can score no points"
        return ScoreResult(score.name, None, None, None, None, None, parts, note,
                           points if rated else None, maximum if rated else None)
    exact = 100 * points / maximum
    return ScoreResult(score.name, None, None, exact, band_of(score, exact), None, parts,
                       left_out, points, maximum)


def _part_value(part: str, score: CompiledScore, tallies: Mapping[str, Tally],
                done: Mapping[str, ScoreResult]) -> Fraction | None:
    if part in tallies:
        tally = tallies[part]
        return percentage(tally.sufficient, tally.applicable)
    result = done[part]
    if score.rule.adds_points:
        return result.band.points if result.band is not None else None
    return result.exact


def _combine(score: CompiledScore, parts: tuple[tuple[str, Fraction | None], ...]
             ) -> tuple[Fraction | None, str | None]:
    values = [value for _, value in parts if value is not None]
    if score.rule is Rule.SUM_OF_POINTS:
        missing = [name for name, value in parts if value is None]
        if missing:
            return None, "no rating for " + ", ".join(f"`{name}`" for name in missing)
        return sum(values, Fraction(0)), None
    if not values:
        return None, "none of its parts has a score"
    if score.rule is Rule.LOWEST:
        return min(values), None
    if score.rule is Rule.HIGHEST:
        return max(values), None
    weighted = [(weight, value) for weight, (_, value) in zip(score.weights, parts, strict=True)
                if value is not None]
    total = sum(weight for weight, _ in weighted)
    return sum(weight * value for weight, value in weighted) / total, None


def _finish(score: CompiledScore, exact: Fraction | None, sufficient: int | None,
            applicable: int | None, parts, note: str | None) -> ScoreResult:
    band = band_of(score, exact) if exact is not None else None
    return ScoreResult(score.name, sufficient, applicable, exact, band, None, parts, note)


def _apply_limits(score: CompiledScore, result: ScoreResult,
                  done: Mapping[str, ScoreResult]) -> ScoreResult:
    """`at most LABEL when ...`: lower the band to LABEL when the condition holds of the ratings
    of the scores it names (judged by :func:`terms.holds`, like every condition)."""
    def rating(name: str) -> terms.State:
        band = done[name].band
        return terms.State(band.label if band is not None else None)

    for limit in score.limits:
        cap = score.bands.by_label(limit.label)
        if result.band is not None and result.band.rank < cap.rank and terms.holds(
                limit.condition, rating):
            result = msgspec.structs.replace(result, band=cap, capped_by=limit.span,
                                             uncapped=result.uncapped or result.band)
    return result
