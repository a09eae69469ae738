"""Scoring in pieces and in several processes: the same output, byte for byte, as one process
reading every file whole, wherever the cuts fall (inside records, inside quoted CSV fields that
hold line breaks) and whatever the inputs hold (errors, repeats, unanswered questions); and the
same numbers and per-answer outcomes as the oracle."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules import pieces
from ccirules.api import evaluate_files, load_ruleset
from ccirules.render import render_diagnostics
from ccirules.results import Stamp, render_result_json
from ccirules.testing import case_sets, record_of
from tests import oracle
from tests.conftest import GOLDEN
from tests.frameworks import frameworks
from tests.helpers import compiled

FRAMEWORK = load_ruleset(str(GOLDEN / "eval" / "framework.rules")).compiled
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def output(ruleset, paths, **options) -> str:
    """Everything `eval --format json --trace` shows: diagnostics, then the result."""
    evaluation = evaluate_files(ruleset, [str(path) for path in paths], trace=True,
                                allow_unanswered=True, **options)
    stamp = Stamp("r.rules", "0" * 64, evaluation.files)
    return render_diagnostics(list(evaluation.diagnostics)) + render_result_json(evaluation,
                                                                                 stamp)


def whole_and_cut(monkeypatch, ruleset, paths, forked: bool = True) -> list[str]:
    """The output read whole in one process; then cut into tiny pieces: read in this process
    (as where workers cannot be forked), in forked workers, and (CSV too large to read whole)
    in one process."""
    outputs = [output(ruleset, paths, jobs=1)]
    monkeypatch.setattr(pieces, "PIECE_BYTES", 331)
    monkeypatch.setattr(pieces, "_SCAN_BYTES", 127)
    cut, _ = pieces.cut(pieces.whole_files([str(path) for path in paths], []))
    if sum(path.stat().st_size for path in paths) > 1000:
        assert len(cut) > len(paths)  # the cutting happened
    with monkeypatch.context() as patched:
        patched.setattr(pieces, "_fork_context", lambda: None)
        outputs.append(output(ruleset, paths, jobs=2))
    if forked:
        outputs.append(output(ruleset, paths, jobs=2))
    monkeypatch.setattr(pieces, "MAX_CASE_FILE_BYTES", 331)
    outputs.append(output(ruleset, paths, jobs=1))
    monkeypatch.undo()
    return outputs


def _csv(records: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


RECORD = {"case": "C1", "setting": "custody", "age": 16, "office": "North", "A1": "yes",
          "A2": "yes", "A3": "no", "B1": "na", "B2": "yes"}


@settings(SETTINGS, max_examples=15)
@given(data=st.data())
def test_any_cut_gives_the_one_process_output(tmp_path, monkeypatch, data) -> None:
    count = data.draw(st.integers(1, 40))
    records = []
    for index in range(count):
        record = {**RECORD, "case": f"C{index:03d}", "age": 16 + index % 2,
                  "setting": ("custody", "community")[index % 2],
                  # offices with quotes, commas and line breaks, for CSV's quoted fields
                  "office": data.draw(st.sampled_from(["North", 'the "old" office',
                                                       "East,\nsecond floor", "a\r\nb"]))}
        trouble = data.draw(st.sampled_from(["none"] * 6 + ["repeat", "bad", "unanswered"]))
        if trouble == "repeat" and index:
            record["case"] = f"C{data.draw(st.integers(0, index - 1)):03d}"
        elif trouble == "bad":
            record["A1"] = "maybe"
        elif trouble == "unanswered":
            del record["A2"]
        records.append(record)
    jsonl = tmp_path / "cases.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records))
    table = tmp_path / "cases.csv"
    table.write_text(_csv(records, list(RECORD)), newline="")
    for paths, forked in (([jsonl], False), ([table], False), ([jsonl, table], True)):
        first, *others = whole_and_cut(monkeypatch, FRAMEWORK, paths, forked)
        assert all(other == first for other in others), paths


def test_a_csv_that_cannot_be_read_gives_what_the_whole_file_gives(tmp_path, monkeypatch):
    rows = "".join(f"C{i},custody,16,North,yes,yes,no,na,yes\r\n" for i in range(40))
    table = tmp_path / "cases.csv"
    table.write_text("case,setting,age,office,A1,A2,A3,B1,B2\r\n" + rows
                     + 'C99,"custody,16\r\n' + rows.replace("C", "D"), newline="")
    first, *others = whole_and_cut(monkeypatch, FRAMEWORK, [table])
    assert all(other == first for other in others)
    assert "E401" in first and "C1 " not in first


@SETTINGS
@given(data=st.data())
def test_numbers_and_outcomes_are_the_oracles_with_and_without_jobs(tmp_path, monkeypatch,
                                                                      data) -> None:
    ruleset = compiled(data.draw(frameworks()).text)
    cases = data.draw(case_sets(ruleset, min_size=1, complete=data.draw(st.booleans())))
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(record_of(case)) + "\n" for case in cases))
    expected = oracle.tallies(ruleset, cases)
    decided = {(d.case, d.question): d.outcome for case in cases
               for d in oracle.decisions(ruleset, case)}
    monkeypatch.setattr(pieces, "PIECE_BYTES", 101)
    monkeypatch.setattr(pieces, "_SCAN_BYTES", 64)
    for jobs in (1, 2):
        evaluation = evaluate_files(ruleset, [str(path)], trace=True, allow_unanswered=True,
                                    jobs=jobs)
        for question in ruleset.questions:
            tally = evaluation.tallies[question.name]
            assert (tally.sufficient, tally.insufficient, tally.not_applicable,
                    tally.does_not_apply, tally.unanswered) == expected[question.name]
        legends = dict(zip(ruleset.evaluation_order, ruleset.scorer.legends, strict=True))
        for trace in evaluation.trace:
            for question, code in zip(ruleset.evaluation_order, trace.codes, strict=True):
                assert legends[question][code].outcome is decided[(trace.case, question)]


def test_the_default_is_every_cpu_for_large_inputs_only(tmp_path, monkeypatch) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps(RECORD) + "\n")
    assert pieces.default_jobs([str(small)]) == 1
    monkeypatch.setattr(pieces, "PARALLEL_BYTES", 10)
    monkeypatch.setattr(pieces, "available_cpus", lambda: 3)
    assert pieces.default_jobs([str(small)]) == 3


@pytest.mark.parametrize("jobs", [1, 2])
def test_many_files_in_several_processes(jobs) -> None:
    """Many whole files (the YAML example) score the same in any number of processes."""
    from tests.conftest import ROOT

    ruleset = load_ruleset(str(ROOT / "rulesets" / "cci-youth-2012.rules")).compiled
    cases = ROOT / "examples" / "northamptonshire-2012" / "cases"
    reference = output(ruleset, [cases], jobs=1)
    assert output(ruleset, [cases], jobs=jobs) == reference
