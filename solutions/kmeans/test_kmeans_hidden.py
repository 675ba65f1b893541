"""Hidden tests for the kmeans topic.

Expected values come from ``reference`` (solutions/kmeans/kmeans.py), run in the
grader's process. Shapes are non-square (n, k and d all differ) so a transposed
answer fails. Random problems are Gaussian blobs drawn from a hypothesis-chosen
seed: continuous data have no exact ties, and ``_clear_margin`` rejects the rare
near-tie whose outcome float round-off could decide. Exact ties are tested only on
small integers, where every formula for the squared distance is exact.
"""
import math

import numpy as np
from hypothesis import assume, given, strategies as st

from grader.strategies import arrays, labels as label_arrays, seeds
from grader.testing import (CheckFailed, Mistake, expect_close, expect_finite, expect_labels,
                            expect_same_labels, expect_scalar, expect_shape, expect_tuple,
                            expect_unchanged, fail, hint, is_close, mistake_model, note, points,
                            student_shape)


# ------------------------------------------------------------------ problems
def _blobs(seed, n, k, d, spread=0.6):
    """n samples around k random centres in [-3, 3]^d, and k distinct samples as initial centroids."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-3.0, 3.0, (k, d))
    X = centres[rng.integers(k, size=n)] + spread * rng.standard_normal((n, d))
    init = X[rng.choice(n, size=k, replace=False)].copy()
    return X, init


def _squared_distances(X, C):
    diff = X[:, None, :] - C[None, :, :]
    return np.einsum("nkd,nkd->nk", diff, diff)


def _clear_margin(X, C, margin=1e-7):
    """Every sample's nearest centroid beats the runner-up by a relative margin (or is a duplicate)."""
    d2 = _squared_distances(X, C)
    if C.shape[0] < 2:
        return True
    order = np.sort(d2, axis=1)
    scale = 1.0 + np.max(d2)
    gap_ok = order[:, 1] - order[:, 0] > margin * scale
    # Exactly equal centroids give exactly equal distances under every formula.
    best = np.argmin(d2, axis=1)
    near = d2 <= order[:, :1] + margin * scale
    duplicates = np.array([np.all(C[near[i]] == C[best[i]]) for i in range(X.shape[0])])
    return bool(np.all(gap_ok | duplicates))


@st.composite
def clustering_problems(draw):
    """(X, init): n in [8, 20] samples, k in [2, 4] clusters, d in [1, 5] features, k != d."""
    k = draw(st.integers(2, 4))
    d = draw(st.integers(1, 5).filter(lambda value: value != k))
    n = draw(st.integers(8, 20))
    return _blobs(draw(seeds()), n, k, d)


def _kmeans_trajectory(reference, X, init, max_iter=100):
    """The reference run, iteration by iteration: [(labels, centroids before, centroids after)]."""
    centroids, labels, steps = np.array(init, dtype=float), None, []
    for _ in range(max_iter):
        new_labels = reference.assign_clusters(X, centroids)
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        updated = reference.update_centroids(X, labels, centroids)
        steps.append((labels, centroids, updated))
        centroids = updated
    return steps


# Fixed problem: 4 overlapping blobs in 3-D, n = 26. From these 4 samples the run takes
# 5 iterations and keeps every cluster non-empty; starting from X[:4], or updating from
# stale labels, ends at a different clustering.
X_FIXED, _ = _blobs(20261121, 26, 4, 3, spread=0.9)
INIT_FIXED = X_FIXED[[4, 0, 11, 15]].copy()
K_FIXED = 4


# --------------------------------------------------------------- mistakes
HINT_ARGMAX = ("the nearest centroid has the smallest distance: use np.argmin over the centroid "
               "axis, not np.argmax.")
HINT_TIES_HIGHEST = ("ties go to the lowest index: np.argmin returns the first minimum; in a loop, "
                     "replace the best only when a distance is strictly smaller (<, not <=).")
HINT_MEAN = "the objective is a sum over the samples, not a mean: do not divide by n."
HINT_NOT_SQUARED = ("the objective sums squared distances ||x_i - c||^2 (the sum of squares of the "
                    "differences), not the distances themselves.")
HINT_OLD_LABELS = ("each iteration first assigns labels from the current centroids, then updates "
                   "the centroids from those new labels: your centroids were updated from the "
                   "previous (or placeholder) labels.")
HINT_EMPTY_NAN = ("an empty cluster keeps its previous centroid: X[labels == j].mean(axis=0) is nan "
                  "when no sample has label j, so only update clusters that have samples.")


@mistake_model
def assign_mistakes(X, C):
    d2 = _squared_distances(X, C)
    highest = d2.shape[1] - 1 - np.argmin(d2[:, ::-1], axis=1)
    l1 = np.abs(X[:, None, :] - C[None, :, :]).sum(axis=2)
    return [
        Mistake("argmax_not_argmin", HINT_ARGMAX, np.argmax(d2, axis=1)),
        Mistake("ties_to_highest_index", HINT_TIES_HIGHEST, highest),
        Mistake("manhattan_distance", "use the squared Euclidean distance sum_j (x_j - c_j)^2, "
                "not the sum of absolute differences.", np.argmin(l1, axis=1)),
    ]


