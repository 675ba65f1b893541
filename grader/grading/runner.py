"""Running a topic's tests against one submission and turning each into an outcome.

Tests run here, in the trusted process; only the student's functions run in the
sandbox. A test passes or fails as a whole and is worth its ``@points``.
"""
from __future__ import annotations

import ast
import inspect
import textwrap
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
from hypothesis import settings

from grader import testing
from grader.course.sources import SubmissionFileError, read_source
from grader.course.topics import Topic
from grader.course.variation import property_test_seed
from grader.grading import hypothesis_glue, plan, replay
from grader.grading.hidden_messages import hidden_message
from grader.grading.planned_calls import record_calls, speculable
from grader.grading.outcomes import (COUNTEREXAMPLE_CHARS, COUNTEREXAMPLE_HEADING, GradientCheckRecord,
                                     TestOutcome, TopicResult)
from grader.grading.session import current_session
from grader.sandbox.cpu import has_a_core_to_spare
from grader.sandbox.launcher import Limits, ServerFailed, detect_isolation
from grader.sandbox.submission import (NotImplementedYet, StudentError, StudentUnavailable, Submission,
                                       TrustedSubmission)

TEST_SECONDS = 20.0
TOPIC_SECONDS = 120.0
SANDBOX_ATTEMPTS = 3  # fresh fork servers tried for one topic before it counts as a grader failure
SANDBOX_FILENAME = "/submission/{topic}.py"
GRADIENT_CHECK_KEY = "gradient_check"  # what grader.gradcheck.expect_gradient records under
UNAVAILABLE = "unavailable"  # the isolation of a topic the sandbox could not grade at all


@dataclass(frozen=True)
class StudentDeadline:
    """The end of one student's grading time (``Limits.student_seconds``, all topics together)."""

    at: float  # time.monotonic()
    seconds: float

    @classmethod
    def starting_now(cls, seconds: float) -> "StudentDeadline":
        return cls(time.monotonic() + seconds, seconds)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def message(self) -> str:
        return (f"not run: your grading time ({self.seconds:g} s for all topics together) was "
                "used up by the tests before")


@dataclass
class TestCase:
    function: Callable
    hidden: bool

    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def description(self) -> str:
        doc = inspect.getdoc(self.function) or self.name.replace("_", " ")
        return doc.strip().splitlines()[0]

    @property
    def max_points(self) -> float:
        return getattr(self.function, testing.POINTS_ATTRIBUTE, 1.0)


def collect_tests(topic: Topic, *, public: bool, hidden: bool) -> list[TestCase]:
    cases = []
    sources = [(topic.public_tests, False, public), (topic.hidden_tests, True, hidden)]
    for path, is_hidden, wanted in sources:
        if not wanted or path is None or not path.is_file():
            continue
        suffix = "hidden" if is_hidden else "public"
        module = current_session().load_module(path, f"_tests_{topic.name}_{suffix}")
        functions = [value for name, value in vars(module).items()
                     if name.startswith("test_") and callable(value)]
        cases += [TestCase(function, is_hidden) for function in functions]
    return cases


def tests_calling(function: str) -> Callable[[TestCase], bool]:
    """Which tests ``grader check -k FUNCTION`` runs: those whose code calls
    ``student.FUNCTION(...)`` or ``student.call("FUNCTION", ...)`` (read from the test's
    source, never by running it)."""
    def on_student(node: ast.AST, attribute: str) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == attribute
                and isinstance(node.value, ast.Name) and node.value.id == "student")

    def calls(case: TestCase) -> bool:
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(case.function))))
        except (OSError, TypeError, SyntaxError):
            return False
        return any(on_student(node, function) or (
            isinstance(node, ast.Call) and on_student(node.func, "call") and node.args
            and isinstance(node.args[0], ast.Constant) and node.args[0].value == function)
            for node in ast.walk(tree))
    return calls


def _fixtures(case: TestCase, topic: Topic, student: Any) -> dict[str, Any]:
    session = current_session()
    available = {"student": lambda: student,
                 "reference": lambda: session.memoized(session.reference_module(topic))}
    wanted = inspect.signature(case.function).parameters
    return {name: available[name]() for name in wanted if name in available}


