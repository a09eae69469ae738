"""The VS Code extension's manifest, language configuration and client.

VS Code is not available here, so each part is checked where it can be: the manifest's pieces
must point at each other; the indentation and folding patterns must find exactly the blocks the
parser finds (they use only regex syntax that reads the same in JavaScript and Python); the
client is run under Node with stand-ins for VS Code and the language client, to see what server
it starts; and with the real language client (only VS Code's API stood in for) against a real
`ccirules lsp`, to see the diagnostics arrive.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lark import Lark, Token, Tree

from ccirules.api import check_source
from ccirules.source import SourceFile
from tests.conftest import ROOT, RULESETS

EDITOR = ROOT / "editors" / "vscode"
MANIFEST = json.loads((EDITOR / "package.json").read_text(encoding="utf-8"))
CONFIGURATION = json.loads((EDITOR / "language-configuration.json").read_text(encoding="utf-8"))
RULESET_FILES = (*sorted(RULESETS.glob("*.rules")), EDITOR / "test" / "every-keyword.rules")
BLOCKS = frozenset({"group", "scale", "bands"})


def test_the_manifest_contributes_the_language_grammar_and_settings() -> None:
    (language,) = MANIFEST["contributes"]["languages"]
    (grammar,) = MANIFEST["contributes"]["grammars"]
    settings = MANIFEST["contributes"]["configuration"]["properties"]
    assert (MANIFEST["name"], MANIFEST["publisher"]) == ("ccirules", "ccirules")
    assert (language["id"], language["extensions"]) == ("ccirules", [".rules"])
    assert json.loads((EDITOR / language["configuration"]).read_text()) == CONFIGURATION
    assert grammar["language"] == "ccirules"
    scope = json.loads((EDITOR / grammar["path"]).read_text())["scopeName"]
    assert grammar["scopeName"] == scope == "source.ccirules"
    assert settings["ccirules.command"]["default"] == "ccirules"
    assert settings["ccirules.args"]["default"] == ["lsp"]
    assert (EDITOR / MANIFEST["main"]).is_file()


def test_only_the_client_library_ships_as_a_dependency() -> None:
    """`vsce package` bundles dependencies, not devDependencies: the tokenizer stays out."""
    assert set(MANIFEST["dependencies"]) == {"vscode-languageclient"}
    assert set(MANIFEST["devDependencies"]) == {"vscode-textmate", "vscode-oniguruma"}
    lock = json.loads((EDITOR / "package-lock.json").read_text())
    assert lock["packages"][""]["dependencies"] == MANIFEST["dependencies"]
    assert lock["packages"][""]["devDependencies"] == MANIFEST["devDependencies"]


@pytest.fixture(scope="module")
def lexer() -> Lark:
    """The language's own grammar, keeping every token so each block's `end` is seen."""
    return Lark((ROOT / "grammar" / "ruleset.lark").read_text(encoding="utf-8"),
                parser="lalr", lexer="contextual", keep_all_tokens=True)


def block_lines(tree: Tree) -> tuple[set[int], set[int]]:
    """The 0-based lines where multi-line blocks open, and where their `end` starts a line."""
    opens, ends = set(), set()
    for block in tree.iter_subtrees():
        if block.data not in BLOCKS:
            continue
        first, last = block.children[0], block.children[-1]
        assert isinstance(first, Token) and isinstance(last, Token) and last.value == "end"
        if first.line != last.line:
            opens.add(first.line - 1)
            ends.add(last.line - 1)
    return opens, ends


@pytest.mark.parametrize("path", RULESET_FILES, ids=lambda path: path.name)
def test_indentation_and_folding_follow_the_blocks(path: Path, lexer: Lark) -> None:
    """Lines that open a group, scale or band table indent what follows and start a fold; the
    `end` that closes them outdents and ends it. One-line blocks open nothing."""
    rules = CONFIGURATION["indentationRules"]
    markers = CONFIGURATION["folding"]["markers"]
    assert (markers["start"], markers["end"]) == (rules["increaseIndentPattern"],
                                                  rules["decreaseIndentPattern"])
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    opens = {row for row, line in enumerate(lines)
             if re.search(rules["increaseIndentPattern"], line)}
    ends = {row for row, line in enumerate(lines)
            if re.search(rules["decreaseIndentPattern"], line)}
    assert (opens, ends) == block_lines(lexer.parse(text))


def test_the_opening_pattern_ignores_end_in_titles_and_comments() -> None:
    opener = CONFIGURATION["indentationRules"]["increaseIndentPattern"]
    assert re.search(opener, 'criterion 1.1 "To the end"')
    assert re.search(opener, 'criterion 1.1 "Risk" # until the end')
    assert re.search(opener, "scale sufficiency")
    assert not re.search(opener, 'standard 1.1 "Staff" judged directly end # one line')
    assert not re.search(opener, 'question 1.1.1 "Was it done?"')
    assert not re.search(opener, "  on scale sufficiency")


# ---- the client -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_client(tmp_path_factory: pytest.TempPathFactory):
    """Runs test/activate.cjs: activation, an optional settings change, then deactivation."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: the extension's client is tested under Node.js; install "
                    "Node.js and npm (Debian: apt-get install nodejs npm)", pytrace=False)
    folder = tmp_path_factory.mktemp("workspace")
    for place in ("bin", ".venv/bin"):
        server = folder / place / "ccirules"
        server.parent.mkdir(parents=True)
        server.write_text("#!/bin/sh\n")
        server.chmod(0o755)

    def run(settings: dict, changed: dict | None = None) -> tuple[Path, list[dict]]:
        args = [str(folder), json.dumps(settings)]
        if changed is not None:
            args.append(json.dumps(changed))
        result = subprocess.run([node, str(EDITOR / "test" / "activate.cjs"), *args],
                                capture_output=True, text=True, timeout=60, check=False,
                                env={"PATH": str(folder / "bin")})
        assert result.returncode == 0, result.stderr
        return folder, json.loads(result.stdout)

    return run