@mistake_model
def update_mistakes(X, labels, C):
    k = C.shape[0]
    counts = np.bincount(labels, minlength=k)
    sums = np.zeros((k, X.shape[1]))
    np.add.at(sums, labels, X)
    safe = np.maximum(counts, 1)[:, None]
    return [
        Mistake("sum_not_mean", "divide each cluster's sum by its number of samples.",
                np.where(counts[:, None] > 0, sums, C)),
        Mistake("sum_over_all_samples", "sum only over the samples of cluster j (labels == j), "
                "then divide by their number.", np.where(counts[:, None] > 0, X.sum(0) / safe, C)),
        Mistake("empty_cluster_zeros", "an empty cluster keeps its previous centroid, not zeros.",
                sums / safe),
    ]


@mistake_model
def objective_mistakes(X, C, labels):
    residual = X - C[labels]
    squared = float(np.sum(residual ** 2))
    norms = np.sqrt(np.sum(residual ** 2, axis=1))
    nearest = float(np.sum(np.min(_squared_distances(X, C), axis=1)))
    return [
        Mistake("objective_mean", HINT_MEAN, squared / X.shape[0]),
        Mistake("objective_mean", HINT_MEAN, squared / X.size),
        Mistake("distances_not_squared", HINT_NOT_SQUARED, float(np.sum(norms))),
        Mistake("distances_not_squared", HINT_NOT_SQUARED, math.sqrt(squared)),
        Mistake("objective_halved", "J is the plain sum of squared distances, without a 1/2.",
                squared / 2),
        Mistake("objective_ignores_labels", "use the labels you are given: the distance of X[i] to "
                "centroids[labels[i]], even when another centroid is nearer.", nearest),
    ]


def _history(value, what="history"):
    if isinstance(value, np.ndarray) and value.ndim != 1:
        fail(f"{what} should be a list of floats (one per iteration), but it has {student_shape(value.shape)}",
             mistake="wrong_shape")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        fail(f"{what} should be a list of floats, one per iteration", mistake="wrong_type")
    if array.ndim != 1 or array.size == 0:
        fail(f"{what} should be a non-empty list of floats, one per iteration", mistake="wrong_shape")
    return array


def _trim_confirming_iteration(history, expected):
    """Accept one extra trailing entry equal to the last: a run that records the iteration in which
    it found that the labels no longer change (same labels, same centroids, same objective)."""
    if (history.shape[0] == expected.shape[0] + 1
            and abs(history[-1] - history[-2]) <= 1e-9 * (1.0 + abs(history[-2]))):
        return history[:-1]
    return history


def _expect_history(history, expected, mistakes=(), what="history"):
    expected = np.asarray(expected, dtype=np.float64)
    history = _trim_confirming_iteration(history, expected)
    if history.shape != expected.shape:
        fail(f"{what} has the wrong number of entries: one per iteration that updated the centroids",
             hint="record one objective per iteration, and stop as soon as the labels no longer "
                  "change (or after max_iter iterations).", mistake="history_length")
    expect_close(history, expected, what, mistakes=mistakes)


@mistake_model
def history_mistakes(X, steps):
    n = X.shape[0]
    after = np.array([float(np.sum((X - c[l]) ** 2)) for l, _, c in steps])
    before = np.array([float(np.sum((X - c[l]) ** 2)) for l, c, _ in steps])
    norms = np.array([float(np.sum(np.sqrt(np.sum((X - c[l]) ** 2, axis=1)))) for l, _, c in steps])
    return [
        Mistake("objective_mean", HINT_MEAN, after / n),
        Mistake("objective_mean", HINT_MEAN, after / X.size),
        Mistake("distances_not_squared", HINT_NOT_SQUARED, norms),
        Mistake("history_before_update", "history[i] is the objective after iteration i: record it "
                "after updating the centroids.", before),
    ]


def _placeholder_label_kmeans(reference, X, init, max_iter=100):
    """A run whose update uses the previous labels, starting from placeholder labels 0."""
    centroids, labels = np.array(init, dtype=float), np.zeros(X.shape[0], dtype=np.int64)
    for _ in range(max_iter):
        centroids = reference.update_centroids(X, labels, centroids)
        new_labels = reference.assign_clusters(X, centroids)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return centroids


def _lagging_kmeans(reference, X, init, max_iter=100):
    """A run whose update uses the labels of the iteration before (one step behind)."""
    centroids = np.array(init, dtype=float)
    old = labels = reference.assign_clusters(X, centroids)
    for _ in range(max_iter):
        labels = reference.assign_clusters(X, centroids)
        centroids = reference.update_centroids(X, old, centroids)
        if np.array_equal(labels, old):
            break
        old = labels
    return centroids


@mistake_model
def centroid_mistakes(reference, X, init, max_iter=100):
    return [
        Mistake("centroids_from_old_labels", HINT_OLD_LABELS,
                _placeholder_label_kmeans(reference, X, init, max_iter)),
        Mistake("centroids_from_old_labels", HINT_OLD_LABELS,
                _lagging_kmeans(reference, X, init, max_iter)),
        Mistake("ignores_init_centroids", "start from the init_centroids you are given (a copy), "
                "not from the first k samples or a random choice.",
                reference.kmeans(X, X[:init.shape[0]], max_iter)[0]),
    ]


