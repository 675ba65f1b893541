"""Every point lost is lost on the function that is wrong, with a hint only on evidence (issue 17).

The first part grades the realistic wrong submissions of tests/fixtures/<topic>/wrong_variants.py
that name ``keeps`` or ``unfounded_hint`` through the real path (``grade_source``); the second
checks the author library's diagnosis on plain values.
"""
import numpy as np
import pytest

from grader import testing
from grader.gradcheck import expect_gradient_blamed, local_cost
from grader.testing import (TYPE_HINT, CheckFailed, Mistake, common_factor, expect_close, expect_labels,
                            expect_same_labels, expect_shape, expect_update, where_different)
from variants import all_variants, graded, variant_id, variant_source

KEEPING = [case for case in all_variants() if case[1].keeps]
UNFOUNDED = [case for case in all_variants() if case[1].unfounded_hint]


# ------------------------------------------------ wrong submissions, graded
@pytest.mark.parametrize("case", KEEPING, ids=variant_id)
def test_a_correct_function_keeps_its_points_when_the_function_it_is_checked_with_is_wrong(case):
    topic, variant = case
    outcomes = graded(topic, variant_source(topic, variant)).outcomes
    for name in variant.keeps:
        kept = [o for o in outcomes if o.name == name]
        assert kept and all(o.passed and o.points == o.max_points for o in kept), name


@pytest.mark.parametrize("case", KEEPING, ids=variant_id)
def test_a_kept_test_notes_which_function_is_wrong_instead(case):
    topic, variant = case
    outcomes = graded(topic, variant_source(topic, variant)).outcomes
    for name in variant.keeps:
        notes = [text for o in outcomes if o.name == name for text in o.notes]
        assert notes and all(" is right" in text for text in notes), name


@pytest.mark.parametrize("case", UNFOUNDED, ids=variant_id)
def test_no_failing_test_gives_a_hint_the_mistake_does_not_support(case):
    topic, variant = case
    outcomes = graded(topic, variant_source(topic, variant)).outcomes
    unfounded = [(o.name, o.hint) for o in outcomes
                 if not o.passed and variant.unfounded_hint in (o.hint or "")]
    assert unfounded == []


# ------------------------------------------------ shape and type failures
def _failure(check, *args, **kwargs) -> CheckFailed:
    with pytest.raises(CheckFailed) as raised:
        check(*args, **kwargs)
    return raised.value


def test_a_list_fails_as_a_type_with_the_type_hint_not_the_value_hint():
    failure = _failure(expect_shape, [[1.0, 2.0]], (1, 2), "centroids", hint="take the mean of each cluster")
    assert failure.mistake == "wrong_type" and failure.hint == TYPE_HINT


def test_a_wrong_shape_without_a_hint_gets_a_shape_hint():
    failure = _failure(expect_shape, np.zeros((3, 1)), (3,), "labels")
    assert failure.mistake == "wrong_shape" and "shape (3,)" in failure.hint


def test_a_shape_failure_in_expect_close_gets_a_shape_hint_not_the_value_hint():
    failure = _failure(expect_close, np.zeros((2, 3)), np.zeros((3, 2)), "scores", hint="use X @ W + b")
    assert failure.mistake == "wrong_shape" and "X @ W" not in failure.hint


def test_labels_given_as_a_list_of_whole_numbers_are_accepted():
    assert expect_labels([0, 2, 1], 3).tolist() == [0, 2, 1]


def test_labels_that_are_not_whole_numbers_fail_with_their_own_mistake():
    assert _failure(expect_labels, np.array([0.5, 1.0]), 2).mistake == "labels_not_integers"


def test_wrong_labels_get_a_mistake_hint_only_when_they_are_that_mistake():
    argmax = Mistake("argmax_not_argmin", "use argmin", np.array([1, 1, 0]))
    other = _failure(expect_same_labels, np.array([0, 0, 0]), np.array([0, 1, 1]), mistakes=[argmax])
    matched = _failure(expect_same_labels, np.array([1, 1, 0]), np.array([0, 1, 1]), mistakes=[argmax])
    assert (other.mistake, other.hint) == (None, None)
    assert (matched.mistake, matched.hint) == ("argmax_not_argmin", "use argmin")


def test_an_update_that_returns_only_next_w_fails_as_a_wrong_return():
    assert _failure(expect_update, np.zeros(3), "sgd", (3,)).mistake == "wrong_return"


