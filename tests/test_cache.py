"""The compiled-ruleset cache: hits give the same ruleset and scores, entries hold no paths,
anything odd about an entry or its folder means a rebuild (never an error), and a hit imports
neither Lark nor the checker."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ccirules import cache
from ccirules.api import load_ruleset
from ccirules.cli import main
from tests.conftest import GOLDEN, ROOT, RULESETS

RULESET = RULESETS / "hmip-youth-2018.rules"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    place = tmp_path / "cache"
    monkeypatch.setenv("CCIRULES_CACHE_DIR", str(place))
    monkeypatch.delenv("CCIRULES_CACHE", raising=False)
    return place


def entries(place) -> list[str]:
    return sorted(name for name in os.listdir(place) if not name.startswith(".")) \
        if place.exists() else []


def test_a_hit_gives_the_same_ruleset_and_scorer(folder) -> None:
    built = load_ruleset(str(RULESET))
    assert len(entries(folder)) == 1
    hit = load_ruleset(str(RULESET))
    assert hit.compiled == built.compiled and hit.diagnostics == built.diagnostics
    assert hit.compiled.scorer.code.keys() == {False, True}  # adopted, already compiled
    assert hit.compiled.scorer.source(False) == built.compiled.scorer.source(False)


def test_copies_report_their_own_location(folder, tmp_path) -> None:
    text = RULESET.read_text()
    first, second = tmp_path / "a.rules", tmp_path / "b.rules"
    first.write_text(text)
    second.write_text(text)
    one, two = load_ruleset(str(first)), load_ruleset(str(second))
    assert len(entries(folder)) == 1  # one entry serves both
    assert one.compiled.questions[0].span.path == str(first)
    assert two.compiled.questions[0].span.path == str(second)
    stored = (folder / entries(folder)[0]).read_bytes()
    assert str(tmp_path).encode() not in stored
    assert b"A different shape from the 2012" not in stored  # a comment: source text only


@pytest.mark.parametrize("damage", ["truncate", "garbage", "foreign"])
def test_a_damaged_entry_is_rebuilt(folder, damage) -> None:
    load_ruleset(str(RULESET))
    (name,) = entries(folder)
    path = folder / name
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[:len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(data[:40] + os.urandom(200))
    else:  # an entry stored under another key
        path.write_bytes(data.replace(name.encode(), b"0" * len(name)))
    rebuilt = load_ruleset(str(RULESET))
    assert rebuilt.ok and rebuilt.compiled.score("overall").rule.value == "share of points"
    assert path.read_bytes() == data  # and stored again


def test_entries_are_read_only_from_a_private_folder(folder) -> None:
    load_ruleset(str(RULESET))
    (name,) = entries(folder)
    from ccirules.reading import read_bytes

    read = read_bytes(str(RULESET))
    assert cache.load(read.source, read.data) is not None
    folder.chmod(0o777)  # others could have written the entry: it is not trusted
    assert cache.load(read.source, read.data) is None
    folder.chmod(0o700)
    (folder / name).chmod(0o666)
    assert cache.load(read.source, read.data) is None


def test_an_unwritable_folder_is_skipped_silently(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("CCIRULES_CACHE_DIR", str(blocker / "cache"))
    loaded = load_ruleset(str(RULESET))
    assert loaded.ok


def test_the_key_covers_the_code_that_builds_entries(monkeypatch) -> None:
    data = RULESET.read_bytes()
    before = cache.key(data)
    monkeypatch.setattr(cache, "_FINGERPRINT", [b"another version of the code"])
    assert cache.key(data) != before
    assert cache.key(data + b"\n") != cache.key(data)


def test_the_folder_is_bounded(folder, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cache, "MAX_BYTES", 1)
    for index in range(3):
        copy = tmp_path / f"r{index}.rules"
        copy.write_text(RULESET.read_text() + f"\n# copy {index}\n")
        load_ruleset(str(copy))
    assert len(entries(folder)) <= 1


def test_disabled_by_option_and_environment(folder, monkeypatch) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["--no-cache", "eval", str(RULESET),
                                       str(ROOT / "examples" / "hmip-2018")])
    assert result.exit_code == 0 and entries(folder) == []
    monkeypatch.setenv("CCIRULES_CACHE", "off")
    assert load_ruleset(str(RULESET)).ok and entries(folder) == []
    assert load_ruleset(str(RULESET), cache=False).ok


@pytest.mark.parametrize("cases", ["formats/cases.csv", "formats/cases.jsonl",
                                   "formats/cases.xlsx", "inspection"])
def test_a_hit_imports_no_parser(folder, cases) -> None:
    """With the ruleset cached, `eval` on YAML, CSV, Excel or JSON Lines needs neither Lark nor
    the checker: the command's start is imports, and those are the heavy ones."""
    ruleset = str(GOLDEN / "eval" / "framework.rules")
    probe = ("import sys, runpy; sys.argv = ['ccirules', 'eval', {r!r}, {c!r}]\n"
             "try:\n    runpy.run_module('ccirules', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith(('lark', 'ccirules.checker', "
             "'ccirules.parser', 'ccirules.nodes'))), file=sys.stderr)")
    command = [sys.executable, "-c", probe.format(r=ruleset, c=str(GOLDEN / "eval" / cases))]
    environment = {**os.environ, "CCIRULES_CACHE_DIR": str(folder)}
    subprocess.run(command, env=environment, capture_output=True, check=True, cwd=ROOT)
    second = subprocess.run(command, env=environment, capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert second.stderr.strip().splitlines()[-1] == "[]"


def test_help_and_version_import_nothing_heavy() -> None:
    probe = ("import sys, runpy; sys.argv = ['ccirules', {a!r}]\n"
             "try:\n    runpy.run_module('ccirules', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lark', 'msgspec', "
             "'yaml', 'attrs', 'attr') or m in ('ccirules.nodes', 'ccirules.terms')), "
             "file=sys.stderr)")
    for argument in ("--version", "--help"):
        done = subprocess.run([sys.executable, "-c", probe.format(a=argument)],
                              capture_output=True, text=True, check=True)
        assert done.stderr.strip().splitlines()[-1] == "[]", argument
