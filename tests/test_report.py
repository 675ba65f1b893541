"""The student's report.html: what each test shows, and what a hidden test never shows."""
import re

from grader.grading import runner
from grader.outputs.plots import error_chart, values_chart
from grader.grading.outcomes import GradientCheckRecord, ParameterRecord
from grader.outputs.report import render_report
from grader.outputs.results import StudentResult

SECRET = "4.2424242"  # an expected value the reference computed


def gradient_check(*, reveal: bool, error: float = 0.3, against: str = "your cost") -> GradientCheckRecord:
    w = (1.5, -2.0, 0.25), (1.5, 2.0, 0.25)
    return GradientCheckRecord(against, 1e-5, (
        ParameterRecord("w", (3,), "element-wise", error, "(1,)", *(w if reveal else ((), ()))),
        ParameterRecord("b", (), "element-wise", 1e-11, "()", *(((0.5,), (0.5,)) if reveal else ((), ())))))


def outcome(name: str, *, hidden: bool, passed: bool = False, **fields) -> runner.TestOutcome:
    defaults = dict(message="dw disagrees with the numerical gradient", hint="divide by m", call="f(X array (5, 3))")
    return runner.TestOutcome("regularization", name, f"what {name} checks", 2.0, 2.0 if passed else 0.0, passed, hidden,
                       **(defaults | fields))


def report(*outcomes: runner.TestOutcome) -> str:
    return render_report(StudentResult("ana", [runner.TopicResult("regularization", "Regularized gradients",
                                                           "regularization.py", None, "bubblewrap", list(outcomes))]))


def test_a_failed_test_shows_what_was_checked_points_call_and_hint():
    html = report(outcome("test_grad", hidden=True))
    assert "what test_grad checks" in html
    assert "0/2" in html
    assert "f(X array (5, 3))" in html
    assert "divide by m" in html


def test_a_hidden_test_never_shows_detail_printed_output_or_gradient_errors():
    html = report(outcome("test_hidden", hidden=True, detail=f"expected {SECRET}, got 1.0",
                          counterexample=f"X={SECRET}", printed=f"debug {SECRET}",
                          gradient_checks=[gradient_check(reveal=True, against="the correct cost")]))
    assert SECRET not in html
    assert "Smallest failing input" not in html
    assert "analytic versus numerical" not in html
    # an error against the reference's gradient, with the student's own, gives that gradient away
    assert "relative error per parameter" not in html


def test_a_public_failure_shows_the_shrunk_counterexample_apart_from_the_details():
    html = report(outcome("test_public", hidden=False, detail="expected 1., got 2.",
                          counterexample="Draw 1 (X): array([[0., 0.]])"))
    block = re.search(r"Smallest failing input found</dt><dd><pre>(.*?)</pre>", html, re.S).group(1)
    assert "array([[0., 0.]])" in block and "expected" not in block
    assert "expected 1., got 2." in html


def test_a_public_gradient_check_plots_analytic_against_numerical_values():
    html = report(outcome("test_public_grad", hidden=False, gradient_checks=[gradient_check(reveal=True)]))
    assert "analytic versus numerical" in html
    assert html.count('class="gap"') == 1  # only the entry whose sign is wrong is marked


def test_the_error_chart_marks_parameters_over_the_tolerance():
    html = report(outcome("test_public_grad", hidden=False, gradient_checks=[gradient_check(reveal=True)]))
    assert html.count('class="bad"') == 1 and html.count('class="ok"') == 1


def test_a_failed_property_test_plots_its_last_check_the_failing_example():
    checks = [gradient_check(reveal=False, error=1e-12), gradient_check(reveal=False, error=0.5)]
    html = report(outcome("test_property", hidden=False, gradient_checks=checks))
    assert "largest relative error 0.5" in html


def test_passed_tests_are_listed_under_a_summary_after_the_failures():
    html = report(outcome("test_ok", hidden=False, passed=True), outcome("test_bad", hidden=False))
    assert html.index("what test_bad checks") < html.index("1 test passed") < html.index("what test_ok checks")


def test_the_report_is_self_contained_and_sized_for_phones():
    html = report(outcome("test_public_grad", hidden=False, gradient_checks=[gradient_check(reveal=True)]))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert not re.search(r"<(script|link|img)\b", html)
    assert "http://" not in html and "https://" not in html


def test_a_topic_that_did_not_run_shows_its_error():
    result = StudentResult("ana", [runner.TopicResult("shapes", "Shapes", None, "no file shapes.py", "none", [])])
    assert "no file shapes.py" in render_report(result)


def test_error_bars_grow_with_the_error_on_a_log_scale():
    chart = error_chart([ParameterRecord(name, (), "element-wise", error, "()")
                         for name, error in [("a", 1e-12), ("b", 1e-4), ("c", 0.0)]], rtol=1e-5)
    small, large, zero = chart.bars
    assert zero.length == 0 < small.length < large.length
    assert small.within and not large.within
    assert chart.x0 + small.length < chart.tolerance_x < chart.x0 + large.length


def test_there_is_no_values_chart_without_revealed_values():
    assert values_chart([ParameterRecord("w", (3,), "element-wise", 0.1, "(1,)")]) is None