def test_an_update_pair_with_a_dict_is_accepted():
    next_w, config = expect_update((np.ones(3), {"t": 1}), "adam", (3,))
    assert next_w.shape == (3,) and config == {"t": 1}


# ------------------------------------------------ say what differs, no guess
def test_a_value_failure_without_a_matching_mistake_names_the_entries_that_differ():
    failure = _failure(expect_close, np.array([1.0, 2.0, 5.0, 4.0]), np.array([1.0, 2.0, 3.0, 4.0]), "w")
    assert "in 1 of 4 entries, at 2" in failure.message and failure.hint is None


def test_where_different_gives_positions_never_values():
    text = where_different(np.array([[1.0, 7.5], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert text == " in 1 of 4 entries, at (0, 1)"


def test_common_factor_finds_one_scale_for_every_entry():
    assert common_factor(np.array([0.2, -0.4]), np.array([2.0, -4.0])) == pytest.approx(0.1)


def test_common_factor_is_none_when_the_entries_scale_differently():
    assert common_factor(np.array([0.2, -0.5]), np.array([2.0, -4.0])) is None


# ------------------------------------------------ gradients: blame the right function
def _half_square(w, extra):
    return 0.5 * float(w @ w) + extra * float(np.sum(w))


def _cost(extra):
    return local_cost(_half_square, lambda p: (p["w"], extra))


W = np.array([0.5, -1.0, 2.0])


def _blamed(gradient, own_extra, **options):
    token = testing.start_record()
    try:
        expect_gradient_blamed({"w": gradient}, _cost(own_extra), {"w": W}, what="dw", cost_name="cost",
                               **options)
    finally:
        recorded = testing.finish_record(token)
    return recorded


def test_a_right_gradient_against_a_wrong_own_cost_passes_when_the_correct_cost_confirms_it():
    recorded = _blamed(W, 0.3, correct_cost=_cost(0.0))
    assert any("your cost is wrong" in text for text in recorded["note"])


def test_a_gradient_wrong_against_both_costs_fails_with_the_given_hint():
    failure = _failure(_blamed, 2 * W, 0.3, correct_cost=_cost(0.0), hint="differentiate")
    assert failure.hint == "differentiate"


def test_a_gradient_matching_its_own_cost_plus_a_term_the_cost_left_out_passes_with_a_note():
    omission = Mistake("penalty_missing", "add the term to the cost", {"w": 0.3 * np.ones(3)})
    recorded = _blamed(W + 0.3, 0.0, cost_omissions=[omission])
    assert any("penalty_missing" in text for text in recorded["note"])


def test_a_gradient_missing_a_term_gets_that_mistake_hint():
    missing = Mistake("term_missing", "add the term's gradient", {"w": -0.3 * np.ones(3)})
    failure = _failure(_blamed, W, 0.3, gradient_mistakes=[missing])
    assert (failure.mistake, failure.hint) == ("term_missing", "add the term's gradient")


def test_a_gradient_matching_no_model_gets_no_hint_and_names_what_agrees():
    failure = _failure(_blamed, W * np.array([1.0, 1.0, 3.0]), 0.0)
    assert failure.hint is None and failure.mistake is None and "dw disagrees" in failure.message


# ------------------------------------------------ robustness: the hint the warnings support
OVERFLOW = Mistake("softmax_overflow", "subtract the row max", None)
LOG_OF_ZERO = Mistake("log_of_probability", "use log-sum-exp", None)


def test_an_overflow_warning_is_evidence_for_the_overflow_hint():
    found = testing.mistake_from_warnings(["RuntimeWarning: overflow encountered in exp"],
                                          overflow=OVERFLOW, log_of_zero=LOG_OF_ZERO)
    assert found is OVERFLOW


def test_a_divide_by_zero_in_log_is_evidence_for_the_log_of_zero_hint():
    found = testing.mistake_from_warnings(["RuntimeWarning: divide by zero encountered in log"],
                                          overflow=OVERFLOW, log_of_zero=LOG_OF_ZERO)
    assert found is LOG_OF_ZERO


def test_an_infinite_value_without_warnings_gets_no_robustness_hint():
    class Result:
        warnings: list = []
    failure = _failure(testing.expect_stable, Result(), [(np.inf, "loss")], "f", overflow=OVERFLOW,
                       log_of_zero=LOG_OF_ZERO)
    assert failure.hint is None and failure.mistake == "not_finite"
