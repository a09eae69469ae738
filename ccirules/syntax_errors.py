"""Lark's parse errors, turned into diagnostics a policy writer can act on.

Lark reports terminal names (``IDENT``, ``$END``); people need "a name", "the end of the file", the
block they forgot to close and the keyword they probably meant. Common mistakes with a known fix
(curly quotes pasted from a word processor, a percent sign, a colon after a name) get their own
message; everything else gets "unexpected X here" with the words valid at that point.
"""

from __future__ import annotations

import re

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.source import SourceFile
from ccirules.suggest import did_you_mean

#: What each named terminal is, in the words of the ruleset guide.
_TERMINAL_WORDS = {
    "IDENT": "a name",
    "NUMERAL": "a number or code",
    "STRING": 'text in double quotes',
    "DATE": "a date like 2012-04-01",
    "COMPARATOR": "a comparison (<, <=, >, >=, =, !=)",
    "$END": "the end of the file",
}

#: Characters people type by habit from other tools, and what to do instead.
_CHARACTER_FIXES = {
    "\u201c": 'curly quotes are not understood: use straight double quotes (")',
    "\u201d": 'curly quotes are not understood: use straight double quotes (")',
    "\u2018": 'curly quotes are not understood: use straight double quotes (")',
    "\u2019": 'curly quotes are not understood: use straight double quotes (")',
    "'": "text goes in double quotes (\"...\"), not single quotes",
    "%": "write percentages as plain numbers: `from 75 to 100`, not `75%`",
    ":": "no colon is needed: write the name, then its clauses, "
         "for example `attribute age whole number`",
    "{": "blocks are closed with the word `end`, not with braces",
    "}": "blocks are closed with the word `end`, not with braces",
    "[": "list values with commas, in parentheses for `in`: `setting in (custody, community)`",
    "]": "list values with commas, in parentheses for `in`: `setting in (custody, community)`",
    ";": "no semicolons are needed: a declaration ends where the next begins",
    "\t": "",
}

#: The keywords that start a declaration: suggested when an unknown word opens one.
_DECLARATION_KEYWORDS = ("ruleset", "scale", "attribute", "level", "question", "headline",
                         "score", "bands")

#: Every keyword that can start a declaration, a clause or a row: what a stray word most likely
#: meant to be.
_STARTING_KEYWORDS = (*_DECLARATION_KEYWORDS, "version", "effective", "welsh", "description",
                      "round", "apply", "value", "within", "applies", "on", "key", "under",
                      "scored", "judged", "banded", "at", "band", "end")


def syntax_diagnostic(source: SourceFile, parser: Lark, problem: UnexpectedInput) -> Diagnostic:
    """Convert any Lark parse error into one diagnostic with a location, a message and a hint."""
    if isinstance(problem, UnexpectedCharacters):
        return _unexpected_character(source, problem)
    assert isinstance(problem, UnexpectedToken)
    return _reserved_word(source, parser, problem) or _unexpected_token(source, parser, problem)


# ---- reserved words --------------------------------------------------------------------------
# A keyword is read as a name or value wherever the keyword itself could not stand (`value end`,
# `one of court, text`), so most names and values spelled like keywords just work. Where the
# keyword could stand (`Q is not`, `lowest of its`, a group opened by a level named `score`) it
# is read as the keyword, and the parser stops a little later, at a word that then makes no
# sense. Quoting that keyword is the fix; when doing so lets the parse get further, the keyword
# is the mistake to report, not the word the parser stopped at.

#: How far back from where the parser stopped a misread keyword is looked for, in tokens.
_LOOK_BACK = 6

_TOKENS = re.compile(r'"[^"\n]*"|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)*|\S')

#: Where a ruleset declares a name or value (the word is put in for WORD, and the ruleset's
#: levels for LEVEL): after the keyword that declares it, in a list of choices, or as the name
#: of a group.
_DECLARED = (r'\b(?:value|question|score|headline|attribute|scale|bands|band|level)\s+"?WORD"?'
             r'(?![\w.])',
             r'\bone\s+of\s+(?:[\w"./-]+\s*,\s*)*"?WORD"?(?![\w.])',
             r'^[ \t]*(?:LEVEL)[ \t]+"?WORD"?[ \t]+"')


