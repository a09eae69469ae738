"""Diagnostics for people and for tools.

Text follows rustc and Catala: ``file:line:col: error[CODE]: message``, the source line with carets
under the problem, then ``help:`` and ``note:`` lines. JSON carries the same fields and is the form
other tools should read. Both are pure functions of the diagnostics, so output is reproducible.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ccirules import escape
from ccirules.diagnostics import Diagnostic, Severity
from ccirules.source import Span

#: Version of the JSON layout below; bumped on any incompatible change.
JSON_FORMAT_VERSION = 1

_TAB = "    "
_MAX_SHOWN = 100  # characters of a long source line shown around the problem


def render_diagnostics(diagnostics: Sequence[Diagnostic]) -> str:
    """Every diagnostic in order, then a one-line count; empty input gives an empty string."""
    if not diagnostics:
        return ""
    blocks = [_render_one(diagnostic) for diagnostic in diagnostics]
    return "\n".join(blocks) + "\n" + summary_line(diagnostics) + "\n"


def summary_line(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def render_diagnostics_json(diagnostics: Sequence[Diagnostic], files: Sequence[str]) -> str:
    """The diagnostics as a JSON document: what `check --format json` writes, and what every
    command with `--format json` writes instead of its result when the inputs are invalid."""
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    document = {
        "format": "ccirules-diagnostics",
        "format_version": JSON_FORMAT_VERSION,
        "files": list(files),
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "diagnostics": [diagnostic.to_json() for diagnostic in diagnostics],
    }
    return escape.json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def _render_one(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    lines = [f"{escape.terminal(span.where)}: {diagnostic.severity.value}[{diagnostic.code}]: "
             f"{escape.terminal(diagnostic.message)}"]
    lines.extend(_excerpt(span))
    if diagnostic.hint:
        lines.append(f"  = help: {escape.terminal(diagnostic.hint)}")
    for related in diagnostic.related:
        lines.append(f"  = note: {escape.terminal(related.span.where)}: "
                     f"{escape.terminal(related.message)}")
    return "\n".join(lines) + "\n"


def _excerpt(span: Span) -> list[str]:
    """The span's first line and a caret underline, with tabs expanded so carets line up.
    Only a window of the line around the span is read, so a diagnostic on a line of a million
    characters costs what one on a short line does."""
    if not span.source.text:
        return []  # a problem with the file as a whole: nothing to show
    start = span.column - 1
    _, length = span.source.line_window(span.line, 0, 0)
    end = span.end_column - 1 if span.end_line == span.line else length
    end = max(end, start + 1)
    low = max(0, start - _MAX_SHOWN)
    raw, _ = span.source.line_window(span.line, low, end + _MAX_SHOWN)
    start, end = start - low, end - low
    prefix, marked = raw[:start], raw[start:end]
    shown_prefix = prefix.replace("\t", _TAB)
    shown_marked = marked.replace("\t", _TAB)
    shown = shown_prefix + shown_marked + raw[end:].replace("\t", _TAB)
    caret_at, caret_width = len(shown_prefix), max(1, len(shown_marked))
    cut_left = low > 0
    if len(shown) > _MAX_SHOWN or low + len(raw) < length:
        window_start = max(0, caret_at - _MAX_SHOWN // 2)
        shown = shown[window_start:window_start + _MAX_SHOWN]
        caret_at -= window_start
        caret_width = min(caret_width, _MAX_SHOWN - caret_at)
        cut_left = cut_left or window_start > 0
        shown = ("…" if cut_left else "") + shown + "…"
        caret_at += 1 if cut_left else 0
    shown = "".join(char if char.isprintable() else "?" for char in shown)
    gutter = str(span.line)
    pad = " " * len(gutter)
    return [f"{pad} |", f"{gutter} | {shown}", f"{pad} | {' ' * caret_at}{'^' * caret_width}"]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
