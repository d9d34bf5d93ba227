"""A small, safe expression language for policy conditions and limits.

Policies are written by companies we have never seen, so conditions are parsed into a tree and evaluated
by this module: no ``eval``, no attribute access on Python objects, no loops. Grammar::

    expr     := or
    or       := and ("or" and)*
    and      := not ("and" not)*
    not      := "not" not | compare
    compare  := sum (("=="|"!="|">"|">="|"<"|"<="|"in"|"not in") sum)?
    sum      := product (("+"|"-") product)*
    product  := unary (("*"|"/") unary)*
    unary    := "-" unary | atom
    atom     := NUMBER | 'string' | "string" | true | false | none | NAME(.NAME)* | NAME "(" args ")"
              | "(" expr ")" | "[" items "]"

Missing values are ``none``. Arithmetic and functions on ``none`` give ``none``; an ordering comparison with
``none`` is false, so ``base_salary > band.max`` is simply false when there is no band.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

Resolver = Callable[[tuple[str, ...]], Any]


class ExpressionError(ValueError):
    """An expression that cannot be parsed, or that failed while being evaluated."""


_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<string>'[^']*'|\"[^\"]*\")"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)"
    r"|(?P<op>==|!=|>=|<=|[-+*/<>()\[\],]))"
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "none"}
_COMPARISONS = {"==", "!=", ">", ">=", "<", "<=", "in", "not in"}


@dataclass(frozen=True)
class Node:
    def names(self) -> set[tuple[str, ...]]:
        return set()


@dataclass(frozen=True)
class Literal(Node):
    value: Any


@dataclass(frozen=True)
class Name(Node):
    path: tuple[str, ...]

    def names(self) -> set[tuple[str, ...]]:
        return {self.path}


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node

    def names(self) -> set[tuple[str, ...]]:
        return self.operand.names()


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node

    def names(self) -> set[tuple[str, ...]]:
        return self.left.names() | self.right.names()


@dataclass(frozen=True)
class BoolOp(Node):
    op: str
    operands: tuple[Node, ...]

    def names(self) -> set[tuple[str, ...]]:
        return set().union(*(o.names() for o in self.operands))


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]

    def names(self) -> set[tuple[str, ...]]:
        found: set[tuple[str, ...]] = set().union(*(a.names() for a in self.args)) if self.args else set()
        if self.func == "changed":
            found |= {("previous", *n) for n in found if n[0] not in {"terms", "previous"}}
        return found


@dataclass(frozen=True)
class ListExpr(Node):
    items: tuple[Node, ...]

    def names(self) -> set[tuple[str, ...]]:
        return set().union(*(i.names() for i in self.items)) if self.items else set()


@dataclass(frozen=True)
class Expression:
    """A parsed expression with the text it came from."""

    source: str
    root: Node

    def names(self) -> set[tuple[str, ...]]:
        return self.root.names()

    def evaluate(self, resolve: Resolver) -> Any:
        try:
            return _evaluate(self.root, resolve)
        except ExpressionError:
            raise
        except (TypeError, ArithmeticError, InvalidOperation, ValueError) as exc:
            raise ExpressionError(f"cannot evaluate {self.source!r}: {exc}") from exc

    def holds(self, resolve: Resolver) -> bool:
        return bool(self.evaluate(resolve))


def parse(source: str) -> Expression:
    """Parse `source`, or raise ExpressionError saying where it went wrong."""
    tokens = _tokenise(source)
    parser = _Parser(source, tokens)
    root = parser.expression()
    if parser.position < len(tokens):
        raise ExpressionError(f"unexpected {tokens[parser.position][1]!r} in {source!r}")
    _check_calls(root, source)
    return Expression(source, root)


def literal(value: Any) -> Node:
    """A literal node from a TOML value (numbers become Decimal, so no float ever enters a comparison)."""
    if isinstance(value, bool) or value is None or isinstance(value, str | date | Decimal):
        return Literal(value)
    if isinstance(value, int | float):
        return Literal(Decimal(str(value)))
    if isinstance(value, list):
        return ListExpr(tuple(literal(v) for v in value))
    raise ExpressionError(f"unsupported value {value!r}")


def _tokenise(source: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = source.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"cannot read {text[position:]!r} in {source!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "name" and value in _KEYWORDS:
            kind = "keyword"
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, source: str, tokens: list[tuple[str, str]]) -> None:
        self.source, self.tokens, self.position = source, tokens, 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else ("end", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (value is not None and token[1] != value):
            expected = f"{value!r}" if value else "more"
            raise ExpressionError(f"expected {expected} but found {token[1] or 'the end'!r} in {self.source!r}")
        self.position += 1
        return token

    def expression(self) -> Node:
        return self.boolean("or", self.conjunction)

    def conjunction(self) -> Node:
        return self.boolean("and", self.negation)

    def boolean(self, op: str, operand: Callable[[], Node]) -> Node:
        operands = [operand()]
        while self.peek() == ("keyword", op):
            self.take()
            operands.append(operand())
        return operands[0] if len(operands) == 1 else BoolOp(op, tuple(operands))

    def negation(self) -> Node:
        if self.peek() == ("keyword", "not"):
            self.take()
            return Unary("not", self.negation())
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        token = self.peek()
        op = token[1]
        if token == ("keyword", "not") and self.peek(1) == ("keyword", "in"):
            self.take()
            op = "not in"
        elif op not in _COMPARISONS or token[0] == "string":
            return left
        self.take()
        return Binary(op, left, self.sum())

    def sum(self) -> Node:
        node = self.product()
        while self.peek()[1] in {"+", "-"} and self.peek()[0] == "op":
            node = Binary(self.take()[1], node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.peek()[1] in {"*", "/"} and self.peek()[0] == "op":
            node = Binary(self.take()[1], node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek() == ("op", "-"):
            self.take()
            return Unary("-", self.unary())
        return self.atom()

    def atom(self) -> Node:
        kind, value = self.take()
        if kind == "number":
            return Literal(Decimal(value))
        if kind == "string":
            return Literal(value[1:-1])
        if kind == "keyword" and value in {"true", "false", "none"}:
            return Literal({"true": True, "false": False, "none": None}[value])
        if kind == "name":
            if self.peek() == ("op", "("):
                return Call(value, self.arguments(")"))
            return Name(tuple(value.split(".")))
        if (kind, value) == ("op", "("):
            node = self.expression()
            self.take(")")
            return node
        if (kind, value) == ("op", "["):
            return ListExpr(self.arguments("]", opened=True))
        raise ExpressionError(f"unexpected {value!r} in {self.source!r}")

    def arguments(self, closing: str, *, opened: bool = False) -> tuple[Node, ...]:
        if not opened:
            self.take("(")
        args: list[Node] = []
        while self.peek()[1] != closing:
            args.append(self.expression())
            if self.peek()[1] != closing:
                self.take(",")
        self.take(closing)
        return tuple(args)


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ExpressionError(f"{value!r} is not a date")


def _days_between(a: Any, b: Any) -> Decimal:
    return Decimal((_as_date(b) - _as_date(a)).days)


def _without_none(args: Sequence[Any]) -> list[Any]:
    return [a for a in args if a is not None]


def _text(value: Any) -> str:
    return str(value).casefold()


# Functions that give none when any argument is none.
_STRICT_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs,
    "round": lambda x, digits=Decimal(0): round(x, int(digits)),
    "days_between": _days_between,
    "weeks_between": lambda a, b: _days_between(a, b) / 7,
    "add_days": lambda d, n: _as_date(d) + timedelta(days=int(n)),
    "add_weeks": lambda d, n: _as_date(d) + timedelta(weeks=int(n)),
    "date": _as_date,
    "lower": _text,
    "contains": lambda text, part: _text(part) in _text(text),
    "matches": lambda text, pattern: fnmatch.fnmatchcase(_text(text), _text(pattern)),
    "percent_of": lambda part, whole: Decimal(part) * 100 / Decimal(whole),
}
# Functions that look at none themselves.
_LENIENT_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "min": lambda *args: min(_without_none(args), default=None),
    "max": lambda *args: max(_without_none(args), default=None),
    "coalesce": lambda *args: next(iter(_without_none(args)), None),
    "is_set": lambda value: value is not None and value != "",
}
FUNCTIONS = frozenset({*_STRICT_FUNCTIONS, *_LENIENT_FUNCTIONS, "changed"})


def _check_calls(node: Node, source: str) -> None:
    children: tuple[Node, ...] = ()
    if isinstance(node, Call):
        if node.func not in FUNCTIONS:
            raise ExpressionError(
                f"unknown function {node.func!r} in {source!r} (known: {', '.join(sorted(FUNCTIONS))})"
            )
        if node.func == "changed" and (len(node.args) != 1 or not isinstance(node.args[0], Name)):
            raise ExpressionError(f"changed() takes one term name, e.g. changed(start_date), in {source!r}")
        children = node.args
    elif isinstance(node, Unary):
        children = (node.operand,)
    elif isinstance(node, Binary):
        children = (node.left, node.right)
    elif isinstance(node, BoolOp | ListExpr):
        children = node.operands if isinstance(node, BoolOp) else node.items
    for child in children:
        _check_calls(child, source)


def _evaluate(node: Node, resolve: Resolver) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Name):
        return resolve(node.path)
    if isinstance(node, ListExpr):
        return [_evaluate(item, resolve) for item in node.items]
    if isinstance(node, BoolOp):
        results = (bool(_evaluate(o, resolve)) for o in node.operands)
        return all(results) if node.op == "and" else any(results)
    if isinstance(node, Unary):
        value = _evaluate(node.operand, resolve)
        if node.op == "not":
            return not value
        return None if value is None else -value
    if isinstance(node, Binary):
        return _binary(node.op, _evaluate(node.left, resolve), _evaluate(node.right, resolve))
    if isinstance(node, Call):
        return _call(node, resolve)
    raise ExpressionError(f"unknown node {node!r}")


def _binary(op: str, left: Any, right: Any) -> Any:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op in {"in", "not in"}:
        found = left is not None and right is not None and _contains(right, left)
        return found if op == "in" else not found
    if left is None or right is None:
        return None if op in {"+", "-", "*", "/"} else False
    return {
        "+": lambda: left + right,
        "-": lambda: left - right,
        "*": lambda: left * right,
        "/": lambda: left / right,
        ">": lambda: left > right,
        ">=": lambda: left >= right,
        "<": lambda: left < right,
        "<=": lambda: left <= right,
    }[op]()


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        return _text(item) in _text(container)
    return item in container


def _call(node: Call, resolve: Resolver) -> Any:
    if node.func == "changed":
        path = node.args[0].path if isinstance(node.args[0], Name) else ()
        path = path[1:] if path[:1] == ("terms",) else path
        if resolve(("previous",)) is None:
            return False
        return resolve(path) != resolve(("previous", *path))
    args = [_evaluate(arg, resolve) for arg in node.args]
    if node.func in _LENIENT_FUNCTIONS:
        return _LENIENT_FUNCTIONS[node.func](*args)
    if any(arg is None for arg in args):
        return None
    return _STRICT_FUNCTIONS[node.func](*args)
