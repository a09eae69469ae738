"""The ``ccirules`` command line.

Each command is a thin layer over :mod:`ccirules.api`: it turns arguments into calls and results
into output and an exit code. Exit codes are part of the interface (CI gates on them), so they are
named in :class:`ExitCode` and listed in ``--help`` and the README.
"""

from __future__ import annotations

import enum
import sys

import click

from ccirules import __version__
from ccirules.api import check_ruleset_file
from ccirules.diagnostics import Severity
from ccirules.render import render_json, render_text, summary_line


class ExitCode(enum.IntEnum):
    OK = 0
    GATE_FAILED = 1
    USAGE_ERROR = 2
    INPUT_INVALID = 3
    INTERNAL_ERROR = 70


EXIT_CODES_HELP = """\b
Exit codes:
  0   success
  1   a gate failed (a score below --fail-under, a result that differs from --expect)
  2   usage error: unknown option, missing argument
  3   inputs invalid: a ruleset or case file has errors (or warnings, with --strict)
  70  internal error in ccirules (please report it)"""


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ccirules")
def main() -> None:
    """Inspection criteria and scoring rules as code."""


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("rulesets", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Diagnostics for people (text) or for tools (json).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(rulesets: tuple[str, ...], output_format: str, strict: bool) -> None:
    """Check RULESETS for mistakes, reporting every problem found.

    Paths are printed as given, so output does not depend on the working directory.
    """
    results = [check_ruleset_file(path) for path in rulesets]
    diagnostics = [d for result in results for d in result.diagnostics]
    if output_format == "json":
        click.echo(render_json(diagnostics, rulesets), nl=False)
    elif diagnostics:
        click.echo(render_text(diagnostics), nl=False)
    else:
        noun = "ruleset" if len(rulesets) == 1 else "rulesets"
        click.echo(f"checked {len(rulesets)} {noun}: {summary_line(diagnostics)}")
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if any(d.severity in failing for d in diagnostics):
        sys.exit(ExitCode.INPUT_INVALID)


def run() -> None:
    """Entry point that turns an unexpected crash into a short report and exit code 70."""
    try:
        main(standalone_mode=True)
    except Exception as problem:
        click.echo(f"ccirules: internal error: {type(problem).__name__}: {problem}\n"
                   "This is a bug in ccirules, not in your files; please report it with the "
                   "command you ran.", err=True)
        sys.exit(ExitCode.INTERNAL_ERROR)
