"""An inspection's facts: where and when it took place, from an ``inspection:`` block.

YAML and JSON case files may hold, beside ``cases:`` and ``judgements:``, a block of facts about
the inspection as a whole::

    inspection:
      area: Northamptonshire
      nation: England
      region: East Midlands
      date: 2012-03-01
      type: Core Case Inspection

Every field is optional and is text, except ``date``, which is a calendar date written
``YYYY-MM-DD`` (or ``YYYY-MM``, or ``YYYY``). Facts title the report, identify the inspection in a
results store, and narrow comparisons (``--compare-where nation=Wales``). Several files may give
facts; a fact given twice must agree.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.loaders.records import Field
from ccirules.source import Span
from ccirules.suggest import did_you_mean

#: The facts an ``inspection:`` block may give, in the order they are shown.
FACT_KEYS = ("area", "nation", "region", "date", "type")

_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?", re.ASCII)

#: How a date may be written, in the words of a hint.
DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY"

#: Longest text a fact may hold: a title, not a document.
MAX_FACT_CHARS = 200


class FactField(Field):
    """A field of an ``inspection:`` block (it travels with the judgement fields, and is told
    apart from them by its type)."""


def read_facts(fields: Iterable[Field], diagnostics: list[Diagnostic]
               ) -> tuple[dict[str, str], dict[str, Span]]:
    """The facts the fields give, validated, in :data:`FACT_KEYS` order, and where each was
    read. Problems (an unknown fact, a malformed date, a fact given twice with different values)
    are E413."""
    facts: dict[str, str] = {}
    origins: dict[str, Span] = {}
    for field in fields:
        key = field.key
        if key not in FACT_KEYS:
            diagnostics.append(error(
                "E413", f"`{key}` is not a fact of an inspection", field.key_span,
                hint=did_you_mean(key, FACT_KEYS)
                or "facts: " + ", ".join(f"`{name}`" for name in FACT_KEYS)))
            continue
        text = "" if field.value is None else str(field.value).strip()
        if not text:
            continue
        if len(text) > MAX_FACT_CHARS or not text.isprintable():
            diagnostics.append(error(
                "E413", f"`{key}` must be one line of at most {MAX_FACT_CHARS} characters",
                field.value_span))
            continue
        if key == "date" and (problem := date_problem(text)) is not None:
            diagnostics.append(error("E413", f"`{text}` {problem}", field.value_span,
                                     hint=f"write a date as {DATE_FORMS}, for example "
                                     "2012-03-01 or 2012-03"))
            continue
        if key in facts:
            if facts[key] != text:
                diagnostics.append(error(
                    "E413", f"`{key}` is `{text}` here but `{facts[key]}` elsewhere",
                    field.value_span, related=[Related(origins[key], "first given here")],
                    hint="an inspection has one of each fact: make them agree, or give it once"))
            continue
        facts[key] = text
        origins[key] = field.value_span
    order = {key: index for index, key in enumerate(FACT_KEYS)}
    return dict(sorted(facts.items(), key=lambda item: order[item[0]])), origins


def date_problem(text: str) -> str | None:
    """What is wrong with ``text`` as a date, in words that follow it; None for a date as facts
    and results stores write them (:data:`DATE_FORMS`) that the calendar has (not 2019-02-30,
    nor year 0)."""
    if _DATE.fullmatch(text) is None:
        return "is not a date"
    year, month, day = (int(part) for part in (text + "-01-01").split("-")[:3])
    try:
        datetime.date(year, month, day)
    except ValueError:
        return "is written as a date, but the calendar has no such day"
    return None
