"""The Northamptonshire report in a real browser (headless Chromium, over the DevTools protocol):
no console errors, no request of any kind, the 14 published figures in the DOM, a screenshot
that is not blank, and several A4 pages when printed. One browser serves every test here."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner

from ccirules import store
from ccirules.cli import main
from tests.browser import Browser, find_chromium
from tests.conftest import ROOT

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None and not __import__("os").environ.get("CI"),
                                reason="Chromium is not installed (CI installs it)")

#: The published table: 8 criteria, 3 sections, 3 headlines.
PUBLISHED = {"1.1": "74%", "1.2": "75%", "1.3": "76%", "2.1": "70%", "2.2": "78%",
             "2.3": "87%", "3.1": "71%", "3.2": "89%", "1": "75%", "2": "79%", "3": "75%",
             "safeguarding": "80%", "risk_of_harm": "68%", "likelihood_of_reoffending": "76%"}
HEADLINE_TITLES = {"safeguarding": "Safeguarding", "risk_of_harm": "Risk of Harm to others",
                   "likelihood_of_reoffending": "Likelihood of Reoffending"}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    assert CHROMIUM is not None, "CI must have Chromium: .ci/run installs it"
    folder = tmp_path_factory.mktemp("browser")
    results = str(folder / "results.sqlite")
    store.import_csv(str(ROOT / "examples/northamptonshire-2012/comparators.csv"), results)
    output = folder / "report.html"
    result = CliRunner().invoke(main, [
        "report", str(ROOT / "rulesets/cci-youth-2012.rules"),
        str(ROOT / "examples/northamptonshire-2012/cases"), "--compare", results,
        "-o", str(output)])
    assert result.exit_code == 0, result.output
    browser = Browser(CHROMIUM)
    try:
        opened = browser.open(output.as_uri())
        yield opened
    finally:
        browser.close()


def test_no_console_errors(page) -> None:
    assert page.console_errors() == []


def test_no_request_of_any_kind(page) -> None:
    assert page.requests() == []
    resources = page.evaluate("performance.getEntriesByType('resource').length")
    assert resources == 0


def test_the_published_figures_are_in_the_dom(page) -> None:
    rows = page.evaluate("""[...document.querySelectorAll('#summary tbody tr')].map(
        row => [row.querySelector('th').textContent.trim(),
                row.querySelector('td.value').textContent.trim()])""")
    found = {}
    for label, value in rows:
        name = label.split(" ", 1)[0]
        for key, title in HEADLINE_TITLES.items():
            if label == title:
                name = key
        found[name] = value
    assert {name: found.get(name) for name in PUBLISHED} == PUBLISHED
    headline = page.evaluate("""[...document.querySelectorAll('#headlines tbody td.num')]
        .map(cell => cell.textContent.trim())""")
    assert headline == ["37%", "91%", "68%", "80%", "36%", "86%", "62%", "68%",
                        "43%", "88%", "71%", "76%"]
    assert page.evaluate("document.querySelectorAll('svg.chart').length") == 14
    assert page.evaluate("document.scripts.length") == 0


def test_the_screenshot_is_not_blank(page) -> None:
    from matplotlib import image

    picture = image.imread(io.BytesIO(page.screenshot()), format="png")
    assert picture.shape[:2] == (1400, 1100)
    pixels = picture[:, :, :3]
    assert pixels.std() > 0.05  # text, tables and colour, not one flat colour
    assert (pixels.min(axis=2) < 0.5).mean() > 0.01  # dark text covers part of the page


def test_it_prints_on_several_a4_pages(page) -> None:
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf)
    assert len(pages) >= 4
    boxes = {tuple(round(float(v)) for v in box.split())
             for box in re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)}
    assert boxes == {(0, 0, 595, 842)}  # A4 in points
