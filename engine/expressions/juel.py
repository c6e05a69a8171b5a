"""The JUEL (Camunda 7) translator and its runtime helpers.

Names become plain Python names, so an unset variable raises NameError as it does in Camunda 7. Operators
follow the Unified EL's coercions (null is 0 in arithmetic and false in logic, `<` with null is false), which
the `_fb_*` helpers below implement; property reads go through `_fb_get`, never Python attribute access.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
import sys
import unicodedata
from collections import ChainMap
from collections.abc import Callable
from types import FrameType, ModuleType
from typing import Any

from .feel import Refusal, Token, TokenParser, call, describe, helper_of

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<num>(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+)
    |(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<name>(?:[^\W\d]|\$)(?:\w|\$)*)
    |(?P<op>->|\+=|==|!=|<=|>=|&&|\|\||[-+*/%<>!?:.,()\[\]{;=])""",
    re.VERBOSE | re.DOTALL,
)
_RESERVED = {"and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge", "true", "false", "null", "empty"}
_RESERVED |= {"div", "mod", "instanceof"}
_REFUSED_OPS = {
    "->": "lambda expressions are not supported",
    "+=": "string concatenation with '+=' is not supported",
    "=": "assignment is not supported",
    ";": "';' (several expressions) is not supported",
    "instanceof": "'instanceof' is not supported",
}
_COMPARISONS = {"<": "<", ">": ">", "<=": "<=", ">=": ">=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}
# Java methods on strings, lists and maps that are common in conditions and have no side effects.
_METHODS = dict.fromkeys(("size", "isEmpty", "length", "toUpperCase", "toLowerCase", "trim"), 0)
_METHODS |= dict.fromkeys(
    ("contains", "containsKey", "startsWith", "endsWith", "equals", "equalsIgnoreCase", "get"), 1
)
_BOOLEAN_METHODS = set(_METHODS) - {"size", "length", "toUpperCase", "toLowerCase", "trim", "get"}
_BOOLEAN_HELPERS = {"_fb_el_bool", "_fb_el_eq", "_fb_el_cmp", "_fb_empty", "_fb_has"}


def _tokens(text: str, start: int) -> tuple[list[Token], int]:
    """The tokens of the `${…}` body starting at `start`, and the position after its closing brace."""
    tokens, pos, depth = [], start, 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos] == "}" and depth == 0:
                tokens.append(Token("end", "", pos, pos))
                return tokens, pos + 1
            if text[pos] == "}":
                depth -= 1
                tokens.append(Token("op", "}", pos, pos + 1))
                pos += 1
                continue
            if text[pos] in "'\"":
                raise Refusal(f"unterminated string at position {pos}")
            raise Refusal(f"unexpected character {text[pos]!r} at position {pos}")
        kind = match.lastgroup or "ws"
        depth += match.group() == "{"
        if kind != "ws":
            tokens.append(Token(kind, match.group(), pos, match.end()))
        pos = match.end()
    raise Refusal(f"unterminated '{text[start - 2 : start]}' at position {start - 2}")


def _unescape(literal: str) -> str:
    # EL knows only these three escapes; any other backslash stays as written.
    return re.sub(r"\\([\\'\"])", r"\1", literal[1:-1])


