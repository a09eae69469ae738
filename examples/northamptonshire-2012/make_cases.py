"""Writes cases/ : 62 synthetic case judgements that reproduce the published scores of the 2012
Core Case Inspection of youth offending work in Northamptonshire.

Nothing here is real casework: the report publishes scores, bands and some counts, not case
data. This script invents 62 cases whose evaluation under rulesets/cci-youth-2012.rules gives
exactly the report's Scoring and Summary Table, and the per-question counts the report states:

1. Case attributes are fixed to match the report's sample: 16 custody cases, 24 needing a risk
   management plan, 40 a vulnerability management plan (14 of them in custody), 9 eligible for
   MAPPA, Safeguarding an issue in 7 custody and 32 community cases, two offices.
2. Questions whose counts the report states are fixed to them (an RMP in 22 of 24 cases; a VMP
   in 32 of 40, 29 on time, 28 of sufficient quality; ...). For the others, a deterministic local
   search picks how many answers are sufficient, staying close to the report's percentages,
   until every criterion, section and headline rounds (half up) to the published figure.
3. Answers are assigned to cases question by question, so a question asked only where another
   was answered `yes` is asked of exactly those cases. Sufficient answers go more often to one
   office, as the report's commentary describes a marked difference between the two.

The script checks its result with ccirules before writing. Run from the repository root (an
optional argument names another folder to write to):

    python examples/northamptonshire-2012/make_cases.py
"""

from __future__ import annotations

import math
import random
import shutil
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

from ccirules.api import evaluate, load_ruleset
from ccirules.cases import Case, Inspection, Judgements
from ccirules.evaluator import applying
from ccirules.source import SourceFile

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RULESET = ROOT / "rulesets" / "cci-youth-2012.rules"

#: The Scoring and Summary Table, as published.
PUBLISHED = {"1.1": 74, "1.2": 75, "1.3": 76, "2.1": 70, "2.2": 78, "2.3": 87, "3.1": 71,
             "3.2": 89, "1": 75, "2": 79, "3": 75, "safeguarding": 80, "risk_of_harm": 68,
             "likelihood_of_reoffending": 76}

#: Counts the report states: question -> sufficient answers (the applicable number follows
#: from the attributes and the chains).
STATED = {"1.1.1": 52, "1.1.4": 28, "1.1.8": 22, "1.1.12": 9, "1.2.1": 56, "1.2.11": 45,
          "1.3.1": 54, "1.3.4": 32, "1.3.5": 29, "1.3.6": 28, "1.3.8": 13, "2.3.2": 38,
          "3.1.2": 25}

#: Stated counts that the report splits by setting: where the `yes` answers must fall.
BY_SETTING = {"2.3.2": {"custody": 7, "community": 31}}

#: Percentages the report gives for other questions: where the search starts, and stays near.
REPORTED = {"1.1.2": 77, "1.1.3": 64, "1.1.5": 79, "1.1.6": 72, "1.1.7": 84, "1.1.9": 75,
            "1.1.10": 75, "1.1.11": 75, "1.1.13": 75, "1.1.14": 67, "1.1.15": 64, "1.1.16": 55,
            "1.2.2": 77, "1.2.3": 64, "1.2.4": 70, "1.2.5": 47, "1.2.6": 50, "1.2.7": 64,
            "1.2.8": 94, "1.2.9": 75, "1.2.10": 87, "1.2.12": 84, "1.2.13": 77, "1.2.14": 86,
            "1.2.15": 77, "1.2.16": 64, "1.2.17": 72, "1.2.18": 55, "1.2.19": 75, "1.3.2": 82,
            "1.3.3": 69, "1.3.7": 80, "1.3.9": 89, "1.3.10": 70, "1.3.11": 67, "1.3.12": 82,
            "2.1.1": 75, "2.1.2": 87, "2.1.3": 90, "2.1.4": 85, "2.1.5": 56, "2.1.6": 41,
            "2.1.7": 62, "2.1.8": 57, "2.1.9": 70, "2.1.10": 53, "2.2.1": 80, "2.2.2": 69,
            "2.2.3": 88, "2.2.4": 98, "2.2.5": 95, "2.2.6": 84, "2.2.7": 56, "2.2.8": 63,
            "2.2.9": 61, "2.2.10": 66, "2.2.11": 90, "2.3.1": 88, "2.3.2": 97, "2.3.3": 57,
            "2.3.4": 86, "2.3.5": 90, "2.3.6": 70, "2.3.7": 84, "2.3.8": 94, "2.3.9": 95,
            "2.3.10": 88, "2.3.11": 89, "3.1.1": 55, "3.1.3": 68,
            "3.1.4": 75, "3.1.5": 75, "3.2.1": 84, "3.2.2": 90}

