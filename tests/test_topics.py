"""A topic is files: a new topic is discovered, checked and graded with no grader change."""
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT
from grader.batch.grade import grade_batch
from grader.course.topics import UnknownTopic, discover_topics, get_topic

STUB = '''"""Dot products.

Vectors are float64 arrays of shape (n,).
"""
import numpy as np


def dot(a, b):
    """Return sum_i a_i * b_i as a float."""
    raise NotImplementedError("dot")
'''
PUBLIC = '''from grader.testing import expect_close, points


@points(1)
def test_dot_of_small_vectors(student):
    """dot([1, 2], [3, 4]) is 11."""
    import numpy as np
    expect_close(student.dot(np.array([1.0, 2.0]), np.array([3.0, 4.0])), 11.0, "dot")
'''
HIDDEN = '''import numpy as np
from grader.testing import expect_close, points


@points(3)
def test_dot_matches_reference(student, reference):
    """dot is right on a length-5 vector."""
    a, b = np.arange(5.0), np.linspace(-1, 1, 5)
    expect_close(student.dot(a, b), reference.dot(a, b), "dot")
'''
REFERENCE = "import numpy as np\n\ndef dot(a, b):\n    return float(a @ b)\n"


@pytest.fixture
def course(tmp_path) -> Path:
    (tmp_path / "exercises" / "dot").mkdir(parents=True)
    (tmp_path / "solutions" / "dot").mkdir(parents=True)
    (tmp_path / "exercises" / "dot" / "dot.py").write_text(STUB)
    (tmp_path / "exercises" / "dot" / "test_dot.py").write_text(PUBLIC)
    (tmp_path / "solutions" / "dot" / "dot.py").write_text(REFERENCE)
    (tmp_path / "solutions" / "dot" / "test_dot_hidden.py").write_text(HIDDEN)
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def test_the_shipped_course_has_the_regularization_topic():
    topics = discover_topics(ROOT)
    assert "regularization" in topics
    assert topics["regularization"].functions[:2] == ["linear_cost", "linear_gradient"]


def test_a_topic_is_found_from_its_files(course):
    topic = get_topic(course, "dot")
    assert topic.title == "Dot products"
    assert topic.signatures == {"dot": ["a", "b"]}
    assert topic.reference is not None and topic.hidden_tests is not None


def test_unknown_topic_names_the_known_ones(course):
    with pytest.raises(UnknownTopic, match="the topics are: dot"):
        get_topic(course, "nope")


def test_a_new_topic_is_graded_without_touching_the_grader(course):
    submissions = course / "class"
    (submissions / "ann").mkdir(parents=True)
    (submissions / "ann" / "dot.py").write_text("def dot(a, b):\n    return sum(a * b)\n")
    (submissions / "bob").mkdir(parents=True)
    (submissions / "bob" / "dot.py").write_text("def dot(a, b):\n    return float((a * b).sum() + 1)\n")
    rows = {r["student"]: r for r in grade_batch(submissions, course / "out", course, progress=False)}
    assert rows["ann"]["total"] == rows["ann"]["max_total"] == 4
    assert rows["bob"]["total"] == 0
