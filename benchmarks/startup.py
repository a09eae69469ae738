"""What a command costs before any case is scored: imports, loading the ruleset, building the
scorer; and one whole inspection from the command line.

    python benchmarks/startup.py [--runs 15]

Measures, each in fresh processes, best and median of ``--runs``:

- which heavy libraries ``ccirules --version`` imports (it should import none of lark, msgspec,
  yaml or the node classes);
- the fixed cost of `eval` with a warm compiled-ruleset cache: CPU time from interpreter start to
  a scorer ready to count (imports, ruleset load, scorer build), for the 2012 ruleset;
- the same with the cache disabled (parse, check, compile and generate every time);
- `ccirules eval` end to end on one inspection of 99 cases (the 2012 ruleset, YAML case files),
  wall time, with a warm cache and with a cold one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULESET = ROOT / "rulesets" / "cci-youth-2012.rules"
EXAMPLE = ROOT / "examples" / "northamptonshire-2012" / "cases"

FIXED_COST = """
import time
from ccirules.cli import main  # what the command imports first
from ccirules.api import load_ruleset
loaded = load_ruleset({ruleset!r})
loaded.compiled.scorer.count  # the counting function, ready
print(time.process_time())
"""


def inspection_of_99(folder: Path) -> Path:
    """The 62 example cases and 37 more (copies under new ids): one inspection of 99. The
    example's inspection facts (``inspection.yaml``) hold no case, so they are not copied."""
    cases = folder / "cases"
    cases.mkdir()
    originals = sorted(path for path in EXAMPLE.glob("*.yaml") if path.stem != "inspection")
    for index in range(99):
        source = originals[index % len(originals)]
        text = source.read_text().replace(f"case: {source.stem}", f"case: X{index:03d}")
        (cases / f"X{index:03d}.yaml").write_text(text)
    return cases


def seconds(values: list[float]) -> str:
    return f"best {min(values) * 1000:6.1f} ms, median {statistics.median(values) * 1000:6.1f} ms"


def run(command: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, env=environment, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        cases = inspection_of_99(folder)
        cache = folder / "cache"
        warm = {**os.environ, "CCIRULES_CACHE_DIR": str(cache)}
        cold = {**os.environ, "CCIRULES_CACHE": "off"}

        imported = run([python, "-X", "importtime", "-m", "ccirules", "--version"], warm).stderr
        heavy = [name for name in ("lark", "msgspec", "yaml", "ccirules.nodes")
                 if f" {name}\n" in imported or f" {name}." in imported]
        found = ", ".join(heavy) or "none of lark, msgspec, yaml, nodes"
        print(f"ccirules --version imports: {found}")

        script = FIXED_COST.format(ruleset=str(RULESET))
        run([python, "-c", script], warm)  # fills the cache
        for label, environment in (("warm cache", warm), ("no cache", cold)):
            cpu = [float(run([python, "-c", script], environment).stdout) for _ in range(runs)]
            print(f"fixed cost, {label:10}: CPU {seconds(cpu)}")

        command = [python, "-m", "ccirules", "eval", str(RULESET), str(cases)]
        for label in ("warm cache", "cold cache"):
            walls = []
            for _ in range(runs):
                if label == "cold cache":
                    shutil.rmtree(cache, ignore_errors=True)
                began = time.perf_counter()
                run(command, warm)
                walls.append(time.perf_counter() - began)
            print(f"eval, 99 cases, {label}: wall {seconds(walls)}")


if __name__ == "__main__":
    main()
