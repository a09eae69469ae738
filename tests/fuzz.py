"""The fuzzer: generated rulesets and case files, through every command.

A run draws a ruleset and a case file and drives them through the whole pipeline: `check` (text
and JSON), `eval` in every format (table; JSON with `--trace` and `--by`; CSV with `--jobs 2`;
Markdown in Welsh with `--by`; and `--output`), `report --audit` (in a quarter of runs),
`explain` (`--score` and `--case`), `test`, `schema` and (in a quarter of runs) `template`, its
workbook read back by `eval`. The ruleset is usually a generated framework
that passes `check` (:func:`tests.frameworks.frameworks` with ``wild=True``: deep nesting, many
values, long and odd names, every number form), sometimes one
edited at random (a generated one or a shipped one), which mostly fails `check` and tests what
every command does then. The case file holds cases and judgements drawn for the ruleset
(:mod:`ccirules.testing`), written as YAML, JSON, JSON Lines, CSV or Excel, and often mutated
structurally: values of other types and sizes, special values (1e999, NaN, 2^63, TRUE, control
characters, formulas), unknown, missing and repeated keys, structures the format does not
expect, other encodings (UTF-16, Latin-1, a BOM, invalid bytes), truncation, random edits, and
for workbooks far, merged and typed cells and corrupted bytes.

A run fails on anything but results and diagnostics: an exception (exit 70 from the command
line), an abort or a signal, a run longer than :data:`RUN_SECONDS`, memory beyond
:data:`MEMORY_BYTES`. And on four oracles: no output, printed or written to a file, holds a
control character (other than line breaks); `test`, given a test file expecting exactly what
`eval` reported, passes (the streamed and the whole-file loaders, and the two paths through the
engine, agree); the same cases in another format give the same scores; inputs are never
modified.

Runs happen in worker processes under a memory limit and a watchdog (so an abort or a hang is
caught and the run's files kept); each run's files are written to ``OUT/current`` before it
starts, and a failing run's files and report are saved in ``OUT/failures/KIND-SEED-RUN``. Saved
failures go in tests/fuzz_regressions/ for tests/test_fuzz.py to replay. The test suite runs a
short round in-process (tests/test_fuzz.py). A long run, one process per core:

    python -m tests.fuzz --runs 50000 --seed 1 --out fuzz-out/1 &
    python -m tests.fuzz --runs 50000 --seed 2 --out fuzz-out/2 &
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import io
import json
import os
import queue
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

import attrs
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from ccirules import testing
from ccirules.api import check_source
from ccirules.cli import main
from ccirules.compiler import compile_ruleset
from ccirules.source import SourceFile
from tests import strategies
from tests.conftest import GOLDEN, RULESETS
from tests.frameworks import frameworks

#: The longest a run (about ten commands) may take, and the most memory a worker may use.
RUN_SECONDS = 60
MEMORY_BYTES = 4 * 1024 ** 3

#: Runs per worker process before a fresh one starts (and per hypothesis seed).
CHUNK = 250

FORMATS = ("yaml", "json", "jsonl", "csv", "xlsx")
SHIPPED = [path.read_text(encoding="utf-8") for path in sorted(RULESETS.glob("*.rules"))]
GOLDEN_RULESET = (GOLDEN / "eval" / "framework.rules").read_text(encoding="utf-8")

#: Any character no output may hold, but the line breaks that separate its lines.
_OUTPUT_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

#: Values a mutation puts in place of another: other types, sizes and spellings.
ODD_VALUES = (16, 16.0, 1.5, -0.0, True, False, None, [], {}, {"a": 1}, "", "   ", " yes ",
              "TRUE", "true", "False", "1e999", 1e308, 10 ** 20, 9223372036854775808,
              -9223372036854775809, "9" * 5000, "\uff19", "NaN", "Infinity", "-Infinity",
              "x" * 10_000, "C1\x1b]0;title\x07", "=HYPERLINK(\"x\")", "@SUM(A1)",
              "\u202eevil", "a\rb", "a\nb", "\x00", "2012-04-01", "0x10", "+5", "1_000")


@attrs.frozen
class RunInput:
    """One run's files (name -> bytes), and what was drawn."""

    files: dict[str, bytes]
    ruleset_valid: bool  # the ruleset was generated to pass check
    format: str
    mutations: tuple[str, ...]
    twin: tuple[str, bytes] | None  # the same cases in another format, for the parity oracle


