"""`ccirules check` as a user and a CI job run it: exit codes, formats, several files."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from click.testing import CliRunner

from ccirules.cli import ExitCode, main
from tests.conftest import ROOT, RULESETS

SHIPPED = sorted(str(path) for path in RULESETS.glob("*.rules"))


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_clean_rulesets_exit_zero() -> None:
    result = run("check", *SHIPPED)
    assert result.exit_code == ExitCode.OK
    assert result.output == "checked 2 rulesets: 0 errors, 0 warnings\n"


def test_errors_in_any_file_fail_and_every_file_is_reported(tmp_path) -> None:
    bad = tmp_path / "bad.rules"
    bad.write_text('ruleset "x"\nattribute a one of x, x\n')
    result = run("check", SHIPPED[0], str(bad))
    assert result.exit_code == ExitCode.INPUT_INVALID
    assert f"{bad}:2:23: error[E201]" in result.output


def test_warnings_pass_unless_strict(tmp_path) -> None:
    path = tmp_path / "warn.rules"
    path.write_text('ruleset "x"\n'
                    "scale s value y means sufficient value n means insufficient end\n")
    assert run("check", str(path)).exit_code == ExitCode.OK
    assert run("check", "--strict", str(path)).exit_code == ExitCode.INPUT_INVALID


def test_json_output_is_valid_and_complete(tmp_path) -> None:
    path = tmp_path / "bad.rules"
    path.write_text("attribute a yes or no\n")
    result = run("check", "--format", "json", str(path))
    document = json.loads(result.output)
    assert document["files"] == [str(path)]
    assert [d["code"] for d in document["diagnostics"]] == ["E227"]
    assert result.exit_code == ExitCode.INPUT_INVALID


def test_usage_errors_have_their_own_exit_code() -> None:
    assert run("check").exit_code == ExitCode.USAGE_ERROR
    assert run("check", "--format", "xml", SHIPPED[0]).exit_code == ExitCode.USAGE_ERROR
    assert run("nosuchcommand").exit_code == ExitCode.USAGE_ERROR


def test_help_lists_the_exit_codes() -> None:
    for args in (["--help"], ["eval", "--help"]):
        output = run(*args).output
        for code in ExitCode:
            assert f"  {code.value} " in output


def _readme_exit_codes() -> dict[str, tuple[str, str]]:
    """Each command's row of the README's table: what exits 1, and 3 (backticks dropped)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("What each command can give:"):].split("\n\n")[1]
    found = {}
    for row in table.splitlines()[2:]:
        cells = [cell.strip().replace("`", "") for cell in row.strip("|").split("|")]
        for command in cells[0].split(", "):
            found[command] = (cells[2], cells[4])
    return found


def test_each_commands_help_gives_the_readmes_exit_codes_word_for_word() -> None:
    table = _readme_exit_codes()
    assert len(table) == 13
    for command, (gate, invalid) in table.items():
        output = run(*command.split(), "--help").output
        listed = dict(re.findall(r"^\s+(\d+)\s{2,}(.*)$", output[output.index("Exit codes:"):],
                                 re.M))
        expected = {"0": "success", "2": "usage error: unknown option, missing argument",
                    "70": "internal error in ccirules (please report it)"}
        expected |= ({"1": gate} if gate else {}) | ({"3": invalid} if invalid else {})
        assert listed == expected, command


def test_check_does_not_modify_its_inputs(tmp_path) -> None:
    path = tmp_path / "r.rules"
    original = (RULESETS / "cci-youth-2012.rules").read_bytes()
    path.write_bytes(original)
    before = path.stat().st_mtime_ns
    run("check", str(path))
    assert path.read_bytes() == original and path.stat().st_mtime_ns == before


def test_installed_entry_point_runs_from_another_directory(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "ccirules", "check", *SHIPPED],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "0 errors" in result.stdout


def test_output_is_written_whole_or_not_at_all(tmp_path, monkeypatch) -> None:
    from ccirules import output
    from tests.conftest import GOLDEN

    args = ["eval", str(GOLDEN / "eval" / "framework.rules"), str(GOLDEN / "eval" / "inspection"),
            "--format", "json"]
    target = tmp_path / "result.json"
    printed = run(*args).stdout
    assert run(*args, "--output", str(target)).exit_code == ExitCode.OK
    assert target.read_text() == printed
    target.write_text("the previous result")

    def fail_midway(handle):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", fail_midway)
    result = run(*args, "--output", str(target))
    assert result.exit_code == ExitCode.INPUT_INVALID
    assert "No space left on device" in result.output
    assert target.read_text() == "the previous result"  # the old file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]  # no temporary file left
    missing = run(*args, "--output", str(tmp_path / "no-such-folder" / "r.json"))
    assert missing.exit_code == ExitCode.INPUT_INVALID
    assert "cannot write" in missing.output and "No such file or directory" in missing.output
