"""The checks tests are written with: tolerant of round-off, strict about mistakes."""
import numpy as np
import pytest

from grader.testing import (CheckFailed, Mistake, expect_close, expect_same_labels, expect_scalar,
                            expect_shape, expect_tuple, finish_record, is_close, start_record)


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


def _message_in(hidden: bool, check) -> str:
    token = start_record(hidden=hidden)
    try:
        with pytest.raises(CheckFailed) as failed:
            check()
    finally:
        finish_record(token)
    return failed.value.message


def test_a_public_test_names_the_shape_the_student_returned():
    message = _message_in(False, lambda: expect_shape(np.zeros((0, 123457)), (3, 4), "dW"))
    assert "but it has shape (0, 123457)" in message


def test_a_hidden_test_names_a_wrong_shape_made_of_the_sizes_it_uses():
    assert "but it has shape (4, 3)" in _message_in(True, lambda: expect_shape(np.zeros((4, 3)), (3, 4), "dW"))
    assert "an array of shape (1, 1)" in _message_in(True, lambda: expect_scalar(np.zeros((1, 1)), "loss"))


def test_a_hidden_test_does_not_name_a_shape_of_sizes_it_does_not_use():
    message = _message_in(True, lambda: expect_shape(np.zeros((0, 123457)), (3, 4), "dW"))
    assert "123457" not in message and "a shape of other sizes" in message


def test_a_hidden_test_does_not_measure_a_list_of_a_length_it_does_not_use():
    assert "a list of length 3" in _message_in(True, lambda: expect_shape([0.0] * 3, (3,), "w"))
    message = _message_in(True, lambda: expect_shape([0.0] * 98765, (3,), "w"))
    assert "98765" not in message and "a list of another length" in message


def test_a_hidden_test_names_the_tuple_length_only_when_it_is_one_the_test_uses():
    assert "list of length 3" in _message_in(True, lambda: expect_tuple([0] * 3, 2, "two_layer_net"))
    message = _message_in(True, lambda: expect_tuple([0] * 37403, 2, "two_layer_net"))
    assert "37403" not in message and "list of another length" in message
    assert "list of length 37403" in _message_in(False, lambda: expect_tuple([0] * 37403, 2, "two_layer_net"))


def test_a_public_test_says_where_a_value_is_wrong():
    wrong = np.arange(12.0).reshape(4, 3)
    wrong[0, 0] += 1000.0
    wrong[2, 0] += 1000.0
    message = _message_in(False, lambda: expect_close(wrong, np.arange(12.0).reshape(4, 3), "scores"))
    assert "in 2 of 12 entries, at (0, 0) and (2, 0)" in message


def test_a_hidden_test_does_not_say_which_entries_are_wrong():
    # The student's code chooses which entries it spoils: positions or a count could spell inputs.
    wrong = np.arange(12.0).reshape(4, 3)
    wrong[0, 0] += 1000.0
    wrong[2, 0] += 1000.0
    message = _message_in(True, lambda: expect_close(wrong, np.arange(12.0).reshape(4, 3), "scores"))
    assert message == "scores is wrong in some of its 12 entries"


def test_a_hidden_test_does_not_say_which_or_how_many_labels_are_wrong():
    labels = np.array([0, 1, 1, 0, 2, 2])
    chosen = labels.copy()
    chosen[[1, 4]] = 0
    assert _message_in(True, lambda: expect_same_labels(chosen, labels)) == "labels is wrong for some of its 6 samples"
    assert "2 of 6 samples (first at sample 1)" in _message_in(False, lambda: expect_same_labels(chosen, labels))