def _kmeans_result(value, n, k, d):
    centroids, labels, history = expect_tuple(value, 3, "kmeans", describe=None, mistake="wrong_type",
                                              returns="a tuple (centroids, labels, history)")
    centroids = expect_shape(centroids, (k, d), "centroids",
                             hint="one row per cluster: centroids has the shape of init_centroids.")
    expect_finite(centroids, "centroids", hint=HINT_EMPTY_NAN, mistake="empty_cluster_nan")
    return centroids, expect_labels(labels, n, "labels"), _history(history)


# ------------------------------------------------- which function is wrong
FAITHFUL_ITERATIONS = 8


def _loop_on_student_helpers(student, X, init, max_iter):
    """kmeans as its docstring writes it, run here on the student's own three helpers."""
    centroids, labels, history = np.array(init, dtype=float), None, []
    for _ in range(max_iter):
        new_labels = expect_labels(student.assign_clusters(X, centroids), X.shape[0])
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        centroids = expect_shape(student.update_centroids(X, labels, centroids), init.shape, "centroids")
        history.append(expect_scalar(student.kmeans_objective(X, centroids, labels), "objective"))
    return centroids, labels, np.array(history)


def _wrong_helpers(student, reference, X, init, max_iter):
    """The student's helpers that disagree with the reference along the reference's own run."""
    steps = _kmeans_trajectory(reference, X, init, max_iter)
    wrong = []
    checks = {
        "assign_clusters": lambda: all(np.array_equal(np.asarray(student.assign_clusters(X, before)), labels)
                                       for labels, before, _ in steps),
        "update_centroids": lambda: all(isinstance(new := student.update_centroids(X, labels, before), np.ndarray)
                                        and is_close(new, after, rtol=1e-6, atol=1e-9)
                                        for labels, before, after in steps),
        "kmeans_objective": lambda: all(is_close(student.kmeans_objective(X, after, labels),
                                                 reference.kmeans_objective(X, after, labels),
                                                 rtol=1e-6, atol=1e-9) for labels, _, after in steps),
    }
    for name, right in checks.items():
        try:
            if not right():
                wrong.append(name)
        except Exception:  # the helper raised, or returned what cannot be compared: it is wrong here
            wrong.append(name)
    return wrong


def _blaming_helpers(student, reference, X, init, max_iter, check):
    """Run a kmeans test; when it fails and a helper kmeans builds on is wrong on this data,
    say so. A kmeans that is exactly the docstring's loop over those (wrong) helpers is right
    itself: it keeps its points, with a note naming the helper that is wrong."""
    try:
        check()
        return
    except CheckFailed as failure:
        failed = failure
    except Exception as error:  # the student's kmeans raised: perhaps inside a helper
        failed = error
    wrong = _wrong_helpers(student, reference, X, init, max_iter)
    if not wrong:
        raise failed
    names = " and ".join(wrong)
    # Faithfulness over the first few iterations is the evidence: helpers that never converge
    # must not spend the test's time on a hundred round trips each.
    iterations = min(max_iter, FAITHFUL_ITERATIONS)
    try:
        own = _kmeans_result(student.kmeans(X, init, iterations), X.shape[0], *init.shape)
        loop = _loop_on_student_helpers(student, X, init, iterations)
        # Centroids and history are what the loop determines; which labels a run stopped by
        # max_iter returns (those of the last update, or of the assignment after it) varies.
        faithful = (is_close(own[0], loop[0], rtol=1e-9, atol=1e-12)
                    and is_close(_trim_confirming_iteration(own[2], loop[2]), loop[2], rtol=1e-9, atol=1e-12))
    except Exception:
        faithful = False
    if faithful:
        note(f"kmeans is right: it is the docstring's loop over your {names}, which "
             f"{'is' if len(wrong) == 1 else 'are'} wrong on this data (see {'its' if len(wrong) == 1 else 'their'} tests)")
        return
    if isinstance(failed, CheckFailed) and failed.mistake is not None:
        # kmeans' own diagnosis stands; the helpers are named as well.
        raise CheckFailed(f"{failed.message} (kmeans builds on your {names}, also wrong on this data)",
                          hint=failed.hint, mistake=failed.mistake, detail=failed.detail,
                          measure=failed.measure) from None
    fail(f"kmeans could not be checked on its own: it builds on your {names}, which "
         f"{'is' if len(wrong) == 1 else 'are'} wrong on this data (see {'its' if len(wrong) == 1 else 'their'} "
         "tests)", mistake=f"depends_on_{wrong[0]}",
         hint=f"fix {wrong[0]} first; kmeans calls it in every iteration.")


# ---------------------------------------------------------- assign_clusters
@points(2)
@hint("labels[i] is the index of the centroid with the smallest squared distance to X[i].")
@given(problem=clustering_problems())
def test_assign_clusters_matches_reference_on_random_problems(student, reference, problem):
    """assign_clusters picks the nearest centroid on random non-square problems."""
    X, init = problem
    centroids = init + 0.5  # not samples themselves, so no distance is exactly 0
    assume(_clear_margin(X, centroids))
    expect_same_labels(student.assign_clusters(X, centroids), reference.assign_clusters(X, centroids),
                   "labels", mistakes=assign_mistakes(X, centroids))


