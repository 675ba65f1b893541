"""Public tests for the optimizers topic: run them with `grader check optimizers`.

Each call to your function runs in a separate process, so the config you return
comes back to the test as a fresh dict; the tests hand it to the next call, as a
training loop does. Only what your function stores in config survives a step.
"""
import numpy as np
from hypothesis import given, strategies as st

from grader.strategies import any_scale, arrays, distinct_dims, floats
from grader.testing import (Mistake, common_factor, expect_close, expect_shape, expect_unchanged,
                            expect_update, fail, hint, points)


def _step(student, name, w, dw, config):
    """One step of your update: (next_w, config), checked to be a pair with next_w shaped like w."""
    return expect_update(getattr(student, name)(w, dw, config), name, np.shape(w))


# ------------------------------------------------------------------------- sgd
@points(1)
@hint("next_w = w - learning_rate * dw.")
def test_sgd_step_by_hand(student):
    """sgd with learning_rate 0.1 moves [[1,2,3],[4,5,6]] against dw = [[0.5,-1,2],[0,1,-0.5]]."""
    w = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    dw = np.array([[0.5, -1.0, 2.0], [0.0, 1.0, -0.5]])
    next_w, _ = _step(student, "sgd", w, dw, {"learning_rate": 0.1})
    expect_close(next_w, [[0.95, 2.1, 2.8], [4.0, 4.9, 6.05]], "next_w")


@points(1)
@hint("start with `if config is None: config = {}`, then config.setdefault('learning_rate', 1e-2).")
def test_sgd_default_learning_rate_with_config_none(student):
    """sgd(w, dw) with config=None uses learning_rate 1e-2 and returns a config dict."""
    dw = np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, -3.0]])
    next_w, _ = _step(student, "sgd", np.zeros((2, 3)), dw, None)
    expect_close(next_w, -0.01 * dw, "next_w")


@points(1)
@hint("build a new array: next_w = w - learning_rate * dw (w -= ... changes the caller's w).")
def test_sgd_does_not_modify_its_arguments(student):
    """sgd returns a new array and does not modify the caller's w or dw."""
    w, dw = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([[1.0, -1.0, 0.5], [2.0, 0.0, -2.0]])
    result = student.call("sgd", w, dw, {"learning_rate": 0.1}, return_args=True)
    expect_unchanged(w, result.args_after[0], "the caller's w", mistake="modifies_w")
    expect_unchanged(dw, result.args_after[1], "the caller's dw", mistake="modifies_dw")


# ---------------------------------------------------------------- sgd_momentum
@points(1)
@hint("v = momentum * v - learning_rate * dw, next_w = w + v, and store v in config['velocity'] "
      "so the second call starts from it.")
def test_sgd_momentum_two_steps_by_hand(student):
    """Two sgd_momentum steps (learning_rate 0.1, momentum 0.9), handing config from the first to the second."""
    # v1 = -0.1 dw1;  w1 = w0 + v1;  v2 = 0.9 v1 - 0.1 dw2 = [[-0.19,-0.28,-0.01],[0.055,0.1,0.01]];  w2 = w1 + v2.
    w0 = np.array([[1.0, -1.0, 2.0], [0.0, 0.5, -2.0]])
    dw1 = np.array([[1.0, 2.0, -1.0], [0.5, 0.0, 1.0]])
    dw2 = np.array([[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]])
    w1, config = _step(student, "sgd_momentum", w0, dw1, {"learning_rate": 0.1, "momentum": 0.9})
    expect_close(w1, [[0.9, -1.2, 2.1], [-0.05, 0.5, -2.1]], "w after the first step")
    w2, config = _step(student, "sgd_momentum", w1, dw2, config)
    expect_close(w2, [[0.71, -1.48, 2.09], [0.005, 0.6, -2.09]], "w after the second step")
    expect_close(config.get("velocity"), [[-0.19, -0.28, -0.01], [0.055, 0.1, 0.01]],
                 "config['velocity'] after the second step")


