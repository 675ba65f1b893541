"""The author API: documented modules, and a seventh topic written with nothing else."""
import importlib
import inspect
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from grader.course.topics import discover_topics
from grader.grading.runner import grade_file
from grader.strategies import seeded_generator
from grader.testing import CheckFailed, expect_tuple, expect_unchanged, same_data, shape_of

API_MODULES = ["grader.testing", "grader.gradcheck", "grader.strategies", "grader.callbacks"]


@pytest.mark.parametrize("name", API_MODULES)
def test_every_author_api_module_declares_all(name):
    module = importlib.import_module(name)
    assert module.__all__ and all(hasattr(module, item) for item in module.__all__)


@pytest.mark.parametrize("name", API_MODULES)
def test_every_name_in_all_has_its_own_docstring(name):
    module = importlib.import_module(name)
    for item in module.__all__:
        value = getattr(module, item)
        assert callable(value), (name, item)
        assert inspect.getdoc(value) and inspect.getdoc(value) != inspect.getdoc(type(value)), (name, item)


def test_expect_tuple_names_what_came_back_instead():
    with pytest.raises(CheckFailed) as failure:
        expect_tuple([1.0], 2, "forward")
    assert failure.value.message == "forward should return a tuple of 2 values, but it returned list of length 1"
    assert failure.value.mistake == "wrong_return"


def test_expect_tuple_speaks_the_topics_words_when_asked():
    with pytest.raises(CheckFailed) as failure:
        expect_tuple(np.zeros(3), 3, "svm_loss", returns="a tuple (loss, dW, db)", describe=shape_of)
    assert failure.value.message == "svm_loss should return a tuple (loss, dW, db), but it returned an array of shape (3,)"


def test_expect_unchanged_looks_inside_caches_and_dicts():
    before = ({"w": np.ones(2)}, np.zeros(2))
    expect_unchanged(before, ({"w": np.ones(2)}, np.zeros(2)), "the cache")
    with pytest.raises(CheckFailed) as failure:
        expect_unchanged(before, ({"w": np.array([1.0, 2.0])}, np.zeros(2)), "the cache")
    assert failure.value.mistake == "modifies_input"


def test_same_data_takes_nan_as_equal_to_nan():
    assert same_data([np.array([np.nan])], [np.array([np.nan])])


def test_seeded_generator_draws_what_the_inline_composition_drew():
    """Hidden tests replay their draws per student: moving the helper must not move them."""
    @st.composite
    def inline(draw):
        return np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed")).uniform(size=3)

    @st.composite
    def library(draw):
        return seeded_generator(draw).uniform(size=3)

    def drawn(strategy):
        values = []

        @settings(derandomize=True, max_examples=25, database=None)
        @given(strategy)
        def collect(value):
            values.append(value.tolist())
        collect()
        return values

    assert drawn(library()) == drawn(inline())


# ------------------------------------------------------------ a seventh topic
STUB = '''
"""Norms and standardization

Two small functions, written to show what a topic needs.
"""
import numpy as np


def standardize(X):
    """Columns of X (n, d) scaled to mean 0 and standard deviation 1.

    Returns (Z, mean, std): Z (n, d), mean (d,), std (d,). X is left as it was.
    """
    raise NotImplementedError


def half_sq_norm(w):
    """0.5 * sum(w**2) and its gradient: returns (cost, dw), dw shaped like w."""
    raise NotImplementedError
'''

REFERENCE = '''
"""Norms and standardization (reference)."""
import numpy as np


def standardize(X):
    mean, std = X.mean(axis=0), X.std(axis=0)
    return (X - mean) / std, mean, std


def half_sq_norm(w):
    return 0.5 * float(np.sum(w ** 2)), w.copy()
'''

PUBLIC = '''
import numpy as np

from grader.testing import expect_close, expect_scalar, expect_tuple, hint, points

X_HAND = np.array([[1.0, 2.0], [3.0, 6.0]])


@points(1)
@hint("Z = (X - X.mean(axis=0)) / X.std(axis=0).")
def test_standardize_by_hand(student):
    """standardize centres and scales the columns of a 2x2 example."""
    Z, mean, std = expect_tuple(student.standardize(X_HAND), 3, "standardize")
    expect_close(mean, [2.0, 4.0], "mean")
    expect_close(std, [1.0, 2.0], "std")
    expect_close(Z, [[-1.0, -1.0], [1.0, 1.0]], "Z")


@points(1)
def test_half_sq_norm_by_hand(student):
    """half_sq_norm of [3, 4] is 12.5."""
    cost, _ = expect_tuple(student.half_sq_norm(np.array([3.0, 4.0])), 2, "half_sq_norm")
    expect_close(expect_scalar(cost, "cost"), 12.5, "cost")
'''

