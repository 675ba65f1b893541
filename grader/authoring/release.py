"""The student bundle: what students get, and nothing derived from the references.

Copied: the grader package (it holds no secrets; ``grader check`` and the notebooks'
check cells need it), pyproject.toml, README.md and scripts/install to install it, the templates, each
topic's stub and public tests, exercises/conftest.py (so that ``pytest exercises/TOPIC`` runs
them as ``grader check`` does), and freshly built student notebooks. Never copied:
solutions/ (references, hidden tests), the master notebooks, the sample class, the
framework's tests and their fixtures (correct submissions). The bundle is a course
folder: ``grader check`` finds its topics from ``exercises/`` there.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from grader.authoring.notebooks import build_student_notebooks
from grader.course.topics import Topic

PACKAGE_FILES = ("pyproject.toml", "README.md", "scripts/install", "exercises/conftest.py")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


class ReleaseError(Exception):
    pass


def release(course: Path, topics: list[Topic], out: Path, *, course_seed: int | None = None,
            roster: list[str] | None = None) -> list[Path]:
    """Write the bundle into ``out`` (which must not exist or be empty); return its files."""
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out} is not empty; give a new folder for the student bundle")
    if out.resolve() == course.resolve() or course.resolve() in out.resolve().parents:
        raise ReleaseError("the bundle cannot be written inside the course folder")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(course / "grader", out / "grader", ignore=IGNORED)
    shutil.copytree(course / "templates", out / "templates", ignore=IGNORED)
    for name in PACKAGE_FILES:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(course / name, out / name)
    for topic in topics:
        folder = out / "exercises" / topic.name
        folder.mkdir(parents=True)
        shutil.copy2(topic.stub, folder / topic.stub.name)
        shutil.copy2(topic.public_tests, folder / topic.public_tests.name)
    build_student_notebooks(topics, out / "notebooks", course_seed=course_seed, roster=roster)
    return sorted(path for path in out.rglob("*") if path.is_file())