@points(1)
@hint("return an integer array of shape (n,): np.argmin(distances, axis=1), where distances has "
      "shape (n, k).")
def test_assign_clusters_returns_integer_labels_of_shape_n(student):
    """assign_clusters returns one integer label per sample, shape (n,)."""
    X, C = X_FIXED[:7], INIT_FIXED
    labels = expect_shape(student.assign_clusters(X, C), (7,), "labels")
    if labels.dtype.kind not in "iu":
        fail(f"labels should be integers (they index the centroids), but their dtype is {labels.dtype}",
             mistake="labels_not_integers")


# Exact ties on small integers: centroids at the corners of a 4 x 4 square, samples
# equidistant from two or four of them. The third coordinate shifts every distance
# equally. The tied pairs are (0,1), (1,3), (2,3), (0,2) and all four.
TIE_CENTROIDS = np.array([[0.0, 0.0, 0.0], [4.0, 0.0, 0.0], [0.0, 4.0, 0.0], [4.0, 4.0, 0.0]])
TIE_X = np.array([[2.0, 0.0, 1.0], [4.0, 2.0, 1.0], [2.0, 4.0, -1.0], [2.0, 2.0, 1.0],
                  [0.0, 2.0, 2.0], [3.0, 3.0, 1.0], [2.0, 1.0, 0.0]])


@points(1)
@hint(HINT_TIES_HIGHEST)
def test_assign_clusters_ties_go_to_the_lowest_index(student, reference):
    """When two or more centroids are exactly equally near, the lowest index wins."""
    expect_same_labels(student.assign_clusters(TIE_X, TIE_CENTROIDS),
                   reference.assign_clusters(TIE_X, TIE_CENTROIDS), "labels",
                   mistakes=assign_mistakes(TIE_X, TIE_CENTROIDS)[:2])


# Squared distances between 1e8 and 1e10 (coordinates of order 1e4 to 1e5): a running minimum
# started from a constant such as 99999999 or 1e8 is never replaced.
FAR_CENTROIDS = np.array([[0.0, 0.0], [1e5, 0.0], [0.0, 1e5]])
FAR_X = np.array([[2e4, 1e4], [1.2e5, 2e4], [-1e4, 1.25e5], [8e4, -2e4], [3e4, 9e4]])
HINT_SENTINEL = ("start the running minimum from the first centroid's distance (or np.inf), not from a "
                 "large constant: squared distances can exceed any constant you pick (here they are "
                 "above 1e8), or use np.argmin over all the distances at once.")


@points(1)
def test_assign_clusters_with_squared_distances_above_1e8(student, reference):
    """assign_clusters is right when every squared distance is above 1e8 (coordinates up to 1.25e5)."""
    expected = reference.assign_clusters(FAR_X, FAR_CENTROIDS)
    n = FAR_X.shape[0]
    expect_same_labels(student.assign_clusters(FAR_X, FAR_CENTROIDS), expected, "labels", mistakes=[
        Mistake("distance_sentinel", HINT_SENTINEL, np.zeros(n, dtype=np.int64)),
        Mistake("distance_sentinel", HINT_SENTINEL, np.full(n, -1, dtype=np.int64)),
    ] + assign_mistakes(FAR_X, FAR_CENTROIDS))


# -------------------------------------------------------- update_centroids
@st.composite
def labelled_problems(draw):
    """(X, labels, centroids) with every cluster non-empty."""
    X, init = draw(clustering_problems())
    n, k = X.shape[0], init.shape[0]
    labels = draw(label_arrays(n, k)).copy()
    labels[draw(st.permutations(range(n)))[:k]] = np.arange(k)
    return X, labels, init + draw(arrays(init.shape, -1.0, 1.0))


@points(2)
@hint("new_centroids[j] is the mean of the rows X[i] with labels[i] == j: "
      "X[labels == j].mean(axis=0).")
@given(problem=labelled_problems())
def test_update_centroids_matches_reference_on_random_problems(student, reference, problem):
    """update_centroids returns the cluster means on random non-square problems (no empty cluster)."""
    X, labels, C = problem
    result = expect_shape(student.update_centroids(X, labels, C), C.shape, "new centroids",
                          hint="one row per cluster: shape (k, d), like centroids.")
    expect_close(result, reference.update_centroids(X, labels, C), "new centroids",
                 mistakes=update_mistakes(X, labels, C))


# Six integer samples in 3-D, k = 4 clusters, cluster 1 has no sample.
EMPTY_X = np.array([[1.0, 2.0, 0.0], [3.0, -1.0, 2.0], [5.0, 1.0, 4.0], [0.0, 2.0, 1.0],
                    [2.0, 6.0, -2.0], [4.0, 4.0, 0.0]])
EMPTY_LABELS = np.array([0, 2, 2, 0, 3, 3])
EMPTY_CENTROIDS = np.array([[0.5, 1.5, 0.5], [7.0, -1.0, 2.0], [4.5, 0.5, 3.5], [3.5, 4.5, -0.5]])


