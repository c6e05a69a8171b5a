"""The FEEL (Camunda 8) translator: a tokenizer and a recursive-descent parser that build a Python `ast`
calling the null-safe `_fb_*` helpers of `engine.expressions.translate`. It also holds the parsing
pieces the JUEL translator shares.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from .feel_functions import SIGNATURES, VARIADIC
from .feel_values import TYPES


class Refusal(Exception):
    """Why an expression cannot be translated; the caller adds the expression's text."""


class Token(NamedTuple):
    """One lexical token: kind is 'num', 'str', 'name', 'op' or 'end'."""

    kind: str
    text: str
    pos: int
    end: int


def call(name: str, *args: ast.expr) -> ast.Call:
    """An `ast` call of the helper or name `name`."""
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


def scoped(body: ast.expr) -> ast.Lambda:
    """`lambda _fb_scope: body`, which a helper calls once per list item with the names bound for it.

    Names in `body` are `_fb_var` lookups, which read `_fb_scope` when they find it: a lambda's own
    globals would not see the task's variables when those are eval's separate locals.
    """
    arguments = ast.arguments(
        posonlyargs=[], args=[ast.arg(arg="_fb_scope")], kwonlyargs=[], kw_defaults=[], defaults=[]
    )
    return ast.Lambda(args=arguments, body=body)


def helper_of(node: ast.expr) -> str | None:
    """The name of the function `node` calls, if it is a call of a plain name."""
    return node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else None


def describe(token: Token) -> str:
    """A token as an error message names it."""
    return "the end of the expression" if token.kind == "end" else f"{token.text!r} at position {token.pos}"


