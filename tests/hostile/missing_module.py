"""Imports a module that does not exist."""
import numpy as np
import sklearn_answers_for_this_course  # noqa: F401


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
