"""Builds docs/errors.md from the golden fixtures, so every documented example is one the test
suite runs and every printed diagnostic is real output."""

from __future__ import annotations

import shlex
from pathlib import Path

from ccirules.diagnostics import CODES

HEADER = """\
# Diagnostic codes

Every problem `ccirules` reports has a stable code: `E1xx` and `E2xx` for rulesets, `E4xx` for
case files and judgements. This page is generated from the golden test fixtures in
`tests/golden/` (`pytest --update-golden` rewrites it): each example below is a file the test
suite runs, and each output is exactly what `ccirules` printed for it.

Codes starting with `E` are errors: the command exits with status 3. Codes starting with `W` are
warnings: they are printed but do not fail the command unless `--strict` is given.
"""


def render_errors_doc(cases: dict[str, Path]) -> str:
    """The page: a section per code, with every golden case named after the code."""
    sections = [HEADER]
    for code, title in CODES.items():
        sections.append(f"## {code}: {title}\n")
        for name in sorted(cases):
            if Path(name).name.startswith(code + "-"):
                sections.append(_case_section(cases[name]))
    return "\n".join(sections)


def _command_section(case: Path) -> str:
    """A case with no description of its own: a further example of a code explained above."""
    from tests.test_golden import command_line

    exit_line, output = case.with_suffix(".out").read_text(encoding="utf-8").split("\n", 1)
    command = " ".join(shlex.quote(arg) for arg in command_line(case))
    return (f"```console\n$ ccirules {command}\n{output.rstrip()}\n"
            f"(exit status {exit_line.removeprefix('exit: ')})\n```\n")


def _case_section(case: Path) -> str:
    from tests.test_golden import command_line

    about = case.with_suffix(".about")
    described = about if about.exists() or case.suffix == ".args" else case
    if not described.exists():
        return _command_section(case)
    text = described.read_bytes().decode("utf-8", errors="replace")
    comments = [line[2:] for line in text.splitlines() if line.startswith("# ")]
    fix_at = next((i for i, line in enumerate(comments) if line.startswith("fix: ")),
                  len(comments))  # the fix is the last paragraph, however many lines
    explanation, fix = comments[:fix_at], comments[fix_at:]
    if fix:
        fix[0] = fix[0].removeprefix("fix: ")
    if explanation:
        first = explanation[0].split(": ", 1)[-1]
        explanation[0] = first[:1].upper() + first[1:]
    parts = [" ".join(explanation) + "\n"]
    if case.suffix != ".args" and case.suffix != ".xlsx":
        # Shown whole, comments too, so the printed line numbers are the shown file's; a file
        # of comments alone only describes a command that reads another path.
        shown = case.read_bytes().decode("utf-8", errors="replace").rstrip("\n")
        if any(not line.startswith("#") for line in shown.splitlines()):
            parts.append(f"`{case.name}`:\n\n```\n{shown}\n```\n")
    exit_line, output = case.with_suffix(".out").read_text(encoding="utf-8").split("\n", 1)
    command = " ".join(shlex.quote(arg) for arg in command_line(case))
    status = exit_line.removeprefix("exit: ")
    parts.append(f"```console\n$ ccirules {command}\n{output.rstrip()}\n"
                 f"(exit status {status})\n```\n")
    if fix:
        parts.append("**Fix:** " + " ".join(fix) + "\n")
    return "\n".join(parts)
