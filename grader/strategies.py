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


@st.composite
def any_scale(draw, shape, min_exponent: int = -4, max_exponent: int = 4) -> np.ndarray:
    """Non-zero values of either sign with magnitudes from 0.5e{min} to 2e{max} (scale-invariance tests)."""
    mantissa = draw(arrays(shape, 0.5, 2.0))
    exponent = draw(hnp.arrays(np.int64, shape, elements=st.integers(min_exponent, max_exponent)))
    negative = draw(hnp.arrays(np.bool_, shape))
    return np.where(negative, -1.0, 1.0) * mantissa * 10.0 ** exponent
