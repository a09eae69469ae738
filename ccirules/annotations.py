"""GitHub Actions workflow commands (``--format github``): each problem as a line such as
``::error file=r.rules,line=9,col=18,title=E202::unknown name `settting```, which GitHub shows
on the pull request, beside the line it is about.

A workflow command is read up to its end of line, its properties up to ``,`` and its message
after ``::``, so every piece of text goes through :func:`ccirules.escape.github_data` or
:func:`ccirules.escape.github_property`: nothing a user wrote (a message quoting a value, a file
name) can end a command early or start another.
"""

from __future__ import annotations

from collections.abc import Sequence

from ccirules.diagnostics import Diagnostic
from ccirules.escape import github_data, github_property

#: Workflow commands for each kind of annotation.
LEVELS = ("error", "warning", "notice")


def annotation(level: str, message: str, *, file: str | None = None, line: int | None = None,
               column: int | None = None, end_line: int | None = None,
               end_column: int | None = None, title: str | None = None) -> str:
    """One workflow command line (without its line break)."""
    assert level in LEVELS
    properties = [(name, value) for name, value in (
        ("file", file), ("line", line), ("endLine", end_line), ("col", column),
        ("endColumn", end_column), ("title", title)) if value is not None]
    given = ",".join(f"{name}={github_property(str(value))}" for name, value in properties)
    return f"::{level}{' ' + given if given else ''}::{github_data(message)}"


def diagnostic_annotation(diagnostic: Diagnostic) -> str:
    """A diagnostic on the line it is about, with its hint and related places in the message.
    A spreadsheet cell is named in the message (a line of a workbook means nothing to GitHub)."""
    span = diagnostic.span
    message = diagnostic.message
    if span.cell is not None:
        message = f"{span.cell}: {message}"
    lines = [message]
    if diagnostic.hint:
        lines.append(f"help: {diagnostic.hint}")
    lines += [f"note: {related.span.where}: {related.message}" for related in diagnostic.related]
    located = span.cell is None and bool(span.source.text)
    return annotation(diagnostic.severity.value, "\n".join(lines), file=span.path,
                      line=span.line if located else None,
                      column=span.column if located else None,
                      end_line=span.end_line if located and span.end_line != span.line
                      else None,
                      end_column=span.end_column - 1 if located and span.end_line == span.line
                      and span.end_column - 1 > span.column else None,
                      title=diagnostic.code)


def render_annotations(diagnostics: Sequence[Diagnostic]) -> str:
    """Every diagnostic as a workflow command, one per line."""
    return "".join(diagnostic_annotation(diagnostic) + "\n" for diagnostic in diagnostics)

