"""K-means clustering and k-means++ initialisation.

Conventions used by every function in this file:

- X has shape (n, d): one sample per row, n samples, d features.
- centroids has shape (k, d): one centroid per row, k clusters.
- labels has shape (n,) and holds integers in [0, k): labels[i] is the cluster of X[i].
- Distances are squared Euclidean: ||x - c||^2 = sum_j (x_j - c_j)^2.
- In the formulas, x_i is the sample X[i], c_j the centroid centroids[j] and
  l_i the label labels[i].
- Functions return new arrays and never modify their arguments.
- Use numpy; everything is float64 except labels (integers).
"""
import numpy as np


def assign_clusters(X, centroids):
    r"""Assign every sample to its nearest centroid.

    .. math::

        l_i = \arg\min_{j} \lVert x_i - c_j \rVert^2

    When several centroids are equally near, the lowest index wins (np.argmin
    returns the first minimum; in a loop, replace the best only on a strictly
    smaller distance).

    Must work for any finite data, including squared distances far above 1e8:
    start a running minimum from the first centroid's distance (or np.inf),
    never from a large constant.

    Args:
        X: (n, d) samples.
        centroids: (k, d) centroids.

    Returns:
        labels: (n,) integer array with entries in [0, k).
    """
    raise NotImplementedError("assign_clusters")


def update_centroids(X, labels, centroids):
    r"""Move every centroid to the mean of the samples assigned to it.

    .. math::

        c_j^{\text{new}} = \frac{1}{|C_j|} \sum_{i \in C_j} x_i,
        \qquad C_j = \{\, i : l_i = j \,\}

    c_j^new is new_centroids[j].

    A cluster with no samples (|C_j| = 0) keeps its previous centroid,
    new_centroids[j] = centroids[j]: the mean of no samples is undefined (nan).

    Args:
        X: (n, d) samples.
        labels: (n,) integers in [0, k).
        centroids: (k, d) the current centroids; not modified.

    Returns:
        new_centroids: (k, d), one row per cluster, empty clusters included.
    """
    raise NotImplementedError("update_centroids")


def kmeans_objective(X, centroids, labels):
    r"""The k-means objective (distortion) of a clustering: a sum, not a mean.

    .. math::

        J = \sum_{i=1}^{n} \lVert x_i - c_{l_i} \rVert^2

    Use the labels given, whether or not they are the nearest centroids.

    Args:
        X: (n, d) samples.
        centroids: (k, d) centroids.
        labels: (n,) integers in [0, k).

    Returns:
        J as a single float.
    """
    raise NotImplementedError("kmeans_objective")


def kmeans(X, init_centroids, max_iter=100):
    """Lloyd's algorithm: alternate the assignment and update steps.

    Start from a copy of init_centroids. Each iteration:
        1. labels = assign_clusters(X, centroids)
        2. if these labels equal the previous iteration's labels: stop
           (they will not change again)
        3. centroids = update_centroids(X, labels, centroids)
        4. append kmeans_objective(X, centroids, labels) to history
    Run at most max_iter iterations.

    history never increases: step 1 cannot increase the objective, and
    neither can step 3.

    Args:
        X: (n, d) samples.
        init_centroids: (k, d) initial centroids; not modified.
        max_iter: int >= 1, the largest number of iterations.

    Returns:
        (centroids, labels, history): the final centroids (k, d), the labels
        (n,) they were computed from, and history, a list of floats where
        history[i] is the objective after iteration i.
    """
    raise NotImplementedError("kmeans")


def kmeans_plus_plus(X, k, rng):
    r"""k-means++: choose k initial centroids among the samples.

    The first centre is X[rng.integers(n)]. Each next centre is
    X[rng.choice(n, p=D2 / D2.sum())], where D2[i] is the squared distance
    from X[i] to the nearest centre chosen so far (so a chosen sample has
    D2 = 0 and is never chosen again): sample i is drawn with probability

    .. math::

        p_i = \frac{D2_i}{\sum_{l=1}^{n} D2_l}, \qquad
        D2_i = \min_{c \text{ chosen}} \lVert x_i - c \rVert^2

    Use exactly these calls on rng, in this order, and no other random
    numbers (not np.random): the grader replays the same generator.

    Args:
        X: (n, d) samples, at least k of them distinct.
        k: int, the number of centres.
        rng: a numpy Generator, e.g. np.random.default_rng(0).

    Returns:
        centres: (k, d), centres[j] is the j-th chosen sample.
    """
    raise NotImplementedError("kmeans_plus_plus")
