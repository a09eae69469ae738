"""Evaluation results for people and for tools: a terminal table, Markdown, CSV and JSON, and
how a score is shown in each.

JSON is the reference form, described by ``schemas/result.schema.json`` (shipped in the package)
and versioned by ``format_version``; the other forms are views of the same data. Every form
carries the reproducibility stamp, and everything is sorted, so the same inputs give
byte-identical output whatever the order of files or cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import msgspec

from ccirules import __version__, escape
from ccirules.cases import InputFile
from ccirules.compiler import CompiledRuleset, CompiledScore, Rule
from ccirules.evaluator import Evaluation
from ccirules.i18n import DEFAULT, Messages, Titles, message
from ccirules.scoring import ScoreResult, shown_value
from ccirules.terms import ValueKind
from ccirules.trace import AnswerRecord

#: Version of the JSON result layout; bumped on any incompatible change. Version 2 writes scores'
#: values and band points as JSON numbers (version 1 wrote them as text); `--expect` reads both.
RESULT_FORMAT_VERSION = 2


class Stamp(msgspec.Struct, frozen=True):
    """What a result was computed from, so anyone can reproduce it exactly."""

    ruleset_path: str
    ruleset_sha256: str
    inputs: tuple[InputFile, ...]

    def to_json(self, ruleset: CompiledRuleset) -> dict[str, object]:
        return {
            "tool": "ccirules",
            "tool_version": __version__,
            "ruleset": {"path": self.ruleset_path, "title": ruleset.info.title,
                        "version": ruleset.info.version, "sha256": self.ruleset_sha256},
            "inputs": [{"path": f.path, "sha256": f.sha256} for f in self.inputs],
        }


def shown(result: ScoreResult, ruleset: CompiledRuleset, lang: str = DEFAULT) -> str:
    """A score as printed: `74%`, `27 points`, `12`, `judged` (a rating with no number), or
    `no score` (in ``lang``)."""
    words = Messages(lang)
    score = ruleset.score(result.name)
    if result.exact is None:
        judged = score.rule is Rule.JUDGED and result.band is not None
        return words("result.judged") if judged else words("result.no_score")
    text = format(shown_value(score, result.exact), "f")
    if score.value_kind is ValueKind.PERCENT:
        return f"{text}%"
    if score.value_kind is ValueKind.POINTS:
        return words("result.points", n=1 if text == "1" else 2, value=text)
    return text


# ---- JSON ------------------------------------------------------------------------------------


def result_document(evaluation: Evaluation, stamp: Stamp,
                    titles: Titles | None = None) -> dict[str, object]:
    """The JSON result. Ids, codes and English titles are always there; with ``titles`` in
    another language, each title also appears in it (``title_cy``), null where the ruleset
    gives none (the English title stands in elsewhere)."""
    ruleset = evaluation.ruleset
    lang = titles.lang if titles is not None else DEFAULT
    document: dict[str, object] = {
        "format": "ccirules-result",
        "format_version": RESULT_FORMAT_VERSION,
        "stamp": stamp.to_json(ruleset),
    }
    if lang != DEFAULT:
        document["language"] = lang
        document["stamp"]["ruleset"][f"title_{lang}"] = ruleset.info.welsh
    if evaluation.facts:
        document["inspection"] = dict(evaluation.facts)
    document.update({
        "cases": evaluation.cases,
        "scores": [_score_json(ruleset, result, lang) for result in evaluation.scores],
        "questions": [
            {"id": question.name, "group": question.group,
             **msgspec.structs.asdict(evaluation.tallies[question.name])}
            for question in ruleset.questions],
    })
    if lang != DEFAULT:
        for entry, question in zip(document["questions"], ruleset.questions, strict=True):
            entry[f"title_{lang}"] = question.welsh
    if evaluation.breakdown_by is not None:
        document["breakdown"] = {"by": evaluation.breakdown_by, "groups": [
            {"value": group.value, "cases": group.cases,
             "scores": [_score_json(ruleset, result, lang) for result in group.scores]}
            for group in evaluation.breakdowns]}
        if evaluation.inspection_level:
            document["breakdown"]["inspection_level"] = list(evaluation.inspection_level)
    if evaluation.trace is not None:
        legends = ruleset.scorer.legends
        document["trace"] = {
            "questions": list(ruleset.evaluation_order),
            "legend": {name: {code: meaning.to_json(name) for code, meaning in legend.items()}
                       for name, legend in zip(ruleset.evaluation_order, legends, strict=True)},
            "cases": [{"case": case.case, "location": case.location, "outcomes": case.codes}
                      for case in evaluation.trace],
        }
    document["diagnostics"] = [d.to_json() for d in evaluation.diagnostics]
    return document


def render_result_json(evaluation: Evaluation, stamp: Stamp,
                       titles: Titles | None = None) -> str:
    import json

    return escape.json_text(json.dumps(result_document(evaluation, stamp, titles), indent=2,
                                       ensure_ascii=False)) + "\n"


def _score_json(ruleset: CompiledRuleset, result: ScoreResult,
                lang: str = DEFAULT) -> dict[str, object]:
    score = ruleset.score(result.name)
    band = result.band
    found = {
        "id": score.name,
        "kind": score.level,
        "title": score.title,
        "rule": score.rule.value,
        "sufficient": result.sufficient,
        "applicable": result.applicable,
        "exact": _fraction(result.exact),
        "value": None if result.exact is None else _number(shown_value(score, result.exact)),
        "display": shown(result, ruleset),
        "band": None if band is None else {
            "label": band.label, "title": band.title,
            "points": None if band.points is None else _number(Decimal(band.points.numerator)
                                                               / band.points.denominator)},
        "capped_by": None if result.capped_by is None else result.capped_by.to_json(),
        "parts": [{"id": name, "exact": _fraction(value)} for name, value in result.parts],
        "note": result.note,
    }
    if lang != DEFAULT:
        found[f"title_{lang}"] = score.welsh
        found[f"display_{lang}"] = shown(result, ruleset, lang)
        if band is not None:
            found["band"][f"title_{lang}"] = band.welsh
    if score.rule is Rule.SHARE_OF_POINTS:
        found["points"] = _fraction(result.points)
        found["maximum"] = _fraction(result.maximum)
    return found


def record_json(record: AnswerRecord) -> dict[str, object]:
    return {
        "case": record.case,
        "question": record.question,
        "outcome": record.outcome.value,
        "answer": record.answer,
        "reason": record.reason,
        "rule_location": None if record.rule_span is None else record.rule_span.to_json(),
        "data_location": None if record.data_span is None else record.data_span.to_json(),
    }


def _fraction(value: Fraction | None) -> str | None:
    """Exact values as fractions in lowest terms ("2000/27"), so nothing is lost to floats."""
    if value is None:
        return None
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def plain_number(value: Fraction) -> str:
    """Points as they are written, exactly: 16, or 2.5. Points have at most six decimal places,
    so their sums do too; anything else is shown as a fraction."""
    for places in range(7):
        scaled = value * 10 ** places
        if scaled.denominator == 1:
            return format(Decimal(scaled.numerator).scaleb(-places), "f")
    return _fraction(value) or ""


def _value(score: CompiledScore, exact: Fraction | None) -> str | None:
    return None if exact is None else format(shown_value(score, exact), "f")


def _number(value: Decimal) -> int | float:
    """A decimal as a JSON number: an integer when whole, else the float whose shortest form
    is the decimal's digits (values are rounded to a few places, so none is lost)."""
    return int(value) if value == value.to_integral_value() else float(value)


