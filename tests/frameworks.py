"""Generated rulesets that pass `check`: frameworks of random shape, written as ruleset text.

Each is a plausible framework: one or two scales (any number of values, some quoted, some odd),
attributes of every type, sections holding criteria or questions directly, `applies when` on
groups and questions using every condition form (values, sets, comparisons, categories, `not`,
`and`, `or`, parentheses) over attributes and earlier answers, headlines fed by key questions,
scores of every combining rule, and a band table that covers every percentage. The engine, the
oracle, the fuzzer and the truth-table property all draw from here.

With ``wild=True`` (what the fuzzer draws) a framework also goes to the edges of what `check`
accepts: names as numeric codes or up to the longest allowed; scales of many values, with
values that look like numbers, booleans, nulls or each other in another case; whole numbers
negative, unbounded or of fifteen digits, compared with decimals; rounding to any number of
decimal places, bands on rounded or exact scores; bands with points, some of them fractions,
summed over the sections and judged scores, and shared out of what the rated ones could score;
groups nested dozens deep; questions placed with `under`; declarations in any order.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import attrs
from hypothesis import strategies as st

from ccirules.printer import keywords

KEYWORDS = keywords()
_LARGEST = 999_999_999_999_999  # the largest whole number a ruleset may write
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")

#: Value names a scale or choice may use: plain words, keywords the grammar lets be values,
#: and quoted text with characters no identifier has.
VALUE_NAMES = ("yes", "no", "na", "partly", "good", "poor", "n/a", "Not known", "x-1", "é✓",
               "'quoted'", "sufficiently", "1", "2")

#: Values only wild frameworks use: what spreadsheets and YAML treat specially, numbers in
#: other spellings, the same word in other cases, other scripts, and the longest value allowed.
WILD_VALUES = ("TRUE", "false", "Yes", "YES", "null", "~", "01", "1.0", "-1", "0", "NaN",
               "Infinity", "1e5", "#", "=1+1", "@SUM(A1)", "|", "[x](y)", "<b>", "नहीं", "لا",
               "日本", "a b", "x" * 100)


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
def _scale(draw, name: str, max_values: int, wild: bool = False
           ) -> tuple[str, dict[str, str]]:
    extra = draw(st.integers(0, max(0, max_values - 2)))
    pool = [f"v{index}" for index in range(extra)] + list(VALUE_NAMES)
    if wild:
        pool += list(WILD_VALUES)
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
            number = draw(st.integers(max(subject.low - 1, -_LARGEST),
                                      min(subject.high + 1, _LARGEST)))
            if draw(st.integers(0, 4)) == 0 and abs(number) < 10 ** 14:
                return f"{subject.name} {operator} {number}.5"
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
    """A condition over ``subjects``: an atom, or `not`, `and`, `or` of smaller ones, in
    parentheses or left for precedence to group."""
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(_atom(subjects))
    form = draw(st.sampled_from(["not", "and", "or", "parenthesised", "unbracketed"]))
    if form == "not":
        return f"not ({draw(conditions(subjects, depth - 1))})"
    if form == "parenthesised":
        return f"({draw(conditions(subjects, depth - 1))})"
    if form == "unbracketed":  # `not a is x and b is y or c < 3`: precedence groups it
        parts = draw(st.lists(st.tuples(st.booleans(), _atom(subjects)), min_size=2, max_size=4))
        words = [f"{'not ' if negated else ''}{atom}" for negated, atom in parts]
        joins = [draw(st.sampled_from([" and ", " or "])) for _ in words[1:]]
        return words[0] + "".join(join + word for join, word in zip(joins, words[1:],
                                                                    strict=True))
    parts = draw(st.lists(conditions(subjects, depth - 1), min_size=2, max_size=3))
    return f" {form} ".join(f"({part})" for part in parts)


# ---- names and numbers -----------------------------------------------------------------------


@attrs.frozen
class _Names:
    """How a framework names its groups and questions: words (S1, C1_2, Q3), numeric codes as
    frameworks print them (1, 1.2, 1.2.3), or words padded towards the longest name allowed."""

    style: str
    pad: int = 0

    def section(self, s: int) -> str:
        return self._word(f"S{s}", str(s))

    def criterion(self, s: int, c: int) -> str:
        return self._word(f"C{s}_{c}", f"{s}.{c}")

    def nested(self, s: int, depth: int) -> str:
        return self._word(f"N{s}_{depth}", ".".join([str(s)] + ["0"] * (depth + 1)))

    def question(self, number: int, holder: str) -> str:
        return self._word(f"Q{number}", f"{holder}.{number}")

    def _word(self, word: str, code: str) -> str:
        if self.style == "codes":
            return code
        if self.style == "long":
            return (word + "_" + "x" * self.pad)[:100]
        return word


@st.composite
def _whole_number_bounds(draw, wild: bool) -> tuple[int | None, int | None]:
    if not wild or draw(st.booleans()):
        low = draw(st.integers(0, 15))
        return low, low + draw(st.integers(0, 6))
    return draw(st.sampled_from([(-5, 5), (None, None), (0, _LARGEST), (_LARGEST - 4, _LARGEST),
                                 (-_LARGEST, -_LARGEST + 3), (-20, -10)]))


def _decimal(value: Fraction, places: int) -> str:
    """A multiple of 10^-places as a ruleset writes it, exactly."""
    return format(Decimal(int(value * 10 ** places)).scaleb(-places), "f")


@st.composite
def _percent_bands(draw, name: str, prefix: str, places: int, exact: bool, points: bool
                   ) -> tuple[str, list]:
    """A band table covering every percentage: rounded to ``places`` (bands end one step
    before the next begins), or exact (bands end `below` the next). Returns the table's text
    and, when ``points``, the points of its bands."""
    step = Fraction(1, 10 ** places)
    top = 100 * 10 ** places
    cuts = sorted(draw(st.lists(st.integers(1, top - 1), min_size=1, max_size=3, unique=True)))
    bounds = [0, *cuts, top + 1]
    rows, given = [], []
    for index in reversed(range(len(bounds) - 1)):
        low = bounds[index] * step
        if exact:
            high = "100" if index == len(bounds) - 2 else \
                f"below {_decimal(bounds[index + 1] * step, places)}"
        else:
            high = _decimal((bounds[index + 1] - 1) * step, places)
        row = f"  band {prefix}{index} from {_decimal(low, places)} to {high}"
        if points:
            value = draw(st.sampled_from([Fraction(index), Fraction(index, 2),
                                          Fraction(index) + Fraction(1, 4)]))
            given.append(value)
            row += f" points {_decimal(value, 2)}"
        rows.append(row)
    return f'bands {name} "{name}"\n' + "\n".join(rows) + "\nend", given


def _labels(table: str) -> list[str]:
    return [line.split()[1] for line in table.splitlines() if line.strip().startswith("band ")]


def _totals_bands(name: str, prefix: str, parts: list[list[Fraction]], pieces: int) -> str:
    """A band table covering exactly the totals a sum of points over ``parts`` can reach."""
    totals = {Fraction(0)}
    for options in parts:
        totals = {total + option for total in totals for option in options}
    ordered = sorted(totals)
    size = max(1, -(-len(ordered) // max(1, pieces)))
    chunks = [ordered[i:i + size] for i in range(0, len(ordered), size)]
    rows = [f"  band {prefix}{index} from {_decimal(chunk[0], 2)} to {_decimal(chunk[-1], 2)}"
            for index, chunk in reversed(list(enumerate(chunks)))]
    return f'bands {name} "Totals"\n' + "\n".join(rows) + "\nend"


# ---- frameworks ------------------------------------------------------------------------------


@st.composite
def frameworks(draw, max_questions: int = 10, max_values: int = 6, max_depth: int = 2,
               wild: bool = False) -> Framework:
    """A ruleset that passes `check`, and the names of its questions (see the module's
    docstring for what ``wild`` adds)."""
    names = _Names("words")
    if wild:
        names = _Names(draw(st.sampled_from(["words", "codes", "long"])),
                       draw(st.integers(40, 95)))
        max_values = draw(st.sampled_from([max_values, 12, 40]))
        max_questions = draw(st.sampled_from([max_questions, 25]))
        max_depth = draw(st.integers(max_depth, 4))
    scales = [draw(_scale("s1", max_values, wild))]
    if draw(st.booleans()):
        scales.append(draw(_scale("s2", max_values, wild)))
    subjects: list[_Subject] = []
    attribute_lines = []
    for index in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["choice", "yes or no", "number", "text"]))
        name = f"attr{index}"
        if kind == "choice":
            pool = VALUE_NAMES[3:] + (WILD_VALUES if wild else ())
            values = tuple(draw(st.lists(st.sampled_from(pool), min_size=2, max_size=4,
                                         unique=True)))
            attribute_lines.append(f"attribute {name} one of "
                                   + ", ".join(_quoted(v) for v in values))
            subjects.append(_Subject(name, "choice", values))
        elif kind == "yes or no":
            attribute_lines.append(f"attribute {name} yes or no")
            subjects.append(_Subject(name, "choice", ("yes", "no")))
        elif kind == "number":
            low, high = draw(_whole_number_bounds(wild))
            bounds = "" if low is None else f" from {low} to {high}"
            attribute_lines.append(f"attribute {name} whole number{bounds}")
            subjects.append(_Subject(name, "number", low=-3 if low is None else low,
                                     high=30 if high is None else high))
        else:
            attribute_lines.append(f"attribute {name} text")
            texts = ("north", "south", "east") + (("North office", "ü", "x" * 100)
                                                  if wild else ())
            subjects.append(_Subject(name, "text", texts))

    questions: list[str] = []
    keyed: dict[str, list[str]] = {"h1": [], "h2": []}
    body = []
    placed_later: list[str] = []  # questions written outside their group, with `under`
    nested_levels = 0
    sections = draw(st.integers(1, 3))
    budget = max_questions
    for section in range(1, sections + 1):
        section_name = names.section(section)
        lines = [f'section {section_name} "Section {section}"']
        if subjects and draw(st.integers(0, 3)) == 0:
            lines.append(f"  applies when {draw(conditions(subjects, 1))}")
        criteria = draw(st.integers(0, 2))
        holders = [(f"  criterion {names.criterion(section, c)} \"Criterion {section}.{c}\"",
                    "    ", names.criterion(section, c)) for c in range(1, criteria + 1)] \
            or [(None, "  ", section_name)]
        if wild and criteria and draw(st.integers(0, 3)) == 0:
            depth = draw(st.sampled_from([1, 3, 12, 40]))  # groups nested in the section
            nested_levels = max(nested_levels, depth)
            opening = [f"{'  ' * (d + 1)}n{d} {names.nested(section, d)} \"Nested {d}\""
                       for d in range(depth)]
            holders.append(("\n".join(opening), "  " * (depth + 1),
                            names.nested(section, depth - 1), depth))
        for holder in holders:
            header, indent, holder_name = holder[:3]
            if header is not None:
                lines.append(header)
                if subjects and draw(st.integers(0, 3)) == 0:
                    lines.append(f"{indent}applies when {draw(conditions(subjects, 1))}")
            count = max(1, min(budget, draw(st.integers(1, 4))))
            budget = max(1, budget - count)
            for _ in range(count):
                name = names.question(len(questions) + 1, holder_name)
                written = [f"question {name}"]
                scale = draw(st.sampled_from(range(len(scales))))
                if len(scales) > 1:  # with two scales there is no default
                    written.append(f"  on scale s{scale + 1}")
                if subjects and draw(st.booleans()):
                    written.append(f"  applies when {draw(conditions(subjects, max_depth))}")
                heads = [h for h in keyed if draw(st.integers(0, 2)) == 0]
                if heads:
                    written.append(f"  key question for {', '.join(heads)}")
                    for head in heads:
                        keyed[head].append(name)
                if wild and draw(st.integers(0, 5)) == 0:
                    placed_later.append("\n".join([*written, f"  under {holder_name}"]))
                else:
                    lines += [indent + line for line in written]
                questions.append(name)
                values = tuple(scales[scale][1])
                subjects.append(_Subject(name, "question", values))
            if header is not None:
                lines += [f"{'  ' * (d + 1)}end" for d in reversed(range(holder[3]))] \
                    if len(holder) > 3 else ["  end"]
        lines.append("end")
        body.append("\n".join(lines))

    headlines = [f'headline {head} "Headline {head}"\n  banded by pct'
                 for head, members in keyed.items() if members]
    section_names = [names.section(section) for section in range(1, sections + 1)]
    combining = draw(st.sampled_from(["lowest", "highest", "weighted"]))
    if combining == "weighted":
        weights = st.sampled_from(["1", "2", "3", "0.5", "1.25"]) if wild else \
            st.integers(1, 3)
        terms = ", ".join(f"{name} weight {draw(weights)}" for name in section_names)
        rule = f"weighted mean of {terms}"
    else:
        rule = f"{combining} of {', '.join(section_names)}"
    places = draw(st.sampled_from([0, 0, 1, 2, 6])) if wild else 0
    exact = wild and draw(st.integers(0, 3)) == 0
    pct, _ = draw(_percent_bands("pct", "b", places, exact, points=False))
    section_bands, extra = "pct", []
    if wild and draw(st.booleans()):  # sections rated with points, summed with judged scores
        rating, points = draw(_percent_bands("rating", "r", places, exact, points=True))
        section_bands = "rating"
        judged = [f"j{index}" for index in range(draw(st.integers(0, 2)))]
        extra.append(rating)
        extra += [f'score {name} "Judged {name}"\n  judged directly\n  banded by rating'
                  for name in judged]
        parts = [sorted(set(points))] * (len(section_names) + len(judged))
        extra.append(f'score total "Total"\n  scored as sum of points of '
                     f"{', '.join(section_names + judged)}\n  banded by totals")
        extra.append(_totals_bands("totals", "t", parts, draw(st.integers(1, 4))))
        if draw(st.booleans()):  # the same points as a share of what the rated parts could score
            extra.append(f'score share "Share of points"\n  scored as share of points of '
                         f"{', '.join(section_names + judged)}\n  banded by pct")
    labels = _labels(pct)
    limit = ""
    if len(labels) > 1 and draw(st.booleans()):
        rated = _labels(extra[0]) if section_bands == "rating" else labels
        limit = (f"\n  at most {labels[1]} when {draw(st.sampled_from(section_names))} is "
                 f"{'not ' if draw(st.booleans()) else ''}rated {draw(st.sampled_from(rated))}")
    rounding = draw(st.sampled_from(["half up", "half even", "half down", "up", "down"]))
    places_text = "whole numbers" if places == 0 else f"{places} decimal place" + (
        "s" if places > 1 else "")
    header = f'ruleset "Generated"\n  version "1"\n  round {rounding} to {places_text}'
    if exact:
        header += "\n  apply bands to exact scores"
    blocks = [
        header,
        *(scale for scale, _ in scales),
        "\n".join(attribute_lines) if attribute_lines else "# no attributes",
        'level section "Section"\n  scored as proportion sufficient of its questions\n'
        f"  banded by {section_bands}",
        'level criterion "Criterion"\n  within section\n'
        "  scored as proportion sufficient of its questions\n  banded by pct",
        *(f'level n{d} "Nested {d}"\n  within {"section" if d == 0 else f"n{d - 1}"}\n'
          "  scored as proportion sufficient of its questions\n  banded by pct"
          for d in range(nested_levels)),
        *body,
        *placed_later,
        *headlines,
        f'score combined "Combined"\n  scored as {rule}\n  banded by pct{limit}',
        'score counted "Counted"\n  scored as count sufficient of '
        + ", ".join(section_names),
        pct,
        *extra,
    ]
    if wild and draw(st.booleans()):
        blocks = draw(st.permutations(blocks))
    return Framework("\n\n".join(blocks) + "\n", tuple(questions))


