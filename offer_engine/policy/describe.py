"""A policy expression in words, read from its parsed structure, for people who never see the policy file.

``min(band.max, base_salary * 1.10)`` reads "10 % above the current base salary, capped at the band maximum";
``add_weeks(start_date, 4)`` reads "4 weeks after the current start date". Terms are named by the caller's
`label` (the term catalogue's staff label), so a tenant's own terms read as the tenant named them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from offer_engine.policy.expressions import Binary, BoolOp, Call, Expression, ListExpr, Literal, Name, Node, Unary

Label = Callable[[str], str]

BAND_WORDS = {"min": "the band minimum", "max": "the band maximum", "midpoint": "the band midpoint"}
COMPARISON_WORDS = {
    "==": "is",
    "!=": "is not",
    ">": "is more than",
    ">=": "is at least",
    "<": "is less than",
    "<=": "is at most",
    "in": "is one of",
    "not in": "is none of",
}
ARITHMETIC_WORDS = {"+": "plus", "-": "minus", "/": "divided by", "*": "times"}
DATE_STEPS = {"add_days": "days", "add_weeks": "weeks"}


def describe(expression: Expression, label: Label) -> str:
    """The expression as a phrase ("10 % above the current base salary, capped at the band maximum")."""
    return _words(expression.root, label)


def _words(node: Node, label: Label) -> str:
    if isinstance(node, Literal):
        return _literal(node.value)
    if isinstance(node, Name):
        return _name(node.path, label)
    if isinstance(node, Unary):
        return f"not {_words(node.operand, label)}" if node.op == "not" else f"minus {_words(node.operand, label)}"
    if isinstance(node, Binary):
        return _binary(node, label)
    if isinstance(node, BoolOp):
        return f", {node.op} ".join(_words(o, label) for o in node.operands)
    if isinstance(node, Call):
        return _call(node, label)
    if isinstance(node, ListExpr):
        return _either([_words(i, label) for i in node.items])
    return "a value set in the policy"


def _literal(value: Any) -> str:
    if value is True:
        return "always"
    if value is False:
        return "never"
    if value is None:
        return "nothing"
    if isinstance(value, Decimal | int | float):
        return _number(Decimal(str(value)))
    return f"“{value}”"


def _number(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def _name(path: tuple[str, ...], label: Label) -> str:
    root, rest = path[0], path[1:]
    if root == "band" and len(rest) == 1:
        return BAND_WORDS.get(rest[0], f"the band {rest[0].replace('_', ' ')}")
    if root == "grid" and len(rest) == 1:
        return f"the {rest[0].replace('_', ' ')} set in the policy for this role"
    if root == "previous" and len(rest) == 1:
        return f"the previous {label(rest[0])}"
    if root == "requested":
        return "the requested value"
    if root == "terms" and len(rest) == 1:
        return f"the current {label(rest[0])}"
    if not rest:
        return f"the current {label(root)}"
    return "the " + " ".join(p.replace("_", " ") for p in path)


def _binary(node: Binary, label: Label) -> str:
    if node.op in COMPARISON_WORDS:
        return f"{_words(node.left, label)} {COMPARISON_WORDS[node.op]} {_words(node.right, label)}"
    factor = _factor(node)
    if factor is not None:
        operand, multiplier = factor
        return _scaled(_words(operand, label), multiplier)
    return f"{_words(node.left, label)} {ARITHMETIC_WORDS.get(node.op, node.op)} {_words(node.right, label)}"


def _factor(node: Binary) -> tuple[Node, Decimal] | None:
    """(operand, multiplier) of `x * 1.10` or `1.10 * x`; None for any other product."""
    if node.op != "*":
        return None
    for operand, other in ((node.left, node.right), (node.right, node.left)):
        if isinstance(other, Literal) and isinstance(other.value, Decimal | int) and not isinstance(other.value, bool):
            return operand, Decimal(str(other.value))
    return None


def _scaled(subject: str, multiplier: Decimal) -> str:
    percent = (multiplier - 1) * 100
    if percent > 0:
        return f"{_number(percent)} % above {subject}"
    if percent < 0:
        return f"{_number(-percent)} % below {subject}"
    return subject


def _call(node: Call, label: Label) -> str:
    args = [_words(a, label) for a in node.args]
    if node.func in ("min", "max") and len(node.args) == 2:
        return _bounded(node, args)
    if node.func in ("min", "max"):
        return f"the {'lowest' if node.func == 'min' else 'highest'} of {_either(args, 'and')}"
    if node.func in DATE_STEPS and len(args) == 2:
        return f"{args[1]} {DATE_STEPS[node.func]} after {args[0]}"
    if node.func == "coalesce":
        return _either(args, "or else")
    if node.func == "changed" and args:
        return f"{args[0].removeprefix('the current ')} changed"
    if node.func == "is_set" and args:
        return f"{args[0]} is set"
    return f"{node.func.replace('_', ' ')} of {_either(args, 'and')}"


def _bounded(node: Call, args: list[str]) -> str:
    """min(x, limit) reads "x, capped at limit"; max(x, floor) reads "x, at least floor"."""
    first, second = node.args
    limit_first = _is_limit(first) and not _is_limit(second)
    value, bound = (args[1], args[0]) if limit_first else (args[0], args[1])
    return f"{value}, {'capped at' if node.func == 'min' else 'at least'} {bound}"


def _is_limit(node: Node) -> bool:
    return isinstance(node, Literal) or (isinstance(node, Name) and node.path[0] in ("band", "grid"))


def _either(items: list[str], word: str = "or") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"
