"""Rendering diagnostics: carets under the right characters, JSON that tools can read."""

from __future__ import annotations

import json

import pytest

from ccirules.diagnostics import Related, error, warning
from ccirules.render import render_diagnostics, render_diagnostics_json
from ccirules.source import SourceFile


def test_carets_line_up_under_tabs() -> None:
    source = SourceFile("t.rules", "\tquestion\tq1 x\n")
    start = source.text.index("q1")
    text = render_diagnostics([error("E105", "bad", source.span(start, start + 2), hint="fix it")])
    lines = text.splitlines()
    code_line, caret_line = lines[2], lines[3]
    assert code_line.index("q1") == caret_line.index("^^")
    assert "  = help: fix it" in lines


def test_long_lines_are_windowed_around_the_problem() -> None:
    line = "x" * 500 + " target " + "y" * 500
    source = SourceFile("t.rules", line)
    start = line.index("target")
    lines = render_diagnostics([error("E105", "bad", source.span(start, start + 6))]).splitlines()
    assert len(lines[2]) < 130
    assert lines[2].index("target") == lines[3].index("^^^^^^")


def test_summary_and_related_places() -> None:
    source = SourceFile("t.rules", "a\nb\n")
    text = render_diagnostics([
        error("E201", "twice", source.span(2, 3), related=[Related(source.span(0, 1), "first")]),
        warning("W302", "unused", source.span(0, 1)),
    ])
    assert "  = note: t.rules:1:1: first" in text
    assert text.endswith("1 error, 1 warning\n")


def test_json_carries_every_field() -> None:
    source = SourceFile("t.rules", "abc\n")
    found = [error("E202", "unknown", source.span(1, 2), hint="h")]
    document = json.loads(render_diagnostics_json(found, ["t.rules"]))
    assert document["errors"] == 1 and document["warnings"] == 0
    (diagnostic,) = document["diagnostics"]
    assert diagnostic == {
        "code": "E202", "severity": "error", "message": "unknown", "hint": "h", "related": [],
        "location": {"file": "t.rules", "line": 1, "column": 2, "end_line": 1, "end_column": 3},
    }


def test_undocumented_codes_cannot_be_created() -> None:
    with pytest.raises(ValueError, match="E999"):
        error("E999", "made up", SourceFile("t.rules", "").whole())
