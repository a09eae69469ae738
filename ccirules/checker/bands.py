"""Checks on band tables: listed best first, no overlaps, no gaps, within the range of the scores
that use them, and every band reachable.

Gaps and reachability depend on what values a score can take: a percentage banded after rounding
to whole numbers can only be 0, 1, ... 100, so `60 to 74` and `75 to 100` leave no gap; banded on
the exact value they would. A sum of points can only be a total the points of its parts can add up
to, computed from the ruleset, so nothing assumes 12 standards or a maximum of 36.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

import attrs

from ccirules import nodes
from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.model import DEFAULT_ROUNDING, Model, ScoreInfo
from ccirules.nodes import ValueKind
from ccirules.resolve import TotalsLimitError, kind_of, reachable_totals, resolve


@attrs.frozen
class _Domain:
    """The values a score using a table can take, exactly: the multiples of ``step`` whose
    indices fall in ``runs`` (a high index of None: unbounded), or, when ``step`` is None, every
    value from ``low`` to ``high``. ``listed`` says whether gaps are shown as values (totals of
    points) or as ranges (percentages, counts)."""

    unit: str
    low: Fraction
    high: Fraction | None
    step: Fraction | None = None
    runs: tuple[tuple[int, int | None], ...] = ()
    listed: bool = False
    high_reason: str = ""


def band_order(model: Model) -> Iterator[Diagnostic]:
    """E220: bands listed best (highest) first; each band's bounds low then high."""
    for table in model.bands.values():
        for band in table.bands:
            if band.low.value > band.high.value:
                yield error("E220", f"band `{band.label.text}` runs from {band.low.value} down to "
                            f"{band.high.value}", band.span,
                            hint=f"write the lower bound first: from {band.high.value} to "
                                 f"{band.low.value}")
        for upper, lower in zip(table.bands, table.bands[1:], strict=False):
            if lower.low.value > upper.low.value:
                yield error("E220", f"band `{lower.label.text}` ({_range(lower)}) is listed after "
                            f"`{upper.label.text}` ({_range(upper)})", lower.span,
                            hint="list bands from the highest to the lowest",
                            related=[Related(upper.span, "the band above it")])


def band_overlaps(model: Model) -> Iterator[Diagnostic]:
    """E221: a value that falls in two bands."""
    for table in model.bands.values():
        ordered = sorted(table.bands, key=lambda band: band.low.value)
        for lower, upper in itertools.pairwise(ordered):
            touches = upper.low.value < lower.high.value or (
                upper.low.value == lower.high.value and not lower.below)
            if touches:
                yield error("E221", f"bands `{lower.label.text}` ({_range(lower)}) and "
                            f"`{upper.label.text}` ({_range(upper)}) overlap", upper.span,
                            hint="each value must fall in exactly one band; "
                                 f"use `to below {upper.low.value}` for the lower band",
                            related=[Related(lower.span, "the other band")])


def band_coverage(model: Model) -> Iterator[Diagnostic]:
    """E222-E225: gaps, bands outside the range, unreachable bands, tables used for mixed kinds.
    (E111 for a sum of points that can reach too many totals to check.)"""
    for table in model.bands.values():
        users = [score for score in model.scores
                 if score.bands is not None and score.bands.text == table.name.text]
        domains: dict[ValueKind, list[tuple[ScoreInfo, _Domain]]] = {}
        for score in users:
            kind = kind_of(model, score)
            try:
                domain = _domain(model, score, kind)
            except TotalsLimitError:
                yield error("E111", f"{score.describe} can reach too many different totals of "
                            "points to check its bands", score.rule.span,
                            hint="give the bands it sums whole-number points, or fewer "
                                 "different points")
                continue
            if domain is not None:
                domains.setdefault(kind, []).append((score, domain))
        if len(domains) > 1:
            described = "; ".join(f"{kind.value} for {pairs[0][0].describe}"
                                  for kind, pairs in sorted(domains.items(),
                                                            key=lambda item: item[0].value))
            yield error("E225", f"band table `{table.name.text}` is used for different kinds of "
                        f"score: {described}", table.name.span,
                        hint="declare a separate band table for each kind")
            continue
        if _malformed(table):
            continue  # the order and overlap errors come first
        seen: set[_Domain] = set()
        for pairs in domains.values():
            for score, domain in pairs:
                if domain not in seen:
                    seen.add(domain)
                    yield from _coverage_problems(table, score, domain)


def _malformed(table: nodes.BandTable) -> bool:
    bands = table.bands
    return not bands or any(b.low.value > b.high.value for b in bands) or any(
        lower.low.value > upper.low.value for upper, lower in itertools.pairwise(bands))


