"""The VS Code extension's TextMate grammar, run by the engine VS Code itself uses.

VS Code highlights `.rules` files with editors/vscode/syntaxes/ccirules.tmLanguage.json through
vscode-textmate and the Oniguruma regex engine, whose dialect Python's `re` does not share. So
these tests run that very engine (one Node process for every input) and hold the scopes it gives
against the Lark lexer of grammar/ruleset.lark, token by token: the highlighting follows the
language as the parser reads it, and a keyword added to the grammar fails here until it is
highlighted.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from lark import Lark, Token, Tree

from tests.conftest import ROOT, RULESETS

EDITOR = ROOT / "editors" / "vscode"
TOKENIZE = EDITOR / "test" / "tokenize.mjs"
EVERY_KEYWORD = EDITOR / "test" / "every-keyword.rules"
LANGUAGE = ROOT / "grammar" / "ruleset.lark"
SHIPPED = tuple(sorted(RULESETS.glob("*.rules")))
WHOLE_FILES = {path.name: path.read_text(encoding="utf-8") for path in (*SHIPPED, EVERY_KEYWORD)}

ROOT_SCOPE = "source.ccirules"
COMMENT = "comment.line.number-sign.ccirules"
STRING = "string.quoted.double.ccirules"
KEYWORD_FAMILIES = ("keyword.", "constant.language.", "support.", "variable.language.")

# (line, fragment, a scope every character of the fragment's first occurrence carries)
SCOPES = [
    ('criterion 1.1 "Risk of Harm"', '"Risk of Harm"', STRING),
    ('criterion 1.1 "Risk of Harm"', "criterion", "keyword.control.group.ccirules"),
    ('criterion 1.1 "Risk of Harm"', "1.1", "entity.name.function.group.ccirules"),
    ('  standard 2.1 "Assessment"', "standard", "keyword.control.group.ccirules"),
    ('  standard 2.1 "Assessment"', "2.1", "entity.name.function.group.ccirules"),
    ('  standard 1.1 "Governance" judged directly end', "judged directly",
     "keyword.other.ccirules"),
    ('  standard 1.1 "Governance" judged directly end', "end", "keyword.control.end.ccirules"),
    ("end", "end", "keyword.control.end.ccirules"),
    ("# ---- how inspectors answer ----", "# ---- how inspectors answer ----", COMMENT),
    ('section 3 "Outcomes" # the last', "# the last", COMMENT),
    ('question 1.1.9 "Was the RMP completed on time?"', "question", "keyword.control.ccirules"),
    ('question 1.1.9 "Was the RMP completed on time?"', "1.1.9", "entity.name.function.ccirules"),
    ('headline risk_of_harm "Risk of Harm"', "risk_of_harm", "entity.name.function.ccirules"),
    ('score overall "Overall rating"', "overall", "entity.name.function.ccirules"),
    ('scale sufficiency "Was the work done well enough?"', "sufficiency",
     "entity.name.type.ccirules"),
    ('level criterion "General criterion"', "criterion", "entity.name.type.ccirules"),
    ('bands improvement "Improvement required"', "improvement", "entity.name.type.ccirules"),
    ('attribute age "Age" whole number from 10 to 17', "age", "entity.name.type.ccirules"),
    ('attribute age "Age" whole number from 10 to 17', "whole number",
     "support.type.attribute.ccirules"),
    ('attribute age "Age" whole number from 10 to 17', "from", "keyword.other.ccirules"),
    ('attribute age "Age" whole number from 10 to 17', "17", "constant.numeric.ccirules"),
    ("attribute custody yes or no", "yes or no", "support.type.attribute.ccirules"),
    ('  band good "Good" from 65 to 79 points 2', "good", "entity.name.constant.ccirules"),
    ('  band good "Good" from 65 to 79 points 2', "points", "keyword.other.ccirules"),
    ('  value yes "Yes" means sufficient', "yes", "entity.name.constant.ccirules"),
    ('  value yes "Yes" means sufficient', "sufficient", "constant.language.category.ccirules"),
    ('  value na "N/A" means not applicable', "not applicable",
     "constant.language.category.ccirules"),
    ("  effective from 2009-04-01 to 2012-07-31", "2009-04-01", "constant.other.date.ccirules"),
    ("  effective from 2009-04-01 to 2012-07-31", "2012-07-31", "constant.other.date.ccirules"),
    ("  round half up to whole numbers", "half up", "constant.language.rounding.ccirules"),
    ("      applies when 1.1.8 is yes", "applies when", "keyword.other.ccirules"),
    ("      applies when 1.1.8 is yes", "1.1.8", "constant.numeric.ccirules"),
    ("      applies when 1.1.8 is yes", "is", "keyword.operator.wordlike.ccirules"),
    ("      applies when 1.1.8 is yes", "yes", "constant.language.answer.ccirules"),
    ("applies when age >= 15 and not (setting is custody)", ">=",
     "keyword.operator.comparison.ccirules"),
    ("applies when age >= 15 and not (setting is custody)", "and",
     "keyword.operator.logical.ccirules"),
    ("applies when age >= 15 and not (setting is custody)", "not",
     "keyword.operator.logical.ccirules"),
    ("applies when age != 3 or age <= 4", "!=", "keyword.operator.comparison.ccirules"),
    ("applies when age != 3 or age <= 4", "<=", "keyword.operator.comparison.ccirules"),
    ("applies when rosh in (medium, high)", "in", "keyword.operator.wordlike.ccirules"),
    ("  key question for risk_of_harm, safeguarding", "key question for",
     "keyword.other.ccirules"),
    ("  scored as proportion sufficient of its questions", "proportion sufficient of",
     "support.function.aggregate.ccirules"),
    ("  scored as proportion sufficient of its questions", "its questions",
     "variable.language.ccirules"),
    ("  scored as weighted mean of a weight 2.5, b weight 1", "2.5", "constant.numeric.ccirules"),
    ("  at most requires_improvement when 1.1 is rated inadequate", "rated",
     "keyword.operator.wordlike.ccirules"),
]
# Lines whose words are names, not keywords, though they contain or look like one.
PLAIN_WORDS = [
    ("      applies when sentence_ended is yes", "sentence_ended"),
    ("      applies when level is high", "level"),
    ("  within section", "section"),
    ('  scored as sum of points of every standard except 4.1', "standard"),
]
HASH_IN_TITLE = 'criterion 1.1 "Risk # of harm" # a note'
UNCLOSED = 'question 1.1.1 "Was it done?\nquestion 1.1.2 "Was it done well?"'

SNIPPETS = {line for line, *_ in (*SCOPES, *PLAIN_WORDS)} | {HASH_IN_TITLE, UNCLOSED}


@dataclass(frozen=True)
class Line:
    """One line as VS Code's tokenizer left it: (start, end, scopes) tokens, outermost first."""

    text: str
    tokens: tuple[tuple[int, int, tuple[str, ...]], ...]
    stopped_early: bool

    @classmethod
    def read(cls, text: str, line: dict) -> Line:
        """A line from tokenize.mjs's output."""
        tokens = tuple((start, end, tuple(scopes)) for start, end, scopes in line["tokens"])
        return cls(text, tokens, line["stoppedEarly"])

    def scopes(self, start: int, end: int) -> list[tuple[str, ...]]:
        """The scopes of each token that overlaps columns start to end."""
        return [scopes for left, right, scopes in self.tokens if left < end and right > start]

    def scopes_of(self, fragment: str) -> list[tuple[str, ...]]:
        """The scopes over the first occurrence of fragment."""
        start = self.text.index(fragment)
        return self.scopes(start, start + len(fragment))


