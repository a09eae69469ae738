"""National-scale benchmark: ccirules eval against the ways people do this job today.

Generates a 200-question ruleset and a programme of cases as JSON Lines (default 15,000 cases:
3 million answers, about 55 MB), then times, each in a fresh process with its peak memory:

- ccirules eval, end to end (interpreter start included), traces off and on;
- the parse-only floor: the fastest JSON decoders, doing nothing with the data;
- DuckDB with an explicit schema, computing the same pooled counts in SQL;
- pandas, as most people would write it;
- a generic rules engine evaluating each question's condition per case, on a sample,
  extrapolated to the whole programme.

It checks every method produced the same per-question counts, then prints times, memory and
ratios. Peers need the `bench` extra: pip install -e '.[bench]'.

    python benchmarks/national.py [--cases 15000] [--questions 200] [--folder /tmp/ccirules-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

SECTIONS = 4
CRITERIA = 5
HEADLINES = ("safeguarding", "risk_of_harm", "likelihood_of_reoffending")
ROSH = ("low", "medium", "high", "very_high")


# ---- the programme ---------------------------------------------------------------------------


def question_plan(questions: int) -> list[dict]:
    """Each question's id, criterion and condition, decided once so every method agrees.

    A third depend on the previous answer ("on time" only if "completed"), a third on case
    attributes, a third always apply."""
    plan = []
    per_criterion = -(-questions // (SECTIONS * CRITERIA))
    for number in range(questions):
        criterion, position = divmod(number, per_criterion)
        section = criterion // CRITERIA + 1
        code = f"{section}.{criterion % CRITERIA + 1}.{position + 1}"
        kind = ("answer" if position % 3 == 1 else "attribute" if position % 3 == 2 else None)
        previous = plan[-1]["id"] if kind == "answer" else None
        plan.append({"id": code, "criterion": code.rsplit(".", 1)[0], "kind": kind,
                     "previous": previous, "key_for": HEADLINES[number % 3],
                     "custody_only": number % 2 == 0})
    return plan


def ruleset_text(plan: list[dict]) -> str:
    lines = ['ruleset "National benchmark" version "1"',
             "scale sufficiency value yes means sufficient value no means insufficient "
             "value na means not applicable end",
             "attribute setting one of custody, community",
             "attribute age whole number from 10 to 17",
             "attribute rosh one of " + ", ".join(ROSH),
             "attribute office text",
             'level section "Section" scored as proportion sufficient of its questions '
             "banded by improvement",
             'level criterion "Criterion" within section scored as proportion sufficient of its '
             "questions banded by improvement"]
    current_section = current_criterion = None
    for question in plan:
        section = question["criterion"].split(".")[0]
        if question["criterion"] != current_criterion:
            if current_criterion is not None:
                lines.append("  end")
            if section != current_section:
                if current_section is not None:
                    lines.append("end")
                lines.append(f'section {section} "Section {section}"')
                current_section = section
            lines.append(f'  criterion {question["criterion"]} "Criterion {question["criterion"]}"')
            current_criterion = question["criterion"]
        lines.append(f'    question {question["id"]} "Question {question["id"]}"')
        condition = _condition_text(question)
        if condition:
            lines.append(f"      applies when {condition}")
        lines.append(f'      key question for {question["key_for"]}')
    lines += ["  end", "end"]
    lines += [f'headline {name} "{name}" banded by improvement' for name in HEADLINES]
    lines.append("bands improvement band minimum from 75 to 100 band moderate from 60 to 74 "
                 "band substantial from 45 to 59 band drastic from 0 to 44 end")
    return "\n".join(lines) + "\n"


def _condition_text(question: dict) -> str | None:
    if question["kind"] == "answer":
        return f'{question["previous"]} is yes'
    if question["kind"] == "attribute":
        return ("setting is custody" if question["custody_only"]
                else "rosh in (high, very_high) or age >= 15")
    return None


def applies(question: dict, case: dict) -> bool:
    """The plan's conditions, in plain Python: used to generate consistent data."""
    if question["kind"] == "answer":
        return case.get(question["previous"]) == "yes"
    if question["kind"] == "attribute":
        if question["custody_only"]:
            return case["setting"] == "custody"
        return case["rosh"] in ("high", "very_high") or case["age"] >= 15
    return True