@points(2)
@hint("an empty cluster keeps its previous centroid (row j of the centroids you are given).")
def test_update_centroids_keeps_the_centroid_of_an_empty_cluster(student, reference):
    """A cluster with no samples keeps its previous centroid: no nan, no zeros, no missing row."""
    result = expect_shape(student.update_centroids(EMPTY_X, EMPTY_LABELS, EMPTY_CENTROIDS), (4, 3),
                          "new centroids", hint="keep one row per cluster, including the empty "
                          "cluster 1: it keeps its previous centroid.")
    expect_finite(result, "new centroids", hint=HINT_EMPTY_NAN, mistake="empty_cluster_nan")
    expect_close(result, reference.update_centroids(EMPTY_X, EMPTY_LABELS, EMPTY_CENTROIDS),
                 "new centroids", mistakes=update_mistakes(EMPTY_X, EMPTY_LABELS, EMPTY_CENTROIDS))


@points(1)
@hint("start from a copy: new = centroids.copy() (or np.array(centroids)), then fill its rows.")
def test_update_centroids_does_not_modify_centroids(student):
    """update_centroids leaves the centroids array it is given unchanged."""
    result = student.call("update_centroids", EMPTY_X, EMPTY_LABELS, EMPTY_CENTROIDS, return_args=True)
    expect_unchanged(EMPTY_CENTROIDS, result.args_after[2], "centroids", mistake="modifies_centroids")


# -------------------------------------------------------- kmeans_objective
LABELS_FIXED = np.random.default_rng(5).integers(K_FIXED, size=X_FIXED.shape[0])  # not the nearest


@points(2)
def test_kmeans_objective_matches_reference_on_fixed_problem(student, reference):
    """kmeans_objective is right on a 26 x 3 problem with 4 centroids and given labels."""
    args = (X_FIXED, INIT_FIXED, LABELS_FIXED)
    expect_close(student.kmeans_objective(*args), reference.kmeans_objective(*args), "objective",
                 mistakes=objective_mistakes(*args))


@st.composite
def objective_problems(draw):
    X, init = draw(clustering_problems())
    return X, init, draw(label_arrays(X.shape[0], init.shape[0]))


@points(1)
@hint("J = sum over i of sum over j of (X[i, j] - centroids[labels[i], j])^2.")
@given(problem=objective_problems())
def test_kmeans_objective_matches_reference_on_random_problems(student, reference, problem):
    """kmeans_objective is right on random non-square problems with arbitrary labels."""
    expect_close(student.kmeans_objective(*problem), reference.kmeans_objective(*problem),
                 "objective", mistakes=objective_mistakes(*problem))


@points(1)
def test_kmeans_objective_returns_a_single_number(student):
    """kmeans_objective returns a float, not an array."""
    expect_scalar(student.kmeans_objective(X_FIXED, INIT_FIXED, LABELS_FIXED), "objective")


# ------------------------------------------------------------------ kmeans
@points(3)
@hint("each iteration: assign labels from the current centroids; stop if they did not change; "
      "update the centroids from these labels; record the objective.")
def test_kmeans_loop_matches_reference_on_fixed_problem(student, reference):
    """kmeans from given initial centroids gives the reference centroids, labels and history."""
    def check():
        n, d = X_FIXED.shape
        centroids, labels, history = _kmeans_result(student.kmeans(X_FIXED, INIT_FIXED, 100),
                                                     n, K_FIXED, d)
        c_ref, l_ref, h_ref = reference.kmeans(X_FIXED, INIT_FIXED, 100)
        expect_close(centroids, c_ref, "final centroids",
                     mistakes=centroid_mistakes(reference, X_FIXED, INIT_FIXED))
        expect_same_labels(labels, l_ref, "final labels")
        _expect_history(history, h_ref,
                        history_mistakes(X_FIXED, _kmeans_trajectory(reference, X_FIXED, INIT_FIXED)))

    _blaming_helpers(student, reference, X_FIXED, INIT_FIXED, 100, check)


@points(2)
@hint("record kmeans_objective(X, centroids, labels) after each update; with correct assignment "
      "(argmin) and update (means) steps it can only go down.")
@given(problem=clustering_problems())
def test_kmeans_loop_history_never_increases(student, problem):
    """On random problems the recorded objective never increases from one iteration to the next."""
    X, init = problem
    _, _, history = _kmeans_result(student.kmeans(X, init, 50), X.shape[0], *init.shape)
    expect_finite(history, "history", hint=HINT_EMPTY_NAN, mistake="empty_cluster_nan")
    # 1e-9 relative: round-off in re-summing an unchanged objective is ~1e-15.
    rises = np.diff(history) > 1e-9 * (1.0 + np.abs(history[:-1]))
    if np.any(rises):
        fail(f"history increases at iteration {int(np.argmax(rises)) + 1}",
             mistake="objective_increases")


@points(2)
@hint("iterate until the labels stop changing: then the labels are the nearest-centroid "
      "assignment of the final centroids, and the centroids are the means of those labels.")
