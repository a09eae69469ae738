"""Builds docs/errors.md from the golden fixtures, so every documented example is one the test
suite runs and every printed diagnostic is real output."""

from __future__ import annotations

from pathlib import Path

from ccirules.diagnostics import CODES

HEADER = """\
# Diagnostic codes

Every problem `ccirules` reports has a stable code. This page is generated from the golden test
fixtures in `tests/golden/check/` (`pytest --update-golden` rewrites it): each example below is a
file the test suite checks, and each output is what `ccirules check` printed for it.

Codes starting with `E` are errors: `ccirules check` exits with status 3. Codes starting with `W`
are warnings: they are printed but do not fail the check unless `--strict` is given.
"""


def render_errors_doc(fixtures: Path) -> str:
    sections = [HEADER]
    for code, title in CODES.items():
        cases = sorted(fixtures.glob(f"{code}-*.rules"))
        sections.append(f"## {code}: {title}\n")
        for case in cases:
            sections.append(_case_section(case))
    return "\n".join(sections)


def _case_section(case: Path) -> str:
    text = case.read_bytes().decode("utf-8", errors="replace")
    lines = text.splitlines()
    comments = [line[2:] for line in lines if line.startswith("# ")]
    body = [line for line in lines if not line.startswith("#")]
    fix = [line[len("fix: "):] for line in comments if line.startswith("fix: ")]
    explanation = [line for line in comments if not line.startswith("fix: ")]
    if explanation:
        first = explanation[0].split(": ", 1)[-1]
        explanation[0] = first[:1].upper() + first[1:]
    exit_line, output = case.with_suffix(".out").read_text(encoding="utf-8").split("\n", 1)
    args_file = case.with_suffix(".args")
    command = (args_file.read_text(encoding="utf-8").strip() if args_file.exists()
               else f"check {case.relative_to(case.parents[2].parent).as_posix()}")
    shown_body = "\n".join(body).strip("\n")
    parts = [" ".join(explanation) + "\n"]
    if shown_body:
        parts.append(f"```\n{shown_body}\n```\n")
    status = exit_line.removeprefix("exit: ")
    parts.append(f"```console\n$ ccirules {command}\n{output.rstrip()}\n"
                 f"(exit status {status})\n```\n")
    if fix:
        parts.append("**Fix:** " + " ".join(fix) + "\n")
    return "\n".join(parts)