# ---- drawing a run ---------------------------------------------------------------------------


def draw_run(data: st.DataObject) -> RunInput:
    """A ruleset and a case file for it, drawn (the drawing never fails a run)."""
    draw = data.draw
    kind = draw(st.sampled_from(["generated"] * 7 + ["edited"] * 2 + ["shipped"]))
    if kind == "shipped":
        text = draw(st.sampled_from([*SHIPPED, GOLDEN_RULESET]))
    else:
        text = draw(frameworks(wild=True)).text
    if kind == "edited":
        text = draw(strategies.edited(text))
    checked = check_source(SourceFile("r.rules", text))
    ruleset = compile_ruleset(checked.checked) if checked.ok else None
    ruleset_bytes = _ruleset_bytes(draw, text)
    form = draw(st.sampled_from(FORMATS))
    if ruleset is None:
        ruleset_for_cases = compile_ruleset(check_source(SourceFile("g", GOLDEN_RULESET))
                                            .checked)
    else:
        ruleset_for_cases = ruleset
    inspection = draw(testing.inspections(ruleset_for_cases, max_size=8))
    records = [testing.record_of(case) for case in inspection.cases]
    judgements = dict(inspection.judgements.ratings)
    mutations: list[str] = []
    if draw(st.integers(0, 2)) > 0:
        for _ in range(draw(st.integers(1, 3))):
            mutations.append(_mutate_records(draw, records, judgements))
    twin = None
    if not mutations and ruleset is not None:
        other = draw(st.sampled_from([f for f in FORMATS if f != form]))
        twin = (other, _serialize(draw, other, records, judgements, faithful=True))
    data_bytes = _serialize(draw, form, records, judgements, faithful=not mutations)
    if draw(st.integers(0, 3)) == 0:
        mutation = draw(st.sampled_from(["bom", "utf-16", "latin-1", "crlf", "invalid byte",
                                         "truncated", "edited", "nul"]))
        data_bytes = _mutate_bytes(draw, form, data_bytes, mutation)
        mutations.append(mutation)
        twin = None
    files = {"r.rules": ruleset_bytes, f"cases.{form}": data_bytes}
    return RunInput(files, kind == "generated" or ruleset is not None, form, tuple(mutations),
                    twin)


def _ruleset_bytes(draw, text: str) -> bytes:
    """A ruleset as a file: UTF-8, sometimes with a byte-order mark or CRLF line endings."""
    if draw(st.integers(0, 4)) == 0:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8", errors="surrogatepass")
    return (b"\xef\xbb\xbf" + data) if draw(st.integers(0, 4)) == 0 else data


def _mutate_records(draw, records: list[dict], judgements: dict) -> str:
    """One structural change to the records (or judgements); its name, for the report."""
    choices = ["value", "unknown key", "drop key", "repeat case", "padded id", "many rows",
               "many columns", "judgement"]
    mutation = draw(st.sampled_from(choices))
    if not records:
        records.append({"case": "C1"})
    record = draw(st.sampled_from(records))
    if not record:
        record["case"] = "C1"
    if mutation == "value":
        record[draw(st.sampled_from(sorted(record, key=str)))] = draw(st.sampled_from(ODD_VALUES))
    elif mutation == "unknown key":
        record[draw(st.sampled_from(["remarks", " case", "A1 ", "Case", "cases", "x" * 500,
                                     "\x1b[31m", "1.1"]))] = "x"
    elif mutation == "drop key":
        del record[draw(st.sampled_from(sorted(record, key=str)))]
    elif mutation == "repeat case":
        copy = dict(record)
        if draw(st.booleans()) and isinstance(copy.get("case"), str):
            copy["case"] = f" {copy['case']} "
        records.append(copy)
    elif mutation == "padded id" and "case" in record:
        record["case"] = draw(st.sampled_from([f" {record['case']}", "", " ", 7, 7.5, None,
                                               "C1\u2028"]))
    elif mutation == "many rows":
        records.extend(dict(record, case=f"R{index}") for index in range(draw(
            st.sampled_from([50, 300]))))
    elif mutation == "many columns":
        for index in range(draw(st.sampled_from([20, 200]))):
            record[f"extra{index}"] = "x"
    else:
        name = draw(st.sampled_from([*judgements, "nope"])) if judgements else "nope"
        judgements[name] = draw(st.sampled_from(["good", "", None, 3, "x" * 200]))
    return mutation