@points(1)
@hint("with momentum 0, v = -learning_rate * dw and next_w = w + v = w - learning_rate * dw.")
@given(shape=distinct_dims(2, 1, 5), data=st.data())
def test_sgd_momentum_with_zero_momentum_is_the_sgd_step(student, shape, data):
    """With momentum 0, sgd_momentum takes the sgd step w - learning_rate * dw, whatever velocity config holds."""
    w, dw = data.draw(arrays(shape), label="w"), data.draw(arrays(shape), label="dw")
    velocity = data.draw(arrays(shape, -1, 1), label="velocity")
    lr = data.draw(floats(1e-3, 1.0), label="learning_rate")
    with_momentum, _ = _step(student, "sgd_momentum", w, dw,
                             {"learning_rate": lr, "momentum": 0.0, "velocity": velocity})
    expect_close(with_momentum, w - lr * dw, "next_w with momentum 0")


# --------------------------------------------------------------------- rmsprop
@points(1)
def test_rmsprop_first_step_by_hand(student):
    """rmsprop's first step from config=None, including a coordinate with a tiny gradient (1e-6)."""
    w = np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, -3.0]])
    dw = np.array([[2.0, -0.5, 1.0], [-4.0, 1.0, 1e-6]])
    # cache = (1 - 0.99) dw^2, so the step is 0.01 dw / (0.1 |dw| + 1e-8): about 0.1 sign(dw),
    # except for dw = 1e-6 where epsilon matters: 1e-8 / (1e-7 + 1e-8) = 0.0909091.
    next_w, config = _step(student, "rmsprop", w, dw, None)
    expected = w - 0.01 * dw / (0.1 * np.abs(dw) + 1e-8)
    # A step that is the right one times a single factor has the right rule and the wrong
    # learning rate: the only scale the coordinate with the tiny gradient cannot tell apart.
    factor = common_factor(w - next_w, w - expected)
    if factor is not None:
        fail(f"next_w is the right step times {factor:.3g} in every coordinate", mistake="wrong_default",
             hint="rmsprop's default learning_rate is 1e-2: config.setdefault('learning_rate', 1e-2).")
    expect_close(next_w, expected, "next_w", mistakes=[
        Mistake("eps_inside_sqrt", "epsilon goes outside the square root: dw / (np.sqrt(cache) + epsilon).",
                w - 0.01 * dw / np.sqrt(0.01 * dw ** 2 + 1e-8)),
        Mistake("missing_one_minus_decay", "cache = decay_rate * cache + (1 - decay_rate) * dw**2: the new "
                "term is weighted by 1 - decay_rate.", w - 0.01 * dw / (np.abs(dw) + 1e-8))])
    expect_close(config.get("cache"), 0.01 * dw ** 2, "config['cache']")


# --------------------------------------------------------------------- adagrad
@points(1)
@hint("cache = cache + dw**2 (stored in config['cache']), then "
      "next_w = w - learning_rate * dw / (np.sqrt(cache) + epsilon).")
def test_adagrad_two_steps_by_hand(student):
    """Two adagrad steps (learning_rate 0.1): the second divides by sqrt(dw1^2 + dw2^2), e.g. 5 for 3 and 4."""
    w0 = np.zeros((2, 3))
    dw1 = np.array([[3.0, 6.0, 5.0], [-3.0, 0.6, 8.0]])
    dw2 = np.array([[4.0, 8.0, 12.0], [4.0, 0.8, -15.0]])
    roots = np.array([[5.0, 10.0, 13.0], [5.0, 1.0, 17.0]])  # sqrt(dw1^2 + dw2^2)
    w1, config = _step(student, "adagrad", w0, dw1, {"learning_rate": 0.1})
    expect_close(w1, -0.1 * dw1 / (np.abs(dw1) + 1e-8), "w after the first step")
    w2, config = _step(student, "adagrad", w1, dw2, config)
    expect_close(w2, w1 - 0.1 * dw2 / (roots + 1e-8), "w after the second step")


