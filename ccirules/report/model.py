"""The report's data: every section of the page as plain values, in the page's language.

Nothing here writes HTML; the template does, and escapes everything it is given but the SVG that
:mod:`ccirules.charts` draws. Counts of the sample's characteristics below ``min_count`` are
replaced by "fewer than N" here, before the template or a chart sees them, and where one such
count could be worked out from the total, the next smallest is withheld too. Cases are named
only in the audit appendix.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import attrs
from markupsafe import Markup

from ccirules import __version__, charts
from ccirules.cases import Inspection
from ccirules.compiler import AttributeKind, CompiledBands, CompiledRuleset, CompiledScore, Rule
from ccirules.evaluator import Evaluation
from ccirules.i18n import FALLBACK_MARK, Messages, Title, Titles
from ccirules.model import DEFAULT_ROUNDING
from ccirules.results import Stamp, counted, shown
from ccirules.scoring import ScoreResult, percentage, round_value
from ccirules.store import Comparison, identity, major
from ccirules.terms import ValueKind as Kind
from ccirules.trace import Outcome

#: Band colours from the best band to the worst, as inspectorates colour ratings (dark green,
#: light green, amber, red for four); the text always names the band too.
BAND_COLOURS = {2: ["#2e7d32", "#c62828"], 3: ["#2e7d32", "#f9a825", "#c62828"],
                4: ["#1b5e20", "#7cb342", "#f9a825", "#c62828"],
                5: ["#1b5e20", "#66bb6a", "#f9a825", "#ef6c00", "#c62828"]}
_MANY = ["#1b5e20", "#43a047", "#9ccc65", "#f9a825", "#ef6c00", "#e53935", "#b71c1c"]


@attrs.frozen
class ReportOptions:
    lang: str = "en"
    audit: bool = False
    min_count: int = 3
    compare_where: Mapping[str, str] = attrs.field(factory=dict)
    sample: tuple[str, ...] = ()  # attributes to chart; all that can be, when empty


def band_colour(bands: CompiledBands | None, rank: int | None) -> str:
    if bands is None or rank is None:
        return "#6e7781"
    palette = BAND_COLOURS.get(len(bands.bands))
    if palette is None:
        step = (len(_MANY) - 1) / max(1, len(bands.bands) - 1)
        return _MANY[round(rank * step)]
    return palette[rank]


@attrs.frozen
class Cell:
    """A band as shown: its colour and its words."""

    text: Title
    colour: str


@attrs.frozen
class Row:
    id: str
    title: Title | str
    depth: int
    header: bool = False  # a group with no score of its own
    counts: str = ""
    value: str = ""
    band: Cell | None = None
    compare: tuple[str, str, str] | None = None


@attrs.frozen
class Figure:
    id: str
    title: str
    about: str
    svg: Markup
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@attrs.frozen
class Finding:
    id: str
    title: Title | str
    counts: str
    value: str
    sentence: str


@attrs.frozen
class AuditGroup:
    heading: str
    lines: tuple[tuple[str, str, str], ...]  # cases, reason, ruleset line


@attrs.frozen
class AuditQuestion:
    id: str
    title: Title | str
    counts: str
    groups: tuple[AuditGroup, ...]


@attrs.frozen
class AuditScore:
    id: str
    title: Title | str
    value: str
    band: Cell | None
    rule: str
    steps: tuple[str, ...]
    parts: tuple[str, ...]
    questions: tuple[AuditQuestion, ...]


@attrs.frozen
class Page:
    lang: str
    words: Messages
    title: str
    kicker: str
    facts: tuple[tuple[str, str], ...]
    headlines: tuple[Row, ...]
    compared: bool
    compare_note: str
    summary: tuple[Row, ...]
    summary_compared: bool  # some score in the summary has comparators stored
    figures: tuple[Figure, ...]
    sample: tuple[Figure, ...]
    sample_intro: str
    findings: tuple[tuple[str, Title | str, tuple[Finding, ...]], ...]
    method: tuple[str, ...]
    band_tables: tuple[tuple[Title, tuple[tuple[Cell, str], ...]], ...]
    audit: tuple[AuditScore, ...]
    stamp: str
    inputs: tuple[tuple[str, str], ...]  # (path, sha256), only with the audit
    fallback: bool


def build_page(evaluation: Evaluation, inspection: Inspection, stamp: Stamp,
               options: ReportOptions, comparison: Comparison | None) -> tuple[Page, Titles]:
    ruleset = evaluation.ruleset
    titles = Titles(ruleset, options.lang)
    words = Messages(options.lang)
    facts = dict(evaluation.facts)
    results = {result.name: result for result in evaluation.scores}
    ruleset_title = str(titles.ruleset_title())
    version = ruleset.info.version
    fact_rows = [(words(f"report.fact.{key}"), value) for key, value in facts.items()
                 if key != "area"]
    if "area" in facts:
        fact_rows.insert(0, (words("report.fact.area"), facts["area"]))
    fact_rows += [(words("report.fact.ruleset"), ruleset_title)]
    if version:
        fact_rows.append((words("report.fact.version"), version))
    fact_rows.append((words("report.fact.cases"), str(evaluation.cases)))

    columns = _comparison_columns(ruleset, comparison)
    headline_names = _headline_names(ruleset)
    headlines = tuple(_row(ruleset, titles, results[name], 0, columns) for name in headline_names)
    summary = tuple(_summary(ruleset, titles, results, columns))
    figures = tuple(_score_figures(ruleset, titles, words, evaluation))
    sample = tuple(_sample_figures(ruleset, titles, words, inspection, options))
    findings = tuple(_findings(ruleset, titles, words, evaluation))
    audit = tuple(_audit(ruleset, titles, words, evaluation)) if options.audit else ()
    digest = hashlib.sha256("\n".join(sorted(f.sha256 for f in stamp.inputs)).encode())
    inputs = words("result.input_files", n=len(stamp.inputs)) + f" (sha256 {digest.hexdigest()})"
    page = Page(
        lang=options.lang, words=words,
        title=words("report.title_for", area=facts["area"]) if "area" in facts
        else words("report.title"),
        kicker=ruleset_title + (f" {version}" if version else ""),
        facts=tuple(fact_rows), headlines=headlines, compared=comparison is not None,
        compare_note=_compare_note(words, ruleset, ruleset_title, comparison, options),
        summary=summary, figures=figures, sample=sample,
        summary_compared=bool(columns) and any(row.id in columns for row in summary),
        sample_intro=words("report.sample.intro", n=options.min_count),
        findings=findings, method=tuple(_method(ruleset, words)),
        band_tables=tuple(_band_tables(ruleset, titles, words)), audit=audit,
        stamp=words("report.stamp", version=__version__, path=stamp.ruleset_path,
                    sha=stamp.ruleset_sha256, inputs=inputs),
        inputs=tuple((f.path, f.sha256) for f in stamp.inputs) if options.audit else (),
        fallback=False)
    return attrs.evolve(page, fallback=bool(titles.fallbacks)), titles


def report_identity(evaluation: Evaluation, stamp: Stamp) -> str:
    """The reported inspection's identity in a store, to leave it out of its comparison."""
    return identity(evaluation.ruleset.info.title, evaluation.facts,
                    [f.sha256 for f in stamp.inputs])