def _serialize(draw, form: str, records: list[dict], judgements: dict,
               faithful: bool) -> bytes:
    """Records and judgements in a format. ``faithful`` writes them exactly (for the parity
    oracle); otherwise the writer may also vary the file's structure."""
    shape = "plain" if faithful else draw(st.sampled_from(["plain", "plain", "list", "one",
                                                           "scalar", "nested"]))
    if form in ("yaml", "json"):
        document: object = {"cases": records}
        if judgements:
            document["judgements"] = judgements
        if shape == "list":
            document = records
        elif shape == "one":
            document = records[0] if records else {}
        elif shape == "scalar":
            document = "just text"
        elif shape == "nested":
            document = {"cases": [records]}
        if form == "json":
            return json.dumps(document, ensure_ascii=draw(st.booleans())).encode()
        return _yaml(document).encode()
    if form == "jsonl":
        return "".join(json.dumps(record) + "\n" for record in records).encode()
    header = list(dict.fromkeys(key for record in records for key in record))
    if form == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=draw(st.sampled_from([",", ",", ";", "\t"]))
                            if not faithful else ",", lineterminator="\n")
        writer.writerow(header)
        for record in records:
            writer.writerow([_csv_text(record.get(key)) for key in header])
        return out.getvalue().encode()
    return _workbook(draw, header, records, faithful)


def _yaml(document: object) -> str:
    """YAML in its JSON-compatible flow style, a record per line (every value quoted)."""
    if isinstance(document, dict) and "cases" in document:
        lines = ["cases:"] + [f"  - {json.dumps(item)}" for item in document["cases"]]
        if not document["cases"]:
            lines = ["cases: []"]
        if "judgements" in document:
            lines.append("judgements: " + json.dumps(document["judgements"]))
        return "\n".join(lines) + "\n"
    return json.dumps(document) + "\n"


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def _workbook(draw, header: list, records: list[dict], faithful: bool) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cases" if faithful or draw(st.booleans()) else "Data"
    for column, key in enumerate(header, start=1):
        _put(sheet.cell(1, column), str(key))
    for row, record in enumerate(records, start=2):
        for column, key in enumerate(header, start=1):
            value = record.get(key)
            if isinstance(value, list | dict):
                value = json.dumps(value)
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2 ** 53:
                value = str(value)
            _put(sheet.cell(row, column), value)
    if not faithful:
        change = draw(st.sampled_from(["none", "far cell", "very far cell", "merged",
                                       "formula", "date", "notes first", "corrupt"]))
        if change == "far cell":
            sheet.cell(draw(st.integers(10, 900)), draw(st.integers(1, 300)), "stray")
        elif change == "very far cell":
            sheet.cell(1_048_576, 16_384, "far")
        elif change == "merged" and sheet.max_row > 1:
            sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=2)
        elif change == "formula":
            sheet.cell(2, max(1, len(header)), "=1+1")
        elif change == "date":
            import datetime
            sheet.cell(2, max(1, len(header)), datetime.date(2012, 4, 1))
        elif change == "notes first":
            book.create_sheet("Notes", 0).append(["notes"])
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
        if change == "corrupt":
            changed = bytearray(data)
            for _ in range(draw(st.integers(1, 8))):
                changed[_place(draw, len(changed) - 1)] = draw(st.integers(0, 255))
            data = bytes(changed)
        return data
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(cell, value) -> None:
    """A value in a cell, as Excel can hold it: no control characters, at most 32,000
    characters, text that looks like a formula kept as text."""
    if isinstance(value, str):
        value = _OUTPUT_CONTROLS.sub("", value)[:32_000]
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula stays text


def _place(draw, last: int) -> int:
    """A place from 0 to ``last``, drawn as a share of it: a workbook's length varies with its
    timestamps, and what is drawn must not depend on it."""
    return draw(st.integers(0, 999_999)) * (last + 1) // 1_000_000


