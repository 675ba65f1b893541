"""The checks tests are written with: tolerant of round-off, strict about mistakes."""
import numpy as np
import pytest

from grader.testing import CheckFailed, Mistake, expect_close, expect_scalar, is_close


def test_round_off_differences_pass():
    expect_close(0.1 + 0.2, 0.3, "value")


def test_an_infinite_expected_value_matches_no_finite_answer():
    assert not is_close(1.0, np.inf, rtol=1e-6, atol=1e-9)
    assert not is_close(np.array([1.0, np.inf]), np.array([1.0, np.inf]), rtol=1e-6, atol=1e-9)


def test_a_matching_known_mistake_names_itself_and_its_hint():
    with pytest.raises(CheckFailed) as failure:
        expect_close(2.0, 1.0, "cost", mistakes=[Mistake("doubled", "you doubled it", 2.0)])
    assert failure.value.mistake == "doubled" and failure.value.hint == "you doubled it"


def test_an_infinite_mistake_value_is_not_diagnosed_for_a_finite_answer():
    with pytest.raises(CheckFailed) as failure:
        expect_close(5.0, 1.0, "cost", mistakes=[Mistake("overflow", "h", np.inf)])
    assert failure.value.mistake is None


def test_a_size_one_array_is_judged_on_its_value_by_value_checks():
    expect_close(np.array([[0.3]]), 0.3, "cost")
    with pytest.raises(CheckFailed, match="single number"):
        expect_scalar(np.array([[0.3]]), "cost")


def test_messages_of_failed_value_checks_hold_no_expected_value():
    with pytest.raises(CheckFailed) as failure:
        expect_close(np.array([1.0, 2.0]), np.array([1.5, 2.5]), "dw")
    assert "1.5" not in failure.value.message and "1.5" in failure.value.detail
