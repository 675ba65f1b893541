"""The linear_classifiers fixtures rest on the course's worked example, away from hinge kinks."""
import numpy as np

from conftest import ROOT, load_fixture_module
from grader.gradcheck import distance_to_kinks
from variants import fixture_source, graded, table


def test_hidden_problems_match_the_course_example_and_stay_away_from_kinks():
    solutions = ROOT / "solutions" / "linear_classifiers"
    hidden = load_fixture_module(solutions / "test_linear_classifiers_hidden.py")
    reference = load_fixture_module(solutions / "linear_classifiers.py")
    W, b, X, y = hidden.EXAMPLE
    assert X.shape == (3, 4) and np.allclose(X @ W + b, hidden.S_EXAMPLE, atol=1e-12)
    # COURSE_FACTS: hinge means 8.4667 (margin 0; the slides' 8.5 is an erratum) and 9.4667
    # (margin 1); softmax of sample 1 is 0.310022, 0.689967 (the slides' 0.39 is an erratum);
    # softmax losses 1.1711, 0.001236, 14.0328.
    assert abs(reference.svm_loss(W, b, X, y, 0.0, 0.0)[0] - 8.4667) < 1e-4
    assert abs(reference.svm_loss(W, b, X, y, 0.0, 1.0)[0] - 9.4667) < 1e-4
    assert np.allclose(reference.softmax(hidden.S_EXAMPLE)[0, :2], [0.310022, 0.689967], atol=1e-6)
    assert abs(reference.softmax_loss(W, b, X, y, 0.0)[0] - (1.1711 + 0.001236 + 14.0328) / 3) < 1e-4
    assert distance_to_kinks(hidden.hinge_margins(*hidden.FIXED, 1.0)) > 0.05
    assert distance_to_kinks(hidden.hinge_margins(*hidden.EXAMPLE, 0.0)) > 0.05
    assert distance_to_kinks(hidden.hinge_margins(*hidden.EXAMPLE, 1.0)) > 0.05


def test_a_non_finite_numpy_scalar_loss_is_diagnosed_not_a_worker_crash():
    variant = {v.name: v for v in table("linear_classifiers").VARIANTS}["softmax_loss_log_of_probability"]
    source = fixture_source("linear_classifiers", variant.base).replace(variant.old, variant.new)
    source = source.replace("return float(loss), dW, db", "return loss, dW, db")
    outcome = {o.name: o for o in graded("linear_classifiers", source).outcomes}[variant.failing_test]
    assert outcome.mistake == variant.mistake, outcome.message
