"""Every topic gives full marks to correct submissions written differently, and costs each
realistic mistake points on the right test, with the right hint, and nowhere unrelated."""
import pytest

from variants import (all_variants, belongs_to, correct_fixtures, fixture_source, graded, table,
                      topics_with_tables, variant_id, variant_source)

CORRECT = [(topic, name) for topic in topics_with_tables() for name in correct_fixtures(topic)]
VARIANTS = all_variants()


@pytest.mark.parametrize("case", CORRECT, ids=lambda c: f"{c[0]}-{c[1]}")
def test_correct_submission_written_differently_gets_full_marks(case):
    topic, name = case
    result = graded(topic, fixture_source(topic, name))
    assert [(o.name, o.message) for o in result.outcomes if not o.passed] == []
    assert result.score == result.max_score > 0


@pytest.mark.parametrize("topic", topics_with_tables())
def test_each_topic_has_two_correct_variants_and_the_variants_its_issue_asks_for(topic):
    variants = table(topic).VARIANTS
    assert len(correct_fixtures(topic)) >= 2
    assert len({v.name for v in variants}) == len(variants) >= table(topic).MINIMUM
    assert set(table(topic).ISSUE_MISTAKES) <= {v.mistake for v in variants}


@pytest.mark.parametrize("topic", [t for t in topics_with_tables() if hasattr(table(t), "owner")])
def test_every_test_has_an_owner_function_where_the_table_names_owners(topic):
    owner = table(topic).owner
    outcomes = graded(topic, fixture_source(topic, "correct_vectorized")).outcomes
    assert all(owner(o.name) for o in outcomes)


@pytest.mark.parametrize("case", VARIANTS, ids=variant_id)
def test_variant_edit_applies_exactly_once(case):
    topic, variant = case
    assert fixture_source(topic, variant.base).count(variant.old) == 1


@pytest.mark.parametrize("case", VARIANTS, ids=variant_id)
def test_wrong_variant_fails_the_right_test_with_the_right_hint(case):
    topic, variant = case
    result = graded(topic, variant_source(topic, variant))
    # A hidden test wins over a public test of the same name.
    outcome = {o.name: o for o in sorted(result.outcomes, key=lambda o: o.hidden)}[variant.failing_test]
    assert not outcome.passed
    assert outcome.mistake == variant.mistake, outcome.message
    assert variant.hint_phrase in (outcome.hint or "")
    assert result.score < result.max_score


@pytest.mark.parametrize("case", VARIANTS, ids=variant_id)
def test_wrong_variant_costs_points_only_where_the_mistake_is(case):
    topic, variant = case
    result = graded(topic, variant_source(topic, variant))
    unrelated = [o.name for o in result.outcomes
                 if not o.passed and not belongs_to(topic, o.name, variant.functions)]
    assert unrelated == []
