"""The docs run as tests: every snippet in docs/language.md and docs/cases.md is checked, and
every result the docs state is computed and compared, so the language reference cannot drift
from the engine.

How the docs mark their snippets (see README, Development). Every fenced block carries an info
string: ``rules`` (ruleset text), ``yaml``, ``json``, ``jsonl`` or ``csv`` (a case file), or
``console`` (commands, shown and not run). An HTML comment on the line just before a block or a
table says what it is, as clauses separated by ``;``:

- a ``rules`` block with no comment is a whole ruleset: `check` finds nothing in it;
- ``ruleset NAME``: the same, and later blocks call it NAME;
- ``in RULESET`` or ``in RULESET inside GROUP``: declarations shown as part of RULESET (a NAME,
  or a path from the repository's root), put at its top level or inside GROUP in place of any
  declarations with the same names; the whole must check with nothing found;
- ``conditions in RULESET``: each line is an ``applies when`` clause, checked as the condition
  of a question in RULESET's first group;
- ``expect CODE ...``: what `check` (or, on a case file or a result, loading and scoring) must
  report, exactly: for a snippet that is wrong on purpose;
- ``cases for RULESET``: a case file; the case files for one ruleset on a page are one
  inspection, which loads with nothing reported;
- ``result of NAME`` (before a table): NAME scored over its case files; the table's first
  column names scores (header ``score``) or questions (header ``question``), and its other
  columns (``sufficient``, ``insufficient``, ``applicable``, ``does not apply``, ``value``,
  ``band``) are compared; ``allow unanswered`` scores as ``--allow-unanswered`` does;
- ``score S of NAME from counts`` (before a table): S's exact value, shown value and band when
  NAME's only question has the counts in the row (``sufficient``, ``applicable``);
- ``truth table of NAME`` (before a table): the first column describes a row, the second
  (``the case records``) is its case, as ``name: value`` pairs, and every further column is
  headed by a condition: ``true`` where a question with that condition applies to the case, as
  the engine decides, else ``false``;
- ``reserved words`` (before a paragraph): every word the grammar reserves, in backticks.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import pytest

from ccirules import nodes
from ccirules.api import check_source, load_cases
from ccirules.cases import Judgements
from ccirules.compiler import AttributeKind, compile_ruleset
from ccirules.evaluator import applying, evaluate
from ccirules.parser import parse
from ccirules.printer import keywords, print_ruleset
from ccirules.scoring import Tally, compute_scores, round_value
from ccirules.source import SourceFile
from tests.conftest import ROOT

PAGES = ("language.md", "cases.md")
CASE_FILES = {"yaml": ".yaml", "json": ".json", "jsonl": ".jsonl", "csv": ".csv"}
TAGS = {"rules", "console", *CASE_FILES}
PLACEHOLDER = "placed_here_by_the_docs_test"


@attrs.frozen
class Snippet:
    """A fenced block or a table of a page, with the clauses of the comment before it."""

    page: str
    line: int
    kind: str  # the fence's info string, "table" or "paragraph"
    clauses: tuple[str, ...]
    text: str

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"

    def clause(self, prefix: str) -> str | None:
        """The rest of the first clause starting with ``prefix``, if any."""
        return next((clause[len(prefix):].strip() for clause in self.clauses
                     if clause == prefix or clause.startswith(prefix + " ")), None)

    @property
    def expected(self) -> list[str]:
        return (self.clause("expect") or "").split()


def snippets(page: str) -> list[Snippet]:
    """Every fenced block of a page, and every table or paragraph a comment marks."""
    lines = (ROOT / "docs" / page).read_text(encoding="utf-8").split("\n")
    found = []
    index = 0
    while index < len(lines):
        line = lines[index]
        marker = re.fullmatch(r"<!--(.*)-->", lines[index - 1].strip()) if index else None
        clauses = tuple(part.strip() for part in marker.group(1).split(";")) if marker else ()
        if line.startswith("```"):
            end = lines.index("```", index + 1)
            found.append(Snippet(page, index + 1, line[3:].strip(), clauses,
                                 "\n".join(lines[index + 1:end]) + "\n"))
            index = end + 1
            continue
        if clauses and line.strip():
            end = next((k for k in range(index, len(lines)) if not lines[k].strip()), len(lines))
            kind = "table" if line.startswith("|") else "paragraph"
            found.append(Snippet(page, index + 1, kind, clauses, "\n".join(lines[index:end])))
            index = end
            continue
        index += 1
    return found


SNIPPETS = [snippet for page in PAGES for snippet in snippets(page)]


def _ids(items: list[Snippet]) -> list[str]:
    return [item.where for item in items]


# ---- rulesets --------------------------------------------------------------------------------


def _named_rulesets() -> dict[str, str]:
    """Each named ruleset's whole text, built in page order."""
    named: dict[str, str] = {}
    for snippet in SNIPPETS:
        name = snippet.clause("ruleset")
        if name is not None:
            named[name] = _whole_text(snippet, named)[0]
    return named


