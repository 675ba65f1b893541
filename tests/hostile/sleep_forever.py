"""Sleeps forever in a graded function."""
import time

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_gradient(X, y, w, b, lam):
    time.sleep(10**6)
