"""Finding topics from files: a topic is a folder, never a line of grader code.

    exercises/<topic>/<topic>.py               the student's stub (docstrings: shapes, formulas)
    exercises/<topic>/test_<topic>.py          public tests
    solutions/<topic>/<topic>.py               the reference solution
    solutions/<topic>/test_<topic>_hidden.py   hidden tests

The stub's first docstring line is the topic's title; its public functions (and
their parameter names) are what the grader may call in a submission.
"""
from __future__ import annotations

import ast
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

COURSE_ENV = "GRADER_COURSE"


class UnknownTopic(Exception):
    pass


class CourseNotFound(Exception):
    pass


@dataclass(frozen=True)
class Topic:
    name: str
    title: str
    stub: Path
    public_tests: Path
    reference: Path | None
    hidden_tests: Path | None
    signatures: dict[str, list[str]]

    @property
    def functions(self) -> list[str]:
        return list(self.signatures)


def _is_course(path: Path) -> bool:
    return (path / "exercises").is_dir()


def find_course_root(start: Path | None = None) -> Path:
    """$GRADER_COURSE, else the nearest folder above ``start`` with exercises/, else this checkout."""
    if os.environ.get(COURSE_ENV):
        root = Path(os.environ[COURSE_ENV]).resolve()
        if not _is_course(root):
            raise CourseNotFound(f"{COURSE_ENV}={root} has no exercises/ folder")
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _is_course(candidate):
            return candidate
    checkout = Path(__file__).resolve().parents[2]
    if _is_course(checkout):
        return checkout
    raise CourseNotFound("no course found: run inside a folder with exercises/ or set "
                         f"{COURSE_ENV}")


def read_signatures(stub: Path) -> tuple[str, dict[str, list[str]]]:
    tree = ast.parse(stub.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or stub.stem
    signatures = {node.name: [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
                  for node in tree.body
                  if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")}
    return doc.strip().splitlines()[0].rstrip("."), signatures


def load_topic(root: Path, name: str) -> Topic:
    folder = root / "exercises" / name
    stub = folder / f"{name}.py"
    if not stub.is_file():
        raise UnknownTopic(name)
    title, signatures = read_signatures(stub)
    reference = root / "solutions" / name / f"{name}.py"
    hidden = root / "solutions" / name / f"test_{name}_hidden.py"
    return Topic(name=name, title=title, stub=stub, public_tests=folder / f"test_{name}.py",
                 reference=reference if reference.is_file() else None,
                 hidden_tests=hidden if hidden.is_file() else None, signatures=signatures)


def discover_topics(root: Path) -> dict[str, Topic]:
    exercises = root / "exercises"
    names = sorted(p.name for p in exercises.iterdir()
                   if p.is_dir() and (p / f"{p.name}.py").is_file())
    return {name: load_topic(root, name) for name in names}


def get_topic(root: Path, name: str) -> Topic:
    topics = discover_topics(root)
    if name not in topics:
        known = ", ".join(topics) or "none"
        raise UnknownTopic(f"unknown topic {name!r}; the topics are: {known}")
    return topics[name]


def import_file(path: Path, name: str) -> ModuleType:
    """Import a trusted file (reference or test module) as module ``name``, afresh.

    Grading imports each file once per process, through
    ``grader.grading.session.GradingSession.load_module``."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def reference_path(topic: Topic) -> Path:
    if topic.reference is None:
        raise UnknownTopic(f"topic {topic.name} has no reference solution in this course copy")
    return topic.reference
