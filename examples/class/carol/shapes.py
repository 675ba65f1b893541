# Carol uses np.dot on the 3-D stack and flattens through a 4-D transpose.
import numpy as np


def add_bias_column(X):
    return np.column_stack([np.ones(X.shape[0]), X])


def predict(X, w, b):
    return np.dot(X, w) + b


def predict_multi(X, W, b):
    return np.dot(X, W) + b


def mse_cost(X, y, w, b):
    y = y.reshape(-1)
    return float(np.mean((np.dot(X, w) + b - y) ** 2) / 2)


def one_hot(y, num_classes):
    return np.eye(num_classes)[y]


def pairwise_sq_dists(A, B):
    return ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=-1)


def per_sample_matvec(W, X3):
    return np.dot(W, X3)


def flatten_images(images):
    m = images.shape[0]
    return images.T.reshape(-1, m).T
