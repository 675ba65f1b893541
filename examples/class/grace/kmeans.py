# Grace starts from labels of all zeros and updates before assigning, so her
# centroids are always computed from the previous labels; her k-means++ measures
# D2 to the last centre only.
import numpy as np


def assign_clusters(X, centroids):
    dists = np.linalg.norm(X[:, None, :] - centroids[None, :, :], axis=2)
    return np.argmin(dists, axis=1)


def update_centroids(X, labels, centroids):
    new = np.copy(centroids)
    for j in np.unique(labels):
        new[j] = X[labels == j].mean(axis=0)
    return new


def kmeans_objective(X, centroids, labels):
    return float(np.sum((X - centroids[labels]) ** 2))


def kmeans(X, init_centroids, max_iter=100):
    centroids = np.array(init_centroids, dtype=float)
    labels = np.zeros(len(X), dtype=int)
    history = []
    for _ in range(max_iter):
        centroids = update_centroids(X, labels, centroids)
        history.append(kmeans_objective(X, centroids, labels))
        new_labels = assign_clusters(X, centroids)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return centroids, labels, history


def kmeans_plus_plus(X, k, rng):
    n = len(X)
    centres = [X[rng.integers(n)]]
    for _ in range(1, k):
        D2 = np.sum((X - centres[-1]) ** 2, axis=1)
        centres.append(X[rng.choice(n, p=D2 / D2.sum())])
    return np.array(centres)
