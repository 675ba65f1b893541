# Heidi sums distances instead of squared distances in the objective, and her
# k-means++ takes the farthest sample instead of sampling.
import numpy as np


def assign_clusters(X, centroids):
    sq = (X ** 2).sum(1)[:, None] - 2 * X @ centroids.T + (centroids ** 2).sum(1)[None, :]
    return np.argmin(sq, axis=1)


def update_centroids(X, labels, centroids):
    result = centroids.copy()
    for j in range(centroids.shape[0]):
        mask = labels == j
        if mask.sum() > 0:
            result[j] = X[mask].sum(axis=0) / mask.sum()
    return result


def kmeans_objective(X, centroids, labels):
    return float(np.sum(np.sqrt(np.sum((X - centroids[labels]) ** 2, axis=1))))


def kmeans(X, init_centroids, max_iter=100):
    centroids = init_centroids.copy()
    labels = assign_clusters(X, centroids)
    history = []
    for _ in range(max_iter):
        centroids = update_centroids(X, labels, centroids)
        history.append(kmeans_objective(X, centroids, labels))
        new_labels = assign_clusters(X, centroids)
        if (new_labels == labels).all():
            break
        labels = new_labels
    return centroids, labels, history


def kmeans_plus_plus(X, k, rng):
    n = X.shape[0]
    idx = [int(rng.integers(n))]
    D2 = ((X - X[idx[0]]) ** 2).sum(1)
    for _ in range(1, k):
        idx.append(int(np.argmax(D2)))
        D2 = np.minimum(D2, ((X - X[idx[-1]]) ** 2).sum(1))
    return X[idx]
