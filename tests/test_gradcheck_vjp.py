"""vjp_cost turns an array-valued function into the scalar whose gradient a backward pass returns."""
import numpy as np
import pytest

from grader.gradcheck import check_gradient, local_cost, vjp_cost
from grader.testing import CheckFailed


def matmul_problem():
    rng = np.random.default_rng(3)
    A, x, dout = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    return A, x, dout


def test_the_correct_vector_jacobian_product_passes():
    A, x, dout = matmul_problem()
    cost = vjp_cost(local_cost(lambda x: A @ x, lambda p: (p["x"],)), dout)
    result = check_gradient(cost, {"x": x}, {"x": A.T @ dout}, against="A @ x")
    assert result.passed and result.parameters[0].max_rel_error < 1e-8


def test_a_wrong_product_of_the_right_shape_fails():
    A, x, dout = matmul_problem()
    cost = vjp_cost(local_cost(lambda x: A @ x, lambda p: (p["x"],)), dout)
    wrong = (A.T @ dout)[::-1]  # rows in the wrong order
    assert not check_gradient(cost, {"x": x}, {"x": wrong}, against="A @ x").passed


def test_select_picks_the_output_of_a_forward_pass():
    A, x, dout = matmul_problem()
    forward = local_cost(lambda x: (A @ x, (x,)), lambda p: (p["x"],))
    cost = vjp_cost(forward, dout, select=lambda value: value[0])
    assert cost([{"x": x}]) == pytest.approx([float(np.sum(A @ x * dout))])


def test_a_scalar_dout_of_one_gives_a_selected_loss():
    forward = local_cost(lambda w: (float(w @ w), {"w": 2 * w}), lambda p: (p["w"],))
    cost = vjp_cost(forward, 1.0, select=lambda value: value[0])
    assert cost([{"w": np.array([1.0, 2.0])}]) == [5.0]


def test_an_output_of_the_wrong_shape_or_type_is_a_check_failure():
    A, x, dout = matmul_problem()
    transposed = vjp_cost(local_cost(lambda x: (A @ x).T, lambda p: (p["x"],)), dout, label="f")
    with pytest.raises(CheckFailed, match=r"f's output has shape \(2, 4\)") as failure:
        transposed([{"x": x}])
    assert failure.value.mistake == "wrong_shape"
    not_a_pair = vjp_cost(local_cost(lambda x: None, lambda p: (p["x"],)), dout,
                          select=lambda value: value[0], label="f")
    with pytest.raises(CheckFailed, match="f returned NoneType"):
        not_a_pair([{"x": x}])
