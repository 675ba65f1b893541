"""Returns Python integers too large for any float: 4000 digits (under Python's 4300-digit
str limit) and 5000 digits (over it)."""
import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    return 10 ** 4000


def logistic_cost(X, y, w, b, lam):
    return 10 ** 5000
