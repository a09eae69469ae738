"""Case judgement files to an :class:`~ccirules.cases.Inspection`, with every problem reported.

Inputs are files or folders (read in name order; hidden files skipped). The format follows the
file's extension: ``.yaml``/``.yml``, ``.json``, ``.jsonl``, ``.csv``, ``.xlsx``. Each file is
read whole, validated record by record, and fingerprinted (sha256) for the result's stamp. Files
are only ever read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence

import msgspec

from ccirules.cases import Case, InputFile, Inspection, Judgements
from ccirules.compiler import CompiledRuleset, Rule
from ccirules.diagnostics import Diagnostic, Related, error, has_errors, sorted_unique, warning
from ccirules.loaders.documents import (
    DocumentError,
    Record,
    parse_yaml,
    records_and_judgements,
)
from ccirules.loaders.records import Field, RecordBuilder
from ccirules.reading import read_file, read_source
from ccirules.source import SourceFile
from ccirules.suggest import did_you_mean

#: Largest case file read whole (YAML, JSON, CSV, Excel; and JSON Lines when explaining). An
#: inspection is well under 1 MB; national programmes belong in JSON Lines, which `eval` streams
#: in flat memory whatever their size.
MAX_CASE_FILE_BYTES = 64 * 1024 * 1024

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonl": "jsonl",
           ".ndjson": "jsonl", ".csv": "csv", ".xlsx": "xlsx"}


class LoadResult(msgspec.Struct, frozen=True):
    inspection: Inspection | None  # None when any input had errors
    diagnostics: tuple[Diagnostic, ...]


def load_inspection(paths: Sequence[str], ruleset: CompiledRuleset) -> LoadResult:
    """Read, validate and gather every case and judgement in ``paths``."""
    builder = RecordBuilder(ruleset)
    diagnostics: list[Diagnostic] = []
    cases: list[Case] = []
    judgement_fields: list[tuple[Field, str]] = []
    files: list[InputFile] = []
    for path in expand_paths(paths, diagnostics):
        digest, found, judged = load_file(path, builder, diagnostics)
        if digest is not None:
            files.append(InputFile(path, digest))
        cases.extend(found)
        judgement_fields.extend((field, path) for field in judged)
    diagnostics.extend(builder.diagnostics)
    judgements = read_judgements(ruleset, judgement_fields, diagnostics)
    if not cases and not has_errors(diagnostics):
        diagnostics.append(no_cases(paths))
    found = sorted_unique(diagnostics)
    if has_errors(found):
        return LoadResult(None, found)
    return LoadResult(Inspection(tuple(cases), judgements,
                                 tuple(sorted(files, key=lambda f: f.path))), found)


def no_cases(paths: Sequence[str]) -> Diagnostic:
    """E411, placed at the first input named, for inputs that held no case at all."""
    where = paths[0] if paths else "."
    return error("E411", "no cases were found in the inputs", SourceFile(where, "").whole(),
                 hint="name the case files or the folder that holds them; in a workbook, "
                      "cases go on the Cases sheet, a row each under the row of names")


def expand_paths(paths: Sequence[str], diagnostics: list[Diagnostic]) -> Iterator[str]:
    """Every case file named, folders expanded in name order (hidden files skipped); a folder
    with no case files is reported."""
    for path in paths:
        if os.path.isdir(path):
            inside = sorted(
                os.path.join(folder, name)
                for folder, _, names in os.walk(path)
                for name in names
                if not name.startswith(".") and not _hidden(folder, path)
                and os.path.splitext(name)[1].lower() in FORMATS)
            if not inside:
                diagnostics.append(error("E411", "this folder holds no case files",
                                         SourceFile(path, "").whole(),
                                         hint="case files end in " + ", ".join(sorted(FORMATS))))
            yield from inside
        else:
            yield path


def _hidden(folder: str, root: str) -> bool:
    relative = os.path.relpath(folder, root)
    return any(part.startswith(".") for part in relative.split(os.sep) if part != ".")


def load_file(path: str, builder: RecordBuilder, diagnostics: list[Diagnostic]
              ) -> tuple[str | None, list[Case], list[Field]]:
    """Read one case file whole: its sha256, the cases it holds (validated by ``builder``) and
    its judgement fields. Problems go to ``diagnostics``.

    The file is read once (its digest comes from the same bytes); records are made into cases
    as they are read, so what one row costs is given back before the next.
    """
    kind = FORMATS.get(os.path.splitext(path)[1].lower())
    if kind is None:
        nowhere = SourceFile(path, "").whole()
        if not os.path.exists(path):
            diagnostics.append(error("E100", "no such file", nowhere,
                                     hint="check the path and spelling"))
        else:
            diagnostics.append(error("E400", "ccirules cannot read this kind of file", nowhere,
                                     hint="case files end in " + ", ".join(sorted(FORMATS))))
        return None, [], []
    if kind == "xlsx":
        data = read_file(path, MAX_CASE_FILE_BYTES, "case files read whole")
        if isinstance(data, Diagnostic):
            diagnostics.append(data)
            return None, [], []
        digest = hashlib.sha256(data).hexdigest()
    else:
        source = read_source(path, MAX_CASE_FILE_BYTES, "case files read whole")
        if isinstance(source, Diagnostic):
            diagnostics.append(source)
            return None, [], []
        digest = source.sha256
    cases: list[Case] = []
    try:
        if kind == "xlsx":
            from ccirules.facts import FactField
            from ccirules.loaders.tables import excel_workbook  # only workbooks need calamine

            workbook = excel_workbook(path, data)
            # The Inspection sheet's facts travel with the judgements, as an `inspection:`
            # block's do (ccirules.facts tells them apart by their type).
            records = workbook.records
            judged = [*workbook.judgements, *(FactField(f.key, f.value, f.key_span, f.value_span)
                                              for f in workbook.facts)]
        else:
            records, judged = _text_records(kind, source)
        for record in records:
            case = builder.build(record.fields, record.span)
            if case is not None:
                cases.append(case)
    except DocumentError as problem:
        diagnostics.append(problem.diagnostic)
        return digest, [], []
    return digest, cases, judged


def _text_records(kind: str, source: SourceFile) -> tuple[Iterable[Record], list[Field]]:
    """The records of a text file (CSV and JSON Lines: as they are read) and its judgements."""
    if kind in ("csv", "jsonl"):  # imported here: YAML and JSON input need none of it
        from ccirules.loaders.tables import csv_records, json_lines_records

        return (csv_records if kind == "csv" else json_lines_records)(source), []
    if not source.text.strip():
        return [], []  # an empty file holds no cases, whatever its format
    if kind == "yaml":
        documents = parse_yaml(source)
    else:
        from ccirules.loaders.json_positions import parse_json

        documents = [parse_json(source)]
    records: list[Record] = []
    judged: list[Field] = []
    for document in documents:
        found, fields = records_and_judgements(document)
        records.extend(found)
        judged.extend(fields)
    return records, judged


def read_judgements(ruleset: CompiledRuleset, fields: list[tuple[Field, str]],
                    diagnostics: list[Diagnostic]) -> Judgements:
    """Ratings for scores judged directly, each checked against the score's band labels; a
    judged score with no rating is a warning (W409)."""
    from ccirules.facts import FactField, read_facts

    facts, fact_origins = read_facts((f for f, _ in fields if isinstance(f, FactField)),
                                     diagnostics)
    fields = [(field, path) for field, path in fields if not isinstance(field, FactField)]
    judged = {score.name: score for score in ruleset.scores if score.rule is Rule.JUDGED}
    ratings: dict[str, str] = {}
    origins = {}
    for field, _ in fields:
        score = judged.get(field.key)
        if score is None:
            hint = did_you_mean(field.key, judged) or (
                "judged scores: " + ", ".join(f"`{name}`" for name in judged) if judged
                else "this ruleset has no scores judged directly")
            diagnostics.append(error("E409", f"`{field.key}` is not a score judged directly",
                                     field.key_span, hint=hint))
            continue
        if field.key in ratings:
            diagnostics.append(error("E409", f"`{field.key}` is judged twice", field.key_span,
                                     related=[Related(origins[field.key], "first judged here")],
                                     hint="record each rating once, in one file or sheet"))
            continue
        labels = [band.label for band in score.bands.bands]
        text = "" if field.value is None else str(field.value).strip()
        label = next((value for value in labels if value.casefold() == text.casefold()), None)
        if label is None:
            diagnostics.append(error("E409", f"`{text}` is not a rating of `{score.name}`",
                                     field.value_span,
                                     hint=did_you_mean(text, labels)
                                     or "ratings: " + ", ".join(f"`{v}`" for v in labels)))
            continue
        ratings[field.key] = label
        origins[field.key] = field.value_span
    given = {field.key for field, _ in fields}
    for name, score in judged.items():
        if name not in given:
            diagnostics.append(warning("W409", f"no rating was recorded for `{name}`, which is "
                                       "judged directly", score.span,
                                       hint="rate it under `judgements:` in a YAML or JSON "
                                            "file, or on the Judgements sheet of a workbook"))
    return Judgements(ratings, origins, facts, fact_origins)
