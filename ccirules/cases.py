"""Case judgements as the evaluator sees them, whatever file format they came from.

Loaders (:mod:`ccirules.loaders`) validate every value against the compiled ruleset before a
:class:`Case` exists, so the evaluator can trust its input. Every value keeps the span it was read
from, so traces and diagnostics can point at the file, line and column, or the spreadsheet cell.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from ccirules.source import Span


class Case(msgspec.Struct, frozen=True):
    """One case: its id, its attribute values (typed), and the answers recorded for it."""

    id: str
    attributes: Mapping[str, object]
    answers: Mapping[str, str]  # question -> scale value; unanswered questions are absent
    origins: Mapping[str, Span]  # "case", attribute or question name -> where it was read
    span: Span  # the whole record


class Judgements(msgspec.Struct, frozen=True):
    """What is recorded once per inspection: ratings for scores that are `judged directly`, and
    the inspection's facts (:mod:`ccirules.facts`)."""

    ratings: Mapping[str, str]
    origins: Mapping[str, Span]
    facts: Mapping[str, str] = msgspec.field(default_factory=dict)
    fact_origins: Mapping[str, Span] = msgspec.field(default_factory=dict)


class InputFile(msgspec.Struct, frozen=True):
    path: str
    sha256: str


class Inspection(msgspec.Struct, frozen=True):
    """Everything read for one evaluation: cases, judgements and the files they came from."""

    cases: tuple[Case, ...]
    judgements: Judgements
    files: tuple[InputFile, ...]
