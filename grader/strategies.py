"""Hypothesis strategies for topic tests: bounded float64 arrays, small (distinct or square)
shapes, class labels, and seeded numpy Generators.

Grading replays the examples hypothesis draws for every student, so a strategy's
composition is part of the grade: change one, and every student sees other inputs.

Example::

    @st.composite
    def problems(draw):
        n, d = draw(distinct_dims(2, 2, 6))           # n != d: a transpose cannot pass
        rng = seeded_generator(draw)                  # the bulk of the entries from numpy
        return rng.uniform(-3, 3, (n, d)), draw(labels(n, 3))
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["floats", "arrays", "dims", "distinct_dims", "square_shapes", "labels", "any_scale",
           "seeds", "seeded_generator", "generators"]

SEED_BOUND = 2**32 - 1


def floats(low: float = -3.0, high: float = 3.0) -> st.SearchStrategy[float]:
    """Finite float64 in [low, high]; no nan, no inf, no subnormals."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=64)


def arrays(shape, low: float = -3.0, high: float = 3.0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of ``shape`` (an int, a tuple, or a strategy for one) with entries from
    ``floats(low, high)``: ``arrays((n, d))``."""
    return hnp.arrays(np.float64, shape, elements=floats(low, high))


def dims(low: int = 1, high: int = 6) -> st.SearchStrategy[int]:
    """One axis length in [low, high]."""
    return st.integers(low, high)


@st.composite
def distinct_dims(draw, count: int, low: int = 1, high: int = 7) -> tuple[int, ...]:
    """``count`` different sizes, so that a transposed or swapped axis cannot pass.

    ``n, d, c = draw(distinct_dims(3, 2, 6))``; keep ``high - low + 1 >= count``.
    """
    return tuple(draw(st.lists(st.integers(low, high), min_size=count, max_size=count, unique=True)))


def square_shapes(rank: int = 2, low: int = 1, high: int = 6) -> st.SearchStrategy[tuple[int, ...]]:
    """``(n, n, ...)`` of ``rank`` equal sizes in [low, high], for where squareness matters
    (a covariance, an axis sum of an (n, n) matrix that would pass with the wrong axis only
    when the shape is not square)."""
    return st.integers(low, high).map(lambda n: (n,) * rank)


def labels(size: int, classes: int) -> st.SearchStrategy[np.ndarray]:
    """int64 class labels, shape ``(size,)``, each in ``0 .. classes - 1`` (not every class
    need occur): ``y = draw(labels(n, c))``."""
    return hnp.arrays(np.int64, size, elements=st.integers(0, classes - 1))


@st.composite
def any_scale(draw, shape, min_exponent: int = -4, max_exponent: int = 4) -> np.ndarray:
    """Non-zero values of either sign with magnitudes from 0.5e{min} to 2e{max} (scale-invariance tests)."""
    mantissa = draw(arrays(shape, 0.5, 2.0))
    exponent = draw(hnp.arrays(np.int64, shape, elements=st.integers(min_exponent, max_exponent)))
    negative = draw(hnp.arrays(np.bool_, shape))
    return np.where(negative, -1.0, 1.0) * mantissa * 10.0 ** exponent


def seeds() -> st.SearchStrategy[int]:
    """A seed for ``np.random.default_rng``, in [0, 2**32 - 1]."""
    return st.integers(0, SEED_BOUND)


def seeded_generator(draw: Callable[..., Any]) -> np.random.Generator:
    """Inside an ``@st.composite``: draw a seed (labelled "seed") and return its Generator.

    Hypothesis draws the shapes and a seed; numpy draws the entries from the seed. Drawing
    hundreds of floats one by one through hypothesis would cost more than the checks, and
    no counterexample of a hidden test is ever shown, so shrinking entries buys nothing::

        rng = seeded_generator(draw)
        x = rng.uniform(-3.0, 3.0, shape)
    """
    return np.random.default_rng(draw(seeds(), label="seed"))


def generators() -> st.SearchStrategy[np.random.Generator]:
    """Seeded numpy Generators as a strategy, for ``@given(rng=generators())``."""
    return seeds().map(np.random.default_rng)
