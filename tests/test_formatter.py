"""`ccirules fmt`: the canonical layout, every comment kept where it was written, formatting as a
fixed point, and the files it touches (only those that change, atomically, keeping their mode).

Golden pairs in tests/golden/fmt/ (NAME.rules formatted is NAME.formatted) show the layout; the
command line's own output is in the golden cases beside them (NAME.args).
"""

from __future__ import annotations

import collections
import os
import re
import stat

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccirules import formatter
from ccirules.cli import ExitCode, main
from ccirules.parser import parse
from ccirules.printer import print_ruleset
from ccirules.source import SourceFile
from tests import frameworks, strategies
from tests.conftest import GOLDEN, RULESETS, compare_golden

FIXTURES = GOLDEN / "fmt"
PAIRS = ("comments", "layout")


def fmt(text: str) -> str:
    formatted = formatter.format_source(SourceFile("test.rules", text))
    assert formatted.diagnostics == (), formatted.diagnostics
    return formatted.text


def comments_of(text: str) -> collections.Counter:
    return collections.Counter((c.text, c.trailing)
                               for c in parse(SourceFile("t", text)).comments)


@pytest.mark.parametrize("name", PAIRS)
def test_golden_layout(name: str, update_golden: bool) -> None:
    source = (FIXTURES / f"{name}.rules").read_text(encoding="utf-8")
    formatted = fmt(source)
    compare_golden(FIXTURES / f"{name}.formatted", formatted, update_golden)
    assert fmt(formatted) == formatted
    assert collections.Counter(text for text, _ in comments_of(formatted)) == \
        collections.Counter(text for text, _ in comments_of(source))


@pytest.mark.parametrize("path", sorted(RULESETS.glob("*.rules")), ids=lambda path: path.name)
def test_shipped_rulesets_are_formatted(path) -> None:
    text = path.read_text(encoding="utf-8")
    assert fmt(text) == text, f"run: ccirules fmt {path.relative_to(RULESETS.parent)}"


def test_a_one_line_block_keeps_its_comment_on_its_header() -> None:
    text = ('ruleset "x"\nlevel standard\ndomain 1 "D"\n'
            '  standard 1.1 "Staff" judged directly end  # organisational\nend\n')
    assert '  standard 1.1 "Staff"  # organisational\n    judged directly\n  end\n' in fmt(text)


def test_line_endings_are_kept() -> None:
    assert fmt('ruleset "x"\r\n\r\nattribute a text  # note\r\n') == \
        'ruleset "x"\r\n\r\nattribute a text  # note\r\n'


def test_nothing_is_formatted_when_the_parser_had_to_guess() -> None:
    """E109 keeps the first of two clauses and E110 reads a bad number as 0: printing either
    would lose what the author wrote."""
    for text in ('ruleset "x" version "1" version "2"', "bands b band x from 1.2.3 to 5 end"):
        result = formatter.format_source(SourceFile("t", text))
        assert result.text is None and result.diagnostics[0].code in ("E109", "E110")


def test_formatting_that_would_change_the_ruleset_is_a_bug_not_a_result(monkeypatch) -> None:
    monkeypatch.setattr(formatter, "layout", lambda *args: 'ruleset "something else"\n')
    with pytest.raises(AssertionError, match="would change what it says"):
        formatter.format_source(SourceFile("t", 'ruleset "x"\n'))


# ---- properties ------------------------------------------------------------------------------

COMMENT = st.text(st.characters(exclude_characters="\n\r", exclude_categories=("Cs",)),
                  max_size=12).map(str.rstrip)
INDENT = st.sampled_from(["", "  ", "\t", "       "])


