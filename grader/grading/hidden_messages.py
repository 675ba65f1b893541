"""What a hidden test says of a call that failed: only what the grader can vouch for.

A hidden test's inputs stay hidden only if nothing the student's code wrote at run time
reaches its message: an exception's text, class name and traceback, a warning's text, the
bytes of a reply the grader could not read, an exit status. Each error raised by
``grader.sandbox.submission`` carries, besides its full message (shown by public tests),
a ``plain`` one made of the grader's own words; a hidden test shows that, plus, for an
exception, a standard class's name and the failing line rebuilt from the grader's copy of
the source (what can still leak is the choice of a line, a standard class or a way to fail:
a few bits a failing test). Warnings follow the same rule in ``grader.testing``
(``expect_no_warnings``). Outputs then apply ``grader.outputs.visibility`` to what is here.
"""
from __future__ import annotations

import ast
import builtins
import re

from grader.sandbox.submission import StudentError, StudentUnavailable

# Shown instead of what the student's code said, in hidden tests that handed it grader functions.
WITHHELD = ("In a hidden test that hands your code the grader's functions, what your code says "
            "(its messages, exception types, traceback and printed output) is not shown, since it "
            "could carry the grader's values out; the public tests of this function show it in full.")
HIDDEN_EXCEPTION = ("(A hidden test shows only the line of your file where it failed, not the "
                    "exception's message, which could carry the test's inputs out; the public "
                    "tests of this function show it in full.)")
HIDDEN_FAILURE = ("(A hidden test does not show what your code sent or how it ended the "
                  "process, which could carry the test's inputs out; the public tests of this "
                  "function show it in full.)")

# Exception classes a hidden test may name: a standard class says nothing the student chose,
# while a class the student's code made can be named after the test's inputs.
STANDARD_EXCEPTIONS = frozenset(
    [name for name, value in vars(builtins).items()
     if isinstance(value, type) and issubclass(value, BaseException)]
    + ["LinAlgError", "AxisError", "ComplexWarning", "DTypePromotionError"])

_FRAME = re.compile(r'  File "(?P<file>[^"\n]*)", line (?P<line>\d{1,7}), in ')


def hidden_message(said: StudentError | StudentUnavailable, student: object, *,
                   handed_out: bool) -> str | None:
    """The message a hidden test shows for ``said``, or None to keep the one it has (the
    grader's own words). ``handed_out``: the test gave the student's code grader functions."""
    plain = said.plain
    if handed_out:
        return f"{plain or 'your code failed'}.\n{WITHHELD}" if isinstance(said, StudentError) or plain else None
    if isinstance(said, StudentUnavailable):
        return f"{plain}.\n{HIDDEN_FAILURE}" if plain is not None and plain != str(said) else None
    if said.kind != "exception":
        return f"{plain}.\n{HIDDEN_EXCEPTION}"
    name = said.exception_type.rsplit(".", 1)[-1] if isinstance(said.exception_type, str) else ""
    shown = name if name in STANDARD_EXCEPTIONS else "an exception of a class of its own"
    where = where_it_failed(said.trace, getattr(student, "filename", None), getattr(student, "source", None))
    return f"{said.function} raised {shown}\n{where}{HIDDEN_EXCEPTION}"


def where_it_failed(trace: str, filename: str | None, source: str | None) -> str:
    """The last frame of the student's file in ``trace``, rebuilt from the grader's copy of the
    source: of what the worker wrote, only a line number of that file is used (the function
    name and the line's text come from the source), so a hidden test shows where the code
    failed and carries out at most the choice of a line."""
    if not trace or not filename or source is None:
        return ""
    lines = [m for m in _FRAME.finditer(trace) if m["file"] == filename]
    if not lines:
        return ""
    number, text = int(lines[-1]["line"]), source.splitlines()
    if not 1 <= number <= len(text):
        return ""
    return (f'  File "{filename}", line {number}, in {_enclosing_function(source, number)}\n'
            f"    {text[number - 1].strip()}\n")


def _enclosing_function(source: str, number: int) -> str:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return "<module>"
    enclosing = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and node.lineno <= number <= (node.end_lineno or node.lineno)]
    return max(enclosing, key=lambda node: node.lineno).name if enclosing else "<module>"
