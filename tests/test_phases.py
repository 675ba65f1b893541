"""A student's topics are graded public tests first, hidden tests after (grader.grading.phases)."""
from dataclasses import asdict

from conftest import FIXTURES, ROOT
from grader.course.topics import get_topic
from grader.grading import runner
from grader.grading.phases import TopicSource, grade_in_phases
from grader.grading.runner import grade_source
from grader.sandbox import submission
from grader.sandbox.launcher import Limits

REGULARIZATION = (FIXTURES / "regularization" / "correct_vectorized.py").read_text()
SHAPES = (FIXTURES / "shapes" / "correct_vectorized.py").read_text()


def _sources(**files: str) -> list[TopicSource]:
    return [TopicSource(get_topic(ROOT, name), source, f"{name}.py") for name, source in files.items()]


def test_every_public_test_of_every_topic_runs_before_any_hidden_test(monkeypatch):
    # Machine-wide kernel state (the page cache, inode counters) outlives a worker: a hidden
    # test's worker must have no later public test to leave its inputs to.
    ran, run_test = [], runner.run_test

    def noted(case, topic, student, **options):
        ran.append((case.hidden, topic.name))
        return run_test(case, topic, student, **options)

    monkeypatch.setattr(runner, "run_test", noted)
    grade_in_phases(_sources(regularization=REGULARIZATION, shapes=SHAPES))
    first_hidden = [hidden for hidden, _ in ran].index(True)
    assert not any(hidden for hidden, _ in ran[:first_hidden])
    assert all(hidden for hidden, _ in ran[first_hidden:])
    assert {name for _, name in ran[:first_hidden]} == {name for _, name in ran[first_hidden:]} == \
        {"regularization", "shapes"}


def test_a_topic_graded_in_phases_has_the_tests_and_points_of_one_run():
    (graded,) = grade_in_phases(_sources(regularization=REGULARIZATION))
    whole = grade_source(get_topic(ROOT, "regularization"), REGULARIZATION, file="regularization.py")
    assert [asdict(o) for o in graded.result.outcomes] == [asdict(o) for o in whole.outcomes]
    assert graded.failure is None and graded.result.error is None


def test_a_function_that_timed_out_in_a_public_test_is_not_called_again_in_the_hidden_part():
    looping = REGULARIZATION + "\n\ndef sigmoid(z):\n    while True:\n        pass\n"
    (graded,) = grade_in_phases(_sources(regularization=looping),
                                limits=Limits(call_seconds=1.0, load_seconds=4.0))
    hidden = [o for o in graded.result.outcomes if o.hidden]
    assert any("so it was not run again" in o.message for o in hidden)
    assert all("so it was not run again" in o.message for o in hidden if "did not return" in o.message)


def test_a_file_that_cannot_be_loaded_is_loaded_once_and_reported_alike(monkeypatch):
    starts, start_worker = [], submission.start_worker
    monkeypatch.setattr(submission, "start_worker", lambda *a: starts.append(1) or start_worker(*a))
    (graded,) = grade_in_phases(_sources(regularization="def sigmoid(z:\n"))
    assert len(starts) == 1
    assert "syntax error" in graded.result.error
    assert {o.message for o in graded.result.outcomes} == {o.message for o in graded.result.outcomes[:1]}
    assert any(o.hidden for o in graded.result.outcomes)


def test_a_file_that_loads_for_the_public_part_only_shows_nothing_of_its_second_import():
    # Between the two imports run the hidden tests of the topics before it, whose inputs code
    # could carry into the second import through machine-wide kernel state.
    topic, carry = get_topic(ROOT, "regularization"), runner.TopicCarry()
    grade_source(topic, REGULARIZATION, file="regularization.py", public=True, hidden=False, carry=carry)
    again = "raise ValueError('X_FIXED[0, 0] = 0.5483')\n" + REGULARIZATION
    hidden = grade_source(topic, again, file="regularization.py", public=False, hidden=True, carry=carry)
    assert hidden.error == runner.RELOAD_FAILED
    assert hidden.outcomes and not any("0.5483" in o.message for o in hidden.outcomes)
