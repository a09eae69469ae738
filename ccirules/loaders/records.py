"""One record of case data, from any file format, checked against the ruleset and made a Case.

Every loader reduces its format to :class:`Field` values (a key, a raw value, where each was
read) and hands them here, so what counts as a valid case is decided in one place: the case id,
attribute values within their domains, answers from the question's scale, no unknown columns.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

import msgspec

from ccirules.cases import Case
from ccirules.compiler import AttributeKind, CompiledAttribute, CompiledRuleset, match_value
from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.source import Span
from ccirules.suggest import did_you_mean

#: The key (or column header) that holds a case's id.
CASE_KEY = "case"


class Field(msgspec.Struct, frozen=True):
    key: str
    value: object  # str, int, float, bool, None, or a date from a spreadsheet
    key_span: Span
    value_span: Span


def repeated_case(case_id: str, span: Span, first_seen: Span) -> Diagnostic:
    """E404 for a case id seen before, whether the loader holds every case or streams them."""
    return error("E404", f"case `{case_id}` appears twice", span,
                 hint="give each case its own id, or remove the repeat",
                 related=[Related(first_seen, "first seen here")])


class RecordBuilder:
    """Builds cases from fields, collecting diagnostics; remembers case ids to find repeats."""

    def __init__(self, ruleset: CompiledRuleset) -> None:
        self.ruleset = ruleset
        self.diagnostics: list[Diagnostic] = []
        self.seen: dict[str, Span] = {}
        self._questions = {question.name: question for question in ruleset.questions}
        self._names = [*ruleset.attributes, *self._questions, CASE_KEY]

    def build(self, fields: Iterable[Field], span: Span) -> Case | None:
        """A case from one record's fields, or None (with diagnostics) when it is unusable."""
        case_id: str | None = None
        attributes: dict[str, object] = {}
        answers: dict[str, str] = {}
        origins: dict[str, Span] = {}
        problems = len(self.diagnostics)
        rejected: set[str] = set()
        for field in fields:
            if field.key == CASE_KEY:
                case_id = self._case_id(field)
                origins[CASE_KEY] = field.value_span
            elif field.key in self.ruleset.attributes:
                before = len(self.diagnostics)
                value = self._attribute(self.ruleset.attributes[field.key], field)
                if value is not None:
                    attributes[field.key] = value
                elif len(self.diagnostics) > before:
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
            if len(self.diagnostics) == problems:
                self.diagnostics.append(error(
                    "E407", "this case has no id", span,
                    hint=f"give every case a `{CASE_KEY}` with a unique id, such as C001"))
            return None
        for name, attribute in self.ruleset.attributes.items():
            if attribute.needed and name not in attributes and name not in rejected:
                self.diagnostics.append(error(
                    "E408", f"case `{case_id}` does not say its `{name}`", span,
                    hint=f"add `{name}`: conditions use it to decide which questions apply",
                    related=[Related(attribute.span, "declared here")]))
        if case_id in self.seen:
            self.diagnostics.append(repeated_case(case_id, origins[CASE_KEY], self.seen[case_id]))
            return None
        self.seen[case_id] = origins[CASE_KEY]
        if len(self.diagnostics) > problems:
            return None
        return Case(case_id, attributes, answers, origins, span)

    # ---- fields -----------------------------------------------------------------------------

    def _case_id(self, field: Field) -> str | None:
        value = _text_of(field.value)
        if value is None or not value.strip():
            self.diagnostics.append(error("E407", "the case id is empty", field.value_span,
                                          hint="give every case a unique id, such as C001"))
            return None
        return value.strip()

    def _attribute(self, attribute: CompiledAttribute, field: Field) -> object | None:
        raw = field.value
        if _blank(raw):
            return None
        if isinstance(raw, datetime.date | datetime.time):
            return self._reject(field, f"a date where `{attribute.name}` expects "
                                       f"{_expects(attribute)}")
        if attribute.kind is AttributeKind.WHOLE_NUMBER:
            number = _whole_number(raw)
            if number is None:
                return self._reject(field, f"`{raw}` is not a whole number")
            if (attribute.low is not None and number < attribute.low) or (
                    attribute.high is not None and number > attribute.high):
                return self._reject(field, f"{number} is outside `{attribute.name}`'s range "
                                           f"{attribute.low} to {attribute.high}")
            return number
        text = _text_of(raw)
        if attribute.kind is AttributeKind.TEXT:
            return text
        if isinstance(raw, bool) and attribute.kind is AttributeKind.YES_OR_NO:
            return "yes" if raw else "no"
        match = match_value(attribute.values, text) if text is not None else None
        if match is None:
            listed = ", ".join(f"`{value}`" for value in attribute.values)
            return self._reject(field, f"`{text}` is not a value of `{attribute.name}`",
                                did_you_mean(text, attribute.values)
                                or f"valid values: {listed}")
        return match

    def _answer(self, field: Field) -> str | None:
        question = self._questions[field.key]
        raw = field.value
        if _blank(raw):
            return None
        if isinstance(raw, bool):
            raw = "yes" if raw else "no"
        text = _text_of(raw)
        match = question.scale.lookup(text) if text is not None else None
        if match is None:
            values = list(question.scale.categories)
            listed = ", ".join(f"`{value}`" for value in values)
            return self._reject(field, f"`{text}` is not an answer on scale "
                                       f"`{question.scale.name}` (question `{question.name}`)",
                                did_you_mean(text or "", values) or f"valid answers: {listed}")
        return match

    def _unknown(self, field: Field) -> None:
        self.diagnostics.append(error(
            "E402", f"`{field.key}` is not a question or attribute of this ruleset",
            field.key_span,
            hint=did_you_mean(field.key, self._names)
            or "remove it, or check that the right ruleset is used"))

    def _reject(self, field: Field, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(error("E403", message, field.value_span, hint=hint))
        return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text_of(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    # ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
    if _WHOLE_NUMBER.fullmatch(text):
        return int(text)
    return None


_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def _expects(attribute: CompiledAttribute) -> str:
    return "a whole number" if attribute.kind is AttributeKind.WHOLE_NUMBER else "text"
