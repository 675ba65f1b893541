# Bob subtracts a column y from 1-D predictions and loops over every sample for the distances.
import numpy as np


def add_bias_column(X):
    return np.hstack((np.ones((X.shape[0], 1)), X))


def predict(X, w, b):
    return X.dot(w) + b


def predict_multi(X, W, b):
    return X.dot(W) + b


def mse_cost(X, y, w, b):
    m = X.shape[0]
    err = X.dot(w) + b - y
    return float(np.sum(err ** 2) / (2 * m))


def one_hot(y, num_classes):
    out = np.zeros((len(y), num_classes))
    out[np.arange(len(y)), y] = 1.0
    return out


def pairwise_sq_dists(A, B):
    D = np.zeros((A.shape[0], B.shape[0]))
    for i in range(A.shape[0]):
        for j in range(B.shape[0]):
            D[i, j] = np.sum((A[i] - B[j]) ** 2)
    return D


def per_sample_matvec(W, X3):
    return W @ X3


def flatten_images(images):
    return images.reshape(images.shape[0], -1)
