"""Applicability conditions as spreadsheet formulas: what greys out a question's cells in a
workbook template (:mod:`ccirules.template`) when it does not apply to the case in that row.

A formula must decide exactly what the engine decides (:func:`ccirules.terms.holds`), for every
value a case file may hold, so it follows the loaders as well as the conditions:

- a cell is read as the loaders read it: its text with surrounding spaces removed (``TRIM``),
  a number as its digits (``16``), a spreadsheet boolean as ``TRUE`` or ``FALSE``, a blank cell
  as no value;
- a declared value matches whatever case spells it (``Yes`` is ``yes``) unless another value of
  the same domain differs from it only in case, when only the exact spelling matches; ``TRUE``
  and ``FALSE`` stand for ``yes`` and ``no`` where no value is spelled so (as
  :func:`ccirules.loaders.records.matching` decides); text attributes match exactly
  (``EXACT``);
- whole numbers compare as numbers (``VALUE``), and a blank or non-numeric cell satisfies no
  comparison (``IFERROR(..., FALSE)``), as a missing value satisfies none in the engine;
- a question's answer is seen by other conditions only where that question applies, so a test
  of an answer is written together with the formula for that question applying.

Nothing a user wrote becomes formula syntax: values enter only as string literals, quotes
doubled, and names only as the cell references they are mapped to. Excel limits a formula to
8,192 characters, 64 nested functions and string literals of 255 characters; a condition
whose formula would pass a limit gets none (:class:`InexpressibleError`), and the template says in
words when the question applies instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from ccirules import terms
from ccirules.compiler import AttributeKind, CompiledRuleset
from ccirules.loaders.records import aliases

#: Excel's limits on one formula.
MAX_FORMULA_CHARS = 8192
MAX_NESTING = 64
MAX_LITERAL_CHARS = 255


class InexpressibleError(Exception):
    """A condition whose formula would pass one of Excel's limits."""


