"""A small evaluator of spreadsheet formulas, for tests only: it computes the greying formulas a
workbook template holds, as Excel would, so a test can hold them against the engine.

It covers what :mod:`ccirules.formulas` writes and no more: string and number literals, `TRUE`
and `FALSE`, cell references (`$C12`), `&`, the comparisons (`=`, `<>`, `<`, `<=`, `>`, `>=`)
and the functions AND, OR, NOT, IF, IFERROR, ISLOGICAL, TRIM, UPPER, EXACT and VALUE, each with
Excel's rules for types (documented in Microsoft's function reference; tests/test_xlformula.py
states each rule relied on): text compares without regard to case, and any text is greater than
any number, and TRUE and FALSE greater than any text; a blank cell is "" beside text and 0 beside
a number; `&` writes whole numbers without a decimal point and booleans as TRUE and FALSE; TRIM
removes spaces (only spaces) at either end and runs of them inside; VALUE takes a number written
as text, refusing anything else (an empty text too) with #VALUE!; AND, OR and NOT refuse text
with #VALUE!; errors pass through everything but IFERROR.

(LibreOffice could compute these too, but not on the machines the suite runs on, and a
conditional format's formula is not a cell's: it would have to be copied into cells first.)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation


class XLError(Exception):
    """An Excel error value (#VALUE!), carried as an exception until IFERROR catches it."""


_TOKEN = re.compile(r"""\s*(?:
    (?P<string>"(?:[^"]|"")*")
  | (?P<number>\d+(?:\.\d+)?(?:E[+-]?\d+)?)
  | (?P<cell>\$?[A-Z]{1,3}\$?\d+)
  | (?P<name>[A-Z][A-Z0-9.]*)(?=\s*\()
  | (?P<boolean>TRUE|FALSE)
  | (?P<operator><>|<=|>=|[=<>&(),+-])
)""", re.VERBOSE)

Cells = Mapping[str, object]  # column letters (no $) -> value: str, int, float, bool or None


def evaluate(formula: str, cells: Cells) -> object:
    """The value of ``formula`` (without its leading ``=``) over one row's ``cells``; an Excel
    error raises :class:`XLError`."""
    return _compute(_parsed(formula), cells)


@functools.lru_cache(maxsize=4096)
def _parsed(formula: str) -> tuple:
    """A formula's tree, read once (a test evaluates each formula for many rows)."""
    tokens = _tokens(formula)
    parser = _Parser(tokens)
    tree = parser.comparison()
    if parser.position != len(tokens):
        raise SyntaxError(f"unexpected {tokens[parser.position]!r} in {formula!r}")
    return tree


def _tokens(formula: str) -> list[tuple[str, str]]:
    found, position = [], 0
    while position < len(formula):
        match = _TOKEN.match(formula, position)
        if match is None or match.end() == position:
            if formula[position:].strip() == "":
                break
            raise SyntaxError(f"cannot read {formula[position:]!r}")
        kind = match.lastgroup
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


class _Parser:
    """Recursive descent to a tree of tuples, lowest precedence first: comparison, then `&`,
    then unary minus and primaries."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, text: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (text is not None and token[1] != text):
            raise SyntaxError(f"expected {text!r}, found {token!r}")
        self.position += 1
        return token

    def comparison(self) -> tuple:
        left = self.concatenation()
        token = self.peek()
        if token and token[0] == "operator" and token[1] in _COMPARE:
            self.take()
            return ("compare", token[1], left, self.concatenation())
        return left

    def concatenation(self) -> tuple:
        tree = self.unary()
        while (token := self.peek()) and token[1] == "&":
            self.take()
            tree = ("&", tree, self.unary())
        return tree

    def unary(self) -> tuple:
        token = self.peek()
        if token and token[1] == "-":
            self.take()
            return ("negate", self.unary())
        return self.primary()

    def primary(self) -> tuple:
        kind, text = self.take()
        if kind == "string":
            return ("value", text[1:-1].replace('""', '"'))
        if kind == "number":
            number = float(text)
            return ("value", int(number) if number.is_integer() else number)
        if kind == "boolean":
            return ("value", text == "TRUE")
        if kind == "cell":
            return ("cell", re.sub(r"[\d$]", "", text))
        if kind == "name":
            self.take("(")
            arguments = []
            while self.peek() and self.peek()[1] != ")":
                arguments.append(self.comparison())
                if self.peek() and self.peek()[1] == ",":
                    self.take(",")
            self.take(")")
            return ("call", _FUNCTIONS[text], tuple(arguments))
        if text == "(":
            tree = self.comparison()
            self.take(")")
            return tree
        raise SyntaxError(f"unexpected {text!r}")


def _compute(tree: tuple, cells: Cells) -> object:
    kind = tree[0]
    if kind == "value":
        return tree[1]
    if kind == "cell":
        return cells.get(tree[1])
    if kind == "compare":
        return _COMPARE[tree[1]](_order(_compute(tree[2], cells), _compute(tree[3], cells)))
    if kind == "&":
        return _text(_compute(tree[1], cells)) + _text(_compute(tree[2], cells))
    if kind == "negate":
        return -_number(_compute(tree[1], cells))
    # A call: each argument is computed when the function asks for it (IF and IFERROR choose).
    function, arguments = tree[1], tree[2]
    return function(*[(lambda argument=argument: _compute(argument, cells))
                      for argument in arguments])


# ---- Excel's rules ---------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: object) -> float | int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    raise XLError("#VALUE!")


def _boolean(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    raise XLError("#VALUE!")


def _rank(value: object) -> int:
    """Excel's order across types: numbers, then text, then logical values."""
    return 0 if isinstance(value, int | float) and not isinstance(value, bool) else (
        1 if isinstance(value, str) else 2)


def _order(left: object, right: object) -> int:
    """-1, 0 or 1 as Excel compares two values: a blank takes the other side's type."""
    if left is None:
        left = "" if isinstance(right, str) else (False if isinstance(right, bool) else 0)
    if right is None:
        right = "" if isinstance(left, str) else (False if isinstance(left, bool) else 0)
    if _rank(left) != _rank(right):
        return -1 if _rank(left) < _rank(right) else 1
    if isinstance(left, str):
        left, right = left.upper(), right.upper()
    return (left > right) - (left < right)


_COMPARE: dict[str, Callable[[int], bool]] = {
    "=": lambda order: order == 0, "<>": lambda order: order != 0,
    "<": lambda order: order < 0, "<=": lambda order: order <= 0,
    ">": lambda order: order > 0, ">=": lambda order: order >= 0,
}


def _trim(value: object) -> str:
    return " ".join(part for part in _text(value).split(" ") if part)


def _value(value: object) -> float | int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = _text(value).strip(" ")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)(E[+-]?\d+)?", text, re.IGNORECASE):
        raise XLError("#VALUE!")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise XLError("#VALUE!") from None
    return int(number) if number == number.to_integral_value() else float(number)


