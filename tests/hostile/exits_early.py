"""Ends the process or raises BaseExceptions from graded functions."""
import os
import sys

import numpy as np


class Sneaky(BaseException):
    pass


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    os._exit(0)


def linear_gradient(X, y, w, b, lam):
    sys.exit(0)


def logistic_cost(X, y, w, b, lam):
    raise KeyboardInterrupt


def logistic_gradient(X, y, w, b, lam):
    raise Sneaky("stop the grader")
