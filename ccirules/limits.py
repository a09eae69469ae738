"""The limits of what ccirules reads, in one table, and the one reader of numbers.

Every limit here keeps a cost bounded whatever a file holds: a number's size bounds the integers
the engine's typed records hold (msgspec decodes 64-bit integers) and the work of exact
arithmetic; counts of questions, scores and values bound the size of the generated scorer and of
the checker's analyses; a name's length bounds what case files must carry as keys and column
headers. Each is far beyond any real framework (the 2012 Core Case Inspection has about 60
questions and 15 scores) and each is documented in docs/language.md and docs/cases.md.

Numbers are read here, and only here, wherever they appear: in rulesets (conditions, domains,
band bounds, points, weights, decimal places) and in case files (whole-number attributes). Only
plain decimals are numbers: no exponents, no `NaN` or `Infinity`, no digits other than 0-9.
"""

from __future__ import annotations

import re
from decimal import Decimal

import attrs

#: Digits before the decimal point. 15 digits stay exact as a JSON or spreadsheet float (2^53 is
#: about 9.0e15) and well inside a 64-bit integer.
MAX_WHOLE_DIGITS = 15

#: The largest whole number anywhere: 999,999,999,999,999.
MAX_WHOLE = 10 ** MAX_WHOLE_DIGITS - 1

#: Digits after the decimal point, in any number and in `round ... to N decimal places`.
MAX_DECIMAL_PLACES = 6

#: Characters in a name (of a question, attribute, group, score, scale, level or band table) and
#: in a value (of a scale, a choice or a band label): what case files carry as keys and cells.
MAX_NAME_LENGTH = 100

#: Questions in one ruleset: each becomes typed fields and straight-line code in the scorer.
MAX_QUESTIONS = 5_000

#: Attributes in one ruleset.
MAX_ATTRIBUTES = 1_000

#: Scores in one ruleset: scored groups, headlines and other scores together. Each pooled score
#: holds the list of questions it pools, so this and MAX_QUESTIONS bound their product.
MAX_SCORES = 1_000

#: Comparisons in the conditions that decide whether questions apply, counting a group's
#: condition once for each question in it (the scorer tests it for each, and a trace explains
#: it for each): this bounds the scorer's code and a trace's legend.
MAX_CONDITION_COMPARISONS = 200_000

#: Values of one scale or one choice attribute, and bands of one band table.
MAX_VALUES = 1_000

#: Steps of work (runs of reachable totals times the points of one part, added over the parts)
#: the checker may spend finding every total a sum of points can reach.
MAX_TOTALS_WORK = 1_000_000

#: Values in one case file read whole: keys and values of YAML and JSON, cells of CSV, and the
#: grid of cells from A1 to a sheet's last cell. An inspection of 1,000 cases with 200 answers
#: each holds about 400,000 (200,000 cells); each costs a few hundred bytes once read, and a
#: file is refused as soon as it passes this, before its cost grows with it. Larger programmes
#: belong in JSON Lines, which `eval` streams.
MAX_FILE_VALUES = 1_000_000

#: Names a case file cannot carry for a question or attribute: `case` holds the case's id, and a
#: mapping holding `cases` or `judgements` is read as a file of cases, not as one case.
RESERVED_NAMES = frozenset({"case", "cases", "judgements"})

_NUMBER = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?")


@attrs.frozen
class NumberProblem:
    """Why a text is not a number ccirules reads: ``malformed`` (not a plain decimal at all) or
    beyond a limit; with a message and a hint for the diagnostic, and the ``nearest`` number
    within the limits, which stands in for it so that one mistake gives one diagnostic."""

    malformed: bool
    message: str
    hint: str
    nearest: Decimal = Decimal(0)


def read_number(text: str) -> Decimal | NumberProblem:
    """A plain decimal (``75``, ``-2``, ``2.5``) within the limits, exactly; or why not."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        return NumberProblem(True, f"`{_shortened(text)}` is not a number",
                             "write a plain number such as 75 or 2.5, without exponents")
    whole, fraction = match.groups()
    negative = text.strip().startswith("-")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        return NumberProblem(False, f"`{_shortened(text)}` is too large: numbers are at most "
                             f"{MAX_WHOLE:,}", f"numbers have at most {MAX_WHOLE_DIGITS} digits "
                             "before the decimal point", Decimal(-MAX_WHOLE if negative
                                                                 else MAX_WHOLE))
    number = Decimal(text.strip())
    if fraction is not None and len(fraction.rstrip("0")) > MAX_DECIMAL_PLACES:
        return NumberProblem(False, f"`{_shortened(text)}` has too many decimal places",
                             f"numbers have at most {MAX_DECIMAL_PLACES} digits after the "
                             "decimal point", number.quantize(Decimal(1).scaleb(
                                 -MAX_DECIMAL_PLACES)))
    return number


def read_whole_number(text: str) -> int | NumberProblem:
    """A whole number (``16``, ``+16``, ``-3``) within the limits; or why not. A decimal point
    is refused even when the fraction is zero: whole numbers are written whole."""
    stripped = text.strip()
    unsigned = stripped[1:] if stripped[:1] in "+-" else stripped
    if not unsigned.isascii() or not unsigned.isdigit():
        return NumberProblem(True, f"`{_shortened(text)}` is not a whole number",
                             "write a whole number such as 16")
    number = read_number(stripped.removeprefix("+"))
    return number if isinstance(number, NumberProblem) else int(number)


def whole_number_problem(number: int) -> NumberProblem | None:
    """Why an integer read from a file (a JSON or spreadsheet number) is beyond the limits."""
    if -MAX_WHOLE <= number <= MAX_WHOLE:
        return None
    return NumberProblem(False, f"{_shortened(str(number))} is too large: whole numbers are at "
                         f"most {MAX_WHOLE:,}", f"numbers have at most {MAX_WHOLE_DIGITS} digits "
                         "before the decimal point")


def control_character(text: str) -> str | None:
    """The first character in ``text`` that must not reach any output, or None: control
    characters (line breaks, tabs, escape sequences, C1 controls), Unicode line and paragraph
    separators, and the bidirectional overrides and isolates that reorder how text is shown."""
    found = _CONTROL.search(text)
    return found.group() if found else None


def shown_character(char: str) -> str:
    """A character as a diagnostic names it: ``\\r``, ``\\x1b``, ``\\u202e``."""
    return repr(char)[1:-1] if char != "'" else char


#: Unicode's control characters (category Cc: U+0000-U+001F and U+007F-U+009F), its line and
#: paragraph separators (Zl, Zp) and its bidirectional embeddings, overrides and isolates.
CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{CONTROLS}]")

#: Text a typed decoder may take as it is (a case id, a text attribute): not empty, no
#: surrounding spaces, no control characters. Anything else is read the slow way, where it is
#: trimmed, or refused with a located diagnostic, exactly as in every other format.
CLEAN_TEXT_PATTERN = rf"\A(?!\s)[^{CONTROLS}]+(?<!\s)\Z"


def _shortened(text: str) -> str:
    """A long number as a diagnostic quotes it: its first and last digits."""
    return text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text):,} characters)"
