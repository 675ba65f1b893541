"""course.toml's late rule in a graded OUT: each student's report and results.json show the raw
score, the penalty and the final score; the rule is applied when files are rendered."""
import json

from test_regrade import CLASS, assert_same_as_clean, make_class, make_course

from grader.batch.grade import grade_batch, run_batch

POLICY = """
timezone = "UTC"

[late]
percent_per_day = 10

[topics.dot]
due = 2026-03-01T23:59:00Z
"""
COLLECT = ("student_id,name,email,original_file,topic,late,submitted_at,attempt\n"
           "ann,Ann,,dot.py,dot,true,2026-03-03T10:00:00+00:00,1\n"
           "bob,Bob,,dot.py,dot,false,2026-03-01T20:00:00+00:00,1\n")


def _graded(tmp_path, policy=POLICY):
    course = make_course(tmp_path / "course")
    if policy is not None:
        (course / "course.toml").write_text(policy)
    submissions = make_class(tmp_path / "class", CLASS)
    (submissions / "collect.csv").write_text(COLLECT)
    out = tmp_path / "out"
    grade_batch(submissions, out, course, progress=False)
    return course, submissions, out


def _dot(out, student):
    return json.loads((out / student / "results.json").read_text())["extra_data"]["topics"]["dot"]


def test_a_topic_handed_in_two_days_late_shows_raw_penalty_and_final(tmp_path):
    _, _, out = _graded(tmp_path)
    dot = _dot(out, "ann")
    assert dot["score"] == 4  # the raw score stays the score
    assert dot["late"] == {"days_late": 2, "penalty_percent": 20.0, "penalty": 0.8, "final": 3.2}
    report = (out / "ann" / "report.html").read_text()
    assert "Handed in 2 days late: 20% off, so 4 &minus; 0.8 = <strong>3.2</strong> / 4." in report
    assert "after late penalties: <strong>6.2</strong>" in report


def test_a_topic_handed_in_on_time_has_no_penalty(tmp_path):
    _, _, out = _graded(tmp_path)
    assert "late" not in _dot(out, "bob")
    assert "late penalties" not in (out / "bob" / "report.html").read_text()


def test_without_a_course_file_nothing_is_late(tmp_path):
    _, _, out = _graded(tmp_path, policy=None)
    assert "late" not in _dot(out, "ann")


def test_a_changed_late_rule_reaches_the_reports_on_resume_without_a_regrade(tmp_path):
    course, submissions, out = _graded(tmp_path)
    (course / "course.toml").write_text(POLICY.replace("percent_per_day = 10", "percent_per_day = 25"))
    outcome = run_batch(submissions, out, course, resume=True, progress=False)
    assert list(outcome.log.pairs()) == []
    assert _dot(out, "ann")["late"]["final"] == 2.0
    assert_same_as_clean(out, submissions, course, tmp_path)
