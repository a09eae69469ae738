"""Ruleset text to nodes. (Lark also reads JSON case files with positions, in
:mod:`ccirules.loaders.json_positions`; no other module sees it.)

``parse`` reads a :class:`~ccirules.source.SourceFile` and returns the
:class:`~ccirules.nodes.Ruleset` with any diagnostics. Syntax errors become diagnostics here (see
:mod:`ccirules.syntax_errors`); the Lark tree never leaves this module. The grammar is LALR, so
parsing is linear and a ruleset cannot make the parser backtrack; nesting is bounded before the
tree is walked, so no input can exhaust the stack.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
from collections.abc import Callable
from decimal import ROUND_FLOOR, Decimal

import attrs
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedInput

from ccirules import limits, nodes
from ccirules.diagnostics import Diagnostic, Related, error
from ccirules.grammars import grammar_text
from ccirules.source import SourceFile, Span
from ccirules.syntax_errors import syntax_diagnostic

#: What a name is, quoted or not: a word or a numeric code (the IDENT and NUMERAL terminals).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|-?\d+(\.\d+)*")

#: Deepest nesting of groups, parentheses or `not` the parser accepts (counted as levels of the
#: syntax tree); real rulesets use under 10, and a question under 100 conditions still fits.
MAX_DEPTH = 128


@attrs.frozen
class ParseResult:
    """The ruleset (None on a syntax error), the problems found, and the file's comments in
    the order written (for the formatter; the tree does not hold them)."""

    ruleset: nodes.Ruleset | None
    diagnostics: tuple[Diagnostic, ...]
    comments: tuple[nodes.Comment, ...] = ()


class _WholeWords:
    """Keywords are whole words. The contextual lexer tries only the terminals the parser can
    take next, so where only `when` could come, `whenever` would lex as `when` and `ever` (and
    `lowestof` as `lowest of`). Offering a name everywhere too makes the lexer read the longest
    word first, as Lark does wherever names are expected: a word that is only a keyword's start
    is then a name where none can stand, reported as such."""

    always_accept = ("IDENT",)

    def process(self, stream):
        return stream


GRAMMAR_OPTIONS = {"parser": "lalr", "lexer": "contextual", "propagate_positions": True,
                   "maybe_placeholders": True}


@functools.cache
def lark_parser() -> Lark:
    """The LALR parser, once per process. The grammar ships inside the package, with its
    analysis precomputed in :mod:`ccirules.parser_tables` (loading it is 8x faster than
    building); if the grammar has changed since, the parser is built from the grammar."""
    grammar = grammar_text("ruleset.lark")
    from ccirules import parser_tables

    if hashlib.sha256(grammar.encode("utf-8")).hexdigest() == parser_tables.GRAMMAR_SHA256:
        # Lark.load with an option it allows on loading (`_load` is what `load` calls).
        return Lark.__new__(Lark)._load({"data": parser_tables.DATA, "memo": parser_tables.MEMO},
                                        postlex=_WholeWords())
    return Lark(grammar, postlex=_WholeWords(), **GRAMMAR_OPTIONS)


def parse(source: SourceFile) -> ParseResult:
    """Parse a ruleset. On a syntax error the result has no ruleset and one diagnostic."""
    parser = lark_parser()
    try:
        tree = parser.parse(source.text)
    except UnexpectedInput as problem:
        return ParseResult(None, (syntax_diagnostic(source, parser, problem),))
    too_deep = _first_too_deep(tree)
    if too_deep is not None:
        span = source.span(too_deep.meta.start_pos, too_deep.meta.end_pos)
        return ParseResult(None, (error(
            "E108", f"this ruleset nests deeper than {MAX_DEPTH} levels", span,
            hint="split long conditions into simpler ones, or flatten the groups"),))
    builder = _NodeBuilder(source)
    ruleset = builder.transform(tree)
    return ParseResult(ruleset, tuple(builder.diagnostics), _comments(source))


@functools.cache
def _strings_and_comments() -> re.Pattern[str]:
    """Quoted text or a comment, as the grammar's STRING and COMMENT terminals define them.

    Only these two tokens can hold ``"`` or ``#``, so in text that parsed, scanning for either
    from left to right finds every comment and never mistakes a ``#`` inside a title for one.
    """
    parser = lark_parser()
    string, comment = (parser.get_terminal(name).pattern.to_regexp()
                       for name in ("STRING", "COMMENT"))
    return re.compile(f"{string}|(?P<comment>{comment})")


def _comments(source: SourceFile) -> tuple[nodes.Comment, ...]:
    """Every comment in text that parsed, with whether code precedes it on its line."""
    text = source.text
    found = []
    for match in _strings_and_comments().finditer(text):
        if match.lastgroup != "comment":
            continue
        start = match.start()
        comment = match.group().rstrip()  # a CRLF file's \r, and spaces nobody sees
        line_start = text.rfind("\n", 0, start) + 1
        found.append(nodes.Comment(comment, bool(text[line_start:start].strip()),
                                   source.span(start, start + len(comment))))
    return tuple(found)


def _first_too_deep(tree: Tree) -> Tree | None:
    """Find a subtree nested deeper than MAX_DEPTH, walking iteratively (no recursion)."""
    stack: list[tuple[Tree, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return None


@attrs.frozen
class _Clause:
    """A clause of a declaration (``version "1"``, ``applies when ...``) before it is placed."""

    keyword: str
    value: object
    span: Span


def _clause(keyword: str) -> Callable[..., _Clause]:
    def build(self: _NodeBuilder, meta: object, children: list) -> _Clause:
        value = children[0] if len(children) == 1 else tuple(children)
        return _Clause(keyword, value, self._span(meta))
    return build


@v_args(meta=True)
class _NodeBuilder(Transformer):
    """Builds nodes from the Lark tree, bottom up; records diagnostics for clause-level mistakes."""

    def __init__(self, source: SourceFile) -> None:
        super().__init__()
        self.source = source
        self.diagnostics: list[Diagnostic] = []

    # ---- helpers ----------------------------------------------------------------------------

    def _span(self, meta: object) -> Span:
        if getattr(meta, "empty", True):
            return self.source.whole()
        return self.source.span(meta.start_pos, meta.end_pos)

    def _token_span(self, token: Token) -> Span:
        return self.source.span(token.start_pos, token.end_pos)

    def _text(self, token: Token | None) -> nodes.Text | None:
        if token is None:
            return None
        return nodes.Text(self._quoted(token), self._token_span(token))

    def _quoted(self, token: Token) -> str:
        """A STRING token's text, checked for characters that must not reach any output."""
        text = str(token)[1:-1]
        char = limits.control_character(text)
        if char is not None:
            offset = token.start_pos + 1 + text.index(char)
            self.diagnostics.append(error(
                "E103", f"a control character (`{limits.shown_character(char)}`) in quoted text",
                self.source.span(offset, offset + 1),
                hint="remove it: titles and values are shown in terminals, spreadsheets and "
                     "reports, where control characters could change what is shown"))
        return text

    def _named(self, text: str, span: Span) -> str:
        """A name or value, checked against the longest a case file's key or cell may be."""
        if len(text) > limits.MAX_NAME_LENGTH:
            self.diagnostics.append(error(
                "E111", f"this name is {len(text):,} characters long; names and values are at "
                f"most {limits.MAX_NAME_LENGTH}", span,
                hint="use a short name, and put the full wording in a title"))
        return text

    def _number(self, token: Token) -> nodes.Number:
        span = self._token_span(token)
        number = limits.read_number(str(token))
        if isinstance(number, limits.NumberProblem):
            code = "E110" if number.malformed else "E111"
            hint = ("write a number such as 75 or 2.5; codes like 1.1.2 name things"
                    if number.malformed else number.hint)
            self.diagnostics.append(error(code, number.message, span, hint=hint))
            return nodes.Number(number.nearest, span)
        return nodes.Number(number, span)

    def _whole(self, token: Token, what: str, most: int | None = None) -> nodes.Number:
        """A whole number (``what`` names it in messages), at most ``most`` when given."""
        number = self._number(token)
        whole = number.value.to_integral_value(ROUND_FLOOR)
        if number.value != whole:
            self.diagnostics.append(error(
                "E110", f"`{token}` is not a whole number", number.span,
                hint=f"write {what} as a whole number"))
        if most is not None and not 0 <= whole <= most:
            self.diagnostics.append(error(
                "E111", f"`{token}` is not between 0 and {most}", number.span,
                hint=f"{what} are at most {most}"))
            whole = Decimal(0)  # the default, so that the one mistake gives one diagnostic
        return nodes.Number(whole, number.span)

    def _date(self, token: Token | None) -> nodes.Text | None:
        if token is None:
            return None
        span = self._token_span(token)
        try:
            datetime.date.fromisoformat(str(token))
        except ValueError:
            self.diagnostics.append(error(
                "E110", f"`{token}` is not a real date", span,
                hint="write dates as YEAR-MONTH-DAY, for example 2012-04-01"))
        return nodes.Text(str(token), span)

    def _collect(self, clauses: list[_Clause]) -> dict[str, object]:
        """Place clauses by keyword; a clause given twice is reported and the first kept.

        The grammar decides which clauses a declaration may have; this only rejects repeats.
        ``limit`` is the one clause that may repeat, so it is gathered into a tuple.
        """
        placed: dict[str, _Clause] = {}
        given: dict[str, list[_Clause]] = {}  # every clause of each keyword, for the hint
        limits = []
        for clause in clauses:
            given.setdefault(clause.keyword, []).append(clause)
            if clause.keyword == "limit":
                limits.append(clause.value)
            elif clause.keyword in placed:
                self.diagnostics.append(error(
                    "E109", f"`{_CLAUSE_WORDS[clause.keyword]}` is given twice", clause.span,
                    hint=_twice_hint(given[clause.keyword]),
                    related=[Related(placed[clause.keyword].span, "first given here")]))
            else:
                placed[clause.keyword] = clause
        found: dict[str, object] = {keyword: clause.value for keyword, clause in placed.items()}
        found["limit"] = tuple(limits)
        return found

    # ---- leaves -----------------------------------------------------------------------------

    def name(self, meta, children):
        (token,) = children
        span = self._token_span(token)
        if token.type != "STRING":
            return nodes.Name(self._named(str(token), span), span)
        text = str(token)[1:-1]  # quoted, as a name spelled like a keyword must be
        if not _NAME.fullmatch(text):
            self.diagnostics.append(error(
                "E105", f"{token} is not a name", span,
                hint="a name is a word of letters, digits and underscores, or a code such as "
                     "1.1.3; a title goes after the name"))
        return nodes.Name(self._named(text, span), span)

    def word(self, meta, children):
        (token,) = children
        span = self._token_span(token)
        text = self._quoted(token) if token.type == "STRING" else str(token)
        return nodes.Word(self._named(text, span), span)

    # ---- metadata ---------------------------------------------------------------------------

    version = _clause("version")
    welsh = _clause("welsh")
    description = _clause("description")

    def effective(self, meta, children):
        start, end = children
        return _Clause("effective", (self._date(start), self._date(end)), self._span(meta))

    def rounding(self, meta, children):
        mode, places = children
        return _Clause("rounding", nodes.Rounding(mode, places, self._span(meta)), self._span(meta))

    def half_up(self, meta, children):
        return nodes.RoundingMode.HALF_UP

    def half_even(self, meta, children):
        return nodes.RoundingMode.HALF_EVEN

    def half_down(self, meta, children):
        return nodes.RoundingMode.HALF_DOWN

    def up(self, meta, children):
        return nodes.RoundingMode.UP

    def down(self, meta, children):
        return nodes.RoundingMode.DOWN

    def places_whole(self, meta, children):
        return 0

    def places_decimal(self, meta, children):
        places = self._whole(children[0], "decimal places", limits.MAX_DECIMAL_PLACES)
        return int(places.value)

    def bands_apply(self, meta, children):
        return _Clause("bands_apply", (children[0], self._span(meta)), self._span(meta))

    def rounded(self, meta, children):
        return nodes.BandBasis.ROUNDED

    def exact(self, meta, children):
        return nodes.BandBasis.EXACT

    def ruleset(self, meta, children):
        title, *clauses = children
        found = self._collect(clauses)
        effective_from, effective_to = found.get("effective") or (None, None)
        band_basis, band_basis_span = found.get("bands_apply") or (None, None)
        return nodes.Metadata(
            title=self._text(title), version=self._text(found.get("version")),
            effective_from=effective_from, effective_to=effective_to,
            welsh=self._text(found.get("welsh")), description=self._text(found.get("description")),
            rounding=found.get("rounding"), band_basis=band_basis, span=self._span(meta),
            band_basis_span=band_basis_span)

    # ---- scales and attributes --------------------------------------------------------------

    def sufficient(self, meta, children):
        return nodes.Category.SUFFICIENT

    def insufficient(self, meta, children):
        return nodes.Category.INSUFFICIENT

    def not_applicable(self, meta, children):
        return nodes.Category.NOT_APPLICABLE

    points = _clause("points")

    def scale_value(self, meta, children):
        value, title, category, *clauses = children
        found = self._collect(clauses)
        points = self._number(found.get("points")) if found.get("points") is not None else None
        return nodes.ScaleValue(value, self._text(title), category, points,
                                self._text(found.get("welsh")), self._span(meta))

    def scale(self, meta, children):
        name, title, *rest = children
        values = tuple(item for item in rest if isinstance(item, nodes.ScaleValue))
        found = self._collect([c for c in rest if isinstance(c, _Clause)])
        return nodes.Scale(name, self._text(title), self._text(found.get("welsh")),
                           self._text(found.get("description")), values, self._span(meta))

    def one_of(self, meta, children):
        return nodes.ChoiceType(tuple(children), self._span(meta))

    def whole_number(self, meta, children):
        low, high = children
        return nodes.WholeNumberType(
            self._whole(low, "the bounds of a whole number") if low is not None else None,
            self._whole(high, "the bounds of a whole number") if high is not None else None,
            self._span(meta))

    def yes_or_no(self, meta, children):
        return nodes.YesNoType(self._span(meta))

    def free_text(self, meta, children):
        return nodes.TextType(self._span(meta))

    def attribute(self, meta, children):
        name, title, kind, *clauses = children
        found = self._collect(clauses)
        return nodes.Attribute(name, self._text(title), kind, self._text(found.get("welsh")),
                               self._text(found.get("description")), self._span(meta))

    # ---- the hierarchy ----------------------------------------------------------------------

    within = _clause("within")
    applies = _clause("applies")
    uses_scale = _clause("scale")
    uses_bands = _clause("bands")
    under = _clause("under")

    def key_for(self, meta, children):
        return _Clause("key_for", tuple(children), self._span(meta))

    def score_rule(self, meta, children):
        return _Clause("rule", children[0], self._span(meta))

    def judged(self, meta, children):
        return _Clause("rule", nodes.Judged(self._span(meta)), self._span(meta))

    def limit(self, meta, children):
        label, condition = children
        return _Clause("limit", nodes.Limit(label, condition, self._span(meta)), self._span(meta))

    def level(self, meta, children):
        name, title, *clauses = children
        found = self._collect(clauses)
        return nodes.Level(name, self._text(title), found.get("within"), found.get("rule"),
                           found.get("bands"), self._text(found.get("welsh")),
                           self._text(found.get("description")), self._span(meta))

    def question(self, meta, children):
        name, title, *clauses = children
        found = self._collect(clauses)
        return nodes.Question(name, self._text(title), self._text(found.get("welsh")),
                              self._text(found.get("description")), found.get("applies"),
                              found.get("scale"), found.get("key_for") or (), found.get("under"),
                              self._span(meta))

    def group(self, meta, children):
        level_token, name, title, *rest = children
        members = tuple(item for item in rest if isinstance(item, nodes.Group | nodes.Question))
        found = self._collect([item for item in rest if isinstance(item, _Clause)])
        level = nodes.Name(str(level_token), self._token_span(level_token))
        return nodes.Group(level, name, self._text(title), self._text(found.get("welsh")),
                           self._text(found.get("description")), found.get("applies"),
                           found.get("scale"),
                           found.get("rule"), found.get("bands"), found["limit"], members,
                           self._span(meta))

    # ---- scores -----------------------------------------------------------------------------

    def _score(self, headline: bool, meta, children) -> nodes.Score:
        name, title, *clauses = children
        found = self._collect(clauses)
        return nodes.Score(headline, name, self._text(title), self._text(found.get("welsh")),
                           self._text(found.get("description")), found.get("rule"),
                           found.get("bands"),
                           found["limit"], found.get("rounding"), self._span(meta))

    def headline(self, meta, children):
        return self._score(True, meta, children)

    def score(self, meta, children):
        return self._score(False, meta, children)

    def _aggregate(kind: nodes.AggregateKind):  # noqa: N805 - a factory used in the class body
        def build(self, meta, children):
            return nodes.Aggregate(kind, children[0], self._span(meta))
        return build

    proportion = _aggregate(nodes.AggregateKind.PROPORTION)
    count = _aggregate(nodes.AggregateKind.COUNT)
    lowest = _aggregate(nodes.AggregateKind.LOWEST)
    highest = _aggregate(nodes.AggregateKind.HIGHEST)
    sum_points = _aggregate(nodes.AggregateKind.SUM_OF_POINTS)
    share_points = _aggregate(nodes.AggregateKind.SHARE_OF_POINTS)
    del _aggregate

    def weighted(self, meta, children):
        name, weight = children
        return nodes.Weighted(name, self._number(weight), self._span(meta))

    def weighted_mean(self, meta, children):
        return nodes.WeightedMean(tuple(children), self._span(meta))

    def operands(self, meta, children):
        items = tuple(child for child in children if isinstance(child, nodes.Operand))
        excluded = tuple(child for child in children if isinstance(child, nodes.Name))
        return nodes.Operands(items, excluded, self._span(meta))

    def its_questions(self, meta, children):
        return nodes.Operand(nodes.OperandKind.ITS_QUESTIONS, None, self._span(meta))

    def its_key_questions(self, meta, children):
        return nodes.Operand(nodes.OperandKind.ITS_KEY_QUESTIONS, None, self._span(meta))

    def its_parts(self, meta, children):
        return nodes.Operand(nodes.OperandKind.ITS_PARTS, None, self._span(meta))

    def every(self, meta, children):
        return nodes.Operand(nodes.OperandKind.EVERY, children[0], self._span(meta))

    def named(self, meta, children):
        return nodes.Operand(nodes.OperandKind.NAMED, children[0], self._span(meta))

    # ---- band tables ------------------------------------------------------------------------

    def band(self, meta, children):
        label, title, low, below, high, *clauses = children
        found = self._collect(clauses)
        points = self._number(found.get("points")) if found.get("points") is not None else None
        return nodes.Band(label, self._text(title), self._number(low), self._number(high),
                          below is not None, points, self._text(found.get("welsh")),
                          self._span(meta))

    def bands(self, meta, children):
        name, title, *rest = children
        rows = tuple(item for item in rest if isinstance(item, nodes.Band))
        found = self._collect([c for c in rest if isinstance(c, _Clause)])
        return nodes.BandTable(name, self._text(title), self._text(found.get("welsh")),
                               self._text(found.get("description")), rows, self._span(meta))

    # ---- conditions -------------------------------------------------------------------------

    def or_condition(self, meta, children):
        return nodes.Any(tuple(children), self._span(meta))

    def and_condition(self, meta, children):
        return nodes.All(tuple(children), self._span(meta))

    def negation(self, meta, children):
        return nodes.Not(children[0], self._span(meta))

    def comparison(self, meta, children):
        subject, negated, test = children
        return nodes.Is(subject, negated is not None, test, self._span(meta))

    def membership(self, meta, children):
        subject, negated, *values = children
        return nodes.InSet(subject, negated is not None, tuple(values), self._span(meta))

    def ordering(self, meta, children):
        subject, comparator, number = children
        return nodes.Compare(subject, nodes.Comparator(str(comparator)), self._number(number),
                             self._span(meta))

    def test_value(self, meta, children):
        return nodes.ValueTest(children[0], self._span(meta))

    def test_sufficient(self, meta, children):
        return nodes.CategoryTest(nodes.AnswerCategory.SUFFICIENT, self._span(meta))

    def test_insufficient(self, meta, children):
        return nodes.CategoryTest(nodes.AnswerCategory.INSUFFICIENT, self._span(meta))

    def test_applicable(self, meta, children):
        return nodes.CategoryTest(nodes.AnswerCategory.APPLICABLE, self._span(meta))

    def test_rated(self, meta, children):
        return nodes.RatedTest(children[0], self._span(meta))

    # ---- the file ---------------------------------------------------------------------------

    def start(self, meta, children):
        span = self.source.span(0, len(self.source.text))
        return nodes.Ruleset(tuple(children), span)


def _twice_hint(given: list[_Clause]) -> str:
    """What to do about a clause given more than once (``given``, so far, in order): keep one,
    unless keeping one loses something."""
    if given[0].keyword == "key_for":
        names = ", ".join(dict.fromkeys(name.text for clause in given for name in clause.value))
        return f"name every headline in one clause: `key question for {names}`"
    if given[0].keyword == "applies":
        return "join the conditions in one clause, with `and` or `or`"
    return "keep one of them"


#: How each clause is written, for messages about it.
_CLAUSE_WORDS = {
    "version": "version", "effective": "effective from", "welsh": "welsh",
    "description": "description", "rounding": "round", "bands_apply": "apply bands to",
    "points": "points", "within": "within", "applies": "applies when", "scale": "on scale",
    "bands": "banded by", "under": "under", "key_for": "key question for",
    "rule": "scored as / judged directly",
}