def _reserved_word(source: SourceFile, parser: Lark, problem: UnexpectedToken
                   ) -> Diagnostic | None:
    """E226: a level named like a keyword (its groups cannot be written, so the parse fails
    wherever one begins), or a keyword just before where the parser stopped that the ruleset
    declares as a name or value, when quoting it lets the parse get further. None when no
    keyword explains the error."""
    from ccirules.printer import keywords

    text = source.text
    reserved = keywords() - {"yes", "no"}  # the grammar takes these two as values anywhere
    for level in _DECLARED_LEVEL.finditer(text):
        if level.group(1) in reserved:
            return error("E226", f"`{level.group(1)}` is a reserved word, so it cannot name a "
                         "level", source.span(level.start(1), level.end(1)),
                         hint="a level's name begins each of its groups, where it cannot be "
                              "quoted: choose another name")
    at_end = problem.token.type == "$END"
    stopped = len(text) if at_end else problem.token.start_pos
    tokens = [match for match in _TOKENS.finditer(text, 0, stopped if at_end else
                                                  problem.token.end_pos)
              if not match.group().startswith("#")][-_LOOK_BACK:]
    for token in reversed(tokens):
        word = token.group()
        if word in reserved and word.isidentifier() and _declared(text, word, token) and \
                _gets_further(parser, text, token, f'"{word}"', stopped):
            return error("E226", f"`{word}` is a reserved word, so it is read here as the "
                         "keyword", source.span(token.start(), token.end()),
                         hint=f'to use it as a name or value, write it in quotes: "{word}"')
    return None


def _declared(text: str, word: str, token: re.Match) -> bool:
    """Whether the ruleset declares ``word`` as a name or value somewhere other than at
    ``token`` (where it may be a keyword written in the wrong place)."""
    levels = "|".join(re.escape(level) for level in _DECLARED_LEVEL.findall(text)) or "(?!)"
    for pattern in _DECLARED:
        pattern = pattern.replace("WORD", re.escape(word)).replace("LEVEL", levels)
        for found in re.finditer(pattern, text, re.MULTILINE):
            if not found.start() <= token.start() < found.end():
                return True
    return False


def _gets_further(parser: Lark, text: str, token: re.Match, replacement: str,
                  stopped: int) -> bool:
    """Whether the text parses, or parses further than ``stopped``, with ``token`` replaced."""
    try:
        parser.parse(text[:token.start()] + replacement + text[token.end():])
    except UnexpectedInput as problem:
        position = problem.pos_in_stream if problem.pos_in_stream is not None else len(text)
        return position - (len(replacement) - len(token.group())) > stopped
    return True


def _unexpected_character(source: SourceFile, problem: UnexpectedCharacters) -> Diagnostic:
    offset = problem.pos_in_stream
    char = source.text[offset]
    if char == '"':
        line_end = source.text.find("\n", offset)
        end = len(source.text) if line_end == -1 else line_end
        return error("E104", "this quoted text is not closed on its line", source.span(offset, end),
                     hint='add the closing " before the end of the line')
    span = source.span(offset, offset + 1)
    shown = repr(char)[1:-1] if not char.isprintable() else char
    hint = _CHARACTER_FIXES.get(char) or None
    if hint is None and char.isprintable():
        hint = "names use letters, digits and underscores; put other text in double quotes"
    return error("E103", f"unexpected character `{shown}`", span, hint=hint)


def _unexpected_token(source: SourceFile, parser: Lark, problem: UnexpectedToken) -> Diagnostic:
    token: Token = problem.token
    expected = sorted(problem.expected)
    opener = _innermost_open_block(problem)
    if opener is not None and opener[0].type == "IDENT":
        misread = _misread_group_opener(source, parser, problem, opener)
        if misread is not None:
            return misread

    if token.type == "$END":
        span = _end_of_file_span(source)
        if "END" in expected and opener is not None:
            return _unclosed(source, opener)
        return error("E105", "the file ends in the middle of a declaration", span,
                     hint=_valid_here(parser, expected))

    span = source.span(token.start_pos, token.end_pos)
    if token.type == "END" and opener is None:
        return error("E107", "this `end` closes nothing", span,
                     hint="remove it, or check that the block it should close was opened")

    message = f"unexpected {_describe_token(token)} here"
    hint = None
    if token.type == "IDENT":
        keywords = [_keyword(parser, name) for name in expected]
        hint = did_you_mean(str(token), [word for word in keywords if word])
        if hint is None and opener is None and "IDENT" in expected:
            hint = did_you_mean(str(token), _DECLARATION_KEYWORDS)
    if hint is None and token.type == "STRING" and "IDENT" in expected and "STRING" not in expected:
        hint = "a name goes here, without quotes"
    if hint is None and token.type == "IDENT" and expected == ["NUMERAL"]:
        hint = "a number goes here; `is` compares with a value, `<` `>` `=` with a number"
    title_expected = "STRING" in expected and "NUMERAL" not in expected
    if hint is None and token.type == "IDENT" and title_expected:
        hint = 'if this is a title, put it in double quotes: "..."'
    return error("E105", message, span, hint=hint or _valid_here(parser, expected))


