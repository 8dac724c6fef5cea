"""A safe arithmetic evaluator over ``ast``. Never ``eval``.

Only numbers, + - * / // % **, unary signs, parentheses and a few math
functions are allowed. Exponents and result sizes are bounded so that
``9**9**9`` answers with an error instead of hanging.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

from .registry import ToolError

MAX_EXPONENT = 10_000
MAX_INT_BITS = 4_096
MAX_LENGTH = 500

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sqrt": math.sqrt, "abs": abs, "round": round, "floor": math.floor, "ceil": math.ceil,
    "log": math.log, "log10": math.log10, "exp": math.exp, "sin": math.sin, "cos": math.cos, "tan": math.tan,
}
_CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau}


def evaluate(expression: str) -> int | float:
    """Evaluate ``expression``. Raises ToolError, and nothing else, on bad input."""
    if len(expression) > MAX_LENGTH:
        raise ToolError(f"expression too long (max {MAX_LENGTH} characters)")
    try:
        tree = ast.parse(expression.replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise ToolError(f"not an arithmetic expression: {exc.msg if isinstance(exc, SyntaxError) else exc}") from None
    except (RecursionError, MemoryError):
        raise ToolError("expression too deeply nested") from None
    try:
        return _eval(tree.body)
    except ToolError:
        raise
    except ZeroDivisionError:
        raise ToolError("division by zero") from None
    except (OverflowError, ValueError, TypeError, RecursionError, MemoryError) as exc:
        raise ToolError(f"cannot compute: {exc}") from None


def _eval(node: ast.AST) -> int | float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow):
            _check_power(left, right)
        if isinstance(node.op, ast.Mult):
            _check_product(left, right)
        return _bounded(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS and not node.keywords:
        args = [_eval(arg) for arg in node.args]
        if node.func.id == "round" and len(args) > 1 and abs(args[1]) > 100:
            raise ToolError("round() takes at most 100 digits")
        return _bounded(_FUNCTIONS[node.func.id](*args))
    raise ToolError(f"unsupported element: {type(node).__name__}")


def _check_power(base: int | float, exponent: int | float) -> None:
    if abs(exponent) > MAX_EXPONENT:
        raise ToolError(f"exponent too large (max {MAX_EXPONENT})")
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        if abs(base) > 1 and base.bit_length() * exponent > MAX_INT_BITS:
            raise ToolError("result too large")


def _check_product(left: int | float, right: int | float) -> None:
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise ToolError("result too large")


def _bounded(value: int | float) -> int | float:
    if isinstance(value, complex):
        raise ToolError("complex results are not supported")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ToolError("result too large")
    return value
