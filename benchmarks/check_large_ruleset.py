"""How long parsing and checking a large ruleset takes.

Generates a ruleset of QUESTIONS questions (default 250: five sections of five criteria), with
applicability chains ("on time" only if "completed"), attribute conditions, key questions for
three headlines and a band table, then times parse and check separately over several runs in one
process (the parser is built once, as in the CLI). Run:

    python benchmarks/check_large_ruleset.py [QUESTIONS] [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import time

from ccirules.api import check_source
from ccirules.checker import check
from ccirules.parser import lark_parser, parse
from ccirules.source import SourceFile

HEADLINES = ("safeguarding", "risk_of_harm", "likelihood_of_reoffending")


def generate(questions: int) -> str:
    lines = [
        'ruleset "Benchmark" version "1" round half up to whole numbers',
        "scale sufficiency value yes means sufficient value no means insufficient "
        "value na means not applicable end",
        "attribute setting one of custody, community",
        "attribute age whole number from 10 to 17",
        "attribute rmp_required yes or no",
        'level section "Section" scored as proportion sufficient of its questions '
        "banded by improvement",
        'level criterion "Criterion" within section scored as proportion sufficient of its '
        "questions banded by improvement",
    ]
    per_criterion = 10
    criteria = -(-questions // per_criterion)
    number = 0
    for criterion in range(criteria):
        section, index = divmod(criterion, 5)
        if index == 0:
            if criterion:
                lines.append("end")
            lines.append(f'section {section + 1} "Section {section + 1}"')
        code = f"{section + 1}.{index + 1}"
        lines.append(f'  criterion {code} "Criterion {code}"')
        for position in range(per_criterion):
            if number == questions:
                break
            number += 1
            name = f"{code}.{position + 1}"
            lines.append(f'    question {name} "Was aspect {name} done well enough?"')
            if position % 3 == 1:
                lines.append(f"      applies when {code}.{position} is yes")
            elif position % 3 == 2:
                lines.append("      applies when setting is custody and age >= 12 "
                             "or rmp_required is yes")
            lines.append(f"      key question for {HEADLINES[number % 3]}")
        lines.append("  end")
    lines.append("end")
    for headline in HEADLINES:
        lines.append(f'headline {headline} "{headline}" banded by improvement')
    lines.append("bands improvement band minimum from 75 to 100 band moderate from 60 to 74 "
                 "band substantial from 45 to 59 band drastic from 0 to 44 end")
    return "\n".join(lines) + "\n"


def main() -> None:
    questions = int(sys.argv[1]) if len(sys.argv) > 1 else 250
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    text = generate(questions)
    source = SourceFile("benchmark.rules", text)
    started = time.perf_counter()
    lark_parser()
    build = time.perf_counter() - started
    result = check_source(source)
    assert result.ok and not result.diagnostics, result.diagnostics
    parse_times, check_times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        parsed = parse(source)
        parse_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        check(parsed.ruleset)
        check_times.append(time.perf_counter() - started)
    parse_ms = statistics.median(parse_times) * 1000
    check_ms = statistics.median(check_times) * 1000
    print(f"ruleset: {questions} questions, {len(text.splitlines())} lines, {len(text):,} bytes")
    print(f"grammar build (once per process): {build * 1000:7.1f} ms")
    print(f"parse  (median of {runs}):          {parse_ms:7.1f} ms")
    print(f"check  (median of {runs}):          {check_ms:7.1f} ms")
    print(f"parse + check:                    {parse_ms + check_ms:7.1f} ms")


if __name__ == "__main__":
    main()
