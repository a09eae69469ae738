"""Evaluation results for people and for tools: a terminal table, Markdown, CSV and JSON.

JSON is the reference form, described by ``schemas/result.schema.json`` (shipped in the package)
and versioned by ``format_version``; the other forms are views of the same data. Every form
carries the reproducibility stamp, and everything is sorted, so the same inputs give
byte-identical output whatever the order of files or cases.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from fractions import Fraction

import attrs

from ccirules import __version__
from ccirules.cases import InputFile
from ccirules.codegen import UNANSWERED_CODE, gate_code, value_code
from ccirules.compiler import CompiledRuleset, CompiledScore
from ccirules.evaluator import AnswerRecord, Evaluation, Outcome, ScoreResult, shown
from ccirules.printer import print_condition
from ccirules.scoring import shown_value

#: Version of the JSON result layout; bumped on any incompatible change.
RESULT_FORMAT_VERSION = 1


@attrs.frozen
class Stamp:
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
             **attrs.asdict(evaluation.tallies[question.name])}
            for question in ruleset.questions],
    }
    if evaluation.breakdown_by is not None:
        document["breakdown"] = {"by": evaluation.breakdown_by, "groups": [
            {"value": value, "cases": cases,
             "scores": [_score_json(ruleset, result) for result in results]}
            for value, cases, results in evaluation.breakdowns]}
    if evaluation.trace is not None:
        document["trace"] = {
            "questions": list(ruleset.evaluation_order),
            "legend": {name: trace_legend(ruleset, name) for name in ruleset.evaluation_order},
            "cases": [{"case": case, "location": location, "outcomes": codes}
                      for case, codes, location in evaluation.trace],
        }
    document["diagnostics"] = [d.to_json() for d in evaluation.diagnostics]
    return document


def render_json(evaluation: Evaluation, stamp: Stamp) -> str:
    return json.dumps(result_document(evaluation, stamp), indent=2, ensure_ascii=False) + "\n"


def _score_json(ruleset: CompiledRuleset, result: ScoreResult) -> dict[str, object]:
    score = ruleset.score(result.name)
    band = result.band
    return {
        "id": score.name,
        "kind": score.kind,
        "title": score.title,
        "rule": score.rule,
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


def trace_legend(ruleset: CompiledRuleset, name: str) -> dict[str, dict[str, object]]:
    """What each trace character means for one question: outcome, reason and ruleset place."""
    question = ruleset.question(name)
    legend: dict[str, dict[str, object]] = {}
    for position, (value, category) in enumerate(question.scale.categories.items()):
        outcome = {"sufficient": Outcome.SUFFICIENT, "insufficient": Outcome.INSUFFICIENT,
                   "not applicable": Outcome.NOT_APPLICABLE}[category.value]
        legend[value_code(position)] = {
            "outcome": outcome.value, "answer": value,
            "reason": f"`{value}` means {category.value}",
            "rule_location": question.scale.spans[value].to_json()}
    legend[UNANSWERED_CODE] = {"outcome": Outcome.UNANSWERED.value,
                               "reason": "no answer was recorded",
                               "rule_location": question.span.to_json()}
    for position, gate in enumerate(question.gates):
        owner = "its" if gate.owner == name else f"`{gate.owner}`'s"
        legend[gate_code(position)] = {
            "outcome": Outcome.DOES_NOT_APPLY.value,
            "reason": f"{owner} condition is false: {print_condition(gate.condition)}",
            "rule_location": gate.span.to_json()}
    return legend


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
        label = f"{'  ' * score.depth}{score.name} {score.title or ''}".rstrip()
        counts = ("" if result.applicable is None
                  else f"{result.sufficient}/{result.applicable}")
        band = "" if result.band is None else (result.band.title or result.band.label)
        if result.capped_by is not None:
            band += " (limited)"
        rows.append([label, counts, shown(result, ruleset), band])
    return rows


HEADINGS = ["Score", "Sufficient/applicable", "Score", "Band"]


def _heading(evaluation: Evaluation) -> str:
    info = evaluation.ruleset.info
    version = f" {info.version}" if info.version else ""
    cases = f"{evaluation.cases} case{'' if evaluation.cases == 1 else 's'}"
    return f"{info.title}{version}: {cases}"


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
    for value, cases, results in evaluation.breakdowns:
        lines += ["", f"{evaluation.breakdown_by} = {value}: {cases} case"
                  + ("" if cases == 1 else "s"), ""]
        lines += _aligned(_rows(evaluation, results), HEADINGS)
    lines += ["", _stamp_line(evaluation, stamp)]
    return "\n".join(lines) + "\n"


def _stamp_line(evaluation: Evaluation, stamp: Stamp) -> str:
    return (f"ruleset {stamp.ruleset_path} sha256:{stamp.ruleset_sha256[:12]}; "
            f"{len(stamp.inputs)} input file{'' if len(stamp.inputs) == 1 else 's'}; "
            f"ccirules {__version__}")


def render_markdown(evaluation: Evaluation, stamp: Stamp) -> str:
    def table(results: Sequence[ScoreResult]) -> list[str]:
        rows = _rows(evaluation, results)
        lines = ["| " + " | ".join(HEADINGS) + " |", "|---|--:|--:|---|"]
        for label, counts, value, band in rows:
            indent = "&nbsp;" * (len(label) - len(label.lstrip()))
            cells = [indent + _markdown(label.strip()), counts, value, _markdown(band)]
            lines.append("| " + " | ".join(cells) + " |")
        return lines

    lines = [f"## {_heading(evaluation)}", "", *table(evaluation.scores)]
    for value, cases, results in evaluation.breakdowns:
        lines += ["", f"### {evaluation.breakdown_by} = {value} ({cases} cases)", "",
                  *table(results)]
    lines += ["", f"<sub>{_stamp_line(evaluation, stamp)}</sub>"]
    return "\n".join(lines) + "\n"


def _markdown(text: str) -> str:
    return text.replace("|", "\\|")


def render_csv(evaluation: Evaluation, stamp: Stamp) -> str:
    """A row per score (and per breakdown value), with cells a spreadsheet cannot execute."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    by = evaluation.breakdown_by
    writer.writerow(["group", "id", "kind", "title", "sufficient", "applicable", "value",
                     "exact", "band", "band_title"])
    sections = [("", evaluation.scores)] + [
        (f"{by}={value}", results) for value, _, results in evaluation.breakdowns]
    for group, results in sections:
        for result in results:
            score = evaluation.ruleset.score(result.name)
            writer.writerow([_safe(cell) for cell in (
                group, score.name, score.kind, score.title or "",
                "" if result.sufficient is None else result.sufficient,
                "" if result.applicable is None else result.applicable,
                _value(score, result.exact) or "", _fraction(result.exact) or "",
                result.band.label if result.band else "",
                (result.band.title or "") if result.band else "")])
    return out.getvalue()


def _safe(cell: object) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is made inert with a quote."""
    text = str(cell)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


RENDERERS = {"table": render_table, "json": render_json, "markdown": render_markdown,
             "csv": render_csv}
