"""A JSON Schema (draft 2020-12) for one ruleset's case files, so forms and other systems can
validate case data before it is scored (``ccirules schema RULESET``).

It accepts what ``ccirules eval`` accepts, and follows the loaders (:mod:`ccirules.loaders`) to
do so:

- the shapes: one case, a list of cases, or a mapping of ``cases:`` and ``judgements:``;
- a case: a non-blank ``case`` id (text or a number), no keys but the ruleset's; each
  attribute in its domain, each answer on its question's scale, either blank or ``null`` (not
  recorded); the attributes that conditions use present and not blank (E408);
- values as the loaders read them: surrounding spaces ignored; a declared value in any case
  (``Yes``) unless another value differs from it only in case; ``true``/``false`` where the
  loaders read a boolean as a value (``yes``/``no`` answers and yes-or-no attributes); a number
  where a value is written as that number (``1``); whole numbers as JSON integers or as digits
  in text, within the declared range;
- an answer to every question that applies to the case (E405), each applicability condition
  written as schema (``if``/``then``), unless ``allow_unanswered`` (as ``eval
  --allow-unanswered``); an answer seen by a condition only where its question applies;
- judgements: only scores judged directly, each one of its band labels (any case);
- an ``inspection:`` block of facts, each one line, the date a date.

What no JSON Schema can say, and so is left to ``eval``: a case id repeated in a file or across
files (E404: ``uniqueItems`` compares whole cases), that the inputs hold at least one case
(E411), a judged score rated in no file (W409, a warning) or in two (E409). An answer where a
question does not apply is accepted, as ``eval`` accepts it with a warning (W406). Unicode's
rarer case equivalences (``ß`` and ``ss``), which ``eval`` also accepts, are not written out.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from decimal import Decimal

from ccirules import terms
from ccirules.compiler import AttributeKind, CompiledAttribute, CompiledRuleset, Rule
from ccirules.facts import FACT_KEYS, MAX_FACT_CHARS
from ccirules.limits import CONTROLS
from ccirules.loaders.records import aliases, matching

_BLANK = {"anyOf": [{"type": "null"}, {"type": "string", "pattern": r"^\s*$"}]}
#: Control characters as a regular expression's class: a value holding one is refused.
_CONTROLS = "".join(char if char == "-" else f"\\u{ord(char):04x}" for char in CONTROLS)

#: Text that is not blank and holds no control character once trimmed (ids, text attributes).
_NOT_BLANK_TEXT = {"type": "string",
                   "pattern": rf"^\s*[^\s{_CONTROLS}](?:[^{_CONTROLS}]*[^\s{_CONTROLS}])?\s*$"}
_REGEX_SPECIAL = set("\\^$.|?*+()[]{}/-")


def case_file_schema(ruleset: CompiledRuleset, *, allow_unanswered: bool = False) -> str:
    """The schema as JSON text (keys in a fixed order: the same ruleset gives the same bytes)."""
    return json.dumps(_Schema(ruleset, allow_unanswered).document(), indent=2,
                      ensure_ascii=False) + "\n"


class _Schema:
    def __init__(self, ruleset: CompiledRuleset, allow_unanswered: bool) -> None:
        self.ruleset = ruleset
        self.allow_unanswered = allow_unanswered

    def document(self) -> dict[str, object]:
        info = self.ruleset.info
        version = f" {info.version}" if info.version else ""
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"Case files for {info.title}{version}",
            "description": "What `ccirules eval` accepts as a case file for this ruleset: one "
                           "case, a list of cases, or `cases:`, `judgements:` and "
                           "`inspection:`. Each line "
                           "of a JSON Lines file is one case (#/$defs/case). Written by "
                           "`ccirules schema`.",
            "oneOf": [
                {"$ref": "#/$defs/case"},
                {"type": "array", "items": {"$ref": "#/$defs/case"}},
                {"$ref": "#/$defs/file"},
            ],
            "$defs": {
                "case": self._case(),
                "file": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": False,
                    "properties": {
                        "cases": {"type": "array", "items": {"$ref": "#/$defs/case"}},
                        "judgements": self._judgements(),
                        "inspection": _facts(),
                    },
                },
                "applies": {question.name: self._applies(question.name)
                            for question in self.ruleset.questions if question.applies},
            },
        }

    # ---- one case ---------------------------------------------------------------------------

    def _case(self) -> dict[str, object]:
        properties: dict[str, object] = {"case": {"anyOf": [
            _NOT_BLANK_TEXT, {"type": "number"}, {"type": "boolean"}]}}
        required = ["case"]
        for name, attribute in self.ruleset.attributes.items():
            values = self._attribute_values(attribute)
            properties[name] = values if attribute.needed else {"anyOf": [_BLANK, values]}
            if attribute.needed:
                required.append(name)
        conditional = []
        for question in self.ruleset.questions:
            answer = _answers(tuple(question.scale.categories))
            if self.allow_unanswered or question.applies:
                properties[question.name] = {"anyOf": [_BLANK, answer]}
            else:
                properties[question.name] = answer
                required.append(question.name)
            if question.applies and not self.allow_unanswered:
                conditional.append({
                    "if": self._applies_ref(question.name),
                    "then": {"required": [question.name],
                             "properties": {question.name: {"not": _BLANK}}}})
        case: dict[str, object] = {"type": "object", "required": required,
                                   "properties": properties, "additionalProperties": False}
        if conditional:
            case["allOf"] = conditional
        return case

    def _attribute_values(self, attribute: CompiledAttribute) -> dict[str, object]:
        if attribute.kind is AttributeKind.WHOLE_NUMBER:
            return _integers([attribute.bounds])
        if attribute.kind is AttributeKind.TEXT:
            return {"anyOf": [_NOT_BLANK_TEXT, {"type": "number"}, {"type": "boolean"}]}
        return {"anyOf": [form for value in attribute.values
                          for form in _forms(value, attribute.values)]}

    def _judgements(self) -> dict[str, object]:
        properties = {}
        for score in self.ruleset.scores:
            if score.rule is Rule.JUDGED:
                labels = [band.label for band in score.bands.bands]
                properties[score.name] = {"anyOf": [
                    form for label in labels for form in _label_forms(label, labels)]}
        return {"type": "object", "properties": properties, "additionalProperties": False}

    # ---- conditions -------------------------------------------------------------------------

    def _applies_ref(self, question: str) -> dict[str, str]:
        token = question.replace("~", "~0").replace("/", "~1")
        return {"$ref": "#/$defs/applies/" + urllib.parse.quote(token, safe="-._~!$&'()*+,;=:@")}

    def _applies(self, question: str) -> dict[str, object]:
        """Holds for a case exactly where ``question`` applies to it."""
        parts = [self.condition(applies.condition)
                 for applies in self.ruleset.question(question).applies]
        return parts[0] if len(parts) == 1 else {"allOf": parts}

    def condition(self, condition: terms.Condition) -> dict[str, object] | bool:
        """A condition as a schema that a case satisfies exactly where the condition holds:
        the one place conditions become JSON Schema."""
        match condition:
            case terms.All(operands=operands):
                return {"allOf": [self.condition(operand) for operand in operands]}
            case terms.Any(operands=operands):
                return {"anyOf": [self.condition(operand) for operand in operands]}
            case terms.Not(operand=operand):
                return {"not": self.condition(operand)}
            case terms.Compare(subject=subject, comparator=comparator, number=number):
                return self._has(subject.text, _integers(_compared(comparator, number.value)))
            case terms.InSet(subject=subject, negated=negated, values=words):
                found = self._one_of(subject.text, [word.text for word in words])
                return {"not": found} if negated else found
            case terms.Is(subject=subject, negated=negated, test=terms.ValueTest(value=word)):
                found = self._one_of(subject.text, [word.text])
                return {"not": found} if negated else found
            case terms.Is(subject=subject, negated=negated,
                          test=terms.CategoryTest(category=category)):
                scale = self.ruleset.question(subject.text).scale
                wanted = scale.values_meaning(*terms.CATEGORY_TESTS[category])
                found = self._one_of(subject.text, list(wanted)) if wanted else False
                return {"not": found} if negated else found
        raise AssertionError(f"a rating test in `applies when`: {condition!r}")

    def _one_of(self, subject: str, values: list[str]) -> dict[str, object]:
        attribute = self.ruleset.attributes.get(subject)
        if attribute is not None:
            if attribute.kind is AttributeKind.WHOLE_NUMBER:
                numbers = [terms.literal(value, True) for value in values]
                return self._has(subject, _integers(
                    [(number, number) for number in numbers if isinstance(number, int)]))
            if attribute.kind is AttributeKind.TEXT:
                return self._has(subject, {"anyOf": [
                    form for value in values for form in _forms(value, (value,), exact=True)]})
            forms = [form for value in values
                     for form in _forms(value, attribute.values)]
            return self._has(subject, {"anyOf": forms})
        declared = tuple(self.ruleset.question(subject).scale.categories)
        found = self._has(subject, _answers(declared, values))
        if not self.ruleset.question(subject).applies:
            return found
        return {"allOf": [self._applies_ref(subject), found]}  # seen where it applies

    @staticmethod
    def _has(subject: str, values: dict[str, object]) -> dict[str, object]:
        return {"required": [subject], "properties": {subject: values}}


# ---- values ----------------------------------------------------------------------------------


def _facts() -> dict[str, object]:
    """An `inspection:` block (:mod:`ccirules.facts`): each fact optional, one line of at most
    MAX_FACT_CHARS once trimmed; a date as facts.DATE_FORMS, one the calendar has, as far as a
    pattern can say (no year 0, no 31st of a 30-day month, no 30th of February; 29 February
    of any year, which facts.date_problem checks against leap years)."""
    line = (rf"^\s*(?:[^\s{_CONTROLS}](?:[^{_CONTROLS}]{{0,{MAX_FACT_CHARS - 2}}}"
            rf"[^\s{_CONTROLS}])?)?\s*$")
    text = {"anyOf": [{"type": "null"}, {"type": "string", "pattern": line},
                      {"type": "number"}, {"type": "boolean"}]}
    date = {"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 1000, "maximum": 9999},
                      {"type": "string",
                       "pattern": r"^\s*(?:(?!0000)[0-9]{4}(?:-(?:0[13578]|1[02])"
                                  r"(?:-(?:0[1-9]|[12][0-9]|3[01]))?|-(?:0[469]|11)"
                                  r"(?:-(?:0[1-9]|[12][0-9]|30))?|-02(?:-(?:0[1-9]|1[0-9]|2[0-9]))?"
                                  r")?)?\s*$"}]}
    return {"type": "object", "additionalProperties": False,
            "properties": {fact: date if fact == "date" else text for fact in FACT_KEYS}}


def _answers(declared: tuple[str, ...], values: list[str] | None = None) -> dict[str, object]:
    """Answers on a scale of ``declared`` values that read as one of ``values`` (any)."""
    return {"anyOf": [form for value in (declared if values is None else values)
                      for form in _forms(value, declared)]}


def _forms(value: str, declared, exact: bool = False) -> list[dict[str, object]]:
    """Every JSON value the loaders read as ``value`` of a domain ``declared``: its text (in
    any case unless ``exact`` or another value differs from it only in case), a word read as it
    (`true` for `yes`), a boolean (read as the text TRUE or FALSE), a number."""
    declared = tuple(declared)

    def reads_as(text: str) -> bool:
        return text == value if exact else matching(declared, text) == value

    folded = not exact and sum(v.casefold() == value.casefold() for v in declared) == 1
    texts = [(value, folded), *((word, True) for word in
                                (() if exact else aliases(declared, value)))]
    forms: list[dict[str, object]] = [
        {"type": "string", "pattern": rf"^\s*{_text_pattern(text, any_case)}\s*$"}
        for text, any_case in texts]
    forms += [{"const": truth} for truth in (True, False) if reads_as(str(truth).upper())]
    number = _as_number(value)
    if number is not None:
        forms.append({"const": number})
    return forms


def _label_forms(label: str, labels: list[str]) -> list[dict[str, object]]:
    """The JSON values a judgement reads as ``label``: its text in any case (the first label
    it matches, as the loaders take it), ``true``/``false`` as their text, a whole number."""
    if next(other for other in labels if other.casefold() == label.casefold()) != label:
        return []
    forms: list[dict[str, object]] = [
        {"type": "string", "pattern": rf"^\s*{_text_pattern(label, True)}\s*$"}]
    forms += [{"const": truth} for truth in (True, False) if str(truth).casefold()
              == label.casefold()]
    if re.fullmatch(r"-?[1-9][0-9]*|0", label):
        forms.append({"const": int(label)})
    return forms


def _as_number(value: str) -> int | float | None:
    """The JSON number the loaders read as ``value`` (they write a number as its digits, a
    whole one without a point), if there is one."""
    if re.fullmatch(r"-?[1-9][0-9]*|0", value):
        return int(value)
    if re.fullmatch(r"-?(0|[1-9][0-9]*)\.[0-9]*[1-9]", value) and repr(float(value)) == value:
        return float(value)
    return None


def _text_pattern(value: str, folded: bool) -> str:
    """A regular expression (ECMA 262, as JSON Schema's are) for ``value``; with ``folded``,
    each letter in either case."""
    parts = []
    for char in value:
        cases = dict.fromkeys(c for c in (char, char.lower(), char.upper()) if len(c) == 1)
        if folded and len(cases) > 1:
            parts.append("[" + "".join(_escaped(c) for c in cases) + "]")
        else:
            parts.append(_escaped(char))
    return "".join(parts)


def _escaped(char: str) -> str:
    return "\\" + char if char in _REGEX_SPECIAL else char


# ---- whole numbers ---------------------------------------------------------------------------

Interval = tuple[int | None, int | None]  # inclusive; None is unbounded


def _compared(comparator: terms.Comparator, number: Decimal) -> list[Interval]:
    """The whole numbers a comparison with ``number`` holds for."""
    floor = int(number.to_integral_value(rounding="ROUND_FLOOR"))
    ceiling = int(number.to_integral_value(rounding="ROUND_CEILING"))
    whole = floor == ceiling
    match comparator:
        case terms.Comparator.LT:
            return [(None, ceiling - 1)]
        case terms.Comparator.LE:
            return [(None, floor)]
        case terms.Comparator.GT:
            return [(floor + 1, None)]
        case terms.Comparator.GE:
            return [(ceiling, None)]
        case terms.Comparator.EQ:
            return [(floor, floor)] if whole else []
    return [(None, floor - 1), (floor + 1, None)] if whole else [(None, None)]


def _integers(intervals: list[Interval]) -> dict[str, object]:
    """Whole numbers in any of ``intervals``, as JSON numbers or as digits in text (the loaders
    take ``"16"``, `` 016 `` and ``+16`` as 16)."""
    forms: list[dict[str, object]] = []
    for low, high in intervals:
        number: dict[str, object] = {"type": "integer"}
        if low is not None:
            number["minimum"] = low
        if high is not None:
            number["maximum"] = high
        forms.append(number)
        pattern = integer_pattern(low, high)
        if pattern is not None:
            forms.append({"type": "string", "pattern": rf"^\s*(?:{pattern})\s*$"})
    return {"anyOf": forms} if forms else {"not": {}}


def integer_pattern(low: int | None, high: int | None) -> str | None:
    """A regular expression for the decimal text of the whole numbers from ``low`` to ``high``
    (either unbounded when None), with an optional sign and leading zeros; None if there are
    none."""
    if low is not None and high is not None and low > high:
        return None
    parts = []
    if (low is None or low <= 0) and (high is None or high >= 0):
        parts.append("[+-]?0+")
    positive = (max(low, 1) if low is not None else 1, high)
    if positive[1] is None or positive[1] >= positive[0]:
        parts.append(r"\+?0*(?:" + "|".join(_digits(*positive)) + ")")
    negative = (max(-high, 1) if high is not None else 1, -low if low is not None else None)
    if negative[1] is None or negative[1] >= negative[0]:
        parts.append("-0*(?:" + "|".join(_digits(*negative)) + ")")
    return "|".join(parts) if parts else None


def _digits(low: int, high: int | None) -> list[str]:
    """Patterns for the numbers from ``low`` (at least 1) to ``high`` (None: no end), written
    without leading zeros."""
    if high is None:
        longest = 10 ** len(str(low)) - 1
        return [*_digits(low, longest), f"[1-9][0-9]{{{len(str(low))},}}"]
    found = []
    for length in range(len(str(low)), len(str(high)) + 1):
        start, end = max(low, 10 ** (length - 1)), min(high, 10 ** length - 1)
        found += _same_length(str(start), str(end))
    return found


def _same_length(low: str, high: str) -> list[str]:
    """Patterns for the numbers from ``low`` to ``high``, written with as many digits."""
    if low == high:
        return [low]
    if len(low) == 1:
        return [f"[{low}-{high}]"]
    if low[0] == high[0]:
        return [low[0] + rest for rest in _same_length(low[1:], high[1:])]
    rest = len(low) - 1
    if low[1:] == "0" * rest and high[1:] == "9" * rest:
        return [f"[{low[0]}-{high[0]}][0-9]{{{rest}}}"]
    found = [low[0] + tail for tail in _same_length(low[1:], "9" * rest)]
    if int(high[0]) - int(low[0]) > 1:
        found.append(f"[{int(low[0]) + 1}-{int(high[0]) - 1}][0-9]{{{rest}}}")
    found += [high[0] + tail for tail in _same_length("0" * rest, high[1:])]
    return found
