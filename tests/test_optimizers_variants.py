"""The optimizers topic gives full marks to correct submissions written differently,
and costs each realistic mistake points on the right test with the right hint."""
import functools

import pytest

from conftest import FIXTURES, ROOT, load_fixture_module
from grader.runner import grade_source
from grader.topics import get_topic

TOPIC_DIR = FIXTURES / "optimizers"
VARIANTS = load_fixture_module(TOPIC_DIR / "wrong_variants.py").VARIANTS
BASE = (TOPIC_DIR / "correct_vectorized.py").read_text()
FUNCTIONS = get_topic(ROOT, "optimizers").functions


@functools.lru_cache(maxsize=None)
def graded(source: str):
    return grade_source(get_topic(ROOT, "optimizers"), source, file="optimizers.py")


def function_of(test_name: str) -> str:
    """The function a test is about: test_sgd_momentum_... is sgd_momentum's, not sgd's."""
    owners = [f for f in FUNCTIONS if test_name.startswith(f"test_{f}_")]
    assert owners, f"{test_name} does not name the function it tests"
    return max(owners, key=len)


@pytest.mark.parametrize("name", ["correct_vectorized", "correct_loops", "correct_step_size_form"])
def test_correct_submission_written_differently_gets_full_marks(name):
    result = graded((TOPIC_DIR / f"{name}.py").read_text())
    failed = [(o.name, o.message) for o in result.outcomes if not o.passed]
    assert failed == []
    assert result.score == result.max_score > 0


def test_the_table_has_at_least_ten_variants_covering_every_hint_of_the_issue():
    assert len(VARIANTS) >= 10
    mistakes = {v.mistake for v in VARIANTS}
    assert {"t_incremented_after_use", "eps_inside_sqrt", "missing_bias_correction", "v_updated_from_m",
            "momentum_sign_flipped", "state_not_stored"} <= mistakes


def test_every_test_names_the_function_it_tests():
    for outcome in graded(BASE).outcomes:
        assert function_of(outcome.name) in FUNCTIONS


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_variant_edit_applies_exactly_once(variant):
    assert BASE.count(variant.old) == 1


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_wrong_variant_fails_the_right_test_with_the_right_hint(variant):
    result = graded(BASE.replace(variant.old, variant.new))
    outcome = {o.name: o for o in result.outcomes if o.hidden}[variant.failing_test]
    assert not outcome.passed
    assert outcome.mistake == variant.mistake, outcome.message
    assert variant.hint_phrase in (outcome.hint or "")
    assert result.score < result.max_score


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_wrong_variant_costs_points_only_where_the_mistake_is(variant):
    result = graded(BASE.replace(variant.old, variant.new))
    unrelated = [o.name for o in result.outcomes
                 if not o.passed and function_of(o.name) not in variant.functions]
    assert unrelated == []