def test_the_client_starts_ccirules_lsp_from_path_by_default(run_client) -> None:
    folder, events = run_client({})
    server = str(folder / "bin" / "ccirules")
    assert events == [
        {"client": {"id": "ccirules",
                    "server": {"command": server, "args": ["lsp"], "options": {"cwd": str(folder)}},
                    "documentSelector": [{"language": "ccirules"}]}},
        {"started": server},
        {"stopped": server},
    ]


def test_a_missing_command_gets_one_clear_message_and_no_server(run_client) -> None:
    _, events = run_client({"ccirules.command": "ccirules-not-installed"})
    (event,) = events
    assert '"ccirules-not-installed" was not found' in event["error"]
    assert '"ccirules.command"' in event["error"]


def test_changing_the_settings_restarts_the_server_they_name(run_client) -> None:
    """A relative command is taken from the workspace folder, as a virtual environment is."""
    folder, events = run_client({}, {"ccirules.command": ".venv/bin/ccirules",
                                     "ccirules.args": ["lsp", "--verbose"]})
    first, second = str(folder / "bin" / "ccirules"), str(folder / ".venv" / "bin" / "ccirules")
    assert [event for event in events if "client" not in event] == [
        {"started": first}, {"stopped": first}, {"started": second}, {"stopped": second}]
    assert events[3]["client"]["server"]["args"] == ["lsp", "--verbose"]


def test_the_client_starts_the_server_and_receives_its_diagnostics(editor_packages: None,
                                                                    tmp_path: Path) -> None:
    """extension.js with the real vscode-languageclient, as packaged, runs `ccirules lsp` (here
    through a script, as a setting naming a virtual environment's would), opens a ruleset with a
    misspelt name, and receives `check`'s diagnostic for it; then stops the server."""
    server = tmp_path / "ccirules"
    server.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ccirules "$@"\n')
    server.chmod(0o755)
    text = (RULESETS / "hmip-youth-2018.rules").read_text(encoding="utf-8").replace(
        "applies when disposal is court", "applies when disposl is court")
    ruleset = tmp_path / "mistake.rules"
    ruleset.write_text(text, encoding="utf-8")
    result = subprocess.run(["node", str(EDITOR / "test" / "diagnostics.cjs"), str(server),
                             str(ruleset)], capture_output=True, text=True, cwd=tmp_path,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    received = json.loads(result.stdout)
    (expected,) = check_source(SourceFile(str(ruleset), text)).diagnostics
    span = expected.span
    assert received == {"uri": ruleset.as_uri(), "diagnostics": [{
        "code": "E202", "message": f"{expected.message}\nhelp: {expected.hint}",
        "severity": 0, "source": "ccirules",  # 0 is vscode.DiagnosticSeverity.Error
        "range": [span.line - 1, span.column - 1, span.end_line - 1, span.end_column - 1]}]}
