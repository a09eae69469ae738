"""The parser: each construct becomes the right nodes, with spans; mistakes become diagnostics."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ccirules import nodes
from ccirules.parser import MAX_DEPTH, parse
from ccirules.source import SourceFile


def parse_ok(text: str) -> tuple:
    result = parse(SourceFile("test.rules", text))
    assert result.diagnostics == (), result.diagnostics
    return result.ruleset.declarations


def parse_error(text: str):
    result = parse(SourceFile("test.rules", text))
    assert result.diagnostics, "expected a diagnostic"
    return result.diagnostics[0]


def test_metadata_clauses() -> None:
    (meta,) = parse_ok('ruleset "CCI" version "2012.1" effective from 2009-04-01 to 2012-07-31 '
                       'welsh "Arolygiad" round half even to 1 decimal place '
                       'apply bands to exact scores')
    assert meta == nodes.Metadata(
        nodes.Text("CCI", None), nodes.Text("2012.1", None), nodes.Text("2009-04-01", None),
        nodes.Text("2012-07-31", None), nodes.Text("Arolygiad", None), None,
        nodes.Rounding(nodes.RoundingMode.HALF_EVEN, 1, None), nodes.BandBasis.EXACT, None)


def test_keywords_may_be_split_by_any_whitespace() -> None:
    (meta,) = parse_ok('ruleset "x"\n round\thalf\n  up to\twhole   numbers')
    assert meta.rounding.mode is nodes.RoundingMode.HALF_UP
    assert meta.rounding.places == 0


def test_scale_values_may_be_keywords_words_or_quoted() -> None:
    (scale,) = parse_ok('scale s value yes means sufficient value no means insufficient '
                        'value "n/a" "Not applicable" means not applicable points 0 end')
    assert [v.value.text for v in scale.values] == ["yes", "no", "n/a"]
    assert [v.category for v in scale.values] == [
        nodes.Category.SUFFICIENT, nodes.Category.INSUFFICIENT, nodes.Category.NOT_APPLICABLE]
    assert scale.values[2].points.value == 0
    assert scale.values[2].title.value == "Not applicable"


def test_names_may_be_quoted_as_a_keyword_must_be_where_it_could_be_read_as_one() -> None:
    question, score = parse_ok('question "not" applies when "not" is yes and "its" is no '
                               'score s scored as lowest of "its", "every", 1.1')
    assert question.name == nodes.Name("not", None)
    assert [atom.subject.text for atom in question.applies.operands] == ["not", "its"]
    assert [operand.name.text for operand in score.rule.operands.items] == ["its", "every", "1.1"]


@pytest.mark.parametrize("name", ['"Was it done?"', '""', '"1.1 a"'])
def test_a_quoted_name_is_still_a_word_or_a_code(name: str) -> None:
    result = parse(SourceFile("test.rules", f"question {name}"))
    assert [(d.code, d.span.column) for d in result.diagnostics] == [("E105", 10)]
    assert "a title goes after the name" in result.diagnostics[0].hint


@pytest.mark.parametrize(("source", "expected"), [
    ("one of custody, community",
     nodes.ChoiceType((nodes.Word("custody", None), nodes.Word("community", None)), None)),
    ("whole number from 10 to 17",
     nodes.WholeNumberType(nodes.Number(Decimal(10), None), nodes.Number(Decimal(17), None), None)),
    ("whole number", nodes.WholeNumberType(None, None, None)),
    ("yes or no", nodes.YesNoType(None)),
    ("text", nodes.TextType(None)),
])
def test_attribute_types(source: str, expected) -> None:
    (attribute,) = parse_ok(f'attribute a "A" {source}')
    assert attribute.type == expected


def test_groups_nest_and_carry_their_clauses() -> None:
    (section,) = parse_ok('''
        section 1 "Assessment"
          applies when setting is custody
          on scale sufficiency
          criterion 1.1 "RoH"
            scored as lowest of its questions
            banded by improvement
            at most moderate when 2.1 is rated drastic
            question 1.1.1 "Done?" key question for roh, safeguarding under 1.1
          end
        end''')
    assert section.level.text == "section" and section.name.text == "1"
    assert isinstance(section.applies, nodes.Is)
    (criterion,) = section.members
    assert criterion.rule == nodes.Aggregate(nodes.AggregateKind.LOWEST, nodes.Operands(
        (nodes.Operand(nodes.OperandKind.ITS_QUESTIONS, None, None),), (), None), None)
    assert criterion.limits[0].label.text == "moderate"
    (question,) = criterion.members
    assert [n.text for n in question.key_for] == ["roh", "safeguarding"]
    assert question.under.text == "1.1"


def test_condition_precedence_not_binds_tighter_than_and_than_or() -> None:
    (question,) = parse_ok('question q applies when not a is x and b is y or c > 3')
    condition = question.applies
    assert isinstance(condition, nodes.Any)
    first, second = condition.operands
    assert isinstance(first, nodes.All) and isinstance(first.operands[0], nodes.Not)
    assert second == nodes.Compare(nodes.Name("c", None), nodes.Comparator.GT,
                                   nodes.Number(Decimal(3), None), None)


@pytest.mark.parametrize(("source", "expected"), [
    ("x is yes", nodes.Is(nodes.Name("x", None), False,
                          nodes.ValueTest(nodes.Word("yes", None), None), None)),
    ("x is not sufficient", nodes.Is(nodes.Name("x", None), True, nodes.CategoryTest(
        nodes.AnswerCategory.SUFFICIENT, None), None)),
    ("x is not applicable", nodes.Is(nodes.Name("x", None), True, nodes.CategoryTest(
        nodes.AnswerCategory.APPLICABLE, None), None)),
    ("2.1 is rated inadequate", nodes.Is(nodes.Name("2.1", None), False, nodes.RatedTest(
        nodes.Word("inadequate", None), None), None)),
    ("x not in (a, b)", nodes.InSet(nodes.Name("x", None), True,
                                    (nodes.Word("a", None), nodes.Word("b", None)), None)),
])
def test_comparisons(source: str, expected) -> None:
    (question,) = parse_ok(f"question q applies when {source}")
    assert question.applies == expected


def test_score_rules_and_operands() -> None:
    overall, weighted, headline = parse_ok(
        'score overall scored as sum of points of every standard, 4.2 except 4.1 '
        'score w scored as weighted mean of a weight 2, b weight 0.5 '
        'headline roh "Risk of Harm"')
    assert overall.rule.kind is nodes.AggregateKind.SUM_OF_POINTS
    assert [o.kind for o in overall.rule.operands.items] == [
        nodes.OperandKind.EVERY, nodes.OperandKind.NAMED]
    assert [n.text for n in overall.rule.operands.excluded] == ["4.1"]
    assert [t.weight.value for t in weighted.rule.terms] == [Decimal(2), Decimal("0.5")]
    assert headline.headline and headline.rule is None


def test_band_rows() -> None:
    (table,) = parse_ok('bands r "Rating" band outstanding "Outstanding" from 80 to 100 points 3 '
                        'welsh "Rhagorol" band good from 65 to below 80 end')
    first, second = table.bands
    assert (first.low.value, first.high.value, first.below, first.points.value) == (
        80, 100, False, 3)
    assert first.welsh.value == "Rhagorol"
    assert second.below and second.points is None


def test_spans_point_at_the_source() -> None:
    (attribute,) = parse_ok('\n\n  attribute   setting "Setting" one of custody, community')
    assert (attribute.span.line, attribute.span.column) == (3, 3)
    assert (attribute.name.span.line, attribute.name.span.column) == (3, 15)
    assert attribute.name.span.end_column == 22


def test_equality_ignores_layout() -> None:
    assert parse_ok('attribute a one of x, y') == parse_ok('attribute\n  a\n  one of\tx ,y  # note')


def test_comments_and_blank_input() -> None:
    assert parse_ok("# only a comment\n\n") == ()
    assert parse_ok("") == ()


def test_comments_are_returned_beside_the_tree_in_order() -> None:
    text = ('# about the file\n'
            'ruleset "A # is not a comment"  # the title\r\n'
            '  apply bands to exact scores\n'
            '    # inside\n')
    result = parse(SourceFile("t", text))
    assert [(c.text, c.trailing) for c in result.comments] == [
        ("# about the file", False), ("# the title", True), ("# inside", False)]
    spans = [(c.span.line, c.span.column, c.span.end_column) for c in result.comments]
    assert spans == [(1, 1, 17), (2, 33, 44), (4, 5, 13)]
    (metadata,) = result.ruleset.declarations
    assert (metadata.band_basis_span.line, metadata.band_basis_span.column) == (3, 3)


def test_clause_given_twice_is_reported_and_the_first_kept() -> None:
    result = parse(SourceFile("t", 'ruleset "x" version "1" version "2"'))
    assert [d.code for d in result.diagnostics] == ["E109"]
    assert result.ruleset.declarations[0].version.value == "1"
    assert result.diagnostics[0].related[0].span.column == 13
    assert result.diagnostics[0].hint == "keep one of them"


@pytest.mark.parametrize(("clauses", "hint"), [
    ("key question for safety\n  key question for planning, safety",
     "name every headline in one clause: `key question for safety, planning`"),
    ("key question for a\n  key question for b\n  key question for c",
     "name every headline in one clause: `key question for a, b, c`"),
    ("applies when a is yes\n  applies when b is no",
     "join the conditions in one clause, with `and` or `or`")])
def test_a_clause_twice_that_keeping_one_would_lose_says_how_to_join_them(clauses: str,
                                                                          hint: str) -> None:
    result = parse(SourceFile("t", f"question q\n  {clauses}\n"))
    assert [(d.code, d.span.line, d.hint) for d in result.diagnostics][-1] == (
        "E109", clauses.count("\n") + 2, hint)


@pytest.mark.parametrize(("text", "code", "line", "column"), [
    ('ruleset "x', "E104", 1, 9),
    ("bands b band x from 75% to 100 end", "E103", 1, 23),
    ("attribute age: whole number", "E103", 1, 14),
    ("question q \u201cTitle\u201d", "E103", 1, 12),
    ("end", "E107", 1, 1),
    ('level s\ns 1 "x"\n question q', "E106", 2, 1),
    ('question q "x" applys when a is b', "E105", 1, 16),
    ('questoin q "x"', "E105", 1, 1),
    ("question q Was it done", "E105", 1, 12),
    ("question q applies when a = b", "E105", 1, 29),
    ("scale s value yes means fine end", "E105", 1, 25),
    ('ruleset "x" effective from 2012-02-30', "E110", 1, 28),
    ("bands b band x from 1.2.3 to 5 end", "E110", 1, 21),
    ("attribute a", "E105", 1, 11),
])
def test_syntax_errors_have_codes_and_positions(text, code, line, column) -> None:
    diagnostic = parse_error(text)
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == (code, line, column)
    assert diagnostic.hint


@pytest.mark.parametrize(("text", "line", "column"), [
    ('scale s value not means insufficient end\nquestion q applies when q is not\n'
     'question r "R"', 2, 30),
    ('attribute k one of a, rated\nlevel s "S"\ns 1 "One" question q applies when k is rated\n'
     "end", 3, 40),
    ('question its\nscore s scored as lowest of its\n  banded by b', 2, 29),
    ('attribute not yes or no\nquestion q applies when not is yes', 2, 25),
    ('level score "Score"\nscore 1 "One" question q end', 1, 7),
])
def test_a_keyword_meant_as_a_name_or_value_is_reported_as_such(text, line, column) -> None:
    diagnostic = parse_error(text)
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("E226", line,
                                                                              column)
    word = diagnostic.message.split("`")[1]
    assert f'"{word}"' in diagnostic.hint or "cannot be quoted" in diagnostic.hint


@pytest.mark.parametrize("text", [
    "question q applies when q is not\nquestion r",  # no value `not`: the value is missing
    "score s scored as lowest of its\n  banded by b",  # no name `its`: `its ...` is unfinished
    'ruleset "R"\nruleset version "1"',  # a header with no title, not a group named `version`
])
def test_a_keyword_is_blamed_only_when_the_ruleset_declares_it(text: str) -> None:
    assert parse_error(text).code == "E105"


_NESTED = ('level d "D"\nlevel s "S" within d\n'
           'd 1 "x"\n  s 1.1 "a"\n    question q1\n  s 1.2 "b"\n    question q2\n  end\nend\n'
           'score t scored as lowest of 1.1\n')


def test_a_nested_block_left_open_is_named_where_it_opened_not_where_parsing_stopped() -> None:
    diagnostic = parse_error(_NESTED)
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("E106", 4, 3)
    assert diagnostic.message == "`s 1.1` opened at line 4 is not closed before `score` at line 10"
    assert [(r.span.line, r.message) for r in diagnostic.related] == [
        (9, "this `end` closes `s 1.1`, so `d 1` stays open"),
        (10, "`score` cannot be inside `d 1`")]


def test_without_indentation_to_go_by_the_innermost_open_block_is_named() -> None:
    flat = "\n".join(line.strip() for line in _NESTED.splitlines())
    diagnostic = parse_error(flat)
    assert (diagnostic.code, diagnostic.span.line) == ("E106", 3)
    assert diagnostic.message == "`d 1` opened at line 3 is not closed before `score` at line 10"
    scale = parse_error("scale s value y means sufficient\nattribute a yes or no")
    assert scale.message == "`scale s` opened at line 1 is not closed before `attribute` at line 2"


_CRITERION = 'level c "C"\nattribute a yes or no\nc 1.1 "x"\n  question 1.1.1\n  question 1.1.2\n'


@pytest.mark.parametrize("clause", ["aplies when 1.1.1 is yes", "aplies when a is yes"])
def test_a_misspelt_clause_keyword_is_blamed_not_the_word_after_it(clause: str) -> None:
    """`aplies when 1.1.1` leaves `when` unreduced on the parser's stack: it is the name of the
    group `aplies` seems to open, not a level word of its own."""
    diagnostic = parse_error(f"{_CRITERION}    {clause}\nend\n")
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("E105", 6, 5)
    assert diagnostic.message == "`aplies` is not a keyword or a declared level"
    assert diagnostic.hint == "did you mean `applies`?"


@pytest.mark.parametrize(("ending", "operator", "column"), [
    ("a is", "is", 20), ("a is yes and", "and", 27), ("a in (yes,", ",", 27),
    ("1.1.1 is not", "not", 27)])
@pytest.mark.parametrize("next_line", ["  question 1.1.3", "end"])
def test_a_line_left_unfinished_is_blamed_not_the_next_line_it_swallows(
        ending: str, operator: str, column: int, next_line: str) -> None:
    """The next line's first word is read as the missing value (a keyword where it cannot stand
    is a name): `question` then stops the parser, `end` is taken and a block stays open."""
    text = f"{_CRITERION}    applies when {ending}\n{next_line}\n" + \
        ("end\n" if next_line != "end" else "") + 'headline h "H"\n'
    diagnostic = parse_error(text)
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("E105", 6, column)
    assert diagnostic.message == f"the line ends with `{operator}`, which needs something after it"
    assert f"`{next_line.split()[0]}` on the next line" in diagnostic.hint


def test_a_keyword_value_on_the_next_line_is_not_blamed_for_a_slip_further_down() -> None:
    """`in` and `end` are values here, the first ending a line and the second starting one:
    both read fine, and the slip is the misspelt `question` after them."""
    text = ('attribute placement one of in, out\nattribute stage one of start, end\n'
            'level c "C"\nc 1 "One"\n  question 1.1\n    applies when placement is in\n'
            '  question 1.2\n    applies when stage in (start,\n      end)\n'
            '  questoin 1.3 "C"\nend\nheadline h "H"\n')
    diagnostic = parse_error(text)
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("E105", 10, 3)
    assert diagnostic.message == "`questoin` is not a keyword or a declared level"


@pytest.mark.parametrize("declared", ['level "c" "C"', 'ruleset "R" level c "C"'])
def test_a_level_declared_quoted_or_mid_line_is_a_level(declared: str) -> None:
    """Levels are taken from what the parser read, not only from `level NAME` at a line's
    start: a block left open is still E106, not an 'undeclared level'."""
    diagnostic = parse_error(f'{declared}\nc 1 "One"\n  question q\n')
    assert (diagnostic.code, diagnostic.span.line) == ("E106", 2)


@pytest.mark.parametrize("title", ["version control used", "scores were recorded",
                                   "keys handed over"])
def test_a_lower_case_title_is_a_title_even_next_to_a_keyword(title: str) -> None:
    """The misspelt-keyword reading needs a word that is no keyword, and the parse to get
    further with the keyword written instead."""
    diagnostic = parse_error(f'level c "C"\nc 1 "One"\n  question q\n    {title}\nend\n')
    assert (diagnostic.code, diagnostic.message) == ("E105", "titles must be in double quotes")
    assert diagnostic.hint == f'write "{title}"'


def test_a_misspelt_declaration_keyword_is_blamed_not_the_block_its_end_leaves_open() -> None:
    text = ('level s "S"\nlevel c "C" within s\ns 1 "S"\n  c 1.1 "x"\n    question q1\n'
            '    qestion q2 "Q"\n      applies when q1 is yes\n    question q3\n  end\n'
            '  c 1.2 "y"\n    question q4\n  end\nend\nheadline h "H"\n')
    diagnostic = parse_error(text)
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("E105", 6, 5)
    assert diagnostic.message == "`qestion` is not a keyword or a declared level"
    assert "`question`" in diagnostic.hint


def test_misspelt_keyword_gets_a_suggestion() -> None:
    assert "`applies`" in parse_error('question q "x" applys when a is b').hint
    assert "`question`" in parse_error('questoin q "x"').hint


@pytest.mark.parametrize(("text", "word", "hint"), [
    ('question q "x" applies whenever a is b', "whenever", "`when`"),
    ('headline h "H" scored as lowestof a b', "lowestof", "`lowest`"),
    ('bands b "B"\n band x "X" from 0 to 100\nend\nbandsx', "bandsx", "`bands`")])
def test_keywords_are_whole_words(text: str, word: str, hint: str) -> None:
    """Where only `when` could come, `whenever` is one wrong word, not `when` then `ever`."""
    diagnostic = parse_error(text)
    assert diagnostic.code == "E105"
    assert f"`{word}`" in diagnostic.message
    assert hint in diagnostic.hint


def test_a_keyword_out_of_place_is_not_taken_for_a_title() -> None:
    assert parse_error('ruleset version "1"').hint == "valid here: text in double quotes"


def test_unquoted_title_hint_quotes_it() -> None:
    assert parse_error("question q Was it done").hint == 'write "Was it done"'


def test_nesting_is_bounded() -> None:
    too_deep = "question q applies when " + "not " * (MAX_DEPTH + 1) + "a is b"
    assert parse_error(too_deep).code == "E108"
    fine = "question q applies when " + "not " * (MAX_DEPTH - 5) + "a is b"
    parse_ok(fine)


def test_deep_parentheses_do_not_exhaust_the_stack() -> None:
    text = "question q applies when " + "(" * 5000 + "a is b" + ")" * 5000
    (question,) = parse_ok(text)
    assert isinstance(question.applies, nodes.Is)


def test_shipped_parser_tables_match_the_grammar() -> None:
    """The precomputed tables must be rebuilt whenever the grammar changes:
    python scripts/build_parser_tables.py"""
    import hashlib

    from ccirules import parser_tables
    from ccirules.grammars import grammar_text

    grammar = grammar_text("ruleset.lark")
    assert hashlib.sha256(grammar.encode()).hexdigest() == parser_tables.GRAMMAR_SHA256
