# Alice: a complete, correct solution.
import numpy as np


def add_bias_column(X):
    return np.c_[np.ones(len(X)), X]


def predict(X, w, b):
    return (X * w).sum(axis=1) + b


def predict_multi(X, W, b):
    return np.einsum("mn,nk->mk", X, W) + b[np.newaxis, :]


def mse_cost(X, y, w, b):
    residuals = predict(X, w, b) - np.ravel(y)
    return float(np.dot(residuals, residuals)) / (2 * len(residuals))


def one_hot(y, num_classes):
    return (np.asarray(y)[:, None] == np.arange(num_classes)).astype(np.float64)


def pairwise_sq_dists(A, B):
    # |a|^2 - 2 a.b + |b|^2, clipped: round-off can make near-equal points slightly negative.
    squared = (A ** 2).sum(axis=1)[:, None] - 2 * A @ B.T + (B ** 2).sum(axis=1)[None, :]
    return np.clip(squared, 0.0, None)


def per_sample_matvec(W, X3):
    # Drop the trailing 1, multiply all samples at once, put the column axis back.
    return (X3[:, :, 0] @ W.T)[:, :, np.newaxis]


def flatten_images(images):
    return np.stack([image.ravel() for image in images]) if len(images) else images.reshape(0, -1)