def _domain(model: Model, score: ScoreInfo, kind: ValueKind | None) -> _Domain | None:
    if kind is ValueKind.PERCENT:
        basis = _ruleset_setting(model, "band_basis") or nodes.BandBasis.ROUNDED
        rounding = (getattr(score.node, "rounding", None) or _ruleset_setting(model, "rounding")
                    or DEFAULT_ROUNDING)
        if basis is nodes.BandBasis.EXACT:
            return _Domain("%", Fraction(0), Fraction(100))
        step = Fraction(1, 10 ** rounding.places)
        return _Domain("%", Fraction(0), Fraction(100), step, ((0, int(100 / step)),))
    if kind is ValueKind.POINTS:
        totals = reachable_totals(model, score)
        if totals is None:
            return None  # missing points, reported by score_operands
        parts = _count_parts(model, score)
        return _Domain(" points", min(Fraction(0), totals.minimum), totals.maximum,
                       totals.step, totals.runs, listed=True,
                       high_reason=f" ({parts} scored parts)")
    if kind is ValueKind.COUNT:
        return _Domain("", Fraction(0), None, Fraction(1), ((0, None),))
    return None


def _count_parts(model: Model, score: ScoreInfo) -> int:
    return len(resolve(model, score).targets)


def _ruleset_setting(model: Model, field: str):
    return next((getattr(m, field) for m in model.metadata if getattr(m, field) is not None), None)


def _coverage_problems(table: nodes.BandTable, score: ScoreInfo,
                       domain: _Domain) -> Iterator[Diagnostic]:
    usage = Related(score.node.span, f"used by {score.describe}")
    in_range = []
    for band in table.bands:
        above = domain.high is not None and _exact(band.high) > domain.high
        if _exact(band.low) < domain.low or above:
            limit = (f"{_plain(domain.low)} to {_plain(domain.high)}{domain.unit}"
                     f"{domain.high_reason}" if domain.high is not None
                     else f"at least {_plain(domain.low)}")
            yield error("E223", f"band `{band.label.text}` ({_range(band)}) goes outside what "
                        f"{score.describe} can score: {limit}", band.span,
                        hint="keep band bounds within the score's range", related=[usage])
        else:
            in_range.append(band)
    for band in in_range:
        if not _reachable(band, domain):
            yield error("E224", f"band `{band.label.text}` ({_range(band)}) can never be reached "
                        f"by {score.describe}", band.span,
                        hint=_unreachable_hint(domain), related=[usage])
    for gap in _gaps(table.bands, domain):
        yield _gap_problem(table, gap, usage)


@attrs.frozen
class _Gap:
    """Values no band covers, and the rows either side of them (None past either end)."""

    text: str
    lower: nodes.Band | None
    upper: nodes.Band | None


def _gap_problem(table: nodes.BandTable, gap: _Gap, usage: Related) -> Diagnostic:
    """E222 at the rows that leave the gap: the band above it, with the band below related
    (or the one band at an end of the table), since moving one of their bounds closes it."""
    message = f"no band of `{table.name.text}` covers {gap.text}"
    lower, upper = gap.lower, gap.upper
    if lower is not None and upper is not None:
        return error("E222", f"{message}: `{lower.label.text}` {_ends(lower)} and "
                     f"`{upper.label.text}` starts at {_plain(upper.low.value)}", upper.span,
                     hint=f"start `{upper.label.text}` just above where `{lower.label.text}` "
                          f"ends, or end `{lower.label.text}` just below where "
                          f"`{upper.label.text}` starts",
                     related=[Related(lower.span, "the band below the gap"), usage])
    if upper is not None:
        return error("E222", f"{message}: the lowest band, `{upper.label.text}`, starts at "
                     f"{_plain(upper.low.value)}", upper.span,
                     hint=f"start `{upper.label.text}` at the lowest score, or add a band below "
                          "it", related=[usage])
    if lower is not None:
        return error("E222", f"{message}: the highest band, `{lower.label.text}`, "
                     f"{_ends(lower)}", lower.span,
                     hint=f"end `{lower.label.text}` at the highest score, or add a band above "
                          "it", related=[usage])
    return error("E222", message, table.name.span, hint="add bands to the table",
                 related=[usage])


def _ends(band: nodes.Band) -> str:
    return f"ends {'below' if band.below else 'at'} {_plain(band.high.value)}"


def _exact(number: nodes.Number) -> Fraction:
    return Fraction(number.value)


def _reachable(band: nodes.Band, domain: _Domain) -> bool:
    """Whether any value the score can take falls in this band."""
    if domain.step is None:
        return True
    first, last = _grid_span(band, domain.step)
    return any(first <= last and first <= (high if high is not None else first) and low <= last
               for low, high in domain.runs)


def _grid_span(band: nodes.Band, step: Fraction) -> tuple[int, int]:
    """The grid indices (multiples of ``step``) a band covers, first to last."""
    first = math.ceil(_exact(band.low) / step)
    high = _exact(band.high) / step
    last = math.ceil(high) - 1 if band.below else math.floor(high)
    return first, last


