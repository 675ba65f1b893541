"""grader collect --from regex|folders: nbgrader-style patterns, and one folder per student."""
import datetime as dt

import pytest

from grader.collect.platforms import CollectError, collect
from grader.collect.stamps import parse_stamp
from lms_downloads import TOPICS, write_zip


def test_folders_takes_the_top_folder_as_the_student(tmp_path):
    download = tmp_path / "class"
    (download / "alice" / "hw").mkdir(parents=True)
    (download / "alice" / "hw" / "Shapes.py").write_text("s = 1\n")
    (download / "bob").mkdir()
    (download / "bob" / "kmeans.ipynb").write_text("{}")
    summary = collect("folders", download, tmp_path / "S", TOPICS)
    assert sorted((c.person.student, c.topic) for c in summary.collected) == [
        ("alice", "shapes"), ("bob", "kmeans")]


def test_a_pattern_with_a_timestamp_keeps_the_latest_attempt(tmp_path):
    download = write_zip(tmp_path / "d.zip", {
        "alice+regularization+2026-03-02T10:00:00+00:00.py": "newest = 1\n",
        "alice+regularization+2026-03-01T10:00:00+00:00.py": "older = 1\n",
        "bob+shapes+2026-03-01T10:00:00+00:00.py": "s = 1\n",
        "unrelated.txt": "x",
    })
    pattern = r"(?P<student_id>[^+]+)\+(?P<topic>[^+]+)\+(?P<timestamp>[^+]+\+\d\d:\d\d)\.py"
    out = tmp_path / "S"
    summary = collect("regex", download, out, TOPICS, pattern=pattern)
    assert (out / "alice" / "regularization.py").read_text() == "newest = 1\n"
    assert dict(summary.unmatched) == {"unrelated.txt": "it does not match the pattern"}
    rows = (out / "collect.csv").read_text().splitlines()
    assert "alice,,,regularization.py,regularization,,2026-03-02T10:00:00+00:00,0,regex" in rows


@pytest.mark.parametrize("pattern", [r"(?P<student_id>.*)", r"(?P<topic>.*)", "(unclosed"])
def test_a_pattern_without_the_named_groups_is_refused(tmp_path, pattern):
    with pytest.raises(CollectError, match="--pattern"):
        collect("regex", write_zip(tmp_path / "d.zip", {"a.py": "1"}), tmp_path / "S", TOPICS,
                pattern=pattern)


def test_a_student_id_that_cannot_be_a_folder_is_listed_not_written(tmp_path):
    download = write_zip(tmp_path / "d.zip", {".hidden/shapes.py": "1"})
    summary = collect("folders", download, tmp_path / "S", TOPICS)
    assert summary.collected == []
    assert "starts with '.'" in dict(summary.unmatched)[".hidden/shapes.py"]


NBGRADER = r".*_(?P<student_id>\w+)_attempt_(?P<timestamp>[0-9\-T:]+)_(?P<file>.*)"  # its docs' example


def test_nbgrader_style_dashed_timestamps_keep_the_latest_attempt_whatever_the_zip_order(tmp_path):
    download = write_zip(tmp_path / "d.zip", {
        "hw1_bitdiddle_attempt_2016-01-30-20-30-10_regularization.py": "newest = 1\n",
        "hw1_bitdiddle_attempt_2016-01-29-09-00-00_regularization.py": "older = 1\n",
    })
    out = tmp_path / "S"
    summary = collect("regex", download, out, TOPICS, pattern=NBGRADER)
    assert (out / "bitdiddle" / "regularization.py").read_text() == "newest = 1\n"
    assert [c.submitted_at for c in summary.collected] == ["2016-01-30T20:30:10"]


@pytest.mark.parametrize("stamp, expected", [
    ("2016-01-30T20:30:10+01:00", dt.datetime(2016, 1, 30, 20, 30, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))),
    ("2016-01-30-20-30-10", dt.datetime(2016, 1, 30, 20, 30, 10)),
    ("2016-01-30 20:30:10", dt.datetime(2016, 1, 30, 20, 30, 10)),
    ("2016-01-30 20:30:10.123456789 -0800", dt.datetime(2016, 1, 30, 20, 30, 10, 123456,
                                                         tzinfo=dt.timezone(dt.timedelta(hours=-8)))),
    ("2016-01-30-20-30-10Z", dt.datetime(2016, 1, 30, 20, 30, 10, tzinfo=dt.timezone.utc)),
    ("2016-02-30-20-30-10", None),
    ("yesterday", None),
])
def test_timestamps_read_in_the_forms_in_common_use(stamp, expected):
    assert parse_stamp(stamp) == expected


def test_an_unreadable_timestamp_is_reported_naming_the_attempt_that_was_kept(tmp_path):
    download = write_zip(tmp_path / "d.zip", {
        "alice+regularization+2016-01-30-20-30-10.py": "readable = 1\n",
        "alice+regularization+last friday.py": "unreadable = 1\n",
    })
    pattern = r"(?P<student_id>[^+]+)\+(?P<topic>[^+]+)\+(?P<timestamp>[^+]+)\.py"
    summary = collect("regex", download, tmp_path / "S", TOPICS, pattern=pattern)
    [(kept, why)] = summary.remarks
    assert kept == "alice+regularization+2016-01-30-20-30-10.py"
    assert "alice's regularization of 2 attempts" in why and "'last friday'" in why


def test_nbgraders_file_id_group_names_the_file(tmp_path):
    download = write_zip(tmp_path / "d.zip", {"bitdiddle/Regularization.py": "r = 1\n"})
    out = tmp_path / "S"
    collect("regex", download, out, TOPICS, pattern=r"(?P<student_id>[^/]+)/(?P<file_id>.+)")
    assert (out / "bitdiddle" / "regularization.py").read_text() == "r = 1\n"
