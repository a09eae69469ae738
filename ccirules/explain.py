"""Why a score is what it is, from the answer records of the same engine run that computed it.

``explain_score`` groups a score's counted and left-out answers by question, with the reason and
the ruleset line behind each; for a banded pooled score it also says how far the neighbouring
bands are ("1 more sufficient answer of the 27 applicable would reach MINIMUM"). ``explain_case``
says what one case contributed to every score. Both return data; ``render_*`` turn it into text
or JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from fractions import Fraction

import attrs
import msgspec

from ccirules import escape
from ccirules.compiler import (
    CompiledBand,
    CompiledLimit,
    CompiledRuleset,
    CompiledScore,
    Rule,
    questions_behind,
)
from ccirules.evaluator import Evaluation
from ccirules.i18n import Messages, Titles
from ccirules.results import plain_number, record_json, shown
from ccirules.scoring import ScoreResult, Tally, band_of, round_value
from ccirules.source import Span
from ccirules.terms import atoms
from ccirules.trace import AnswerRecord, Outcome


@attrs.frozen
class BandStep:
    """How many answers would have to change for a score to reach another band, and where
    (for scores combining parts: how many in each part)."""

    answers: int
    band: CompiledBand
    where: tuple[tuple[str, int], ...] = ()


@attrs.frozen
class Limited:
    """The `at most` that lowered a score's band: the rule as written, the band the score had
    before it, and the ratings of the scores its condition reads (which made it hold)."""

    rule: CompiledLimit
    before: CompiledBand
    ratings: tuple[tuple[str, CompiledBand | None], ...]


@attrs.frozen
class ScoreExplanation:
    score: CompiledScore
    result: ScoreResult
    questions: tuple[tuple[str, Tally, tuple[AnswerRecord, ...]], ...]
    parts: tuple[tuple[str, str], ...]  # (part, its value as published) for combined scores
    up: BandStep | None
    down: BandStep | None
    limited: Limited | None = None


@attrs.frozen
class Contribution:
    """What one case's answers give a score: how many of those behind it (pooled, or through
    its parts) were sufficient and applicable, and, for a score built from parts, which of them
    the case feeds."""

    score: str
    sufficient: int
    applicable: int
    through: tuple[str, ...] = ()


@attrs.frozen
class CaseExplanation:
    case: str
    location: dict[str, object] | None  # where the case was read (its trace's), if traced
    records: tuple[AnswerRecord, ...]
    contributions: tuple[Contribution, ...]  # every score its answers count in


def explain_score(evaluation: Evaluation, name: str,
                  titles: Titles | None = None) -> ScoreExplanation:
    """Everything behind one score. ``evaluation`` must have been made with keep_records; the
    parts' values are written in the language of ``titles`` (English by default)."""
    ruleset = evaluation.ruleset
    score = ruleset.score(name)
    result = evaluation.score(name)
    records = evaluation.records or ()
    questions = score.questions or tuple(part for part in score.parts
                                         if part in evaluation.tallies)
    grouped = tuple(
        (question, evaluation.tallies[question],
         tuple(record for record in records if record.question == question))
        for question in questions)
    parts = tuple((part, _part_text(evaluation, score, part, titles)) for part in score.parts)
    up = down = None
    if result.band is not None and score.questions and score.rule is Rule.PROPORTION:
        up, down = _band_steps(score, result)
    elif result.band is not None and score.rule in (Rule.LOWEST, Rule.HIGHEST):
        up, down = _extreme_steps(evaluation, score, result)
    return ScoreExplanation(score, result, grouped, parts, up, down, _limited(evaluation, score))


def _limited(evaluation: Evaluation, score: CompiledScore) -> Limited | None:
    result = evaluation.score(score.name)
    if result.capped_by is None:
        return None
    rule = next(limit for limit in score.limits if limit.span == result.capped_by)
    ratings = tuple((name, evaluation.score(name).band)
                    for name in dict.fromkeys(atom.subject.text for atom in atoms(rule.condition)))
    return Limited(rule, result.uncapped, ratings)


def _counts(evaluation: Evaluation, part: str) -> tuple[int, int] | None:
    """A part's (sufficient, applicable): a question's tally, or a pooled score's counts."""
    if part in evaluation.tallies:
        tally = evaluation.tallies[part]
        return tally.sufficient, tally.applicable
    result = evaluation.score(part)
    if result.applicable is None or evaluation.ruleset.score(part).rule is not Rule.PROPORTION:
        return None
    return result.sufficient, result.applicable


