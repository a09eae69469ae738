"""Shared test configuration: the golden-file update flag, paths, and the editor package's npm
dependencies."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
RULESETS = ROOT / "rulesets"
EDITOR = ROOT / "editors" / "vscode"
EDITOR_PACKAGES = ("vscode-textmate", "vscode-oniguruma", "vscode-languageclient")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite golden files from the current output; review the diff")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def editor_packages() -> None:
    """Installs the editor package's locked npm dependencies when they are missing or stale
    (the tokenizer the grammar tests use, and the language client the extension ships).

    A fresh machine has node and npm but no node_modules; CI is such a machine. The packages
    are never committed, so the lock file decides what runs here, and a lock newer than them,
    or an install without devDependencies (`npm ci --omit=dev`, as for packaging), reinstalls.
    Each pytest-xdist worker has its own session, so the check and the install hold a file lock:
    one worker installs while the others wait, then find the packages there (two `npm ci` in one
    folder at once fail with ENOTEMPTY).
    """
    if shutil.which("node") is None:
        pytest.fail("node not found: the editor package is tested with VS Code's own tokenizer "
                    "and language client, which run on Node.js; install Node.js and npm "
                    "(Debian: apt-get install nodejs npm)", pytrace=False)
    digest = hashlib.sha256(str(EDITOR).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"ccirules-npm-{digest}.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        _install_editor_packages()


def _install_editor_packages() -> None:
    """`npm ci` in the editor package, unless its locked packages are there and current."""
    installed = EDITOR / "node_modules" / ".package-lock.json"
    lock = EDITOR / "package-lock.json"
    if (installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime
            and all((EDITOR / "node_modules" / name).is_dir() for name in EDITOR_PACKAGES)):
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm not found: it installs the editor package's test dependencies; "
                    "install it (Debian: apt-get install npm)", pytrace=False)
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
        cwd=EDITOR, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        pytest.fail(f"npm ci failed in {EDITOR}:\n{result.stdout}{result.stderr}", pytrace=False)


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