# ---- tables ----------------------------------------------------------------------------------


def counted(result: ScoreResult, lang: str = DEFAULT) -> str:
    """What a score counted, as its counts column shows it: `45/60` answers sufficient of those
    applicable, `16/33 points` for a share of points, nothing for a score of scores."""
    if result.maximum is not None:
        return message("result.points", lang, n=2,
                       value=f"{plain_number(result.points)}/{plain_number(result.maximum)}")
    return "" if result.applicable is None else f"{result.sufficient}/{result.applicable}"


def _rows(evaluation: Evaluation, results: Sequence[ScoreResult],
          titles: Titles) -> list[list[str]]:
    ruleset = evaluation.ruleset
    words = Messages(titles.lang)
    rows = []
    for result in results:
        score = ruleset.score(result.name)
        title = str(titles.score(score.name)) if score.title or score.welsh else ""
        label = f"{'  ' * score.depth}{score.name} {title}".rstrip()
        band = "" if result.band is None else str(titles.band(result.band))
        if result.capped_by is not None:
            band += " " + words("result.limited")
        rows.append([label, counted(result, titles.lang), shown(result, ruleset, titles.lang),
                     band])
    return rows


def headings(lang: str = DEFAULT) -> list[str]:
    words = Messages(lang)
    return [words("result.column.score"), words("result.column.counts"),
            words("result.column.score"), words("result.column.band")]


HEADINGS = headings()


def _heading(evaluation: Evaluation, titles: Titles) -> str:
    info = evaluation.ruleset.info
    words = Messages(titles.lang)
    version = f" {info.version}" if info.version else ""
    return words("result.heading", title=titles.ruleset_title(), version=version,
                 cases=words("result.cases", n=evaluation.cases))


def _breakdown_heading(evaluation: Evaluation, value: str, cases: int, titles: Titles) -> str:
    words = Messages(titles.lang)
    return words("result.breakdown", by=evaluation.breakdown_by, value=value,
                 cases=words("result.cases", n=cases))


