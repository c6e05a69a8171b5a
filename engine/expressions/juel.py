"""The JUEL (Camunda 7) translator and its runtime helpers.

Names become plain Python names, so an unset variable raises NameError as it does in Camunda 7. Operators
follow the Unified EL's coercions (null is 0 in arithmetic and false in logic, `<` with null is false), which
the `_fb_*` helpers below implement; property reads go through `_fb_get`, never Python attribute access.
Method calls, `now()`/`dateTime()` and the `execution`/`task` views are engine.expressions.juel_objects':
a method outside its list is refused here, at deploy time, by the call's text.
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

from . import juel_objects
from .feel import Refusal, Token, TokenParser, call, describe, helper_of
from .juel_objects import to_text

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
# Java methods on strings, lists, maps and dates that have no side effects (engine.expressions.juel_objects).
_METHODS = {name: method.arities for name, method in juel_objects.METHODS.items()}
_BOOLEAN_METHODS = {name for name, method in juel_objects.METHODS.items() if method.boolean}
_EXECUTION_GETTERS = juel_objects.getters(juel_objects.EXECUTION)
_TASK_GETTERS = juel_objects.getters(juel_objects.TASK)
_VARIABLE_METHODS = {"getVariable": "_fb_el_var", "getVariableLocal": "_fb_el_var"}
_VARIABLE_METHODS |= {"hasVariable": "_fb_el_has", "hasVariableLocal": "_fb_el_has"}
_TASK_NAMES = set(juel_objects.TASK) | set(_TASK_GETTERS) | set(_VARIABLE_METHODS)
_EXECUTION_OFFER = "it offers " + ", ".join(
    [
        *juel_objects.EXECUTION,
        *(f"{name}()" for name in [*_EXECUTION_GETTERS, *_VARIABLE_METHODS, "setVariable"]),
    ]
)
_BOOLEAN_HELPERS = {"_fb_el_bool", "_fb_el_eq", "_fb_el_cmp", "_fb_empty", "_fb_el_has"}


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
        if self.at("execution"):
            node = self.execution()
        elif self.at("task") and self.at(".", ahead=1) and self.peek(2).text in _TASK_NAMES:
            node = self.task()
        else:
            node = self.primary()
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
            raise Refusal(f"method call '{self.call_text(start)}' is not supported")
        args = self.arguments()
        snippet = self.text[start : self.peek(-1).end]
        if len(args) not in _METHODS[name]:
            counts = " or ".join(map(str, _METHODS[name]))
            raise Refusal(f"'{name}()' takes {counts} argument(s) in '{snippet}'")
        return call("_fb_el_call", receiver, ast.Constant(name), *args)

    def call_text(self, start: int) -> str:
        """The text of the call whose '(' is the current token, from `start` to its ')', found
        before its arguments are parsed, so a refusal is about the call, not its arguments."""
        end, depth = self.i, 0
        while self.tokens[end].kind != "end":
            if self.tokens[end].kind == "op":
                depth += {"(": 1, ")": -1}.get(self.tokens[end].text, 0)
            if depth == 0:
                break
            end += 1
        return self.text[start : self.tokens[end].end]

    def execution(self) -> ast.expr:
        """`execution.property`, its getter, or `execution.getVariable(name)` and the like."""
        start = self.take().pos
        if not (self.at(".") and self.peek(1).kind == "name"):
            raise Refusal(f"the Camunda 7 'execution' object itself is not available; {_EXECUTION_OFFER}")
        self.take()
        name = self.take().text
        if not self.at("("):
            if name in juel_objects.EXECUTION:
                return call("_fb_el_execution", ast.Constant(name))
            raise Refusal(f"'execution.{name}' is not available; {_EXECUTION_OFFER}")
        if name in _VARIABLE_METHODS:
            return self.variable_call(name, start)
        if name == "setVariable":
            return self.set_variable(start)
        if name in _EXECUTION_GETTERS:
            return self.getter(name, start, "_fb_el_execution", _EXECUTION_GETTERS[name])
        raise Refusal(f"'{self.call_text(start)}' is not supported; {_EXECUTION_OFFER}")

    def task(self) -> ast.expr:
        """`task.property` or its getter on a user task (else the variable `task`'s property)."""
        start = self.take().pos
        self.take()
        name = self.take().text
        if name in _VARIABLE_METHODS and self.at("("):
            return self.variable_call(name, start)
        if name in _TASK_GETTERS and self.at("("):
            return self.getter(name, start, "_fb_el_task", _TASK_GETTERS[name])
        if name in juel_objects.TASK and not self.at("("):
            return call("_fb_el_task", ast.Constant(name))
        raise Refusal(f"method call '{self.call_text(start)}' is not supported")

    def getter(self, name: str, start: int, helper: str, prop: str) -> ast.expr:
        if self.arguments():
            raise Refusal(f"'{name}()' takes 0 argument(s) in '{self.text[start : self.peek(-1).end]}'")
        return call(helper, ast.Constant(prop))

    def variable_call(self, name: str, start: int) -> ast.expr:
        """`getVariable(name)` and `hasVariable(name)` (and their `…Local` twins, which read the same
        variables: a Flowbridge element's locals are already among the variables it sees)."""
        args = self.arguments()
        snippet = self.text[start : self.peek(-1).end]
        if len(args) != 1:
            raise Refusal(f"'{name}()' takes 1 argument(s) in '{snippet}'")
        literal = args[0].value if isinstance(args[0], ast.Constant) else None
        if isinstance(literal, str) and literal.startswith("_"):
            raise Refusal(f"variable name {literal!r} starts with '_', which Flowbridge reserves")
        if isinstance(args[0], ast.Constant) and not (isinstance(literal, str) and literal):
            raise Refusal(f"'{name}()' takes a variable name in '{snippet}'")
        # A name computed at run time is checked then (_fb_el_var, _fb_el_has).
        return call(_VARIABLE_METHODS[name], args[0])

    def set_variable(self, start: int) -> ast.expr:
        """`execution.setVariable(name, value)`, which Camunda 7's scripts and listeners use."""
        args = self.arguments()
        snippet = self.text[start : self.peek(-1).end]
        if len(args) != 2:
            raise Refusal(f"'setVariable()' takes 2 argument(s) in '{snippet}'")
        literal = args[0].value if isinstance(args[0], ast.Constant) else None
        if isinstance(args[0], ast.Constant) and not (isinstance(literal, str) and literal):
            raise Refusal(f"'setVariable()' takes a variable name in '{snippet}'")
        if isinstance(literal, str) and literal.startswith("_"):
            raise Refusal(f"variable name {literal!r} starts with '_', which Flowbridge reserves")
        return call("_fb_el_set", *args)

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
        if self.at("(") and token.text in juel_objects.FUNCTIONS_WITHOUT_ARGUMENTS:
            if self.arguments():
                raise Refusal(f"'{token.text}()' takes no arguments")
            return call("_fb_el_now")
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
    # A text template's part: null is "" (EL's coercion to text).
    return to_text(value)


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
    else:
        # Dates are ISO text here; EL compares them as dates, whatever their precision and offset.
        a, b = juel_objects.date_moments(a, b) or (a, b)
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


def _fb_el_var(name: Any) -> Any:
    """`execution.getVariable(name)`: the variable, or null when it is not set (as in Camunda 7)."""
    value = scope_value(sys._getframe(1), _variable_name(name))
    return None if value is MISSING else value


def _fb_el_has(name: Any) -> bool:
    """`execution.hasVariable(name)`: whether the variable is set."""
    return scope_value(sys._getframe(1), _variable_name(name)) is not MISSING


def _variable_name(name: Any) -> str:
    # scope_value already hides '_' names (Flowbridge's own) and helpers: they read as unset.
    if not isinstance(name, str):
        raise TypeError(f"a variable name must be a string, not {type(name).__name__} {name!r}")
    return name


def _fb_el_task(name: str) -> Any:
    """`task.name` and the like: the user task being evaluated, as Camunda 7 resolves `task` before
    any variable on a task; elsewhere the property of the variable `task`."""
    evaluation = juel_objects.user_task_evaluation()
    if evaluation is not None:
        return juel_objects.TASK[name](evaluation)
    value = scope_value(sys._getframe(1), "task")
    if value is MISSING:
        raise NameError("name 'task' is not defined (there is no user task here, nor a variable 'task')")
    return _fb_get(value, name)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    **{name: value for name, value in globals().items() if name.startswith("_fb_")},
    **juel_objects.FUNCTIONS,
}
"""The runtime helpers JUEL translations call, by the names the generated source uses."""
