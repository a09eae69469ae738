"""A short, bounded round of the fuzzer, through every command (the long run is documented in
tests/fuzz.py), and every failure a long run saved, replayed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import fuzz

REGRESSIONS = Path(__file__).parent / "fuzz_regressions"


def test_generated_runs_never_fail() -> None:
    assert fuzz.run_inline(runs=12, seed_number=7) == []


@pytest.mark.parametrize("folder", sorted(path.name for path in REGRESSIONS.iterdir()
                                          if path.is_dir()))
def test_saved_failures_now_pass(folder: str) -> None:
    fuzz.replay(REGRESSIONS / folder)
