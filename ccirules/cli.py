"""The ``ccirules`` command line.

Each command is a thin layer over :mod:`ccirules.api`: it turns arguments into calls and results
into output and an exit code. Exit codes are part of the interface (CI gates on them), so they are
named in :class:`ExitCode` and listed in ``--help`` and the README.

Modules are imported inside the commands that use them, so ``--help`` and ``--version`` start
without the parser, the engine or their libraries.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import click

from ccirules import __version__

if TYPE_CHECKING:
    from ccirules.diagnostics import Diagnostic
    from ccirules.evaluator import Evaluation


class ExitCode(enum.IntEnum):
    OK = 0
    GATE_FAILED = 1
    USAGE_ERROR = 2
    INPUT_INVALID = 3
    INTERNAL_ERROR = 70


#: What exits 1 and what exits 3, command by command: the README's table, word for word.
EXIT_REASONS: dict[str, tuple[str | None, str | None]] = {
    "check": (None, "errors (or warnings with --strict)"),
    "eval": ("a gate failed: --fail-under, --fail-on-band, --expect (or its ruleset, with "
             "--expect-same-ruleset)", "invalid ruleset or cases, a --store that cannot be used, "
             "output not written"),
    "explain": (None, "invalid ruleset or cases"),
    "diff": ("--fail-on-band-change: a score moved band", "invalid ruleset (nothing compared), "
             "inputs with errors under either ruleset (written after the diff), output not "
             "written"),
    "test": ("a test failed, or coverage below --threshold",
             "a test file or its ruleset has errors"),
    "verify": ("a property failed (a counterexample is written)", "invalid ruleset"),
    "template": (None, "invalid ruleset, workbook not written"),
    "schema": (None, "invalid ruleset, schema not written"),
    "fmt": ("--check: a file would change", "a ruleset that cannot be parsed, or not written"),
    "lsp": (None, None),
    "report": (None, "invalid ruleset or cases, a store that cannot be read, page not written"),
    "store import": (None, "a store or CSV that cannot be read (nothing is imported)"),
    "history": (None, "a store or CSV that cannot be read (nothing is imported)"),
}


def exit_codes_help(command: str | None) -> str:
    """The exit codes ``command`` can give, for its --help (every code, for ``ccirules``)."""
    gate, invalid = EXIT_REASONS[command] if command else (
        "a gate failed (a score, a result, a ruleset test, a property or a layout not as "
        "expected)", "inputs invalid: a ruleset or case file has errors (or warnings, with "
        "--strict), or an output could not be written")
    lines = ["\b", "Exit codes:", "  0   success"]
    if gate is not None:
        lines.append(f"  1   {gate}")
    lines.append("  2   usage error: unknown option, missing argument")
    if invalid is not None:
        lines.append(f"  3   {invalid}")
    lines.append("  70  internal error in ccirules (please report it)")
    return "\n".join(lines)


@click.group(epilog=exit_codes_help(None),
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ccirules")
@click.option("--no-cache", is_flag=True,
              help="Compile rulesets afresh instead of using the compiled-ruleset cache "
                   "(also: CCIRULES_CACHE=off; CCIRULES_CACHE_DIR moves it).")
def main(no_cache: bool) -> None:
    """Inspection criteria and scoring rules as code."""
    if no_cache:
        os.environ["CCIRULES_CACHE"] = "off"  # seen by every command, and by its subprocesses


@main.command(epilog=exit_codes_help("check"))
@click.argument("rulesets", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]),
              default="text", show_default=True,
              help="Diagnostics for people (text), for tools (json), or as GitHub Actions "
                   "annotations (github).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--lang", type=click.Choice(["en", "cy"]), default="en", show_default=True,
              help="With cy, also report every title that has no Welsh version (W303).")
def check(rulesets: tuple[str, ...], output_format: str, strict: bool, lang: str) -> None:
    """Check RULESETS for mistakes, reporting every problem found.

    Paths are printed as given, so output does not depend on the working directory.
    """
    from ccirules.api import check_ruleset_file
    from ccirules.diagnostics import Severity
    from ccirules.render import render_diagnostics, render_diagnostics_json, summary_line

    results = [check_ruleset_file(path) for path in rulesets]
    diagnostics = [d for result in results for d in result.diagnostics]
    if lang != "en":
        from ccirules.i18n import welsh_diagnostics

        diagnostics = [d for result in results
                       for d in sorted((*result.diagnostics, *welsh_diagnostics(result.ruleset)),
                                       key=lambda d: d.sort_key())]
    if output_format == "json":
        click.echo(render_diagnostics_json(diagnostics, rulesets), nl=False)
    elif output_format == "github":
        from ccirules.annotations import render_annotations

        click.echo(render_annotations(diagnostics), nl=False)
        click.echo(f"checked {len(rulesets)} ruleset{'' if len(rulesets) == 1 else 's'}: "
                   f"{summary_line(diagnostics)}")
    elif diagnostics:
        click.echo(render_diagnostics(diagnostics), nl=False)
    else:
        noun = "ruleset" if len(rulesets) == 1 else "rulesets"
        click.echo(f"checked {len(rulesets)} {noun}: {summary_line(diagnostics)}")
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if any(d.severity in failing for d in diagnostics):
        sys.exit(ExitCode.INPUT_INVALID)


class Report(NamedTuple):
    """How a command reports problems in its inputs: the ``--format`` it writes, and the files
    it read (named in a JSON document of diagnostics)."""

    output_format: str = "text"
    files: tuple[str, ...] = ()


#: Problems reported as text, on stderr only.
TEXT = Report()


def _fail_on_diagnostics(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic],
                        strict: bool, report: Report = TEXT) -> None:
    """Print diagnostics to stderr (stdout is for results) and exit 3 if any must fail.

    With ``--format github`` every diagnostic is also a workflow command on stdout; with
    ``--format json`` a failing command writes, in place of its result, the document of
    diagnostics that ``check --format json`` writes, so stdout always holds JSON."""
    from ccirules.diagnostics import Severity
    from ccirules.render import render_diagnostics, render_diagnostics_json

    if diagnostics:
        click.echo(render_diagnostics(list(diagnostics)), nl=False, err=True)
    if report.output_format == "github":
        from ccirules.annotations import render_annotations

        click.echo(render_annotations(diagnostics), nl=False)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if any(d.severity in failing for d in diagnostics):
        if report.output_format == "json":
            click.echo(render_diagnostics_json(diagnostics, report.files), nl=False)
        sys.exit(ExitCode.INPUT_INVALID)


def _loaded(ruleset_path: str, strict: bool, report: Report = TEXT):
    """The compiled ruleset, or exit 3 with its diagnostics."""
    from ccirules.api import load_ruleset

    loaded = load_ruleset(ruleset_path)
    if not loaded.ok:
        _fail_on_diagnostics(loaded.diagnostics, strict, report)
    return loaded


def _evaluated(ruleset_path: str, inputs: tuple[str, ...], *, by: str | None,
               allow_unanswered: bool, strict: bool, explaining: bool = False,
               trace: bool = False, jobs: int | None = None, output_format: str = "text"):
    """Check, compile, read and evaluate, stopping with exit code 3 at the first stage that
    has errors. ``eval`` streams the cases through the engine; ``explain`` loads them whole, to
    keep where every answer was read. Returns the evaluation and its stamp."""
    import msgspec

    from ccirules import api
    from ccirules.results import Stamp
    from ccirules.suggest import did_you_mean

    report = Report(output_format, (ruleset_path, *inputs))
    loaded = _loaded(ruleset_path, strict, report)
    compiled = loaded.compiled
    if by is not None and by not in compiled.attributes:
        hint = did_you_mean(by, compiled.attributes)
        raise click.BadParameter(f"`{by}` is not an attribute of this ruleset"
                                 + (f"; {hint}" if hint else ""), param_hint="--by")
    if explaining:
        cases = api.load_cases(inputs, compiled)
        if cases.inspection is None:
            _fail_on_diagnostics(cases.diagnostics, strict, report)
        evaluation = api.evaluate(compiled, cases.inspection, by=by, trace=True,
                                  allow_unanswered=allow_unanswered, keep_records=True)
        evaluation = msgspec.structs.replace(
            evaluation, diagnostics=(*cases.diagnostics, *evaluation.diagnostics))
    else:
        evaluation = api.evaluate_files(compiled, inputs, by=by, jobs=jobs,
                                        allow_unanswered=allow_unanswered, trace=trace)
    _fail_on_diagnostics([*loaded.diagnostics, *evaluation.diagnostics], strict, report)
    stamp = Stamp(ruleset_path, loaded.sha256 or "", evaluation.files)
    return evaluation, stamp


def _pairs(values: tuple[str, ...], option: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, equals, wanted = value.partition("=")
        if not equals or not name or not wanted:
            raise click.BadParameter(f"`{value}` should be ID=VALUE", param_hint=option)
        pairs.append((name.strip(), wanted.strip()))
    return pairs


def _known_score(evaluation: Evaluation, name: str, option: str) -> None:
    from ccirules.suggest import did_you_mean

    names = [score.name for score in evaluation.ruleset.scores]
    if name not in names:
        hint = did_you_mean(name, names)
        raise click.BadParameter(f"`{name}` is not a score of this ruleset"
                                 + (f"; {hint}" if hint else ""), param_hint=option)


_lang_option = click.option(
    "--lang", type=click.Choice(["en", "cy"]), default="en", show_default=True,
    help="Language of titles and of ccirules' own words: English (en) or Welsh (cy). A title "
         "with no Welsh version is shown in English, marked †, and listed in a warning.")


def _warn_fallbacks(titles, ruleset_path: str, strict: bool, report: Report = TEXT) -> None:
    """The titles shown in English for want of Welsh, in one warning (W303)."""
    _warn_fallback_list(titles.fallback_list(), ruleset_path, strict, report)


def _warn_fallback_list(listed: list[str], ruleset_path: str, strict: bool,
                        report: Report = TEXT) -> None:
    if not listed:
        return
    from ccirules.diagnostics import warning
    from ccirules.i18n import message
    from ccirules.source import SourceFile

    _fail_on_diagnostics([warning("W303", message(
        "result.fallback_warning", "en", n=len(listed), titles=", ".join(listed)),
        SourceFile(ruleset_path, "").whole(),
        hint="add `welsh \"...\"` clauses to the ruleset; `ccirules check --lang cy` lists "
             "every title without one")], strict, report)


_shared_options = [
    click.option("--by", metavar="ATTRIBUTE", help="Break every score down by an attribute."),
    click.option("--allow-unanswered", is_flag=True,
                 help="Leave out applicable questions with no answer (a warning), instead of "
                      "failing."),
    click.option("--strict", is_flag=True, help="Treat warnings as errors."),
]


def _with_shared_options(function):
    for option in reversed(_shared_options):
        function = option(function)
    return function


@main.command("eval", epilog=exit_codes_help("eval"))
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--format", "output_format",
              type=click.Choice(["table", "json", "csv", "markdown", "github"]),
              default="table", show_default=True,
              help="How to write the result (github: the table, with problems and failed gates "
                   "as GitHub Actions annotations). With json, invalid inputs give a JSON "
                   "document of their diagnostics.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the result to FILE (atomically) instead of the terminal.")
@click.option("--trace", is_flag=True,
              help="Include every case's outcome for every question in JSON output.")
@click.option("--expect", type=click.Path(exists=True, dir_okay=False),
              help="Fail (exit 1) if any published score differs from this JSON result "
                   "(either format version); say so if the ruleset differs.")
@click.option("--expect-same-ruleset", is_flag=True,
              help="With --expect: also fail if the ruleset's name, version or sha256 differs "
                   "from the expected result's.")
@click.option("--fail-under", multiple=True, metavar="ID=VALUE",
              help="Fail (exit 1) if a score, as published, is below VALUE, in the score's "
                   "unit: a percentage (74 or 74%) for percentage scores, points for sums of "
                   "points, a number for counts. Repeatable.")
@click.option("--fail-on-band", multiple=True, metavar="ID=BAND",
              help="Fail (exit 1) if a score lands in BAND or a worse band. Repeatable.")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), metavar="N",
              help="Score in N processes (the result is the same). Default: every CPU this "
                   "process may use when the inputs total 8 MiB or more, else one.")
@click.option("--store", "store_path", type=click.Path(dir_okay=False), metavar="FILE.sqlite",
              help="Also record the result in this results store (created if need be), "
                   "replacing an earlier result of the same inspection.")
@_lang_option
@_with_shared_options
def eval_command(ruleset: str, inputs: tuple[str, ...], output_format: str, output: str | None,
                 trace: bool, expect: str | None, expect_same_ruleset: bool,
                 fail_under: tuple[str, ...], fail_on_band: tuple[str, ...], jobs: int | None,
                 store_path: str | None, lang: str, by: str | None, allow_unanswered: bool,
                 strict: bool) -> None:
    """Score the cases in INPUTS (files or folders) with RULESET.

    Case files may be YAML, JSON, JSON Lines, CSV or Excel (.xlsx). The result carries a stamp
    of the ruleset's and inputs' sha256, so the same inputs always give the same bytes.
    """
    from ccirules import gates
    from ccirules.i18n import Titles
    from ccirules.results import RENDERERS, render_table

    if expect_same_ruleset and expect is None:
        raise click.UsageError("--expect-same-ruleset needs --expect RESULT.json")
    thresholds = _pairs(fail_under, "--fail-under")
    bands = _pairs(fail_on_band, "--fail-on-band")
    evaluation, stamp = _evaluated(ruleset, inputs, by=by, allow_unanswered=allow_unanswered,
                                   strict=strict, trace=trace, jobs=jobs,
                                   output_format=output_format)
    parsed_thresholds = []
    for name, value in thresholds:
        _known_score(evaluation, name, "--fail-under")
        threshold = gates.read_threshold(evaluation.ruleset.score(name), value)
        if isinstance(threshold, str):
            raise click.BadParameter(threshold, param_hint="--fail-under")
        parsed_thresholds.append((name, threshold))
    for name, label in bands:
        _known_score(evaluation, name, "--fail-on-band")
        table = evaluation.ruleset.score(name).bands
        labels = [band.label for band in table.bands] if table else []
        if label not in labels:
            raise click.BadParameter(f"`{label}` is not a band of `{name}` (bands: "
                                     + ", ".join(labels) + ")", param_hint="--fail-on-band")
    titles = Titles(evaluation.ruleset, lang)
    render = render_table if output_format == "github" else RENDERERS[output_format]
    text = render(evaluation, stamp, titles)
    if output_format in ("json", "csv"):  # titles in columns of their own: note the missing
        for result in (*evaluation.scores, *(r for g in evaluation.breakdowns for r in g.scores)):
            titles.score(result.name)
            if result.band is not None:
                titles.band(result.band)
    _warn_fallbacks(titles, ruleset, strict, Report(output_format, (ruleset, *inputs)))
    if store_path is not None:
        _store_result(store_path, evaluation, stamp,
                      [ruleset, *(file.path for file in evaluation.files)],
                      Report(output_format, (ruleset, *inputs)))
    if output is not None:
        _write(output, text, [ruleset, *(file.path for file in evaluation.files),
                              *([expect] if expect else [])],
               Report(output_format, (ruleset, *inputs)))
    else:
        click.echo(text, nl=False)
    if parsed_thresholds or bands or expect is not None:
        _gates(evaluation, stamp, parsed_thresholds, bands, expect, expect_same_ruleset,
               github=output_format == "github")


def _gates(evaluation: Evaluation, stamp, thresholds, bands, expect: str | None,
           same_ruleset: bool, github: bool) -> None:
    """Run the CI gates asked for; exit 1 with every reason when any fails. A result expected
    from another ruleset (name, version or sha256) is noted, and fails with ``same_ruleset``."""
    from ccirules import gates
    from ccirules.results import result_document

    failures = gates.below_thresholds(evaluation, thresholds)
    failures += gates.in_bands(evaluation, bands)
    notes = []
    if expect is not None:
        expected = gates.read_expected(expect)
        if isinstance(expected, str):
            raise click.BadParameter(f"cannot use {expect}: {expected}", param_hint="--expect")
        current = result_document(evaluation, stamp)
        moved = gates.drift(current, expected)
        if moved:
            failures.append(f"the result differs from {expect}:\n  " + "\n  ".join(moved))
        changed = gates.ruleset_changes(current, expected)
        if changed:
            text = (f"the ruleset differs from the one {expect} was computed with:\n  "
                    + "\n  ".join(changed))
            (failures if same_ruleset else notes).append(text)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if failures:
        click.echo("gate failed: " + "\ngate failed: ".join(failures), err=True)
    if github:
        from ccirules.annotations import annotation

        for note in notes:
            click.echo(annotation("notice", note, file=expect, title="ruleset changed"))
        for failure in failures:
            click.echo(annotation("error", failure, title="gate failed"))
    if failures:
        sys.exit(ExitCode.GATE_FAILED)


@main.command(epilog=exit_codes_help("explain"))
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--score", "target", metavar="ID", help="The score to explain.")
@click.option("--case", "case_id", metavar="ID", help="Explain what one case contributed.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@_lang_option
@_with_shared_options
def explain(ruleset: str, inputs: tuple[str, ...], target: str | None, case_id: str | None,
            output_format: str, lang: str, by: str | None, allow_unanswered: bool,
            strict: bool) -> None:
    """Explain a score (--score ID) or a case (--case ID) from the answers behind it.

    For a score: the answers counted and left out, by question, with the reason and the ruleset
    line for each, and how many answers would move it to a neighbouring band.
    """
    from ccirules import explain as explaining
    from ccirules.i18n import Titles
    from ccirules.suggest import did_you_mean

    if (target is None) == (case_id is None):
        raise click.UsageError("give either --score ID or --case ID")
    evaluation, _ = _evaluated(ruleset, inputs, by=by, allow_unanswered=allow_unanswered,
                               strict=strict, explaining=True, output_format=output_format)
    titles = Titles(evaluation.ruleset, lang)
    if target is not None:
        _known_score(evaluation, target, "--score")
        found = explaining.explain_score(evaluation, target, titles)
        text = (explaining.render_score_json(found) if output_format == "json"
                else explaining.render_score_text(found, evaluation.ruleset, titles))
    else:
        cases = sorted({record.case for record in evaluation.records})
        if case_id not in cases:
            hint = did_you_mean(case_id, cases)
            raise click.BadParameter(f"there is no case `{case_id}`"
                                     + (f"; {hint}" if hint else ""), param_hint="--case")
        found = explaining.explain_case(evaluation, case_id)
        text = (explaining.render_case_json(found) if output_format == "json"
                else explaining.render_case_text(found, evaluation.ruleset, titles))
    _warn_fallbacks(titles, ruleset, strict, Report(output_format, (ruleset, *inputs)))
    click.echo(text, nl=False)


@main.command("test", epilog=exit_codes_help("test"))
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--junit-xml", type=click.Path(dir_okay=False),
              help="Also write the results as JUnit XML (for CI dashboards); with --threshold, "
                   "coverage is a test case too.")
@click.option("--threshold", type=click.FloatRange(0, 100), metavar="PERCENT",
              help="Fail (exit 1) if the questions, key-question mappings or band rows the tests "
                   "exercise fall below PERCENT.")
@click.option("--format", "output_format", type=click.Choice(["text", "github"]),
              default="text", show_default=True,
              help="github: also write failures as GitHub Actions annotations.")
def test_command(paths: tuple[str, ...], junit_xml: str | None, threshold: float | None,
                 output_format: str) -> None:
    """Run ruleset test files (*.tests.yaml, or folders holding them).

    Each test scores a small set of cases and compares exact scores and bands with what it
    expects; a failure shows both and the explanation. Coverage says which questions, key-question
    mappings and band rows the tests exercised.
    """
    from ccirules import ruleset_tests
    from ccirules.escape import terminal, terminal_lines
    from ccirules.explain import explain_score, render_score_text

    files = []
    for path in paths:
        if os.path.isdir(path):
            files += sorted(os.path.join(folder, name) for folder, _, names in os.walk(path)
                            for name in names if name.endswith(".tests.yaml"))
        else:
            files.append(path)
    loaded, problems = [], []
    for path in files:
        test_file, found = ruleset_tests.load_test_file(path)
        problems += found
        if test_file is not None:
            loaded.append(test_file)
    if problems or not loaded:
        _fail_on_diagnostics(problems, strict=False, report=Report(output_format, tuple(files)))
        raise click.UsageError("no test files found among the paths given")
    passed = failed = 0
    suites = []
    annotations: list[tuple[str, str, dict]] = []  # (title, message, where)
    shortfalls = []
    for test_file in loaded:
        outcomes = ruleset_tests.run_file(test_file)
        click.echo(terminal(f"{test_file.path} ({test_file.ruleset_path})"))
        for outcome in outcomes:
            if not outcome.failures:
                passed += 1
                click.echo(terminal(f"  ok      {outcome.test.name}"))
                continue
            failed += 1
            click.echo(terminal(f"  FAILED  {outcome.test.name} ({outcome.test.span.where})"))
            for failure in outcome.failures:
                click.echo(terminal(f"          {failure}"))
            for name in outcome.failed_scores:
                explained = render_score_text(explain_score(outcome.evaluation, name),
                                              outcome.evaluation.ruleset)
                click.echo("".join(f"          | {line}\n" for line in explained.splitlines()),
                           nl=False)
            annotations.append((f"test failed: {outcome.test.name}",
                                "\n".join(outcome.failures),
                                {"file": test_file.path, "line": outcome.test.span.line}))
        covered = ruleset_tests.coverage(test_file.ruleset, outcomes)
        suites.append((test_file, outcomes, covered))
        for reach in covered.kinds():
            click.echo(f"  coverage: {reach.summary()}")
            if reach.missed:
                click.echo(terminal_lines(_listed("    missed: ", reach.missed)))
        for reach in ruleset_tests.shortfalls(covered, threshold):
            shortfall = f"{test_file.path}: {reach.words} {reach.percent:.0f}% is below " \
                        f"{threshold:g}%"
            shortfalls.append(shortfall)
            annotations.append(("coverage", f"{shortfall}; missed: {', '.join(reach.missed)}",
                                {"file": test_file.path}))
    click.echo(f"{passed} passed, {failed} failed")
    if junit_xml is not None:
        _write(junit_xml, ruleset_tests.junit_xml(suites, threshold),
               ruleset_tests.inputs_of(loaded), Report(output_format, tuple(files)))
    for shortfall in shortfalls:
        click.echo(terminal(f"gate failed: {shortfall}"), err=True)
    if output_format == "github":
        from ccirules.annotations import annotation

        for title, message, where in annotations:
            click.echo(annotation("error", message, title=title, **where))
    if failed or shortfalls:
        sys.exit(ExitCode.GATE_FAILED)


@main.command("diff", epilog=exit_codes_help("diff"))
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.argument("inputs", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True,
              help="Text for a terminal, Markdown for a pull-request comment, or JSON.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the diff to FILE (atomically) instead of the terminal.")
@click.option("--fail-on-band-change", is_flag=True,
              help="Fail (exit 1) if any score lands in another band under NEW.")
@click.option("--allow-unanswered", is_flag=True,
              help="Leave out applicable questions with no answer (a warning), instead of "
                   "showing the scores they feed as not computed.")
def diff_command(old: str, new: str, inputs: tuple[str, ...], output_format: str,
                 output: str | None, fail_on_band_change: bool, allow_unanswered: bool) -> None:
    """What changed from ruleset OLD to NEW and, with INPUTS, what it does to the scores.

    Changes are listed in the ruleset's terms: questions added, removed, retitled or moved,
    conditions, key-question mappings, rules, band rows, limits and rounding. INPUTS (case files
    or folders) are scored under each ruleset separately: every score old -> new with its band,
    band migrations first, and for each changed score the changes and questions behind it and
    how many cases' outcomes changed. Inputs one ruleset cannot read are reported with that
    ruleset's diagnostics (exit 3, after the diff), and its scores shown as not computed.
    """
    from ccirules import diff as diffing
    from ccirules.diff_render import RENDERERS
    from ccirules.escape import terminal
    from ccirules.render import render_diagnostics

    read = [diffing.read_ruleset(path) for path in (old, new)]
    _fail_on_diagnostics([d for _, found in read for d in found], strict=False)
    result = diffing.diff(read[0][0], read[1][0], inputs, allow_unanswered=allow_unanswered)
    for side, which in ((result.old, "OLD"), (result.new, "NEW")):
        if side.diagnostics:
            click.echo(terminal(f"reading the inputs with {which}, {side.ruleset.path}:"),
                       err=True)
            click.echo(render_diagnostics(side.diagnostics), nl=False, err=True)
    text = RENDERERS[output_format](result)
    if output is not None:
        from ccirules.output import write_output

        files = {file.path for side in (result.old, result.new) for file in side.files}
        problem = write_output(output, text, [old, new, *sorted(files)])
        if problem is not None:
            _fail_on_diagnostics([problem], strict=False)
    else:
        click.echo(text, nl=False)
    if result.inputs_invalid:
        sys.exit(ExitCode.INPUT_INVALID)
    moves = result.band_moves
    if fail_on_band_change and moves:
        click.echo(terminal(f"gate failed: {len(moves)} score{'' if len(moves) == 1 else 's'} "
                            "moved band: " + ", ".join(score.name for score in moves)), err=True)
        sys.exit(ExitCode.GATE_FAILED)


def _listed(lead: str, items: tuple[str, ...], width: int = 100) -> str:
    """Items after ``lead``, comma-separated, lines broken only between items."""
    lines, line = [], lead
    for number, item in enumerate(items, 1):
        piece = item + ("," if number < len(items) else "")
        if len(line) + len(piece) + 1 > width and line.strip() != lead.strip():
            lines.append(line.rstrip())
            line = " " * len(lead)
        line += piece + " "
    return "\n".join([*lines, line.rstrip()])


@main.command(epilog=exit_codes_help("verify"))
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.option("--examples", type=click.IntRange(1, 100_000), default=100, show_default=True,
              help="Generated inspections per property.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed for generating inspections (the same seed, the same run).")
@click.option("--counterexamples", type=click.Path(file_okay=False),
              default="verify-counterexamples", show_default=True,
              help="Folder for counterexample case files, written only when a property fails.")
@click.option("--format", "output_format", type=click.Choice(["text", "github"]),
              default="text", show_default=True,
              help="github: also write failed properties as GitHub Actions annotations.")
def verify(ruleset: str, examples: int, seed: int, counterexamples: str,
           output_format: str) -> None:
    """Check that RULESET scores consistently, over generated inspections.

    Properties: scores within bounds; pooled counts are sums of their parts; order changes
    nothing; not-applicable answers change nothing; counts add over disjoint case sets; a better
    answer never lowers a score, band or rating; band edges land in the declared band; every
    question and band row is reachable; output is identical across runs and hash seeds. A
    failure is shrunk to a small inspection and written as a case file to explain.
    """
    from ccirules import verify as verifying
    from ccirules.escape import terminal_lines

    loaded = _loaded(ruleset, strict=False, report=Report(output_format, (ruleset,)))
    results = verifying.verify(ruleset, loaded.compiled, examples, seed, counterexamples)
    annotations = []
    for result in results:
        click.echo(f"{'ok    ' if result.passed else 'FAILED'}  {result.name}")
        if not result.passed:
            lines = [result.message]
            if result.counterexample:
                target = f"--score {result.score}" if result.score else "--case ID"
                lines += [f"counterexample: {result.counterexample}",
                          f"see: ccirules explain {ruleset} {result.counterexample} {target}"]
            click.echo(terminal_lines("".join(f"        {line}\n" for line in lines)), nl=False)
            annotations.append((f"property failed: {result.name}", "\n".join(lines)))
    failed = sum(not result.passed for result in results)
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    if output_format == "github":
        from ccirules.annotations import annotation

        for title, message in annotations:
            click.echo(annotation("error", message, file=ruleset, title=title))
    if failed:
        sys.exit(ExitCode.GATE_FAILED)


@main.command(epilog=exit_codes_help("report"))
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the page to FILE (atomically) instead of the terminal.")
@click.option("--audit", is_flag=True,
              help="Add an appendix explaining every score down to the cases (it names "
                   "cases: not for publication).")
@click.option("--min-count", type=click.IntRange(1, 1000), default=3, show_default=True,
              help="Show counts of the sample's characteristics below N as \"fewer than N\".")
@click.option("--compare", "compare_path", type=click.Path(dir_okay=False),
              metavar="FILE.sqlite",
              help="Add lowest, highest and average columns from the inspections in a results "
                   "store under the same framework (this one left out).")
@click.option("--compare-where", multiple=True, metavar="FACT=VALUE",
              help="Compare only with inspections whose fact has this value "
                   "(nation=Wales). Repeatable.")
@click.option("--sample", multiple=True, metavar="ATTRIBUTE",
              help="Chart these attributes of the sample (default: every one that can be "
                   "charted). Repeatable.")
@_lang_option
@_with_shared_options
def report(ruleset: str, inputs: tuple[str, ...], output: str | None, audit: bool,
           min_count: int, compare_path: str | None, compare_where: tuple[str, ...],
           sample: tuple[str, ...], lang: str, by: str | None, allow_unanswered: bool,
           strict: bool) -> None:
    """Write the inspection report of INPUTS as one self-contained HTML page.

    Headline scores (beside a comparison, with --compare), the scoring summary, charts with
    tables of the same figures, the sample's characteristics, per-question findings, how the
    scores are calculated and the stamp; printable on A4. Without --audit the page names no
    case. The same inputs give the same bytes.
    """
    from ccirules import api
    from ccirules.facts import FACT_KEYS
    from ccirules.output import write_output
    from ccirules.report import ReportOptions, render_report
    from ccirules.report.model import report_identity
    from ccirules.results import Stamp
    from ccirules.store import StoreError, compare

    where = dict(_pairs(compare_where, "--compare-where"))
    for fact in where:
        if fact not in FACT_KEYS:
            raise click.BadParameter(f"`{fact}` is not a fact (facts: {', '.join(FACT_KEYS)})",
                                     param_hint="--compare-where")
    loaded = _loaded(ruleset, strict)
    compiled = loaded.compiled
    for name in [*sample, *([by] if by else [])]:
        if name not in compiled.attributes:
            raise click.BadParameter(f"`{name}` is not an attribute of this ruleset",
                                     param_hint="--by" if name == by else "--sample")
    cases = api.load_cases(inputs, compiled)
    if cases.inspection is None:
        _fail_on_diagnostics(cases.diagnostics, strict)
    evaluation = api.evaluate(compiled, cases.inspection, by=by,
                              allow_unanswered=allow_unanswered, keep_records=audit)
    _fail_on_diagnostics([*loaded.diagnostics, *cases.diagnostics, *evaluation.diagnostics],
                         strict)
    stamp = Stamp(ruleset, loaded.sha256 or "", evaluation.files)
    comparison = None
    if compare_path is not None:
        try:
            comparison = compare(compare_path, compiled.info.title, compiled.info.version,
                                 report_identity(evaluation, stamp), where)
        except StoreError as problem:
            click.echo(f"ccirules: {problem}", err=True)
            sys.exit(ExitCode.INPUT_INVALID)
    options = ReportOptions(lang=lang, audit=audit, min_count=min_count, compare_where=where,
                            sample=sample)
    html, fallbacks = render_report(evaluation, cases.inspection, stamp, options, comparison)
    _warn_fallback_list(fallbacks, ruleset, strict)
    if output is None:
        click.echo(html, nl=False)
        return
    read = [ruleset, *(file.path for file in evaluation.files),
            *([compare_path] if compare_path else [])]
    problem = write_output(output, html, read)
    if problem is not None:
        _fail_on_diagnostics([problem], strict=False)


def _store_result(store_path: str, evaluation: Evaluation, stamp, inputs: Sequence[str],
                  report: Report) -> None:
    """Record the result in a results store, or exit 3 with E450 (as JSON too, with
    ``--format json``, so stdout always holds JSON): a store is an output, never one of the
    ``inputs``."""
    from ccirules.output import refused, unwritable
    from ccirules.results import result_document
    from ccirules.store import StoreError, save_result

    problem = unwritable(store_path, inputs)
    if problem is not None:
        _fail_on_diagnostics([problem], strict=False, report=report)
    try:
        save_result(store_path, result_document(evaluation, stamp))
    except StoreError as problem:
        said = str(problem)
        reason = (said[len(store_path) + 2:] if said.startswith(f"{store_path}: ") else
                  "the store " + said[len(store_path) + 1:] if said.startswith(f"{store_path} ")
                  else said)
        _fail_on_diagnostics([refused(store_path, reason, "check the path names a results "
                                                          "store, or a new file in a folder "
                                                          "you may write to; the store is "
                                                          "unchanged")],
                             strict=False, report=report)


@main.group("store")
def store_group() -> None:
    """Manage a results store (an SQLite file of published scores, for comparisons)."""


@store_group.command("import", epilog=exit_codes_help("store import"))
@click.argument("csv_file", type=click.Path(dir_okay=False))
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False),
              metavar="FILE.sqlite", help="The store to import into (created if need be).")
def store_import(csv_file: str, store_path: str) -> None:
    """Import published figures of inspections from CSV_FILE into a store.

    Columns: area,nation,region,date,ruleset,score,value,band (and optionally type); a row per
    score of an inspection. `ruleset` is the framework's title and version as results print them
    ("Core Case Inspection of youth offending work 2012.1"). An inspection already stored (the
    same ruleset, area and date) is replaced. With any problem, nothing is imported.
    """
    from ccirules.store import StoreError, import_csv

    try:
        count = import_csv(csv_file, store_path)
    except StoreError as problem:
        click.echo(f"ccirules: {problem}", err=True)
        for line in problem.problems:
            click.echo(f"  {line}", err=True)
        sys.exit(ExitCode.INPUT_INVALID)
    click.echo(f"imported {count} inspection{'' if count == 1 else 's'} into {store_path}")


@main.command(epilog=exit_codes_help("history"))
@click.argument("store_path", metavar="FILE.sqlite", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["table", "json"]),
              default="table", show_default=True)
def history(store_path: str, output_format: str) -> None:
    """List the inspections a results store holds."""
    from ccirules.history import render_history
    from ccirules.store import StoreError, stored

    try:
        found = stored(store_path)
    except StoreError as problem:
        click.echo(f"ccirules: {problem}", err=True)
        sys.exit(ExitCode.INPUT_INVALID)
    click.echo(render_history(found, output_format), nl=False)


@main.command("fmt", epilog=exit_codes_help("fmt"))
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--check", is_flag=True,
              help="Change nothing; list the files that would change and exit 1 if any would.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Change nothing; print what would change as a unified diff.")
def fmt(paths: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Lay out rulesets in the canonical layout, keeping every comment.

    PATHS are ruleset files, or folders searched for .rules files; each is rewritten in place
    (atomically, keeping its permissions) only if its layout changes. `-` reads a ruleset from
    standard input and writes it formatted to standard output. Two spaces per level of
    nesting, one clause per line, band rows aligned at `from`; comments stay beside what they
    were written by, and blank lines are kept (one at most). A file with syntax errors is
    reported and left as it is.
    """
    from ccirules import formatter
    from ccirules.escape import terminal

    if "-" in paths and len(paths) > 1:
        raise click.UsageError("`-` (standard input) cannot be formatted with other paths")
    files = formatter.ruleset_files(paths)
    if not files:
        raise click.UsageError("no .rules files found among the paths given")
    results = [formatter.format_file(path) for path in files]
    unwritten: list[Diagnostic] = []
    for result in results:
        if result.path == "-" and result.after is not None and not (check or show_diff):
            click.echo(result.after, nl=False)
        elif result.changed and show_diff:
            click.echo(formatter.unified_diff(result), nl=False)
        elif result.changed and check:
            click.echo(terminal(result.path))
        elif result.changed:
            problem = formatter.rewrite(result)
            if problem is not None:
                unwritten.append(problem)
            else:
                click.echo(terminal(f"reformatted {result.path}"))
    changed = sum(result.changed for result in results)
    failed = sum(result.after is None for result in results) + len(unwritten)
    if paths != ("-",):
        dry = check or show_diff
        done = changed - len(unwritten)
        noun = "ruleset" if done == 1 else "rulesets"
        summary = (f"{done} {noun} {'would be reformatted' if dry else 'reformatted'}, "
                   f"{len(results) - changed - failed + len(unwritten)} already formatted")
        click.echo(summary + (f", {failed} not formatted (errors below)" if failed else ""),
                   err=dry)
    _fail_on_diagnostics([*(d for result in results for d in result.diagnostics), *unwritten],
                         strict=False)
    if check and changed:
        sys.exit(ExitCode.GATE_FAILED)


