"""The report page: self-contained, byte-identical for the same inputs, names no case unless
audited, withholds small counts, escapes what users wrote, speaks Welsh; comparison columns are
held in golden files whose lowest/highest/average are worked out by hand (tests/test_store.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ccirules import store
from ccirules.cli import main
from ccirules.i18n import Messages
from ccirules.report.model import _suppress
from tests.conftest import GOLDEN, ROOT, compare_golden

NORTHAMPTONSHIRE = ["rulesets/cci-youth-2012.rules", "examples/northamptonshire-2012/cases"]
HMIP = ["rulesets/hmip-youth-2018.rules", "examples/hmip-2018"]
FRAMEWORK = ["tests/golden/eval/framework.rules", "tests/golden/eval/inspection"]


def report(tmp_path: Path, *args: str, name: str = "report.html") -> str:
    output = tmp_path / name
    result = CliRunner().invoke(main, ["report", *args, "-o", str(output)])
    assert result.exit_code == 0, result.output
    return output.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def northamptonshire(tmp_path_factory) -> str:
    """The example's report, made once for the module (charts take a second to draw)."""
    import os

    os.chdir(ROOT)
    return report(tmp_path_factory.mktemp("report"), *NORTHAMPTONSHIRE)


def section(html: str, name: str) -> str:
    found = re.search(rf'<section id="{name}".*?</section>', html, re.S)
    assert found, name
    return found.group(0) + "\n"


