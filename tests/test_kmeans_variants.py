"""The kmeans topic gives full marks to correct submissions written differently, and costs
each realistic mistake points on the right test with the right hint."""
import functools

import pytest

from conftest import FIXTURES, ROOT, load_fixture_module
from grader.runner import grade_source
from grader.topics import get_topic

TOPIC_DIR = FIXTURES / "kmeans"
VARIANTS = load_fixture_module(TOPIC_DIR / "wrong_variants.py").VARIANTS
CORRECT = ["correct_vectorized", "correct_loops", "correct_expansion"]


@functools.lru_cache(maxsize=None)
def base(name: str) -> str:
    return (TOPIC_DIR / f"{name}.py").read_text()


@functools.lru_cache(maxsize=None)
def graded(source: str):
    return grade_source(get_topic(ROOT, "kmeans"), source, file="kmeans.py")


def wrong(variant) -> str:
    return base(variant.base).replace(variant.old, variant.new)


@pytest.mark.parametrize("name", CORRECT)
def test_correct_submission_written_differently_gets_full_marks(name):
    result = graded(base(name))
    failed = [(o.name, o.message) for o in result.outcomes if not o.passed]
    assert failed == []
    assert result.score == result.max_score > 0


def test_the_table_has_at_least_ten_variants_covering_the_issue_hints():
    assert len({v.name for v in VARIANTS}) == len(VARIANTS) >= 10
    mistakes = {v.mistake for v in VARIANTS}
    assert {"objective_mean", "distances_not_squared", "centroids_from_old_labels",
            "argmax_not_argmin", "empty_cluster_nan"} <= mistakes


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_variant_edit_applies_exactly_once(variant):
    assert base(variant.base).count(variant.old) == 1


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_wrong_variant_fails_the_right_test_with_the_right_hint(variant):
    result = graded(wrong(variant))
    outcome = {o.name: o for o in result.outcomes}[variant.failing_test]
    assert not outcome.passed
    assert outcome.mistake == variant.mistake, outcome.message
    assert variant.hint_phrase in (outcome.hint or "")
    assert result.score < result.max_score


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_wrong_variant_costs_points_only_where_the_mistake_is(variant):
    result = graded(wrong(variant))
    unrelated = [o.name for o in result.outcomes if not o.passed
                 and not any(f in o.name for f in variant.functions)]
    assert unrelated == []