@points(1)
@hint("Adagrad's cache is a running sum that never decays: cache = cache + dw**2.")
@given(shape=distinct_dims(2, 1, 5), data=st.data())
def test_adagrad_cache_never_decreases(student, shape, data):
    """Over three adagrad steps (the last with a tiny gradient), config['cache'] never decreases."""
    w = data.draw(arrays(shape), label="w")
    gradients = [data.draw(arrays(shape), label="dw1"), data.draw(arrays(shape), label="dw2")]
    config, previous = None, np.zeros(shape)
    for dw in gradients + [1e-3 * gradients[1]]:
        w, config = _step(student, "adagrad", w, dw, config)
        cache = expect_shape(config.get("cache"), shape, "config['cache']",
                             hint="store the new cache in config['cache'].")
        if np.any(cache < previous):
            fail("config['cache'] decreased from one step to the next", mistake="adagrad_cache_decays")
        previous = cache


# ------------------------------------------------------------------------ adam
@points(1)
@hint("on the first step (t = 1) the bias corrections give m_hat = dw and v_hat = dw**2, so each "
      "coordinate moves by learning_rate * dw / (|dw| + epsilon): increment t first, divide by "
      "both corrections, and keep epsilon outside the square root.")
@given(shape=distinct_dims(2, 1, 5), data=st.data())
def test_adam_first_step_has_size_learning_rate_at_any_gradient_scale(student, shape, data):
    """From config=None, every coordinate of adam's first step has size 1e-3 against dw's sign, for any |dw|."""
    w = data.draw(arrays(shape), label="w")
    dw = data.draw(any_scale(shape), label="dw")
    next_w, _ = _step(student, "adam", w, dw, None)
    # The exact step is 1e-3 |dw| / (|dw| + 1e-8), within 2e-4 of 1e-3 for |dw| >= 5e-5.
    expect_close(w - next_w, 1e-3 * np.sign(dw), "w - next_w", rtol=1e-3, atol=0.0)


@points(1)
@hint("with a constant gradient g, m_hat = g and v_hat = g**2 at every step thanks to the bias "
      "corrections; store m, v and t in config, and increment t before using it.")
def test_adam_constant_gradient_steps_have_size_learning_rate(student):
    """Three adam steps with the same gradient each move by learning_rate; config['t'] ends at 3."""
    w0, dw = np.zeros((2, 3)), np.array([[1e-3, -2.0, 50.0], [-0.1, 3.0, -400.0]])
    w, config = w0, {"learning_rate": 0.01}
    for _ in range(3):
        w, config = _step(student, "adam", w, dw, config)
    # Each step is 0.01 |dw| / (|dw| + 1e-8): equal to 0.01 within 1e-5 relative.
    expect_close(w0 - w, 0.03 * np.sign(dw), "w0 - w after three steps", rtol=1e-4, atol=0.0)
    expect_close(config.get("t"), 3, "config['t']")


# ---------------------------------------------------------------- ema_momentum
@points(1)
@hint("M = gamma * M + (1 - gamma) * dw, stored in config['M']; next_w = w - learning_rate * M.")
def test_ema_momentum_course_moving_average_example(student):
    """With gamma 0.1 and gradients 1, 1, 1 from M = 0, config['M'] is 0.9, 0.99, 0.999 (course example)."""
    w, config, averages = np.zeros((1, 2)), {"learning_rate": 1.0, "gamma": 0.1}, []
    for _ in range(3):
        w, config = _step(student, "ema_momentum", w, np.ones((1, 2)), config)
        averages.append(np.asarray(config.get("M"), dtype=float).ravel())
    expect_close(np.array(averages), [[0.9, 0.9], [0.99, 0.99], [0.999, 0.999]], "config['M'] after each step")
    expect_close(w, [[-2.889, -2.889]], "w after three steps (learning_rate 1)")
