"""Item analysis in the class report: each test's difficulty, discrimination and flags."""
import json
import math

import pytest

from grader.grading import outcomes
from grader.outputs.class_report import summarize, write_class_report
from grader.outputs.results import StudentResult, write_results_json

TITLES = {"shapes": "Shape bookkeeping"}
# test -> points; t4 is hidden. Students s1..s4 hand shapes in; s5 does not.
POINTS = {"t1": 1.0, "t2": 1.0, "t3": 2.0, "t4": 1.0, "t5": 1.0, "t6": 1.0}
PASSES = {  # who passes what: t4 is passed by the weak students only, t5 by all, t6 by none
    "s1": {"t1", "t2", "t3", "t5"},
    "s2": {"t1", "t3", "t5"},
    "s3": {"t2", "t4", "t5"},
    "s4": {"t4", "t5"},
}


def outcome(name, passed):
    points = POINTS[name]
    return outcomes.TestOutcome("shapes", name, f"{name} in words", points, points if passed else 0.0, passed,
                       hidden=name == "t4")


def write(out, student, passes, *, file="shapes.py"):
    topic = outcomes.TopicResult("shapes", TITLES["shapes"], file, None if file else "no file shapes.py", "none",
                        [outcome(name, name in passes) for name in POINTS])
    write_results_json(out / student / "results.json", StudentResult(student, [topic]))


@pytest.fixture
def out(tmp_path):
    for student, passes in PASSES.items():
        write(tmp_path, student, passes)
    write(tmp_path, "s5", set(), file=None)  # handed nothing in
    return tmp_path


def items(out, students=(*PASSES, "s5")):
    return {i.test: i for i in summarize(out, list(students), TITLES).items.by_topic("shapes")}


def test_difficulty_is_the_pass_rate_over_the_students_who_handed_the_topic_in(out):
    found = items(out)
    assert {name: (i.students, i.difficulty) for name, i in found.items()} == {
        "t1": (4, 0.5), "t2": (4, 0.5), "t3": (4, 0.5), "t4": (4, 0.5), "t5": (4, 1.0), "t6": (4, 0.0)}


def test_discrimination_correlates_passing_with_the_rest_of_the_topic_score(out):
    # Scores s1..s4: 5, 4, 3, 2. t1: passed [1,1,0,0], rest [4,3,3,2]: r = 1/sqrt(2).
    # t2: passed [1,0,1,0], rest [4,4,2,2]: r = 0. t4: passed [0,0,1,1], rest [5,4,2,1]: r = -3/sqrt(10).
    found = items(out)
    assert found["t1"].discrimination == pytest.approx(1 / math.sqrt(2))
    assert found["t2"].discrimination == pytest.approx(0.0, abs=1e-12)
    assert found["t3"].discrimination == pytest.approx(0.0, abs=1e-12)
    assert found["t4"].discrimination == pytest.approx(-3 / math.sqrt(10))


def test_a_test_strong_students_fail_more_than_weak_ones_is_suspect(out):
    found = items(out)
    assert found["t4"].flags == ["suspect"]
    assert [name for name, i in found.items() if "suspect" in i.flags] == ["t4"]


def test_tests_nobody_fails_or_everybody_fails_are_flagged_without_a_correlation(out):
    found = items(out)
    assert (found["t5"].flags, found["t5"].discrimination, found["t5"].note) == (
        ["nobody_fails"], None, "everyone passed")
    assert (found["t6"].flags, found["t6"].discrimination, found["t6"].note) == (
        ["everybody_fails"], None, "everyone failed")


def test_with_fewer_than_three_students_there_is_no_correlation_and_the_note_says_so(out):
    found = items(out, ["s1", "s4"])
    assert found["t1"].discrimination is None
    assert found["t1"].note == "2 students handed this topic in: no correlation below 3"


def test_a_rest_score_the_same_for_everyone_gives_no_correlation_instead_of_dividing_by_zero(tmp_path):
    # Only t1 varies, every other test is passed by all or none: the rest of the score is constant.
    for student, passes in {"a": {"t1", "t5"}, "b": {"t5"}, "c": {"t1", "t5"}}.items():
        write(tmp_path, student, passes)
    found = items(tmp_path, ["a", "b", "c"])
    assert found["t1"].discrimination is None
    assert found["t1"].note == "the rest of the topic's score is the same for everyone"


def test_summary_json_lists_every_test_with_its_difficulty_discrimination_and_flags(out):
    write_class_report(out, [*PASSES, "s5"], TITLES)
    entries = {e["test"]: e for e in json.loads((out / "summary.json").read_text())["item_analysis"]}
    assert entries["t4"] == {"topic": "shapes", "test": "t4", "hidden": True, "students": 4, "passed": 2,
                             "difficulty": 0.5, "discrimination": round(-3 / math.sqrt(10), 4),
                             "note": None, "flags": ["suspect"]}
    assert entries["t6"]["flags"] == ["everybody_fails"] and entries["t6"]["discrimination"] is None


def test_index_html_shows_the_item_analysis_with_its_flags(out):
    write_class_report(out, [*PASSES, "s5"], TITLES)
    page = (out / "index.html").read_text()
    section = page[page.index('<h2 id="items">'):page.index('<h2 id="mistakes">')]
    assert section.count("<tr>") == 1 + len(POINTS)
    assert "-0.95" in section and "suspect" in section and "nobody fails" in section
    assert "everybody fails" in section and "everyone passed" in section