def _flips(score: CompiledScore, sufficient: int, applicable: int, reach, direction: int
           ) -> int | None:
    """The fewest answers turned sufficient (direction 1) or insufficient (-1) for a part's
    value, banded as ``score`` bands it, to satisfy ``reach(band)``; None if none will do."""
    limit = applicable - sufficient if direction > 0 else sufficient
    for k in range(0, limit + 1):
        band = band_of(score, Fraction(100 * (sufficient + direction * k), applicable))
        if band is not None and reach(band):
            return k
    return None


def _extreme_steps(evaluation: Evaluation, score: CompiledScore, result: ScoreResult
                   ) -> tuple[BandStep | None, BandStep | None]:
    """For `lowest` (or `highest`) of pooled parts: moving the score a band needs every part
    past the threshold on one side, or the cheapest single part past it on the other."""
    counts = {part: _counts(evaluation, part) for part in score.parts}
    counts = {part: value for part, value in counts.items() if value and value[1]}
    if not counts or len(counts) < len([p for p, v in result.parts if v is not None]):
        return None, None
    current = result.band.rank
    bands = score.bands.bands
    better = bands[current - 1] if current > 0 else None
    worse = bands[current + 1] if current + 1 < len(bands) else None

    combine = min if score.rule is Rule.LOWEST else max

    def reached(changes: dict[str, int], direction: int) -> CompiledBand | None:
        """The band the score lands in once the parts change by these many answers."""
        values = [Fraction(100 * (s + direction * changes.get(part, 0)), a)
                  for part, (s, a) in counts.items()]
        return band_of(score, combine(values))

    def wanted(target, direction):
        return (lambda band: band.rank <= target.rank) if direction > 0 else (
            lambda band: band.rank >= target.rank)

    def all_parts(target, direction):
        needed = {}
        for part, (sufficient, applicable) in counts.items():
            k = _flips(score, sufficient, applicable, wanted(target, direction), direction)
            if k is None:
                return None
            if k:
                needed[part] = k
        if not needed:
            return None
        return BandStep(sum(needed.values()), reached(needed, direction),
                        tuple(needed.items()))

    def one_part(target, direction):
        options = []
        for part, (sufficient, applicable) in counts.items():
            k = _flips(score, sufficient, applicable, wanted(target, direction), direction)
            if k:
                options.append((k, part))
        if not options:
            return None
        k, part = min(options)
        return BandStep(k, reached({part: k}, direction), ((part, k),))

    if score.rule is Rule.LOWEST:
        return (all_parts(better, 1) if better else None,
                one_part(worse, -1) if worse else None)
    return (one_part(better, 1) if better else None,
            all_parts(worse, -1) if worse else None)


def _part_text(evaluation: Evaluation, score: CompiledScore, part: str,
               titles: Titles | None = None) -> str:
    titles = titles or Titles(evaluation.ruleset)
    words = Messages(titles.lang)
    if part in evaluation.tallies:
        tally = evaluation.tallies[part]
        if tally.applicable == 0:
            return words("explain.no_applicable")
        value = round_value(Fraction(100 * tally.sufficient, tally.applicable), score.rounding)
        return f"{value}% ({tally.sufficient}/{tally.applicable})"
    result = evaluation.score(part)
    text = shown(result, evaluation.ruleset, titles.lang)
    if result.band is not None:
        text += f", {titles.band(result.band)}"
        if score.rule.adds_points and result.band.points is not None:
            points = result.band.points
            text += ": " + words("result.points", n=1 if points == 1 else 2, value=points)
    return text


def _band_steps(score: CompiledScore, result: ScoreResult) -> tuple[BandStep | None,
                                                                     BandStep | None]:
    """The fewest answers turned sufficient (insufficient) that move the score up (down) a
    band, with the number applicable unchanged."""
    sufficient, applicable = result.sufficient, result.applicable
    current = result.band.rank
    up = next((BandStep(k, band) for k in range(1, applicable - sufficient + 1)
               if (band := band_of(score, Fraction(100 * (sufficient + k), applicable)))
               is not None and band.rank < current), None)
    down = next((BandStep(k, band) for k in range(1, sufficient + 1)
                 if (band := band_of(score, Fraction(100 * (sufficient - k), applicable)))
                 is not None and band.rank > current), None)
    return up, down