def _misread_group_opener(source: SourceFile, parser: Lark, problem: UnexpectedToken,
                          opener: list[Token]) -> Diagnostic | None:
    """Blame the word that opened a group when it cannot have meant to.

    Any word at the start of a declaration opens a group (``section 1 "..." ... end``), so a
    mistyped keyword (``applys``, ``questoin``), a stray ``end`` or an unquoted title is read as a
    group and the parser only stops later. When that word is not a declared level, the word itself
    is the mistake, and the diagnostic points at it.
    """
    word = opener[0]
    span = source.span(word.start_pos, word.end_pos)
    if str(word) == "end":
        return error("E107", "this `end` closes nothing", span,
                     hint="remove it, or check that the block it should close was opened")
    levels = set(_DECLARED_LEVEL.findall(source.text))
    if str(word) in levels:
        return None
    stack = problem.state.value_stack
    position = _stack_index(stack, word)
    before = _last_declaration(stack[position - 1]) if position > 0 else None
    if before is not None and before.data in _TITLED and _untitled(before):
        line_end = source.text.find("\n", word.start_pos)
        end = len(source.text) if line_end == -1 else line_end
        title = source.text[word.start_pos:end].strip()
        return error("E105", "titles must be in double quotes", source.span(word.start_pos, end),
                     hint=f'write "{title}"')
    header = stack[position:]
    keyword_hint = did_you_mean(str(word), _DECLARATION_KEYWORDS)
    titled_group = (len(header) >= 3 and isinstance(header[2], Token)
                    and header[2].type == "STRING")
    if keyword_hint is None and titled_group:
        hint = did_you_mean(str(word), levels) or (
            f'declare the level before its groups: `level {word} "{str(word).capitalize()}"`')
        return error("E105", f"`{word}` is not a declared level", span, hint=hint)
    hint = keyword_hint or did_you_mean(str(word), _STARTING_KEYWORDS + tuple(levels))
    if hint is None:
        hint = ("a group starts with a level declared by `level`, such as "
                + (", ".join(f"`{level}`" for level in sorted(levels)) or "`level section`"))
    return error("E105", f"`{word}` is not a keyword or a declared level", span, hint=hint)


def _stack_index(stack: list, item: object) -> int:
    for index in range(len(stack) - 1, -1, -1):
        if stack[index] is item:
            return index
    return -1


def _last_declaration(item: object) -> Tree | None:
    """The last complete declaration in a stack item (Lark wraps repeated items in ``__`` trees)."""
    while isinstance(item, Tree) and str(item.data).startswith("__") and item.children:
        item = item.children[-1]
    return item if isinstance(item, Tree) else None


def _untitled(tree: Tree) -> bool:
    """True when a declaration was written without its optional title."""
    return len(tree.children) > 1 and tree.children[1] is None


#: Declarations whose second part is an optional title.
_TITLED = ("question", "attribute", "headline", "score", "level", "scale", "bands")

_DECLARED_LEVEL = re.compile(r"^\s*level\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


def _unclosed(source: SourceFile, opener: list[Token]) -> Diagnostic:
    head = " ".join(str(token) for token in opener)
    first = opener[0]
    span = source.span(first.start_pos, opener[-1].end_pos)
    return error("E106", f"`{head}` is never closed", span,
                 hint=f"add `end` after the last line that belongs to `{head}`",
                 related=[Related(_end_of_file_span(source), "the file ends here")])


def _innermost_open_block(problem: UnexpectedToken) -> list[Token] | None:
    """The tokens that opened the innermost block still open when parsing stopped.

    A bare IDENT token on the parser's value stack can only be a group's level word (every other
    name is already reduced into a ``name`` tree), and SCALE/BANDS tokens open the other blocks;
    so the last of these on the stack is the block that is waiting for its ``end``.
    """
    state = getattr(problem, "state", None)
    stack = getattr(state, "value_stack", None) or []
    for index in range(len(stack) - 1, -1, -1):
        item = stack[index]
        if isinstance(item, Token) and item.type in ("IDENT", "SCALE", "BANDS"):
            following = stack[index + 1] if index + 1 < len(stack) else None
            tokens = [item]
            if following is not None and hasattr(following, "children") and following.children:
                name_token = following.children[0]
                if isinstance(name_token, Token):
                    tokens.append(name_token)
            return tokens
    return None


def _end_of_file_span(source: SourceFile):
    stripped = len(source.text.rstrip())
    return source.span(max(0, stripped - 1), stripped) if stripped else source.whole()


def _describe_token(token: Token) -> str:
    if token.type == "STRING":
        return f"text {token}"
    if token.type in ("IDENT", "NUMERAL"):
        return f"`{token}`"
    return f"`{token}`"


def _keyword(parser: Lark, terminal_name: str) -> str | None:
    """The keyword a terminal stands for (``APPLIES`` -> ``applies``), or None for a pattern."""
    try:
        terminal = parser.get_terminal(terminal_name)
    except KeyError:
        return None
    if terminal.pattern.type == "str":
        return terminal.pattern.value
    return None


def _valid_here(parser: Lark, expected: list[str]) -> str:
    words = []
    for name in expected:
        keyword = _keyword(parser, name)
        if keyword is not None:
            words.append(f"`{keyword}`")
        else:
            words.append(_TERMINAL_WORDS.get(name, name.lower()))
    return "valid here: " + ", ".join(sorted(set(words)))
