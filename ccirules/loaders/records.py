"""One record of case data, from any file format, checked against the ruleset and made a Case.

Every loader reduces its format to :class:`Field` values (a key, a raw value, where each was
read) and hands them here, so what counts as a valid case is decided in one place: the case id,
attribute values within their domains, answers from the question's scale, no unknown columns.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

import msgspec

from ccirules.cases import Case
from ccirules.compiler import AttributeKind, CompiledAttribute, CompiledRuleset, match_value
from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.limits import (
    NumberProblem,
    control_character,
    read_whole_number,
    shown_character,
    whole_number_problem,
)
from ccirules.source import SourceFile, Span
from ccirules.suggest import did_you_mean

#: The key (or column header) that holds a case's id.
CASE_KEY = "case"


class Field(msgspec.Struct, frozen=True):
    """One key and value of a record, and where each was read."""

    key: str
    value: object  # str, int, float, bool, None, or a date from a spreadsheet
    key_span: Span
    value_span: Span


def repeated_case(case_id: str, span: Span, first_seen: Span) -> Diagnostic:
    """E404 for a case id seen before, whether the loader holds every case or streams them."""
    return error("E404", f"case `{case_id}` appears twice", span,
                 hint="give each case its own id, or remove the repeat (ids are compared "
                      f"without surrounding spaces: `{case_id} ` is `{case_id}`)",
                 related=[Related(first_seen, "first seen here")])


#: Problems reported for one file before the rest are only counted (E412 says how many): a file
#: with a mistake on every one of a million rows costs as much as one with a hundred.
MAX_PROBLEMS_PER_FILE = 100


class RecordBuilder:
    """Builds cases from fields, collecting diagnostics; remembers case ids to find repeats.

    At most :data:`MAX_PROBLEMS_PER_FILE` problems are reported per file, then one E412 counts
    the rest, so neither time nor memory grows with the number of mistakes; a column the
    ruleset does not know is reported once, at its header, not once per row.
    """

    def __init__(self, ruleset: CompiledRuleset) -> None:
        self.ruleset = ruleset
        self.seen: dict[str, Span] = {}
        self._questions = {question.name: question for question in ruleset.questions}
        self._names = [*ruleset.attributes, *self._questions, CASE_KEY]
        self._problems = 0  # every problem found, reported or only counted
        self._reported: list[Diagnostic] = []
        self._per_file: dict[str, int] = {}
        self._unknown_keys: set[tuple[str, Span]] = set()

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """The problems reported so far, and an E412 for each file with more than listed."""
        counted = [error("E412", f"{count - MAX_PROBLEMS_PER_FILE:,} more problems in this file "
                         f"are not listed (only the first {MAX_PROBLEMS_PER_FILE} are)",
                         SourceFile(path, "").whole(),
                         hint="fix the problems listed, which often fixes the rest, and run "
                              "again")
                   for path, count in self._per_file.items() if count > MAX_PROBLEMS_PER_FILE]
        return [*self._reported, *counted]

    def build(self, fields: Iterable[Field], span: Span) -> Case | None:
        """A case from one record's fields, or None (with diagnostics) when it is unusable."""
        case_id: str | None = None
        attributes: dict[str, object] = {}
        answers: dict[str, str] = {}
        origins: dict[str, Span] = {}
        problems = self._problems
        rejected: set[str] = set()
        for field in fields:
            if field.key == CASE_KEY:
                case_id = self._case_id(field)
                origins[CASE_KEY] = field.value_span
            elif field.key in self.ruleset.attributes:
                before = self._problems
                value = self._attribute(self.ruleset.attributes[field.key], field)
                if value is not None:
                    attributes[field.key] = value
                elif self._problems > before:
                    rejected.add(field.key)
                origins[field.key] = field.value_span
            elif field.key in self._questions:
                answer = self._answer(field)
                if answer is not None:
                    answers[field.key] = answer
                origins[field.key] = field.value_span
            else:
                self._unknown(field)
        if case_id is None:
            if self._problems == problems:
                self._report(span, lambda: error(
                    "E407", "this case has no id", span,
                    hint=f"give every case a `{CASE_KEY}` with a unique id, such as C001"))
            return None
        for name, attribute in self.ruleset.attributes.items():
            if attribute.needed and name not in attributes and name not in rejected:
                self._report(span, lambda name=name, attribute=attribute: error(
                    "E408", f"case `{case_id}` does not say its `{name}`", span,
                    hint=f"add `{name}`: conditions use it to decide which questions apply",
                    related=[Related(attribute.span, "declared here")]))
        if case_id in self.seen:
            first = self.seen[case_id]
            self._report(origins[CASE_KEY],
                         lambda: repeated_case(case_id, origins[CASE_KEY], first))
            return None
        self.seen[case_id] = origins[CASE_KEY]
        if self._problems > problems:
            return None
        return Case(case_id, attributes, answers, origins, span)

    # ---- reporting --------------------------------------------------------------------------

    def _report(self, span: Span, make: Callable[[], Diagnostic]) -> None:
        """Count a problem, and report it (``make`` builds its diagnostic) while its file has
        reported fewer than MAX_PROBLEMS_PER_FILE; the rest are only counted."""
        self._problems += 1
        count = self._per_file.get(span.path, 0) + 1
        self._per_file[span.path] = count
        if count <= MAX_PROBLEMS_PER_FILE:
            self._reported.append(make())

    # ---- fields -----------------------------------------------------------------------------

    def _case_id(self, field: Field) -> str | None:
        value = _text_of(field.value)
        if value is None or not value.strip():
            self._report(field.value_span, lambda: error(
                "E407", "the case id is empty", field.value_span,
                hint="give every case a unique id, such as C001"))
            return None
        if self._control_character(field, value):
            return None
        return value.strip()

    def _attribute(self, attribute: CompiledAttribute, field: Field) -> object | None:
        raw = field.value
        if _blank(raw):
            return None
        if isinstance(raw, datetime.date | datetime.time):
            return self._date(field, f"`{attribute.name}` expects {_expects(attribute)}")
        if attribute.kind is AttributeKind.WHOLE_NUMBER:
            return self._whole_number(attribute, field)
        text = _text_of(raw)
        if self._control_character(field, text):
            return None
        if attribute.kind is AttributeKind.TEXT:
            return text
        if isinstance(raw, bool) and attribute.kind is AttributeKind.YES_OR_NO:
            return "yes" if raw else "no"
        match = matching(attribute.values, text)
        if match is None:
            listed = ", ".join(f"`{value}`" for value in attribute.values)
            return self._reject(field, f"`{text}` is not a value of `{attribute.name}`",
                                lambda: did_you_mean(text, attribute.values)
                                or f"valid values: {listed}")
        return match

    def _whole_number(self, attribute: CompiledAttribute, field: Field) -> int | None:
        """A whole number within the attribute's range (and so within the limits)."""
        number = _whole_number(field.value)
        if isinstance(number, NumberProblem):
            return self._reject(field, number.message, lambda: number.hint)
        low, high = attribute.bounds
        if not low <= number <= high:
            if attribute.low is None and attribute.high is None:
                problem = whole_number_problem(number)
                return self._reject(field, problem.message, lambda: problem.hint)
            return self._reject(field, f"{number} is outside `{attribute.name}`'s range "
                                       f"{low} to {high}",
                                lambda: f"`{attribute.name}` is a whole number from {low} to "
                                        f"{high}; check the value, or the range declared for it")
        return number

    def _answer(self, field: Field) -> str | None:
        question = self._questions[field.key]
        raw = field.value
        if _blank(raw):
            return None
        if isinstance(raw, datetime.date | datetime.time):
            return self._date(field, f"question `{question.name}` expects an answer")
        text = _text_of(raw)
        if self._control_character(field, text):
            return None
        match = matching(question.scale.categories, text)
        if match is None:
            values = list(question.scale.categories)
            listed = ", ".join(f"`{value}`" for value in values)
            return self._reject(field, f"`{text}` is not an answer on scale "
                                       f"`{question.scale.name}` (question `{question.name}`)",
                                lambda: did_you_mean(text or "", values)
                                or f"valid answers: {listed}")
        return match

    def _date(self, field: Field, expected: str) -> None:
        """E403 for a spreadsheet date where text or a number is expected."""
        return self._reject(field, f"a date where {expected}",
                            lambda: "Excel took what was typed for a date: format the cell as "
                                    "text and type the value again")

    def _control_character(self, field: Field, text: str) -> bool:
        """Report a value holding a character that must not reach any output."""
        char = control_character(text)
        if char is None:
            return False
        self._reject(field, f"this value holds a control character (`{shown_character(char)}`)",
                     lambda: "remove it: values are shown in terminals, spreadsheets and "
                             "reports, where control characters could change what is shown")
        return True

    def _unknown(self, field: Field) -> None:
        """E402, once per key and place: a CSV or Excel column once, at its header."""
        if (field.key, field.key_span) in self._unknown_keys:
            return
        self._unknown_keys.add((field.key, field.key_span))
        self._report(field.key_span, lambda: error(
            "E402", f"`{field.key}` is not a question or attribute of this ruleset",
            field.key_span,
            hint=did_you_mean(field.key, self._names)
            or "remove it, or check that the right ruleset is used"))

    def _reject(self, field: Field, message: str,
                hint: Callable[[], str | None] = lambda: None) -> None:
        self._report(field.value_span,
                     lambda: error("E403", message, field.value_span, hint=hint()))
        return None


