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
from ccirules.suggest import closest, did_you_mean

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
    return (_reserved_word(source, parser, problem) or _unfinished_line(source, parser, problem)
            or _unexpected_token(source, parser, problem))


# ---- unfinished lines ------------------------------------------------------------------------
# A keyword where it cannot stand is read as a name or value, so a condition left unfinished at
# the end of a line (`applies when 1.2.1 is`) takes the next line's first word as its value:
# `question` or `end`. The parser then stops at a word that makes no sense, or much later, at a
# block that `end` no longer closes. A line ending in an operator, followed by a line that
# starts a declaration or closes a block, is the mistake to report.

#: Words and signs after which a value or a name must follow.
_WANTS_MORE = {"is", "in", "not", "and", "or", "when", "of", "for", ",", "(", "<", "<=", ">",
               ">=", "=", "!="}


def _unfinished_line(source: SourceFile, parser: Lark, problem: UnexpectedToken
                     ) -> Diagnostic | None:
    """E105 at the operator ending a line, before where the parser stopped, whose next line
    starts with a keyword, a declared level or `end`, when blanking that line lets the parse
    get further (a value may be a keyword written on the next line, and the slip may be
    elsewhere); the nearest such lines first, a few at most. None when there is none."""
    text = source.text
    stopped = len(text) if problem.token.type == "$END" else problem.token.start_pos
    starters = {*_STARTING_KEYWORDS, *_declared_levels(text, problem)}
    candidates = []
    last = None  # the last word or sign, and the line, of the previous line that had one
    for line in _LINES.finditer(text, 0, stopped):
        words = [word for word in _TOKENS.finditer(text, line.start(), line.end())
                 if not word.group().startswith("#")]
        if not words:
            continue
        if last is not None and last[0].group() in _WANTS_MORE and words[0].group() in starters:
            candidates.append((*last, words[0].group()))
        last = (words[-1], line)
    for operator, line, following in reversed(candidates[-_MOST_UNFINISHED:]):
        if _gets_further(parser, text, line.start(), line.end(), " " * len(line.group()),
                         stopped):
            return error("E105", f"the line ends with `{operator.group()}`, which needs "
                         "something after it", source.span(operator.start(), operator.end()),
                         hint=f"finish the line; as it is, `{following}` on the next line is "
                              f"read as what follows `{operator.group()}`")
    return None


#: Lines ending in an operator tried, nearest first: each is a parse of the whole text.
_MOST_UNFINISHED = 3


_LINES = re.compile(r"[^\n]+")


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
                _gets_further(parser, text, token.start(), token.end(), f'"{word}"', stopped):
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


def _gets_further(parser: Lark, text: str, start: int, end: int, replacement: str,
                  stopped: int) -> bool:
    """Whether the text parses, or parses further than ``stopped``, with ``text[start:end]``
    replaced: the test that a suspected slip is the one that stopped the parser."""
    try:
        parser.parse(text[:start] + replacement + text[end:])
    except UnexpectedInput as problem:
        position = problem.pos_in_stream if problem.pos_in_stream is not None else len(text)
        return position - (len(replacement) - (end - start)) > stopped
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
            return _undeclared_group(source, problem) or _unclosed(source, problem, None)
        return error("E105", "the file ends in the middle of a declaration", span,
                     hint=_valid_here(parser, expected))
    if "END" in expected and opener is not None and _starts_declaration(source, parser, token):
        return _undeclared_group(source, problem) or _unclosed(source, problem, token)

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
    if hint is None and token.type == "IDENT" and title_expected and not _is_keyword(token):
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
    levels = _declared_levels(source.text, problem)
    if str(word) in levels:
        return None
    stack = problem.state.value_stack
    position = _stack_index(stack, word)
    before = _last_declaration(stack[position - 1]) if position > 0 else None
    if before is not None and before.data in _TITLED and _untitled(before):
        line_end = source.text.find("\n", word.start_pos)
        end = len(source.text) if line_end == -1 else line_end
        title = source.text[word.start_pos:end].strip()
        keyword = _misspelt_keyword(source.text, parser, problem, word)
        if keyword is not None:  # a slip for a keyword, not the first word of a title
            return error("E105", f"`{word}` is not a keyword or a declared level", span,
                         hint=f"did you mean `{keyword}`?")
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