def explain_case(evaluation: Evaluation, case: str) -> CaseExplanation:
    """What one case gave every score its answers count in: standards, criteria, sections and
    headlines, pooled or through their parts. ``evaluation`` must have been made with
    keep_records (and with trace, to say where the case was read)."""
    ruleset = evaluation.ruleset
    records = tuple(record for record in evaluation.records or () if record.case == case)
    counted = {record.question: record for record in records if record.outcome.counted}
    contributions = []
    for score in ruleset.scores:
        mine = [counted[q] for q in questions_behind(ruleset, score.name) if q in counted]
        if not mine:
            continue
        through = tuple(part for part in score.parts
                        if any(q in counted for q in questions_behind(ruleset, part)))
        contributions.append(Contribution(
            score.name, sum(r.outcome is Outcome.SUFFICIENT for r in mine), len(mine), through))
    location = next((trace.location for trace in evaluation.trace or () if trace.case == case),
                    None)
    return CaseExplanation(case, location, records, tuple(contributions))


# ---- text ------------------------------------------------------------------------------------


def render_score_text(explanation: ScoreExplanation, ruleset: CompiledRuleset,
                      titles: Titles | None = None) -> str:
    """The explanation for people, in the language of ``titles`` (English by default). The
    reasons and ruleset lines are quoted as the engine and the ruleset give them."""
    titles = titles or Titles(ruleset)
    words = Messages(titles.lang)
    score, result = explanation.score, explanation.result
    band = f", {titles.band(result.band)}" if result.band is not None else ""
    if result.capped_by is not None:
        band += " " + words("result.limited")
    counts = (words("explain.counts", sufficient=result.sufficient,
                    applicable=result.applicable)
              if result.applicable is not None else "")
    if result.maximum is not None:
        counts = words("explain.points_of", points=plain_number(result.points),
                       maximum=plain_number(result.maximum))
    title = titles.score(score.name) if score.title or score.welsh else ""
    lines = [f"{score.name} {title}".rstrip() + f": {shown(result, ruleset, titles.lang)}"
             f"{counts}{band}",
             f"  {words('explain.rule')}: {score.rule.value}, "
             f"{(score.rule_span or score.span).where}: "
             f"{_source_text(score.rule_span or score.span)}"]
    if result.note:
        lines.append(f"  {words('explain.note')}: {result.note}")
    if explanation.limited is not None:
        lines += _limited_lines(explanation.limited, titles, words)
    if explanation.up is not None:
        pool = (words("explain.of_applicable", n=result.applicable)
                if result.applicable is not None else "")
        lines.append(f"  {words('explain.more', n=explanation.up.answers)}{pool}"
                     f"{_where(explanation.up, words)} {words('explain.would_reach')} "
                     f"{titles.band(explanation.up.band)}")
    if explanation.down is not None:
        lines.append(f"  {words('explain.fewer', n=explanation.down.answers)}"
                     f"{_where(explanation.down, words)} {words('explain.would_drop')} "
                     f"{titles.band(explanation.down.band)}")
    for part, text in explanation.parts:
        lines.append(f"  {words('explain.part')} {part}: {text}")
    for question, tally, records in explanation.questions:
        title = titles.question(question) if ruleset.question(question).title else ""
        lines += ["", f"  {words('explain.question')} {question} {title}".rstrip()
                  + ": " + words("explain.sufficient_of", sufficient=tally.sufficient,
                                 applicable=tally.applicable)]
        lines += _grouped_records(records, words)
    if titles.fallbacks:
        lines += ["", words("result.fallback_note")]
    return escape.terminal_lines("\n".join(lines)) + "\n"


def _limited_lines(limited: Limited, titles: Titles, words: Messages) -> list[str]:
    """The limiting rule as written, why it held, and the band the score had before it."""
    span = limited.rule.span
    held = "; ".join(words("explain.limit_rating", score=name, band=titles.band(band))
                     if band is not None else words("explain.limit_no_rating", score=name)
                     for name, band in limited.ratings)
    return [f"  {words('explain.limited_by', where=span.where, rule=_written(span))}",
            f"    {words('explain.limit_holds', ratings=held)}",
            f"    {words('explain.before_limit', band=titles.band(limited.before))}"]


def _written(span: Span) -> str:
    """The ruleset's text a span covers, on one line."""
    lines = [span.source.line_text(line) for line in range(span.line, span.end_line + 1)]
    lines[-1] = lines[-1][:span.end_column - 1]
    lines[0] = lines[0][span.column - 1:]
    return " ".join(line.strip() for line in lines)


