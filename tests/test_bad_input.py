"""Every row of the bad-input catalogue (tests/bad_input.py), and its page."""

from __future__ import annotations

import pytest

from tests.bad_input import CATALOGUE, render_catalogue
from tests.conftest import ROOT, compare_golden


@pytest.mark.parametrize("row", CATALOGUE, ids=lambda row: f"{row.area}: {row.given[:40]}")
def test_catalogue_row(row, tmp_path, monkeypatch) -> None:
    row.check(tmp_path, monkeypatch)


def test_catalogue_page_is_generated_from_the_rows(update_golden: bool) -> None:
    compare_golden(ROOT / "docs" / "bad-input.md", render_catalogue(), update_golden)