def _misspelt_keyword(text: str, parser: Lark, problem: UnexpectedToken, word: Token
                      ) -> str | None:
    """The keyword a lower-case word that is none was likely meant to be: the closest, when
    writing it instead lets the parse get further (so `aplies when ...` is a slip for
    `applies`, but `scores were recorded` is still an unquoted title)."""
    if not str(word).islower() or _is_keyword(word):
        return None
    stopped = len(text) if problem.token.type == "$END" else problem.token.start_pos
    return next((keyword for keyword in closest(str(word), _STARTING_KEYWORDS)
                 if _gets_further(parser, text, word.start_pos, word.end_pos, keyword,
                                  stopped)), None)


def _undeclared_group(source: SourceFile, problem: UnexpectedToken) -> Diagnostic | None:
    """E105 at the first group, parsed or still open, whose level word is not a declared level.

    A mistyped keyword at the start of a line (``qestion 1.2.3 "..."``) opens a group that the
    next `end` closes, so the block that `end` belonged to is reported as left open, far from
    the slip. The slip is the mistake to report.
    """
    levels = _declared_levels(source.text, problem)
    words = [tokens[0] for tokens, _ in _open_blocks(problem) if tokens[0].type == "IDENT"]
    pending = list(problem.state.value_stack)
    while pending:
        item = pending.pop()
        if isinstance(item, Tree):
            pending.extend(item.children)
            if item.data == "group" and isinstance(item.children[0], Token):
                words.append(item.children[0])
    undeclared = [word for word in words if str(word) not in levels and str(word) != "end"]
    if not undeclared:
        return None
    word = min(undeclared, key=lambda found: found.start_pos)
    hint = did_you_mean(str(word), _STARTING_KEYWORDS + tuple(levels)) or (
        "a group starts with a level declared by `level`")
    return error("E105", f"`{word}` is not a keyword or a declared level",
                 source.span(word.start_pos, word.end_pos), hint=hint)


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


def _declared_levels(text: str, problem: UnexpectedToken) -> set[str]:
    """The levels the ruleset declares: every one the parser read before it stopped (quoted or
    not, wherever on a line), and those written `level NAME` at a line's start after that."""
    levels = set(_DECLARED_LEVEL.findall(text))
    pending = list(problem.state.value_stack)
    while pending:
        item = pending.pop()
        if not isinstance(item, Tree):
            continue
        if item.data == "level" and isinstance(item.children[0], Tree):
            levels.add(str(item.children[0].children[0]).strip('"'))
        else:
            pending.extend(item.children)
    return levels


def _unclosed(source: SourceFile, problem: UnexpectedToken, stopped: Token | None
              ) -> Diagnostic:
    """E106: a block left open, named with the line it opened at and what was reached before
    it was closed (``stopped``, or the end of the file).

    Only the parser knows which blocks are still open, and a missing `end` is usually noticed
    far below it: a nested block's `end` is taken by the next block inward, and the parser
    only stops where an outer block's contents cannot go. So the block blamed is the first
    nested group, inside the blocks still open, whose `end` is indented less than its opener
    (an outer block's `end`, taken by it); failing that, the innermost open block.
    """
    blocks = _open_blocks(problem)
    outer, inner = (" ".join(map(str, tokens)) for tokens in (blocks[0][0], blocks[-1][0]))
    borrowed = _first_closed_by_an_outer_end(source, problem, blocks[0][1])
    head, opener, ends_at = borrowed or (inner, blocks[-1][0], None)
    opened_at = source.position(opener[0].start_pos)[0]
    if stopped is None:
        reached, stop_span = "the end of the file", _end_of_file_span(source)
    else:
        line = source.position(stopped.start_pos)[0]
        reached = f"`{stopped}` at line {line}"
        stop_span = source.span(stopped.start_pos, stopped.end_pos)
    related = []
    if ends_at is not None:
        related.append(Related(source.span(ends_at, ends_at + len("end")),
                               f"this `end` closes `{head}`, so `{outer}` stays open"))
    related.append(Related(stop_span, "the file ends here" if stopped is None else
                           f"`{stopped}` cannot be inside `{inner}`"))
    return error("E106", f"`{head}` opened at line {opened_at} is not closed before {reached}",
                 source.span(opener[0].start_pos, opener[-1].end_pos),
                 hint=f"add `end` after the last line that belongs to `{head}`",
                 related=related)


