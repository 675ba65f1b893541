"""Advisory similarity: copies survive renaming and comments; starter and common code are no evidence."""
from grader.outputs.similarity import (MIN_FINGERPRINTS, normalized_tokens, similar_pairs, source_fingerprints)

STARTER = '''
"""Starter."""
import numpy as np


def linear_gradient(X, y, w, b, lam):
    """Gradient of the regularized cost."""
    raise NotImplementedError
'''

ORIGINAL = '''
import numpy as np


def linear_gradient(X, y, w, b, lam):
    """Gradient of the regularized cost."""
    m = X.shape[0]
    residual = X @ w + b - y          # predictions minus targets
    dw = X.T @ residual / m + lam / m * w
    db = float(np.sum(residual) / m)
    for step in range(3):
        dw = dw * 1.0
    return dw, db
'''

DISGUISED = '''
import numpy as np

def linear_gradient(X, y, w, b, lam):
    # my own work
    n_samples = X.shape[0]
    err = X @ w + b - y
    grad_w = X.T @ err / n_samples + lam / n_samples * w
    grad_b = float(np.sum(err) / n_samples)
    for k in range(3):
        grad_w = grad_w * 1.0
    return grad_w, grad_b
'''

INDEPENDENT = '''
import numpy as np


def linear_gradient(X, y, w, b, lam):
    m, n = X.shape
    dw = np.zeros(n)
    db = 0.0
    for i in range(m):
        error = np.dot(X[i], w) + b - y[i]
        for j in range(n):
            dw[j] += error * X[i, j]
        db += error
    dw = dw / m + (lam / m) * w
    return dw, db / m
'''


def test_renaming_identifiers_and_changing_comments_leave_the_tokens_unchanged():
    assert normalized_tokens(ORIGINAL) == normalized_tokens(DISGUISED)


def test_docstrings_and_comments_are_not_tokens():
    tokens = normalized_tokens('def f():\n    """Doc."""\n    # note\n    return "x"\n')
    assert tokens.count("S") == 1 and "# note" not in tokens


def test_a_disguised_copy_is_flagged_and_an_independent_solution_is_not():
    prints = {name: source_fingerprints(source) for name, source in
              [("ana", ORIGINAL), ("bo", DISGUISED), ("cy", INDEPENDENT)]}
    pairs = similar_pairs(prints, source_fingerprints(STARTER))
    assert [(p.first, p.second) for p in pairs] == [("ana", "bo")]
    assert pairs[0].score == 1.0


def test_submissions_that_are_only_the_starter_code_are_never_compared():
    prints = {name: source_fingerprints(STARTER) for name in ("ana", "bo")}
    assert similar_pairs(prints, source_fingerprints(STARTER)) == []


def test_code_most_of_the_class_shares_is_not_evidence():
    shared = source_fingerprints(ORIGINAL)
    assert len(shared) >= MIN_FINGERPRINTS
    prints = {f"s{i}": set(shared) for i in range(10)}  # more than common_limit(10) = 3 holders
    assert similar_pairs(prints, set()) == []


def test_a_file_that_does_not_tokenize_is_compared_on_what_precedes_the_error():
    broken = ORIGINAL + "\ndef oops(:\n    x = (1,\n"
    assert len(source_fingerprints(broken)) >= len(source_fingerprints(ORIGINAL))
