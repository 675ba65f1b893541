"""Typed outcome fields that outputs read directly: a passing test's notes, and timeouts."""
import pytest

from grader.authoring.scaffold import new_topic
from grader.batch.grade import run_batch
from grader.course.topics import load_topic
from grader.grading.runner import grade_source
from grader.outputs.report import render_report
from grader.outputs.results import StudentResult, outcome_text
from grader.outputs.terminal import format_check
from grader.sandbox.launcher import Limits

RIGHT = "def center(X):\n    return X - X.mean(axis=0)\n"
NOTE = "your center is right; the grader says so here"


@pytest.fixture
def course(tmp_path):
    (tmp_path / "exercises").mkdir()
    new_topic(tmp_path, "standardize")
    public = tmp_path / "exercises" / "standardize" / "test_standardize.py"
    text = public.read_text().replace("from grader.testing import Mistake,", "from grader.testing import note, Mistake,")
    public.write_text(text.replace('    expect_close(Xc.mean(axis=0), np.zeros(4), "the column means of center(X)", atol=1e-12)\n',
                                   '    expect_close(Xc.mean(axis=0), np.zeros(4), "the column means of center(X)", atol=1e-12)\n'
                                   f'    note("<b>{NOTE}</b>")\n'))
    return tmp_path


def _noted(result):
    return next(o for o in result.outcomes if o.name == "test_center_gives_columns_of_mean_zero")


def test_a_note_is_kept_as_a_typed_field_of_the_passing_outcome(course):
    outcome = _noted(grade_source(load_topic(course, "standardize"), RIGHT, file="standardize.py"))
    assert outcome.passed and outcome.notes == [f"<b>{NOTE}</b>"]
    assert "note" not in outcome.data


def test_results_json_shows_a_passing_tests_note_after_passed(course):
    outcome = _noted(grade_source(load_topic(course, "standardize"), RIGHT, file="standardize.py"))
    assert outcome_text(outcome) == f"Passed.\n<b>{NOTE}</b>"


def test_the_report_shows_a_passing_tests_note_escaped(course):
    result = grade_source(load_topic(course, "standardize"), RIGHT, file="standardize.py")
    html = render_report(StudentResult("ann", [result]))
    assert f"&lt;b&gt;{NOTE}&lt;/b&gt;" in html and f"<b>{NOTE}" not in html


def test_grader_check_prints_a_passing_tests_note(course):
    result = grade_source(load_topic(course, "standardize"), RIGHT, file="standardize.py", hidden=False,
                          profile="check")
    assert f"note: <b>{NOTE}</b>" in format_check(result, course / "standardize.py", 0.1)


def test_a_call_that_meets_its_time_limit_is_a_timed_out_outcome_and_counted_in_the_log(course, tmp_path):
    looping = "def center(X):\n    while True:\n        pass\n"
    topic = load_topic(course, "standardize")
    result = grade_source(topic, looping, file="standardize.py", limits=Limits(call_seconds=0.5))
    assert any(o.timed_out for o in result.outcomes)
    assert not any(o.timed_out for o in grade_source(topic, RIGHT, file="standardize.py").outcomes)
    submissions = tmp_path / "class"
    (submissions / "lou").mkdir(parents=True)
    (submissions / "lou" / "standardize.py").write_text(looping)
    outcome = run_batch(submissions, tmp_path / "out", course, progress=False, limits=Limits(call_seconds=0.5))
    assert outcome.log.students[0].timeouts == sum(o.timed_out for o in result.outcomes) > 0