def _iferror(value: Callable[[], object], fallback: Callable[[], object]) -> object:
    try:
        return value()
    except XLError:
        return fallback()


def _if(test: Callable[[], object], then: Callable[[], object],
        otherwise: Callable[[], object] | None = None) -> object:
    if _boolean(test()):
        return then()
    return otherwise() if otherwise is not None else False


def _is_logical(argument: Callable[[], object]) -> bool:
    try:
        return isinstance(argument(), bool)
    except XLError:
        return False  # the IS functions take errors without passing them on


def _logical(value: object) -> bool:
    if isinstance(value, str):
        raise XLError("#VALUE!")  # text given directly to AND, OR or NOT
    return _boolean(value)


_FUNCTIONS: dict[str, Callable[..., object]] = {
    "AND": lambda *args: all([_logical(arg()) for arg in args]),
    "OR": lambda *args: any([_logical(arg()) for arg in args]),
    "NOT": lambda arg: not _logical(arg()),
    "IF": _if,
    "IFERROR": _iferror,
    "ISLOGICAL": lambda arg: _is_logical(arg),
    "TRIM": lambda arg: _trim(arg()),
    "UPPER": lambda arg: _text(arg()).upper(),
    "EXACT": lambda left, right: _text(left()) == _text(right()),
    "VALUE": lambda arg: _value(arg()),
}