# ---- scores ----------------------------------------------------------------------------------


def _headline_names(ruleset: CompiledRuleset) -> list[str]:
    for wanted in ("headline", "score"):
        names = [score.name for score in ruleset.scores if score.level == wanted]
        if names:
            return names
    return [score.name for score in ruleset.scores if score.depth == 0]


def _unit(score: CompiledScore) -> str:
    return "%" if score.value_kind is Kind.PERCENT else ""


def _published(score: CompiledScore, value: Decimal | Fraction) -> str:
    text = format(round_value(Fraction(value), score.rounding), "f")
    return text + _unit(score)


def _comparison_columns(ruleset: CompiledRuleset, comparison: Comparison | None
                        ) -> dict[str, tuple[str, str, str]] | None:
    if comparison is None:
        return None
    columns = {}
    for score in ruleset.scores:
        column = comparison.column(score.name)
        if column is not None:
            low, high, mean, _ = column
            columns[score.name] = (_published(score, low), _published(score, high),
                                   _published(score, mean))
    return columns


def _cell(ruleset: CompiledRuleset, titles: Titles, result: ScoreResult) -> Cell | None:
    if result.band is None:
        return None
    score = ruleset.score(result.name)
    return Cell(titles.band(result.band), band_colour(score.bands, result.band.rank))


def _row(ruleset: CompiledRuleset, titles: Titles, result: ScoreResult, depth: int,
         columns: dict[str, tuple[str, str, str]] | None) -> Row:
    score = ruleset.score(result.name)
    words = Messages(titles.lang)
    compare = None
    if columns is not None:
        none = words("report.none_stored")
        compare = columns.get(result.name, (none, none, none))
    return Row(result.name, titles.score(result.name) if score.title or score.welsh else "",
               depth, counts=counted(result, titles.lang),
               value=shown(result, ruleset, titles.lang), band=_cell(ruleset, titles, result),
               compare=compare)


