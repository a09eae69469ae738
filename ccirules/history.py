"""`ccirules history`: what a results store holds, as a table or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ccirules.facts import FACT_KEYS
from ccirules.store import StoredInspection


def _clean(text: object) -> str:
    """Stored text is shown, never obeyed: control characters become `?`."""
    return "".join(char if char.isprintable() else "?" for char in str(text))


def render_history(inspections: Sequence[StoredInspection], output_format: str) -> str:
    if output_format == "json":
        return json.dumps({"inspections": [
            {"ruleset": i.ruleset, "version": i.version, **dict(i.facts), "cases": i.cases,
             "source": i.source,
             "scores": {name: {"value": None if value is None else format(value, "f"),
                               "band": band} for name, (value, band) in i.scores.items()}}
            for i in inspections]}, indent=2, ensure_ascii=False) + "\n"
    headings = ["ruleset", "version", *FACT_KEYS, "cases", "source", "scores"]
    rows = [[i.ruleset, i.version or "", *(i.facts.get(fact, "") for fact in FACT_KEYS),
             "" if i.cases is None else str(i.cases), i.source, str(len(i.scores))]
            for i in inspections]
    rows = [[_clean(cell) for cell in row] for row in rows]
    widths = [max(len(row[k]) for row in [headings, *rows]) for k in range(len(headings))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                       ).rstrip() for row in [headings, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    noun = "inspection" if len(inspections) == 1 else "inspections"
    return "\n".join([*lines, "", f"{len(inspections)} {noun} stored"]) + "\n"
