"""course.toml: due dates, extensions, the late rule, points, titles and limits."""
import datetime as dt

import pytest

from grader.course.policy import Policy, PolicyError, SubmissionTime, parse_time, read_policy

COURSE = """
timezone = "Europe/Berlin"

[late]
percent_per_day = 10
max_percent = 30
grace_minutes = 15

[limits]
call_seconds = 5
student_seconds = 300

[topics.regularization]
due = 2026-03-01T23:59:00+01:00
points = 20
title = "Regularization (4711)"

[topics.shapes]
due = 2026-03-01T23:59:00        # no offset: the course's time zone

[extensions."1001"]
days = 2

[extensions."1002"]
regularization = 2026-03-10T12:00:00+01:00
"""


@pytest.fixture
def policy(tmp_path) -> Policy:
    (tmp_path / "course.toml").write_text(COURSE)
    return read_policy(tmp_path / "course.toml")


def at(text: str) -> SubmissionTime:
    return SubmissionTime(parse_time(text))


def test_a_file_handed_in_before_the_due_date_costs_nothing(policy):
    assert policy.penalty("regularization", "9", 8.0, at("2026-03-01T23:00:00+01:00")).final == 8.0


def test_the_grace_period_is_not_late(policy):
    assert policy.days_late("regularization", "9", at("2026-03-02T00:13:00+01:00")) == 0


def test_each_started_day_late_costs_its_percentage_of_the_earned_score(policy):
    penalty = policy.penalty("regularization", "9", 8.0, at("2026-03-03T00:30:00+01:00"))
    assert (penalty.days_late, penalty.percent, penalty.points, penalty.final) == (2, 20.0, 1.6, 6.4)


def test_the_penalty_is_capped(policy):
    assert policy.penalty("regularization", "9", 10.0, at("2026-04-01T00:00:00+01:00")).percent == 30.0


def test_a_due_date_without_offset_is_in_the_course_time_zone(policy):
    assert policy.topic("shapes").due.utcoffset() == dt.timedelta(hours=1)
    assert policy.days_late("shapes", "9", at("2026-03-01T23:30:00+00:00")) == 1


def test_an_extension_in_days_moves_every_due_date(policy):
    assert policy.days_late("regularization", "1001", at("2026-03-03T20:00:00+01:00")) == 0
    assert policy.days_late("regularization", "1001", at("2026-03-04T20:00:00+01:00")) == 1


def test_an_extension_for_one_topic_sets_its_due_date(policy):
    assert policy.days_late("regularization", "1002", at("2026-03-09T12:00:00+01:00")) == 0
    assert policy.days_late("shapes", "1002", at("2026-03-03T12:00:00+01:00")) == 2


def test_the_lms_late_marker_without_a_time_counts_one_day_unless_extended(policy):
    marked = SubmissionTime(None, late=True)
    assert policy.penalty("regularization", "9", 10.0, marked).percent == 10.0
    assert policy.penalty("regularization", "1001", 10.0, marked).percent == 0.0


def test_points_titles_and_limits_are_read(policy):
    assert policy.topic("regularization").points == 20.0
    assert policy.topic("regularization").title == "Regularization (4711)"
    assert (policy.call_seconds, policy.student_seconds) == (5.0, 300.0)


def test_no_course_file_is_no_penalty(tmp_path):
    policy = read_policy(tmp_path / "course.toml")
    assert policy.penalty("shapes", "1", 5.0, SubmissionTime(parse_time("2030-01-01"), True)).final == 5.0


@pytest.mark.parametrize("text, message", [
    ("[late]\npercent_per_day = -1\n", "late.percent_per_day"),
    ("[topics.shapes]\ndue = \"soon\"\n", "topics.shapes.due"),
    ("timezone = \"Mars/Olympus\"\n", "unknown timezone"),
    ("[late\n", "course.toml"),
])
def test_an_impossible_course_file_says_where(tmp_path, text, message):
    (tmp_path / "course.toml").write_text(text)
    with pytest.raises(PolicyError, match=message):
        read_policy(tmp_path / "course.toml")


def test_gradescopes_time_format_is_read():
    assert parse_time("2026-03-01 22:10:05.123456789 -0800") == dt.datetime(
        2026, 3, 1, 22, 10, 5, 123456, dt.timezone(-dt.timedelta(hours=8)))


def test_grade_takes_course_toml_limits_unless_the_command_line_gives_them(tmp_path):
    from grader.cli import build_parser
    from grader.commands.arguments import grading_limits as _limits
    (tmp_path / "course.toml").write_text("[limits]\ncall_seconds = 2.5\nstudent_seconds = 99\n")
    default = build_parser().parse_args(["grade", "S", "--out", "O"])
    given = build_parser().parse_args(["grade", "S", "--out", "O", "--call-timeout", "7"])
    assert (_limits(tmp_path, default).call_seconds, _limits(tmp_path, default).student_seconds) == (2.5, 99.0)
    assert _limits(tmp_path, given).call_seconds == 7.0
    assert _limits(tmp_path / "elsewhere", default).call_seconds == 5.0