def test_same_inputs_same_bytes(northamptonshire: str, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    again = report(tmp_path, *NORTHAMPTONSHIRE)
    assert again == northamptonshire


def test_self_contained(northamptonshire: str) -> None:
    html = northamptonshire
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert "<iframe" not in html and "@import" not in html
    assert not re.search(r"url\((?!#)", html)  # clip paths refer within the page only
    assert not re.search(r'\b(src|href|xlink:href)="(?!#)', html)
    assert "<!DOCTYPE svg" not in html and "<?xml" not in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "ids repeat across charts"


def test_every_section(northamptonshire: str) -> None:
    for name in ("headlines", "summary", "charts", "findings", "sample", "method"):
        section(northamptonshire, name)
    assert "<h1>Inspection report: Northamptonshire</h1>" in northamptonshire
    assert northamptonshire.count('<figure class="chart-figure') == 1 + 13  # scores, sample
    assert 'class="sr-only"' in northamptonshire  # every chart has its table
    assert '<section id="audit"' not in northamptonshire
    assert "ccirules 0.1.0" in northamptonshire  # the stamp


def test_the_method_states_the_rounding_of_every_score(northamptonshire: str, tmp_path,
                                                       monkeypatch) -> None:
    """One rounding for all is said once; the 2018 overall, a share of points to 2 decimal
    places, is named beside the whole-number scores, and ratings judged directly (1.x, 4.1),
    which are not rounded, are in neither."""
    whole = "Scores are rounded once, halves up, to whole numbers"
    assert re.findall(r"<li>([^<]*)rounded once", section(northamptonshire, "method")) == [
        "Scores are "]
    monkeypatch.chdir(ROOT)
    method = section(report(tmp_path, *HMIP), "method")
    assert f"<li>2.1, 2.2, 2.3, 2.4, 3.1, 3.2, 3.3: {whole}" in method
    assert "<li>overall: Scores are rounded once, halves up, to 2 decimal places" in method


def test_findings_weakest_first(northamptonshire: str) -> None:
    findings = section(northamptonshire, "findings")
    rmp = ('<span class="qid">1.1.8</span> Was a risk management plan completed where '
           'required?<br><span class="sentence">sufficient in 22 of the 24 cases where it '
           'applied</span>')
    assert rmp in findings
    first = re.search(r'<caption>1.1 .*?<span class="qid">([\d.]+)</span>', findings, re.S)
    assert first.group(1) == "1.1.11"  # 7/22, the weakest of 1.1


def test_no_case_is_named_without_the_audit(northamptonshire: str, tmp_path,
                                            monkeypatch) -> None:
    assert not re.search(r"\bN0\d\d\b", northamptonshire)
    monkeypatch.chdir(ROOT)
    audited = report(tmp_path, *NORTHAMPTONSHIRE, "--audit", "--sample", "setting")
    audit = section(audited, "audit")
    assert "<details class=\"audit\">" in audit and "N001" in audit
    assert "examples/northamptonshire-2012/cases/N001.yaml" in audit
    assert "more sufficient answer" in audit


def test_small_counts_are_withheld() -> None:
    words = Messages("en")
    assert _suppress([("yes", 61), ("no", 1)], 3, words) == [
        ("yes", None, "withheld"), ("no", None, "fewer than 3")]
    assert _suppress([("a", 10), ("b", 2), ("c", 1)], 3, words) == [
        ("a", 10, "10"), ("b", None, "fewer than 3"), ("c", None, "fewer than 3")]
    assert _suppress([("a", 10), ("b", 0)], 3, words) == [("a", 10, "10"), ("b", 0, "0")]


def test_min_count_reaches_the_page(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    html = report(tmp_path, *FRAMEWORK, "--min-count", "4")
    sample = section(html, "sample")
    assert "fewer than 4" in sample
    assert "<td>1</td>" not in sample and "<td>2</td>" not in sample


def test_welsh(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["report", *NORTHAMPTONSHIRE, "--lang", "cy",
                                       "--sample", "setting", "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0
    assert "warning[W303]" in result.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<html lang="cy">' in html
    assert "<h2>Sgorau pennawd</h2>" in html and "Angen gwelliant LLEIAF" in html
    assert "Risg o Niwed i eraill" in html
    assert '<span lang="en">Was an Asset RoSH screening completed?</span><sup class="mark">' \
        in html
    assert "Dim teitl Cymraeg eto" in html


def test_hostile_titles_are_text(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    text = (ROOT / FRAMEWORK[0]).read_text(encoding="utf-8")
    text = text.replace('"Golden test framework"', '"<script>alert(1)</script> $x^$"')
    text = text.replace('section A "Assessment"', 'section A "A & B <b>bold</b> $\\\\frac{1$"')
    ruleset = tmp_path / "hostile.rules"
    ruleset.write_text(text, encoding="utf-8")
    html = report(tmp_path, str(ruleset), FRAMEWORK[1])
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_comparison_columns(tmp_path, monkeypatch, update_golden: bool) -> None:
    """Golden: lowest/highest/average as tests/test_store.py works them out by hand: safety
    40/71/60 (181/3), A 61/90/77, B 45/50/48 (47.5 half up); and for Wales only, safety
    70/71/71 (70.5 half up), A 61/80/71, B 50/50/50."""
    monkeypatch.chdir(ROOT)
    path = str(tmp_path / "results.sqlite")
    store.import_csv(str(GOLDEN / "report" / "comparators.csv"), path)
    html = report(tmp_path, *FRAMEWORK, "--compare", path)
    both = section(html, "headlines") + section(html, "summary")
    compare_golden(GOLDEN / "report" / "compare-all.html", both, update_golden)
    wales = report(tmp_path, *FRAMEWORK, "--compare", path, "--compare-where", "nation=Wales",
                   name="wales.html")
    compare_golden(GOLDEN / "report" / "compare-wales.html", section(wales, "headlines"),
                   update_golden)
    empty = report(tmp_path, *FRAMEWORK, "--compare", path, "--compare-where", "region=Mars",
                   name="empty.html")
    assert section(empty, "headlines").count("none stored") == 3
    assert "No other inspection under Golden test framework" in empty


def test_the_seeds_first_table(tmp_path, monkeypatch) -> None:
    """The example's comparators give the published 37/91/68, 36/86/62 and 43/88/71 beside
    Northamptonshire's 80, 68 and 76."""
    monkeypatch.chdir(ROOT)
    path = str(tmp_path / "results.sqlite")
    store.import_csv("examples/northamptonshire-2012/comparators.csv", path)
    assert CliRunner().invoke(main, ["eval", *NORTHAMPTONSHIRE, "--store", path]).exit_code == 0
    headlines = section(report(tmp_path, *NORTHAMPTONSHIRE, "--compare", path, "--sample",
                               "setting"), "headlines")
    cells = re.findall(r'<td class="num[^"]*">([^<]+)</td>', headlines)
    assert cells == ["37%", "91%", "68%", "80%", "36%", "86%", "62%", "68%",
                     "43%", "88%", "71%", "76%"]
    assert "6 other inspections" in headlines


def test_the_2018_report(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    html = report(tmp_path, *HMIP, "--by", "office")
    summary = section(html, "summary")
    assert '<tr class="group-header"><th scope="rowgroup" colspan="4" class="depth-0">1 ' \
        'Organisational delivery</th></tr>' in summary
    assert "judged" in summary and "22/36 points" in summary
    charts = section(html, "charts")
    assert "Scores by Youth offending service office" in charts
    assert "north (18 cases)" in charts
    breakdown = charts.split('id="chart-breakdown-caption"')[1]
    assert ">1.1<" not in breakdown and ">overall<" not in breakdown  # judged: not per office


def test_report_imports_its_libraries_only_when_run() -> None:
    code = ("import sys; from click.testing import CliRunner; from ccirules.cli import main; "
            "CliRunner().invoke(main, ['report', '--help']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('jinja2', 'matplotlib', 'lark', 'msgspec', 'yaml')))")
    import subprocess

    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT).stdout
    assert output.strip() == "[]"
