"""Fuzzing the parser and every case-file loader with mutated valid inputs.

Each target starts from valid input (the shipped rulesets; the golden inspection in every
format) and applies random edits: deletions, insertions of keywords and troublesome characters,
duplications, swaps (see ``strategies.edited``); workbooks get random byte changes. Anything but a
result or diagnostics, that is any exception, is a failure, reported with the input that caused
it. The test suite runs a short bounded round (tests/test_fuzz.py); a long run is:

    python -m tests.fuzz --inputs 100000 [--target ruleset] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules.api import check_source, load_cases, load_ruleset
from ccirules.diagnostics import has_errors
from ccirules.render import render_diagnostics
from ccirules.source import SourceFile
from tests import strategies
from tests.conftest import GOLDEN, RULESETS

FORMATS = GOLDEN / "eval" / "formats"
SEEDS = {
    "ruleset": [path.read_text(encoding="utf-8") for path in sorted(RULESETS.glob("*.rules"))],
    "yaml": [(GOLDEN / "eval" / "inspection" / "cases.yaml").read_text(encoding="utf-8")],
    "json": [(FORMATS / "cases.json").read_text(encoding="utf-8")],
    "jsonl": [(FORMATS / "cases.jsonl").read_text(encoding="utf-8")],
    "csv": [(FORMATS / "cases.csv").read_text(encoding="utf-8")],
}
TARGETS = (*SEEDS, "xlsx")


def check_ruleset_text(text: str) -> None:
    result = check_source(SourceFile("fuzzed.rules", text))
    render_diagnostics(result.diagnostics)


def check_case_file(target: str, folder: Path, data: bytes) -> None:
    ruleset = _ruleset()
    path = folder / f"cases.{target}"
    path.write_bytes(data)
    result = load_cases([str(path)], ruleset)
    assert result.inspection is not None or has_errors(result.diagnostics)
    render_diagnostics(result.diagnostics)


_RULESET = []


def _ruleset():
    if not _RULESET:
        _RULESET.append(load_ruleset(str(GOLDEN / "eval" / "framework.rules")).compiled)
    return _RULESET[0]


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    changed = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        changed[rng.randrange(len(changed))] = rng.randrange(256)
    return bytes(changed)


def run(target: str, inputs: int, seed: int) -> list[str]:
    """Fuzz one target with ``inputs`` mutated inputs; return the failures, as reports."""
    failures: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="ccirules-fuzz-"))
    if target == "xlsx":
        rng = random.Random(seed)
        original = (FORMATS / "cases.xlsx").read_bytes()
        for _ in range(inputs):
            data = mutate_bytes(original, rng)
            try:
                check_case_file("xlsx", folder, data)
            except Exception:  # any exception at all is what fuzzing looks for
                failures.append(traceback.format_exc())
        return failures

    @settings(max_examples=inputs, deadline=None, database=None, derandomize=False,
              phases=[settings.default.phases[2]], suppress_health_check=list(HealthCheck))
    @given(seed_text=st.sampled_from(SEEDS[target]), data=st.data())
    def one(seed_text: str, data: st.DataObject) -> None:
        text = data.draw(strategies.edited(seed_text))
        try:
            if target == "ruleset":
                check_ruleset_text(text)
            else:
                check_case_file(target, folder,
                                text.encode("utf-8", errors="surrogatepass"))
        except Exception:  # any exception at all is what fuzzing looks for
            failures.append(f"input {text!r}\n{traceback.format_exc()}")

    random.seed(seed)
    one()
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000,
                        help="inputs in all, shared between the targets")
    parser.add_argument("--target", choices=TARGETS, action="append")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    targets = arguments.target or list(TARGETS)
    each = max(1, arguments.inputs // len(targets))
    total_failures = 0
    started = time.perf_counter()
    for target in targets:
        began = time.perf_counter()
        failures = run(target, each, arguments.seed)
        total_failures += len(failures)
        print(f"{target:8} {each:8,} inputs  {len(failures)} failures  "
              f"{time.perf_counter() - began:7.1f} s", flush=True)
        for report in failures[:3]:
            print(report[-3000:], file=sys.stderr)
    print(f"{each * len(targets):,} inputs, {total_failures} failures, "
          f"{time.perf_counter() - started:.0f} s")
    sys.exit(1 if total_failures else 0)


if __name__ == "__main__":
    main()
