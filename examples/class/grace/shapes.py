# Grace works with column vectors everywhere and squeezes them away afterwards.
import numpy as np


def add_bias_column(X):
    return np.hstack([np.ones((X.shape[0], 1)), X])


def predict(X, w, b):
    return np.squeeze(X @ w.reshape(-1, 1) + b)


def predict_multi(X, W, b):
    return np.squeeze(X @ W + b)


def mse_cost(X, y, w, b):
    m = X.shape[0]
    e = X @ w.reshape(-1, 1) + b - y.reshape(-1, 1)
    return e.T @ e / (2 * m)


def one_hot(y, num_classes):
    Y = np.zeros((y.shape[0], num_classes), dtype=int)
    Y[np.arange(y.shape[0]), y] = 1
    return Y


def pairwise_sq_dists(A, B):
    return np.sum(A ** 2, axis=1, keepdims=True) - 2 * A @ B.T + np.sum(B ** 2, axis=1)


def per_sample_matvec(W, X3):
    return W @ X3


def flatten_images(images):
    return images.reshape(images.shape[0], -1)