def _mutate_bytes(draw, form: str, data: bytes, mutation: str) -> bytes:
    if mutation == "bom":
        return b"\xef\xbb\xbf" + data
    if mutation == "utf-16":
        return data.decode("utf-8", errors="replace").encode("utf-16")
    if mutation == "latin-1":
        return data.replace(b"yes", "y\u00e9s".encode("latin-1"))
    if mutation == "crlf":
        return data.replace(b"\n", b"\r\n")
    if mutation == "invalid byte":
        at = _place(draw, len(data))
        return data[:at] + b"\xff" + data[at:]
    if mutation == "nul":
        at = _place(draw, len(data))
        return data[:at] + b"\x00" + data[at:]
    if mutation == "truncated":
        return data[:_place(draw, len(data))]
    if form == "xlsx":
        return data
    text = data.decode("utf-8", errors="surrogateescape")
    return draw(strategies.edited(text)).encode("utf-8", errors="surrogateescape")


# ---- one run through every command -----------------------------------------------------------


class RunFailedError(Exception):
    """A run that ended in anything but results and diagnostics."""

    def __init__(self, kind: str, report: str) -> None:
        super().__init__(report)
        self.kind = kind
        self.report = report


@attrs.define
class Outcome:
    passed_check: bool
    exits: Counter


def run_pipeline(folder: Path, run: RunInput) -> Outcome:
    """Every command on one run's files (written into ``folder``); raises RunFailedError."""
    for name, data in run.files.items():
        (folder / name).write_bytes(data)
    before = {name: hashlib.sha256(data).hexdigest() for name, data in run.files.items()}
    rules, cases = "r.rules", f"cases.{run.format}"
    exits: Counter = Counter()
    runner = CliRunner()

    def invoke(*args: str) -> object:
        result = runner.invoke(main, list(args), catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            trace = "".join(traceback.format_exception(result.exception))
            raise RunFailedError("internal-error", f"ccirules {' '.join(args)}\n{trace}")
        for stream in (result.stdout, result.stderr):
            found = _OUTPUT_CONTROLS.search(stream)
            if found:
                raise RunFailedError("control-character", f"ccirules {' '.join(args)} wrote "
                                 f"{found.group()!r}:\n{stream[:2000]}")
        exits[result.exit_code] += 1
        if result.exit_code not in (0, 1, 2, 3):
            raise RunFailedError("exit-code", f"ccirules {' '.join(args)} exited "
                             f"{result.exit_code}\n{result.output[:3000]}")
        return result

    with contextlib.chdir(folder):
        checked = invoke("check", rules)
        invoke("check", rules, "--format", "json")
        passed = checked.exit_code == 0
        attribute = _an_attribute(folder / rules) if passed else None
        by = ["--by", attribute] if attribute else []
        invoke("eval", rules, cases, "--allow-unanswered")
        result = invoke("eval", rules, cases, "--format", "json", "--trace",
                        "--allow-unanswered", *by)
        invoke("eval", rules, cases, "--format", "csv", "--jobs", "2")
        invoke("eval", rules, cases, "--format", "markdown", "--lang", "cy", *by)
        invoke("eval", rules, cases, "--format", "json", "--output", "out.json")
        _diffs(invoke, folder, rules, cases, passed)
        _template_and_schema(invoke, folder, rules, passed, before[rules])
        if result.exit_code == 0:
            document = json.loads(result.stdout)
            if int(before[rules][:8], 16) % 4 == 0:  # a quarter of runs: a page costs ~0.15 s
                invoke("report", rules, cases, "--audit", "--allow-unanswered", "-o",
                       "report.html")
            _explain_and_test(invoke, folder, rules, cases, document)
            if run.twin is not None:
                _same_in_another_format(invoke, folder, rules, run.twin, document)
        else:
            invoke("explain", rules, cases, "--case", "C001")
            (folder / "t.tests.yaml").write_text(json.dumps(
                {"ruleset": rules, "tests": [{"name": "t", "case_files": [cases],
                                              "expect": {}}]}), encoding="utf-8")
            invoke("test", "t.tests.yaml")
    for written in ("report.html", "out.json", "junit.xml"):  # outputs written to files
        found = (folder / written).exists() and _OUTPUT_CONTROLS.search(
            (folder / written).read_text(encoding="utf-8"))
        if found:
            raise RunFailedError("control-character", f"{written} holds {found.group()!r}")
    after = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in before}
    if after != before:
        raise RunFailedError("input-modified", f"inputs changed: {sorted(before)}")
    return Outcome(passed, exits)