def test_kmeans_loop_result_is_a_fixed_point(student, reference):
    """At convergence the labels are the nearest centroids and the centroids the means of the labels."""
    def check():
        n, d = X_FIXED.shape
        centroids, labels, _ = _kmeans_result(student.kmeans(X_FIXED, INIT_FIXED, 100), n, K_FIXED, d)
        if np.any((labels < 0) | (labels >= K_FIXED)):
            fail("labels should be cluster indices in [0, k)", mistake="labels_out_of_range")
        expect_close(centroids, reference.update_centroids(X_FIXED, labels, centroids),
                     "final centroids compared with the means of the final labels",
                     hint="the returned centroids must be the means of the returned labels: "
                          + HINT_OLD_LABELS)
        expect_same_labels(labels, reference.assign_clusters(X_FIXED, centroids),
                       "final labels compared with the nearest final centroids")

    _blaming_helpers(student, reference, X_FIXED, INIT_FIXED, 100, check)


@points(1)
@hint("nothing in kmeans should depend on the order of the rows of X: start from init_centroids, "
      "not from X[:k] or a random choice.")
@given(problem=clustering_problems(), data=st.data())
def test_kmeans_loop_permuting_the_data_permutes_the_labels_only(student, reference, problem, data):
    """Shuffling the rows of X shuffles the labels the same way and changes nothing else."""
    X, init = problem
    perm = np.array(data.draw(st.permutations(range(X.shape[0])), label="permutation"))
    assume(not np.array_equal(perm, np.arange(X.shape[0])))
    assume(all(_clear_margin(X, c_before) for _, c_before, _ in _kmeans_trajectory(reference, X, init)))
    n, (k, d) = X.shape[0], init.shape
    centroids, labels, history = _kmeans_result(student.kmeans(X, init, 100), n, k, d)
    c_perm, l_perm, h_perm = _kmeans_result(student.kmeans(X[perm], init, 100), n, k, d)
    # rtol 1e-9: the means are summed in another order (round-off ~1e-15), nothing else changes.
    expect_close(c_perm, centroids, "centroids for the shuffled data", rtol=1e-9, atol=1e-12)
    expect_same_labels(l_perm, labels[perm], "labels for the shuffled data")
    expect_close(h_perm, history, "history for the shuffled data", rtol=1e-9, atol=1e-12)


@points(1)
@hint("cluster j starts at init_centroids[j]: the final centroids[j] and the label j belong to "
      "that start.")
@given(problem=clustering_problems(), data=st.data())
def test_kmeans_loop_matches_reference_up_to_relabelling(student, reference, problem, data):
    """With the initial centroids reordered, kmeans finds the same clustering, renumbered in that order."""
    X, init = problem
    k, d = init.shape
    q = np.array(data.draw(st.permutations(range(k)), label="order of the initial centroids"))
    assume(all(_clear_margin(X, c_before) for _, c_before, _ in _kmeans_trajectory(reference, X, init)))

    def check():
        centroids, labels, history = _kmeans_result(student.kmeans(X, init[q], 100), X.shape[0], k, d)
        c_ref, l_ref, h_ref = reference.kmeans(X, init, 100)
        # Student cluster j started at reference cluster q[j].
        expect_close(centroids, c_ref[q], "final centroids",
                     mistakes=centroid_mistakes(reference, X, init[q]))
        expect_same_labels(labels, np.argsort(q)[l_ref], "final labels")
        _expect_history(history, h_ref)

    _blaming_helpers(student, reference, X, init[q], 100, check)


@points(1)
@hint("run at most max_iter iterations (for _ in range(max_iter)), each one assignment and one "
      "update.")
def test_kmeans_loop_stops_after_max_iter(student, reference):
    """With max_iter = 2 kmeans stops after two iterations, before it has converged."""
    def check():
        n, d = X_FIXED.shape
        centroids, _, history = _kmeans_result(student.kmeans(X_FIXED, INIT_FIXED, 2), n, K_FIXED, d)
        c_ref, _, h_ref = reference.kmeans(X_FIXED, INIT_FIXED, 2)
        if history.shape[0] != 2:
            fail(f"history should have 2 entries with max_iter = 2, but it has {history.shape[0]}",
                 mistake="ignores_max_iter")
        expect_close(centroids, c_ref, "centroids after two iterations")
        _expect_history(history, h_ref)

    _blaming_helpers(student, reference, X_FIXED, INIT_FIXED, 2, check)


@points(1)
@hint(HINT_EMPTY_NAN)
def test_kmeans_loop_keeps_a_centroid_that_never_gets_samples(student, reference):
    """An initial centroid far from every sample gets no samples: it stays where it is, without nan."""
    init = INIT_FIXED.copy()
    init[2] = [40.0, -40.0, 40.0]
    n, d = X_FIXED.shape

    def check():
        centroids, labels, history = _kmeans_result(student.kmeans(X_FIXED, init, 100), n, K_FIXED, d)
        expect_finite(history, "history", hint=HINT_EMPTY_NAN, mistake="empty_cluster_nan")
        c_ref, l_ref, _ = reference.kmeans(X_FIXED, init, 100)
        expect_close(centroids, c_ref, "final centroids")
        expect_same_labels(labels, l_ref, "final labels")

    _blaming_helpers(student, reference, X_FIXED, init, 100, check)


