"""Hypothesis strategies shared by topic tests: bounded float64 arrays and small shapes."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def floats(low: float = -3.0, high: float = 3.0) -> st.SearchStrategy[float]:
    """Finite float64 in [low, high]; no nan, no inf, no subnormals."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=64)


def arrays(shape, low: float = -3.0, high: float = 3.0) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, shape, elements=floats(low, high))


def dims(low: int = 1, high: int = 6) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@st.composite
def distinct_dims(draw, count: int, low: int = 1, high: int = 7) -> tuple[int, ...]:
    """``count`` different sizes, so that a transposed or swapped axis cannot pass."""
    return tuple(draw(st.lists(st.integers(low, high), min_size=count, max_size=count, unique=True)))


def labels(size: int, classes: int) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.int64, size, elements=st.integers(0, classes - 1))