def _diffs(invoke, folder: Path, rules: str, cases: str, passed: bool) -> None:
    """diff from the golden framework to this ruleset; and, for a ruleset that checks, from
    itself to itself, which must change nothing and move no score."""
    (folder / "golden.rules").write_text(GOLDEN_RULESET, encoding="utf-8")
    invoke("diff", "golden.rules", rules, cases, "--format", "markdown", "--allow-unanswered")
    if not passed:
        return
    result = invoke("diff", rules, rules, cases, "--format", "json", "--allow-unanswered")
    if result.exit_code == 0:
        document = json.loads(result.stdout)
        if document["changes"] or any(score["changed"] for score in document["scores"]):
            raise RunFailedError("diff", f"ccirules diff {rules} {rules} {cases} found changes:"
                                 f"\n{result.stdout[:3000]}")


def _template_and_schema(invoke, folder: Path, rules: str, passed: bool, digest: str) -> None:
    """The ruleset's case-file schema, which must be JSON; and, in a quarter of runs (a workbook
    costs ~0.1 s), its inspection workbook, which `eval` must read back: with no cases in it,
    exactly as an empty inspection (E411)."""
    result = invoke("schema", rules, "-o", "cases.schema.json")
    if result.exit_code == 0:
        json.loads((folder / "cases.schema.json").read_text(encoding="utf-8"))
    elif passed:
        raise RunFailedError("schema", f"ccirules schema failed on a ruleset that checks:\n"
                             f"{result.output[:3000]}")
    if int(digest[8:16], 16) % 4 == 0:
        made = invoke("template", rules, "--cases", "3", "-o", "template.xlsx")
        if made.exit_code == 0:
            read = invoke("eval", rules, "template.xlsx", "--format", "json")
            codes = {found["code"] for found in json.loads(read.stdout)["diagnostics"]
                     if found["severity"] == "error"}
            if codes != {"E411"}:
                raise RunFailedError("template", f"eval of an empty template gave {codes}, "
                                     f"not E411:\n{read.output[:3000]}")
        elif passed:
            raise RunFailedError("template", f"ccirules template failed on a ruleset that "
                                 f"checks:\n{made.output[:3000]}")


def _an_attribute(path: Path) -> str | None:
    found = re.search(r"^attribute (\w+)", path.read_text(encoding="utf-8-sig"), re.MULTILINE)
    return found.group(1) if found else None


def _explain_and_test(invoke, folder: Path, rules: str, cases: str, document: dict) -> None:
    """explain a score and a case; then `test` must pass a test file expecting exactly what
    eval reported."""
    scores = document["scores"]
    if scores:
        invoke("explain", rules, cases, "--score", scores[0]["id"], "--allow-unanswered")
        invoke("explain", rules, cases, "--score", scores[-1]["id"], "--format", "json",
               "--allow-unanswered")
    traced = document.get("trace", {}).get("cases", [])
    if traced:
        invoke("explain", rules, cases, "--case", traced[0]["case"], "--allow-unanswered")
    expect = {score["id"]: {"score": score["display"],
                            "sufficient": _none(score["sufficient"]),
                            "applicable": _none(score["applicable"]),
                            **({"band": score["band"]["label"]} if score["band"] else {})}
              for score in scores}
    test = {"ruleset": rules, "tests": [{"name": "as eval reported", "case_files": [cases],
                                         "allow_unanswered": True, "expect": expect}]}
    (folder / "t.tests.yaml").write_text(json.dumps(test), encoding="utf-8")
    result = invoke("test", "t.tests.yaml", "--junit-xml", "junit.xml")
    if result.exit_code != 0:
        raise RunFailedError("test-disagrees", f"ccirules test, expecting what eval reported:\n"
                         f"{result.output[:4000]}")


