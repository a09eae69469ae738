"""What hostile inputs cost: time and peak memory of the commands that meet them.

Each input of the bad-input catalogue's resource rows (tests/bad_input.py) is made at full size
in a temporary folder, and the command that meets it runs in a fresh process with the on-disk
cache off, best of RUNS, its peak resident memory taken from the operating system. Every input
must end in the exit code shown (a diagnostic, exit 3; or a result, exit 0). Run:

    python benchmarks/hostile_inputs.py [RUNS]

and compare with docs/performance.md ("Hostile inputs").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK = ROOT / "tests" / "golden" / "eval" / "framework.rules"
SCALE = "scale s value yes means sufficient value no means insufficient end\n"
GROUP = 'level g "G" scored as proportion sufficient of its questions\n'


def _questions(count: int, condition: str = "") -> str:
    return ('ruleset "Many"\n' + SCALE + "attribute a yes or no\n" + GROUP
            + f'g G "G"{condition}\n' + "".join(f"  question q{i}\n" for i in range(count))
            + "end\n")


def _nested(depth: int) -> str:
    levels = "".join(f'level l{i} "L"' + (f" within l{i - 1}" if i else "")
                     + " scored as proportion sufficient of its questions\n"
                     for i in range(depth))
    groups = "".join(f'l{i} G{i} "G" applies when age > {i % 50}\n' for i in range(depth))
    return ('ruleset "Deep"\n' + SCALE + "attribute age whole number from 0 to 99\n" + levels
            + groups + "question q\n" + "end\n" * depth)


def _far_cell_workbook(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cases"
    sheet.append(["case", "setting", "age"])
    sheet.append(["C1", "custody", 16])
    sheet.cell(1_048_576, 16_384, "far")
    book.save(path)


def _inflating_workbook(path: Path) -> None:
    """A small workbook with a member that inflates to 300 MiB of spaces."""
    _far_cell_workbook(path)
    with zipfile.ZipFile(path) as original:
        members = {name: original.read(name) for name in original.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
        with out.open("xl/padding.xml", "w") as padding:
            block = b" " * (1 << 20)
            for _ in range(300):
                padding.write(block)


#: (what, the file it needs, how to make it, the command's arguments after `ccirules`, exit)
CASES: list[tuple[str, str, Callable[[Path], None], list[str], int]] = [
    ("CSV header of 200,001 unknown columns", "wide.csv",
     lambda p: p.write_text("case," + ",".join(f"X{i}" for i in range(200_001)) + "\nC1"
                            + ",y" * 200_001 + "\n"), ["eval", "{rules}", "{file}"], 3),
    ("CSV of 1,000,000 rows, a mistake on each", "rows.csv",
     lambda p: p.write_text("case,setting,age,office,A1,A2,A3,B1,B2\n" + "".join(
         f"C{i},prison,16,North,yes,yes,yes,yes,no\n" for i in range(1_000_000))),
     ["eval", "{rules}", "{file}"], 3),
    ("CSV of 110,000 valid rows, 990,000 cells", "valid.csv",
     lambda p: p.write_text("case,setting,age,office,A1,A2,A3,B1,B2\n" + "".join(
         f"C{i},custody,16,North,yes,yes,yes,yes,no\n" for i in range(110_000))),
     ["eval", "{rules}", "{file}"], 0),
    ("JSON of 2,500,000 numbers", "numbers.json",
     lambda p: p.write_text("[" + ",".join(["0"] * 2_500_000) + "]"),
     ["eval", "{rules}", "{file}"], 3),
    ("YAML of 2,500,000 numbers", "numbers.yaml",
     lambda p: p.write_text("- 0\n" * 2_500_000), ["eval", "{rules}", "{file}"], 3),
    ("YAML at the limit: 110,000 cases, 1,000,000 values", "cases.yaml",
     lambda p: p.write_text("".join(
         f'- {{case: C{i}, setting: custody, age: 16, A1: "yes"}}\n' for i in range(110_000))),
     ["eval", "{rules}", "{file}", "--allow-unanswered"], 0),
    ("Workbook of 4.9 KB with a cell at XFD1048576", "far.xlsx", _far_cell_workbook,
     ["eval", "{rules}", "{file}"], 3),
    ("Workbook inflating to 300 MiB", "bomb.xlsx", _inflating_workbook,
     ["eval", "{rules}", "{file}"], 3),
    ("JSON Lines with a line of 65 MiB", "long.jsonl",
     lambda p: p.write_bytes(b'{"case": "' + b"x" * (65 << 20) + b'"}\n'),
     ["eval", "{rules}", "{file}"], 3),
    ("A link to /dev/zero as JSON Lines", "zero.jsonl", lambda p: p.symlink_to("/dev/zero"),
     ["eval", "{rules}", "{file}"], 3),
    ("Ruleset of 100,000 questions: check", "many.rules",
     lambda p: p.write_text(_questions(100_000)), ["check", "{file}"], 3),
    ("Ruleset at the limit, 5,000 questions: check", "limit.rules",
     lambda p: p.write_text(_questions(5_000)), ["check", "{file}"], 0),
    ("Ruleset at the limit, 5,000 questions: eval --trace", "limit.rules",
     lambda p: p.write_text(_questions(5_000)),
     ["eval", "{file}", "{cases}", "--format", "json", "--trace", "--allow-unanswered"], 0),
    ("A 2,000-term group condition over 4,000 questions: check", "long.rules",
     lambda p: p.write_text(_questions(4_000, " applies when " + " or ".join(
         ["a is yes"] * 2_000))), ["check", "{file}"], 3),
    ("A number of 5,000 digits, and 99999999 decimal places: check", "numbers.rules",
     lambda p: p.write_text('ruleset "N"\n  round half up to 99999999 decimal places\n'
                            "attribute age whole number from 0 to " + "9" * 5_000 + "\n"),
     ["check", "{file}"], 3),
    ("A question under 125 nested groups: eval --trace", "deep.rules",
     lambda p: p.write_text(_nested(125)),
     ["eval", "{file}", "{deep_cases}", "--format", "json", "--trace"], 0),
]


def measure(arguments: list[str], runs: int, folder: Path) -> tuple[float, float, int]:
    """Best wall time (s) and the peak resident memory (MB) of a fresh `ccirules` process."""
    best, peak, code = float("inf"), 0.0, -1
    environment = {**os.environ, "CCIRULES_CACHE": "off"}
    for _ in range(runs):
        script = ("import resource, subprocess, sys, time\n"
                  "start = time.perf_counter()\n"
                  "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,"
                  " stderr=subprocess.DEVNULL)\n"
                  "print(time.perf_counter() - start, "
                  "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)\n")
        done = subprocess.run([sys.executable, "-c", script, sys.executable, "-m", "ccirules",
                               *arguments], capture_output=True, text=True, cwd=folder,
                              env=environment, check=True)
        seconds, kilobytes, code = done.stdout.split()
        best = min(best, float(seconds))
        peak = max(peak, int(kilobytes) / 1024)
    return best, peak, int(code)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"| input | size | command | exit | seconds (best of {runs}) | peak MB |")
    print("|---|--:|---|--:|--:|--:|")
    with tempfile.TemporaryDirectory() as place:
        folder = Path(place)
        (folder / "c.jsonl").write_text(json.dumps({"case": "C1", "q0": "yes"}) + "\n")
        (folder / "d.jsonl").write_text('{"case": "C1", "age": 98, "q": "yes"}\n')
        for what, name, make, arguments, expected in CASES:
            path = folder / name
            if not path.exists() and not path.is_symlink():
                make(path)
            filled = [argument.format(rules=FRAMEWORK, file=name, cases="c.jsonl",
                                      deep_cases="d.jsonl") for argument in arguments]
            seconds, peak, code = measure(filled, runs, folder)
            assert code == expected, (what, code)
            size = os.path.getsize(path) if not path.is_symlink() else 0
            command = "ccirules " + " ".join(arguments).replace("{rules} ", "").replace(
                "{file}", name).replace("{cases}", "c.jsonl").replace("{deep_cases}", "d.jsonl")
            print(f"| {what} | {size / 1e6:,.1f} MB | `{command}` | {code} | {seconds:.2f} | "
                  f"{peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
