"""`ccirules lsp` as an editor meets it: `python -m ccirules lsp` in a subprocess, spoken to in
JSON-RPC with Content-Length framing (tests/lsp_client.py). One server serves the whole module;
each test opens its own document.

Positions are LSP's: 0-based lines and UTF-16 code units, which the non-ASCII titles here (a
Welsh ŵ, an emoji of two units) make differ from ccirules' columns.
"""

from __future__ import annotations

import sys

import pytest

from ccirules.api import check_source
from ccirules.formatter import format_source
from ccirules.lsp.positions import Positions
from ccirules.source import SourceFile
from tests.conftest import ROOT, RULESETS
from tests.lsp_client import TIMEOUT, LspClient

CCI_2012 = (RULESETS / "cci-youth-2012.rules").read_text(encoding="utf-8")
CAPABILITIES = {"general": {"positionEncodings": ["utf-16"]},
                "textDocument": {"hover": {"contentFormat": ["markdown"]},
                                 "documentSymbol": {"hierarchicalDocumentSymbolSupport": True}}}

#: A small ruleset with one of each mistake: an unknown name on a line whose title holds
#: non-ASCII text, a name declared twice (with a related place), and a warning.
MISTAKES = '''ruleset "Camgymeriadau"
scale s value yes means sufficient value no means insufficient end
attribute setting one of custody, community
bands spare band all from 0 to 100 end
level section "Section"
section 1 "Adran ŵ 😀"
  question q1 "A oedd y gŵr 😀 yn iawn?" applies when settting is custody
  question q1 "Twice"
end
'''


@pytest.mark.parametrize(("encoding", "units"), [("utf-16", 4), ("utf-8", 7), ("utf-32", 3)])
def test_positions_count_in_the_agreed_units(encoding: str, units: int) -> None:
    """Lines break at \\n, \\r\\n and \\r alone; `ŵ😀x` is 1 + 2 + 1 UTF-16 units, 2 + 4 + 1 UTF-8
    bytes, 3 code points."""
    text = "a\r\nb\rŵ😀x|\n"
    positions = Positions(text, encoding)
    bar = text.index("|")
    assert positions.position(bar) == (2, units)
    assert positions.offset(2, units) == bar
    assert positions.position(text.index("b")) == (1, 0)
    assert positions.offset(0, 99) == 1  # past the end of a line is its end, before \\r\\n
    assert positions.offset(9, 0) == len(text)


@pytest.fixture(scope="module")
def server():
    client = LspClient([sys.executable, "-m", "ccirules", "lsp"], cwd=str(ROOT))
    result = client.request("initialize", {"processId": None, "rootUri": ROOT.as_uri(),
                                           "capabilities": CAPABILITIES})
    client.capabilities = result["capabilities"]
    client.notify("initialized", {})
    yield client
    client.close()


def open_document(server: LspClient, name: str, text: str) -> tuple[str, dict]:
    """Open a document; its URI and the diagnostics published for it."""
    uri = (ROOT / "tests" / f"{name}.rules").as_uri()
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "ccirules", "version": 1, "text": text}})
    return uri, server.wait_for("textDocument/publishDiagnostics",
                                lambda params: params["uri"] == uri)