class ConditionFormulas:
    """Formulas over one row of a sheet, whose cells hold the case's attributes and answers.

    ``columns`` maps each attribute and question name to its column's letters; ``row`` is the
    row the formulas are written for (a conditional format's formula is written for the first
    cell of its range and moves with each row: columns are absolute, rows relative)."""

    def __init__(self, ruleset: CompiledRuleset, columns: Mapping[str, str], row: int) -> None:
        self.ruleset = ruleset
        self.columns = columns
        self.row = row
        # Each question's formula for applying, None where it passes a limit. Built in the
        # order questions are evaluated, so a question's formula is ready before a condition
        # that reads its answer needs it: the walk never follows a chain of answers.
        self._applies: dict[str, str | None] = {}
        for name in ruleset.evaluation_order:
            try:
                self._applies[name] = _within_limits(self._applies_formula(name))
            except InexpressibleError:
                self._applies[name] = None

    def greyed(self, question: str) -> str | None:
        """A formula true where ``question`` does not apply to the row, or None where the
        question always applies or its condition cannot be written as a formula."""
        applies = self._applies[question]
        if applies is None or applies == "TRUE":
            return None
        return _within_limits(f"NOT({applies})")

    def _applies_formula(self, question: str) -> str:
        """True where ``question`` applies: its groups' conditions and its own, all of them."""
        conditions = [self.condition(applies.condition)
                      for applies in self.ruleset.question(question).applies]
        return _all(conditions) if conditions else "TRUE"

    # ---- the walk ---------------------------------------------------------------------------

    def condition(self, condition: terms.Condition, depth: int = 0) -> str:
        """A condition as a formula: the one place conditions become spreadsheet syntax."""
        if depth > MAX_NESTING:  # every level nests a function, so Excel could not take it
            raise InexpressibleError("nested beyond Excel's limit")
        match condition:
            case terms.All(operands=operands):
                return _all([self.condition(o, depth + 1) for o in operands])
            case terms.Any(operands=operands):
                return _any([self.condition(o, depth + 1) for o in operands])
            case terms.Not(operand=operand):
                return f"NOT({self.condition(operand, depth + 1)})"
            case terms.Compare(subject=subject, comparator=comparator, number=number):
                operator = "<>" if comparator is terms.Comparator.NE else comparator.value
                value = terms.exact_number(number.value)
                return _numeric(f"{self._number_of(subject.text)}{operator}{value}")
            case terms.InSet(subject=subject, negated=negated, values=words):
                found = self._one_of(subject.text, [word.text for word in words])
                return f"NOT({found})" if negated else found
            case terms.Is(subject=subject, negated=negated, test=terms.ValueTest(value=word)):
                found = self._one_of(subject.text, [word.text])
                return f"NOT({found})" if negated else found
            case terms.Is(subject=subject, negated=negated,
                          test=terms.CategoryTest(category=category)):
                scale = self.ruleset.question(subject.text).scale
                wanted = scale.values_meaning(*terms.CATEGORY_TESTS[category])
                found = self._one_of(subject.text, list(wanted)) if wanted else "FALSE"
                return f"NOT({found})" if negated else found
        # A rating test: the checker keeps these out of `applies when`.
        raise InexpressibleError(f"no formula for {condition!r}")

    # ---- subjects ---------------------------------------------------------------------------

    def _one_of(self, subject: str, values: list[str]) -> str:
        """True where the subject, as conditions see it, has one of ``values``."""
        attribute = self.ruleset.attributes.get(subject)
        if attribute is not None and attribute.kind is AttributeKind.WHOLE_NUMBER:
            number = self._number_of(subject)
            return _numeric(_any([f"{number}={terms.literal(value, True)}"
                                  for value in values]))
        if attribute is not None:
            exact = attribute.kind is AttributeKind.TEXT  # any text: matched as written
            return self._matches(subject, values, attribute.values, exact)
        tests = self._matches(subject, values, tuple(
            self.ruleset.question(subject).scale.categories), False)
        applies = self._applies.get(subject)
        if applies is None:  # passed a limit itself
            raise InexpressibleError(f"question `{subject}` has no formula")
        return tests if applies == "TRUE" else _all([applies, tests])

    def _matches(self, subject: str, values: list[str], declared: tuple[str, ...],
                 exact: bool) -> str:
        """True where the cell's text is one of ``values``, or a word read as one (TRUE for
        `yes`). A spreadsheet boolean's text is TRUE or FALSE, in Excel as in the loaders."""
        text = f'TRIM({self._cell(subject)}&"")'
        tests = []
        for value in values:
            tests.append(_same_text(text, value, exact or not _unique_fold(value, declared)))
            if not exact:
                tests += [_same_text(text, word, False) for word in aliases(declared, value)]
        return _any(tests)

    def _cell(self, subject: str) -> str:
        return f"${self.columns[subject]}{self.row}"

    def _number_of(self, subject: str) -> str:
        return f'VALUE(TRIM({self._cell(subject)}&""))'


def _within_limits(formula: str) -> str | None:
    """The formula, or None if it passes Excel's limits on length or nesting."""
    if len(formula) > MAX_FORMULA_CHARS or nesting(formula) > MAX_NESTING:
        return None
    return formula


def nesting(formula: str) -> int:
    """How deeply a formula's parentheses nest (outside string literals)."""
    deepest = depth = 0
    quoted = False
    for char in formula:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif not quoted and char == ")":
            depth -= 1
    return deepest


def _numeric(test: str) -> str:
    """A test of a whole number: false where the cell holds no number (blank or text)."""
    return f"IFERROR({test},FALSE)"


def _all(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"AND({','.join(parts)})"


def _any(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"OR({','.join(parts)})"


def _same_text(text: str, value: str, exact: bool) -> str:
    if exact:
        return f"EXACT({text},{_string(value)})"
    # Excel and Python agree on the capitals of ASCII letters; other text is left to UPPER.
    upper = _string(value.upper()) if value.isascii() else f"UPPER({_string(value)})"
    return f"UPPER({text})={upper}"


def _unique_fold(value: str, declared: tuple[str, ...]) -> bool:
    """Whether a case may spell ``value`` in any case: no other declared value differs from
    it only in case (:func:`ccirules.compiler.match_value`)."""
    return sum(other.casefold() == value.casefold() for other in declared) == 1


def _string(value: str) -> str:
    if len(value) > MAX_LITERAL_CHARS:
        raise InexpressibleError("a value longer than Excel's string literals")
    return '"' + value.replace('"', '""') + '"'

