"""Golden tests for the command line: each case's exact output (stdout and stderr) and exit code.

Cases live in ``tests/golden/<command>/``:

- ``NAME.args`` holds a command line to run;
- ``check/NAME.rules`` is run as ``ccirules check NAME.rules``;
- ``eval/bad/NAME.EXT`` (a case file) is run as ``ccirules eval eval/framework.rules NAME.EXT``.

The expected output, prefixed with the exit code, is ``NAME.out`` beside it. Run
``pytest --update-golden`` to rewrite them (and docs/errors.md), then review the diff.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from ccirules import reading
from ccirules.cli import main
from ccirules.diagnostics import CODES
from ccirules.loaders import records
from tests.conftest import GOLDEN, ROOT, compare_golden
from tests.errors_doc import render_errors_doc

EVAL_RULESET = "tests/golden/eval/framework.rules"
SIDECARS = {".out", ".args", ".about"}


def _cases() -> dict[str, Path]:
    """Every golden case by id, mapped to the file its output is stored beside."""
    cases: dict[str, Path] = {}
    for path in sorted(GOLDEN.rglob("*")):
        if not path.is_file() or "formats" in path.parts or "inspection" in path.parts:
            continue
        command = path.relative_to(GOLDEN).parts[0]
        if path.suffix == ".args" or (command == "check" and path.suffix == ".rules") or (
                path.parent.name == "bad" and path.suffix not in SIDECARS):
            cases[str(path.relative_to(GOLDEN).with_suffix(""))] = path
    return cases


CASES = _cases()

#: Limits shrunk for one case, so the fixture stays small.
PATCHES = {"check/E102-file-too-large": (reading, "MAX_BYTES", 64),
           "eval/bad/E412-too-many-problems": (records, "MAX_PROBLEMS_PER_FILE", 2)}


def command_line(path: Path) -> list[str]:
    args_file = path.with_suffix(".args")
    if args_file.exists():
        return shlex.split(args_file.read_text(encoding="utf-8"))
    relative = str(path.relative_to(ROOT))
    if path.suffix == ".rules":
        return ["check", relative]
    return ["eval", EVAL_RULESET, relative]


def run_case(name: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(ROOT)
    if name in PATCHES:
        monkeypatch.setattr(*PATCHES[name])
    result = CliRunner().invoke(main, command_line(CASES[name]), prog_name="ccirules")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return f"exit: {result.exit_code}\n{result.output}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_command_output(name: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    compare_golden(CASES[name].with_suffix(".out"), run_case(name, monkeypatch), update_golden)


@pytest.mark.parametrize("code", list(CODES))
def test_every_code_has_a_golden_case_that_reports_it(code: str) -> None:
    cases = [name for name in CASES if Path(name).name.startswith(code + "-")]
    assert cases, f"no golden case for {code}"
    for name in cases:
        output = CASES[name].with_suffix(".out").read_text(encoding="utf-8")
        reported = f"[{code}]" in output or f'"code": "{code}"' in output
        assert reported, f"{name} does not report {code}"


def test_errors_doc_is_generated_from_the_cases(update_golden: bool) -> None:
    compare_golden(ROOT / "docs" / "errors.md", render_errors_doc(CASES), update_golden)


def test_errors_doc_explains_every_code() -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for code in CODES:
        section = text.split(f"## {code}:", 1)
        assert len(section) == 2, f"{code} is not documented"
        body = section[1].split("\n## ", 1)[0]
        assert "```console" in body and "**Fix:**" in body, f"{code} lacks an example or a fix"


def test_no_stray_golden_outputs() -> None:
    outputs = {str(path.relative_to(GOLDEN).with_suffix("")) for path in GOLDEN.rglob("*.out")}
    assert outputs == set(CASES), "golden outputs without a case, or cases without output"
