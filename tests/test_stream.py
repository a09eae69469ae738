"""The streaming path (eval's): the same tallies and diagnostics as the whole-file loaders,
whatever the chunk size, with rejected lines located exactly."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules.api import evaluate_files, load_cases, load_ruleset
from ccirules.evaluator import evaluate
from ccirules.loaders import stream
from tests.conftest import GOLDEN

RULESET = load_ruleset(str(GOLDEN / "eval" / "framework.rules")).compiled
FORMATS = GOLDEN / "eval" / "formats"


def streamed(paths, **options):
    return evaluate_files(RULESET, [str(p) for p in paths], **options)


@pytest.mark.parametrize("name", ["cases.json", "cases.jsonl", "cases.csv", "cases.xlsx"])
def test_streaming_matches_loading_whole(name: str) -> None:
    whole = evaluate(RULESET, load_cases([str(FORMATS / name)], RULESET).inspection)
    assert streamed([FORMATS / name]).tallies == whole.tallies


def _record(index: int, good: bool = True) -> dict:
    return {"case": f"C{index:04d}", "setting": "custody" if index % 2 else "community",
            "age": 10 + index % 8, "A1": "yes" if good else "maybe", "A2": "no",
            "A3": "yes" if index % 2 else None, "B1": "na", "B2": "yes" if index % 8 >= 6 else None}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(chunk=st.integers(1, 600), count=st.integers(0, 40), blank=st.booleans())
def test_any_chunk_size_gives_the_same_result(tmp_path, monkeypatch, chunk, count, blank) -> None:
    path = tmp_path / "cases.jsonl"
    lines = [json.dumps({k: v for k, v in _record(i).items() if v is not None})
             for i in range(count)]
    path.write_text(("\n\n" if blank else "\n").join(lines) + "\n")
    reference = streamed([path])
    monkeypatch.setattr(stream, "CHUNK_BYTES", chunk)
    assert streamed([path]).tallies == reference.tallies
    assert streamed([path]).cases == count


def test_a_rejected_line_is_located_and_the_rest_still_read(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(stream, "CHUNK_BYTES", 64)
    path = tmp_path / "cases.jsonl"
    records = [_record(i) for i in range(6)]
    records[3]["A1"] = "maybe"
    path.write_text("\n".join(json.dumps({k: v for k, v in r.items() if v is not None})
                              for r in records) + "\n")
    evaluation = streamed([path])
    (problem,) = [d for d in evaluation.diagnostics if d.code == "E403"]
    assert problem.span.line == 4
    assert problem.span.source.line_text(4)[problem.span.column - 1:].startswith('"maybe"')


def test_repeats_across_files_and_formats(tmp_path) -> None:
    first = tmp_path / "a.yaml"
    first.write_text("case: C0001\nsetting: custody\nage: 11\nA1: yes\nA2: no\nA3: yes\n"
                     "B1: na\n")
    second = tmp_path / "b.jsonl"
    second.write_text(json.dumps({k: v for k, v in _record(1).items() if v is not None}) + "\n")
    evaluation = streamed([first, second])
    (repeat,) = [d for d in evaluation.diagnostics if d.code == "E404"]
    assert repeat.span.path == str(second) and repeat.related[0].span.path == str(first)


def test_unanswered_questions_are_located_in_json_lines(tmp_path) -> None:
    path = tmp_path / "cases.jsonl"
    record = {k: v for k, v in _record(1).items() if v is not None}
    del record["A2"]
    path.write_text("\n" + json.dumps(record) + "\n")
    (problem,) = streamed([path]).diagnostics
    assert (problem.code, problem.span.line) == ("E405", 2)


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf"], ids=["plain", "byte-order mark"])
def test_the_stamped_digest_is_the_files_sha256(tmp_path, prefix: bytes) -> None:
    import hashlib

    data = prefix + (FORMATS / "cases.jsonl").read_bytes()
    path = tmp_path / "cases.jsonl"
    path.write_bytes(data)
    (stamped,) = streamed([path]).files
    assert stamped.sha256 == hashlib.sha256(data).hexdigest()
