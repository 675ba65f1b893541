"""What a grade depends on, as hashes: any change to a topic's files or the grader shows."""
import shutil

from conftest import ROOT
from grader.course.fingerprint import grader_fingerprint, grader_version, sha256_hex, topic_fingerprint
from grader.course.topics import load_topic


def _course_copy(tmp_path):
    for part in ("exercises", "solutions"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return tmp_path


def test_a_topic_fingerprint_is_stable_for_unchanged_files(tmp_path):
    course = _course_copy(tmp_path)
    assert topic_fingerprint(load_topic(course, "shapes")) == topic_fingerprint(load_topic(ROOT, "shapes"))


def test_editing_a_hidden_test_changes_the_topic_fingerprint(tmp_path):
    course = _course_copy(tmp_path)
    before = topic_fingerprint(load_topic(course, "shapes"))
    hidden = course / "solutions" / "shapes" / "test_shapes_hidden.py"
    hidden.write_text(hidden.read_text() + "\n# changed\n")
    assert topic_fingerprint(load_topic(course, "shapes")) != before


def test_editing_the_reference_changes_the_topic_fingerprint(tmp_path):
    course = _course_copy(tmp_path)
    before = topic_fingerprint(load_topic(course, "kmeans"))
    reference = course / "solutions" / "kmeans" / "kmeans.py"
    reference.write_text(reference.read_text() + "\n")
    assert topic_fingerprint(load_topic(course, "kmeans")) != before


def test_topics_with_equal_files_but_different_names_differ(tmp_path):
    assert topic_fingerprint(load_topic(ROOT, "shapes")) != topic_fingerprint(load_topic(ROOT, "kmeans"))


def test_the_grader_fingerprint_starts_with_the_installed_version():
    assert grader_fingerprint().startswith(grader_version() + "+")


def test_sha256_hex_is_the_hex_digest():
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
