"""Per-student variation: a course seed gives each student their own graded inputs, reproducibly."""
import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from grader.batch.grade import grade_batch
from grader.course.topics import get_topic
from grader.course.variation import student_seed
from grader.grading.runner import grade_trusted
from grader.grading.session import current_session

STUB = '''"""Means."""


def mean(x):
    """Return the mean of the 1-d array x as a float."""
    raise NotImplementedError("mean")
'''
HIDDEN = '''from hypothesis import given
from grader.strategies import arrays
from grader.testing import expect_close, points, record


@points(1)
@given(x=arrays(4))
def test_mean_matches_reference(student, reference, x):
    """mean is right on length-4 vectors."""
    record("input", x.tolist())
    expect_close(student.mean(x), reference.mean(x), "mean")
'''
REFERENCE = "def mean(x):\n    return float(x.mean())\n"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course")
    for folder, files in {"exercises/mean": {"mean.py": STUB, "test_mean.py": ""},
                          "solutions/mean": {"mean.py": REFERENCE, "test_mean_hidden.py": HIDDEN}}.items():
        (root / folder).mkdir(parents=True)
        for name, text in files.items():
            (root / folder / name).write_text(text)
    shutil.copytree(ROOT / "templates", root / "templates")
    return root


def graded_inputs(course: Path, seed):
    topic = get_topic(course, "mean")
    result = grade_trusted(topic, current_session().load_module(topic.reference, "_mean_ref"), public=False, seed=seed)
    assert result.score == result.max_score
    return result.outcomes[0].data["input"]


def test_a_student_seed_is_stable_and_differs_between_students():
    assert student_seed(7, "alice") == student_seed(7, "alice")
    assert len({student_seed(7, "alice"), student_seed(7, "bob"), student_seed(8, "alice")}) == 3
    assert 0 <= student_seed(7, "alice") < 2**63


def test_the_same_seed_gives_the_same_graded_inputs(course):
    assert graded_inputs(course, 11) == graded_inputs(course, 11)


def test_different_seeds_give_different_graded_inputs(course):
    assert graded_inputs(course, 11) != graded_inputs(course, 12)


def test_without_a_seed_every_student_gets_the_shared_inputs(course):
    assert graded_inputs(course, None) == graded_inputs(course, None)
    assert graded_inputs(course, None) != graded_inputs(course, 11)


def test_a_seeded_batch_records_each_students_seed(course, tmp_path):
    for student in ("ann", "ben"):
        (tmp_path / "class" / student).mkdir(parents=True)
        (tmp_path / "class" / student / "mean.py").write_text(REFERENCE)
    grade_batch(tmp_path / "class", tmp_path / "out", course, progress=False, seed=5)
    for student in ("ann", "ben"):
        results = json.loads((tmp_path / "out" / student / "results.json").read_text())
        assert results["extra_data"]["seed"] == student_seed(5, student)
        assert str(student_seed(5, student)) in (tmp_path / "out" / student / "report.html").read_text()