class _Parser(TokenParser):
    def __init__(self, text: str, tokens: list[Token]) -> None:
        super().__init__(text, tokens)
        for token in tokens:
            if token.kind in ("op", "name") and token.text in _REFUSED_OPS:
                raise Refusal(_REFUSED_OPS[token.text])

    def expression(self) -> ast.expr:
        test = self.logical("||", "or", ast.Or(), self.conjunction)
        if not self.at("?"):
            return test
        self.take()
        body = self.expression()
        self.expect(":")
        return ast.IfExp(test=_bool(test), body=body, orelse=self.expression())

    def logical(self, symbol: str, word: str, op: ast.boolop, operand: Callable[[], ast.expr]) -> ast.expr:
        items = [operand()]
        while self.at(symbol, word):
            self.take()
            items.append(operand())
        return items[0] if len(items) == 1 else ast.BoolOp(op=op, values=[_bool(item) for item in items])

    def conjunction(self) -> ast.expr:
        return self.logical("&&", "and", ast.And(), self.equality)

    def equality(self) -> ast.expr:
        left = self.relational()
        while self.at("==", "!=", "eq", "ne"):
            negate = self.take().text in ("!=", "ne")
            left = call("_fb_el_eq", left, self.relational())
            left = ast.UnaryOp(op=ast.Not(), operand=left) if negate else left
        return left

    def relational(self) -> ast.expr:
        left = self.additive()
        while self.at(*_COMPARISONS):
            op = _COMPARISONS[self.take().text]
            left = call("_fb_el_cmp", left, ast.Constant(op), self.additive())
        return left

    def additive(self) -> ast.expr:
        left = self.multiplicative()
        while self.at("+", "-"):
            op = ast.Add() if self.take().text == "+" else ast.Sub()
            left = ast.BinOp(left=_num(left), op=op, right=_num(self.multiplicative()))
        return left

    def multiplicative(self) -> ast.expr:
        left = self.unary()
        while self.at("*", "/", "div", "%", "mod"):
            op = self.take().text
            right = self.unary()
            if op in ("%", "mod"):
                left = call("_fb_el_mod", left, right)
            else:
                left = ast.BinOp(
                    left=_num(left), op=ast.Mult() if op == "*" else ast.Div(), right=_num(right)
                )
        return left

    def unary(self) -> ast.expr:
        if self.at("-"):
            self.take()
            return ast.UnaryOp(op=ast.USub(), operand=_num(self.unary()))
        if self.at("!", "not"):
            self.take()
            return ast.UnaryOp(op=ast.Not(), operand=_bool(self.unary()))
        if self.at("empty"):
            self.take()
            return call("_fb_empty", self.unary())
        return self.postfix()

    def postfix(self) -> ast.expr:
        start = self.peek().pos
        node = self.execution() if self.at("execution") else self.primary()
        while True:
            if self.at("."):
                self.take()
                token = self.take()
                if token.kind != "name":
                    raise Refusal(f"expected a property name after '.' but found {describe(token)}")
                if self.at("("):
                    node = self.method(node, token.text, start)
                else:
                    node = call("_fb_get", node, ast.Constant(token.text))
            elif self.at("["):
                self.take()
                key = self.expression()
                self.expect("]")
                node = call("_fb_get", node, key)
            else:
                return node

    def arguments(self) -> list[ast.expr]:
        self.expect("(")
        args = []
        while not self.at(")"):
            args.append(self.expression())
            if not self.at(")"):
                self.expect(",")
        self.take()
        return args

    def method(self, receiver: ast.expr, name: str, start: int) -> ast.expr:
        if name not in _METHODS:
            # Named before its arguments are parsed, so the refusal is about the call, not its arguments.
            end, depth = self.i, 0
            while self.tokens[end].kind != "end":
                if self.tokens[end].kind == "op":
                    depth += {"(": 1, ")": -1}.get(self.tokens[end].text, 0)
                if depth == 0:
                    break
                end += 1
            raise Refusal(f"method call '{self.text[start : self.tokens[end].end]}' is not supported")
        args = self.arguments()
        snippet = self.text[start : self.peek(-1).end]
        if len(args) != _METHODS[name]:
            raise Refusal(f"'{name}()' takes {_METHODS[name]} argument(s) in '{snippet}'")
        return call("_fb_el_call", receiver, ast.Constant(name), *args)

    def execution(self) -> ast.expr:
        start = self.take().pos
        if self.at(".") and self.peek(1).kind == "name" and self.at("(", ahead=2):
            self.take()
            name = self.take().text
            args = self.arguments()
            literal = args[0].value if len(args) == 1 and isinstance(args[0], ast.Constant) else None
            if name in ("getVariable", "hasVariable") and isinstance(literal, str) and literal:
                if literal.startswith("_"):
                    raise Refusal(f"variable name {literal!r} starts with '_', which Flowbridge reserves")
                helper = "_fb_var" if name == "getVariable" else "_fb_has"
                return call(helper, ast.Constant(literal))
            raise Refusal(f"'{self.text[start : self.peek(-1).end]}' is not supported")
        raise Refusal(
            "the Camunda 7 'execution' object is not available, except execution.getVariable('name')"
        )

    def primary(self) -> ast.expr:
        token = self.take()
        if token.kind == "num":
            is_float = any(mark in token.text for mark in ".eE")
            return ast.Constant(float(token.text) if is_float else int(token.text))
        if token.kind == "str":
            return ast.Constant(_unescape(token.text))
        if token.text in ("true", "false", "null") and token.kind == "name":
            return ast.Constant({"true": True, "false": False, "null": None}[token.text])
        if token.text == "(":
            node = self.expression()
            self.expect(")")
            return node
        if token.text in ("[", "{"):
            raise Refusal("collection literals are not supported")
        if token.kind != "name" or token.text in _RESERVED:
            self.i -= 1
            raise Refusal(f"unexpected {describe(token)}")
        namespaced = self.at(":") and self.peek(1).kind == "name" and self.at("(", ahead=2)
        if self.at("(") or namespaced:
            end = self.peek(2 if namespaced else 0).end
            raise Refusal(f"function call '{self.text[token.pos : end]})' is not supported")
        return _name(token.text)


