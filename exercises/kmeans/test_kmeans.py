"""Public tests for the kmeans topic: run them with `grader check kmeans`."""
import numpy as np

from grader.testing import (expect_close, expect_finite, expect_labels, expect_scalar, expect_shape, is_close, note,
                            expect_unchanged, fail, hint, points)

# Three centroids at the corners of a square and six samples (k = 3, d = 2, n = 6).
# Squared distances to the centroids, row by row:
#   (1, 0): 1, 9, 17 -> 0      (3, 1): 10, 2, 18 -> 1     (0, 3): 9, 25, 1 -> 2
#   (2, 0): 4, 4, 20 -> 0 (tie 0/1)   (3, 3): 18, 10, 10 -> 1 (tie 1/2)   (2, 2): 8, 8, 8 -> 0 (tie)
C_HAND = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
X_HAND = np.array([[1.0, 0.0], [3.0, 1.0], [0.0, 3.0], [2.0, 0.0], [3.0, 3.0], [2.0, 2.0]])


@points(1)
@hint("labels[i] = np.argmin of the squared distances from X[i] to every centroid (axis=1 of an "
      "(n, k) distance array).")
def test_assign_clusters_on_hand_worked_example(student):
    """assign_clusters gives [0, 1, 2] for the first three samples of the example in the test file."""
    labels = expect_labels(student.assign_clusters(X_HAND, C_HAND), 6)
    expect_close(labels[:3], [0, 1, 2], "labels of the samples without ties", rtol=0, atol=0.1)


@points(1)
@hint("np.argmin returns the first minimum; in a loop, replace the best only on a strictly smaller "
      "distance (<, not <=).")
def test_assign_clusters_ties_on_hand_worked_example(student):
    """Samples exactly equally near several centroids get the lowest index: [0, 1, 0]."""
    labels = expect_labels(student.assign_clusters(X_HAND, C_HAND), 6)
    expect_close(labels[3:], [0, 1, 0], "labels of the tied samples", rtol=0, atol=0.1)


# Five samples, k = 3. Cluster 0 = {(1, 2), (3, 4)} has mean (2, 3); cluster 2 =
# {(0, 0), (3, 0), (0, 3)} has mean (1, 1); cluster 1 has no sample.
X_UPDATE = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
C_UPDATE = np.array([[9.0, 9.0], [7.0, -1.0], [0.0, 0.5]])


@points(1)
@hint("new_centroids[j] = X[labels == j].mean(axis=0).")
def test_update_centroids_on_hand_worked_example(student):
    """With labels [0, 0, 1, 2, 2] the centroids become (2, 3), (0, 0) and (1.5, 1.5)."""
    result = student.update_centroids(X_UPDATE, np.array([0, 0, 1, 2, 2]), C_UPDATE)
    expect_close(expect_shape(result, (3, 2), "new centroids"),
                 [[2.0, 3.0], [0.0, 0.0], [1.5, 1.5]], "new centroids")


@points(1)
@hint("an empty cluster keeps its previous centroid: only update clusters that have samples "
      "(X[labels == j].mean(axis=0) is nan for an empty cluster).")
def test_update_centroids_empty_cluster_keeps_its_centroid(student):
    """With labels [0, 0, 2, 2, 2] cluster 1 is empty and keeps (7, -1); the others move to their means."""
    result = student.update_centroids(X_UPDATE, np.array([0, 0, 2, 2, 2]), C_UPDATE)
    result = expect_shape(result, (3, 2), "new centroids",
                          hint="keep one row per cluster, the empty one included.")
    expect_finite(result, "new centroids", mistake="empty_cluster_nan")
    expect_close(result, [[2.0, 3.0], [7.0, -1.0], [1.0, 1.0]], "new centroids")


# Objective with the labels given (not the nearest ones): (1,2)->(3,3): 4 + 1 = 5;
# (3,4)->(3,3): 1; (0,0)->(1,1): 2. The sum is 8.
X_OBJ = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]])
C_OBJ = np.array([[1.0, 1.0], [3.0, 3.0]])
LABELS_OBJ = np.array([1, 1, 0])


@points(1)
@hint("J is the sum (not the mean) of the squared distances from each X[i] to "
      "centroids[labels[i]], using the labels given.")
def test_kmeans_objective_on_hand_worked_example(student):
    """kmeans_objective is 5 + 1 + 2 = 8 on the example in the test file."""
    expect_close(student.kmeans_objective(X_OBJ, C_OBJ, LABELS_OBJ), 8.0, "objective")


@points(1)
def test_kmeans_objective_is_a_single_number(student):
    """kmeans_objective returns a float, not an array."""
    expect_scalar(student.kmeans_objective(X_OBJ, C_OBJ, LABELS_OBJ), "objective")


# Two groups, started from two samples of the first group:
#   iteration 1: labels [0, 1, 0, 1, 1, 1]; centroids (0.5, 0), (6.5, 6.75); objective 102.25
#   iteration 2: labels [0, 0, 0, 1, 1, 1]; centroids (1/3, 1/3), (26/3, 26/3); objective 8/3
#   iteration 3: the labels do not change, so kmeans stops.
X_RUN = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [9.0, 9.0], [9.0, 8.0], [8.0, 9.0]])
INIT_RUN = np.array([[0.0, 0.0], [0.0, 1.0]])


@points(2)
@hint("each iteration: assign labels from the current centroids; stop if they did not change; "
      "update the centroids from these labels; append the objective to history.")