@main.command(epilog=exit_codes_help("lsp"))
def lsp() -> None:
    """Run the language server for editors, over standard input and output.

    Diagnostics as `check` gives them as you type, hover, go to definition, find references,
    completion, the document outline and formatting as `fmt` does. The VS Code extension in
    editors/vscode starts it; any editor that speaks the Language Server Protocol can.
    """
    from ccirules.lsp.server import serve

    serve()


@main.command(epilog=exit_codes_help("template"))
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="The workbook to write (.xlsx), atomically.")
@click.option("--cases", "count", type=click.IntRange(1, 10_000), default=100,
              show_default=True, help="Rows for cases, with dropdowns and greying.")
@_lang_option
def template(ruleset: str, output: str, count: int, lang: str) -> None:
    """Write an Excel workbook for recording an inspection under RULESET.

    A Cases sheet has a row per case and a column per attribute and question, with dropdowns
    of the values each takes; a question's cells are greyed out where it does not apply. A
    Judgements sheet takes the ratings judged directly, an Inspection sheet the inspection's
    facts. `ccirules eval RULESET WORKBOOK.xlsx` scores the filled workbook.
    """
    from ccirules.template import build_template

    if not output.lower().endswith(".xlsx"):
        raise click.BadParameter("the template is an Excel workbook: name it FILE.xlsx",
                                 param_hint="--output")
    loaded = _loaded(ruleset, strict=False)
    _fail_on_diagnostics(loaded.diagnostics, strict=False)
    workbook, fallbacks = build_template(loaded.compiled, ruleset, cases=count, lang=lang)
    _warn_fallback_list(fallbacks, ruleset, strict=False)
    _write(output, workbook, [ruleset])