def _grouped_records(records: Sequence[AnswerRecord], words: Messages) -> list[str]:
    lines = []
    for outcome in Outcome:
        chosen = [r for r in records if r.outcome is outcome]
        if not chosen:
            continue
        heading = words("explain.outcome." + outcome.name.lower())
        by_reason: dict[tuple[str, Span | None], list[str]] = {}
        for record in chosen:
            key = (record.reason, record.rule_span)
            by_reason.setdefault(key, []).append(record.case)
        lines.append(f"    {heading} ({len(chosen)}):")
        for (reason, span), cases in by_reason.items():
            where = f" ({span.where}: {_source_text(span)})" if span is not None else ""
            lines.append(f"      {', '.join(cases)}: {reason}{where}")
    return lines


def _source_text(span: Span) -> str:
    text = span.source.line_text(span.line)
    end = span.end_column - 1 if span.end_line == span.line else len(text)
    return text[span.column - 1:end].strip()


def _where(step: BandStep, words: Messages) -> str:
    if not step.where:
        return ""
    return " (" + ", ".join(words("explain.in_part", n=k, part=part)
                            for part, k in step.where) + ")"


def render_case_text(explanation: CaseExplanation, ruleset: CompiledRuleset,
                     titles: Titles | None = None) -> str:
    titles = titles or Titles(ruleset)
    words = Messages(titles.lang)
    heading = words("explain.case", case=explanation.case) if explanation.location is None \
        else words("explain.case_at", case=explanation.case, where=_located(explanation.location))
    lines = [heading, ""]
    for record in explanation.records:
        title = titles.question(record.question) if ruleset.question(record.question).title \
            else ""
        answer = f" `{record.answer}`" if record.answer is not None else ""
        lines.append(f"  {record.question} {title}".rstrip() + f":{answer} -> "
                     f"{words('outcome.' + record.outcome.name.lower())} ({record.reason})")
    lines += ["", "  " + words("explain.contributes")]
    for given in explanation.contributions:
        title = titles.score(given.score) if ruleset.score(given.score).title else ""
        through = words("explain.through", parts=", ".join(given.through)) \
            if given.through else ""
        lines.append(f"    {given.score} {title}".rstrip() + ": " + words(
            "explain.contribution", sufficient=given.sufficient, applicable=given.applicable)
            + through)
    if titles.fallbacks:
        lines += ["", words("result.fallback_note")]
    return escape.terminal_lines("\n".join(lines)) + "\n"


def _located(location: dict[str, object]) -> str:
    """Where a case was read, from its trace: ``file:line``, or ``file:Sheet!A1``."""
    return f"{location['file']}:{location.get('cell') or location['line']}"


# ---- JSON ------------------------------------------------------------------------------------


def render_score_json(explanation: ScoreExplanation) -> str:
    def step(move: BandStep | None) -> dict[str, object] | None:
        if move is None:
            return None
        return {"answers": move.answers, "band": move.band.label,
                "where": [{"part": part, "answers": k} for part, k in move.where]}

    document = {
        "score": explanation.score.name,
        "sufficient": explanation.result.sufficient,
        "applicable": explanation.result.applicable,
        "band": explanation.result.band.label if explanation.result.band else None,
        "up": step(explanation.up),
        "down": step(explanation.down),
        "limited": _limited_json(explanation.limited),
        "questions": [{"id": q, **msgspec.structs.asdict(t),
                       "answers": [record_json(r) for r in rs]}
                      for q, t, rs in explanation.questions],
    }
    return escape.json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def _limited_json(limited: Limited | None) -> dict[str, object] | None:
    if limited is None:
        return None
    return {"rule": _written(limited.rule.span), "location": limited.rule.span.to_json(),
            "band_before": limited.before.label,
            "ratings": [{"score": name, "band": band.label if band is not None else None}
                        for name, band in limited.ratings]}


def render_case_json(explanation: CaseExplanation) -> str:
    document = {
        "case": explanation.case,
        "location": explanation.location,
        "answers": [record_json(record) for record in explanation.records],
        "contributions": [{"score": given.score, "sufficient": given.sufficient,
                           "applicable": given.applicable, "through": list(given.through)}
                          for given in explanation.contributions],
    }
    return escape.json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
