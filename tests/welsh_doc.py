"""Builds docs/welsh.md: every Welsh string ccirules and its shipped rulesets hold, for review by a
Welsh speaker, and every title the shipped rulesets still lack in Welsh."""

from __future__ import annotations

from ccirules.api import check_ruleset_file
from ccirules.i18n import catalogue, missing_titles
from tests.conftest import ROOT, RULESETS

HEADER = """\
# Welsh: what awaits review

Inspection reports in Wales are published in Welsh and English, so ccirules speaks both
(`--lang cy` on `eval`, `explain`, `report` and `template`). Two kinds of Welsh text are
involved:

- **ccirules' own words** (column heads, "no score", report headings), from the message
  catalogue `ccirules/messages.json`. **Every Welsh entry below was drafted without a Welsh
  speaker** (machine-drafted): none has been reviewed. Until a Welsh speaker has checked them,
  treat Welsh output as a draft, not as publishable text.
- **A ruleset's titles**, from its `welsh` clauses. The Welsh titles in the shipped 2012
  ruleset were written into it before the report existed; they match the wording of published
  bilingual reports as far as we know, but they too should be checked. A title with no `welsh`
  clause is shown in English, marked †, and listed in a warning (W303);
  `ccirules check --lang cy RULESET` lists every one.

This page is generated from the catalogue and the shipped rulesets by the test suite
(`pytest --update-golden` rewrites it). When a Welsh speaker has reviewed the catalogue, say so
in its `_about` note and in this page's header (in tests/welsh_doc.py).

## ccirules' own words (all awaiting review)

| id | English | Welsh (draft) |
|---|---|---|
"""


def _cell(text) -> str:
    if isinstance(text, dict):
        forms = dict.fromkeys(text.values())
        text = " / ".join(forms)
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_welsh_doc() -> str:
    lines = [HEADER.rstrip("\n")]
    for key, entry in catalogue().items():
        lines.append(f"| `{key}` | {_cell(entry['en'])} | {_cell(entry['cy'])} |")
    for name in ("cci-youth-2012.rules", "hmip-youth-2018.rules"):
        checked = check_ruleset_file(str(RULESETS / name))
        missing = list(missing_titles(checked.ruleset))
        lines += ["", f"## rulesets/{name}", ""]
        lines += [f"{len(missing)} titles have no Welsh version yet (shown in English, marked †):",
                  "", "| kind | id | English title |", "|---|---|---|"]
        lines += [f"| {m.kind} | `{m.name}` | {_cell(m.title)} |" for m in missing]
    return "\n".join(lines) + "\n"


__all__ = ["ROOT", "render_welsh_doc"]