OFFICES = ("Northampton", "Kettering")
STRONGER = "Northampton"  # the office whose work the commentary praises (which one is invented)


# ---- the sample ------------------------------------------------------------------------------


def attributes(rng: random.Random) -> list[dict]:
    """62 cases with the report's mix: 16 in custody, the rest in the community."""
    cases = []
    for index in range(62):
        custody = index < 16
        sentence = (("detention_and_training_order" if index < 14 else "section_90_91")
                    if custody else rng.choice(("referral_order", "referral_order",
                                                "youth_rehabilitation_order",
                                                "youth_rehabilitation_order", "reparation_order")))
        cases.append({
            "case": f"N{index + 1:03d}", "setting": "custody" if custody else "community",
            "sentence": sentence, "age": rng.randint(15, 17) if custody else rng.randint(10, 17),
            "office": OFFICES[index % 2], "gender": "female" if index % 7 == 3 else "male",
            "ethnicity": "White British" if index % 11 else "Black British",
        })
    # Needs that decide which questions apply, placed to match the report's counts.
    order = list(range(62))
    rng.shuffle(order)
    custody = [i for i in order if i < 16]
    community = [i for i in order if i >= 16]
    high = set(custody[:6] + community[:4])
    medium = set(custody[6:12] + community[4:18])
    for i, case in enumerate(cases):
        case["rosh"] = ("high" if i in high and i % 5 else "very_high" if i in high else
                        "medium" if i in medium else "low")
        case["rmp_required"] = "yes" if i in high or i in set(list(medium)[:14]) else "no"
        case["rosh_analysis_required"] = "yes" if i in high or i in medium else "no"
        case["vmp_required"] = "yes" if i in set(custody[:14] + community[:26]) else "no"
        case["mappa_eligible"] = "yes" if i in set(list(high)[:9]) else "no"
        case["safeguarding_issue"] = "yes" if i in set(custody[2:9] + community[10:42]) else "no"
        case["significant_change"] = "yes" if (i * 7) % 62 < 27 else "no"
        case["identifiable_victim"] = "yes" if (i * 11) % 62 < 40 else "no"
        case["sentence_ended"] = "yes" if (i * 5) % 62 < 37 else "no"
    return cases


def check_sample(cases: list[dict]) -> None:
    def count(**wanted):
        return sum(all(case[key] == value for key, value in wanted.items()) for case in cases)
    assert count(setting="custody") == 16
    assert count(rmp_required="yes") == 24
    assert count(vmp_required="yes") == 40
    assert count(vmp_required="yes", setting="custody") == 14
    assert count(mappa_eligible="yes") == 9
    assert count(safeguarding_issue="yes", setting="custody") == 7
    assert count(safeguarding_issue="yes", setting="community") == 32
    assert count(rosh_analysis_required="yes") == 30


# ---- answers ---------------------------------------------------------------------------------


def make_case(fields: dict, answers: dict) -> Case:
    attributes = {k: v for k, v in fields.items() if k != "case"}
    return Case(fields["case"], attributes, answers, {}, SourceFile("generated", "").whole())


