"""CI gates on a result: thresholds, bands to avoid, and drift from a committed result.

Each gate returns the reasons it failed, in words a reviewer can act on; an empty list passes.
Thresholds compare the score as published (rounded as the ruleset says), since that is the number
people see and challenge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from ccirules.evaluator import Evaluation
from ccirules.results import shown
from ccirules.scoring import shown_value


def below_thresholds(evaluation: Evaluation,
                     thresholds: Sequence[tuple[str, Decimal]]) -> list[str]:
    """`--fail-under ID=PERCENT`: scores whose published value is below the threshold."""
    failures = []
    for name, threshold in thresholds:
        result = evaluation.score(name)
        score = evaluation.ruleset.score(name)
        if result.exact is None:
            failures.append(f"{name} has no score (needs at least {threshold})")
        elif shown_value(score, result.exact) < threshold:
            failures.append(f"{name} is {shown(result, evaluation.ruleset)}, below {threshold}")
    return failures


def in_bands(evaluation: Evaluation, bands: Sequence[tuple[str, str]]) -> list[str]:
    """`--fail-on-band ID=BAND`: scores in that band or a worse one."""
    failures = []
    for name, label in bands:
        result = evaluation.score(name)
        table = evaluation.ruleset.score(name).bands
        limit = table.by_label(label)
        if result.band is None:
            failures.append(f"{name} has no band")
        elif result.band.rank >= limit.rank:
            failures.append(f"{name} is {result.band.title or result.band.label}"
                            + ("" if result.band.label == label else
                               f", worse than {limit.title or label}"))
    return failures


#: What a committed result is compared on: the published numbers, not the stamp or the notes.
_COMPARED = ("display", "sufficient", "applicable", "band")


def drift(current: Mapping[str, object], expected: Mapping[str, object]) -> list[str]:
    """`--expect RESULT.json`: every published number or band that moved, as "was -> now"."""
    moved = []
    for where, now, before in _score_pairs(current, expected):
        if now is None:
            moved.append(f"{where}: in the expected result but no longer computed")
            continue
        if before is None:
            moved.append(f"{where}: new ({_describe(now)})")
            continue
        if any(_key(now, field) != _key(before, field) for field in _COMPARED):
            moved.append(f"{where}: {_describe(before)} -> {_describe(now)}")
    if current.get("cases") != expected.get("cases"):
        moved.insert(0, f"cases: {expected.get('cases')} -> {current.get('cases')}")
    return moved


def _score_pairs(current, expected):
    def index(document, prefix=""):
        found = {prefix + score["id"]: score for score in document.get("scores", [])}
        for group in (document.get("breakdown") or {}).get("groups", []):
            by = document["breakdown"]["by"]
            found.update({f"{by}={group['value']}: {score['id']}": score
                          for score in group["scores"]})
        return found

    now, before = index(current), index(expected)
    for name in list(before) + [name for name in now if name not in before]:
        yield name, now.get(name), before.get(name)


def _key(score: Mapping[str, object], field: str) -> object:
    value = score.get(field)
    return value.get("label") if field == "band" and isinstance(value, dict) else value


def _describe(score: Mapping[str, object]) -> str:
    band = score.get("band")
    counts = (f" ({score['sufficient']}/{score['applicable']})"
              if score.get("applicable") is not None else "")
    label = f" {band['label']}" if isinstance(band, dict) else ""
    return f"{score.get('display')}{counts}{label}"
