"""`ccirules lsp`: the language server, over standard input and output, built on pygls.

This is the only module that imports pygls (and so only `ccirules lsp` loads it). It turns LSP
requests into calls on the rest of ccirules and the answers back into LSP types:

- diagnostics: exactly `check`'s (:func:`ccirules.api.check_source`), published whenever a
  document is opened or changed, with code, severity, range, message, related places and hint;
- hover, definition and references: from the names in the ruleset (:mod:`.symbols`) and the
  model the checker built (:mod:`.hover`); while the text has a syntax error, from the text
  with that error's line blanked, so they keep working while a line is being typed;
- completion (:mod:`.completion`), the outline (:mod:`.outline`) and formatting (`fmt`'s
  :func:`~ccirules.formatter.format_source`).

Documents are synchronised whole on every change (rulesets are small), and every position is
converted exactly between LSP's units and ccirules' (:mod:`.positions`).
"""

from __future__ import annotations

import attrs
from lsprotocol import types
from pygls.lsp.server import LanguageServer

from ccirules import __version__, nodes
from ccirules.api import CheckedRuleset, check_source
from ccirules.diagnostics import Diagnostic, Severity, error
from ccirules.formatter import format_source
from ccirules.lsp.completion import complete
from ccirules.lsp.hover import hover_text
from ccirules.lsp.outline import Entry, outline
from ccirules.lsp.positions import Positions
from ccirules.lsp.symbols import Symbols, symbols
from ccirules.model import Model, build_model
from ccirules.parser import parse
from ccirules.reading import MAX_BYTES
from ccirules.source import SourceFile, Span


@attrs.frozen
class Analysis:
    """One version of a document: its text, what `check` found, and the names in it.

    ``ruleset`` and ``model`` are the check's, or, when the text does not parse, those of the
    text with the line of its first syntax error blanked (offsets unchanged): what names,
    hover and the outline read."""

    uri: str
    source: SourceFile
    positions: Positions
    checked: CheckedRuleset
    ruleset: nodes.Ruleset | None
    model: Model | None
    symbols: Symbols | None

    def range(self, span: Span) -> types.Range:
        start, end = self.positions.span_range(span, self.source)
        return types.Range(types.Position(*start), types.Position(*end))

    def location(self, span: Span) -> types.Location:
        return types.Location(self.uri, self.range(span))

    def at(self, position: types.Position) -> tuple[int, int]:
        """The 1-based line and column of an LSP position."""
        return self.source.position(self.positions.offset(position.line, position.character))


class RulesetServer(LanguageServer):
    """Keeps each open document's latest analysis, and the last model of it that parsed (for
    completing names while the text being typed does not)."""

    def __init__(self) -> None:
        super().__init__("ccirules", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.analyses: dict[str, Analysis] = {}
        self.models: dict[str, Model] = {}

    def analyse(self, uri: str) -> Analysis:
        document = self.workspace.get_text_document(uri)
        source = SourceFile(document.path, document.source)
        if len(source.text.encode("utf-8")) > MAX_BYTES:
            checked = CheckedRuleset(source.path, None, None, (error(
                "E102", f"this file is over {MAX_BYTES:,} bytes; rulesets are limited to that",
                source.whole(), hint="check that this is a ruleset and not a data file"),))
        else:
            checked = check_source(source)
        agreed = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        encoding = getattr(agreed, "value", agreed)
        ruleset, model = checked.ruleset, checked.model
        first = checked.diagnostics[0] if checked.diagnostics else None
        if ruleset is None and first is not None and first.code in _SYNTAX_ERRORS:
            ruleset = _with_line_blanked(source, first.span.line)
            model = build_model(ruleset) if ruleset is not None else None
        analysis = Analysis(uri, source, Positions(source.text, encoding), checked, ruleset,
                            model, symbols(ruleset) if ruleset is not None else None)
        self.analyses[uri] = analysis
        if checked.model is not None:
            self.models[uri] = checked.model
        return analysis

    def current(self, uri: str) -> Analysis:
        analysis = self.analyses.get(uri)
        text = self.workspace.get_text_document(uri).source
        return analysis if analysis is not None and analysis.source.text == text else \
            self.analyse(uri)

    def publish(self, analysis: Analysis, version: int | None) -> None:
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            analysis.uri, [_diagnostic(analysis, d) for d in analysis.checked.diagnostics],
            version))


_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error,
             Severity.WARNING: types.DiagnosticSeverity.Warning}


def _diagnostic(analysis: Analysis, diagnostic: Diagnostic) -> types.Diagnostic:
    """A ccirules diagnostic in LSP's terms; the hint follows the message, as `check`'s help
    line does, and is also given alone in ``data``."""
    message = diagnostic.message + (f"\nhelp: {diagnostic.hint}" if diagnostic.hint else "")
    related = [types.DiagnosticRelatedInformation(analysis.location(item.span), item.message)
               for item in diagnostic.related]
    return types.Diagnostic(
        range=analysis.range(diagnostic.span), message=message,
        severity=_SEVERITY[diagnostic.severity], code=diagnostic.code, source="ccirules",
        related_information=related or None, data={"hint": diagnostic.hint})