def _summary(ruleset: CompiledRuleset, titles: Titles, results: Mapping[str, ScoreResult],
             columns) -> list[Row]:
    rows = []
    depth: dict[str, int] = {}
    grouped = set()
    for group in ruleset.groups:
        depth[group.name] = 0 if group.parent is None else depth[group.parent] + 1
        grouped.add(group.name)
        if group.name in results:
            rows.append(_row(ruleset, titles, results[group.name], depth[group.name], columns))
        else:
            rows.append(Row(group.name, titles.group(group.name) if group.title or group.welsh
                            else "", depth[group.name], header=True))
    rows += [attrs.evolve(row, id="") if row.title else row
             for row in (_row(ruleset, titles, results[score.name], 0, columns)
                         for score in ruleset.scores if score.name not in grouped)]
    return rows


def _compare_note(words: Messages, ruleset: CompiledRuleset, title: str,
                  comparison: Comparison | None, options: ReportOptions) -> str:
    if comparison is None:
        return ""
    where = ""
    if options.compare_where:
        where = words("report.compare.where", conditions=", ".join(
            f"{key} = {value}" for key, value in options.compare_where.items()))
    version = ruleset.info.version or ""
    if comparison.inspections == 0:
        return words("report.compare.none_footnote", ruleset=title, major=major(version) or "",
                     where=where)
    return words("report.compare.footnote", n=comparison.inspections, ruleset=title,
                 version=version, major=major(version) or "", where=where)


def _band_ranges(titles: Titles, bands: CompiledBands) -> list[charts.BandRange]:
    return [charts.BandRange(float(band.low), float(band.high + (0 if band.below else 1))
                             if band.high < 100 else float(band.high),
                             band_colour(bands, band.rank), str(titles.band(band)))
            for band in bands.bands]


def _short(title: Title | str, limit: int = 44) -> str:
    text = str(title)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _score_figures(ruleset: CompiledRuleset, titles: Titles, words: Messages,
                   evaluation: Evaluation) -> list[Figure]:
    """A chart for each band table's scores, and one of the breakdown."""
    figures = []
    by_table: dict[str, list[ScoreResult]] = {}
    for result in evaluation.scores:
        score = ruleset.score(result.name)
        if score.bands is not None and score.value_kind in (Kind.PERCENT, Kind.POINTS):
            by_table.setdefault(score.bands.name, []).append(result)
    for number, results in enumerate(by_table.values(), start=1):
        table = ruleset.score(results[0].name).bands
        first = ruleset.score(results[0].name)
        unit = _unit(first)
        top = float(max(band.high for band in table.bands))
        labels, bars, rows = [], [], []
        for result in results:
            score = ruleset.score(result.name)
            title = titles.score(result.name) if score.title or score.welsh else ""
            value = None if result.exact is None else float(round_value(result.exact,
                                                                        score.rounding))
            label = title if score.level in ("headline", "score") and title else \
                f"{result.name} {title}".strip()
            labels.append(_short(label))
            bars.append(charts.Bar(labels[-1], value,
                                   band_colour(table, result.band.rank if result.band else None),
                                   shown(result, ruleset, titles.lang)))
            band = str(titles.band(result.band)) if result.band else ""
            rows.append((f"{result.name} {title}".strip(), shown(result, ruleset, titles.lang),
                         band))
        chart_id = f"chart-scores-{number}"
        svg = charts.bar_chart(chart_id, labels, [("", bars)], top, unit,
                               _band_ranges(titles, table))
        figures.append(Figure(
            chart_id, words("report.chart.scores") + (f": {titles.bands(table)}"
                                                      if len(by_table) > 1 else ""),
            words("report.chart.scores.about", bands=str(titles.bands(table))), Markup(svg),
            (words("report.column.score_name"), words("report.column.value"),
             words("report.column.band")), tuple(rows)))
    if evaluation.breakdowns:
        figures.append(_breakdown_figure(ruleset, titles, words, evaluation))
    return figures


