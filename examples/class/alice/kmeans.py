# Alice: a complete, correct solution.
import numpy as np


def assign_clusters(X, centroids):
    # ||x - c||^2 for every pair, through broadcasting
    dist = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=-1)
    return dist.argmin(axis=1)


def update_centroids(X, labels, centroids):
    k = centroids.shape[0]
    counts = np.bincount(labels, minlength=k)
    sums = np.zeros_like(centroids, dtype=float)
    np.add.at(sums, labels, X)
    out = centroids.astype(float)
    nonempty = counts > 0
    out[nonempty] = sums[nonempty] / counts[nonempty][:, None]
    return out


def kmeans_objective(X, centroids, labels):
    return float(((X - centroids[labels]) ** 2).sum())


def kmeans(X, init_centroids, max_iter=100):
    centroids = init_centroids.astype(float)
    prev = None
    history = []
    for _ in range(max_iter):
        labels = assign_clusters(X, centroids)
        if prev is not None and np.all(labels == prev):
            break
        centroids = update_centroids(X, labels, centroids)
        history.append(kmeans_objective(X, centroids, labels))
        prev = labels
    return centroids, prev, history


def kmeans_plus_plus(X, k, rng):
    n = len(X)
    idx = [rng.integers(n)]
    d2 = ((X - X[idx[0]]) ** 2).sum(axis=1)
    while len(idx) < k:
        nxt = rng.choice(n, p=d2 / d2.sum())
        idx.append(nxt)
        d2 = np.minimum(d2, ((X - X[nxt]) ** 2).sum(axis=1))
    return X[idx].copy()
