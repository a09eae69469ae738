"""Hypothesis strategies shared by the property tests: random syntax trees and random edits."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import strategies as st

from ccirules import nodes
from ccirules.printer import keywords

KEYWORDS = keywords()

# ---- syntax trees ----------------------------------------------------------------------------
# Spans are excluded from equality, so nodes are built without them (None stands in).

identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,11}", fullmatch=True).filter(
    lambda text: text not in KEYWORDS)
codes = st.lists(st.integers(0, 99), min_size=1, max_size=4).map(
    lambda parts: ".".join(map(str, parts)))
#: Names spelled like keywords, which are printed quoted (level names never are: see E226).
keyword_names = st.sampled_from(sorted(word for word in KEYWORDS if word.isidentifier()))
names = st.one_of(identifiers, codes, keyword_names).map(lambda text: nodes.Name(text, None))
level_names = identifiers.map(lambda text: nodes.Name(text, None))
#: Text a ruleset may quote: anything but a quote, a surrogate, or a character that must not
#: reach an output (see :func:`ccirules.limits.control_character`).
plain_text = st.text(st.characters(exclude_characters='"\u202a\u202b\u202c\u202d\u202e\u2066'
                                                      '\u2067\u2068\u2069',
                                   exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20)
texts = plain_text.map(lambda value: nodes.Text(value, None))
words = plain_text.map(lambda text: nodes.Word(text, None))
numbers = st.decimals(min_value=-100, max_value=1000, places=2).map(
    lambda value: nodes.Number(value, None))
whole_numbers = st.integers(0, 200).map(lambda value: nodes.Number(Decimal(value), None))
dates = st.dates(datetime.date(1000, 1, 1), datetime.date(9999, 12, 31)).map(
    lambda day: nodes.Text(day.isoformat(), None))
optional_texts = st.none() | texts
roundings = st.builds(nodes.Rounding, st.sampled_from(nodes.RoundingMode), st.integers(0, 6),
                      st.none())


def _tuple(strategy, min_size=0, max_size=3):
    return st.lists(strategy, min_size=min_size, max_size=max_size).map(tuple)


tests = st.one_of(
    st.builds(nodes.ValueTest, words, st.none()),
    st.builds(nodes.CategoryTest, st.sampled_from(nodes.AnswerCategory), st.none()),
    st.builds(nodes.RatedTest, words, st.none()),
)
comparisons = st.one_of(
    st.builds(nodes.Is, names, st.booleans(), tests, st.none()),
    st.builds(nodes.InSet, names, st.booleans(), _tuple(words, 1), st.none()),
    st.builds(nodes.Compare, names, st.sampled_from(nodes.Comparator), numbers, st.none()),
)
conditions = st.recursive(comparisons, lambda inner: st.one_of(
    st.builds(nodes.All, _tuple(inner, 2), st.none()),
    st.builds(nodes.Any, _tuple(inner, 2), st.none()),
    st.builds(nodes.Not, inner, st.none()),
), max_leaves=6)

operands = st.one_of(
    st.builds(nodes.Operand, st.sampled_from([nodes.OperandKind.ITS_QUESTIONS,
                                              nodes.OperandKind.ITS_KEY_QUESTIONS,
                                              nodes.OperandKind.ITS_PARTS]), st.none(), st.none()),
    st.builds(nodes.Operand, st.sampled_from([nodes.OperandKind.EVERY, nodes.OperandKind.NAMED]),
              names, st.none()),
)
rules = st.one_of(
    st.builds(nodes.Aggregate, st.sampled_from(nodes.AggregateKind),
              st.builds(nodes.Operands, _tuple(operands, 1), _tuple(names), st.none()), st.none()),
    st.builds(nodes.WeightedMean, _tuple(st.builds(nodes.Weighted, names, numbers, st.none()), 1),
              st.none()),
    st.builds(nodes.Judged, st.none()),
)
limits = st.builds(nodes.Limit, words, conditions, st.none())

effective_periods = st.one_of(st.tuples(st.none(), st.none()),
                              st.tuples(dates, st.none() | dates))
metadata = effective_periods.flatmap(lambda period: st.builds(
    nodes.Metadata, texts, optional_texts, st.just(period[0]), st.just(period[1]),
    optional_texts, optional_texts, st.none() | roundings,
    st.none() | st.sampled_from(nodes.BandBasis), st.none()))
scales = st.builds(nodes.Scale, names, optional_texts, optional_texts, optional_texts,
                   _tuple(st.builds(nodes.ScaleValue, words, optional_texts,
                                    st.sampled_from(nodes.Category), st.none() | numbers,
                                    optional_texts, st.none())), st.none())
attribute_types = st.one_of(
    st.builds(nodes.ChoiceType, _tuple(words, 1), st.none()),
    st.builds(nodes.WholeNumberType, whole_numbers, whole_numbers, st.none()),
    st.builds(nodes.WholeNumberType, st.none(), st.none(), st.none()),
    st.builds(nodes.YesNoType, st.none()),
    st.builds(nodes.TextType, st.none()),
)
attributes = st.builds(nodes.Attribute, names, optional_texts, attribute_types, optional_texts,
                       optional_texts, st.none())
levels = st.builds(nodes.Level, names, optional_texts, st.none() | names, st.none() | rules,
                   st.none() | names, optional_texts, optional_texts, st.none())
questions = st.builds(nodes.Question, names, optional_texts, optional_texts, optional_texts,
                      st.none() | conditions, st.none() | names, _tuple(names),
                      st.none() | names, st.none())
groups = st.recursive(questions, lambda inner: st.builds(
    nodes.Group, level_names, names, texts, optional_texts, optional_texts,
    st.none() | conditions, st.none() | names, st.none() | rules, st.none() | names,
    _tuple(limits, max_size=2), _tuple(inner), st.none()), max_leaves=6).filter(
    lambda node: isinstance(node, nodes.Group))
scores = st.builds(nodes.Score, st.booleans(), names, optional_texts, optional_texts,
                   optional_texts, st.none() | rules, st.none() | names,
                   _tuple(limits, max_size=2), st.none() | roundings, st.none())
band_tables = st.builds(nodes.BandTable, names, optional_texts, optional_texts, optional_texts,
                        _tuple(st.builds(nodes.Band, words, optional_texts, numbers, numbers,
                                         st.booleans(), st.none() | numbers, optional_texts,
                                         st.none())), st.none())
declarations = st.one_of(metadata, scales, attributes, levels, questions, groups, scores,
                         band_tables)
rulesets = st.builds(nodes.Ruleset, _tuple(declarations, max_size=6), st.none())

# ---- edits -----------------------------------------------------------------------------------

#: Fragments an edit may insert: the language's own words and the characters people mistype.
FRAGMENTS = [*sorted(KEYWORDS), '"', "(", ")", ",", "%", ":", "\t", "\n", "\r\n", "\ufeff",
             "\u201c", "-1", "1.1.1", "75", "2012-13-45", "#", "\u00e9", "\x00", " "]


@st.composite
def edited(draw, text: str) -> str:
    """``text`` after one to four random edits: deletions, insertions, duplications, swaps."""
    for _ in range(draw(st.integers(1, 4))):
        size = len(text)
        at = draw(st.integers(0, size))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "swap_words"]))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == "insert":
            fragment = draw(st.sampled_from(FRAGMENTS) | st.text(max_size=5))
            text = text[:at] + fragment + text[at:]
        elif kind == "duplicate":
            end = min(size, at + draw(st.integers(1, 80)))
            text = text[:end] + text[at:end] + text[end:]
        elif kind == "swap" and size > 1:
            at = min(at, size - 2)
            text = text[:at] + text[at + 1] + text[at] + text[at + 2:]
        elif kind == "swap_words":
            words = text.split(" ")
            if len(words) > 1:
                i = draw(st.integers(0, len(words) - 2))
                j = draw(st.integers(i + 1, len(words) - 1))
                words[i], words[j] = words[j], words[i]
                text = " ".join(words)
    return text


# ---- case sets for a compiled ruleset --------------------------------------------------------
# The public strategies live in ccirules.testing; the property tests use them as users would.

from ccirules.testing import case_sets, ratings  # noqa: E402

__all__ = ["case_sets", "edited", "ratings", "rulesets"]