@pytest.fixture(scope="session")
def tokenised(editor_packages: None) -> dict[str, list[Line]]:
    """Every document and snippet, tokenised by one run of test/tokenize.mjs."""
    documents = {**WHOLE_FILES, **{snippet: snippet for snippet in SNIPPETS}}
    result = subprocess.run(["node", str(TOKENIZE)], input=json.dumps(documents),
                            capture_output=True, text=True, cwd=EDITOR, timeout=120, check=False)
    if result.returncode != 0:
        pytest.fail(f"{TOKENIZE.name} failed:\n{result.stderr}", pytrace=False)
    return {name: [Line.read(text, line)
                   for text, line in zip(documents[name].split("\n"), lines, strict=True)]
            for name, lines in json.loads(result.stdout).items()}


@pytest.fixture(scope="module")
def lexer() -> Lark:
    """The language's own grammar, keeping every token so keywords can be checked too."""
    return Lark(LANGUAGE.read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                keep_all_tokens=True)


# ---- the lexer's view: what each token must look like -------------------------------------

DECLARATIONS = frozenset({"question", "scale", "attribute", "level", "headline", "score", "bands",
                          "band", "scale_value", "group"})

EXPECTED: dict[str, Callable[[tuple[str, ...]], bool]] = {
    "string": lambda scopes: STRING in scopes,
    "comment": lambda scopes: COMMENT in scopes,
    "date": lambda scopes: scopes[-1] == "constant.other.date.ccirules",
    "number": lambda scopes: scopes[-1] == "constant.numeric.ccirules",
    "comparator": lambda scopes: scopes[-1] == "keyword.operator.comparison.ccirules",
    "punctuation": lambda scopes: scopes[-1].startswith("punctuation."),
    "declared name": lambda scopes: scopes[-1].startswith("entity.name."),
    "group level": lambda scopes: scopes[-1] == "keyword.control.group.ccirules",
    "keyword": lambda scopes: scopes[-1].startswith(KEYWORD_FAMILIES),
    "reference": lambda scopes: scopes == (ROOT_SCOPE,),
}


