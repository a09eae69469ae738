"""A short, bounded round of the fuzzer over every target (the long run is documented in
tests/fuzz.py)."""

from __future__ import annotations

import pytest

from tests import fuzz


@pytest.mark.parametrize("target", fuzz.TARGETS)
def test_mutated_inputs_never_raise(target: str) -> None:
    assert fuzz.run(target, inputs=60, seed=7) == []
