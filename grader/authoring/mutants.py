"""First-order mutants of a reference solution, made with ``ast``, for ``grader audit``.

A mutant is the reference with exactly one small change of the kind students make: an
operator swapped, a constant changed, the wrong axis, a transpose lost, min for max, mean
for sum, a numerical stabiliser removed, an off-by-one, a term dropped. Each change
replaces the source text of one expression only, so the rest of the file (comments,
layout) is untouched and the mutant's diff against the reference is one line or a few.
"""
from __future__ import annotations

import ast
import copy
import difflib
import random
from dataclasses import dataclass
from typing import Iterator

__all__ = ["OPERATOR_CLASSES", "Mutant", "generate_mutants", "sample_mutants", "unified_diff"]

OPERATOR_CLASSES = ("operator", "constant", "axis", "transpose", "min_max", "mean_sum", "stabiliser",
                    "off_by_one", "dropped_term")

_SWAPPED_OPERATORS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
                      ast.Pow: ast.Mult, ast.FloorDiv: ast.Div, ast.MatMult: ast.Mult}
_OFF_BY_ONE_COMPARISONS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
_SWAPPED_COMPARISONS = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.Gt, ast.Gt: ast.Lt,
                        ast.LtE: ast.GtE, ast.GtE: ast.LtE}
_MIN_MAX = {"max": "min", "min": "max", "amax": "amin", "amin": "amax", "maximum": "minimum",
            "minimum": "maximum", "argmax": "argmin", "argmin": "argmax", "nanmax": "nanmin",
            "nanmin": "nanmax"}
_MEAN_SUM = {"mean": "sum", "sum": "mean", "nanmean": "nansum", "nansum": "nanmean"}
_MAX_NAMES = {"max", "amax", "maximum", "nanmax"}
_SMALL = 1e-3  # a constant added below this size is taken for a stabiliser (an epsilon)
# Expressions whose text needs no parentheses wherever an expression may stand.
_ATOMIC = (ast.Name, ast.Constant, ast.Attribute, ast.Call, ast.Subscript, ast.Tuple, ast.List)


@dataclass(frozen=True)
class Mutant:
    """One changed copy of the reference: what changed, where, and the whole mutated source."""
    operator: str  # one of OPERATOR_CLASSES
    function: str  # the reference function whose body (or defaults) changed
    line: int
    column: int
    description: str  # "`a - b` -> `a + b`"
    source: str

    @property
    def key(self) -> str:
        """A stable name for the mutant: class, function, line and change."""
        return f"{self.operator}:{self.function}:{self.line}:{self.column}:{self.description}"


def unified_diff(reference: str, mutant: Mutant, name: str = "reference.py") -> str:
    """The mutant's change as a unified diff against the reference source."""
    return "".join(difflib.unified_diff(reference.splitlines(keepends=True),
                                        mutant.source.splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}", n=1))


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _renamed_call(node: ast.Call, name: str) -> ast.Call:
    changed = copy.deepcopy(node)
    if isinstance(changed.func, ast.Name):
        changed.func.id = name
    else:
        changed.func.attr = name
    return changed


def _is_small_constant(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, float)
            and 0 < abs(node.value) < _SMALL)


def _is_epsilon(node: ast.AST) -> bool:
    return _is_small_constant(node) or (isinstance(node, ast.Name) and "eps" in node.id.lower())


def _contains_max(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and _called_name(n) in _MAX_NAMES for n in ast.walk(node))


def _number(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool))


def _with_op(node: ast.AST, op: type) -> ast.AST:
    changed = copy.deepcopy(node)
    changed.op = op()
    return changed


def _changes(node: ast.AST, parent: ast.AST | None) -> Iterator[tuple[str, ast.AST, ast.AST]]:
    """(operator class, node to replace, replacement) for every mutation at ``node``."""
    if isinstance(node, ast.BinOp):
        op = type(node.op)
        if op is ast.Sub and _contains_max(node.right):
            yield "stabiliser", node, node.left  # x - max(x): the shift before exp
        if op is ast.Add and _is_epsilon(node.right):
            yield "stabiliser", node, node.left
        if op is ast.Add and _is_epsilon(node.left):
            yield "stabiliser", node, node.right
        if op in _SWAPPED_OPERATORS:
            yield "operator", node, _with_op(node, _SWAPPED_OPERATORS[op])
        if op is ast.MatMult:
            yield "transpose", node, ast.BinOp(node.right, ast.MatMult(), node.left)
        if op in (ast.Add, ast.Sub, ast.Mult):
            yield "dropped_term", node, node.left
            yield "dropped_term", node, node.right
        if op is ast.Div:
            yield "dropped_term", node, node.left
    elif isinstance(node, ast.AugAssign) and type(node.op) in _SWAPPED_OPERATORS:
        yield "operator", node, _with_op(node, _SWAPPED_OPERATORS[type(node.op)])
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and not _number(node.operand):
        yield "operator", node, node.operand
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        op = type(node.ops[0])
        if op in _OFF_BY_ONE_COMPARISONS:
            changed = copy.deepcopy(node)
            changed.ops = [_OFF_BY_ONE_COMPARISONS[op]()]
            yield "off_by_one", node, changed
        if op in _SWAPPED_COMPARISONS:
            changed = copy.deepcopy(node)
            changed.ops = [_SWAPPED_COMPARISONS[op]()]
            yield "operator", node, changed
    elif isinstance(node, ast.Constant) and isinstance(parent, ast.keyword) and parent.arg == "axis":
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            yield "axis", node, ast.Constant(1 if node.value in (0, -2) else 0)
    elif isinstance(node, ast.Constant) and isinstance(parent, ast.keyword) and parent.arg == "keepdims":
        if isinstance(node.value, bool):
            yield "axis", node, ast.Constant(not node.value)
    elif _number(node):
        value = node.value
        if isinstance(value, int):
            yield "off_by_one", node, ast.Constant(value + 1)
            yield "off_by_one", node, ast.Constant(value - 1)
            yield "constant", node, ast.Constant(0 if value else 1)
        else:
            yield "constant", node, ast.Constant(value * 2 if value else 1.0)
            yield "constant", node, ast.Constant(0.0 if value else -1.0)
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        yield "transpose", node, node.value
    elif isinstance(node, ast.Call):
        name = _called_name(node)
        if name in _MIN_MAX:
            yield "min_max", node, _renamed_call(node, _MIN_MAX[name])
        if name in _MEAN_SUM:
            yield "mean_sum", node, _renamed_call(node, _MEAN_SUM[name])
        if name == "transpose":
            if isinstance(node.func, ast.Attribute) and not node.args:
                yield "transpose", node, node.func.value  # x.transpose() -> x
            elif node.args:
                yield "transpose", node, node.args[0]
        if name == "clip" and node.args and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy"):
            yield "stabiliser", node, node.args[0]
        if name == "maximum" and len(node.args) == 2:
            for kept, floor in ((0, 1), (1, 0)):
                if _is_epsilon(node.args[floor]):
                    yield "stabiliser", node, node.args[kept]
        for index, keyword in enumerate(node.keywords):
            if keyword.arg in ("axis", "keepdims"):
                changed = copy.deepcopy(node)
                del changed.keywords[index]
                yield "axis", node, changed