def kind_of(token: Token) -> str:
    """What a token is, by its terminal: every literal word of the grammar is a keyword."""
    kinds = {"STRING": "string", "DATE": "date", "NUMERAL": "number",
             "COMPARATOR": "comparator", "IDENT": "reference"}
    if token.type in kinds:
        return kinds[token.type]
    return "keyword" if token.value.isalpha() else "punctuation"


def lexed(tree: Tree) -> Iterator[tuple[Token, str]]:
    """Every token of a parse tree with its kind; a declaration's own name is a declared name."""
    for index, child in enumerate(tree.children):
        if isinstance(child, Token):
            yield child, "group level" if tree.data == "group" and index == 0 else kind_of(child)
        elif isinstance(child, Tree) and tree.data in DECLARATIONS and index == 1:
            for token in child.scan_values(lambda value: isinstance(value, Token)):
                yield token, "string" if token.type == "STRING" else "declared name"
        elif isinstance(child, Tree):
            yield from lexed(child)


def disagreements(name: str, lines: list[Line], tree: Tree) -> list[str]:
    """Where the editor's scopes differ from the lexer's tokens, comments included.

    Lark ignores only whitespace and comments, so any other character outside its tokens
    belongs to a comment.
    """
    problems = []
    covered: dict[int, set[int]] = {}
    for token, kind in lexed(tree):
        row, start, end = token.line - 1, token.column - 1, token.end_column - 1
        covered.setdefault(row, set()).update(range(start, end))
        wrong = [scopes for scopes in lines[row].scopes(start, end) if not EXPECTED[kind](scopes)]
        if wrong:
            problems.append(f"{name}:{row + 1}:{start + 1}: {token.value!r} is a {kind}, "
                            f"scoped {wrong}")
    for row, line in enumerate(lines):
        rest = [col for col, char in enumerate(line.text)
                if not char.isspace() and col not in covered.get(row, set())]
        wrong = [scopes for col in rest for scopes in line.scopes(col, col + 1)
                 if not EXPECTED["comment"](scopes)]
        if wrong:
            problems.append(f"{name}:{row + 1}: comment text scoped {wrong[0]}")
    return problems


