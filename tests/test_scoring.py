"""Rounding and banding, exactly: the boundaries published scores depend on."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from ccirules import nodes
from ccirules.scoring import percentage, round_value

HALF_UP, HALF_EVEN, HALF_DOWN, UP, DOWN = (
    nodes.RoundingMode.HALF_UP, nodes.RoundingMode.HALF_EVEN, nodes.RoundingMode.HALF_DOWN,
    nodes.RoundingMode.UP, nodes.RoundingMode.DOWN)


def rounded(value: Fraction, mode: nodes.RoundingMode, places: int = 0) -> Decimal:
    return round_value(value, nodes.Rounding(mode, places, None))


@pytest.mark.parametrize(("value", "mode", "places", "expected"), [
    (Fraction(149, 2), HALF_UP, 0, "75"),      # 74.5 -> 75: the CCI rule
    (Fraction(149, 2), HALF_EVEN, 0, "74"),    # Python's round() would say this
    (Fraction(151, 2), HALF_EVEN, 0, "76"),
    (Fraction(149, 2), HALF_DOWN, 0, "74"),
    (Fraction(200, 3), HALF_UP, 0, "67"),      # 66.67
    (Fraction(200, 3), DOWN, 0, "66"),
    (Fraction(200, 3), UP, 0, "67"),
    (Fraction(1, 8), HALF_UP, 2, "0.13"),
    (Fraction(1, 8), HALF_EVEN, 2, "0.12"),
    (Fraction(1, 8), HALF_DOWN, 2, "0.12"),
    (Fraction(1, 8), DOWN, 2, "0.12"),
    (Fraction(1, 8), UP, 2, "0.13"),
    (Fraction(-5, 2), HALF_UP, 0, "-3"),       # half away from zero
    (Fraction(0), HALF_UP, 1, "0.0"),
    (Fraction(100), HALF_UP, 0, "100"),
    (Fraction(7449, 100), HALF_UP, 0, "74"),   # 74.49 stays 74
    (Fraction(14900001, 200000), HALF_UP, 0, "75"),  # a hair over 74.5
])
def test_round_value(value: Fraction, mode, places: int, expected: str) -> None:
    assert rounded(value, mode, places) == Decimal(expected)
    assert str(rounded(value, mode, places)) == expected


def test_exact_fractions_never_pass_through_floats() -> None:
    # 74.5 exactly, from counts: 149 of 200. A float detour could land either side of .5.
    assert percentage(149, 200) == Fraction(149, 2)
    assert rounded(percentage(149, 200), HALF_UP) == 75
    assert rounded(percentage(1, 3), HALF_UP, 6) == Decimal("33.333333")


def test_empty_denominator_is_no_score_not_zero() -> None:
    assert percentage(0, 0) is None
    assert percentage(0, 5) == 0