def _starts_declaration(source: SourceFile, parser: Lark, token: Token) -> bool:
    """Whether ``token`` begins a declaration (a keyword such as `score`, or a declared level
    opening a group): where one cannot stand but `end` could, a block was left open."""
    if token.type != "IDENT":
        return _keyword(parser, token.type) in _DECLARATION_KEYWORDS
    # A keyword where it cannot stand arrives as a name (see `_is_keyword`).
    return str(token) in _DECLARATION_KEYWORDS or \
        str(token) in set(_DECLARED_LEVEL.findall(source.text))


def _open_blocks(problem: UnexpectedToken) -> list[tuple[list[Token], int]]:
    """The blocks still open where parsing stopped, outermost first: the tokens that opened
    each (a level word or `scale`/`bands`, then its name) and its place on the parser's stack.

    A bare IDENT token on the parser's value stack is a group's level word when it follows a
    declaration, a title or nothing; one that follows a keyword or another bare word is a name
    or value the parser had not yet reduced when it stopped (``aplies when 1.1.1``: ``when`` is
    the name of the group ``aplies`` seems to open). SCALE/BANDS tokens open the other blocks.
    """
    stack = getattr(getattr(problem, "state", None), "value_stack", None) or []
    blocks = []
    for index, item in enumerate(stack):
        if isinstance(item, Token) and item.type in ("IDENT", "SCALE", "BANDS"):
            previous = stack[index - 1] if index else None
            if item.type == "IDENT" and isinstance(previous, Token) and previous.type != "STRING":
                continue  # a name or value not yet reduced: after a keyword, or a level word
            following = stack[index + 1] if index + 1 < len(stack) else None
            tokens = [item]
            if following is not None and getattr(following, "children", None):
                name_token = following.children[0]
                if isinstance(name_token, Token):
                    tokens.append(name_token)
            blocks.append((tokens, index))
    return blocks


def _first_closed_by_an_outer_end(source: SourceFile, problem: UnexpectedToken, start: int
                                  ) -> tuple[str, list[Token], int] | None:
    """The first group, among those parsed inside the blocks still open, whose `end` starts a
    line indented less than the group's opening word: (its head, the tokens that opened it,
    where that `end` is)."""
    found = []
    pending = list(problem.state.value_stack[start:])
    while pending:
        item = pending.pop()
        if not isinstance(item, Tree):
            continue
        pending.extend(item.children)
        if item.data != "group" or getattr(item.meta, "empty", True):
            continue
        level, name = item.children[0], item.children[1]
        end = item.meta.end_pos - len("end")
        indent = _indent(source, end)
        if indent is not None and indent < level.column - 1:
            opener = [level, name.children[0]]
            found.append((level.start_pos, " ".join(map(str, opener)), opener, end))
    if not found:
        return None
    _, head, opener, end = min(found, key=lambda candidate: candidate[0])
    return head, opener, end


def _indent(source: SourceFile, offset: int) -> int | None:
    """How far in the word at ``offset`` is, when it is the first on its line (else None)."""
    line_start = source.text.rfind("\n", 0, offset) + 1
    before = source.text[line_start:offset]
    return len(before) if before.strip() == "" else None


def _innermost_open_block(problem: UnexpectedToken) -> list[Token] | None:
    """The tokens that opened the innermost block still open when parsing stopped."""
    blocks = _open_blocks(problem)
    return blocks[-1][0] if blocks else None


def _end_of_file_span(source: SourceFile):
    stripped = len(source.text.rstrip())
    return source.span(max(0, stripped - 1), stripped) if stripped else source.whole()


def _describe_token(token: Token) -> str:
    if token.type == "STRING":
        return f"text {token}"
    if token.type in ("IDENT", "NUMERAL"):
        return f"`{token}`"
    return f"`{token}`"


def _is_keyword(token: Token) -> bool:
    """A keyword where it cannot stand is lexed as a name (keywords are whole words, see
    `parser._WholeWords`); it is still a keyword out of place, not an unquoted title."""
    from ccirules.printer import keywords

    return str(token) in keywords()


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