def matching(declared: Iterable[str], text: str) -> str | None:
    """The declared value a recorded one stands for (see :func:`match_value`); a spreadsheet's
    TRUE or FALSE (in any case) stands for `yes` or `no`, as Excel exports booleans to CSV.

    The one place recorded text becomes a declared value: the workbook template's greying
    formulas and the case-file schema ask it (and :func:`aliases`) how values may be spelled."""
    declared = tuple(declared)
    found = match_value(declared, text)
    if found is None and text.casefold() in SPREADSHEET_BOOLEANS:
        found = match_value(declared, SPREADSHEET_BOOLEANS[text.casefold()])
    return found


SPREADSHEET_BOOLEANS = {"true": "yes", "false": "no"}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text_of(value: object) -> str | None:
    """A value as text: spreadsheet booleans as TRUE and FALSE, whole floats without `.0`, and
    surrounding spaces trimmed."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _whole_number(value: object) -> int | NumberProblem:
    if isinstance(value, bool):
        return NumberProblem(True, f"`{_text_of(value)}` is not a whole number",
                             "write a whole number such as 16")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        return NumberProblem(True, f"`{value}` is not a whole number",
                             "write a whole number such as 16")
    return read_whole_number(str(value))


def _expects(attribute: CompiledAttribute) -> str:
    return "a whole number" if attribute.kind is AttributeKind.WHOLE_NUMBER else "text"


def aliases(declared: Iterable[str], value: str) -> tuple[str, ...]:
    """Words other than ``value`` itself (in any case) that are read as it: `true` for `yes`
    where no declared value is `true`, and `false` for `no`."""
    declared = tuple(declared)
    return tuple(word for word in SPREADSHEET_BOOLEANS if word != value.casefold()
                 and matching(declared, word) == value)