def position(text: str, fragment: str, occurrence: int = 0, offset: int = 0) -> dict:
    """The LSP position of a fragment of text (its n-th occurrence, ``offset`` characters in)."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(fragment, index + 1)
    index += offset
    line = text.count("\n", 0, index)
    before = text[text.rfind("\n", 0, index) + 1:index]
    return {"line": line, "character": len(before.encode("utf-16-le")) // 2}


def at(uri: str, text: str, fragment: str, occurrence: int = 0) -> dict:
    return {"textDocument": {"uri": uri}, "position": position(text, fragment, occurrence, 1)}


def test_initialize_says_what_the_server_does(server: LspClient) -> None:
    capabilities = server.capabilities
    assert capabilities["positionEncoding"] == "utf-16"
    assert capabilities["textDocumentSync"]["change"] == 1  # the whole document each time
    for provider in ("hoverProvider", "definitionProvider", "referencesProvider",
                     "documentSymbolProvider", "documentFormattingProvider"):
        assert capabilities[provider] is True, provider
    assert "completionProvider" in capabilities


def test_diagnostics_are_checks_own_with_exact_utf16_ranges(server: LspClient) -> None:
    uri, published = open_document(server, "mistakes", MISTAKES)
    diagnostics = published["diagnostics"]
    expected = check_source(SourceFile("mistakes.rules", MISTAKES)).diagnostics
    assert [d["code"] for d in diagnostics] == [d.code for d in expected] == [
        "W302", "E202", "E201"]
    unknown = diagnostics[1]
    assert unknown["severity"] == 1 and diagnostics[0]["severity"] == 2
    assert unknown["source"] == "ccirules"
    assert unknown["message"] == "unknown name `settting`\nhelp: did you mean `setting`?"
    assert unknown["data"] == {"hint": "did you mean `setting`?"}
    start = position(MISTAKES, "settting")
    assert unknown["range"] == {"start": start, "end": {
        "line": start["line"], "character": start["character"] + len("settting")}}
    # the line's title holds ŵ (one unit) and 😀 (two): the column differs from ccirules' own
    assert start["character"] == expected[1].span.column - 1 + 1
    inside = {**start, "character": start["character"] + 1}  # and back, from the editor's units
    found = server.request("textDocument/references", {
        "textDocument": {"uri": uri}, "position": inside, "context": {"includeDeclaration": True}})
    assert [reference["range"] for reference in found] == [unknown["range"]]
    (related,) = diagnostics[2]["relatedInformation"]
    assert related["location"] == {"uri": uri, "range": {
        "start": position(MISTAKES, "q1"), "end": position(MISTAKES, "q1", offset=2)}}
    assert related["message"] == expected[2].related[0].message


def test_changes_are_checked_as_they_are_typed(server: LspClient) -> None:
    uri, published = open_document(server, "typing", MISTAKES)
    assert len(published["diagnostics"]) == 3
    fixed = MISTAKES.replace("settting", "setting").replace('question q1 "Twice"', "")
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": fixed}]})
    again = server.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
    assert again["version"] == 2
    assert [d["code"] for d in again["diagnostics"]] == ["W302"]
    broken = fixed[:fixed.rindex("end")]  # the section left open
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                             "contentChanges": [{"text": broken}]})
    closed = server.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
    assert [d["code"] for d in closed["diagnostics"]] == ["E106"]


def test_hover_tells_what_a_question_is_and_feeds(server: LspClient) -> None:
    uri, _ = open_document(server, "hover", CCI_2012)
    hover = server.request("textDocument/hover", at(uri, CCI_2012, "1.3.4 is yes"))
    text = hover["contents"]["value"]
    assert hover["contents"]["kind"] == "markdown"
    assert text.split("\n\n") == [
        "**question** `1.3.4` · Was a vulnerability management plan completed where required?",
        "In criterion `1.3` (Safeguarding), in section `1` (Assessment and sentence planning)",
        "Key question for `safeguarding` (Safeguarding)",
        "Applies when `vmp_required is yes`",
        "Answered on scale `sufficiency`",
        "Used on lines " + ", ".join(str(CCI_2012[:index].count("\n") + 1)
                                     for index in _find_all(CCI_2012, "1.3.4 is"))]
    assert hover["range"]["start"] == position(CCI_2012, "1.3.4 is yes")
    scale = server.request("textDocument/hover", at(uri, CCI_2012, "scale sufficiency", 0))
    assert scale is None  # the keyword `scale` names nothing
    welsh = server.request("textDocument/hover", at(uri, CCI_2012, "sufficiency"))
    assert "*Welsh:* A wnaed y gwaith yn ddigon da?" in welsh["contents"]["value"]


def _find_all(text: str, fragment: str) -> list[int]:
    found, index = [], text.find(fragment)
    while index != -1:
        found.append(index)
        index = text.find(fragment, index + 1)
    return found


#: (where a name is used, where it is declared, the name): a question, an attribute, a headline,
#: a band table, and a level used by `within` and by a group.
DEFINITIONS = [("applies when 1.1.8", 'question 1.1.8 "', "1.1.8"),
               ("applies when rmp_required", "attribute rmp_required", "rmp_required"),
               ("for risk_of_harm", "headline risk_of_harm", "risk_of_harm"),
               ("banded by improvement", "bands improvement", "improvement"),
               ("within section", "level section", "section"),
               ("  criterion 1.1 ", "level criterion", "criterion")]


@pytest.mark.parametrize(("use", "declaration", "name"), DEFINITIONS,
                         ids=[name for *_, name in DEFINITIONS])
def test_definition(server: LspClient, use: str, declaration: str, name: str) -> None:
    uri, _ = open_document(server, f"definition-{name}", CCI_2012)
    cursor = position(CCI_2012, use, offset=use.index(name) + 1)
    found = server.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                       "position": cursor})
    skip = declaration.index(name)
    assert found == {"uri": uri, "range": {
        "start": position(CCI_2012, declaration, offset=skip),
        "end": position(CCI_2012, declaration, offset=skip + len(name))}}


def test_references(server: LspClient) -> None:
    uri, _ = open_document(server, "references", CCI_2012)
    question = {**at(uri, CCI_2012, "1.1.8 is yes")}
    references = server.request("textDocument/references", {
        **question, "context": {"includeDeclaration": True}})
    lines = [reference["range"]["start"]["line"] for reference in references]
    assert lines == [CCI_2012[:index].count("\n") for index in (
        CCI_2012.index('question 1.1.8 "'), *_find_all(CCI_2012, "1.1.8 is"))]
    without = server.request("textDocument/references", {
        **question, "context": {"includeDeclaration": False}})
    assert without == references[1:]


def test_completion_after_is_offers_exactly_the_subjects_values(server: LspClient) -> None:
    question = 'question 1.1.13 "Did the RoH assessment draw on other agencies, victims and ' \
               'previous assessments?"\n'
    typing = CCI_2012.replace(question, question + "      applies when rosh is \n")
    uri, _ = open_document(server, "completion", CCI_2012)
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": typing}]})
    server.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
    cursor = position(typing, "rosh is ", offset=len("rosh is "))
    found = server.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                       "position": cursor})
    assert [item["label"] for item in found["items"]] == ["low", "medium", "high", "very_high"]
    on_scale = server.request("textDocument/completion", {
        "textDocument": {"uri": uri}, "position": position(typing, "applies when rosh",
                                                           offset=len("applies when "))})
    labels = {item["label"] for item in on_scale["items"]}
    assert {"rosh", "setting", "1.1.1", "not"} <= labels and "improvement" not in labels


def test_document_outline(server: LspClient) -> None:
    uri, _ = open_document(server, "outline", CCI_2012)
    symbols = server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    names = [symbol["name"] for symbol in symbols]
    assert names[:3] == ["ruleset", "scale sufficiency", "attribute setting"]
    assert "headline risk_of_harm" in names and "bands improvement" in names
    section = next(symbol for symbol in symbols if symbol["name"] == "section 1")
    assert section["detail"] == "Assessment and sentence planning"
    criterion = section["children"][0]
    assert criterion["name"] == "criterion 1.1"
    assert criterion["children"][0]["name"] == "question 1.1.1"
    assert criterion["selectionRange"]["start"] == position(CCI_2012, "criterion 1.1",
                                                           offset=len("criterion "))


def test_names_and_the_outline_keep_working_while_a_line_is_broken(server: LspClient) -> None:
    """A syntax error (here a condition being typed) stops the parse; hover, definition and
    the outline then read the text with that line blanked, whose positions are the same."""
    typing = CCI_2012.replace("applies when 1.1.8 is yes", "applies when 1.1.8 is", 1)
    uri, published = open_document(server, "broken-line", typing)
    assert [d["code"] for d in published["diagnostics"]] == ["E105"]
    hover = server.request("textDocument/hover", at(uri, typing, "1.3.4 is yes"))
    assert hover["contents"]["value"].startswith("**question** `1.3.4`")
    cursor = position(typing, "applies when rmp_required", offset=len("applies when ") + 1)
    found = server.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                       "position": cursor})
    skip = len("attribute ")
    assert found["range"]["start"] == position(typing, "attribute rmp_required", offset=skip)
    symbols = server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert "section 1" in [symbol["name"] for symbol in symbols]


def test_formatting_is_fmt(server: LspClient) -> None:
    messy = 'ruleset "x"   # title\nscale s value y means sufficient end\n'
    uri, _ = open_document(server, "formatting", messy)
    edits = server.request("textDocument/formatting", {
        "textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    assert edits == [{"range": {"start": {"line": 0, "character": 0},
                                "end": {"line": 2, "character": 0}},
                      "newText": format_source(SourceFile("x", messy)).text}]
    broken, _ = open_document(server, "broken", "scale s")
    assert server.request("textDocument/formatting", {
        "textDocument": {"uri": broken}, "options": {"tabSize": 2, "insertSpaces": True}}) is None


def test_shutdown_then_exit_ends_the_server(server: LspClient) -> None:
    """Last in the module: the server is not used after it."""
    assert server.request("shutdown", None) is None
    server.notify("exit")
    assert server.process.wait(timeout=TIMEOUT) == 0
