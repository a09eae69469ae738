"""The test-only formula evaluator (tests/xlformula.py) against Excel's documented behaviour:
each rule the greying formulas rely on, stated once here."""

from __future__ import annotations

import pytest

from tests.xlformula import XLError, evaluate


@pytest.mark.parametrize(("formula", "cells", "expected"), [
    # text compares without regard to case; EXACT does not
    ('"Yes"="yes"', {}, True),
    ('EXACT("Yes","yes")', {}, False),
    ('"b">"A"', {}, True),
    # any text is greater than any number, TRUE greater than any text
    ('"1"=1', {}, False),
    ('"1">9', {}, True),
    ('TRUE>"zzz"', {}, True),
    # a blank cell is "" beside text and 0 beside a number
    ('A1=""', {"A": None}, True),
    ("A1=0", {"A": None}, True),
    # & writes whole numbers without a point, booleans as TRUE and FALSE, a blank as ""
    ('A1&""', {"A": 16.0}, "16"),
    ('A1&""', {"A": 16.5}, "16.5"),
    ('A1&""', {"A": True}, "TRUE"),
    ('A1&"x"', {"A": None}, "x"),
    # TRIM removes spaces at either end and runs of them inside, and nothing else
    ('TRIM("  a   b ")', {}, "a b"),
    ('TRIM("\ta")', {}, "\ta"),
    ('UPPER("é-x")', {}, "É-X"),
    # VALUE reads a number written as text, and refuses anything else
    ('VALUE(" +16 ")', {}, 16),
    ('VALUE("-2")', {}, -2),
    ('IFERROR(VALUE(""),FALSE)', {}, False),
    ('IFERROR(VALUE("abc"),"no")', {}, "no"),
    ("VALUE(A1)", {"A": 12}, 12),
    # IF and IFERROR compute only what they choose
    ('IF(FALSE,VALUE("x"),1)', {}, 1),
    ('IF(A1,"yes","no")', {"A": False}, "no"),
    # ISLOGICAL tells booleans from the text TRUE
    ("ISLOGICAL(A1)", {"A": True}, True),
    ('ISLOGICAL("TRUE")', {}, False),
    # AND, OR and NOT of booleans and numbers
    ("AND(TRUE,1)", {}, True),
    ("OR(FALSE,0)", {}, False),
    ("NOT(0)", {}, True),
    ("AND(1<2,-1<0)", {}, True),
    ("$B12<=17", {"B": 17}, True),
])
def test_excel_rules(formula: str, cells: dict, expected: object) -> None:
    assert evaluate(formula, cells) == expected


@pytest.mark.parametrize("formula", ['AND("x")', 'NOT("TRUE")', 'VALUE("1,000")',
                                     'VALUE("")', 'IF("x",1,2)', '-"a"'])
def test_excel_errors(formula: str) -> None:
    with pytest.raises(XLError):
        evaluate(formula, {})


def test_errors_pass_through_all_but_iferror() -> None:
    assert evaluate('IFERROR(AND(TRUE,VALUE("x")=1),FALSE)', {}) is False
    with pytest.raises(XLError):
        evaluate('OR(TRUE,VALUE("x")=1)', {})  # OR computes every argument


@pytest.mark.parametrize("formula", ["AND(", '"open', "1 2", "NOSUCH(1)"])
def test_what_it_cannot_read_is_refused(formula: str) -> None:
    with pytest.raises((SyntaxError, KeyError)):
        evaluate(formula, {})
