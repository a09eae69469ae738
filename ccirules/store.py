"""A results store: published scores of many inspections in one SQLite file, for comparisons.

``eval --store FILE`` records an inspection's result; ``store import`` brings in published figures
of inspections we have no cases for; ``report --compare FILE`` reads the lowest, highest and
average of each score over the other inspections stored under the same framework; ``history``
lists what is stored. SQLite (the standard library's ``sqlite3``) is the embedded default: one
file, no server, readable by any SQL tool.

The schema (version :data:`SCHEMA_VERSION`, kept in ``meta``) is documented in docs/store.md.
Every write is one transaction: a failure leaves the store as it was. An inspection's identity
is the ruleset's name with the facts' ``area`` and ``date`` or, without an area, the sha256 of
its input files; storing an inspection again replaces it.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from ccirules import __version__
from ccirules.diagnostics import Diagnostic
from ccirules.facts import DATE_FORMS, FACT_KEYS, date_problem
from ccirules.limits import read_number
from ccirules.suggest import did_you_mean

#: Version of the layout below; a store written by a later layout is refused, not guessed at.
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inspections (
    id              INTEGER PRIMARY KEY,
    identity        TEXT NOT NULL UNIQUE,
    ruleset         TEXT NOT NULL,
    ruleset_version TEXT,
    ruleset_sha256  TEXT,
    area            TEXT,
    nation          TEXT,
    region          TEXT,
    date            TEXT,
    type            TEXT,
    cases           INTEGER,
    source          TEXT NOT NULL CHECK (source IN ('eval', 'import')),
    stamp           TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scores (
    inspection  INTEGER NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    score       TEXT NOT NULL,
    kind        TEXT,
    value       TEXT,
    exact       TEXT,
    sufficient  INTEGER,
    applicable  INTEGER,
    band        TEXT,
    PRIMARY KEY (inspection, score)
);
CREATE INDEX IF NOT EXISTS inspections_by_ruleset ON inspections (ruleset);
"""

#: The columns an import file must have, and those it may leave out (as if empty), in any
#: order; no others.
REQUIRED_COLUMNS = ("area", "ruleset", "score", "value")
OPTIONAL_COLUMNS = ("nation", "region", "date", "type", "band")



class StoreError(Exception):
    """A store that cannot be opened, read or written, or an import file with problems (every
    problem is in ``problems``)."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@attrs.frozen
class StoredInspection:
    identity: str
    ruleset: str
    version: str | None
    facts: Mapping[str, str]
    cases: int | None
    source: str
    scores: Mapping[str, tuple[Decimal | None, str | None]]  # id -> (published value, band)


def major(version: str | None) -> str | None:
    """A version's text before its first `.`: versions that share it are comparable."""
    return None if version is None else version.split(".", 1)[0]


def identity(ruleset: str, facts: Mapping[str, str], input_hashes: Sequence[str] = ()) -> str:
    """Who an inspection is: the ruleset's name with its area and date, or, with no area, the
    sha256 of its input files' hashes (so the same files are the same inspection)."""
    if facts.get("area"):
        return json.dumps(["facts", ruleset, facts["area"], facts.get("date", "")],
                          ensure_ascii=False)
    digest = hashlib.sha256("\n".join(sorted(input_hashes)).encode()).hexdigest()
    return json.dumps(["inputs", ruleset, digest])


# ---- opening ---------------------------------------------------------------------------------


def connect(path: str, *, create: bool) -> sqlite3.Connection:
    """Open a store (creating it when ``create``), checking its schema version."""
    import os

    if not create and not os.path.exists(path):
        raise StoreError(f"{path}: no such store")
    try:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA foreign_keys = ON")
        row = _version(connection)
        if row is None:
            if not create:
                raise StoreError(f"{path} is not a ccirules results store")
            connection.executescript(SCHEMA)  # idempotent: every statement is IF NOT EXISTS
            with _transaction(connection):
                connection.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                                   (str(SCHEMA_VERSION),))
                connection.execute("INSERT OR REPLACE INTO meta VALUES ('made_by', ?)",
                                   (f"ccirules {__version__}",))
        elif row != str(SCHEMA_VERSION):
            raise StoreError(f"{path} has store schema version {row}; this ccirules reads "
                             f"version {SCHEMA_VERSION}")
    except sqlite3.DatabaseError as problem:
        raise StoreError(f"{path} cannot be used as a results store: {problem}") from None
    return connection


