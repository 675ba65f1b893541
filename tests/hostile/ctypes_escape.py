"""Uses ctypes to call libc directly and to poke at interpreter memory."""
import ctypes

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    libc = ctypes.CDLL("libc.so.6")
    return float(libc.fork())


def linear_gradient(X, y, w, b, lam):
    return ctypes.string_at(id(w), 64)
