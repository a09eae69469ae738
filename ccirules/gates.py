"""CI gates on a result: thresholds, bands to avoid, and drift from a committed result.

Each gate returns the reasons it failed, in words a reviewer can act on; an empty list passes.
Thresholds compare the score as published (rounded as the ruleset says), since that is the number
people see and challenge.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal

from ccirules.diagnostics import Diagnostic
from ccirules.evaluator import Evaluation
from ccirules.limits import NumberProblem, read_number
from ccirules.loaders import MAX_CASE_FILE_BYTES
from ccirules.reading import read_source
from ccirules.results import shown
from ccirules.scoring import shown_value


def read_threshold(text: str) -> Decimal | None:
    """A `--fail-under` threshold (``75``, ``74.5``, ``75%``), read as every number is (no NaN,
    no exponents, within the limits); None when it is not one."""
    number = read_number(text.strip().removesuffix("%"))
    return None if isinstance(number, NumberProblem) else number


def read_expected(path: str) -> dict | str:
    """The committed result `--expect` names, or why it cannot be compared with: a file that
    cannot be read (it is read as every input is: a regular file, within a size limit), is not
    JSON, or is not shaped as a ccirules result."""
    source = read_source(path, MAX_CASE_FILE_BYTES, "results")
    if isinstance(source, Diagnostic):
        return source.message
    try:
        document = json.loads(source.text)
    except (ValueError, RecursionError) as problem:
        return f"it is not JSON ({problem})" if isinstance(problem, ValueError) \
            else "it is not JSON that can be read (nested too deeply)"
    if not _is_result(document):
        return "it is not a ccirules result (see ccirules/schemas/result.schema.json)"
    return document


def _is_result(document: object) -> bool:
    """The parts :func:`drift` reads are shaped as a result's are."""
    if not isinstance(document, dict) or not _are_scores(document.get("scores", [])):
        return False
    breakdown = document.get("breakdown")
    if breakdown is None:
        return True
    return isinstance(breakdown, dict) and isinstance(breakdown.get("by"), str) and \
        isinstance(breakdown.get("groups"), list) and all(
            isinstance(group, dict) and "value" in group and _are_scores(group.get("scores"))
            for group in breakdown["groups"])


def _are_scores(scores: object) -> bool:
    return isinstance(scores, list) and all(
        isinstance(score, dict) and isinstance(score.get("id"), str) for score in scores)


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


#: What a committed result is compared on: the published numbers and bands, and whether a
#: limit lowered the band (the table prints "(limited)"), not the stamp or the notes.
_COMPARED = ("display", "sufficient", "applicable", "band", "capped_by")


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
    if field == "capped_by":  # where the limit is written may move; that it applies may not
        return value is not None
    return value.get("label") if field == "band" and isinstance(value, dict) else value


def _describe(score: Mapping[str, object]) -> str:
    band = score.get("band")
    counts = (f" ({score.get('sufficient')}/{score['applicable']})"
              if score.get("applicable") is not None else "")
    label = f" {band['label']}" if isinstance(band, dict) else ""
    limited = " (limited)" if score.get("capped_by") is not None else ""
    return f"{score.get('display')}{counts}{label}{limited}"