def _none(value: object) -> str:
    return "(none)" if value is None else str(value)


def _same_in_another_format(invoke, folder: Path, rules: str, twin: tuple[str, bytes],
                            document: dict) -> None:
    """The same cases in another format give the same numbers."""
    form, data = twin
    (folder / f"twin.{form}").write_bytes(data)
    result = invoke("eval", rules, f"twin.{form}", "--format", "json", "--allow-unanswered")
    if result.exit_code != 0:
        raise RunFailedError("formats-disagree", f"the same cases as {form} did not evaluate:\n"
                         f"{result.output[:4000]}")
    other = json.loads(result.stdout)
    for part in ("cases", "scores", "questions"):
        if document[part] != other[part] and not _judged_only_difference(document, other):
            raise RunFailedError("formats-disagree", f"{part} differ between formats ({form})")


def _judged_only_difference(first: dict, second: dict) -> bool:
    """Judgements are carried by YAML and JSON only: scores that differ only where they
    depend on judgements are not a disagreement between formats."""
    return first["questions"] == second["questions"] and first["cases"] == second["cases"] and \
        any(score["rule"] in ("judged directly", "sum of points") for score in first["scores"])


# ---- workers and the long run ----------------------------------------------------------------


def work(seed_number: int, chunk: int, runs: int, out: Path, report, skip: int = 0) -> None:
    """A worker: ``runs`` runs drawn from hypothesis seeded by (seed, chunk), the first
    ``skip`` of them drawn but not run (a restarted chunk); each run's files go to
    ``out/current`` first; a failure is saved and reported, and the runs go on."""
    current = out / "current"
    counter = [0]

    def failed(kind: str, index: int, text: str) -> None:
        report(f"FAIL {kind} {save_failure(out, current, kind, chunk, index, text)}")

    @settings(max_examples=runs, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), print_blob=False)
    @seed(seed_number * 1_000_003 + chunk)
    @given(data=st.data())
    def one(data: st.DataObject) -> None:
        run = draw_run(data)
        index = counter[0]
        counter[0] += 1
        if index < skip:
            return
        shutil.rmtree(current, ignore_errors=True)
        current.mkdir(parents=True)
        (current / "run.json").write_text(json.dumps(
            {"seed": seed_number, "chunk": chunk, "run": index, "format": run.format,
             "mutations": run.mutations}))
        for name, content in run.files.items():
            (current / name).write_bytes(content)
        with tempfile.TemporaryDirectory() as place:
            started = time.monotonic()
            signal.alarm(RUN_SECONDS)
            try:
                outcome = run_pipeline(Path(place), run)
                report(f"RUN {chunk} {index} {int(outcome.passed_check)} {run.format}")
            except RunFailedError as failure:
                failed(failure.kind, index, failure.report)
            except _Timeout:
                failed("hang", index, traceback.format_exc())
            except MemoryError:
                failed("memory", index, traceback.format_exc())
            except Exception:  # an exception in the harness's own checks is a failure too
                failed("exception", index, traceback.format_exc())
            finally:
                signal.alarm(0)
            if time.monotonic() - started > RUN_SECONDS:
                failed("slow", index, f"the run took {time.monotonic() - started:.0f} s")

    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        one()
    finally:
        signal.signal(signal.SIGALRM, previous)


class _Timeout(BaseException):
    """Raised in a worker when a run passes RUN_SECONDS (a BaseException, so nothing in the
    code under test can swallow it)."""


def _on_alarm(signum, frame) -> None:
    raise _Timeout


def save_failure(out: Path, current: Path, kind: str, chunk: int, index: int,
                 report: str) -> str:
    place = out / "failures" / f"{kind}-{chunk}-{index}"
    shutil.rmtree(place, ignore_errors=True)
    shutil.copytree(current, place)
    (place / "report.txt").write_text(report, encoding="utf-8", errors="replace")
    return str(place)


def replay(folder: Path) -> Outcome:
    """Run a saved run's files through every command again (tests/test_fuzz.py replays
    tests/fuzz_regressions/ this way)."""
    meta = json.loads((folder / "run.json").read_text())
    files = {path.name: path.read_bytes() for path in folder.iterdir()
             if path.name not in ("run.json", "report.txt")}
    run = RunInput(files, True, meta["format"], tuple(meta["mutations"]), None)
    with tempfile.TemporaryDirectory() as place:
        return run_pipeline(Path(place), run)