def grammar_keywords() -> set[str]:
    """Every quoted word of grammar/ruleset.lark (its comments left out)."""
    grammar = re.sub(r"//[^\n]*", "", LANGUAGE.read_text(encoding="utf-8"))
    return set(re.findall(r'"([a-z]+)"', grammar))


# ---- the tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(WHOLE_FILES))
def test_every_token_is_scoped_as_the_lexer_reads_it(
        name: str, tokenised: dict[str, list[Line]], lexer: Lark) -> None:
    """Keywords, names, titles, numbers, dates and comments of whole rulesets, checked against
    the parser's tokens: nothing it reads as a keyword is left plain, and no name is coloured
    as a keyword."""
    problems = disagreements(name, tokenised[name], lexer.parse(WHOLE_FILES[name]))
    assert not problems, "\n".join(problems)


def test_the_lexer_check_covers_every_keyword_of_the_grammar(lexer: Lark) -> None:
    """The check above sees only the keywords its files use; test/every-keyword.rules makes
    them all, so a keyword added to the grammar fails until that file and the editor grammar
    know it."""
    used = {token.value for text in WHOLE_FILES.values()
            for token, kind in lexed(lexer.parse(text)) if kind == "keyword"}
    keywords = grammar_keywords()
    assert {"question", "end", "applies", "yes"} <= keywords
    assert keywords - used == set()


@pytest.mark.parametrize("name", [path.name for path in SHIPPED])
def test_every_line_of_the_shipped_rulesets_tokenises_cleanly(
        name: str, tokenised: dict[str, list[Line]]) -> None:
    """Each line is covered end to end by tokens, in time, with nothing marked invalid."""
    for number, line in enumerate(tokenised[name], start=1):
        edges = [(start, end) for start, end, _ in line.tokens]
        assert not line.stopped_early, f"{name}:{number} took too long to tokenise"
        assert edges[0][0] == 0 and edges[-1][1] >= len(line.text), f"{name}:{number}"
        assert all(left[1] == right[0] for left, right in itertools.pairwise(edges)), \
            f"{name}:{number}: tokens leave gaps"
        assert not [scopes for *_, scopes in line.tokens
                    if any(scope.startswith("invalid.") for scope in scopes)], f"{name}:{number}"


@pytest.mark.parametrize(("line", "fragment", "scope"), SCOPES,
                         ids=[f"{fragment}|{line.strip()}" for line, fragment, _ in SCOPES])
def test_scope_of_each_construct(line: str, fragment: str, scope: str,
                                 tokenised: dict[str, list[Line]]) -> None:
    (tokens,) = tokenised[line]
    scopes = tokens.scopes_of(fragment)
    assert scopes and all(scope in token for token in scopes), scopes


@pytest.mark.parametrize(("line", "word"), PLAIN_WORDS)
def test_names_that_contain_or_match_keywords_stay_plain(
        line: str, word: str, tokenised: dict[str, list[Line]]) -> None:
    (tokens,) = tokenised[line]
    assert tokens.scopes_of(word) == [(ROOT_SCOPE,)]


def test_a_hash_inside_a_title_starts_no_comment(tokenised: dict[str, list[Line]]) -> None:
    (line,) = tokenised[HASH_IN_TITLE]
    title = line.scopes_of('"Risk # of harm"')
    assert all(STRING in scopes and COMMENT not in scopes for scopes in title), title
    assert all(COMMENT in scopes for scopes in line.scopes_of("# a note"))


def test_an_unclosed_quote_is_marked_and_ends_with_its_line(
        tokenised: dict[str, list[Line]]) -> None:
    """Quoted text never spans lines, so an open quote must not swallow the next line."""
    unclosed, next_line = tokenised[UNCLOSED]
    assert unclosed.scopes_of('"Was it done?') == [
        (ROOT_SCOPE, "invalid.illegal.unclosed-string.ccirules")]
    assert next_line.scopes_of("question")[0][-1] == "keyword.control.ccirules"
    assert all(STRING in scopes for scopes in next_line.scopes_of('"Was it done well?"'))