HIDDEN = '''
import numpy as np
from hypothesis import given, strategies as st

from grader.gradcheck import expect_gradient_diagnosed, local_cost
from grader.strategies import distinct_dims, generators, seeded_generator, square_shapes
from grader.testing import Mistake, expect_close, expect_tuple, expect_unchanged, points


@st.composite
def matrices(draw):
    n, d = draw(distinct_dims(2, 3, 6))
    return seeded_generator(draw).uniform(-3.0, 3.0, (n, d))


@points(2)
@given(X=matrices())
def test_standardize_matches_the_reference(student, reference, X):
    """standardize matches the reference on random non-square X."""
    Z, mean, std = expect_tuple(student.standardize(X), 3, "standardize")
    right = reference.standardize(X)
    expect_close(mean, right[1], "mean", mistakes=[Mistake("row_means", "average over axis 0.",
                                                           X.mean(axis=1))])
    expect_close(std, right[2], "std")
    expect_close(Z, right[0], "Z")


@points(1)
def test_standardize_leaves_x_unchanged(student, reference):
    """standardize does not modify X."""
    X = np.random.default_rng(3).uniform(-3.0, 3.0, (4, 3))
    result = student.call("standardize", X, return_args=True)
    expect_unchanged(X, result.args_after[0], "X", mistake="modifies_x")


@points(2)
@given(rng=generators(), shape=square_shapes())
def test_half_sq_norm_gradient_is_right(student, reference, rng, shape):
    """dw agrees with centered differences of the correct cost on square w."""
    w = rng.uniform(-2.0, 2.0, shape)
    _, dw = expect_tuple(student.half_sq_norm(w), 2, "half_sq_norm")
    cost = local_cost(lambda w: reference.half_sq_norm(w)[0], lambda p: (p["w"],))
    expect_gradient_diagnosed({"w": dw}, cost, {"w": w}, what="dw", against="the correct cost",
                              correct={"w": w},
                              mistakes={"w": [Mistake("doubled", "d(0.5 w^2)/dw = w.", 2 * w)]})
'''


@pytest.fixture(scope="module")
def seventh_topic(tmp_path_factory):
    """A course root with one topic, ``norms``, whose tests import only the author API."""
    root = tmp_path_factory.mktemp("course")
    files = {"exercises/norms/norms.py": STUB, "exercises/norms/test_norms.py": PUBLIC,
             "solutions/norms/norms.py": REFERENCE, "solutions/norms/test_norms_hidden.py": HIDDEN}
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(textwrap.dedent(text).lstrip())
    (root / "templates").mkdir()
    return discover_topics(root)["norms"]


def test_a_seventh_topic_is_discovered_from_its_files(seventh_topic):
    assert seventh_topic.functions == ["standardize", "half_sq_norm"]
    assert seventh_topic.hidden_tests is not None and seventh_topic.reference is not None


def test_a_seventh_topics_reference_gets_full_marks_in_the_sandbox(seventh_topic):
    result = grade_file(seventh_topic, seventh_topic.reference)
    assert [(o.name, o.message) for o in result.outcomes if not o.passed] == []
    assert result.score == result.max_score == 7


def test_a_seventh_topics_stub_gets_nothing(seventh_topic):
    result = grade_file(seventh_topic, seventh_topic.stub)
    assert result.score == 0 and len(result.outcomes) == 5
    assert all(o.mistake == "not_implemented" for o in result.outcomes)


def test_a_seventh_topics_doubled_gradient_is_diagnosed(seventh_topic, tmp_path):
    wrong = tmp_path / "norms.py"
    wrong.write_text(textwrap.dedent(REFERENCE).replace("w.copy()", "2 * w"))
    result = grade_file(seventh_topic, wrong)
    failed = [o for o in result.outcomes if not o.passed]
    assert [o.mistake for o in failed] == ["doubled"]
