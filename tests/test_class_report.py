"""The class outputs: index.html, summary.json and canvas_grades.csv, folded from results.json files."""
import csv
import io
import json

import pytest

from grader.grading import runner
from grader.outputs.class_report import CanvasIdentities, summarize, write_class_report
from grader.outputs.results import StudentResult, write_results_json

TITLES = {"shapes": "Shape bookkeeping", "kmeans": "K-means"}


def make_outcome(topic, name, passed, *, hidden=False, mistake=None, points=1.0):
    return runner.TestOutcome(topic, name, f"{name} in words", points, points if passed else 0.0, passed, hidden,
                              mistake=mistake, hint=f"hint for {mistake}" if mistake else None)


def write_student(out, student, shapes, kmeans_error=None, kmeans_passed=True):
    topics = [runner.TopicResult("shapes", "Shape bookkeeping", "shapes.py", None, "none", shapes),
              runner.TopicResult("kmeans", "K-means", None if kmeans_error else "kmeans.py", kmeans_error, "none",
                                 [make_outcome("kmeans", "test_k", kmeans_passed,
                                               mistake=None if kmeans_passed else "did_not_run")])]
    write_results_json(out / student / "results.json", StudentResult(student, topics))


@pytest.fixture
def out(tmp_path):
    write_student(tmp_path, "ana", [make_outcome("shapes", "test_a", True), make_outcome("shapes", "test_b", True),
                                    make_outcome("shapes", "test_a", True, hidden=True)])
    write_student(tmp_path, "bo", [make_outcome("shapes", "test_a", False, mistake="transposed"),
                                   make_outcome("shapes", "test_b", True),
                                   make_outcome("shapes", "test_a", False, hidden=True, mistake="transposed")])
    write_student(tmp_path, "cy", [make_outcome("shapes", "test_a", False, mistake="raises"),
                                   make_outcome("shapes", "test_b", False, mistake="transposed"),
                                   make_outcome("shapes", "test_a", True, hidden=True)],
                  kmeans_error="kmeans.py: SyntaxError on line 3", kmeans_passed=False)
    return tmp_path


def test_pass_rates_are_counted_per_test_keeping_public_and_hidden_tests_apart(out):
    summary = summarize(out, ["ana", "bo", "cy"], TITLES)
    rates = {(t.test, t.hidden): (t.passed, t.graded) for t in summary.tests.values() if t.topic == "shapes"}
    assert rates == {("test_a", False): (1, 3), ("test_b", False): (2, 3), ("test_a", True): (2, 3)}


def test_a_mistake_is_counted_once_per_student_however_many_tests_notice_it(out):
    summary = summarize(out, ["ana", "bo", "cy"], TITLES)
    [transposed] = summary.ranked_mistakes()
    assert (transposed.mistake, transposed.students, transposed.hint) == ("transposed", 2, "hint for transposed")


def test_generic_outcomes_are_not_listed_as_diagnosed_mistakes(out):
    mistakes = {m.mistake for m in summarize(out, ["ana", "bo", "cy"], TITLES).mistakes.values()}
    assert "raises" not in mistakes and "did_not_run" not in mistakes


def test_topics_that_did_not_run_are_listed_with_the_first_line_of_their_error(out):
    summary = summarize(out, ["ana", "bo", "cy"], TITLES)
    assert summary.failed_to_run == [{"student": "cy", "topic": "kmeans",
                                      "error": "kmeans.py: SyntaxError on line 3"}]


def test_a_student_without_readable_results_is_reported_not_fatal(out):
    (out / "dee").mkdir()
    (out / "dee" / "results.json").write_text("{not json")
    summary = summarize(out, ["ana", "dee"], TITLES)
    assert summary.unreadable == ["dee"] and [r["student"] for r in summary.rows] == ["ana"]


def test_only_the_students_of_the_batch_are_read(out):
    assert [r["student"] for r in summarize(out, ["bo"], TITLES).rows] == ["bo"]


def test_score_distribution_median_and_histogram(out):
    shapes = summarize(out, ["ana", "bo", "cy"], TITLES).topics["shapes"]
    assert (shapes.max_score, shapes.median(), shapes.mean()) == (3.0, 1.0, 5 / 3)  # scores 3, 1, 1
    assert shapes.bin_counts() == [0, 0, 0, 2, 0, 0, 0, 0, 0, 1]  # 1/3 of the points twice, all once


def test_summary_json_has_students_topics_tests_mistakes_and_failures(out):
    write_class_report(out, ["ana", "bo", "cy"], TITLES)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["students"]["bo"] == {"total": 2.0, "max_total": 4.0, "topics": {"shapes": 1.0, "kmeans": 1.0},
                                         "report": "bo/report.html"}
    assert summary["topics"]["kmeans"]["failed_to_run"] == 1
    assert {t["test"] for t in summary["tests"]} == {"test_a", "test_b", "test_k"}
    assert summary["mistakes"][0]["mistake"] == "transposed"
    assert summary["failed_to_run"][0]["student"] == "cy"


def test_the_index_links_every_student_report_and_the_exports(out):
    write_class_report(out, ["ana", "bo", "cy"], TITLES)
    html = (out / "index.html").read_text()
    for student in ("ana", "bo", "cy"):
        assert f'href="{student}/report.html"' in html
    for export in ("grades.csv", "canvas_grades.csv", "summary.json"):
        assert f'href="{export}"' in html
    assert html.count("<svg") == len(TITLES)  # one histogram per topic


def _canvas_rows(out) -> list[list[str]]:
    return list(csv.reader(io.StringIO((out / "canvas_grades.csv").read_text())))


def test_canvas_grades_csv_has_identity_columns_a_points_possible_row_and_one_column_per_topic(out):
    write_class_report(out, ["ana", "bo", "cy"], TITLES)
    table = _canvas_rows(out)
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *TITLES]
    assert table[1][0] == "Points Possible" and table[1][5:] == ["3", "1"]
    assert [row[:5] for row in table[2:]] == [[s, "", "", s, ""] for s in ("ana", "bo", "cy")]


def test_canvas_grades_csv_puts_a_canvas_user_id_in_id_and_the_collected_name_in_student(out):
    write_class_report(out, ["ana", "bo", "cy"], TITLES,
                       identities=CanvasIdentities({"ana": "Liddell, Ana"}, frozenset({"ana"})))
    assert _canvas_rows(out)[2][:5] == ["Liddell, Ana", "ana", "", "", ""]
