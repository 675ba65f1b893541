"""Ignores SIGTERM and SIGINT, then sleeps in a graded function."""
import signal
import time

import numpy as np

signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def logistic_cost(X, y, w, b, lam):
    while True:
        time.sleep(1)
