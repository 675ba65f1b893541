# Carol takes the mean of every cluster, empty or not (nan), and weights
# k-means++ by the distance instead of the squared distance.
import numpy as np


def assign_clusters(X, centroids):
    labels = []
    for x in X:
        labels.append(np.argmin(np.sum((centroids - x) ** 2, axis=1)))
    return np.array(labels)


def update_centroids(X, labels, centroids):
    return np.array([X[labels == j].mean(axis=0) for j in range(centroids.shape[0])])


def kmeans_objective(X, centroids, labels):
    return float(np.sum((X - centroids[labels]) ** 2))


def kmeans(X, init_centroids, max_iter=100):
    centroids = np.array(init_centroids, dtype=float)
    old = None
    history = []
    for _ in range(max_iter):
        labels = assign_clusters(X, centroids)
        if old is not None and (labels == old).all():
            break
        centroids = update_centroids(X, labels, centroids)
        history.append(kmeans_objective(X, centroids, labels))
        old = labels
    return centroids, labels, history


def kmeans_plus_plus(X, k, rng):
    n = X.shape[0]
    centres = [X[rng.integers(n)]]
    for _ in range(1, k):
        D = np.min([np.linalg.norm(X - c, axis=1) for c in centres], axis=0)
        centres.append(X[rng.choice(n, p=D / D.sum())])
    return np.array(centres)
