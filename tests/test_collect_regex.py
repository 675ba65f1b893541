"""grader collect --from regex|folders: nbgrader-style patterns, and one folder per student."""
import pytest

from grader.collect.platforms import CollectError, collect
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