def _breakdown_figure(ruleset: CompiledRuleset, titles: Titles, words: Messages,
                      evaluation: Evaluation) -> Figure:
    names = [result.name for result in evaluation.breakdowns[0].scores
             if ruleset.score(result.name).value_kind is Kind.PERCENT]
    labels = [_short(f"{name} {titles.score(name) if ruleset.score(name).title else ''}".strip())
              for name in names]
    series = []
    rows = []
    for group in evaluation.breakdowns:
        results = {result.name: result for result in group.scores}
        bars = []
        for name, label in zip(names, labels, strict=True):
            result = results[name]
            score = ruleset.score(name)
            value = None if result.exact is None else float(round_value(result.exact,
                                                                        score.rounding))
            bars.append(charts.Bar(label, value, note=shown(result, ruleset, titles.lang)))
            rows.append((f"{group.value} ({words('result.cases', n=group.cases)})", name,
                         shown(result, ruleset, titles.lang),
                         str(titles.band(result.band)) if result.band else ""))
        series.append((f"{group.value} ({words('result.cases', n=group.cases)})", bars))
    attribute = evaluation.breakdown_by
    name = str(titles.attribute(attribute)) if ruleset.attributes[attribute].title else attribute
    svg = charts.bar_chart("chart-breakdown", labels, series, 100.0, "%")
    return Figure("chart-breakdown", words("report.chart.breakdown", attribute=name),
                  words("report.chart.breakdown.about"), Markup(svg),
                  (words("report.column.group"), words("report.column.score_name"),
                   words("report.column.value"), words("report.column.band")), tuple(rows))


# ---- the sample ------------------------------------------------------------------------------