def _name(name: str) -> ast.expr:
    # Python folds identifiers to NFKC, which would read a different variable than the one named.
    if not name.isidentifier() or unicodedata.normalize("NFKC", name) != name:
        raise Refusal(f"name {name!r} is not a Python identifier")
    if name.startswith("_"):
        raise Refusal(f"name {name!r} starts with '_', which Flowbridge reserves")
    if keyword.iskeyword(name):
        raise Refusal(f"variable name {name!r} is a Python keyword")
    if hasattr(builtins, name):
        # Looked up by name, so an unset variable is an error rather than Python's built-in of that name.
        return call("_fb_need", ast.Constant(name))
    return ast.Name(id=name, ctx=ast.Load())


def _bool(node: ast.expr) -> ast.expr:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node
    if isinstance(node, ast.BoolOp) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
        return node
    if helper_of(node) in _BOOLEAN_HELPERS:
        return node
    if helper_of(node) == "_fb_el_call" and isinstance(node, ast.Call):
        method = node.args[1]
        if isinstance(method, ast.Constant) and method.value in _BOOLEAN_METHODS:
            return node
    return call("_fb_el_bool", node)


def _num(node: ast.expr) -> ast.expr:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node
    if isinstance(node, ast.BinOp) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)):
        return node
    if helper_of(node) in ("_fb_el_num", "_fb_el_mod"):
        return node
    return call("_fb_el_num", node)


_COMPOSITE = re.compile(r"\\[$#]\{|[$#]\{")


def translate(text: str) -> str:
    """Python source for JUEL `text`: one `${…}`/`#{…}` gives its value, anything else a string."""
    text = text.strip()
    parts: list[ast.expr] = []
    literal, pos = "", 0
    for match in _COMPOSITE.finditer(text):
        if match.start() < pos:
            continue
        literal += text[pos : match.start()]
        if match.group().startswith("\\"):
            literal, pos = literal + match.group()[1:], match.end()
            continue
        tokens, pos = _tokens(text, match.end())
        if literal:
            parts.append(ast.Constant(literal))
        parts.append(_Parser(text, tokens).parse())
        literal = ""
    literal += text[pos:]
    if literal or not parts:
        parts.append(ast.Constant(literal))
    if len(parts) == 1:
        return ast.unparse(parts[0])
    pieces: list[ast.expr] = [
        part if isinstance(part, ast.Constant) else call("_fb_str", part) for part in parts
    ]
    node = pieces[0]
    for piece in pieces[1:]:
        node = ast.BinOp(left=node, op=ast.Add(), right=piece)
    return ast.unparse(node)


# ----------------------------------------------------------------------------------------------------
# Runtime helpers.

MISSING: Any = object()
"""What `scope_value` returns for a name the evaluated source cannot see."""


def enclosing_scope(frame: FrameType) -> ChainMap[str, Any]:
    """The names the evaluated source in `frame` sees: a FEEL iteration's `_fb_scope`, else eval's scopes."""
    scope = frame.f_locals.get("_fb_scope")
    return scope if isinstance(scope, ChainMap) else ChainMap(frame.f_locals, frame.f_globals)


def scope_value(frame: FrameType, name: str) -> Any:
    """The variable `name` as the evaluated source in `frame` sees it, or MISSING.

    Helpers, modules and other callables in the evaluation's globals are not process data.
    """
    if name.startswith("_"):
        return MISSING
    for scope in enclosing_scope(frame).maps:
        if name in scope:
            value = scope[name]
            return MISSING if callable(value) or isinstance(value, ModuleType) else value
    return MISSING


def _fb_need(name: str) -> Any:
    # The caller's frame is the evaluated expression, whose locals are the task's variables.
    value = scope_value(sys._getframe(1), name)
    if value is MISSING:
        raise NameError(f"name '{name}' is not defined")
    return value


