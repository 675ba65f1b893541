"""Reference solution for the kmeans topic (hidden from students)."""
import numpy as np


def _squared_distances(X, centroids):
    """(n, k) squared distances from direct differences: exact on small integers
    (so exact ties stay ties) and never negative."""
    diff = X[:, None, :] - centroids[None, :, :]
    return np.einsum("nkd,nkd->nk", diff, diff)


def assign_clusters(X, centroids):
    return np.argmin(_squared_distances(X, centroids), axis=1)  # the first minimum wins ties


def update_centroids(X, labels, centroids):
    k = centroids.shape[0]
    counts = np.bincount(labels, minlength=k)
    sums = np.zeros((k, X.shape[1]))
    np.add.at(sums, labels, X)
    new_centroids = np.array(centroids, dtype=np.float64)  # empty clusters keep their centroid
    filled = counts > 0
    new_centroids[filled] = sums[filled] / counts[filled, None]
    return new_centroids


def kmeans_objective(X, centroids, labels):
    residual = X - centroids[labels]
    return float(np.sum(residual * residual))


def kmeans(X, init_centroids, max_iter=100):
    centroids = np.array(init_centroids, dtype=np.float64)
    labels, history = None, []
    for _ in range(max_iter):
        new_labels = assign_clusters(X, centroids)
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        centroids = update_centroids(X, labels, centroids)
        history.append(kmeans_objective(X, centroids, labels))
    return centroids, labels, history


def kmeans_plus_plus(X, k, rng):
    n = X.shape[0]
    chosen = [int(rng.integers(n))]
    d2 = _squared_distances(X, X[chosen[0]][None, :])[:, 0]
    for _ in range(1, k):
        index = int(rng.choice(n, p=d2 / d2.sum()))
        chosen.append(index)
        d2 = np.minimum(d2, _squared_distances(X, X[index][None, :])[:, 0])
    return np.array(X[chosen], dtype=np.float64)
