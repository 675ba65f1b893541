"""Running one of this course's tests inside otter-grader, against a notebook's globals.

An exported otter test case carries everything it needs as text: the source of the
topic's public or hidden test module and, for hidden tests only, the reference. Otter
calls the test case with the executed notebook's global environment; the adapter runs
our test function on the functions found there with the grader's own ``run_test``
(hypothesis, gradient checks, mistake diagnosis included) and turns a failure into an
AssertionError carrying the same explanation ``grader check`` prints, through the same
``grader.outputs.visibility.student_view`` (a hidden test's carries no expected value).

Otter runs the notebook in its own process, so the student's functions run unsandboxed
in that process, as every otter test does; this adapter adds no isolation.
"""
from __future__ import annotations

import hashlib
import sys
import tempfile
import types
from pathlib import Path
from typing import Any, Callable


from grader.course.topics import Topic
from grader.grading import hypothesis_glue
from grader.grading.runner import TestCase, run_test
from grader.outputs.visibility import failure_lines, student_view, visible
from grader.sandbox.submission import NotImplementedYet, StudentError, StudentUnavailable, TrustedSubmission

_modules: dict[str, types.ModuleType] = {}


def _module_from_source(source: str, label: str) -> types.ModuleType:
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]
    name = f"_otter_{label}_{digest}"
    if name not in _modules:
        module = types.ModuleType(name)
        sys.modules[name] = module
        exec(compile(source, f"<{label}>", "exec"), module.__dict__)
        _modules[name] = module
    return _modules[name]


def _reference_file(source: str) -> Path:
    """The reference as a file, because the runner's ``reference`` fixture loads it from a path."""
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"grader-otter-reference-{digest}.py"
    if not path.is_file():
        path.write_text(source, encoding="utf-8")
    return path


def _as_student(function: Callable | None, name: str) -> Callable:
    """The notebook's function, with its failures reported as the sandbox reports them."""
    def call(*args, **kwargs):
        if not callable(function):
            raise StudentUnavailable(f"{name} is not defined in your notebook")
        try:
            return function(*args, **kwargs)
        except NotImplementedError:
            raise NotImplementedYet(f"{name} is not implemented yet (it raises NotImplementedError)", name)
        except Exception as error:  # noqa: BLE001 - the student's function may raise anything
            raise StudentError(name, "exception", f"{name} raised {type(error).__name__}: {error}",
                               exception_type=type(error).__name__) from None
    return call


def run_exported_test(env: dict[str, Any], *, topic: str, test: str, hidden: bool,
                      signatures: dict[str, list[str]], tests_source: str,
                      reference_source: str | None = None) -> None:
    """Run test ``test`` of ``tests_source`` on the functions in ``env``; raise if it fails."""
    tests = _module_from_source(tests_source, f"{topic}_{'hidden' if hidden else 'public'}_tests")
    reference = _reference_file(reference_source) if reference_source is not None else None
    here = Path(f"<{topic}>")
    course_topic = Topic(name=topic, title=topic, stub=here, public_tests=here, reference=reference,
                         hidden_tests=None, signatures=signatures)
    namespace = types.SimpleNamespace(**{name: _as_student(env.get(name), name) for name in signatures})
    with hypothesis_glue.current_profile("grading"):
        outcome = run_test(TestCase(getattr(tests, test), hidden), course_topic,
                           TrustedSubmission(namespace, signatures))
    if not outcome.passed:
        view = student_view(outcome)  # otter's show_hidden shows this to students
        raise AssertionError(visible("\n".join([view.description, *failure_lines(view)])))