def did_open(ls: RulesetServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.publish(ls.analyse(params.text_document.uri), params.text_document.version)


def did_change(ls: RulesetServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.publish(ls.analyse(params.text_document.uri), params.text_document.version)


def did_close(ls: RulesetServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.analyses.pop(uri, None)
    ls.models.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))


def hover(ls: RulesetServer, params: types.HoverParams) -> types.Hover | None:
    analysis = ls.current(params.text_document.uri)
    occurrence = analysis.symbols and analysis.symbols.at(*analysis.at(params.position))
    if not occurrence:
        return None
    text = hover_text(analysis.model, analysis.symbols, occurrence)
    if text is None:
        return None
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text),
                       analysis.range(occurrence.name.span))


def definition(ls: RulesetServer, params: types.DefinitionParams) -> types.Location | None:
    analysis = ls.current(params.text_document.uri)
    occurrence = analysis.symbols and analysis.symbols.at(*analysis.at(params.position))
    declaration = occurrence and analysis.symbols.declaration(occurrence.key)
    return analysis.location(declaration.name.span) if declaration else None


def references(ls: RulesetServer, params: types.ReferenceParams) -> list[types.Location] | None:
    analysis = ls.current(params.text_document.uri)
    occurrence = analysis.symbols and analysis.symbols.at(*analysis.at(params.position))
    if not occurrence:
        return None
    return [analysis.location(found.name.span) for found in analysis.symbols.all_of(
        occurrence.key) if params.context.include_declaration or not found.declares]


def completion(ls: RulesetServer, params: types.CompletionParams) -> types.CompletionList:
    analysis = ls.current(params.text_document.uri)
    text = analysis.source.text
    offset = analysis.positions.offset(params.position.line, params.position.character)
    model = analysis.model or _model_without_line(analysis.source, offset) or \
        ls.models.get(analysis.uri)
    items = [types.CompletionItem(suggestion.label, kind=types.CompletionItemKind[
        suggestion.kind], detail=suggestion.detail) for suggestion in complete(text, offset, model)]
    return types.CompletionList(is_incomplete=False, items=items)


def _model_without_line(source: SourceFile, offset: int) -> Model | None:
    """The model of the text with the line at ``offset`` blanked: the line being typed is what
    usually stops the rest from parsing."""
    ruleset = _with_line_blanked(source, source.text.count("\n", 0, offset) + 1)
    return build_model(ruleset) if ruleset is not None else None


#: The codes of a text that does not parse (reading a file that is too large, or not UTF-8,
#: is not among them: nothing is parsed then).
_SYNTAX_ERRORS = frozenset({"E103", "E104", "E105", "E106", "E107", "E108", "E110", "E111"})


def _with_line_blanked(source: SourceFile, line: int) -> nodes.Ruleset | None:
    """The ruleset read from the text with line ``line`` (1-based) blanked (spaces, so every
    offset stays), or None when that does not parse either."""
    lines = source.text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    lines[line - 1] = " " * len(lines[line - 1])
    return parse(SourceFile(source.path, "\n".join(lines))).ruleset


def document_symbol(ls: RulesetServer, params: types.DocumentSymbolParams
                    ) -> list[types.DocumentSymbol] | None:
    analysis = ls.current(params.text_document.uri)
    if analysis.ruleset is None:
        return None

    def symbol(entry: Entry) -> types.DocumentSymbol:
        return types.DocumentSymbol(
            entry.name, types.SymbolKind[entry.kind], analysis.range(entry.span),
            analysis.range(entry.selection), detail=entry.detail,
            children=[symbol(child) for child in entry.children])

    return [symbol(entry) for entry in outline(analysis.ruleset)]


def formatting(ls: RulesetServer, params: types.DocumentFormattingParams
               ) -> list[types.TextEdit] | None:
    """The whole document, as `ccirules fmt` would write it; nothing while it has syntax
    errors (they are among the diagnostics)."""
    analysis = ls.current(params.text_document.uri)
    formatted = format_source(analysis.source)
    if formatted.text is None:
        return None
    if formatted.text == analysis.source.text:
        return []
    whole = types.Range(types.Position(0, 0), types.Position(
        *analysis.positions.position(len(analysis.source.text))))
    return [types.TextEdit(whole, formatted.text)]


#: What the server does: each LSP method, the function that answers it, and its options.
FEATURES = (
    (types.TEXT_DOCUMENT_DID_OPEN, did_open, None),
    (types.TEXT_DOCUMENT_DID_CHANGE, did_change, None),
    (types.TEXT_DOCUMENT_DID_CLOSE, did_close, None),
    (types.TEXT_DOCUMENT_HOVER, hover, None),
    (types.TEXT_DOCUMENT_DEFINITION, definition, None),
    (types.TEXT_DOCUMENT_REFERENCES, references, None),
    (types.TEXT_DOCUMENT_COMPLETION, completion,
     types.CompletionOptions(trigger_characters=["(", ","])),
    (types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, document_symbol, None),
    (types.TEXT_DOCUMENT_FORMATTING, formatting, None),
)


def serve() -> None:
    """Serve one editor over standard input and output until it says exit."""
    server = RulesetServer()
    for method, answer, options in FEATURES:
        server.feature(method, options)(answer)
    server.start_io()
