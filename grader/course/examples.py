"""Example data for a function, from the ``Args:`` section of its stub docstring.

Each argument's description says what it is: ``(m, n) samples`` is a float array of
that shape, ``(N,) integer labels in [0, C)`` integer labels, ``float`` a number,
``int`` a size, ``a numpy Generator`` a generator, ``array with the shape of w`` an
array shaped like ``w``. A seed fixes the sizes (every letter gets its own size, the
sample counts m, n and N larger than the rest, so no example is square) and the
generator the values are drawn from, so a student's examples are theirs and
reproducible. Functions taking something else (callbacks, caches, dicts) get no example.
"""
from __future__ import annotations

import random
import re

from grader.course.statement import FunctionStatement
from grader.course.variation import derived_seed

SAMPLE_COUNTS = {"m", "n", "N"}
_SHAPE = re.compile(r"^\(([^)]*)\)")
_LABELS = re.compile(r"integer|ints\b", re.IGNORECASE)
_LABEL_BOUND = re.compile(r"in \[0, (\w+)\)")
_SAME_SHAPE = re.compile(r"with the shape of (\w+)")
_AS_FOR = re.compile(r"^(?:Args|Args and Returns): as for (\w+)")


class Sizes:
    """Distinct sizes for the letters of a function's shapes, drawn from one seed."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.small = rng.sample(range(2, 6), 4)
        self.large = rng.sample(range(6, 10), 4)
        self.sizes: dict[str, int] = {}

    def __call__(self, letter: str) -> int:
        if letter.isdigit():
            return int(letter)
        if letter not in self.sizes:
            pool = self.large if letter in SAMPLE_COUNTS else self.small
            self.sizes[letter] = pool[len([k for k in self.sizes
                                           if (k in SAMPLE_COUNTS) == (letter in SAMPLE_COUNTS)]) % 4]
        return self.sizes[letter]


def argument_descriptions(function: FunctionStatement,
                          functions: dict[str, FunctionStatement]) -> dict[str, str]:
    """``name: description`` from the Args section, following ``as for other_function``."""
    lines = function.docstring.splitlines()
    inherited: dict[str, str] = {}
    described: dict[str, str] = {}
    for i, line in enumerate(lines):
        match = _AS_FOR.match(line.strip())
        if match and match.group(1) in functions and match.group(1) != function.name:
            inherited = argument_descriptions(functions[match.group(1)], functions)
        if line.strip() != "Args:":
            continue
        for entry in lines[i + 1:]:
            if not entry.strip():
                break
            head, colon, text = entry.strip().partition(": ")
            if colon and re.fullmatch(r"\w+(, \w+)*", head):
                for name in head.split(", "):
                    described[name] = text
    for name, text in list(described.items()):
        match = _AS_FOR.match("Args: " + text)
        if match and match.group(1) in functions:
            described[name] = argument_descriptions(functions[match.group(1)], functions).get(name, "")
    return inherited | described


def _shape(text: str, sizes: Sizes) -> tuple[int, ...] | None:
    match = _SHAPE.match(text)
    if not match:
        return None
    letters = [part.strip() for part in match.group(1).split(",") if part.strip()]
    if not all(re.fullmatch(r"\w+", letter) and "_" not in letter for letter in letters):
        return None  # (N, d_1, ..., d_k): no single shape to show
    return tuple(sizes(letter) for letter in letters)


def _value(name: str, text: str, sizes: Sizes, shapes: dict[str, tuple]) -> str | None:
    """Python code for one argument, or None when its description is not one we can draw."""
    shape = _shape(text, sizes)
    if shape is not None:
        shapes[name] = shape
        bound = _LABEL_BOUND.search(text)
        if _LABELS.search(text) and bound:
            return f"rng.integers(0, {sizes(bound.group(1))}, size={shape})"
        return f"rng.normal(size={shape})"
    same = _SAME_SHAPE.search(text)
    if same and same.group(1) in shapes:
        return f"rng.normal(size={shapes[same.group(1)]})"
    if "any shape" in text:
        shapes[name] = (sizes("m"), sizes("k"))
        return f"rng.normal(size={shapes[name]})"
    if text.startswith("float"):
        return repr(round(sizes.rng.uniform(0.1, 1.0), 2))
    if text.startswith("int"):
        return repr(sizes(name))
    if "numpy Generator" in text:
        return f"np.random.default_rng({sizes.rng.randrange(1000)})"
    return None


def example_call(function: FunctionStatement, functions: dict[str, FunctionStatement],
                 seed: int) -> tuple[list[str], list[str]] | None:
    """Assignments and the argument names of an example call, or None for no example.

    Arguments with a default are left out (the call uses the default); the order of
    the Args section decides which sizes are drawn first, so int sizes come before the
    labels bounded by them whatever the order of the parameters.
    """
    descriptions = argument_descriptions(function, functions)
    wanted = [p.name for p in function.parameters if not p.has_default]
    if not wanted or any(name not in descriptions for name in wanted):
        return None
    sizes = Sizes(random.Random(derived_seed("example sizes", seed, function.name)))
    for name in wanted:  # sizes named by int arguments first: labels refer to them
        if descriptions[name].startswith("int"):
            sizes(name)
    shapes: dict[str, tuple] = {}
    assignments = []
    for name in wanted:
        value = _value(name, descriptions[name], sizes, shapes)
        if value is None:
            return None
        assignments.append(f"{name} = {value}")
    return assignments, wanted
