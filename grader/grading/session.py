"""What one grading process computes once and reuses for every student it grades.

Trusted modules (references, test modules) are imported once, property tests' examples
are recorded once (``grader.grading.replay``) and the reference's answers are memoized
once (``grader.grading.memo``), all here, in one ``GradingSession`` per process rather
than in caches scattered over modules. The runner reaches it through ``current_session()``;
``start_session()`` replaces it with an empty one (a test that needs a cold process, a
long-lived worker between courses).

The sandbox's fork servers are not here: the sandbox does not depend on grading.
"""
from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Callable

from grader.course.fingerprint import sha256_hex
from grader.course.topics import Topic, import_file, reference_path
from grader.grading.memo import MemoizedReference
from grader.grading.plan import TopicPlan, plan_key
from grader.grading.replay import Example


class GradingSession:
    """The per-process state of grading: loaded modules, recorded examples, memoized answers."""

    def __init__(self) -> None:
        self.modules: dict[tuple[Path, str], ModuleType] = {}  # by path and sha256
        # test function -> its recorded examples, or None when it cannot be replayed
        self.recordings: dict[Callable, list[Example] | None] = {}
        self.references: dict[int, MemoizedReference] = {}  # by id() of the reference module
        self.plans: dict[tuple[Path, str, str], TopicPlan] = {}  # (folder, topic, key) -> plan

    def load_module(self, path: Path, name: str) -> ModuleType:
        """Import a trusted file (reference or test module) once in this session, and again
        when its bytes change: a long-lived process (a Dask worker, a test run) that grades
        after a hidden test was fixed must grade with the fixed test."""
        path = path.resolve()
        key = (path, sha256_hex(path.read_bytes()))
        if key not in self.modules:
            self.modules[key] = import_file(path, name)
        return self.modules[key]

    def reference_module(self, topic: Topic) -> ModuleType:
        return self.load_module(reference_path(topic), f"_reference_{topic.name}")

    def memoized(self, module: ModuleType) -> MemoizedReference:
        """The one memoizing wrapper of ``module`` in this session."""
        if id(module) not in self.references:
            self.references[id(module)] = MemoizedReference(module, adaptive=True)
        return self.references[id(module)]

    def plan(self, folder: Path, topic: Topic, profile: str) -> TopicPlan:
        """The topic's plan in ``folder`` (``grader.grading.plan``), read once in this session.

        Its key has no seed: only unseeded tests are recorded (a seeded one draws its own
        examples per student), so a course seed changes no recording."""
        key = plan_key(topic, profile)
        slot = (Path(folder).resolve(), topic.name, key)
        if slot not in self.plans:
            self.plans[slot] = TopicPlan(Path(folder), topic, key)
        return self.plans[slot]

    def cached_bytes(self) -> int:
        """What every memo of this session holds, in the bytes counted against ``memo.MAX_BYTES``."""
        return sum(reference.bytes for reference in self.references.values())


_current = GradingSession()


def current_session() -> GradingSession:
    """This process's grading session."""
    return _current


def start_session(session: GradingSession | None = None) -> GradingSession:
    """Make ``session`` (by default an empty one) this process's session, and return it."""
    global _current
    _current = GradingSession() if session is None else session
    return _current
