"""The result model's typed fields and the per-process grading session."""
from conftest import ROOT
from grader.course.topics import get_topic
from grader.grading import runner
from grader.grading.outcomes import GradientCheckRecord, ParameterRecord, TopicResult
from grader.grading import outcomes
from grader.grading.session import current_session, start_session
from grader.outputs import results
from grader.outputs.visibility import failure_lines, student_view


def failed(*, hidden: bool) -> outcomes.TestOutcome:
    return outcomes.TestOutcome("shapes", "test_x", "what it checks: x", 1.0, 0.0, False, hidden, message="wrong",
                       detail="expected 1", counterexample="x=0")


def test_a_public_counterexample_is_shown_under_its_heading_after_the_details():
    assert failure_lines(student_view(failed(hidden=False)))[1] == "expected 1\nSmallest failing input found:\nx=0"


def test_a_hidden_test_shows_no_counterexample():
    assert student_view(failed(hidden=True)).counterexample is None


def test_a_description_with_a_colon_survives_results_json():
    topic = TopicResult("shapes", "Shapes", "shapes.py", None, "none", [failed(hidden=False)])
    entry = results.gradescope_results(results.StudentResult("ana", [topic]))["tests"][0]
    assert results.test_description(entry) == "what it checks: x"


def test_gradient_checks_are_typed_records_on_the_outcome():
    record = GradientCheckRecord.from_recorded({"against": "your cost", "rtol": 1e-5, "parameters": [
        {"name": "w", "shape": [3], "method": "element-wise", "max_rel_error": 0.5, "worst": "(1,)",
         "analytic": [1.0], "numerical": [2.0]}]})
    assert record.parameters == (ParameterRecord("w", (3,), "element-wise", 0.5, "(1,)", (1.0,), (2.0,)),)


def test_a_fresh_session_imports_the_tests_again_and_the_old_one_keeps_its_own():
    topic = get_topic(ROOT, "shapes")
    old = current_session()
    before = runner.collect_tests(topic, public=True, hidden=False)[0].function
    try:
        fresh = start_session()
        assert fresh is current_session() and not fresh.modules
        after = runner.collect_tests(topic, public=True, hidden=False)[0].function
        assert after is not before and after.__name__ == before.__name__
    finally:
        start_session(old)  # the rest of this process's tests share the old session
