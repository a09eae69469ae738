"""Exact arithmetic for scores: rounding a fraction once, as the ruleset says, and banding it.

Python's ``round`` rounds halves to even and floats cannot hold 2/3; published scores need 74.5
to become 75 under "half up" exactly. So values stay :class:`~fractions.Fraction` until they are
rounded here, with integer arithmetic, into a :class:`~decimal.Decimal` for display.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ccirules import nodes
from ccirules.compiler import CompiledBand, CompiledScore


def round_value(value: Fraction, rounding: nodes.Rounding) -> Decimal:
    """Round ``value`` to ``rounding.places`` decimal places with ``rounding.mode``.

    Half up and half down are taken away from and towards zero, as on paper; "up" and "down"
    round away from and towards zero.
    """
    scaled = value * 10 ** rounding.places
    whole, remainder = divmod(abs(scaled.numerator), scaled.denominator)
    twice, denominator = 2 * remainder, scaled.denominator
    match rounding.mode:
        case nodes.RoundingMode.HALF_UP:
            whole += twice >= denominator
        case nodes.RoundingMode.HALF_DOWN:
            whole += twice > denominator
        case nodes.RoundingMode.HALF_EVEN:
            whole += twice > denominator or (twice == denominator and whole % 2 == 1)
        case nodes.RoundingMode.UP:
            whole += remainder > 0
        case nodes.RoundingMode.DOWN:
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
    if score.band_basis is nodes.BandBasis.EXACT:
        return score.bands.band_for(exact)
    return score.bands.band_for(Fraction(shown_value(score, exact)))


def percentage(sufficient: int, applicable: int) -> Fraction | None:
    """Sufficient answers as a percentage of applicable ones; None ("no score") when none apply."""
    if applicable == 0:
        return None
    return Fraction(100 * sufficient, applicable)