def generate(folder: Path, cases: int, questions: int, seed: int = 1) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    plan = question_plan(questions)
    ruleset = folder / "national.rules"
    ruleset.write_text(ruleset_text(plan))
    data = folder / f"cases-{cases}.jsonl"
    if data.exists():
        return ruleset, data
    rng = random.Random(seed)
    with open(data, "w") as handle:
        for index in range(cases):
            case = {"case": f"C{index:06d}", "setting": rng.choice(("custody", "community")),
                    "age": rng.randint(10, 17), "rosh": rng.choice(ROSH),
                    "office": rng.choice(("north", "south", "east", "west"))}
            for question in plan:
                if applies(question, case):
                    case[question["id"]] = rng.choices(("yes", "no", "na"), (6, 3, 1))[0]
            handle.write(json.dumps(case, separators=(",", ":")) + "\n")
    return ruleset, data


# ---- the methods, each run in its own process ------------------------------------------------


def counts_from(rows) -> dict[str, list[int]]:
    """{question: [sufficient, applicable]} from (question, sufficient, applicable) rows."""
    return {question: [int(s), int(a)] for question, s, a in rows}


def method_parse_floor(data: Path, plan: list[dict]) -> dict:
    import msgspec
    decoder = msgspec.json.Decoder()
    lines = 0
    with open(data, "rb") as handle:
        for line in handle:
            decoder.decode(line)
            lines += 1
    return {"lines": lines}


def method_duckdb(data: Path, plan: list[dict]) -> dict:
    import duckdb
    columns = {"case": "VARCHAR", "setting": "VARCHAR", "age": "INTEGER", "rosh": "VARCHAR",
               "office": "VARCHAR", **{q["id"]: "VARCHAR" for q in plan}}
    schema = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"
    parts = []
    for q in plan:
        column = f'"{q["id"]}"'
        parts.append(f"SUM(CASE WHEN {column} = 'yes' THEN 1 ELSE 0 END)")
        parts.append(f"SUM(CASE WHEN {column} IN ('yes', 'no') THEN 1 ELSE 0 END)")
    connection = duckdb.connect()
    connection.execute("SET threads TO 2")
    row = connection.execute(
        f"SELECT {', '.join(parts)} FROM read_json('{data}', format='newline_delimited', "
        f"columns={schema})").fetchone()
    return {"counts": {q["id"]: [int(row[2 * i]), int(row[2 * i + 1])]
                       for i, q in enumerate(plan)}}


def method_pandas(data: Path, plan: list[dict]) -> dict:
    import pandas as pd
    frame = pd.read_json(data, lines=True, dtype=False)
    counts = {}
    for q in plan:
        column = frame[q["id"]] if q["id"] in frame else pd.Series([None] * len(frame))
        counts[q["id"]] = [int((column == "yes").sum()), int(column.isin(["yes", "no"]).sum())]
    return {"counts": counts}


def method_rules_engine(data: Path, plan: list[dict], sample: int = 300) -> dict:
    """rule-engine, the way a generic engine is used: one rule object per question, each
    evaluated against each case. Timed on a sample and reported per case."""
    import rule_engine
    context = rule_engine.Context(default_value=None)
    rules = {}

    def symbol(question_id: str) -> str:  # rule-engine symbols cannot start with a digit
        return "q_" + question_id.replace(".", "_")

    for q in plan:
        answer = symbol(q["id"])
        condition = {"answer": f"{symbol(q['previous'] or '')} == 'yes'",
                     "attribute": ("setting == 'custody'" if q["custody_only"] else
                                   "rosh in ['high', 'very_high'] or age >= 15"),
                     None: "true"}[q["kind"]]
        rules[q["id"]] = (rule_engine.Rule(f"({condition}) and {answer} == 'yes'", context=context),
                          rule_engine.Rule(f"({condition}) and {answer} in ['yes', 'no']",
                                           context=context))
    cases = []
    with open(data) as handle:
        for line in handle:
            record = json.loads(line)
            cases.append({symbol(k) if k[0].isdigit() else k: v for k, v in record.items()})
            if len(cases) == sample:
                break
    started = time.perf_counter()
    for case in cases:
        for sufficient, applicable in rules.values():
            sufficient.matches(case)
            applicable.matches(case)
    return {"seconds_per_case": (time.perf_counter() - started) / len(cases)}


METHODS = {"parse-floor": method_parse_floor, "duckdb": method_duckdb, "pandas": method_pandas,
           "rules-engine": method_rules_engine}


def run_method(name: str, data: Path, questions: int) -> None:
    """Entry point of a child process: run one method and print its result as JSON."""
    plan = question_plan(questions)
    started = time.perf_counter()
    result = METHODS[name](data, plan)
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


