"""Golden tests for `ccirules check`: each fixture's exact output and exit code.

A case is a ``NAME.rules`` file (checked as ``ccirules check NAME.rules``) or a ``NAME.args`` file
holding the command line to run. Expected output, prefixed with the exit code, is ``NAME.out``.
Run ``pytest --update-golden`` to rewrite them, then review the diff.
"""

from __future__ import annotations

import shlex

import pytest
from click.testing import CliRunner

from ccirules import reading
from ccirules.cli import main
from ccirules.diagnostics import CODES
from tests.conftest import GOLDEN, ROOT, compare_golden
from tests.errors_doc import render_errors_doc

CASES_DIR = GOLDEN / "check"
CASES = sorted({path.stem for path in CASES_DIR.glob("*.rules")}
               | {path.stem for path in CASES_DIR.glob("*.args")})

#: Limits shrunk for one case, so the fixture stays small.
PATCHES = {"E102-file-too-large": (reading, "MAX_BYTES", 64)}


def run_case(name: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(ROOT)
    args_file = CASES_DIR / f"{name}.args"
    if args_file.exists():
        args = shlex.split(args_file.read_text(encoding="utf-8"))
    else:
        args = ["check", str((CASES_DIR / f"{name}.rules").relative_to(ROOT))]
    if name in PATCHES:
        monkeypatch.setattr(*PATCHES[name])
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return f"exit: {result.exit_code}\n{result.output}"


@pytest.mark.parametrize("name", CASES)
def test_check_output(name: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    compare_golden(CASES_DIR / f"{name}.out", run_case(name, monkeypatch), update_golden)


@pytest.mark.parametrize("code", list(CODES))
def test_every_code_has_a_golden_case_that_reports_it(code: str) -> None:
    cases = [name for name in CASES if name.startswith(code + "-")]
    assert cases, f"no golden case for {code}"
    for name in cases:
        output = (CASES_DIR / f"{name}.out").read_text(encoding="utf-8")
        reported = f"[{code}]" in output or f'"code": "{code}"' in output
        assert reported, f"{name} does not report {code}"


def test_errors_doc_is_generated_from_the_cases(update_golden: bool) -> None:
    compare_golden(ROOT / "docs" / "errors.md", render_errors_doc(CASES_DIR), update_golden)


def test_errors_doc_explains_every_code() -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for code in CODES:
        section = text.split(f"## {code}:", 1)
        assert len(section) == 2, f"{code} is not documented"
        body = section[1].split("\n## ", 1)[0]
        assert "```console" in body and "**Fix:**" in body, f"{code} lacks an example or a fix"


def test_no_stray_golden_files() -> None:
    outputs = {path.stem for path in CASES_DIR.glob("*.out")}
    assert outputs == set(CASES), "golden outputs without a case, or cases without output"