def _fb_has(name: str) -> bool:
    return scope_value(sys._getframe(1), name) is not MISSING


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fb_el_bool(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return value.lower() == "true"
    raise TypeError(f"cannot coerce {type(value).__name__} {value!r} to a boolean")


def _fb_el_num(value: Any) -> int | float:
    if value is None or value == "":
        return 0
    if _is_number(value):
        return value
    if isinstance(value, str):
        try:
            return int(value) if re.fullmatch(r"\s*[-+]?\d+\s*", value) else float(value)
        except ValueError:
            pass
    raise TypeError(f"cannot coerce {type(value).__name__} {value!r} to a number")


def _fb_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fb_el_eq(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if _is_number(a) or _is_number(b):
        return _fb_el_num(a) == _fb_el_num(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return _fb_el_bool(a) == _fb_el_bool(b)
    if isinstance(a, str) or isinstance(b, str):
        return _fb_str(a) == _fb_str(b)
    return bool(a == b)


def _fb_el_cmp(a: Any, op: str, b: Any) -> bool:
    if a is None or b is None:
        return False
    if _is_number(a) or _is_number(b):
        a, b = _fb_el_num(a), _fb_el_num(b)
    elif not (isinstance(a, str) and isinstance(b, str)):
        raise TypeError(f"cannot compare {type(a).__name__} with {type(b).__name__}")
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def _fb_el_mod(a: Any, b: Any) -> int | float:
    a, b = _fb_el_num(a), _fb_el_num(b)
    # Java's remainder takes the dividend's sign; Python's modulo takes the divisor's.
    remainder = abs(a) % abs(b)
    return -remainder if a < 0 else remainder


def _fb_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict | tuple) and len(value) == 0)


def _fb_get(base: Any, key: Any) -> Any:
    if base is None:
        return None
    if isinstance(base, dict):
        return base.get(key)
    if isinstance(base, list):
        index = int(_fb_el_num(key))
        return base[index] if 0 <= index < len(base) else None
    raise TypeError(f"cannot read property {key!r} of {type(base).__name__} {base!r}")


def _text(value: Any, method: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"'{method}()' needs a string, not {type(value).__name__}")
    return value


def _sized(value: Any, method: str, kinds: tuple[type, ...]) -> Any:
    if not isinstance(value, kinds):
        raise TypeError(f"'{method}()' cannot be called on {type(value).__name__}")
    return value


def _item(items: list[Any], index: Any) -> Any:
    if not _is_number(index) or not 0 <= index < len(items) or index != int(index):
        raise IndexError(f"index {index!r} is out of range for a list of {len(items)}")
    return items[int(index)]


_CALLS: dict[str, Callable[..., Any]] = {
    "size": lambda x: len(_sized(x, "size", (list, dict))),
    "isEmpty": lambda x: len(_sized(x, "isEmpty", (list, dict, str))) == 0,
    "length": lambda x: len(_text(x, "length")),
    "toUpperCase": lambda x: _text(x, "toUpperCase").upper(),
    "toLowerCase": lambda x: _text(x, "toLowerCase").lower(),
    "trim": lambda x: _text(x, "trim").strip(),
    "contains": lambda x, y: (
        (_text(y, "contains") if isinstance(x, str) else y) in _sized(x, "contains", (list, str))
    ),
    "containsKey": lambda x, y: y in _sized(x, "containsKey", (dict,)),
    "startsWith": lambda x, y: _text(x, "startsWith").startswith(_text(y, "startsWith")),
    "endsWith": lambda x, y: _text(x, "endsWith").endswith(_text(y, "endsWith")),
    "equals": lambda x, y: type(x) is type(y) and x == y,
    "equalsIgnoreCase": lambda x, y: isinstance(y, str) and _text(x, "equalsIgnoreCase").lower() == y.lower(),
    "get": lambda x, y: _item(x, y) if isinstance(x, list) else _sized(x, "get", (dict,)).get(y),
}


def _fb_el_call(receiver: Any, method: str, *args: Any) -> Any:
    if receiver is None:
        raise TypeError(f"cannot call '{method}()' on null")
    return _CALLS[method](receiver, *args)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: value for name, value in globals().items() if name.startswith("_fb_")
}
"""The runtime helpers JUEL translations call (besides `_fb_var`), by the names the generated source uses."""
