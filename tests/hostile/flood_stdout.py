"""Prints gigabytes to stdout and stderr."""
import sys

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    line = "x" * 2**20
    for _ in range(4096):
        print(line)
        sys.stderr.write(line)
    return 0.0
