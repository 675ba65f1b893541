"""Returns lists nested 400 deep (the worker can send it, the grader's decoder recursed on it)
and 100000 deep."""
import numpy as np


def _nested(depth):
    value = [1.0]
    for _ in range(depth):
        value = [value]
    return value


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    return _nested(400)


def logistic_cost(X, y, w, b, lam):
    return _nested(100_000)