def _ruleset_text(reference: str, named: dict[str, str]) -> str:
    if reference in named:
        return named[reference]
    path = ROOT / reference
    assert path.is_file(), f"no ruleset named {reference!r} (a NAME above, or a path)"
    return path.read_text(encoding="utf-8")


def _whole_text(snippet: Snippet, named: dict[str, str]) -> tuple[str, range]:
    """The whole ruleset a ``rules`` snippet stands for, and the lines the snippet has in it."""
    context = snippet.clause("in")
    if context is None:
        return snippet.text, range(1, snippet.text.count("\n") + 1)
    reference, _, group = context.partition(" inside ")
    return placed(_ruleset_text(reference, named), snippet.text, group or None)


def placed(context: str, fragment: str, group: str | None) -> tuple[str, range]:
    """``context`` with ``fragment`` written into it, at its top level or inside ``group``,
    in place of its declarations of the same names; and the fragment's lines in the result."""
    ruleset = parse(SourceFile("context.rules", context)).ruleset
    assert ruleset is not None, f"the ruleset a snippet is part of does not parse:\n{context}"
    own = parse(SourceFile("fragment.rules", fragment)).ruleset  # None: wrong on purpose
    replaced = _names(own.declarations) if own is not None else set()
    kept = _without(ruleset.declarations, replaced)
    length = fragment.count("\n")
    if group is None:
        printed = print_ruleset(nodes.Ruleset(kept, None))
        return fragment + "\n" + printed, range(1, length + 1)
    marked = tuple(_with_placeholder(declaration, group) for declaration in kept)
    lines = print_ruleset(nodes.Ruleset(marked, None)).split("\n")
    at = next(k for k, line in enumerate(lines) if line.strip() == f"question {PLACEHOLDER}")
    indent = lines[at][:len(lines[at]) - len(lines[at].lstrip())]
    inserted = [indent + line if line else line for line in fragment.rstrip("\n").split("\n")]
    return "\n".join(lines[:at] + inserted + lines[at + 1:]), range(at + 1, at + 1 + length)


def _names(declarations) -> set[tuple[str, str]]:
    """What declarations declare: the header, and (kind, name) for the rest; groups and
    questions, at any depth, share one kind, as they share one namespace."""
    found = set()
    for declaration in declarations:
        match declaration:
            case nodes.Metadata():
                found.add(("ruleset", ""))
            case nodes.Group() | nodes.Question():
                found.add(("member", declaration.name.text))
                found |= _names(getattr(declaration, "members", ()))
            case _:
                found.add((type(declaration).__name__, declaration.name.text))
    return found


def _without(declarations, replaced: set[tuple[str, str]]) -> tuple:
    kept = []
    for declaration in declarations:
        if not _names((declaration,)) & replaced:
            kept.append(declaration)
        elif isinstance(declaration, nodes.Group) and ("member", declaration.name.text) \
                not in replaced:
            kept.append(attrs.evolve(declaration,
                                     members=_without(declaration.members, replaced)))
    return tuple(kept)


def _with_placeholder(declaration, group: str):
    if not isinstance(declaration, nodes.Group):
        return declaration
    members = tuple(_with_placeholder(member, group) for member in declaration.members)
    if declaration.name.text == group:
        members += (nodes.Question(nodes.Name(PLACEHOLDER, None), None, None, None, None, None,
                                   (), None, None),)
    return attrs.evolve(declaration, members=members)


def _first_group(context: str) -> str:
    ruleset = parse(SourceFile("context.rules", context)).ruleset
    return next(d.name.text for d in ruleset.declarations if isinstance(d, nodes.Group))


def _check(text: str, lines: range, expected: list[str], where: str) -> None:
    """Nothing reported but ``expected``, in the snippet's lines, and no error elsewhere."""
    result = check_source(SourceFile("snippet.rules", text))
    mine = [d.code for d in result.diagnostics if d.span.line in lines]
    elsewhere = [f"{d.code} {d.message} (line {d.span.line})" for d in result.diagnostics
                 if d.span.line not in lines and d.severity.value == "error"]
    assert (mine, elsewhere) == (expected, []), f"{where}: {result.diagnostics}\n{text}"


