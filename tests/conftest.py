"""Shared test configuration: the golden-file update flag and paths."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
RULESETS = ROOT / "rulesets"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite golden files from the current output; review the diff")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def compare_golden(path: Path, actual: str, update: bool) -> None:
    """Assert ``actual`` equals the golden file, or rewrite it when updating."""
    if update:
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"no golden file {path.name}: run pytest --update-golden and review it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path.name} differs; if the change is intended, run " \
                               "pytest --update-golden and review the diff"


def pytest_configure(config: pytest.Config) -> None:
    """Keep the suite's compiled-ruleset cache out of the user's own (subprocesses inherit it)."""
    import os
    import shutil
    import tempfile

    if "CCIRULES_CACHE_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="ccirules-test-cache-")
        os.environ["CCIRULES_CACHE_DIR"] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