#: Children run as an installed tool would: with bytecode caching on (pip compiles bytecode on
#: install; a session with PYTHONDONTWRITEBYTECODE set would recompile every module each run).
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def measure(command: list[str]) -> tuple[float, float, str]:
    """Wall time, peak memory (MB) of the largest process (the command's own or any it
    started and waited for, such as eval's workers) and stdout of a command, in a fresh
    process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=CHILD_ENV)
    stdout = process.stdout.read()
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{command} failed:\n{stderr.decode()}")
    workers = [int(line.split("=")[1]) for line in stderr.decode().splitlines()
               if line.startswith(_WORKERS_PEAK)]
    return seconds, max([usage.ru_maxrss, *workers]) / 1024, stdout.decode()


_WORKERS_PEAK = "largest-worker-kb="

#: Runs `ccirules` as the console script does, then reports the peak memory of the largest
#: process it waited for (its workers): what wait4 gives for a process leaves those out.
CCIRULES = ("import resource, runpy, sys\n"
            "sys.argv = ['ccirules', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('ccirules', run_name='__main__')\n"
            "finally:\n    sys.stderr.write('" + _WORKERS_PEAK + "%d\\n' % "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")


def ccirules_counts(result_file: Path) -> dict[str, list[int]]:
    document = json.loads(result_file.read_text())
    return {q["id"]: [q["sufficient"], q["sufficient"] + q["insufficient"]]
            for q in document["questions"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=15_000)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/ccirules-bench"))
    parser.add_argument("--repeat", type=int, default=3, help="runs per method (best is kept)")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.run:
        run_method(arguments.run, arguments.data, arguments.questions)
        return
    ruleset, data = generate(arguments.folder, arguments.cases, arguments.questions)
    size = data.stat().st_size
    answers = arguments.cases * arguments.questions
    print(f"{arguments.cases:,} cases x {arguments.questions} questions = {answers:,} answers; "
          f"{data.name} is {size / 1e6:.1f} MB")
    cli = [sys.executable, "-c", CCIRULES, "eval", str(ruleset), str(data), "--format", "json"]
    rows = []

    def best(command):
        runs = [measure(command) for _ in range(arguments.repeat)]
        return min(runs, key=lambda run: run[0])

    output = arguments.folder / "result.json"
    seconds, memory, _ = best([*cli, "--output", str(output)])
    rows.append(("ccirules eval", seconds, memory))
    reference = ccirules_counts(output)
    seconds, memory, _ = best([*cli, "--jobs", "1", "--output", str(output)])
    rows.append(("ccirules eval --jobs 1", seconds, memory))
    assert ccirules_counts(output) == reference, "--jobs 1 disagrees with the default"
    traced = arguments.folder / "result-trace.json"
    seconds, memory, _ = best([*cli, "--trace", "--output", str(traced)])
    rows.append(("ccirules eval --trace", seconds, memory))
    engine_per_case = None
    for name in METHODS:
        command = [sys.executable, __file__, "--run", name, "--data", str(data),
                   "--questions", str(arguments.questions)]
        seconds, memory, stdout = best(command)
        result = json.loads(stdout)
        if "counts" in result:
            assert result["counts"] == reference, f"{name} disagrees with ccirules"
        if name == "rules-engine":
            engine_per_case = result["seconds_per_case"]
            seconds = engine_per_case * arguments.cases
            name = f"rules-engine (sample, x{arguments.cases})"
        rows.append((name, seconds, memory))
    base = rows[0][1]
    print(f"\n{'method':34} {'seconds':>9} {'peak MB':>8} {'vs ccirules':>12}")
    for name, seconds, memory in rows:
        print(f"{name:34} {seconds:9.2f} {memory:8.0f} {seconds / base:11.2f}x")
    print("\nall methods that count agree with ccirules on every question's counts")
    duckdb = next((seconds for name, seconds, _ in rows if name.startswith("duckdb")), None)
    if duckdb:
        print(f"ccirules eval / DuckDB in this run: {base / duckdb:.2f}x")
    inspection = arguments.folder / "inspection-99.jsonl"
    with open(data) as source, open(inspection, "w") as target:
        target.writelines(line for _, line in zip(range(99), source, strict=False))
    runs = [measure([sys.executable, "-m", "ccirules", "eval", str(ruleset), str(inspection)])
            for _ in range(7)]
    seconds, memory, _ = min(runs, key=lambda run: run[0])
    print(f"\none inspection (99 cases, {arguments.questions} questions), cold process, best of 7: "
          f"{seconds * 1000:.0f} ms, {memory:.0f} MB")


if __name__ == "__main__":
    main()