def run_inline(runs: int, seed_number: int) -> list[str]:
    """A short round in this process (the test suite's): the failures' reports."""
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as out:
        work(seed_number, 0, runs, Path(out),
             lambda line: failures.append(line) if line.startswith("FAIL") else None)
        return [f"{line}\n{(Path(line.split(' ', 2)[2]) / 'report.txt').read_text()}"
                for line in failures]


def _worker_main(arguments) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    os.environ["CCIRULES_CACHE_DIR"] = tempfile.mkdtemp(prefix="ccirules-fuzz-cache-")
    work(arguments.seed, arguments.chunk, arguments.chunk_runs, Path(arguments.out),
         lambda line: print(line, flush=True), arguments.skip)


def long_run(arguments) -> int:
    """Workers chunk after chunk, each watched: one that dies (an abort, a signal, the memory
    limit) or falls silent past the bound has its current run saved as a failure and is
    restarted after it. A summary goes to OUT/summary.json after every chunk."""
    out = Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    stats: Counter = Counter()
    failures: list[str] = []
    started = time.monotonic()
    chunks = -(-arguments.runs // CHUNK)
    for chunk in range(chunks):
        count = min(CHUNK, arguments.runs - chunk * CHUNK)
        done = 0
        while done < count:
            ended, ran = _watch_worker(arguments, out, chunk, count, done, stats, failures)
            done += ran
            if ended != 0:  # died or hung: its current run is the failure; go on after it
                kind = "hang" if ended == "hang" else "abort"
                stats["runs"] += 1
                stats[f"failure {kind}"] += 1
                failures.append(f"FAIL {kind} " + save_failure(
                    out, out / "current", kind, chunk, done, f"worker ended: {ended}"))
                done += 1
        elapsed = time.monotonic() - started
        print(f"seed {arguments.seed} chunk {chunk + 1}/{chunks}: {stats['runs']:,} runs, "
              f"{stats['passed check']:,} passed check, "
              f"{sum(v for k, v in stats.items() if k.startswith('failure'))} failures, "
              f"{elapsed:,.0f} s", flush=True)
        (out / "summary.json").write_text(json.dumps(
            {"seed": arguments.seed, "runs requested": arguments.runs, "chunk": CHUNK,
             "seconds": round(elapsed), "stats": dict(sorted(stats.items())),
             "failures": failures}, indent=2))
    return 1 if failures else 0


def _watch_worker(arguments, out: Path, chunk: int, count: int, skip: int, stats: Counter,
                  failures: list[str]) -> tuple[int | str, int]:
    """Run one worker over a chunk from ``skip``; how it ended (0, a return code, or "hang")
    and how many runs it reported."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fuzz", "--worker", "--seed", str(arguments.seed),
         "--chunk", str(chunk), "--chunk-runs", str(count), "--skip", str(skip),
         "--out", str(out)], stdout=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            lines.put(line)
        lines.put(None)  # the worker has ended (or closed its output)

    threading.Thread(target=read, daemon=True).start()
    ran = 0
    while True:
        try:
            line = lines.get(timeout=2 * RUN_SECONDS + 30)
        except queue.Empty:
            process.kill()
            process.wait()
            return "hang", ran
        if line is None:
            process.wait()
            return process.returncode or "ended early", ran
        kind, *rest = line.split()
        ran += 1
        stats["runs"] += 1
        if kind == "RUN":
            stats["passed check"] += int(rest[2])
            stats[f"format {rest[3]}"] += 1
        else:
            stats[f"failure {rest[0]}"] += 1
            failures.append(line.strip())
        if skip + ran == count:
            process.wait()
            return process.returncode, ran


def main_cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="fuzz-out")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--chunk", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--chunk-runs", type=int, default=CHUNK, help=argparse.SUPPRESS)
    parser.add_argument("--skip", type=int, default=0, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        _worker_main(arguments)
        return
    sys.exit(long_run(arguments))


if __name__ == "__main__":
    main_cli()
