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

import attrs

from ccirules import nodes
from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.model import DEFAULT_ROUNDING, Model, ScoreInfo
from ccirules.nodes import ValueKind
from ccirules.resolve import kind_of, points_range, resolve


@attrs.frozen
class _Domain:
    """The values a score using a table can take: a grid from ``low`` up (``step`` apart, or
    continuous when ``step`` is None) to ``high`` (None: unbounded), or an explicit set."""

    unit: str
    low: Decimal
    high: Decimal | None
    step: Decimal | None = None
    values: frozenset[Decimal] | None = None
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
    """E222-E225: gaps, bands outside the range, unreachable bands, tables used for mixed kinds."""
    for table in model.bands.values():
        users = [score for score in model.scores
                 if score.bands is not None and score.bands.text == table.name.text]
        domains: dict[ValueKind, list[tuple[ScoreInfo, _Domain]]] = {}
        for score in users:
            kind = kind_of(model, score)
            domain = _domain(model, score, kind)
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
        step = None if basis is nodes.BandBasis.EXACT else Decimal(1).scaleb(-rounding.places)
        return _Domain("%", Decimal(0), Decimal(100), step)
    if kind is ValueKind.POINTS:
        found = points_range(model, score)
        if found is None:
            return None  # missing points, reported by score_operands
        maximum, totals = found
        parts = _count_parts(model, score)
        return _Domain(" points", Decimal(0), maximum, values=frozenset(totals),
                       high_reason=f" ({parts} scored parts)")
    if kind is ValueKind.COUNT:
        return _Domain("", Decimal(0), None, Decimal(1))
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
        above = domain.high is not None and band.high.value > domain.high
        if band.low.value < domain.low or above:
            limit = (f"{_plain(domain.low)} to {_plain(domain.high)}{domain.unit}"
                     f"{domain.high_reason}" if domain.high is not None
                     else f"at least {_plain(domain.low)}")
            yield error("E223", f"band `{band.label.text}` ({_range(band)}) goes outside what "
                        f"{score.describe} can score: {limit}", band.span,
                        hint="keep band bounds within the score's range", related=[usage])
        else:
            in_range.append(band)
    for band in in_range:
        if not _members(band, domain):
            yield error("E224", f"band `{band.label.text}` ({_range(band)}) can never be reached "
                        f"by {score.describe}", band.span,
                        hint=_unreachable_hint(domain), related=[usage])
    for gap in _gaps(table.bands, domain):
        yield error("E222", f"no band of `{table.name.text}` covers {gap}", table.name.span,
                    hint="make each band start just above where the band below it ends",
                    related=[usage])


def _members(band: nodes.Band, domain: _Domain) -> bool:
    """Whether any value the score can take falls in this band."""
    if domain.values is not None:
        return any(_contains(band, value) for value in domain.values)
    if domain.step is None:
        return True
    first, last = _unit_span(band, domain.step)
    return first <= last


def _contains(band: nodes.Band, value: Decimal) -> bool:
    if band.below:
        return band.low.value <= value < band.high.value
    return band.low.value <= value <= band.high.value


def _unit_span(band: nodes.Band, step: Decimal) -> tuple[int, int]:
    """The grid indices (multiples of ``step``) a band covers, first to last."""
    first = math.ceil(band.low.value / step)
    high = band.high.value / step
    last = math.ceil(high) - 1 if band.below else math.floor(high)
    return first, last


def _gaps(bands: tuple[nodes.Band, ...], domain: _Domain) -> Iterator[str]:
    unit = domain.unit
    if domain.values is not None:
        missing = sorted(v for v in domain.values if not any(_contains(b, v) for b in bands))
        if missing:
            yield ("a total of " + ", ".join(f"{value}" for value in missing[:5])
                   + ("..." if len(missing) > 5 else "") + unit.rstrip())
        return
    if domain.step is not None:
        spans = sorted(_unit_span(band, domain.step) for band in bands)
        cursor = math.ceil(domain.low / domain.step)
        end = None if domain.high is None else math.floor(domain.high / domain.step)
        for first, last in spans:
            if first > cursor and (end is None or cursor <= end):
                upto = first - 1 if end is None else min(first - 1, end)
                yield _describe_run(cursor * domain.step, upto * domain.step, unit)
            cursor = max(cursor, last + 1)
        if end is not None and cursor <= end:
            yield _describe_run(cursor * domain.step, end * domain.step, unit)
        return
    # Continuous: everything below `reach` is covered, and `reach` itself when `reach_included`.
    reach, reach_included = domain.low, False
    for band in sorted(bands, key=lambda band: band.low.value):
        if band.low.value > reach:
            yield f"scores from {_plain(reach)}{unit} up to {_plain(band.low.value)}{unit}"
        if band.high.value > reach:
            reach, reach_included = band.high.value, not band.below
        elif band.high.value == reach and not band.below:
            reach_included = True
    if domain.high is not None and (reach < domain.high or not reach_included):
        yield f"scores from {_plain(reach)}{unit} to {_plain(domain.high)}{unit}"


def _describe_run(first: Decimal, last: Decimal, unit: str) -> str:
    first, last = first.normalize(), last.normalize()
    if first == last:
        return f"a score of {_plain(first)}{unit}"
    return f"scores from {_plain(first)}{unit} to {_plain(last)}{unit}"


def _plain(value: Decimal) -> str:
    return format(value, "f")


def _range(band: nodes.Band) -> str:
    joiner = "to below" if band.below else "to"
    return f"{_plain(band.low.value)} {joiner} {_plain(band.high.value)}"


def _unreachable_hint(domain: _Domain) -> str:
    if domain.values is not None:
        totals = ", ".join(_plain(v) for v in sorted(domain.values)[:12])
        return f"the possible totals are {totals}" + ("..." if len(domain.values) > 12 else "")
    return f"scores are rounded to steps of {_plain(domain.step)} before banding"