def _replayable(case: TestCase, topic: Topic) -> bool:
    """Shared examples exist only under the derandomized grading profile, unseeded."""
    return (settings.get_current_profile_name() == "grading" and topic.reference is not None
            and hypothesis_glue.is_property_test(case.function)
            and hypothesis_glue.own_seed(case.function) is None)


def _recorded_examples(case: TestCase, topic: Topic) -> list[replay.Example] | None:
    session = current_session()

    def reference_fixtures() -> dict[str, Any]:
        return _fixtures(case, topic, TrustedSubmission(session.reference_module(topic), topic.signatures))

    token = testing.start_record()  # what the reference's run records is not this student's
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return replay.record(case.function, reference_fixtures, session.recordings)
    finally:
        testing.finish_record(token)


def _execute(case: TestCase, topic: Topic, student: Any) -> None:
    fixtures = _fixtures(case, topic, student)
    if _replayable(case, topic):
        examples = _recorded_examples(case, topic)
        if examples is not None:
            try:
                return replay.replay(case.function, examples, fixtures)
            except replay.ReplayDiverged:
                pass  # the draws depended on the student's answers: let hypothesis draw
    case.function(**fixtures)


def _counterexample(error: BaseException) -> str | None:
    """Hypothesis's shrunk counterexample, without the fixtures and its own commentary.

    Bounded so that, under its heading (``grader.outputs.visibility``), it is at most
    ``COUNTEREXAMPLE_CHARS`` long."""
    lines = []
    for note in getattr(error, "__notes__", []):
        if note.startswith("Explanation"):
            break
        for line in note.splitlines():
            if "student=" in line or "reference=" in line or line.strip().startswith("#"):
                continue
            lines.append(line.split("  #")[0].rstrip())
    text = "\n".join(lines)
    return text[:COUNTEREXAMPLE_CHARS - len(COUNTEREXAMPLE_HEADING) - 1] if text else None


def _profile_of(case: TestCase, profile: str):
    """Run a property test under ``profile`` (see ``hypothesis_glue.with_profile``)."""
    return hypothesis_glue.with_profile(case.function, profile)


def _shrunk_failure(case: TestCase, topic: Topic, student: Any) -> BaseException | None:
    """For a public property test that failed in replay: the failure hypothesis shrinks to.

    None when the test is not a replayed property test, or shrinking ran out of its
    budget or did not reproduce a failure; the replayed example is shown instead.
    """
    if not _replayable(case, topic):
        return None
    budgeted = replay.BudgetedStudent(student)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings(), _profile_of(case, "shrinking"):
            warnings.simplefilter("ignore")
            case.function(**_fixtures(case, topic, budgeted))
    except (replay.ShrinkBudgetSpent, StudentUnavailable):
        return None
    except Exception as error:
        return error
    return None


