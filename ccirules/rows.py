"""Where the engine's rows come from: a :class:`RowSource` yields every case of an inspection
as batches of the ruleset's typed records, once, and says where each case was read.

Two sources exist: files streamed as they are read (:class:`ccirules.loaders.stream.FileRows`,
what `eval` uses, in bounded memory whatever the input's size) and an inspection already held as
cases (:class:`InspectionRows`, what the Python API, `explain`, `test` and `verify` use).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from ccirules.cases import InputFile, Inspection, Judgements
from ccirules.codegen import Scorer
from ccirules.diagnostics import Diagnostic
from ccirules.source import Span


class RowSource(Protocol):
    """Every case of an inspection, read once, as batches of typed rows.

    ``diagnostics``, ``files``, ``judgements`` and ``cases`` are final once :meth:`batches` is
    exhausted.
    """

    diagnostics: Sequence[Diagnostic]
    files: Sequence[InputFile]
    judgements: Judgements
    cases: int

    def batches(self) -> Iterator[list]:
        """The rows, in batches; each case appears once."""
        ...

    def find_lines(self, case_ids: Iterable[str]) -> None:
        """Prepare to locate these cases (one pass over files that do not keep positions)."""
        ...

    def locate(self, case_id: str, field: str | None) -> Span:
        """Where a case's record (``field`` None) or one of its fields was read."""
        ...

    def record_location(self, case_id: str) -> dict[str, object]:
        """Where a case's record is, as JSON: its file and line, or spreadsheet cell."""
        ...


class InspectionRows:
    """An inspection already loaded as cases, offered as a row source."""

    def __init__(self, inspection: Inspection, scorer: Scorer) -> None:
        self.inspection = inspection
        self.scorer = scorer
        self.diagnostics: list[Diagnostic] = []
        self.judgements = inspection.judgements
        self.files = inspection.files
        self.cases = len(inspection.cases)
        self._cases = {case.id: case for case in inspection.cases}

    def batches(self) -> Iterator[list]:
        if self.inspection.cases:
            yield [self.scorer.row_from_case(case) for case in self.inspection.cases]

    def find_lines(self, case_ids: Iterable[str]) -> None:
        """Nothing to find: loaded cases keep where every field was read."""

    def locate(self, case_id: str, field: str | None) -> Span:
        case = self._cases[case_id]
        return case.origins.get(field, case.span) if field is not None else case.span

    def record_location(self, case_id: str) -> dict[str, object]:
        return self._cases[case_id].span.to_json()