@st.composite
def with_comments(draw, text: str) -> tuple[str, list[tuple[str, int | None]]]:
    """``text`` with comments added on lines of their own and at the ends of lines, each
    numbered so it can be found: the new text, and for each comment the index of the line of
    ``text`` it was put before (own line) or at the end of (trailing; the index is negated and
    less one)."""
    lines = text.split("\n")[:-1]
    out, placed = [], []
    for index, line in enumerate([*lines, None]):
        for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 3)) == 0 else 0):
            comment = f"# {len(placed)}: {draw(COMMENT)}".rstrip()
            out.append(draw(INDENT) + comment)
            placed.append((comment, index))
        if line is None:
            break
        if line.strip() and not line.lstrip().startswith("#") and draw(st.integers(0, 3)) == 0:
            comment = f"# {len(placed)}: {draw(COMMENT)}".rstrip()
            out.append(line + " " * draw(st.integers(0, 3)) + comment)
            placed.append((comment, -index - 1))
        else:
            out.append(line)
    return "\n".join(out) + "\n", placed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_comments_in_canonical_text_stay_exactly_where_they_are(data: st.DataObject) -> None:
    """In text already in the canonical layout, fmt changes nothing but the comments' own
    indentation (that of the line they stand before; inside a block before its `end`) and the
    space before a comment that ends a line."""
    text = print_ruleset(data.draw(strategies.rulesets))
    commented, placed = data.draw(with_comments(text))
    lines = text.split("\n")[:-1]
    expected = []
    for index, line in enumerate([*lines, None]):
        code = lines[index:]
        following = next((later for later in code if later.strip()), "")
        indent = re.match(r" *", following).group() + "  " * (following.strip() == "end")
        expected += [indent + comment for comment, at in placed if at == index]
        if line is not None:
            ending = [comment for comment, at in placed if at == -index - 1]
            expected.append(line + "".join("  " + comment for comment in ending))
    assert fmt(commented) == "".join(line + "\n" for line in expected)


def _code(line: str) -> str:
    """A line without its comment, spaces or parentheses: what the layout may change."""
    return re.sub(r"[()\s]+", " ", line.split("  #")[0].split(" #")[0]).strip()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_rulesets_with_comments(data: st.DataObject) -> None:
    """For rulesets of any shape that pass `check`, with comments on their own lines and at
    line ends: fmt is idempotent, keeps every comment (on its own line or at a line's end, as
    written), parses to the same nodes, and keeps each comment with the code it was by."""
    framework = data.draw(frameworks.frameworks(max_questions=6))
    commented, placed = data.draw(with_comments(framework.text))
    once = fmt(commented)
    assert fmt(once) == once
    assert parse(SourceFile("t", once)).ruleset == parse(SourceFile("t", commented)).ruleset
    assert comments_of(once) == comments_of(commented)
    written = framework.text.split("\n")[:-1]
    printed = once.split("\n")[:-1]
    for comment, at in placed:
        if at < 0:  # it still ends the line printed from the line it ended
            (line,) = [line for line in printed if line.endswith("  " + comment)]
            assert _code(line) == _code(written[-at - 1])
        else:  # it still stands before the code that followed it
            row = [line.strip() for line in printed].index(comment)
            assert _next_code(printed[row + 1:]) == _next_code(written[at:])


def _next_code(lines: list[str]) -> str | None:
    return next((_code(line) for line in lines
                 if line.strip() and not line.lstrip().startswith("#")), None)


@settings(max_examples=100, deadline=None)
@given(strategies.rulesets)
def test_printed_rulesets_are_already_formatted(ruleset) -> None:
    text = print_ruleset(ruleset)
    assert fmt(text) == text


# ---- files -----------------------------------------------------------------------------------


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, ["fmt", *args], input=input)


MESSY = 'ruleset "x"   # title\nattribute a yes or no\n\n\n\nscale s value y means sufficient end\n'
TIDY = 'ruleset "x"  # title\nattribute a yes or no\n\nscale s\n  value y means sufficient\nend\n'


def test_files_are_rewritten_in_place_keeping_their_mode(tmp_path) -> None:
    path = tmp_path / "messy.rules"
    path.write_text(MESSY)
    path.chmod(0o640)
    result = run(str(path))
    assert result.exit_code == ExitCode.OK, result.output
    assert path.read_text() == TIDY
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert result.output == f"reformatted {path}\n1 ruleset reformatted, 0 already formatted\n"
    assert os.listdir(tmp_path) == ["messy.rules"]  # no temporary file left behind