def run_test(case: TestCase, topic: Topic, student: Any, *, seconds: float = TEST_SECONDS) -> TestOutcome:
    outcome = TestOutcome(topic.name, case.name, case.description, case.max_points, 0.0, False,
                          case.hidden)
    default_hint = getattr(case.function, testing.HINT_ATTRIBUTE, None)
    token = testing.start_record(hidden=case.hidden)
    position = student.output_position() if hasattr(student, "output_position") else 0
    said: StudentError | StudentUnavailable | None = None  # what carries the student's words
    if hasattr(student, "set_budget"):
        student.set_budget(seconds)
    try:
        # Student values (huge, nan) flow through grader code; its own warnings are noise here.
        with np.errstate(all="ignore"), warnings.catch_warnings(), \
                _profile_of(case, settings.get_current_profile_name()):
            warnings.simplefilter("ignore")
            _execute(case, topic, student)
        outcome.passed, outcome.points = True, case.max_points
    except testing.CheckFailed as error:
        outcome.message, outcome.mistake = error.message, error.mistake
        outcome.hint = error.hint or default_hint
        outcome.detail, outcome.measure = error.detail, error.measure
        if not case.hidden:
            outcome.call = getattr(student, "last_call", "")
            shrunk = _shrunk_failure(case, topic, student)
            if isinstance(shrunk, testing.CheckFailed):  # show the small example, consistently
                error, outcome.call = shrunk, getattr(student, "last_call", "")
            outcome.detail, outcome.counterexample = error.detail or None, _counterexample(error)
    except StudentError as error:
        outcome.message = error.message + (f"\n{error.trace}" if error.trace else "")
        outcome.hint, outcome.mistake, said = default_hint, "raises", error
    except NotImplementedYet as error:
        outcome.message, outcome.mistake = str(error), "not_implemented"
        outcome.unwritten = error.function or None
    except StudentUnavailable as error:
        outcome.message, outcome.mistake, said = str(error), "did_not_run", error
        outcome.timed_out = error.timed_out
    except AssertionError as error:
        outcome.message = str(error) if not case.hidden else "the result is not what the reference gives"
        outcome.hint = default_hint
    except Exception as error:  # a grader-side failure must not cost the batch
        outcome.message = f"the grader could not complete this check ({type(error).__name__})"
        outcome.data["grader_error"] = "".join(traceback.format_exception(error))[-3000:]
    finally:
        recorded = testing.finish_record(token)
        outcome.gradient_checks = [GradientCheckRecord.from_recorded(entry)
                                   for entry in recorded.pop(GRADIENT_CHECK_KEY, [])]
        outcome.notes = [str(text) for text in recorded.pop(testing.NOTE_KEY, [])]
        outcome.data.update(recorded)
        if hasattr(student, "set_budget"):
            student.set_budget(None)
    if not outcome.passed and not outcome.call:
        outcome.call = getattr(student, "last_call", "")
    if not case.hidden and hasattr(student, "output_since"):
        outcome.printed = student.output_since(position)
    handed_out = student.end_test() if hasattr(student, "end_test") else False
    if case.hidden and said is not None:
        outcome.message = hidden_message(said, student, handed_out=handed_out) or outcome.message
    return outcome


def _not_run(case: TestCase, topic: Topic, message: str, *, timed_out: bool = False) -> TestOutcome:
    return TestOutcome(topic.name, case.name, case.description, case.max_points, 0.0, False,
                       case.hidden, message=message, mistake="did_not_run", timed_out=timed_out)


@dataclass
class TopicCarry:
    """What one part of a topic's tests hands the next part, graded in a fresh worker
    (``grader.grading.phases``): the functions not to call again, the crashes so far, why the
    file could not be loaded, and the topic's time used."""

    timed_out: dict[str, str] = field(default_factory=dict)
    crashes: int = 0
    load_error: str | None = None
    seconds: float = 0.0
    loaded: bool = False  # a part before loaded the file

    def take_from(self, student: Submission) -> None:
        self.timed_out, self.crashes = dict(student.timed_out), student.crashes
        self.load_error = student.load_error
        self.loaded = self.loaded or student.defined is not None

    def hand_to(self, student: Submission) -> None:
        student.timed_out.update(self.timed_out)
        student.crashes = self.crashes


# A file that loaded for one part of its topic and not for a later one: what its import said
# then is not shown, since the later part follows hidden tests of other topics, whose inputs
# code could have carried into the import through machine-wide kernel state.
RELOAD_FAILED = ("your file loaded for this topic's public tests but could not be loaded again "
                 "for its hidden tests (code that acts differently from one import to the next)")


def _without_reload_text(result: TopicResult) -> TopicResult:
    result.error = RELOAD_FAILED
    for outcome in result.outcomes:
        outcome.message = "not run: " + RELOAD_FAILED
    return result


