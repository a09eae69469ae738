"""Charts for the report, drawn by matplotlib as SVG that goes inline in the page.

matplotlib is imported here only, and this module only by ``ccirules report``. Its SVG is made
fit for a self-contained, byte-identical page where it is produced:

- the figure is drawn through matplotlib's object API (no pyplot, no global figure state) under
  ``rc_context`` settings local to each chart: text stays text (``svg.fonttype: none``: smaller
  than paths, selectable, translated), and the hash salt that names clip paths is the chart's
  own id, so ids are stable from run to run and differ from chart to chart on one page;
- no date, creator or metadata is written, nor the XML declaration and DOCTYPE (which name a DTD
  by URL; an inline SVG needs neither);
- the stylesheet matplotlib adds is scoped to the chart, so it cannot restyle the page;
- user text (titles, values) is never read as mathtext: `$` is escaped.

Each function returns the SVG text; the report puts a table of the same figures beside it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import attrs

#: Chart size in inches (the SVG scales to the column's width).
WIDTH = 7.0

_TEXT = "#1f2328"
_GRID = "#d0d7de"
_BAR = "#24527a"
_SECOND = "#8fb4d9"


@attrs.frozen
class BandRange:
    low: float
    high: float
    colour: str
    label: str


@attrs.frozen
class Bar:
    label: str
    value: float | None  # None: nothing to draw (no score, or a count withheld)
    colour: str = _BAR
    note: str = ""  # written at the bar's foot when there is no bar ("fewer than 3")


def _settings(chart_id: str) -> dict[str, object]:
    return {"svg.fonttype": "none", "svg.hashsalt": f"ccirules-{chart_id}",
            "svg.image_inline": True, "font.family": "DejaVu Sans", "font.size": 9,
            "axes.edgecolor": _GRID, "axes.labelcolor": _TEXT, "xtick.color": _TEXT,
            "ytick.color": _TEXT, "text.color": _TEXT, "path.simplify": True}


def _text(text: str) -> str:
    """Text as written, never mathtext."""
    return text.replace("$", r"\$")


def _svg(figure, chart_id: str) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None,
                                                 "Format": None, "Type": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML declaration and the DOCTYPE
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = svg.replace("*{", f"#{chart_id} *{{")  # matplotlib's one rule, kept to this chart
    # matplotlib names elements figure_1, axes_1, patch_2... in every chart alike: prefix
    # them, and every reference to them, with the chart's id so the page's ids stay unique.
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{chart_id}-\1"', svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"', rf'\1="#{chart_id}-\2"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{chart_id}-\1)", svg)
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"',
                 rf'<svg id="{chart_id}" class="chart" aria-hidden="true" focusable="false" \1',
                 svg, count=1)
    return svg.strip() + "\n"


def _figure(height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, height), layout="constrained")
    return figure, figure.add_subplot()


def _frame(axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(length=0)


def _height(rows: int) -> float:
    return 0.55 + 0.3 * max(1, rows)


def bar_chart(chart_id: str, labels: Sequence[str],
              series: Sequence[tuple[str, Sequence[Bar]]], top: float, unit: str,
              bands: Sequence[BandRange] = ()) -> str:
    """Horizontal bars, one row per label and one bar per series in each row, over the band
    ranges shaded in the bands' colours (named in a legend below). A bar with no value is not
    drawn; its note is written where it would start."""
    import matplotlib

    palette = [_BAR, _SECOND, "#b35c00", "#6e7781", "#2e7d32", "#8250df"]
    with matplotlib.rc_context(_settings(chart_id)):
        rows = len(labels) * max(1, len(series))
        figure, axes = _figure(_height(rows) + (0.5 if bands else 0.3 * (len(series) > 1)))
        for band in bands:
            axes.axvspan(band.low, band.high, color=band.colour, alpha=0.18, linewidth=0,
                         label=_text(band.label))
        count = max(1, len(series))
        height = 0.8 / count
        for index, (name, bars) in enumerate(series):
            positions = [len(labels) - 1 - k + 0.4 - height * (index + 0.5)
                         for k in range(len(labels))]
            colours = [bar.colour if count == 1 else palette[index % len(palette)]
                       for bar in bars]
            axes.barh(positions, [bar.value or 0 for bar in bars], height=height * 0.9,
                      color=colours, label=_text(name))
            for position, bar in zip(positions, bars, strict=True):
                label = bar.note if bar.value is None else f"{bar.value:g}{unit}"
                axes.text((bar.value or 0) + top * 0.01, position, _text(label),
                          va="center", fontsize=7 if count > 1 else 8)
        axes.set_yticks([len(labels) - 1 - k for k in range(len(labels))],
                        [_text(label) for label in labels], fontsize=8)
        axes.set_xlim(0, top * 1.08)
        axes.set_ylim(-0.5, len(labels) - 0.5)
        axes.xaxis.set_major_formatter(f"{{x:g}}{unit}")
        if count > 1 or bands:
            # Outside the axes, where the layout makes room for it: placed relative to the
            # axes, a legend overlaps the tick labels of a chart only a bar or two high.
            handles, names = axes.get_legend_handles_labels()
            figure.legend(handles, names, frameon=False, fontsize=7.5,
                          loc="outside lower center" if bands else "outside upper center",
                          ncols=2 if bands else min(count, 4))
        _frame(axes)
        return _svg(figure, chart_id)


def counts_chart(chart_id: str, bars: Sequence[Bar]) -> str:
    """Horizontal bars of counts; a withheld count has no bar, only its note."""
    import matplotlib

    with matplotlib.rc_context(_settings(chart_id)):
        from matplotlib.figure import Figure

        figure = Figure(figsize=(WIDTH / 2, _height(len(bars))), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(bars)))[::-1]
        values = [bar.value or 0 for bar in bars]
        top = max([*values, 1])
        axes.barh(positions, values, color=_BAR, height=0.6)
        for position, bar in zip(positions, bars, strict=True):
            label = bar.note if bar.value is None else f"{bar.value:g}"
            axes.text((bar.value or 0) + top * 0.02, position, _text(label), va="center",
                      fontsize=8)
        axes.set_yticks(positions, [_text(bar.label) for bar in bars], fontsize=8)
        axes.set_xlim(0, top * 1.45)
        axes.set_xticks([])
        axes.spines["bottom"].set_visible(False)
        _frame(axes)
        return _svg(figure, chart_id)
