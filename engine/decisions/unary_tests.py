"""A decision table's input entries (FEEL unary tests) as Python over the input value.

An entry is `-` (or empty: any value passes), a comma-separated list of tests any of which may
pass (`"a","b"`, `< 10, > 20`), or `not(...)` of such a list. A test is a comparison (`< 10`,
`>= x.limit`, `!= "a"`), a range (`[1..3]`, `]1..3[`, `(1..3]`), a boolean expression over `?`
(the input value, as in `? > 5` or `contains(?, "a")`), or any other FEEL expression, which
passes when the input equals its value (or is in it, when it is a list); `null` passes null.
Each test's expressions are translated by `engine.expressions` (FEEL); the source this module
builds calls the same null-safe `_fb_*` helpers and reads the input as `INPUT`.
"""

from __future__ import annotations

import ast
import re

from ..expressions import feel, translate

INPUT = "_fb_input"
"""The name the compiled source reads the input value from (the evaluation's extra context)."""

_PLACEHOLDER = "fbDmnInputValue"
"""What `?` becomes before translation (FEEL's translator has no `?`); then it becomes INPUT."""
_STRING_OR_MARK = re.compile(r'"(?:[^"\\]|\\.)*"|\?')
_COMPARISONS = ("<", "<=", ">", ">=", "=", "!=")
_OPENING = ("[", "]", "(")
_CLOSING = ("]", "[", ")")


def compile_unary_tests(text: str) -> str | None:
    """Python source true when the input passes the FEEL unary tests `text`; None for `-`.

    Raises feel.Refusal (or translate.UnsupportedExpression) naming what it cannot translate.
    """
    text = _STRING_OR_MARK.sub(lambda m: f" {_PLACEHOLDER} " if m.group() == "?" else m.group(), text)
    tokens = feel.tokenize(text)
    if len(tokens) == 1 or (len(tokens) == 2 and tokens[0].text == "-"):
        return None
    negated = _is_negation(tokens)
    if negated:
        tokens = tokens[2:-2] + tokens[-1:]
        if len(tokens) == 1:
            raise feel.Refusal("'not()' holds no test")
    tests = [_test(text, part) for part in split(tokens)]
    node: ast.expr = tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.Or(), values=tests)
    if negated:
        node = ast.UnaryOp(op=ast.Not(), operand=node)
    return ast.unparse(node)


def literals(text: str) -> list[object]:
    """The values of a list of FEEL literals (`"low","medium","high"`), as output values give them."""
    tokens = feel.tokenize(text)
    found = []
    for part in split(tokens):
        source = translate(_text(text, part), "feel")
        try:
            found.append(ast.literal_eval(source))
        except ValueError:
            raise feel.Refusal(f"{_text(text, part)!r} is not a literal") from None
    return found


def split(tokens: list[feel.Token]) -> list[list[feel.Token]]:
    """The tokens of each comma-separated test (a range's brackets need not balance: `]1..3[`)."""
    parts, start, last = [], 0, len(tokens) - 1  # tokens[last] is the end token
    while start < last:
        end = _range_end(tokens, start)
        if end is None:
            end = _item_end(tokens, start)
        if end == start:
            raise feel.Refusal(f"a test is missing before {feel.describe(tokens[start])}")
        parts.append(tokens[start:end])
        if end < last and end + 1 == last:
            raise feel.Refusal("a test is missing after the last ','")
        start = end + 1
    return parts


def _is_negation(tokens: list[feel.Token]) -> bool:
    if len(tokens) < 4 or tokens[0].text != "not" or tokens[1].text != "(" or tokens[-2].text != ")":
        return False
    try:
        return _item_end(tokens, 1, stop_at_comma=False) == len(tokens) - 1
    except feel.Refusal:  # ranges like ]1..3[ unbalance the brackets: the end is what counts
        return True


def _item_end(tokens: list[feel.Token], start: int, stop_at_comma: bool = True) -> int:
    """The index of the ',' (or end token) that ends the test starting at `start`."""
    depth = 0
    for index in range(start, len(tokens) - 1):
        token = tokens[index]
        if token.kind != "op":
            continue
        if token.text in ("(", "[", "{"):
            depth += 1
        elif token.text in (")", "]", "}"):
            depth -= 1
            if depth < 0:
                raise feel.Refusal(f"unbalanced {feel.describe(token)}")
        elif token.text == "," and depth == 0 and stop_at_comma:
            return index
    return len(tokens) - 1


def _range_end(tokens: list[feel.Token], start: int) -> int | None:
    """The index of the ',' (or end) after the range starting at `start`, or None if none starts there."""
    if tokens[start].kind != "op" or tokens[start].text not in _OPENING:
        return None
    depth, dots = 0, None
    for index in range(start + 1, len(tokens) - 1):
        token = tokens[index]
        follows = tokens[index + 1]
        ends = follows.kind == "end" or follows.text == ","
        if token.kind != "op":
            continue
        if depth == 0 and dots is not None and token.text in _CLOSING and (ends or token.text != "["):
            return index + 1 if ends else None
        if token.text in ("(", "[", "{"):
            depth += 1
        elif token.text in (")", "]", "}"):
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0 and token.text == "..":
            dots = index
        elif depth == 0 and token.text == ",":
            return None
    return None


def _text(text: str, tokens: list[feel.Token]) -> str:
    return text[tokens[0].pos : tokens[-1].end]


def _feel(text: str) -> ast.expr:
    """The Python `ast` of a FEEL expression, `?` reading the input value."""
    node = ast.parse(translate(text, "feel"), mode="eval").body
    return _InputMark().visit(node)


def _test(text: str, tokens: list[feel.Token]) -> ast.expr:
    """One test as a Python boolean expression."""
    first = tokens[0]
    if first.kind == "op" and first.text in _OPENING and tokens[-1].text in _CLOSING and len(tokens) > 3:
        dots = _depth_zero_dots(tokens)
        if dots is not None:
            low, high = _text(text, tokens[1:dots]), _text(text, tokens[dots + 1 : -1])
            closed = (ast.Constant(first.text == "["), ast.Constant(tokens[-1].text == "]"))
            return _in(feel.call("_fb_range", _feel(low), _feel(high), *closed))
    if first.kind == "op" and first.text in _COMPARISONS:
        if len(tokens) == 1:
            raise feel.Refusal(f"nothing to compare with after {first.text!r}")
        return _in(feel.call("_fb_test", ast.Constant(first.text), _feel(_text(text, tokens[1:]))))
    node = _feel(_text(text, tokens))
    if any(isinstance(sub, ast.Name) and sub.id == INPUT for sub in ast.walk(node)):
        return ast.Compare(left=node, ops=[ast.Is()], comparators=[ast.Constant(True)])
    return _in(node)


def _depth_zero_dots(tokens: list[feel.Token]) -> int | None:
    depth = 0
    for index, token in enumerate(tokens[1:-1], start=1):
        if token.text in ("(", "[", "{"):
            depth += 1
        elif token.text in (")", "]", "}"):
            depth -= 1
        elif token.text == ".." and depth == 0:
            return index
    return None


def _in(test: ast.expr) -> ast.expr:
    return feel.call("_fb_in", ast.Name(id=INPUT, ctx=ast.Load()), test)


class _InputMark(ast.NodeTransformer):
    """`_fb_var('fbDmnInputValue')` (a `?`) becomes the input's name."""

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        first = node.args[0] if node.args else None
        marked = isinstance(first, ast.Constant) and first.value == _PLACEHOLDER
        if feel.helper_of(node) == "_fb_var" and marked:
            return ast.Name(id=INPUT, ctx=ast.Load())
        return node
