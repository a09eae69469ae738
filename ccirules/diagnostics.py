"""The one diagnostic type every stage reports problems with.

Parser, checker and (later) case-file loaders all produce :class:`Diagnostic` values; nothing raises
a bare exception at a user. Each diagnostic has a stable code documented in ``docs/errors.md``; the
table :data:`CODES` is the single list of them, and a test keeps the two in step.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from attrs import frozen

from ccirules.source import Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


#: Every diagnostic code and a short title. Codes never change meaning once published.
CODES: dict[str, str] = {
    # reading and syntax
    "E100": "file cannot be read",
    "E101": "not UTF-8 text",
    "E102": "file too large",
    "E103": "unexpected character",
    "E104": "quoted text not closed",
    "E105": "unexpected word",
    "E106": "block not closed with `end`",
    "E107": "`end` closes nothing",
    "E108": "nested too deeply",
    "E109": "clause given twice",
    "E110": "malformed number or date",
    "E111": "beyond a limit",
    # names and references
    "E201": "duplicate name",
    "E202": "unknown name",
    "E203": "wrong kind of name",
    # conditions
    "E204": "value not allowed here",
    "E205": "type mismatch in condition",
    "E206": "cycle among conditions",
    "E207": "cycle among scores",
    "E208": "name case files cannot carry",
    # the hierarchy and questions
    "E210": "group in the wrong place",
    "E211": "question under no group or under two",
    "E212": "question has no scale",
    "E213": "scale cannot decide sufficiency",
    # scores
    "E214": "operand not allowed for this score",
    "E215": "headline with no key questions",
    "E216": "bands or limits without a score",
    "E217": "points missing from a band table",
    "E218": "score without a rule",
    "E219": "judged score without bands",
    # band tables and ranges
    "E220": "values in the wrong order",
    "E221": "bands overlap",
    "E222": "gap between bands",
    "E223": "band outside the score's range",
    "E224": "band can never be reached",
    "E225": "band table used for different kinds of score",
    "E226": "reserved word read as a keyword",
    # the file as a whole
    "E227": "missing ruleset header",
    # case files and inspection judgements
    "E400": "unsupported case file",
    "E401": "malformed case file",
    "E402": "unknown question or attribute",
    "E403": "value not allowed",
    "E404": "duplicate case",
    "E405": "missing answer",
    "E407": "case without an id",
    "E408": "missing attribute value",
    "E409": "judgement not allowed",
    "E410": "unexpected structure",
    "E411": "no cases",
    "E412": "too many problems in one file",
    "E413": "malformed inspection fact",
    # ruleset test files
    "E430": "malformed ruleset test",
    "E431": "unknown score or band in a test",
    # outputs
    "E450": "output not written",
    # warnings
    "W301": "condition can never be true",
    "W302": "declared but never used",
    "W303": "no Welsh title",
    "W304": "scale value named like a category",
    "W405": "missing answer left out",
    "W406": "answer where the question does not apply",
    "W409": "no rating recorded",
}


@frozen
class Related:
    """Another place that explains a diagnostic (the first declaration of a duplicate, say)."""

    span: Span
    message: str


@frozen
class Diagnostic:
    """A problem found in a user's input, with where it is and how to fix it."""

    code: str
    severity: Severity
    message: str
    span: Span
    hint: str | None = None
    related: tuple[Related, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"undocumented diagnostic code {self.code!r}")

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (*self.span.sort_key(), self.code, self.message)

    def detached(self) -> Diagnostic:
        """The same diagnostic with its places holding only the lines they show (to send it
        from one process to another without the text it was found in)."""
        return Diagnostic(self.code, self.severity, self.message, self.span.detached(),
                          self.hint, tuple(Related(related.span.detached(), related.message)
                                           for related in self.related))

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "location": self.span.to_json(),
            "hint": self.hint,
            "related": [
                {"location": related.span.to_json(), "message": related.message}
                for related in self.related
            ],
        }


def error(code: str, message: str, span: Span, hint: str | None = None,
          related: Iterable[Related] = ()) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, hint, tuple(related))


def warning(code: str, message: str, span: Span, hint: str | None = None,
            related: Iterable[Related] = ()) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, span, hint, tuple(related))


def sorted_unique(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Sort by position and drop exact repeats, so output never depends on check order."""
    unique = {(d.sort_key(), d.severity, d.hint): d for d in diagnostics}
    return tuple(unique[key] for key in sorted(unique, key=lambda key: key[0]))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