_TOKEN = re.compile(
    r"""(?P<ws>\s+|//[^\n]*|/\*.*?\*/)
    |(?P<num>\d+(?:\.\d+)?|\.\d+)
    |(?P<str>"(?:[^"\\]|\\.)*")
    |(?P<name>[^\W\d]\w*)
    |(?P<op>\.\.|\*\*|<=|>=|!=|==|[-+*/<>=.,:()\[\]{}@])""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {'"': '"', "\\": "\\", "'": "'", "n": "\n", "t": "\t", "r": "\r", "f": "\f", "/": "/"}
_REGEX_ESCAPES = set("dDsSwWbBpP.[](){}*+?|^$-")
"""Escapes feel-scala keeps as written, so regular expressions can be written `"\\d+"`."""
_KEYWORDS = {"and", "or", "if", "then", "else", "for", "in", "return", "some", "every", "satisfies"}
_KEYWORDS |= {"between", "instance", "of", "function", "true", "false", "null"}


def tokenize(text: str) -> list[Token]:
    """The tokens of a FEEL expression, ending with an 'end' token."""
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            if char == '"':
                raise Refusal(f"unterminated string at position {pos}")
            if char == "'":
                raise Refusal("FEEL strings use double quotes")
            raise Refusal(f"unexpected character {char!r} at position {pos}")
        kind = match.lastgroup or "ws"
        if kind != "ws":
            tokens.append(Token(kind, match.group(), pos, match.end()))
        pos = match.end()
    tokens.append(Token("end", "", pos, pos))
    return tokens


def _unescape(literal: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] == "u":
            return chr(int(code[1:], 16))
        if code in _ESCAPES:
            return _ESCAPES[code]
        if code in _REGEX_ESCAPES:
            return "\\" + code
        raise Refusal(f"unknown escape '\\{code}' in a string")

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|.)", replace, literal[1:-1], flags=re.DOTALL)


class TokenParser:
    """Token navigation shared by the FEEL and JUEL parsers; subclasses define `expression`."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def at(self, *texts: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind in ("op", "name") and token.text in texts

    def take(self) -> Token:
        token = self.peek()
        self.i += 1
        return token

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise Refusal(f"expected {text!r} but found {describe(self.peek())}")
        return self.take()

    def parse(self) -> ast.expr:
        if self.peek().kind == "end":
            raise Refusal("empty expression")
        node = self.expression()
        if self.peek().kind != "end":
            raise Refusal(f"unexpected {describe(self.peek())}")
        return node

    def expression(self) -> ast.expr:
        """The Python `ast` of the expression starting at the current token."""
        raise NotImplementedError


class _Parser(TokenParser):
    def __init__(self, text: str) -> None:
        super().__init__(text, tokenize(text))
        # Entry names of the contexts being parsed: FEEL lets later entries see earlier ones.
        self.entries: list[_Entries] = []

    def expression(self) -> ast.expr:
        if self.at("if"):
            self.take()
            test = self.expression()
            self.expect("then")
            body = self.expression()
            self.expect("else")
            orelse = self.expression()
            check = ast.Compare(left=test, ops=[ast.Is()], comparators=[ast.Constant(True)])
            return ast.IfExp(test=check, body=body, orelse=orelse)
        if self.at("some", "every", "for"):
            return self.iteration(self.take().text)
        if self.at("function"):
            raise Refusal("function definitions are only supported as arguments, as sort()'s precedes")
        return self.chain("or", "_fb_or", self.conjunction)

    def iteration(self, kind: str) -> ast.expr:
        contexts = []
        while True:
            name = self.take()
            if name.kind != "name" or name.text in _KEYWORDS or name.text.startswith("_"):
                raise Refusal(f"expected a variable name after '{kind}' but found {describe(name)}")
            self.expect("in")
            source = self.additive()
            if self.at(".."):
                self.take()
                source = call("_fb_span", source, self.additive())
            contexts.append((name.text, source))
            if not self.at(","):
                break
            self.take()
        self.expect("return" if kind == "for" else "satisfies")
        node = self.expression()
        if kind == "for":
            pairs = [part for name_text, source in contexts for part in (ast.Constant(name_text), source)]
            return call("_fb_for", scoped(node), *pairs)
        for name_text, source in reversed(contexts):
            node = call(f"_fb_{kind}", source, ast.Constant(name_text), scoped(node))
        return node

    def chain(self, word: str, helper: str, operand: Callable[[], ast.expr]) -> ast.expr:
        items = [operand()]
        while self.at(word):
            self.take()
            items.append(operand())
        return items[0] if len(items) == 1 else call(helper, *items)

    def conjunction(self) -> ast.expr:
        return self.chain("and", "_fb_and", self.comparison)

    def comparison(self) -> ast.expr:
        left = self.additive()
        if self.at("=", "!=", "<", "<=", ">", ">="):
            op = self.take().text
            return call("_fb_cmp", left, ast.Constant(op), self.additive())
        if self.at("=="):
            raise Refusal("'==' is not FEEL; equality is '='")
        if self.at("between"):
            self.take()
            low = self.additive()
            self.expect("and")
            return call("_fb_between", left, low, self.additive())
        if self.at("in"):
            self.take()
            if self.at("(") and not self.at_range():
                tests = self.items("(", ")", self.unary_test)
            else:
                tests = [self.unary_test()]
            return call("_fb_in", left, *tests)
        if self.at("instance"):
            self.take()
            self.expect("of")
            return call("_fb_instance", left, ast.Constant(self.type_name()))
        return left

    def type_name(self) -> str:
        """The type after `instance of`, one of FEEL's named types (no `list<…>` or `context<…>`)."""
        for name in sorted(TYPES, key=len, reverse=True):
            words = name.split()
            if all(self.peek(k).text == word for k, word in enumerate(words)):
                self.i += len(words)
                if self.at("<"):
                    raise Refusal(f"the type '{name}<…>' is not supported after 'instance of'")
                return name
        raise Refusal(f"expected a type after 'instance of' but found {describe(self.peek())}")

    def at_range(self) -> bool:
        start = self.i
        try:
            self.take()
            self.additive()
            return self.at("..")
        except Refusal:
            return False
        finally:
            self.i = start

    def unary_test(self) -> ast.expr:
        if self.at("<", "<=", ">", ">="):
            op = self.take().text
            return call("_fb_test", ast.Constant(op), self.additive())
        if self.at("[", "(", "]"):
            start = self.i
            opening = self.take().text
            low = self.additive()
            if self.at(".."):
                self.take()
                high = self.additive()
                if not self.at("]", ")", "["):
                    raise Refusal(f"expected the end of a range but found {describe(self.peek())}")
                closing = self.take().text
                closed = (ast.Constant(opening == "["), ast.Constant(closing == "]"))
                return call("_fb_range", low, high, *closed)
            self.i = start
        return self.additive()

    def binary(self, ops: tuple[str, ...], operand: Callable[[], ast.expr]) -> ast.expr:
        left = operand()
        while self.at(*ops):
            op = self.take().text
            left = call("_fb_arith", left, ast.Constant(op), operand())
        return left

    def additive(self) -> ast.expr:
        return self.binary(("+", "-"), self.multiplicative)

    def multiplicative(self) -> ast.expr:
        return self.binary(("*", "/"), self.power)

    def power(self) -> ast.expr:
        return self.binary(("**",), self.unary)

    def unary(self) -> ast.expr:
        if not self.at("-"):
            return self.postfix()
        self.take()
        operand = self.unary()
        value = operand.value if isinstance(operand, ast.Constant) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return ast.Constant(-value)
        return call("_fb_neg", operand)

    def postfix(self) -> ast.expr:
        node = self.primary()
        while True:
            if self.at("."):
                self.take()
                words = self.words()
                if not words:
                    raise Refusal(f"expected a name after '.' but found {describe(self.peek())}")
                node = call("_fb_path", node, ast.Constant(" ".join(words)))
            elif self.at("["):
                self.take()
                inner = self.expression()
                self.expect("]")
                if _is_boolean(inner) or _mentions_item(inner):
                    node = call("_fb_filter", node, scoped(inner))
                else:
                    node = call("_fb_index", node, inner)
            elif self.at("("):
                raise Refusal(f"calling a value at position {self.peek().pos} is not supported")
            else:
                return node

    def primary(self) -> ast.expr:
        token = self.peek()
        if token.kind == "num":
            self.take()
            return ast.Constant(float(token.text) if "." in token.text else int(token.text))
        if token.kind == "str":
            self.take()
            return ast.Constant(_unescape(token.text))
        if self.at("true", "false", "null"):
            self.take()
            return ast.Constant({"true": True, "false": False, "null": None}[token.text])
        if self.at("@") and self.peek(1).kind == "str":
            self.take()
            return call("_fb_call", ast.Constant("@"), ast.Constant(_unescape(self.take().text)))
        if self.at("("):
            self.take()
            node = self.expression()
            self.expect(")")
            return node
        if self.at("["):
            return ast.List(elts=self.items("[", "]", self.expression), ctx=ast.Load())
        if self.at("{"):
            return self.context()
        if self.at("and", "or") and self.at("(", ahead=1):
            return self.function(self.take().text)
        if token.kind == "name":
            return self.name()
        raise Refusal(f"unexpected {describe(token)}")

    def items(self, opening: str, closing: str, item: Callable[[], Any]) -> list[Any]:
        self.expect(opening)
        found = []
        while not self.at(closing):
            found.append(item())
            if self.at(".."):
                raise Refusal("ranges are only supported after 'in'")
            if not self.at(closing):
                self.expect(",")
        self.take()
        return found

    def context(self) -> ast.expr:
        self.entries.append(_Entries(set(), False))
        entries = self.items("{", "}", self.entry)
        sequential = self.entries.pop().sequential
        if sequential:
            # Later entries see earlier ones: built entry by entry by a helper.
            pairs = [part for key, value in entries for part in (ast.Constant(key), scoped(value))]
            return call("_fb_context", *pairs)
        keys: list[ast.expr | None] = [ast.Constant(key) for key, _ in entries]
        return ast.Dict(keys=keys, values=[value for _, value in entries])

    def entry(self) -> tuple[str, ast.expr]:
        if self.peek().kind == "str":
            key = _unescape(self.take().text)
        else:
            words = []
            while self.peek().kind == "name":
                words.append(self.take().text)
            if not words:
                raise Refusal(f"expected a context key but found {describe(self.peek())}")
            key = " ".join(words)
        self.expect(":")
        value = self.expression()
        self.entries[-1].names.add(key)
        return key, value

    def name(self) -> ast.expr:
        for words in _MULTIWORD:
            if all(self.peek(k).text == word for k, word in enumerate(words)) and self.at(
                "(", ahead=len(words)
            ):
                self.i += len(words)
                return self.function(" ".join(words))
        words = self.words()
        if not words:
            raise Refusal(f"unexpected {describe(self.peek())}")
        name = " ".join(words)
        if self.at("("):
            return self.function(name)
        if words[0] == "not":
            raise Refusal("FEEL negation is written 'not(x)'")
        if name.startswith("_"):
            raise Refusal(f"name {name!r} starts with '_', which Flowbridge reserves")
        for entries in reversed(self.entries):
            if name in entries.names:
                self.entries[self.entries.index(entries)] = entries._replace(sequential=True)
                break
        return call("_fb_var", ast.Constant(name))

    def words(self) -> list[str]:
        # FEEL names may contain spaces; two names in a row are otherwise a syntax error, so join them.
        words = []
        while self.peek().kind == "name" and self.peek().text not in _KEYWORDS:
            words.append(self.take().text)
        return words

    def function(self, name: str) -> ast.expr:
        if name not in SIGNATURES and name != "is defined":
            raise Refusal(f"function '{name}()' is not supported")
        named = self.peek(1).kind == "name" and self.at_named_argument(1)
        if named:
            pairs = self.items("(", ")", self.named_argument)
            args = _arrange(name, dict(pairs), len(pairs))
            if name in _SPREAD:
                # A named repeating parameter is a list of the values: `union(lists: [[1], [2]])`.
                return call("_fb_spread", ast.Constant(name), *args)
        else:
            args = self.items("(", ")", self.argument)
        if name == "is defined":
            path = _path_of(args[0]) if len(args) == 1 else None
            if path is None:
                raise Refusal("'is defined()' takes one variable or path like 'a.b'")
            return call("_fb_defined", *(ast.Constant(part) for part in path))
        counts = {len(params) for params in SIGNATURES[name]}
        if len(args) not in counts and not (name in VARIADIC and len(args) >= min(counts)):
            raise Refusal(f"'{name}()' does not take {len(args)} argument(s)")
        return call("_fb_call", ast.Constant(name), *args)

    def at_named_argument(self, ahead: int) -> bool:
        while self.peek(ahead).kind == "name":
            ahead += 1
        return self.at(":", ahead=ahead)

    def named_argument(self) -> tuple[str, ast.expr]:
        words = []
        while self.peek().kind == "name":
            words.append(self.take().text)
        if not words or not self.at(":"):
            raise Refusal(f"expected a named argument but found {describe(self.peek())}")
        self.take()
        return " ".join(words), self.argument()

    def argument(self) -> ast.expr:
        """An argument, which may be a `function(a, b) body` (as `sort()`'s precedes is)."""
        if not self.at("function"):
            return self.expression()
        self.take()
        names = self.items("(", ")", self.take)
        for token in names:
            if token.kind != "name" or token.text in _KEYWORDS or token.text.startswith("_"):
                raise Refusal(f"expected a parameter name but found {describe(token)}")
        return call("_fb_function", scoped(self.expression()), *(ast.Constant(t.text) for t in names))


class _Entries(NamedTuple):
    """The entry names of a context being parsed; `sequential` once an entry refers to an earlier one."""

    names: set[str]
    sequential: bool


def _arrange(name: str, given: dict[str, ast.expr], count: int) -> list[ast.expr]:
    """Named arguments in the order of the overload they name; refused when none has those names."""
    if len(given) != count:
        raise Refusal(f"an argument of '{name}()' is named twice")
    if name == "is defined":
        overloads: tuple[tuple[str, ...], ...] = (("value",),)
    else:
        overloads = SIGNATURES[name]
    for params in overloads:
        if set(params) == set(given):
            return [given[param] for param in params]
    expected = " or ".join(", ".join(params) for params in overloads)
    raise Refusal(f"'{name}()' takes the named arguments {expected}, not {', '.join(given)}")


def _is_boolean(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    helper = helper_of(node)
    if helper == "_fb_call" and isinstance(node, ast.Call):
        first = node.args[0]
        return isinstance(first, ast.Constant) and first.value in _BOOLEAN_BUILTINS
    return helper in {
        "_fb_cmp",
        "_fb_and",
        "_fb_or",
        "_fb_between",
        "_fb_in",
        "_fb_defined",
        "_fb_instance",
        "_fb_some",
        "_fb_every",
    }


def _mentions_item(node: ast.expr) -> bool:
    return any(
        isinstance(sub, ast.Call) and helper_of(sub) == "_fb_var" and ast.literal_eval(sub.args[0]) == "item"
        for sub in ast.walk(node)
    )


def _path_of(node: ast.expr) -> list[str] | None:
    helper = helper_of(node)
    if not isinstance(node, ast.Call) or helper not in ("_fb_var", "_fb_path"):
        return None
    key = node.args[-1]
    if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
        return None
    if helper == "_fb_var":
        return [key.value]
    base = _path_of(node.args[0])
    return None if base is None else [*base, key.value]


def translate(body: str) -> str:
    """Python source for the FEEL expression `body` (without its leading '=')."""
    return ast.unparse(_Parser(body).parse())


_MULTIWORD = sorted((name.split() for name in SIGNATURES if " " in name), key=len, reverse=True)
_SPREAD = {"append", "concatenate", "union"}
"""Built-ins whose repeating parameter, when named, holds a list of its values."""
_BOOLEAN_BUILTINS = {"not", "contains", "starts with", "ends with", "list contains", "matches", "is blank"}
_BOOLEAN_BUILTINS |= {"is empty", "odd", "even", "and", "all", "or", "any"}