def grade_source(topic: Topic, source: str | None, *, file: str | None, public: bool = True,
                 hidden: bool = True, limits: Limits | None = None, profile: str = "grading",
                 load_error: str | None = None, seed: int | None = None,
                 deadline: StudentDeadline | None = None,
                 only: Callable[[TestCase], bool] | None = None, plans: Path | None = None,
                 speculate: bool = True, carry: TopicCarry | None = None) -> TopicResult:
    """Grade Python source (or report why there is none) against the topic's tests, sandboxed.

    With ``deadline`` (one per student, across topics), tests that would start after it are
    not run; with ``only``, only the tests it accepts run (``grader check -k``). With ``plans``,
    a folder of test plans (``grader.grading.plan``), the topic's recorded examples are read
    from its plan, and what is recorded here is added to it; with ``speculate`` too, the plan's
    calls are sent ahead (``grader.sandbox.speculation``). That overlaps the worker with this
    process, a gain only with a core to spare: a batch that keeps every core busy turns it off
    (measured with --jobs 2 on 2 cores: 9% slower with it, 7% faster with --jobs 1), and so
    does a process kept to one CPU (``grader.sandbox.cpu``), where a call answered ahead would
    share the CPU with the test and could take longer than the same call live.

    With ``carry`` (a topic graded in parts, ``grader.grading.phases``), the part goes on from
    where the part before it left the topic, and leaves it there for the next."""
    failures, carry = [], carry or TopicCarry()
    for _ in range(SANDBOX_ATTEMPTS):
        student = None if source is None else Submission(
            source, module=topic.name, limits=limits, signatures=topic.signatures,
            filename=SANDBOX_FILENAME.format(topic=topic.name), load_error=carry.load_error)
        if student is not None:
            carry.hand_to(student)
        started = time.monotonic()
        try:
            result = _with_profile(profile, _run_cases, topic, student, file=file, public=public,
                                   hidden=hidden, isolation=detect_isolation().summary(),
                                   load_error=load_error, seed=seed, deadline=deadline, only=only,
                                   plans=plans, speculate=speculate, spent=carry.seconds)
            result.sandbox_failures = failures
            if student is not None:
                if carry.loaded and student.defined is None and result.error is not None:
                    result = _without_reload_text(result)
                carry.take_from(student)
            carry.seconds += time.monotonic() - started
            return result
        except ServerFailed as error:
            # The sandbox failed under this student (a real failure: workers cannot reach their
            # fork server): the whole topic is graded again on a fresh server.
            failures.append(str(error))
    message = (f"the grader's sandbox failed {SANDBOX_ATTEMPTS} times while grading this file, so it "
               "could not be graded; your instructor has been told")
    result = _with_profile(profile, _run_cases, topic, None, file=file, public=public, hidden=hidden,
                           isolation=UNAVAILABLE, load_error=message, seed=seed, deadline=deadline,
                           only=only)
    result.sandbox_failures = failures
    return result


def grade_trusted(topic: Topic, module: Any, *, public: bool = True, hidden: bool = True,
                  profile: str = "grading", seed: int | None = None,
                  plans: Path | None = None) -> TopicResult:
    """Run the tests on trusted code in this process (the reference; the benchmarks' floor).

    On the reference with ``plans``, this builds the topic's plan (``build_plan``)."""
    student = TrustedSubmission(module, topic.signatures)
    return _with_profile(profile, _run_cases, topic, student, file=None, public=public, hidden=hidden,
                         isolation="none (trusted code, run in the grader's process)", load_error=None,
                         seed=seed, deadline=None, only=None, plans=plans)


def build_plan(topic: Topic, folder: Path) -> Path:
    """Record every property test of ``topic`` into its plan in ``folder`` (for shipping one,
    in the Gradescope build, say) and return the plan's path."""
    grade_trusted(topic, current_session().reference_module(topic), plans=folder)
    return plan.plan_path(folder, topic)


def _with_profile(profile: str, function: Callable, *args, **kwargs):
    with hypothesis_glue.current_profile(profile):
        return function(*args, **kwargs)


def _run_cases(topic: Topic, student: Submission | TrustedSubmission | None, *, file: str | None,
               public: bool, hidden: bool, isolation: str, load_error: str | None,
               seed: int | None, deadline: StudentDeadline | None,
               only: Callable[[TestCase], bool] | None = None,
               plans: Path | None = None, speculate: bool = True, spent: float = 0.0) -> TopicResult:
    cases = collect_tests(topic, public=public, hidden=hidden)
    if only is not None:
        cases = [case for case in cases if only(case)]
    topic_plan, planned = None, {}
    if plans is not None and topic.reference is not None and cases:
        topic_plan = current_session().plan(plans, topic, settings.get_current_profile_name())
        topic_plan.seed_session(_by_plan_name(cases), current_session().recordings)
        if speculate and has_a_core_to_spare():
            planned = _planned_calls(topic, cases, topic_plan)
    try:
        return _run_planned_cases(topic, student, cases, file=file, isolation=isolation,
                                  load_error=load_error, seed=seed, deadline=deadline, planned=planned,
                                  spent=spent)
    finally:
        if topic_plan is not None:
            topic_plan.save_if_grown(_by_plan_name(cases), current_session().recordings)


