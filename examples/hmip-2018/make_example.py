"""Writes the synthetic example inspection for rulesets/hmip-youth-2018.rules.

Every case and rating here is invented (no real child, office or inspection): 24 court cases
and 12 out-of-court cases from two offices, plus the inspectors' ratings of the standards judged
directly. Deterministic, so the files only change when this script does:

    python examples/hmip-2018/make_example.py
"""

from __future__ import annotations

import random
from pathlib import Path

HERE = Path(__file__).parent
COURT = [f"2.{s}.{q}" for s in (1, 2, 3, 4) for q in (1, 2, 3)]
OUT_OF_COURT = [f"3.{s}.{q}" for s in (1, 2, 3) for q in (1, 2, 3)]
#: The share of sufficient answers per office: the north office's work is stronger.
QUALITY = {"north": 0.85, "south": 0.68}
JUDGEMENTS = {"1.1": "good", "1.2": "good", "1.3": "outstanding", "1.4": "requires_improvement",
              "3.4": "good", "4.1": "requires_improvement"}


def main() -> None:
    rng = random.Random(2018)
    lines = ["# Synthetic cases for the 2018 standards framework: made by make_example.py;",
             "# no real person, office or inspection.", "cases:"]
    for index in range(36):
        court = index < 24
        office = "north" if index % 2 == 0 else "south"
        answers = COURT if court else OUT_OF_COURT
        fields = {"case": f"{'C' if court else 'O'}{index + 1:03d}",
                  "disposal": "court" if court else "out_of_court",
                  "custody": "yes" if court and index % 6 == 0 else "no", "office": office}
        for question in answers:
            fields[question] = "yes" if rng.random() < QUALITY[office] else "no"
        body = ", ".join(f'"{key}": {value}' for key, value in fields.items())
        lines.append(f"  - {{{body}}}")
    (HERE / "cases.yaml").write_text("\n".join(lines) + "\n")
    ratings = "\n".join(f'  "{name}": {rating}' for name, rating in JUDGEMENTS.items())
    (HERE / "judgements.yaml").write_text(
        "# The inspectors' ratings of the standards judged directly (synthetic).\n"
        f"judgements:\n{ratings}\n")


if __name__ == "__main__":
    main()
