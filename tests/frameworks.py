"""Generated rulesets that pass `check`: frameworks of random shape, written as ruleset text.

Each is a plausible framework: one or two scales (any number of values, some quoted, some odd),
attributes of every type, sections holding criteria or questions directly, `applies when` on
groups and questions using every condition form (values, sets, comparisons, categories, `not`,
`and`, `or`, parentheses) over attributes and earlier answers, headlines fed by key questions,
scores of every combining rule, and a band table that covers every percentage. The engine, the
oracle, the fuzzer and the truth-table property all draw from here.
"""

from __future__ import annotations

import re

import attrs
from hypothesis import strategies as st

from ccirules.printer import keywords

KEYWORDS = keywords()
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")

#: Value names a scale or choice may use: plain words, keywords the grammar lets be values,
#: and quoted text with characters no identifier has.
VALUE_NAMES = ("yes", "no", "na", "partly", "good", "poor", "n/a", "Not known", "x-1", "é✓",
               "'quoted'", "sufficiently", "1", "2")


@attrs.frozen
class Framework:
    """A generated ruleset's text, with what the strategies that fill it need to know."""

    text: str
    questions: tuple[str, ...]


def _quoted(value: str) -> str:
    """A value as a ruleset writes it: bare when it is a plain word or number (and `yes` and
    `no`, keywords the grammar accepts as values), quoted otherwise."""
    bare = _BARE.fullmatch(value) and (value not in KEYWORDS or value in ("yes", "no"))
    return value if bare else f'"{value}"'


@st.composite
def _scale(draw, name: str, max_values: int) -> tuple[str, dict[str, str]]:
    extra = draw(st.integers(0, max(0, max_values - 2)))
    pool = [f"v{index}" for index in range(extra)] + list(VALUE_NAMES)
    values = draw(st.lists(st.sampled_from(pool), min_size=2 + min(extra, 2),
                           max_size=2 + extra, unique=True))
    categories = {values[0]: "sufficient", values[1]: "insufficient"}
    for value in values[2:]:
        categories[value] = draw(st.sampled_from(["sufficient", "insufficient",
                                                  "not applicable"]))
    lines = [f"scale {name}"]
    lines += [f"  value {_quoted(value)} means {category}"
              for value, category in categories.items()]
    lines.append("end")
    return "\n".join(lines), categories


@attrs.frozen
class _Subject:
    """Something a condition can test: an attribute or an earlier question."""

    name: str
    kind: str  # "choice", "number", "text", "question"
    values: tuple[str, ...] = ()
    low: int = 0
    high: int = 0


@st.composite
def _atom(draw, subjects: list[_Subject]) -> str:
    subject = draw(st.sampled_from(subjects))
    negated = draw(st.booleans())
    if subject.kind == "number":
        operator = draw(st.sampled_from(["<", "<=", ">", ">=", "=", "!="]))
        if draw(st.booleans()):
            number = draw(st.integers(subject.low - 1, subject.high + 1))
            return f"{subject.name} {operator} {number}"
        numbers = draw(st.lists(st.integers(subject.low, subject.high), min_size=1, max_size=3))
        if len(numbers) == 1:
            return f"{subject.name} is {'not ' if negated else ''}{numbers[0]}"
        return f"{subject.name} {'not ' if negated else ''}in ({', '.join(map(str, numbers))})"
    if subject.kind == "question" and draw(st.booleans()):
        category = draw(st.sampled_from(["sufficient", "insufficient", "applicable"]))
        return f"{subject.name} is {'not ' if negated else ''}{category}"
    values = subject.values or ("north", "south")
    chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))
    if len(chosen) == 1 and draw(st.booleans()):
        return f"{subject.name} is {'not ' if negated else ''}{_quoted(chosen[0])}"
    listed = ", ".join(_quoted(value) for value in chosen)
    return f"{subject.name} {'not ' if negated else ''}in ({listed})"


@st.composite
def conditions(draw, subjects: list[_Subject], depth: int = 2) -> str:
    """A condition over ``subjects``: an atom, or `not`, `and`, `or` of smaller ones."""
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(_atom(subjects))
    form = draw(st.sampled_from(["not", "and", "or", "parenthesised"]))
    if form == "not":
        return f"not ({draw(conditions(subjects, depth - 1))})"
    if form == "parenthesised":
        return f"({draw(conditions(subjects, depth - 1))})"
    parts = draw(st.lists(conditions(subjects, depth - 1), min_size=2, max_size=3))
    return f" {form} ".join(f"({part})" for part in parts)


