"""The gradient checker accepts correct gradients, rejects wrong ones, and checks every parameter."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from grader.gradcheck import (centered_difference, check_gradient, distance_to_kinks,
                              away_from_kinks, expect_gradient, forward_difference, local_cost,
                              relative_error)
from grader.testing import CheckFailed, finish_record, start_record


def test_course_example_forward_difference_is_off_by_h():
    # COURSE_FACTS: L = w^2 + 3 at w = 2, h = 0.01: forward 4.01, centered 4.0000.
    assert forward_difference(lambda w: w * w + 3, 2.0, 0.01) == pytest.approx(4.01, abs=1e-12)
    assert centered_difference(lambda w: w * w + 3, 2.0, 0.01) == pytest.approx(4.0, abs=1e-12)


def test_relative_error_uses_the_floor_for_tiny_values():
    assert relative_error(np.array([1e-12]), np.array([0.0]), floor=1e-3)[0] == pytest.approx(1e-9)
    assert relative_error(np.array([2.0]), np.array([1.0]), floor=1e-3)[0] == pytest.approx(1 / 3)


def quadratic_problem():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((5, 3))
    t = rng.standard_normal(5)

    def cost(w, b):
        r = A @ w + b - t
        return float(r @ r)

    def gradient(w, b):
        r = A @ w + b - t
        return 2 * A.T @ r, 2 * r.sum()

    return cost, gradient, rng.standard_normal(3), 0.3


def test_correct_gradient_passes_element_wise():
    cost, gradient, w, b = quadratic_problem()
    dw, db = gradient(w, b)
    result = check_gradient(local_cost(cost, lambda p: (p["w"], float(p["b"]))), {"w": w, "b": b},
                            {"w": dw, "b": db}, against="cost")
    assert result.passed
    assert max(p.max_rel_error for p in result.parameters) < 1e-8
    assert [p.method for p in result.parameters] == ["element-wise", "element-wise"]


def test_a_wrong_bias_gradient_alone_is_caught():
    cost, gradient, w, b = quadratic_problem()
    dw, db = gradient(w, b)
    result = check_gradient(local_cost(cost, lambda p: (p["w"], float(p["b"]))), {"w": w, "b": b},
                            {"w": dw, "b": db * 1.01}, against="cost")
    assert [p.name for p in result.failures()] == ["b"]


def test_large_parameters_are_checked_along_random_directions():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((20, 10))
    cost = local_cost(lambda W: float(np.sum(np.sin(W))), lambda p: (p["W"],))
    good = check_gradient(cost, {"W": W}, {"W": np.cos(W)}, against="cost")
    assert good.passed and "random directions" in good.parameters[0].method
    wrong = np.cos(W)
    wrong[3, 4] += 0.5  # one wrong entry out of 200 still moves every random projection
    assert not check_gradient(cost, {"W": W}, {"W": wrong}, against="cost").passed


def test_expect_gradient_fails_with_a_message_naming_the_parameter_and_records_errors():
    cost, gradient, w, b = quadratic_problem()
    dw, db = gradient(w, b)
    token = start_record()
    with pytest.raises(CheckFailed, match="dw disagrees"):
        expect_gradient({"w": dw / 2, "b": db}, local_cost(cost, lambda p: (p["w"], float(p["b"]))),
                        {"w": w, "b": b}, what="gradient", against="the cost")
    record = finish_record(token)
    assert record["gradient_check"][0]["parameters"][0]["name"] == "w"


def test_a_cost_returning_an_array_is_reported_not_crashed():
    cost = local_cost(lambda w: np.array([w @ w]), lambda p: (p["w"],))
    with pytest.raises(CheckFailed, match="gradient cannot be checked"):
        check_gradient(lambda batch: [np.ones((2, 2))] * len(batch), {"w": np.ones(2)},
                       {"w": np.ones(2)}, against="cost")
    assert check_gradient(cost, {"w": np.ones(2)}, {"w": 2 * np.ones(2)}, against="c").passed


def test_gradient_with_the_wrong_shape_fails_clearly():
    with pytest.raises(CheckFailed, match="shape"):
        check_gradient(local_cost(lambda w: float(w.sum()), lambda p: (p["w"],)),
                       {"w": np.ones((2, 3))}, {"w": np.ones((3, 2))}, against="cost")


def test_kink_distance_and_margin():
    assert distance_to_kinks([0.5, -0.25, 2.0]) == 0.25
    assert not away_from_kinks([1e-6, 1.0])
    assert away_from_kinks([0.01, -0.5], kinks=(0.0,))


@settings(max_examples=40, derandomize=True, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
       data=st.data())
def test_numerical_gradient_moves_one_element_by_step_each_way(shape, data):
    # Each perturbed parameter is exactly base + delta (and base - delta as base + -delta),
    # delta being step at one element: same type (a numpy scalar for a 0-d base), same bits
    # (-0.0 entries become +0.0 under + 0.0), in element order.
    from grader.gradcheck import numerical_gradient
    base = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-0.0, 0.0, 1.5, -2.25])))
    seen = []
    numerical_gradient(lambda batch: seen.extend(p["w"] for p in batch) or [0.0] * len(batch),
                       {"w": base, "x": np.ones(2)}, "w", step=1e-5)
    expected = []
    for index in np.ndindex(base.shape):
        delta = np.zeros_like(base)
        delta[index] = 1e-5
        expected += [base + delta, base + -delta]
    assert [type(v) for v in seen] == [type(v) for v in expected]
    assert [np.asarray(v).tobytes() for v in seen] == [np.asarray(v).tobytes() for v in expected]
    assert [np.shape(v) for v in seen] == [np.shape(v) for v in expected]