def _function_sites(tree: ast.Module) -> Iterator[tuple[str, ast.AST, ast.AST | None]]:
    """(function name, node, parent) for each node in a function's body or defaults; never in
    docstrings, decorators or annotations."""
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        roots: list[ast.AST] = [d for d in function.args.defaults + function.args.kw_defaults if d]
        body = function.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        roots += [s for s in body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for root in roots:
            stack: list[tuple[ast.AST, ast.AST | None]] = [(root, None)]
            while stack:
                node, parent = stack.pop()
                yield function.name, node, parent
                stack += [(child, node) for child in ast.iter_child_nodes(node)
                          if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _replace(lines: list[bytes], node: ast.AST, text: str) -> str:
    """The source with ``node``'s span (ast positions are UTF-8 byte offsets) replaced by ``text``."""
    start, end = node.lineno - 1, node.end_lineno - 1
    before = b"".join(lines[:start]) + lines[start][:node.col_offset]
    after = lines[end][node.end_col_offset:] + b"".join(lines[end + 1:])
    return (before + text.encode("utf-8") + after).decode("utf-8")


def _text(replacement: ast.AST, target: ast.AST, parent: ast.AST | None) -> str:
    """The replacement's source, in parentheses unless it stands where nothing binds tighter:
    alone in a statement, as a keyword's value or a call's argument, or is atomic itself."""
    text = ast.unparse(ast.fix_missing_locations(replacement))
    free = (isinstance(replacement, _ATOMIC) or parent is None or isinstance(parent, (ast.stmt, ast.keyword))
            or (isinstance(parent, ast.Call) and target in parent.args))
    return text if free else f"({text})"


def generate_mutants(source: str) -> list[Mutant]:
    """Every first-order mutant of ``source`` that compiles and differs from it, in source order;
    two changes that give the same source count once (the first class listed wins)."""
    tree = ast.parse(source)
    lines = source.encode("utf-8").splitlines(keepends=True)
    seen, mutants = {source}, []
    for function, node, parent in _function_sites(tree):
        for operator, target, replacement in _changes(node, parent):
            if ast.dump(target) == ast.dump(replacement):
                continue  # `w @ w` swapped is itself
            before = ast.unparse(target)
            mutated = _replace(lines, target, _text(replacement, target, parent))
            if mutated in seen:
                continue
            seen.add(mutated)
            try:
                compile(mutated, "<mutant>", "exec")
            except SyntaxError:
                continue
            mutants.append(Mutant(operator, function, target.lineno, target.col_offset,
                                  f"`{before}` -> `{ast.unparse(replacement)}`", mutated))
    order = {name: i for i, name in enumerate(OPERATOR_CLASSES)}
    return sorted(mutants, key=lambda m: (m.line, m.column, order[m.operator], m.description))


def sample_mutants(mutants: list[Mutant], limit: int | None, seed: int) -> list[Mutant]:
    """At most ``limit`` mutants, spread evenly over the operator classes, reproducibly for
    ``seed``; all of them when ``limit`` is None or not smaller than their number."""
    if limit is None or limit >= len(mutants):
        return list(mutants)
    rng = random.Random(seed)
    pools = {name: [m for m in mutants if m.operator == name] for name in OPERATOR_CLASSES}
    for pool in pools.values():
        rng.shuffle(pool)
    chosen: list[Mutant] = []
    while len(chosen) < limit:
        for name in OPERATOR_CLASSES:  # round robin: each class gets its share
            if pools[name] and len(chosen) < limit:
                chosen.append(pools[name].pop())
    keep = {m.key for m in chosen}
    return [m for m in mutants if m.key in keep]