def _plan_name(case: TestCase) -> str:
    return f"{'hidden' if case.hidden else 'public'}/{case.name}"


def _by_plan_name(cases: list[TestCase]) -> dict[str, Callable]:
    """The topic's tests by the name their recordings have in a plan."""
    return {_plan_name(case): case.function for case in cases}


def _planned_calls(topic: Topic, cases: list[TestCase], topic_plan: plan.TopicPlan) -> dict[str, plan.Calls]:
    """Each test's planned calls (``grader.grading.planned_calls``), recorded on the reference
    for the tests the plan does not hold yet."""
    for case in cases:
        if _plan_name(case) not in topic_plan.calls:
            topic_plan.calls[_plan_name(case)] = _record_planned(case, topic) if speculable(case.function) else None
    return {_plan_name(case): topic_plan.calls[_plan_name(case)] for case in cases}


def _record_planned(case: TestCase, topic: Topic) -> plan.Calls:
    def run(recorder) -> None:
        token = testing.start_record()  # the reference's run records nothing of a student's
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings(), _seeded(case, None), \
                    _profile_of(case, settings.get_current_profile_name()):
                warnings.simplefilter("ignore")
                _execute(case, topic, recorder)
        finally:
            testing.finish_record(token)
    return record_calls(run, current_session().reference_module(topic), topic.signatures)


def _run_planned_cases(topic: Topic, student: Submission | TrustedSubmission | None,
                       cases: list[TestCase], *, file: str | None, isolation: str,
                       load_error: str | None, seed: int | None,
                       deadline: StudentDeadline | None,
                       planned: dict[str, plan.Calls] | None = None, spent: float = 0.0) -> TopicResult:
    if student is None:
        message = load_error or "no submission"
        return TopicResult(topic.name, topic.title, file, message, isolation,
                           [_not_run(c, topic, message) for c in cases], seed)
    if deadline is not None and deadline.remaining() <= 0:
        return TopicResult(topic.name, topic.title, file, deadline.message(), isolation,
                           [_not_run(c, topic, deadline.message(), timed_out=True) for c in cases], seed)
    outcomes, started = [], time.monotonic() - spent  # the topic's budget, across its parts
    with student:
        try:
            student.start()
        except StudentUnavailable as error:
            return TopicResult(topic.name, topic.title, file, str(error), isolation,
                               [_not_run(c, topic, "not run: " + str(error).splitlines()[0])
                                for c in cases], seed)
        for case in cases:
            if time.monotonic() - started > TOPIC_SECONDS:
                outcomes.append(_not_run(case, topic, f"not run: this topic's time budget "
                                                      f"({TOPIC_SECONDS:g} s) was used up", timed_out=True))
                continue
            seconds = TEST_SECONDS if deadline is None else min(TEST_SECONDS, deadline.remaining())
            if seconds <= 0:
                outcomes.append(_not_run(case, topic, deadline.message(), timed_out=True))
                continue
            if planned and hasattr(student, "expect_calls"):
                student.expect_calls(planned.get(_plan_name(case)))
            with _seeded(case, seed):
                outcomes.append(run_test(case, topic, student, seconds=seconds))
    return TopicResult(topic.name, topic.title, file, None, isolation, outcomes, seed)


def _seeded(case: TestCase, seed: int | None):
    """Give a property test this student's own input stream (see ``hypothesis_glue.seeded``)."""
    return hypothesis_glue.seeded(case.function,
                                  None if seed is None else property_test_seed(seed, case.name))


def grade_file(topic: Topic, path: Path | None, **options) -> TopicResult:
    """Grade a .py or .ipynb file; a missing or unreadable file scores 0 with a clear message."""
    if path is None:
        return grade_source(topic, None, file=None, load_error=(
            f"no file {topic.name}.py or {topic.name}.ipynb in your submission, so this topic scores 0"),
            **options)
    try:
        source = read_source(path)
    except SubmissionFileError as error:
        return grade_source(topic, None, file=path.name, load_error=str(error), **options)
    return grade_source(topic, source, file=path.name, **options)