@main.command(epilog=exit_codes_help("schema"))
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the schema to FILE (atomically) instead of standard output.")
@click.option("--allow-unanswered", is_flag=True,
              help="Accept cases that leave applicable questions unanswered, as `eval "
                   "--allow-unanswered` does.")
def schema(ruleset: str, output: str | None, allow_unanswered: bool) -> None:
    """Write a JSON Schema (draft 2020-12) for RULESET's case files.

    It describes one case, a list of cases, and a file of `cases:`, `judgements:` and
    `inspection:`, and accepts what `ccirules eval` accepts, so forms and other systems can
    validate case data before it is scored. (Each line of a JSON Lines file is one case:
    `#/$defs/case`.)
    """
    from ccirules.case_schema import case_file_schema

    loaded = _loaded(ruleset, strict=False)
    _fail_on_diagnostics(loaded.diagnostics, strict=False)
    text = case_file_schema(loaded.compiled, allow_unanswered=allow_unanswered)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text, [ruleset])


def _write(path: str, content: str | bytes, inputs: Sequence[str],
           report: Report = TEXT) -> None:
    """Write an output as every output is written (atomically, never over one of the
    command's ``inputs``: :func:`ccirules.output.write_output`), or exit 3 saying why not."""
    from ccirules.output import write_output

    problem = write_output(path, content, inputs)
    if problem is not None:
        _fail_on_diagnostics([problem], strict=False, report=report)


def run() -> None:
    """Entry point that turns an unexpected crash into a short report and exit code 70."""
    try:
        main(standalone_mode=True)
    except Exception as problem:
        click.echo(f"ccirules: internal error: {type(problem).__name__}: {problem}\n"
                   "This is a bug in ccirules, not in your files; please report it with the "
                   "command you ran.", err=True)
        sys.exit(ExitCode.INTERNAL_ERROR)
