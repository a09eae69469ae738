"""Property tests for the parser and checker: nothing but diagnostics for any input, spans that
point inside the text, and printing that parses back to the same nodes."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules.api import check_source
from ccirules.parser import parse
from ccirules.printer import print_ruleset
from ccirules.render import render_diagnostics, render_diagnostics_json
from ccirules.source import SourceFile
from tests import strategies
from tests.conftest import RULESETS

SHIPPED = {path.name: path.read_text(encoding="utf-8") for path in sorted(RULESETS.glob("*.rules"))}


def assert_span_inside(span, text: str) -> None:
    lines = text.split("\n")
    assert 1 <= span.line <= len(lines)
    assert 1 <= span.column <= len(lines[span.line - 1]) + 1
    assert (span.end_line, span.end_column) >= (span.line, span.column)
    assert span.end_line <= len(lines)
    assert span.end_column <= len(lines[span.end_line - 1]) + 1


@pytest.mark.parametrize("name", sorted(SHIPPED))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_edits_give_diagnostics_never_exceptions(name: str, data: st.DataObject) -> None:
    text = data.draw(strategies.edited(SHIPPED[name]))
    result = check_source(SourceFile("edited.rules", text))
    for diagnostic in result.diagnostics:
        assert_span_inside(diagnostic.span, text)
        for related in diagnostic.related:
            assert_span_inside(related.span, text)
    rendered = render_diagnostics(result.diagnostics)
    assert all(f"[{d.code}]" in rendered for d in result.diagnostics)
    json.loads(render_diagnostics_json(result.diagnostics, ["edited.rules"]))


@settings(max_examples=300, deadline=None)
@given(strategies.rulesets)
def test_printed_nodes_parse_back_to_equal_nodes(ruleset) -> None:
    text = print_ruleset(ruleset)
    parsed = parse(SourceFile("printed.rules", text))
    assert parsed.diagnostics == (), text
    assert parsed.ruleset == ruleset


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_rulesets_print_and_parse_back(name: str) -> None:
    original = parse(SourceFile(name, SHIPPED[name])).ruleset
    assert original is not None
    reparsed = parse(SourceFile("printed", print_ruleset(original)))
    assert reparsed.diagnostics == ()
    assert reparsed.ruleset == original


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_gives_diagnostics_never_exceptions(text: str) -> None:
    result = check_source(SourceFile("random.rules", text))
    for diagnostic in result.diagnostics:
        assert_span_inside(diagnostic.span, text)