def _uncovered(bands: tuple[nodes.Band, ...], domain: _Domain
               ) -> Iterator[tuple[int, int | None]]:
    """The runs of grid indices the score can take that no band covers, in order."""
    spans = sorted(_grid_span(band, domain.step) for band in bands)
    for low, high in domain.runs:
        cursor = low
        for first, last in spans:
            if high is not None and cursor > high:
                break
            if first > cursor:
                yield cursor, first - 1 if high is None else min(first - 1, high)
            cursor = max(cursor, last + 1)
        if high is None or cursor <= high:
            yield cursor, high


def _gaps(bands: tuple[nodes.Band, ...], domain: _Domain) -> Iterator[_Gap]:
    """The values no band covers, in runs, each with the rows either side of it; a sum of
    points' missing totals are named together for each pair of rows they fall between."""
    unit = domain.unit
    if domain.step is not None:
        spans = [(_grid_span(band, domain.step), band) for band in bands]
        missing = list(itertools.islice(_uncovered(bands, domain), _SHOWN + 1))
        if domain.listed:
            between: dict[tuple[int | None, int | None], list[tuple[int, int]]] = {}
            for low, high in missing:
                between.setdefault(_neighbours(spans, low, high), []).append((low, high))
            for (lower, upper), runs in between.items():
                values = itertools.islice((index * domain.step for low, high in runs
                                           for index in range(low, high + 1)), _SHOWN + 1)
                shown = [_plain(value) for value in values]
                yield _Gap("a total of " + ", ".join(shown[:_SHOWN])
                           + ("..." if len(shown) > _SHOWN else "") + unit.rstrip(),
                           _row(bands, lower), _row(bands, upper))
            return
        for low, high in missing[:_SHOWN]:
            lower, upper = _neighbours(spans, low, high)
            text = (f"scores from {_plain(low * domain.step)}{unit} up" if high is None
                    else _describe_run(low * domain.step, high * domain.step, unit))
            yield _Gap(text, _row(bands, lower), _row(bands, upper))
        return
    # Continuous: everything below `reach` is covered, and `reach` itself when `reach_included`;
    # `below` is the band that reaches it.
    reach, reach_included, below = domain.low, False, None
    for band in sorted(bands, key=lambda band: band.low.value):
        low, high = _exact(band.low), _exact(band.high)
        if low > reach:
            yield _Gap(f"scores from {_plain(reach)}{unit} up to {_plain(low)}{unit}", below,
                       band)
        if high > reach:
            reach, reach_included, below = high, not band.below, band
        elif high == reach and not band.below:
            reach_included, below = True, band
    if domain.high is not None and (reach < domain.high or not reach_included):
        yield _Gap(f"scores from {_plain(reach)}{unit} to {_plain(domain.high)}{unit}", below,
                   None)


def _neighbours(spans: list[tuple[tuple[int, int], nodes.Band]], low: int, high: int | None
                ) -> tuple[int | None, int | None]:
    """Which bands (their indices) end just below grid indices ``low`` to ``high``, and start
    just above them; None past either end of the table."""
    below = [(last, index) for index, ((first, last), _) in enumerate(spans)
             if first <= last < low]
    above = [(first, index) for index, ((first, last), _) in enumerate(spans)
             if high is not None and high < first <= last]
    return (max(below)[1] if below else None, min(above)[1] if above else None)


def _row(bands: tuple[nodes.Band, ...], index: int | None) -> nodes.Band | None:
    return None if index is None else bands[index]


#: Gaps, and missing totals, named in one message.
_SHOWN = 5


def _describe_run(first: Fraction, last: Fraction, unit: str) -> str:
    if first == last:
        return f"a score of {_plain(first)}{unit}"
    return f"scores from {_plain(first)}{unit} to {_plain(last)}{unit}"


def _plain(value: Fraction | Decimal) -> str:
    """A value as written: exact, with no trailing zeros (every value here is a finite decimal:
    numbers in a ruleset have at most six decimal places)."""
    value = Fraction(value)
    places = 0
    while (value * 10 ** places).denominator != 1:
        places += 1
    return format(Decimal(int(value * 10 ** places)).scaleb(-places).normalize(), "f")


def _range(band: nodes.Band) -> str:
    joiner = "to below" if band.below else "to"
    return f"{_plain(band.low.value)} {joiner} {_plain(band.high.value)}"


def _unreachable_hint(domain: _Domain) -> str:
    if domain.listed:
        values = itertools.islice((index * domain.step for low, high in domain.runs
                                   for index in range(low, high + 1)), 13)
        shown = [_plain(value) for value in values]
        return f"the possible totals are {', '.join(shown[:12])}" + (
            "..." if len(shown) > 12 else "")
    return f"scores are rounded to steps of {_plain(domain.step)} before banding"