def applicable(ruleset, question, fields: dict, answers: dict) -> bool:
    """Whether the question applies to the case, given its answers so far (the engine decides:
    an answer to a question that does not apply does not survive)."""
    attributes = {k: v for k, v in fields.items() if k != "case"}
    return question in applying(ruleset, attributes, {**answers, question: "yes"})


def assign(ruleset, cases: list[dict], targets: dict[str, int], rng: random.Random) -> dict:
    """Answers for every case, question by question in evaluation order: ``targets[q]`` of the
    cases it applies to get `yes`, the stronger office's cases first more often than not."""
    answers = {case["case"]: {} for case in cases}
    for name in ruleset.evaluation_order:
        pool = [case for case in cases if applicable(ruleset, name, case, answers[case["case"]])]
        weight = {case["case"]: rng.random() + (0.35 if case["office"] == STRONGER else 0.0)
                  for case in pool}
        ranked = sorted(pool, key=lambda case: -weight[case["case"]])
        quotas = BY_SETTING.get(name)
        if quotas is None:
            chosen = {case["case"] for case in ranked[:targets[name]]}
        else:
            chosen = {case["case"] for setting, wanted in quotas.items()
                      for case in [c for c in ranked if c["setting"] == setting][:wanted]}
        for case in ranked:
            answers[case["case"]][name] = "yes" if case["case"] in chosen else "no"
    return answers


def applicable_counts(ruleset, cases: list[dict], sufficient: dict[str, int]) -> dict[str, int]:
    """How many cases each question applies to, given how many answers of each are `yes`
    (the chains only depend on counts, since children apply exactly where parents said yes)."""
    answers = assign(ruleset, cases, sufficient, random.Random(0))
    counts = {}
    for name in ruleset.evaluation_order:
        counts[name] = sum(name in answers[case["case"]] for case in cases)
    return counts


# ---- the search ------------------------------------------------------------------------------


def half_up(value: Fraction) -> int:
    return int((Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP))


class Cost:
    """How far sufficient counts are from the published table: 1000 and the distance for each
    published figure missed, plus the drift of free questions from their reported shares.

    A move changes one question's count, so only the figures that pool it and its own drift are
    worked out again; the sums are taken in the same order as a full recount, so every cost is
    the same float it would be, and the search takes the same path.
    """

    def __init__(self, pools: dict[str, list[str]], applicable: dict[str, int], free: list[str],
                 values: dict[str, int]) -> None:
        self.values, self.applicable = values, applicable
        self.pools = list(pools.items())
        self.held = [sum(values[q] for q in questions) for _, questions in self.pools]
        self.total = [sum(applicable[q] for q in questions) for _, questions in self.pools]
        self.pooled_in: dict[str, list[tuple[int, int]]] = {}
        for index, (_, questions) in enumerate(self.pools):
            for name in set(questions):
                self.pooled_in.setdefault(name, []).append((index, questions.count(name)))
        self.missed = [self._missed(index) for index in range(len(self.pools))]
        self.free = {name: index for index, name in enumerate(free)}
        self.drifts = [self._drift(name) for name in free]

    def move(self, name: str, step: int) -> None:
        self.values[name] += step
        for index, times in self.pooled_in.get(name, ()):
            self.held[index] += step * times
            self.missed[index] = self._missed(index)
        if name in self.free:
            self.drifts[self.free[name]] = self._drift(name)

    def value(self) -> float:
        return sum(self.missed) + sum(self.drifts) / 100

    def _missed(self, index: int) -> float:
        """A published figure P is met when 100 s / a rounds half up to P: (2P - 1) a <= 200 s
        < (2P + 1) a, in integers. Missed, the distance to the nearer edge is exact over 2a, and
        int / int rounds once, correctly."""
        s, a = self.held[index], self.total[index]
        published = PUBLISHED[self.pools[index][0]]
        low, high = (2 * published - 1) * a, (2 * published + 1) * a
        if low <= 200 * s < high:
            return 0.0
        return 1000 + min(abs(200 * s - low), abs(200 * s - high)) / (2 * a)

    def _drift(self, name: str) -> float:
        return abs(self.values[name] / self.applicable[name] * 100 - REPORTED.get(name, 75))