def test_a_symbolic_link_stays_one(tmp_path) -> None:
    (tmp_path / "real.rules").write_text(MESSY)
    (tmp_path / "link.rules").symlink_to("real.rules")
    assert run(str(tmp_path / "link.rules")).exit_code == ExitCode.OK
    assert (tmp_path / "link.rules").is_symlink()
    assert (tmp_path / "real.rules").read_text() == TIDY


def test_a_formatted_file_is_not_touched(tmp_path) -> None:
    path = tmp_path / "tidy.rules"
    path.write_text(TIDY)
    os.utime(path, (0, 0))
    before = (path.stat().st_ino, path.stat().st_mtime)
    result = run(str(path))
    assert result.output == "0 rulesets reformatted, 1 already formatted\n"
    assert (path.stat().st_ino, path.stat().st_mtime) == before


def test_a_byte_order_mark_is_kept(tmp_path) -> None:
    path = tmp_path / "bom.rules"
    path.write_bytes(b"\xef\xbb\xbf" + MESSY.encode())
    assert run(str(path)).exit_code == ExitCode.OK
    assert path.read_bytes() == b"\xef\xbb\xbf" + TIDY.encode()


def test_folders_are_searched_for_rules_files(tmp_path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for place in ("one.rules", "a/two.rules", "a/b/three.rules", ".hidden/four.rules"):
        (tmp_path / place).write_text(MESSY)
    (tmp_path / "notes.txt").write_text("not a ruleset")
    result = run("--check", str(tmp_path))
    assert result.exit_code == ExitCode.GATE_FAILED
    assert result.output.split("\n")[:3] == [
        str(tmp_path / place) for place in ("one.rules", "a/two.rules", "a/b/three.rules")]
    assert (tmp_path / ".hidden" / "four.rules").read_text() == MESSY


def test_check_and_diff_change_nothing(tmp_path) -> None:
    path = tmp_path / "messy.rules"
    path.write_text(MESSY)
    checked = run("--check", str(path))
    assert (checked.exit_code, checked.output) == (
        ExitCode.GATE_FAILED, f"{path}\n1 ruleset would be reformatted, 0 already formatted\n")
    diffed = run("--diff", str(path))
    assert diffed.exit_code == ExitCode.OK
    assert diffed.output.startswith(f"--- {path}\n+++ {path}\n@@ -1,6 +1,6 @@\n")
    assert "-scale s value y means sufficient end\n+scale s\n+  value y means sufficient\n" \
        in diffed.output
    assert path.read_text() == MESSY
    both = run("--check", "--diff", str(path))
    assert both.exit_code == ExitCode.GATE_FAILED and both.output.startswith("---")


def test_a_file_with_errors_is_reported_and_left_alone(tmp_path) -> None:
    broken = tmp_path / "broken.rules"
    broken.write_text('ruleset "x"\nscale s value y means sufficient\n')
    tidy = tmp_path / "messy.rules"
    tidy.write_text(MESSY)
    result = run(str(broken), str(tidy))
    assert result.exit_code == ExitCode.INPUT_INVALID
    assert "error[E106]: `scale s` opened at line 2 is not closed before the end of the file" \
        in result.output
    assert broken.read_text() == 'ruleset "x"\nscale s value y means sufficient\n'
    assert tidy.read_text() == TIDY  # the others are formatted all the same
    assert "1 ruleset reformatted, 0 already formatted, 1 not formatted" in result.output


def test_standard_input_to_standard_output() -> None:
    result = run("-", input=MESSY)
    assert (result.exit_code, result.output) == (ExitCode.OK, TIDY)
    assert run("--check", "-", input=MESSY).exit_code == ExitCode.GATE_FAILED
    assert run("--check", "-", input=TIDY).output == ""
    bad = run("-", input="scale s")
    assert bad.exit_code == ExitCode.INPUT_INVALID and "<stdin>:1:1" in bad.output


def test_usage_errors(tmp_path) -> None:
    assert run("-", str(tmp_path)).exit_code == ExitCode.USAGE_ERROR
    assert "no .rules files found" in run(str(tmp_path)).output
    missing = run(str(tmp_path / "missing.rules"))
    assert missing.exit_code == ExitCode.INPUT_INVALID and "[E100]" in missing.output
