# Bob picks the centroid with the largest distance and averages the objective.
import numpy as np


def assign_clusters(X, centroids):
    d = np.sum((X[:, np.newaxis] - centroids) ** 2, axis=2)
    return np.argmax(d, axis=1)


def update_centroids(X, labels, centroids):
    new = centroids.copy()
    for j in range(len(centroids)):
        if np.any(labels == j):
            new[j] = X[labels == j].mean(axis=0)
    return new


def kmeans_objective(X, centroids, labels):
    return float(np.mean(np.sum((X - centroids[labels]) ** 2, axis=1)))


def kmeans(X, init_centroids, max_iter=100):
    centroids = init_centroids.copy()
    labels = None
    history = []
    for _ in range(max_iter):
        new_labels = assign_clusters(X, centroids)
        if labels is not None and np.array_equal(labels, new_labels):
            break
        labels = new_labels
        centroids = update_centroids(X, labels, centroids)
        history.append(kmeans_objective(X, centroids, labels))
    return centroids, labels, history


def kmeans_plus_plus(X, k, rng):
    n = X.shape[0]
    chosen = [rng.integers(n)]
    D2 = np.sum((X - X[chosen[0]]) ** 2, axis=1)
    for _ in range(k - 1):
        i = rng.choice(n, p=D2 / D2.sum())
        chosen.append(i)
        D2 = np.minimum(D2, np.sum((X - X[i]) ** 2, axis=1))
    return X[chosen]