@points(1)
@hint("work on a copy: centroids = np.array(init_centroids, dtype=float) or init_centroids.copy().")
def test_kmeans_loop_does_not_modify_init_centroids(student):
    """kmeans leaves the init_centroids array it is given unchanged."""
    result = student.call("kmeans", X_FIXED, INIT_FIXED, 100, return_args=True)
    expect_unchanged(INIT_FIXED, result.args_after[1], "init_centroids", mistake="modifies_init")


@points(1)
def test_kmeans_loop_default_max_iter_is_100(student, reference):
    """kmeans(X, init_centroids) without max_iter gives what your kmeans gives with max_iter = 100."""
    n, (k, d) = X_FIXED.shape[0], INIT_FIXED.shape

    def check():
        without, with_100 = student.map("kmeans", [(X_FIXED, INIT_FIXED), (X_FIXED, INIT_FIXED, 100)])
        c0, l0, h0 = _kmeans_result(without, n, k, d)
        c1, l1, h1 = _kmeans_result(with_100, n, k, d)
        if not (np.array_equal(l0, l1) and is_close(c0, c1, rtol=1e-12, atol=0.0)
                and is_close(h0, h1, rtol=1e-12, atol=0.0)):
            fail("kmeans without max_iter differs from kmeans with max_iter = 100", mistake="wrong_default",
                 hint="SPEC's signature is kmeans(X, init_centroids, max_iter=100).")

    _blaming_helpers(student, reference, X_FIXED, INIT_FIXED, 100, check)


# -------------------------------------------------------- kmeans_plus_plus
KPP_X = np.random.default_rng(77).uniform(-4.0, 4.0, (10, 3))
KPP_K = 4
KPP_SEEDS = range(6)


def _kpp_model(X, k, rng, *, power=2.0, distance_to="nearest", pick="sample", first="integers"):
    """k-means++ and its usual mistakes, replaying the same generator calls where they exist."""
    n = X.shape[0]
    index = 0 if first == "zero" else int(rng.integers(n - 1 if first == "n_minus_1" else n))
    chosen = [index]
    d2 = _squared_distances(X, X[[index]])[:, 0]
    for _ in range(1, k):
        weights = d2 ** (power / 2)
        if pick == "uniform":
            index = int(rng.choice(n))
        elif pick == "farthest":
            index = int(np.argmax(d2))
        else:
            index = int(rng.choice(n, p=weights / weights.sum()))
        chosen.append(index)
        new = _squared_distances(X, X[[index]])[:, 0]
        d2 = {"nearest": np.minimum(d2, new), "last": new, "first": d2}[distance_to]
    return X[chosen]


@mistake_model
def kpp_mistakes(X, k, seeds):
    def model(**options):
        return np.concatenate([_kpp_model(X, k, np.random.default_rng(s), **options) for s in seeds])

    return [
        Mistake("uniform_choice", "choose each next centre with probability proportional to D2: "
                "rng.choice(n, p=D2 / D2.sum()), not uniformly.", model(pick="uniform")),
        Mistake("distances_not_squared", "the probabilities are proportional to the squared "
                "distance D2, not the distance.", model(power=1.0)),
        Mistake("distance_to_last_centre_only", "D2[i] is the squared distance to the nearest of "
                "all centres chosen so far: keep a running minimum, D2 = np.minimum(D2, new).",
                model(distance_to="last")),
        Mistake("distance_to_first_centre_only", "update D2 after every choice: it is the squared "
                "distance to the nearest of all centres chosen so far.", model(distance_to="first")),
        Mistake("farthest_point", "k-means++ samples the next centre at random with p = D2 / "
                "D2.sum(); it does not take the farthest sample.", model(pick="farthest")),
        Mistake("first_centre_not_random", "the first centre is X[rng.integers(n)], drawn from rng.",
                model(first="zero")),
        Mistake("first_centre_off_by_one", "rng.integers(n) already excludes n: it draws from "
                "0 .. n-1.", model(first="n_minus_1")),
    ]


@points(1)
def test_kmeans_plus_plus_returns_k_samples(student):
    """kmeans_plus_plus returns a (k, d) array whose rows are k different samples of X."""
    centres = expect_shape(student.kmeans_plus_plus(KPP_X, KPP_K, np.random.default_rng(0)),
                           (KPP_K, 3), "centres", hint="one chosen sample per row: shape (k, d).")
    is_sample = [bool(np.any(np.all(KPP_X == c, axis=1))) for c in centres]
    if not all(is_sample):
        fail("every centre should be one of the samples (a row of X)", mistake="centre_not_a_sample")
    if len({tuple(c) for c in centres}) != KPP_K:
        fail("a sample was chosen twice: an already chosen sample has D2 = 0 and probability 0",
             mistake="repeated_centre")


@points(3)
@hint("first X[rng.integers(n)]; then for each next centre X[rng.choice(n, p=D2 / D2.sum())], with "
      "D2 the squared distance to the nearest centre chosen so far.")