def _bins(low: int, high: int) -> list[tuple[int, int]]:
    width = max(1, -(-(high - low + 1) // 5))
    return [(start, min(high, start + width - 1)) for start in range(low, high + 1, width)]


def _suppress(counts: list[tuple[str, int]], min_count: int, words: Messages
              ) -> list[tuple[str, int | None, str]]:
    """(label, count or None, shown): counts below ``min_count`` become "fewer than N"; when
    exactly one is, the next smallest is withheld too, so neither can be had by subtraction."""
    small = {label for label, count in counts if 0 < count < min_count}
    if len(small) == 1:
        others = sorted(((count, label) for label, count in counts
                         if label not in small and count > 0))
        if others:
            small.add(others[0][1])
    fewer = words("report.sample.fewer_than", n=min_count)
    withheld = words("report.sample.withheld")
    found = []
    for label, count in counts:
        if label in small:
            found.append((label, None, fewer if count < min_count else withheld))
        else:
            found.append((label, count, str(count)))
    return found


def _sample_figures(ruleset: CompiledRuleset, titles: Titles, words: Messages,
                    inspection: Inspection, options: ReportOptions) -> list[Figure]:
    chosen = options.sample or tuple(
        name for name, attribute in ruleset.attributes.items()
        if attribute.kind is not AttributeKind.TEXT
        and (attribute.kind is not AttributeKind.WHOLE_NUMBER
             or (attribute.low is not None and attribute.high is not None)))
    figures = []
    not_recorded = words("report.sample.not_recorded")
    for number, name in enumerate(chosen, start=1):
        attribute = ruleset.attributes[name]
        values = [case.attributes.get(name) for case in inspection.cases]
        tally = Counter("" if value is None else str(value).strip() for value in values)
        if attribute.kind is AttributeKind.WHOLE_NUMBER and attribute.low is not None:
            counts = []
            for low, high in _bins(attribute.low, attribute.high):
                label = str(low) if low == high else f"{low}–{high}"
                counts.append((label, sum(n for value, n in tally.items()
                                          if value and low <= int(value) <= high)))
        elif attribute.kind is AttributeKind.YES_OR_NO:
            counts = [(words("report.yes"), tally.get("yes", 0)),
                      (words("report.no"), tally.get("no", 0))]
        elif attribute.values:
            counts = [(value.replace("_", " "), tally.get(value, 0))
                      for value in attribute.values]
        else:
            counts = sorted((value, n) for value, n in tally.items() if value)
        if tally.get(""):
            counts.append((not_recorded, tally[""]))
        shown_counts = _suppress(counts, options.min_count, words)
        title = str(titles.attribute(name)) if attribute.title else name
        chart_id = f"chart-sample-{number}"
        bars = [charts.Bar(label, count, note=text) for label, count, text in shown_counts]
        figures.append(Figure(chart_id, title, "", Markup(charts.counts_chart(chart_id, bars)),
                              (words("report.column.value_of"), words("report.column.count")),
                              tuple((label, text) for label, _, text in shown_counts)))
    return figures


# ---- findings, method, audit -----------------------------------------------------------------


def _findings(ruleset: CompiledRuleset, titles: Titles, words: Messages,
              evaluation: Evaluation) -> list[tuple[str, Title | str, tuple[Finding, ...]]]:
    by_group: dict[str, list] = {}
    for order, question in enumerate(ruleset.questions):
        tally = evaluation.tallies[question.name]
        exact = percentage(tally.sufficient, tally.applicable)
        rounding = ruleset.score(question.group).rounding \
            if ruleset.has_score(question.group) else DEFAULT_ROUNDING
        value = "" if exact is None else f"{round_value(exact, rounding)}%"
        sentence = (words("report.findings.sentence", sufficient=tally.sufficient,
                          applicable=tally.applicable) if tally.applicable
                    else words("report.findings.none_applied"))
        key = (exact is None, exact if exact is not None else 0, order)
        finding = Finding(question.name, titles.question(question.name) if question.title
                          else "", f"{tally.sufficient}/{tally.applicable}", value, sentence)
        by_group.setdefault(question.group, []).append((key, finding))
    found = []
    for group in ruleset.groups:
        if group.name in by_group:
            ordered = tuple(finding for _, finding in sorted(by_group[group.name],
                                                             key=lambda item: item[0]))
            found.append((group.name, titles.group(group.name) if group.title else "",
                          ordered))
    return found


def _method(ruleset: CompiledRuleset, words: Messages) -> list[str]:
    lines = []
    by_rule: dict[Rule, list[str]] = {}
    for score in ruleset.scores:
        by_rule.setdefault(score.rule, []).append(score.name)
    for rule, names in by_rule.items():
        lines.append(f"{', '.join(names)}: {words('report.method.' + rule.value)}")
    by_rounding: dict[tuple, list[str]] = {}
    for score in ruleset.scores:
        if score.rule is not Rule.JUDGED:  # a rating is not rounded
            by_rounding.setdefault((score.rounding, score.band_basis), []).append(score.name)
    for (rounding, band_basis), names in by_rounding.items():
        mode = words("report.method.mode." + rounding.mode.value)
        basis = words("report.method.basis." + band_basis.value)
        if rounding.places:
            sentence = words("report.method.rounding", mode=mode, places=rounding.places,
                             basis=basis)
        else:
            sentence = words("report.method.rounding.whole", mode=mode, basis=basis)
        # One rounding for every score is said once; scores rounded otherwise are named.
        lines.append(sentence if len(by_rounding) == 1 else f"{', '.join(names)}: {sentence}")
    return lines


def _band_tables(ruleset: CompiledRuleset, titles: Titles, words: Messages):
    seen: dict[str, CompiledBands] = {}
    for score in ruleset.scores:
        if score.bands is not None:
            seen.setdefault(score.bands.name, score.bands)
    found = []
    for table in seen.values():
        rows = []
        for band in table.bands:
            key = "report.method.range_below" if band.below else "report.method.range"
            text = words(key, low=band.low, high=band.high)
            if band.points is not None:
                text += "; " + words("report.method.points", n=band.points)
            rows.append((Cell(titles.band(band), band_colour(table, band.rank)), text))
        found.append((titles.bands(table), tuple(rows)))
    return found


def _audit(ruleset: CompiledRuleset, titles: Titles, words: Messages,
           evaluation: Evaluation) -> list[AuditScore]:
    from ccirules.explain import explain_score

    found = []
    for result in evaluation.scores:
        explained = explain_score(evaluation, result.name, titles)
        score = ruleset.score(result.name)
        steps = []
        if explained.up is not None:
            steps.append(words("report.audit.up", n=explained.up.answers,
                               band=str(titles.band(explained.up.band))))
        if explained.down is not None:
            steps.append(words("report.audit.down", n=explained.down.answers,
                               band=str(titles.band(explained.down.band))))
        questions = []
        for question, tally, records in explained.questions:
            groups = []
            for outcome in Outcome:
                chosen = [record for record in records if record.outcome is outcome]
                if not chosen:
                    continue
                by_reason: dict[tuple[str, str], list[str]] = {}
                for record in chosen:
                    where = "" if record.rule_span is None else record.rule_span.where
                    by_reason.setdefault((record.reason, where), []).append(record.case)
                groups.append(AuditGroup(
                    f"{words('explain.outcome.' + outcome.name.lower())} ({len(chosen)})",
                    tuple((", ".join(cases), reason, where)
                          for (reason, where), cases in by_reason.items())))
            questions.append(AuditQuestion(
                question, titles.question(question) if ruleset.question(question).title
                else "", words("explain.sufficient_of", sufficient=tally.sufficient,
                               applicable=tally.applicable), tuple(groups)))
        rule_span = score.rule_span or score.span
        found.append(AuditScore(
            result.name, titles.score(result.name) if score.title or score.welsh else "",
            shown(result, ruleset, titles.lang), _cell(ruleset, titles, result),
            f"{score.rule.value} ({rule_span.where})", tuple(steps),
            tuple(f"{part}: {text}" for part, text in explained.parts), tuple(questions)))
    return found


__all__ = ["FALLBACK_MARK", "Page", "ReportOptions", "build_page", "report_identity"]