def search(ruleset, applicable: dict[str, int], rng: random.Random) -> dict[str, int]:
    pools = {score.name: score.questions for score in ruleset.scores if score.name in PUBLISHED}
    sufficient = {}
    for name, count in applicable.items():
        if name in STATED:
            sufficient[name] = STATED[name]
        else:
            sufficient[name] = round(count * REPORTED.get(name, 75) / 100)
    free = [name for name in applicable if name not in STATED and applicable[name] > 0]

    # Simulated annealing: single-answer moves, accepting some worse ones early on so the search
    # does not stall where meeting one published figure breaks another.
    cost = Cost(pools, applicable, free, sufficient)
    current = cost.value()
    best, best_cost = dict(sufficient), current
    steps = 400_000
    for step in range(steps):
        name = rng.choice(free)
        move = rng.choice((-1, 1))
        if not 0 <= sufficient[name] + move <= applicable[name]:
            continue
        cost.move(name, move)
        trial = cost.value()
        temperature = 3.0 * (1 - step / steps) + 1e-3
        if trial <= current or rng.random() < math.exp((current - trial) / temperature):
            current = trial
            if current < best_cost:
                best, best_cost = dict(sufficient), current
                if best_cost < 1000 and step > steps // 4:
                    break
        else:
            cost.move(name, -move)
    sufficient, current = best, best_cost
    if current >= 1000:
        missed = []
        for score, questions in pools.items():
            s = sum(sufficient[q] for q in questions)
            a = sum(applicable[q] for q in questions)
            missed.append(f"{score}: {100 * s / a:.2f} (published {PUBLISHED[score]}, {a} answers)")
        raise SystemExit("no assignment reproduces the published table:\n  " + "\n  ".join(missed))
    return sufficient


# ---- writing ---------------------------------------------------------------------------------


def main(folder: Path = HERE / "cases") -> None:
    rng = random.Random(2012)
    ruleset = load_ruleset(str(RULESET)).compiled
    cases = attributes(rng)
    check_sample(cases)
    counts = applicable_counts(ruleset, cases, {**{q: 0 for q in ruleset.evaluation_order},
                                                **STATED})
    sufficient = search(ruleset, counts, random.Random(7))
    answers = assign(ruleset, cases, sufficient, random.Random(62))
    built = [make_case(case, answers[case["case"]]) for case in cases]
    evaluation = evaluate(ruleset, Inspection(tuple(built), Judgements({}, {}), ()))
    for name, published in PUBLISHED.items():
        result = evaluation.score(name)
        assert half_up(result.exact) == published, (name, result.exact, published)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    for case in cases:
        lines = ["# Synthetic: an invented case, not real casework (see ../README.md).",
                 *(f"{key}: {value}" for key, value in case.items())]
        for question in ruleset.questions:
            if question.name in answers[case["case"]]:
                lines.append(f'"{question.name}": {answers[case["case"]][question.name]}')
        (folder / f"{case['case']}.yaml").write_text("\n".join(lines) + "\n")
    (folder / "inspection.yaml").write_text(FACTS)
    print(f"wrote {len(cases)} cases to {folder}")


#: The inspection's facts, as the published report gives them (fieldwork in February and March
#: 2012), for the report's title block and the results store.
FACTS = """\
# Synthetic cases; these facts are the published report's (see ../README.md).
inspection:
  area: Northamptonshire
  nation: England
  region: East Midlands
  date: 2012-03
  type: Core Case Inspection
"""


if __name__ == "__main__":
    main(*[Path(argument) for argument in sys.argv[1:2]])