def test_kmeans_plus_plus_matches_reference_for_fixed_seeds(student, reference):
    """For six seeds, kmeans_plus_plus chooses exactly the reference centres from the same generator."""
    values = student.map("kmeans_plus_plus",
                         [(KPP_X, KPP_K, np.random.default_rng(s)) for s in KPP_SEEDS])
    for value in values:
        expect_shape(value, (KPP_K, 3), "centres")
    expected = np.concatenate([reference.kmeans_plus_plus(KPP_X, KPP_K, np.random.default_rng(s))
                               for s in KPP_SEEDS])
    expect_close(np.concatenate(values), expected, "centres (six seeds, stacked)",
                 mistakes=kpp_mistakes(KPP_X, KPP_K, KPP_SEEDS))


@points(1)
@hint("use exactly one rng.integers(n) and then one rng.choice(n, p=...) per further centre, all "
      "on the rng argument: no other draws, no np.random, no new generator.")
def test_kmeans_plus_plus_uses_the_generator_exactly_as_specified(student, reference):
    """After the call the generator is in exactly the state the specified calls leave it in."""
    for seed in (3, 11):
        rng = np.random.default_rng(seed)
        result = student.call("kmeans_plus_plus", KPP_X, KPP_K, rng, return_args=True)
        after = result.args_after[2]
        if not isinstance(after, np.random.Generator):
            fail("the rng argument did not come back as a numpy Generator", mistake="wrong_type")
        expected = np.random.default_rng(seed)
        reference.kmeans_plus_plus(KPP_X, KPP_K, expected)
        if after.bit_generator.state == np.random.default_rng(seed).bit_generator.state:
            fail("the generator you were given was not used (is it np.random or a new generator?)",
                 hint="draw every random number from the rng argument: rng.integers(n), "
                      "rng.choice(n, p=...).", mistake="rng_not_used")
        if after.bit_generator.state != expected.bit_generator.state:
            fail("the generator was not advanced by exactly the specified calls",
                 mistake="other_random_calls")


# Statistical test of the D^2 rule, independent of the exact call sequence. Five
# samples near the origin (group A) and one sample B at (2.5, 2.5); k = 2. The
# event "the second centre is in the other group than the first" has probability
# p = KPP_STAT_P ~ 0.724 under D^2 sampling (a uniform first centre, then D^2),
# 0.278 (0.333 without repeats) under a uniform second choice, 0.522 with
# distances instead of squared distances, and 1 for the farthest sample. Over
# N = 1000 seeds its count is Binomial(N, p) for any correct implementation (the
# seeds are independent draws of the generator, whatever calls it makes). The
# test accepts the central interval whose two tails each hold at most 5e-10 of
# that binomial, so a correct implementation fails it with probability below
# 1e-9 (8.3e-10, computed exactly below), while a uniform choice passes with
# probability ~1e-84 and distances instead of squares with ~3e-13.
KPP_STAT_X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.5, 0.5], [2.5, 2.5]])
KPP_STAT_SEEDS = range(1000, 2000)
KPP_STAT_TAIL = 5e-10


def _other_group_probability(X):
    d2 = _squared_distances(X, X)
    in_b = np.arange(X.shape[0]) == X.shape[0] - 1
    return float(np.mean([d2[i][in_b != in_b[i]].sum() / d2[i].sum() for i in range(X.shape[0])]))


def _binomial_acceptance(N, p, tail):
    """The central interval [lo, hi] of Binomial(N, p) with each tail outside it <= tail."""
    pmf = [math.exp(math.lgamma(N + 1) - math.lgamma(c + 1) - math.lgamma(N - c + 1)
                    + c * math.log(p) + (N - c) * math.log1p(-p)) for c in range(N + 1)]
    lo, below = 0, 0.0
    while below + pmf[lo] <= tail:
        below, lo = below + pmf[lo], lo + 1
    hi, above = N, 0.0
    while above + pmf[hi] <= tail:
        above, hi = above + pmf[hi], hi - 1
    return lo, hi, below + above


KPP_STAT_P = _other_group_probability(KPP_STAT_X)
KPP_STAT_LO, KPP_STAT_HI, KPP_STAT_FALSE_FAILURE = _binomial_acceptance(
    len(KPP_STAT_SEEDS), KPP_STAT_P, KPP_STAT_TAIL)
assert KPP_STAT_FALSE_FAILURE < 1e-9


@points(2)
@hint("each next centre is drawn with probability proportional to D2, the squared distance to the "
      "nearest centre chosen so far: rng.choice(n, p=D2 / D2.sum()).")
def test_kmeans_plus_plus_second_centre_follows_the_d2_distribution(student):
    """Over 1000 seeds the second centre follows the D^2 distribution (false-failure rate < 1e-9)."""
    values = student.map("kmeans_plus_plus",
                         [(KPP_STAT_X, 2, np.random.default_rng(s)) for s in KPP_STAT_SEEDS])
    is_b = np.array([[np.array_equal(np.asarray(c), KPP_STAT_X[-1]) for c in expect_shape(
        v, (2, 2), "centres")] for v in values])
    count = int(np.sum(is_b[:, 0] != is_b[:, 1]))
    if not KPP_STAT_LO <= count <= KPP_STAT_HI:
        fail(f"over {len(KPP_STAT_SEEDS)} seeds the second centre fell in the other group "
             f"{count} times, which is far from what D^2 sampling gives "
             "(a correct implementation fails this check with probability below 1e-9)",
             mistake="not_d2_distribution")