def test_kmeans_loop_on_hand_worked_example(student):
    """kmeans on the two-group example ends at (1/3, 1/3), (26/3, 26/3) with history [102.25, 8/3]."""
    centroids, labels, history = student.kmeans(X_RUN, INIT_RUN, 100)
    expect_close(expect_shape(centroids, (2, 2), "centroids"),
                 [[1 / 3, 1 / 3], [26 / 3, 26 / 3]], "final centroids")
    expect_close(expect_labels(labels, 6), [0, 0, 0, 1, 1, 1], "final labels", rtol=0, atol=0.1)
    history = np.asarray(history, dtype=float)
    if history.shape == (3,) and abs(history[2] - history[1]) < 1e-9:
        history = history[:2]  # also accepted: recording the iteration that found no change
    if history.shape == (2,) and not is_close(history, [102.25, 8 / 3], rtol=1e-6, atol=1e-9):
        # kmeans records what your kmeans_objective gives: when that is the one that is wrong,
        # kmeans itself is right and keeps its points.
        own = student.kmeans_objective(X_RUN, np.array([[1 / 3, 1 / 3], [26 / 3, 26 / 3]]),
                                       np.array([0, 0, 0, 1, 1, 1]))
        if is_close(own, history[-1], rtol=1e-9, atol=1e-12) and not is_close(own, 8 / 3, rtol=1e-6, atol=1e-9):
            note("kmeans is right: its history is what your kmeans_objective gives, and "
                 "kmeans_objective is wrong (see its test)")
            return
    expect_close(history, [102.25, 8 / 3], "history")


@points(1)
@hint("record kmeans_objective(X, centroids, labels) after each update; with argmin assignments "
      "and mean updates it never goes up.")
def test_kmeans_loop_history_never_increases_on_fixed_data(student):
    """On 40 random samples with 3 clusters the recorded objective never increases."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2)) + rng.choice([-2.0, 0.0, 2.0], size=(40, 1))
    _, _, history = student.kmeans(X, X[:3].copy(), 100)
    history = np.asarray(history, dtype=float)
    expect_finite(history, "history")
    if history.size == 0:
        fail("history is empty: append the objective after every iteration")
    rises = np.diff(history) > 1e-9 * (1.0 + np.abs(history[:-1]))
    if np.any(rises):
        fail(f"history increases at iteration {int(np.argmax(rises)) + 1}",
             detail=f"history = {np.array2string(history, precision=6)}")


@points(1)
@hint("work on a copy: centroids = np.array(init_centroids, dtype=float).")
def test_kmeans_loop_leaves_init_centroids_unchanged(student):
    """kmeans does not modify the init_centroids array it is given."""
    init = INIT_RUN.copy()
    result = student.call("kmeans", X_RUN, init, 100, return_args=True)
    expect_unchanged(init, result.args_after[1], "init_centroids", mistake="modifies_init")


# Eight samples with all pairwise distances different.
X_KPP = np.array([[0.0, 0.0, 1.0], [2.0, 1.0, 0.0], [5.0, 1.0, 3.0], [1.0, 6.0, 2.0],
                  [7.0, 7.0, 0.0], [3.0, 2.0, 5.0], [6.0, 0.0, 1.0], [2.0, 5.0, 6.0]])


@points(1)
@hint("the first centre is X[rng.integers(n)], drawn from the rng you are given; every centre is a "
      "row of X.")
def test_kmeans_plus_plus_first_centre_and_shape(student):
    """For seeds 0..4: shape (3, 3), three distinct rows of X, the first X[default_rng(seed).integers(8)]."""
    for seed in range(5):
        centres = expect_shape(student.kmeans_plus_plus(X_KPP, 3, np.random.default_rng(seed)),
                               (3, 3), "centres")
        first = X_KPP[np.random.default_rng(seed).integers(8)]
        expect_close(centres[0], first, f"the first centre (seed {seed})")
        rows = [int(np.argmax(np.all(X_KPP == c, axis=1))) if np.any(np.all(X_KPP == c, axis=1))
                else -1 for c in centres]
        if -1 in rows:
            fail("every centre should be a row of X", detail=f"seed {seed}: centres {centres}")
        if len(set(rows)) != 3:
            fail("a sample was chosen twice: a chosen sample has D2 = 0, so probability 0",
                 detail=f"seed {seed}: rows {rows}")


@points(1)
@hint("draw every random number from the rng argument (rng.integers, rng.choice), never from "
      "np.random or a new generator.")
def test_kmeans_plus_plus_uses_the_rng_argument(student):
    """kmeans_plus_plus draws from the generator it is given: the generator's state advances."""
    rng = np.random.default_rng(7)
    result = student.call("kmeans_plus_plus", X_KPP, 3, rng, return_args=True)
    if result.args_after[2].bit_generator.state == np.random.default_rng(7).bit_generator.state:
        fail("the generator you were given was not used", mistake="rng_not_used")


@points(1)
@hint("each next centre is drawn with p = D2 / D2.sum(), D2 the squared distance to the nearest "
      "chosen centre: a far-away group is then almost certain to get the second centre.")
def test_kmeans_plus_plus_spreads_centres_over_far_apart_groups(student):
    """Two groups 1000 apart: for seeds 0..19 the two centres come from different groups.

    Under D^2 sampling the chance of both in the same group is below 1e-5 per seed."""
    X = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [1000.0, 1000.0], [1000.1, 1000.0],
                  [1000.0, 1000.1], [999.9, 1000.0]])
    for seed in range(20):
        centres = expect_shape(student.kmeans_plus_plus(X, 2, np.random.default_rng(seed)), (2, 2),
                               "centres")
        if (centres[0, 0] > 500) == (centres[1, 0] > 500):
            fail(f"for seed {seed} both centres are in the same group", mistake="not_d2_distribution",
                 detail=f"centres {centres}")
