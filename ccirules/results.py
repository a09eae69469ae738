"""Evaluation results for people and for tools: a terminal table, Markdown, CSV and JSON, and
how a score is shown in each.

JSON is the reference form, described by ``schemas/result.schema.json`` (shipped in the package)
and versioned by ``format_version``; the other forms are views of the same data. Every form
carries the reproducibility stamp, and everything is sorted, so the same inputs give
byte-identical output whatever the order of files or cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import msgspec

from ccirules import __version__, escape
from ccirules.cases import InputFile
from ccirules.compiler import CompiledRuleset, CompiledScore, Rule
from ccirules.evaluator import Evaluation
from ccirules.scoring import ScoreResult, shown_value
from ccirules.terms import ValueKind
from ccirules.trace import AnswerRecord

#: Version of the JSON result layout; bumped on any incompatible change.
RESULT_FORMAT_VERSION = 1


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


def shown(result: ScoreResult, ruleset: CompiledRuleset) -> str:
    """A score as printed: `74%`, `27 points`, `12`, `judged` (a rating with no number), or
    `no score`."""
    score = ruleset.score(result.name)
    if result.exact is None:
        judged = score.rule is Rule.JUDGED and result.band is not None
        return "judged" if judged else "no score"
    text = format(shown_value(score, result.exact), "f")
    if score.value_kind is ValueKind.PERCENT:
        return f"{text}%"
    if score.value_kind is ValueKind.POINTS:
        return f"{text} point" + ("" if text == "1" else "s")
    return text


# ---- JSON ------------------------------------------------------------------------------------


def result_document(evaluation: Evaluation, stamp: Stamp) -> dict[str, object]:
    ruleset = evaluation.ruleset
    document: dict[str, object] = {
        "format": "ccirules-result",
        "format_version": RESULT_FORMAT_VERSION,
        "stamp": stamp.to_json(ruleset),
        "cases": evaluation.cases,
        "scores": [_score_json(ruleset, result) for result in evaluation.scores],
        "questions": [
            {"id": question.name, "group": question.group,
             **msgspec.structs.asdict(evaluation.tallies[question.name])}
            for question in ruleset.questions],
    }
    if evaluation.breakdown_by is not None:
        document["breakdown"] = {"by": evaluation.breakdown_by, "groups": [
            {"value": group.value, "cases": group.cases,
             "scores": [_score_json(ruleset, result) for result in group.scores]}
            for group in evaluation.breakdowns]}
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


def render_result_json(evaluation: Evaluation, stamp: Stamp) -> str:
    import json

    return escape.json_text(json.dumps(result_document(evaluation, stamp), indent=2,
                                       ensure_ascii=False)) + "\n"


def _score_json(ruleset: CompiledRuleset, result: ScoreResult) -> dict[str, object]:
    score = ruleset.score(result.name)
    band = result.band
    return {
        "id": score.name,
        "kind": score.level,
        "title": score.title,
        "rule": score.rule.value,
        "sufficient": result.sufficient,
        "applicable": result.applicable,
        "exact": _fraction(result.exact),
        "value": _value(score, result.exact),
        "display": shown(result, ruleset),
        "band": None if band is None else {
            "label": band.label, "title": band.title,
            "points": _fraction(band.points)},
        "capped_by": None if result.capped_by is None else result.capped_by.to_json(),
        "parts": [{"id": name, "exact": _fraction(value)} for name, value in result.parts],
        "note": result.note,
    }


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


def _value(score: CompiledScore, exact: Fraction | None) -> str | None:
    return None if exact is None else format(shown_value(score, exact), "f")


# ---- tables ----------------------------------------------------------------------------------


def _rows(evaluation: Evaluation, results: Sequence[ScoreResult]) -> list[list[str]]:
    ruleset = evaluation.ruleset
    rows = []
    for result in results:
        score = ruleset.score(result.name)
        label = escape.terminal(f"{'  ' * score.depth}{score.name} {score.title or ''}".rstrip())
        counts = ("" if result.applicable is None
                  else f"{result.sufficient}/{result.applicable}")
        band = "" if result.band is None else escape.terminal(result.band.title or
                                                               result.band.label)
        if result.capped_by is not None:
            band += " (limited)"
        rows.append([label, counts, shown(result, ruleset), band])
    return rows


HEADINGS = ["Score", "Sufficient/applicable", "Score", "Band"]


def _heading(evaluation: Evaluation) -> str:
    info = evaluation.ruleset.info
    version = f" {info.version}" if info.version else ""
    cases = f"{evaluation.cases} case{'' if evaluation.cases == 1 else 's'}"
    return escape.terminal(f"{info.title}{version}: {cases}")


def _aligned(rows: list[list[str]], headings: list[str]) -> list[str]:
    widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]
    right = {1, 2}
    lines = []
    for row in [headings, *rows]:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                 for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def render_table(evaluation: Evaluation, stamp: Stamp) -> str:
    lines = [_heading(evaluation), ""]
    lines += _aligned(_rows(evaluation, evaluation.scores), HEADINGS)
    for group in evaluation.breakdowns:
        lines += ["", escape.terminal(f"{evaluation.breakdown_by} = {group.value}: "
                                      f"{group.cases} case" + ("" if group.cases == 1 else "s")),
                  ""]
        lines += _aligned(_rows(evaluation, group.scores), HEADINGS)
    lines += ["", _stamp_line(evaluation, stamp)]
    return "\n".join(lines) + "\n"


def _stamp_line(evaluation: Evaluation, stamp: Stamp) -> str:
    return (f"ruleset {escape.terminal(stamp.ruleset_path)} sha256:{stamp.ruleset_sha256[:12]}; "
            f"{len(stamp.inputs)} input file{'' if len(stamp.inputs) == 1 else 's'}; "
            f"ccirules {__version__}")


def render_markdown(evaluation: Evaluation, stamp: Stamp) -> str:
    def table(results: Sequence[ScoreResult]) -> list[str]:
        rows = _rows(evaluation, results)
        lines = ["| " + " | ".join(HEADINGS) + " |", "|---|--:|--:|---|"]
        for label, counts, value, band in rows:
            indent = "&nbsp;" * (len(label) - len(label.lstrip()))
            cells = [indent + escape.markdown_cell(label.strip()), counts, value,
                     escape.markdown_cell(band)]
            lines.append("| " + " | ".join(cells) + " |")
        return lines

    lines = [f"## {escape.markdown_cell(_heading(evaluation))}", "", *table(evaluation.scores)]
    for group in evaluation.breakdowns:
        lines += ["", f"### {escape.markdown_cell(evaluation.breakdown_by)} = "
                  f"{escape.markdown_cell(group.value)} ({group.cases} cases)", "",
                  *table(group.scores)]
    lines += ["", f"<sub>{escape.markdown_cell(_stamp_line(evaluation, stamp))}</sub>"]
    return "\n".join(lines) + "\n"


def render_csv(evaluation: Evaluation, stamp: Stamp) -> str:
    """A row per score (and per breakdown value), with cells a spreadsheet cannot execute."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    by = evaluation.breakdown_by
    writer.writerow(["group", "id", "kind", "title", "sufficient", "applicable", "value",
                     "exact", "band", "band_title"])
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
                (result.band.title or "") if result.band else "")])
    return out.getvalue()


RENDERERS = {"table": render_table, "json": render_result_json, "markdown": render_markdown,
             "csv": render_csv}