NAMED = _named_rulesets()
RULES = [s for s in SNIPPETS if s.kind == "rules"]


#: What a marker's clauses may begin with (see the module's docstring).
CLAUSES = ("ruleset", "in", "conditions in", "expect", "cases for", "result of",
           "allow unanswered", "score", "truth table of", "reserved words")


def test_every_block_says_what_it_is() -> None:
    for snippet in SNIPPETS:
        for clause in snippet.clauses:
            assert any(clause == known or clause.startswith(known + " ") for known in CLAUSES), \
                f"{snippet.where}: unknown clause {clause!r}"
        if snippet.kind in ("table", "paragraph"):
            continue
        assert snippet.kind in TAGS, f"{snippet.where}: a block tagged {snippet.kind!r}; " \
                                     f"tag it with one of {sorted(TAGS)}"
        if snippet.kind in CASE_FILES:
            assert snippet.clause("cases for"), f"{snippet.where}: whose case file is this?"


@pytest.mark.parametrize("snippet", RULES, ids=_ids(RULES))
def test_ruleset_snippets_check(snippet: Snippet) -> None:
    conditions = snippet.clause("conditions in")
    if conditions is None:
        text, lines = _whole_text(snippet, NAMED)
        _check(text, lines, snippet.expected, snippet.where)
        return
    context = _ruleset_text(conditions, NAMED)
    for line in snippet.text.splitlines():
        question = f"question {PLACEHOLDER}_condition\n  {line}\n"
        text, lines = placed(context, question, _first_group(context))
        _check(text, lines, snippet.expected, f"{snippet.where}: {line}")


# ---- case files and results ------------------------------------------------------------------


def _inspection(reference: str, page: str, folder: Path):
    """The compiled ruleset and, loaded together, every case file a page gives for it, with
    what loading reported."""
    checked = check_source(SourceFile("docs.rules", _ruleset_text(reference, NAMED)))
    compiled = compile_ruleset(checked.checked)
    paths = []
    for snippet in SNIPPETS:
        if snippet.page == page and snippet.clause("cases for") == reference:
            path = folder / f"line-{snippet.line}{CASE_FILES[snippet.kind]}"
            path.write_text(snippet.text, encoding="utf-8")
            paths.append(str(path))
    loaded = load_cases(paths, compiled)
    return compiled, loaded


CASES: dict[tuple[str, str], Snippet] = {}
for _snippet in SNIPPETS:
    if _snippet.clause("cases for"):
        CASES.setdefault((_snippet.page, _snippet.clause("cases for")), _snippet)


@pytest.mark.parametrize(("page", "reference"), sorted(CASES), ids=[
    CASES[key].where for key in sorted(CASES)])
def test_case_snippets_load(page: str, reference: str, tmp_path: Path) -> None:
    _, loaded = _inspection(reference, page, tmp_path)
    expected = [code for s in SNIPPETS if s.page == page and s.clause("cases for") == reference
                for code in s.expected]
    assert [d.code for d in loaded.diagnostics] == expected, loaded.diagnostics


