"""Every topic's reference passes every test, and the untouched stub passes none."""
import pytest

from conftest import ROOT
from grader.course.topics import discover_topics
from grader.grading.runner import grade_file, grade_trusted
from grader.grading.session import current_session

TOPICS = sorted(discover_topics(ROOT))


@pytest.mark.parametrize("name", TOPICS)
def test_reference_gets_full_marks_in_process(name):
    topic = discover_topics(ROOT)[name]
    result = grade_trusted(topic, current_session().reference_module(topic))
    assert [o.name for o in result.outcomes if not o.passed] == []
    assert result.max_score > 0


@pytest.mark.parametrize("name", TOPICS)
def test_reference_gets_full_marks_in_the_sandbox(name):
    topic = discover_topics(ROOT)[name]
    result = grade_file(topic, topic.reference)
    assert [(o.name, o.message) for o in result.outcomes if not o.passed] == []


@pytest.mark.parametrize("name", TOPICS)
def test_the_stub_passes_no_test(name):
    topic = discover_topics(ROOT)[name]
    result = grade_file(topic, topic.stub)
    assert [o.name for o in result.outcomes if o.passed] == []
    assert all(o.mistake == "not_implemented" for o in result.outcomes)


@pytest.mark.parametrize("name", TOPICS)
def test_every_test_has_points_and_a_description(name):
    topic = discover_topics(ROOT)[name]
    result = grade_trusted(topic, current_session().reference_module(topic))
    for outcome in result.outcomes:
        assert outcome.max_points > 0
        assert outcome.description and not outcome.description.startswith("test_")
