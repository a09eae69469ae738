"""The inspection report: one self-contained HTML page, in English or Welsh.

:func:`render_report` turns an evaluation (with the cases it was made from) into a page built
from the Jinja2 templates in ``templates/`` (shipped in the package, autoescaped): a title block
from the inspection's facts, the headline scores beside the comparison columns, the scoring
summary, charts with tables of the same figures, the sample's characteristics (small counts
withheld), per-question findings, how the scores are calculated, and the stamp; with ``audit``,
an appendix that explains every score down to the cases. :mod:`ccirules.report.model` builds
the page's data; this module only renders it.

Everything on the page is inline (CSS, SVG): nothing is loaded from anywhere, no script runs, and
the same inputs give the same bytes (no timestamps; chart ids are fixed).
"""

from __future__ import annotations

import functools

from ccirules.cases import Inspection
from ccirules.evaluator import Evaluation
from ccirules.report.model import ReportOptions, build_page
from ccirules.results import Stamp
from ccirules.store import Comparison


@functools.cache
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("ccirules.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True)


def render_report(evaluation: Evaluation, inspection: Inspection, stamp: Stamp,
                  options: ReportOptions, comparison: Comparison | None = None) -> tuple[str,
                                                                                       list[str]]:
    """The page, and the titles shown in English for want of Welsh (for a warning)."""
    page, titles = build_page(evaluation, inspection, stamp, options, comparison)
    html = _environment().get_template("report.html.j2").render(page=page, t=page.words)
    return html, titles.fallback_list()


__all__ = ["ReportOptions", "render_report"]