def _table(snippet: Snippet) -> list[dict[str, str]]:
    """A markdown table's rows, as {header: cell}, with backticks and emphasis removed."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in snippet.text.splitlines()]
    header, body = rows[0], rows[2:]  # rows[1] is the |---| line
    return [dict(zip(header, row, strict=True)) for row in body]


def _plain(cell: str) -> str:
    return cell.replace("`", "").replace("*", "").strip()


RESULTS = [s for s in SNIPPETS if s.clause("result of")]


@pytest.mark.parametrize("snippet", RESULTS, ids=_ids(RESULTS))
def test_stated_results_are_what_the_engine_gives(snippet: Snippet, tmp_path: Path) -> None:
    reference = snippet.clause("result of")
    unanswered = snippet.clause("allow unanswered") is not None
    compiled, loaded = _inspection(reference, snippet.page, tmp_path)
    assert loaded.inspection is not None, loaded.diagnostics
    evaluation = evaluate(compiled, loaded.inspection, allow_unanswered=unanswered)
    assert [d.code for d in evaluation.diagnostics] == snippet.expected, evaluation.diagnostics
    for row in _table(snippet):
        kind, name = next(iter(row.items()))
        name = _plain(name)
        if kind == "question":
            tally = evaluation.tallies[name]
            found = {"sufficient": tally.sufficient, "insufficient": tally.insufficient,
                     "applicable": tally.applicable, "does not apply": tally.does_not_apply,
                     "unanswered": tally.unanswered}
        else:
            assert kind == "score", f"{snippet.where}: the first column is `score` or `question`"
            result = evaluation.score(name)
            found = {"sufficient": result.sufficient, "applicable": result.applicable,
                     "value": _shown(compiled.score(name), result.exact),
                     "band": result.band.label if result.band is not None else "none"}
        for column, cell in list(row.items())[1:]:
            assert str(found[column]) == _plain(cell), f"{snippet.where}: {name}, {column}"


def _shown(score, exact: Fraction | None) -> str:
    return "no score" if exact is None else str(round_value(exact, score.rounding))


COUNTS = [s for s in SNIPPETS if s.clause("score") and "from counts" in s.clause("score")]


@pytest.mark.parametrize("snippet", COUNTS, ids=_ids(COUNTS))
def test_stated_rounding_and_banding(snippet: Snippet) -> None:
    score_name, reference = re.fullmatch(r"(\S+) of (\S+) from counts",
                                         snippet.clause("score")).groups()
    checked = check_source(SourceFile("docs.rules", _ruleset_text(reference, NAMED)))
    compiled = compile_ruleset(checked.checked)
    (question,) = compiled.questions
    for row in _table(snippet):
        sufficient, applicable = int(row["sufficient"]), int(row["applicable"])
        tally = Tally(sufficient, applicable - sufficient)
        scores = compute_scores(compiled, {question.name: tally}, Judgements({}, {}))
        result = next(result for result in scores if result.name == score_name)
        exact = _plain(row["exact"])
        if exact.endswith("…"):  # a decimal that does not end: these are its first digits
            digits = Decimal(exact[:-1])
            assert result.exact != Fraction(digits)
            assert str(Decimal(result.exact.numerator) / result.exact.denominator).startswith(
                str(digits)), f"{snippet.where}: {row}"
        else:
            assert result.exact == Fraction(Decimal(exact)), f"{snippet.where}: {row}"
        assert _shown(compiled.score(score_name), result.exact) == _plain(row["shown"])
        assert result.band.label == _plain(row["band"]), f"{snippet.where}: {row}"


# ---- what conditions mean --------------------------------------------------------------------


TABLES = [s for s in SNIPPETS if s.clause("truth table of")]


def _recorded(cell: str, compiled) -> tuple[dict[str, object], dict[str, str]]:
    """`plan_needed: yes, 1.1: no` as a case's attributes and answers."""
    attributes: dict[str, object] = {}
    answers: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in _plain(cell).split(","))):
        name, value = (text.strip() for text in pair.split(":"))
        if name in compiled.attributes:
            whole = compiled.attributes[name].kind is AttributeKind.WHOLE_NUMBER
            attributes[name] = int(value) if whole else value
        else:
            answers[name] = value
    return attributes, answers


@pytest.mark.parametrize("snippet", TABLES, ids=_ids(TABLES))
def test_stated_truth_tables_are_what_the_engine_decides(snippet: Snippet) -> None:
    """Each column's condition is given to a question of its own, added to the ruleset's first
    group; a cell is true exactly where the engine finds that question applies to the row's
    case."""
    context = _ruleset_text(snippet.clause("truth table of"), NAMED)
    rows = _table(snippet)
    conditions = [_plain(header) for header in list(rows[0])[2:]]
    questions = "".join(f"question truth_{k}\n  applies when {condition}\n"
                        for k, condition in enumerate(conditions))
    text, _ = placed(context, questions, _first_group(context))
    checked = check_source(SourceFile("truth.rules", text))
    assert checked.ok, checked.diagnostics
    compiled = compile_ruleset(checked.checked)
    for row in rows:
        attributes, answers = _recorded(row["the case records"], compiled)
        kept = applying(compiled, attributes, {**answers, **{
            f"truth_{k}": compiled.question(f"truth_{k}").scale.values_meaning(
                nodes.Category.SUFFICIENT)[0] for k in range(len(conditions))}})
        for k, condition in enumerate(conditions):
            stated = _plain(row[f"`{condition}`"])
            assert stated in ("true", "false"), f"{snippet.where}: {stated!r}"
            assert (f"truth_{k}" in kept) == (stated == "true"), \
                f"{snippet.where}: `{condition}` for {row['the case records']}"


def test_the_reserved_words_listed_are_the_grammar_keywords() -> None:
    (listed,) = [s for s in SNIPPETS if s.clause("reserved words") is not None]
    words = set(re.findall(r"`([^`]+)`", listed.text))
    assert words == {word for word in keywords() if word.isidentifier()}