def _version(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:
        tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables:
            raise StoreError("this SQLite file is not a ccirules results store") from None
        return None
    return row[0] if row else None


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any failure."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


# ---- writing ---------------------------------------------------------------------------------


def _replace(connection: sqlite3.Connection, inspection: Mapping[str, object],
             scores: Sequence[Mapping[str, object]]) -> None:
    connection.execute("DELETE FROM inspections WHERE identity = ?", (inspection["identity"],))
    columns = ("identity", "ruleset", "ruleset_version", "ruleset_sha256", *FACT_KEYS, "cases",
               "source", "stamp")
    cursor = connection.execute(
        f"INSERT INTO inspections ({', '.join(columns)}) VALUES "
        f"({', '.join('?' for _ in columns)})", [inspection.get(c) for c in columns])
    key = cursor.lastrowid
    fields = ("score", "kind", "value", "exact", "sufficient", "applicable", "band")
    connection.executemany(
        f"INSERT INTO scores (inspection, {', '.join(fields)}) VALUES "
        f"(?, {', '.join('?' for _ in fields)})",
        [[key, *(score.get(f) for f in fields)] for score in scores])


def save_result(path: str, document: Mapping[str, object]) -> str:
    """Record an evaluation's JSON result (:func:`ccirules.results.result_document`); returns
    the inspection's identity. An inspection stored before under that identity is replaced."""
    stamp = document["stamp"]
    ruleset = stamp["ruleset"]
    facts = dict(document.get("inspection", {}))
    who = identity(ruleset["title"], facts, [f["sha256"] for f in stamp["inputs"]])
    connection = connect(path, create=True)
    try:
        with _transaction(connection):
            _replace(connection, {
                "identity": who, "ruleset": ruleset["title"],
                "ruleset_version": ruleset["version"], "ruleset_sha256": ruleset["sha256"],
                **{fact: facts.get(fact) for fact in FACT_KEYS}, "cases": document["cases"],
                "source": "eval", "stamp": json.dumps(stamp, sort_keys=True)},
                [{"score": s["id"], "kind": s["kind"], "value": s["value"], "exact": s["exact"],
                  "sufficient": s["sufficient"], "applicable": s["applicable"],
                  "band": s["band"]["label"] if s["band"] else None}
                 for s in document["scores"]])
    except sqlite3.DatabaseError as problem:
        raise StoreError(f"{path}: cannot record the result: {problem}") from None
    finally:
        connection.close()
    return who


def split_ruleset(text: str) -> tuple[str, str | None]:
    """`Title 2012.1` -> (`Title`, `2012.1`): a last word starting with a digit is the version,
    as results print it; otherwise the whole is the title and the version is unknown."""
    head, _, last = text.strip().rpartition(" ")
    if head and last[:1].isdigit():
        return head.strip(), last
    return text.strip(), None


def import_csv(csv_path: str, store_path: str) -> int:
    """Import published figures (a row per score of an inspection, under a header naming
    :data:`REQUIRED_COLUMNS` and any of :data:`OPTIONAL_COLUMNS`); returns how many inspections
    were stored. Every problem is reported at once, with its line, and then nothing is
    written."""
    from ccirules.loaders import MAX_CASE_FILE_BYTES
    from ccirules.reading import read_source

    # Read as case files are: a regular file only, within the size limit, UTF-8 (a BOM allowed).
    source = read_source(csv_path, MAX_CASE_FILE_BYTES, "import files")
    if isinstance(source, Diagnostic):
        raise StoreError(f"{source.span.where}: {source.message}",
                         [source.hint] if source.hint else [])
    reader = csv.DictReader(io.StringIO(source.text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    columns = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in columns]
    if missing or unknown:
        said = [f"the header lacks {', '.join(missing)}"] if missing else []
        said += [f"`{name}` is not a column" + (f" ({hint})" if (hint := did_you_mean(
            name, columns)) else "") for name in unknown]
        raise StoreError(f"{csv_path}: " + "; ".join(said),
                         [f"columns are: {', '.join(REQUIRED_COLUMNS)}; and optionally "
                          f"{', '.join(OPTIONAL_COLUMNS)}"])
    reader.fieldnames = header
    problems: list[str] = []
    inspections: dict[str, dict[str, object]] = {}
    scores: dict[str, dict[str, dict[str, object]]] = {}
    for row in reader:
        line = reader.line_num
        cells = {key: (value or "").strip() for key, value in row.items() if key}
        where = f"{csv_path}:{line}"
        if not any(cells.values()):
            continue
        bad = [key for key, value in cells.items() if value and not value.isprintable()]
        if bad:
            problems.append(f"{where}: control characters in {', '.join(bad)}")
            continue
        for required in ("area", "ruleset", "score"):
            if not cells.get(required):
                problems.append(f"{where}: `{required}` is empty")
        if cells.get("date") and (problem := date_problem(cells["date"])) is not None:
            problems.append(f"{where}: `{cells['date']}` {problem} ({DATE_FORMS})")
        value = cells.get("value", "").removesuffix("%").strip()
        number = None
        if value:
            read = read_number(value)  # the limits of ruleset numbers; no exponent
            if isinstance(read, Decimal) and not value.startswith("-"):
                number = read
            else:
                problems.append(f"{where}: `{cells['value']}` is not a published score (write "
                                "it as 80 or 81.82, with no sign or exponent)")
        if problems and problems[-1].startswith(where):
            continue
        title, version = split_ruleset(cells["ruleset"])
        facts = {fact: cells.get(fact) or None for fact in FACT_KEYS}
        who = identity(title, {k: v for k, v in facts.items() if v})
        found = inspections.setdefault(who, {
            "identity": who, "ruleset": title, "ruleset_version": version, **facts,
            "source": "import", "stamp": json.dumps({"imported_from": csv_path,
                                                     "tool_version": __version__})})
        for fact in ("ruleset_version", *FACT_KEYS):
            mine = version if fact == "ruleset_version" else facts[fact]
            if found.get(fact) != mine:
                problems.append(f"{where}: `{fact}` differs from an earlier row of the same "
                                "inspection")
                break
        entries = scores.setdefault(who, {})
        if cells["score"] in entries:
            problems.append(f"{where}: score `{cells['score']}` is given twice for this "
                            "inspection")
            continue
        entries[cells["score"]] = {"score": cells["score"],
                                   "value": None if number is None else format(number, "f"),
                                   "band": cells.get("band") or None}
    if problems:
        raise StoreError(f"{csv_path}: nothing was imported", problems)
    connection = connect(store_path, create=True)
    try:
        with _transaction(connection):
            for who, inspection in inspections.items():
                _replace(connection, inspection, list(scores[who].values()))
    except sqlite3.DatabaseError as problem:
        raise StoreError(f"{store_path}: cannot import: {problem}") from None
    finally:
        connection.close()
    return len(inspections)


# ---- reading ---------------------------------------------------------------------------------


def stored(path: str) -> list[StoredInspection]:
    """Every inspection stored, ordered by ruleset, version, date and area."""
    connection = connect(path, create=False)
    try:
        rows = connection.execute(
            "SELECT id, identity, ruleset, ruleset_version, area, nation, region, date, type, "
            "cases, source FROM inspections ORDER BY ruleset, ruleset_version, date, area, "
            "identity").fetchall()
        found = []
        for key, who, ruleset, version, *facts, cases, source in rows:
            values = connection.execute(
                "SELECT score, value, band FROM scores WHERE inspection = ? ORDER BY score",
                (key,)).fetchall()
            found.append(StoredInspection(
                who, ruleset, version,
                {fact: value for fact, value in zip(FACT_KEYS, facts, strict=True) if value},
                cases, source,
                {score: (None if value is None else Decimal(value), band)
                 for score, value, band in values}))
        return found
    except sqlite3.DatabaseError as problem:
        raise StoreError(f"{path} cannot be read: {problem}") from None
    finally:
        connection.close()


@attrs.frozen
class Comparison:
    """The comparison columns: per score, the lowest, highest and average published value
    over ``inspections`` other inspections (``count`` of them with a value for that score)."""

    inspections: int
    columns: Mapping[str, tuple[Decimal, Decimal, Fraction, int]]  # id -> low, high, mean, n

    def column(self, score: str) -> tuple[Decimal, Decimal, Fraction, int] | None:
        return self.columns.get(score)


def compare(path: str, ruleset: str, version: str | None, exclude: str,
            where: Mapping[str, str]) -> Comparison:
    """Lowest, highest and mean published score over the inspections stored under ``ruleset``
    (any version with the same text before its first `.`, or none recorded) whose facts match
    ``where``, leaving out the inspection ``exclude``. The mean is exact: the caller rounds it
    as the ruleset rounds."""
    chosen = [inspection for inspection in stored(path)
              if inspection.ruleset == ruleset and inspection.identity != exclude
              and (inspection.version is None or version is None
                   or major(inspection.version) == major(version))
              and all(inspection.facts.get(fact) == value for fact, value in where.items())]
    columns: dict[str, tuple[Decimal, Decimal, Fraction, int]] = {}
    names = sorted({name for inspection in chosen for name in inspection.scores})
    for name in names:
        values = [inspection.scores[name][0] for inspection in chosen
                  if name in inspection.scores and inspection.scores[name][0] is not None]
        if values:
            mean = sum((Fraction(value) for value in values), Fraction(0)) / len(values)
            columns[name] = (min(values), max(values), mean, len(values))
    return Comparison(len(chosen), columns)
