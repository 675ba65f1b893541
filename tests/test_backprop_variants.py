"""The backprop topic gives full marks to correct submissions written differently,
and costs each realistic mistake points on the right test with the right hint."""
import functools

import pytest

from conftest import FIXTURES, ROOT, load_fixture_module
from grader.runner import grade_source
from grader.topics import get_topic

TOPIC_DIR = FIXTURES / "backprop"
VARIANTS = load_fixture_module(TOPIC_DIR / "wrong_variants.py").VARIANTS
BASE = (TOPIC_DIR / "correct_vectorized.py").read_text()


@functools.lru_cache(maxsize=None)
def graded(source: str):
    return grade_source(get_topic(ROOT, "backprop"), source, file="backprop.py")


@pytest.mark.parametrize("name", ["correct_vectorized", "correct_loops", "correct_inline"])
def test_correct_submission_written_differently_gets_full_marks(name):
    result = graded((TOPIC_DIR / f"{name}.py").read_text())
    failed = [(o.name, o.message) for o in result.outcomes if not o.passed]
    assert failed == []
    assert result.score == result.max_score > 0


def test_the_table_has_at_least_twelve_variants():
    assert len(VARIANTS) >= 12


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_variant_edit_applies_exactly_once(variant):
    assert BASE.count(variant.old) == 1


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_wrong_variant_fails_the_right_test_with_the_right_hint(variant):
    result = graded(BASE.replace(variant.old, variant.new))
    outcome = {o.name: o for o in result.outcomes}[variant.failing_test]
    assert not outcome.passed
    assert outcome.mistake == variant.mistake, outcome.message
    assert variant.hint_phrase in (outcome.hint or "")
    assert result.score < result.max_score


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_wrong_variant_costs_points_only_where_the_mistake_is(variant):
    result = graded(BASE.replace(variant.old, variant.new))
    unrelated = [o.name for o in result.outcomes if not o.passed
                 and not any(f in o.name for f in variant.functions)]
    assert unrelated == []
