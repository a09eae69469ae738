"""Case judgements as the evaluator sees them, whatever file format they came from.

Loaders (:mod:`ccirules.loaders`) validate every value against the compiled ruleset before a
:class:`Case` exists, so the evaluator can trust its input. Every value keeps the span it was read
from, so traces and diagnostics can point at the file, line and column, or the spreadsheet cell.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ccirules.source import Span


@attrs.frozen
class Case:
    """One case: its id, its attribute values (typed), and the answers recorded for it."""

    id: str
    attributes: Mapping[str, object]
    answers: Mapping[str, str]  # question -> scale value; unanswered questions are absent
    origins: Mapping[str, Span]  # "case", attribute or question name -> where it was read
    span: Span  # the whole record


@attrs.frozen
class Judgements:
    """Ratings recorded once per inspection, for scores that are `judged directly`."""

    ratings: Mapping[str, str]
    origins: Mapping[str, Span]


@attrs.frozen
class InputFile:
    path: str
    sha256: str


@attrs.frozen
class Inspection:
    """Everything read for one evaluation: cases, judgements and the files they came from."""

    cases: tuple[Case, ...]
    judgements: Judgements
    files: tuple[InputFile, ...]