@st.composite
def frameworks(draw, max_questions: int = 10, max_values: int = 6,
               max_depth: int = 2) -> Framework:
    """A ruleset that passes `check`, and the names of its questions."""
    scales = [draw(_scale("s1", max_values))]
    if draw(st.booleans()):
        scales.append(draw(_scale("s2", max_values)))
    subjects: list[_Subject] = []
    attribute_lines = []
    for index in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["choice", "yes or no", "number", "text"]))
        name = f"attr{index}"
        if kind == "choice":
            values = tuple(draw(st.lists(st.sampled_from(VALUE_NAMES[3:]), min_size=2,
                                         max_size=4, unique=True)))
            attribute_lines.append(f"attribute {name} one of "
                                   + ", ".join(_quoted(v) for v in values))
            subjects.append(_Subject(name, "choice", values))
        elif kind == "yes or no":
            attribute_lines.append(f"attribute {name} yes or no")
            subjects.append(_Subject(name, "choice", ("yes", "no")))
        elif kind == "number":
            low = draw(st.integers(0, 15))
            high = low + draw(st.integers(0, 6))
            attribute_lines.append(f"attribute {name} whole number from {low} to {high}")
            subjects.append(_Subject(name, "number", low=low, high=high))
        else:
            attribute_lines.append(f"attribute {name} text")
            subjects.append(_Subject(name, "text", ("north", "south", "east")))

    questions: list[str] = []
    keyed: dict[str, list[str]] = {"h1": [], "h2": []}
    body = []
    sections = draw(st.integers(1, 3))
    budget = max_questions
    for section in range(1, sections + 1):
        lines = [f'section S{section} "Section {section}"']
        if subjects and draw(st.integers(0, 3)) == 0:
            lines.append(f"  applies when {draw(conditions(subjects, 1))}")
        criteria = draw(st.integers(0, 2))
        holders = [(f"  criterion C{section}_{c} \"Criterion {section}.{c}\"", "    ")
                   for c in range(1, criteria + 1)] or [(None, "  ")]
        for header, indent in holders:
            if header is not None:
                lines.append(header)
                if subjects and draw(st.integers(0, 3)) == 0:
                    lines.append(f"    applies when {draw(conditions(subjects, 1))}")
            count = max(1, min(budget, draw(st.integers(1, 4))))
            budget = max(1, budget - count)
            for _ in range(count):
                name = f"Q{len(questions) + 1}"
                lines.append(f"{indent}question {name}")
                scale = draw(st.sampled_from(range(len(scales))))
                if len(scales) > 1:  # with two scales there is no default
                    lines.append(f"{indent}  on scale s{scale + 1}")
                if subjects and draw(st.booleans()):
                    lines.append(f"{indent}  applies when "
                                 f"{draw(conditions(subjects, max_depth))}")
                heads = [h for h in keyed if draw(st.integers(0, 2)) == 0]
                if heads:
                    lines.append(f"{indent}  key question for {', '.join(heads)}")
                    for head in heads:
                        keyed[head].append(name)
                questions.append(name)
                values = tuple(scales[scale][1])
                subjects.append(_Subject(name, "question", values))
            if header is not None:
                lines.append("  end")
        lines.append("end")
        body.append("\n".join(lines))

    headlines = [f'headline {head} "Headline {head}"\n  banded by pct'
                 for head, members in keyed.items() if members]
    section_names = [f"S{section}" for section in range(1, sections + 1)]
    combining = draw(st.sampled_from(["lowest", "highest", "weighted"]))
    if combining == "weighted":
        terms = ", ".join(f"{name} weight {draw(st.integers(1, 3))}" for name in section_names)
        rule = f"weighted mean of {terms}"
    else:
        rule = f"{combining} of {', '.join(section_names)}"
    cut = sorted(draw(st.lists(st.integers(1, 99), min_size=1, max_size=3, unique=True)))
    bounds = [0, *cut, 101]
    labels = [f"b{index}" for index in reversed(range(len(bounds) - 1))]  # best first
    bands = [f"  band b{index} from {bounds[index]} to {bounds[index + 1] - 1}"
             for index in reversed(range(len(bounds) - 1))]
    limit = ""
    if len(labels) > 1 and draw(st.booleans()):
        limit = (f"\n  at most {labels[1]} when {draw(st.sampled_from(section_names))} is "
                 f"{'not ' if draw(st.booleans()) else ''}rated {draw(st.sampled_from(labels))}")
    rounding = draw(st.sampled_from(["half up", "half even", "half down", "up", "down"]))
    text = "\n\n".join([
        f'ruleset "Generated"\n  version "1"\n  round {rounding} to whole numbers',
        *(scale for scale, _ in scales),
        "\n".join(attribute_lines) if attribute_lines else "# no attributes",
        'level section "Section"\n  scored as proportion sufficient of its questions\n'
        "  banded by pct",
        'level criterion "Criterion"\n  within section\n'
        "  scored as proportion sufficient of its questions\n  banded by pct",
        *body,
        *headlines,
        f'score combined "Combined"\n  scored as {rule}\n  banded by pct{limit}',
        'score counted "Counted"\n  scored as count sufficient of '
        + ", ".join(section_names),
        'bands pct "Percent"\n' + "\n".join(bands) + "\nend",
    ]) + "\n"
    return Framework(text, tuple(questions))
