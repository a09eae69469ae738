"""CI gates on a result: thresholds, bands to avoid, and drift from a committed result.

Each gate returns the reasons it failed, in words a reviewer can act on; an empty list passes.
Thresholds compare the score as published (rounded as the ruleset says), since that is the number
people see and challenge, in the score's own unit: a percentage for percentage scores, points
for sums of points, a number for counts. A threshold in another unit is refused, not compared.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from ccirules.compiler import CompiledScore
from ccirules.diagnostics import Diagnostic
from ccirules.evaluator import Evaluation
from ccirules.limits import NumberProblem, read_number
from ccirules.loaders import MAX_CASE_FILE_BYTES
from ccirules.reading import read_source
from ccirules.results import shown
from ccirules.scoring import shown_value
from ccirules.terms import ValueKind

#: A threshold: a number, and the unit it may be given in.
_UNIT = re.compile(r"\s*(.*?)\s*(%|points?)?\s*", re.DOTALL)

#: How each kind of number is named, the unit a threshold for it may carry, and an example.
_UNITS = {ValueKind.PERCENT: ("a percentage", "%", "74%"),
          ValueKind.POINTS: ("a sum of points", "points", "19"),
          ValueKind.COUNT: ("a count of sufficient answers", None, "10")}


def read_threshold(score: CompiledScore, text: str) -> Decimal | str:
    """`--fail-under ID=VALUE`: VALUE as a number in the score's unit, or why it cannot be
    one: a unit that is not the score's (a percentage for a sum of points), a score with no
    number (a rating), a value the score can never reach."""
    if score.value_kind not in _UNITS:
        return (f"`{score.name}` is judged directly: it has a rating, not a number; use "
                f"--fail-on-band {score.name}=BAND")
    what, unit, example = _UNITS[score.value_kind]
    number, given = _UNIT.fullmatch(text).groups()
    if given is not None and unit != ("%" if given == "%" else "points"):
        named = "a percentage" if given == "%" else "points"
        return f"`{score.name}` is {what}, not {named}: give {score.name}={example}"
    value = read_number(number)  # as every number is read: no NaN, no exponents, in limits
    if isinstance(value, NumberProblem):
        return f"`{text}` is not a number" if value.malformed else value.message
    low, high = _range(score)
    if low is not None and not low <= value <= high:
        percent = "%" if unit == "%" else ""
        return (f"`{score.name}` is {what} from {low}{percent} to {high}{percent}; "
                f"{format(value, 'f')}{percent} is outside that")
    return value


def _range(score: CompiledScore) -> tuple[Decimal | None, Decimal | None]:
    """The values a score can take, as far as the ruleset says: 0 to 100 for a percentage;
    its band table's range for anything else banded."""
    if score.value_kind is ValueKind.PERCENT:
        return Decimal(0), Decimal(100)
    if score.bands is None:
        return None, None
    return (_decimal(min(band.low for band in score.bands.bands)),
            _decimal(max(band.high for band in score.bands.bands)))


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


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
    """A result (of any format version, not a document of diagnostics), and the parts
    :func:`drift` reads are shaped as a result's are."""
    if not isinstance(document, dict) or document.get("format") != "ccirules-result" or \
            not _are_scores(document.get("scores", [])):
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
    """`--fail-under ID=VALUE`: scores whose published value is below the threshold."""
    failures = []
    for name, threshold in thresholds:
        result = evaluation.score(name)
        score = evaluation.ruleset.score(name)
        wanted = _in_unit(score, threshold)
        if result.exact is None:
            failures.append(f"{name} has no score (needs at least {wanted})")
        elif shown_value(score, result.exact) < threshold:
            failures.append(f"{name} is {shown(result, evaluation.ruleset)}, below {wanted}")
    return failures


def _in_unit(score: CompiledScore, value: Decimal) -> str:
    """A threshold as the score's values are shown: `80%`, `19 points`, `10`."""
    text = format(value, "f")
    if score.value_kind is ValueKind.PERCENT:
        return f"{text}%"
    if score.value_kind is ValueKind.POINTS:
        return f"{text} point" + ("" if text == "1" else "s")
    return text


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


#: What identifies the ruleset a result was computed with.
_RULESET_FIELDS = (("title", "name"), ("version", "version"), ("sha256", "sha256"))


def ruleset_changes(current: Mapping[str, object], expected: Mapping[str, object]) -> list[str]:
    """How the ruleset differs from the one a committed result was computed with: its name,
    version and sha256, as "was -> now", as far as the result says (one kept to what is
    compared has no stamp; the path is not compared: files move)."""
    now = current["stamp"]["ruleset"]
    stamp = expected.get("stamp")
    before = stamp.get("ruleset") if isinstance(stamp, dict) else None
    if not isinstance(before, dict):
        return []
    return [f"{word}: {before[key]} -> {now.get(key)}" for key, word in _RULESET_FIELDS
            if key in before and before[key] != now.get(key)]