def _closing(evaluation: Evaluation, titles: Titles) -> list[str]:
    """Lines after the tables: scores not broken down, and the fallback mark explained."""
    words = Messages(titles.lang)
    lines = []
    if evaluation.breakdowns and evaluation.inspection_level:
        lines.append(words("result.breakdown.inspection_level",
                           scores=", ".join(evaluation.inspection_level)))
    if titles.fallbacks:
        lines.append(words("result.fallback_note"))
    return lines


def _aligned(rows: list[list[str]], headings: list[str]) -> list[str]:
    """Columns padded to their widest cell, every cell escaped for a terminal first so that
    an escape written out never pushes a column out of line."""
    rows = [[escape.terminal(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]
    right = {1, 2}
    lines = []
    for row in [headings, *rows]:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                 for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def render_table(evaluation: Evaluation, stamp: Stamp, titles: Titles | None = None) -> str:
    titles = titles or Titles(evaluation.ruleset)
    lines = [_heading(evaluation, titles), ""]
    lines += _aligned(_rows(evaluation, evaluation.scores, titles), headings(titles.lang))
    for group in evaluation.breakdowns:
        lines += ["", _breakdown_heading(evaluation, group.value, group.cases, titles), ""]
        lines += _aligned(_rows(evaluation, group.scores, titles), headings(titles.lang))
    closing = _closing(evaluation, titles)
    lines += ["", *closing] if closing else []
    lines += ["", _stamp_line(evaluation, stamp, titles.lang)]
    return escape.terminal_lines("\n".join(lines)) + "\n"


def _stamp_line(evaluation: Evaluation, stamp: Stamp, lang: str = DEFAULT) -> str:
    words = Messages(lang)
    return words("result.stamp", path=stamp.ruleset_path, sha=stamp.ruleset_sha256[:12],
                 inputs=words("result.input_files", n=len(stamp.inputs)),
                 version=__version__)


def render_markdown(evaluation: Evaluation, stamp: Stamp, titles: Titles | None = None) -> str:
    titles = titles or Titles(evaluation.ruleset)

    def table(results: Sequence[ScoreResult]) -> list[str]:
        rows = _rows(evaluation, results, titles)
        lines = ["| " + " | ".join(headings(titles.lang)) + " |", "|---|--:|--:|---|"]
        for label, counts, value, band in rows:
            indent = "&nbsp;" * (len(label) - len(label.lstrip()))
            cells = [indent + escape.markdown_cell(label.strip()), counts, value,
                     escape.markdown_cell(band)]
            lines.append("| " + " | ".join(cells) + " |")
        return lines

    lines = [f"## {escape.markdown_cell(_heading(evaluation, titles))}", "",
             *table(evaluation.scores)]
    for group in evaluation.breakdowns:
        heading = (f"{evaluation.breakdown_by} = {group.value} ({group.cases} cases)"
                   if titles.lang == DEFAULT
                   else _breakdown_heading(evaluation, group.value, group.cases, titles))
        lines += ["", f"### {escape.markdown_cell(heading)}", "", *table(group.scores)]
    closing = _closing(evaluation, titles)
    lines += ["", *map(escape.markdown_cell, closing)] if closing else []
    stamp_line = _stamp_line(evaluation, stamp, titles.lang)
    lines += ["", f"<sub>{escape.markdown_cell(stamp_line)}</sub>"]
    return "\n".join(lines) + "\n"


def render_csv(evaluation: Evaluation, stamp: Stamp, titles: Titles | None = None) -> str:
    """A row per score (and per breakdown value), with cells a spreadsheet cannot execute.
    In another language, the titles in it follow as two more columns (empty where the ruleset
    gives none)."""
    import csv
    import io

    lang = titles.lang if titles is not None else DEFAULT
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    by = evaluation.breakdown_by
    extra = [f"title_{lang}", f"band_title_{lang}"] if lang != DEFAULT else []
    writer.writerow(["group", "id", "kind", "title", "sufficient", "applicable", "value",
                     "exact", "band", "band_title", *extra])
    sections = [("", evaluation.scores)] + [
        (f"{by}={group.value}", group.scores) for group in evaluation.breakdowns]
    for group, results in sections:
        for result in results:
            score = evaluation.ruleset.score(result.name)
            writer.writerow([escape.csv_cell(cell) for cell in (
                group, score.name, score.level, score.title or "",
                "" if result.sufficient is None else result.sufficient,
                "" if result.applicable is None else result.applicable,
                _value(score, result.exact) or "", _fraction(result.exact) or "",
                result.band.label if result.band else "",
                (result.band.title or "") if result.band else "",
                *([score.welsh or "", (result.band.welsh or "") if result.band else ""]
                  if extra else []))])
    return out.getvalue()


RENDERERS = {"table": render_table, "json": render_result_json, "markdown": render_markdown,
             "csv": render_csv}
