"""Mistake models (``@mistake_model``): computed only when a check needs their values."""
import numpy as np
import pytest

from grader.testing import (CheckFailed, Mistake, expect_array, expect_close, expect_same_labels,
                            mistake_census, mistake_model)


def counted_model(calls: list):
    @mistake_model
    def doubled(x):
        calls.append(x)
        return [Mistake("doubled", "you doubled it", 2 * x)]

    return doubled


def test_a_mistake_model_is_not_computed_for_a_right_answer():
    calls = []
    expect_close(1.0, 1.0, "cost", mistakes=counted_model(calls)(1.0))
    expect_array(np.ones(3), np.ones(3), "w", mistakes=counted_model(calls)(np.ones(3)))
    assert calls == []


def test_a_mistake_model_names_the_mistake_a_wrong_answer_reproduces():
    calls = []
    with pytest.raises(CheckFailed) as failure:
        expect_close(2.0, 1.0, "cost", mistakes=counted_model(calls)(1.0))
    assert failure.value.mistake == "doubled" and calls == [1.0]


def test_a_wrong_shape_is_diagnosed_from_a_mistake_model():
    @mistake_model
    def squeezed(expected):
        return [Mistake("squeezed", "keep the axis", np.squeeze(expected))]

    expected = np.ones((3, 1))
    with pytest.raises(CheckFailed) as failure:
        expect_array(np.ones(3), expected, "p", mistakes=squeezed(expected))
    assert failure.value.mistake == "squeezed"


def test_the_census_computes_a_mistake_model_once():
    calls = []
    with mistake_census() as census:
        expect_close(1.0, 1.0, "cost", mistakes=counted_model(calls)(1.0))
    assert census == {"doubled": True} and calls == [1.0]


def test_a_list_added_to_a_mistake_model_is_computed_with_it_in_order():
    calls = []
    known = [Mistake("halved", "h", 0.5)] + counted_model(calls)(1.0)
    assert calls == []
    assert [m.name for m in known] == ["halved", "doubled"]
    with pytest.raises(CheckFailed) as failure:
        expect_same_labels(np.array([1, 0]), np.array([0, 0]),
                           mistakes=counted_model(calls)(np.array([0, 0])) + [Mistake("swapped", "h", [1, 0])])
    assert failure.value.mistake == "swapped"


def test_mistakes_given_as_a_generator_are_read_by_the_census_and_the_diagnosis():
    mistakes = (Mistake(name, "h", value) for name, value in [("doubled", 2.0), ("halved", 0.5)])
    with mistake_census() as census, pytest.raises(CheckFailed) as failure:
        expect_close(0.5, 1.0, "cost", mistakes=mistakes)
    assert failure.value.mistake == "halved" and census == {"doubled": True, "halved": True}
