"""Returns objects that claim to equal anything, numpy subclasses and odd dtypes."""
import numpy as np


class Anything(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


class AgreeableArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)


class Whatever:
    def __eq__(self, other):
        return True


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def linear_cost(X, y, w, b, lam):
    return Anything(-1.0)


def linear_gradient(X, y, w, b, lam):
    return np.zeros(len(w)).view(AgreeableArray), Whatever()


def logistic_cost(X, y, w, b, lam):
    return np.array([Whatever()], dtype=object)


def logistic_gradient(X, y, w, b, lam):
    return np.full(len(w), np.nan, dtype=np.float32), np.inf
