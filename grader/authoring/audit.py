"""``grader audit TOPIC``: how many wrong solutions the hidden tests catch (mutation testing).

Each first-order mutant of the reference (``grader.authoring.mutants``) is first run, in this
process, on a battery of inputs: the calls the topic's tests make on the reference (the recorded
examples students are graded on, and fresh draws from the same strategies under other
seeds), each again without the optional arguments it passed. A mutant that agrees with
the reference on all of them (values and arguments as left after the call, within tolerance)
is counted as likely equivalent and dropped. The rest are graded like any submission, through
the sandboxed ``grade_source`` with the hidden tests: a mutant is killed when it loses a point.
Each survivor is reported with its diff and the smallest battery input on which it is wrong.

Mutants are trusted code (made here from the reference), so the battery runs them in this
process, each call under a wall-clock alarm against a mutated loop bound that never ends.
"""
from __future__ import annotations

import copy
import inspect
import signal
import types
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from grader.audit_defaults import DEFAULT_MAX_MUTANTS, DEFAULT_SEED
from grader.authoring.mutants import Mutant, generate_mutants, sample_mutants, unified_diff
from grader.course.topics import Topic, reference_path
from grader.grading import hypothesis_glue
from grader.grading.runner import collect_tests, grade_source, run_test
from grader.grading.session import current_session
from grader.sandbox.inside import wire
from grader.sandbox.submission import TrustedSubmission

__all__ = ["BatteryCall", "AuditReport", "Survivor", "audit_topic", "build_battery",
           "calls_without_defaults", "disagreement", "format_report", "format_table"]

# Hypothesis seeds whose draws join the recorded examples (None: the graded examples themselves).
BATTERY_SEEDS: tuple[int | None, ...] = (None, 1, 2)
# Calls kept per test, function and seed: a gradient check's hundreds of nearby calls add
# little, and equivalent mutants run the whole battery.
CALLS_PER_TEST = 20
CALL_SECONDS = 2.0  # one battery call of a mutant; a mutant looping forever is not equivalent
RTOL, ATOL = 1e-6, 1e-9
WITNESS_CHARS = 1500


@dataclass(frozen=True)
class BatteryCall:
    """One call of a topic function with plain arguments (callables are kept as they are)."""
    function: str
    args: tuple
    kwargs: dict

    def size(self) -> int:
        return sum(np.size(v) if isinstance(v, np.ndarray) else 1
                   for v in (*self.args, *self.kwargs.values()))

    def describe(self) -> str:
        with np.printoptions(precision=6, threshold=60, edgeitems=3, linewidth=100):
            parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        text = f"{self.function}({', '.join(parts)})"
        return text if len(text) <= WITNESS_CHARS else text[:WITNESS_CHARS] + " ..."


def _copy(value: Any) -> Any:
    """A copy the callee may change freely; a callback handed in is passed as it is."""
    if isinstance(value, np.random.Generator):
        return copy.deepcopy(value)
    if callable(value):
        return value
    try:
        return wire.decode(wire.encode(value)[8:])
    except Exception:
        return copy.deepcopy(value)


def _key(call: BatteryCall) -> bytes | None:
    """Bytes that identify a call's arguments, or None when they are not plain data."""
    try:
        return call.function.encode() + wire.encode([list(call.args), call.kwargs])
    except Exception:
        return None


class _Recorder(TrustedSubmission):
    """The reference behind the student interface, noting every call a test makes."""

    def __init__(self, module: Any, signatures: dict[str, list[str]], calls: list[BatteryCall]):
        super().__init__(module, signatures)
        self.calls = calls
        self.counts: dict[str, int] = {}  # per function, since the test began (``begin``)

    def begin(self) -> None:
        self.counts = {}

    def _note(self, function: str, args: tuple, kwargs: dict) -> None:
        if self.counts.get(function, 0) < CALLS_PER_TEST:
            self.counts[function] = self.counts.get(function, 0) + 1
            self.calls.append(BatteryCall(function, tuple(_copy(a) for a in args),
                                          {k: _copy(v) for k, v in kwargs.items()}))

    def call(self, function: str, *args, return_args: bool = False, **kwargs):
        self._note(function, args, kwargs)
        return super().call(function, *args, return_args=return_args, **kwargs)

    def map(self, function: str, arglists: list[tuple], only: int | None = None) -> list:
        for args in arglists:
            self._note(function, args, {})
        return super().map(function, arglists, only)


def calls_without_defaults(call: BatteryCall, function: Callable) -> list[BatteryCall]:
    """The call once without each optional argument it passed (so a wrong default shows): the
    parameters before it stay positional, the ones after it are passed by name."""
    try:
        signature = inspect.signature(function)
        bound = signature.bind(*call.args, **call.kwargs).arguments
    except (TypeError, ValueError):
        return []
    names = list(bound)
    variants = []
    for index, name in enumerate(names):
        if signature.parameters[name].default is inspect.Parameter.empty:
            continue
        before = tuple(bound[n] for n in names[:index])
        after = {n: bound[n] for n in names[index + 1:]}
        if any(signature.parameters[n].kind is inspect.Parameter.POSITIONAL_ONLY for n in after):
            continue
        variants.append(BatteryCall(call.function, before, after))
    return variants


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in this (main) thread after ``seconds``."""
    def ring(signum, frame):
        raise TimeoutError(f"no answer within {seconds:g} s")
    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class _Answer:
    value: Any
    args_after: list
    kwargs_after: dict


def _run(module: Any, call: BatteryCall) -> _Answer:
    args, kwargs = [_copy(a) for a in call.args], {k: _copy(v) for k, v in call.kwargs.items()}
    with np.errstate(all="ignore"), warnings.catch_warnings(), _alarm(CALL_SECONDS):
        warnings.simplefilter("ignore")
        value = getattr(module, call.function)(*args, **kwargs)
    return _Answer(_copy(value), args, kwargs)


def _same(a: Any, b: Any) -> bool:
    """Whether two answers agree: same structure, arrays of the same shape and close values."""
    if callable(a) or callable(b):
        return True  # a callback handed in: not the function's answer
    if isinstance(a, np.random.Generator) or isinstance(b, np.random.Generator):
        return (isinstance(a, np.random.Generator) and isinstance(b, np.random.Generator)
                and str(a.bit_generator.state) == str(b.bit_generator.state))
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b)))
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    try:
        x, y = np.asarray(a), np.asarray(b)
        if x.shape != y.shape or (x.dtype.kind == "b") != (y.dtype.kind == "b"):
            return False
        return bool(np.allclose(x.astype(np.float64), y.astype(np.float64), rtol=RTOL, atol=ATOL,
                                equal_nan=True))
    except (TypeError, ValueError):
        return False


def _agrees(expected: _Answer, got: _Answer) -> bool:
    return (_same(expected.value, got.value) and _same(expected.args_after, got.args_after)
            and _same(expected.kwargs_after, got.kwargs_after))


@dataclass
class Battery:
    """The inputs a mutant is compared on, each with the reference's answer."""
    calls: list[BatteryCall]
    answers: list[_Answer]


def build_battery(topic: Topic, seeds: tuple[int | None, ...] = BATTERY_SEEDS) -> Battery:
    """The calls the topic's tests (public and hidden) make on the reference, under each of
    ``seeds`` (the first ``CALLS_PER_TEST`` per test and function), and each again without
    its optional arguments; calls the reference itself cannot answer are left out, and
    repeats count once."""
    module = current_session().reference_module(topic)
    recorded: list[BatteryCall] = []
    recorder = _Recorder(module, topic.signatures, recorded)
    cases = collect_tests(topic, public=True, hidden=True)
    for seed in seeds:
        with hypothesis_glue.current_profile("grading"):
            for case in cases:
                recorder.begin()
                with hypothesis_glue.seeded(case.function, seed):
                    run_test(case, topic, recorder)
    extra = [variant for call in recorded
             for variant in calls_without_defaults(call, getattr(module, call.function, None))]
    battery = Battery([], [])
    seen: set[bytes] = set()
    for call in recorded + extra:
        key = _key(call)
        if key is not None and key in seen:
            continue
        try:
            answer = _run(module, call)
        except Exception:
            continue  # outside what the reference answers: no evidence either way
        if key is not None:
            seen.add(key)
        battery.calls.append(call)
        battery.answers.append(answer)
    return battery


def load_mutant(mutant: Mutant, name: str) -> types.ModuleType:
    """The mutant as a module of this process (trusted: it is the reference, changed here)."""
    module = types.ModuleType(name)
    with np.errstate(all="ignore"), warnings.catch_warnings(), _alarm(CALL_SECONDS):
        warnings.simplefilter("ignore")
        exec(compile(mutant.source, f"<mutant {mutant.key}>", "exec"), module.__dict__)
    return module


def disagreement(mutant: Mutant, battery: Battery, name: str) -> tuple[BatteryCall, str] | None:
    """A battery call on which the mutant's answer differs from the reference's (the smallest
    call of the mutated function when there is one), with what the mutant does there; None
    when it agrees on every one (likely equivalent)."""
    try:
        module = load_mutant(mutant, name)
    except Exception as error:
        return BatteryCall("<import>", (), {}), f"the mutant does not load: {type(error).__name__}"
    # The mutated function's calls first, smallest first: most mutants differ there, at once.
    order = sorted(range(len(battery.calls)),
                   key=lambda i: (battery.calls[i].function != mutant.function, battery.calls[i].size()))
    for index in order:
        call = battery.calls[index]
        try:
            got = _run(module, call)
        except Exception as error:
            return call, f"raises {type(error).__name__}: {str(error)[:200]}"
        expected = battery.answers[index]
        if not _same(expected.value, got.value):
            with np.printoptions(precision=6, threshold=30, edgeitems=2, linewidth=100):
                text = f"returns {got.value!r}; the reference returns {expected.value!r}"
            return call, text[:WITNESS_CHARS]
        if not _agrees(expected, got):
            return call, "leaves its arguments (arrays, dicts) other than the reference does"
    return None


@dataclass
class Survivor:
    mutant: Mutant
    diff: str
    witness: str  # a call on which it is wrong
    answer: str  # what the mutant does there, against the reference


@dataclass
class AuditReport:
    topic: str
    generated: int  # first-order mutants of the reference
    sampled: int  # of those, audited (--max-mutants)
    equivalent: list[Mutant] = field(default_factory=list)
    killed: list[tuple[Mutant, list[str]]] = field(default_factory=list)  # with the tests that failed
    survivors: list[Survivor] = field(default_factory=list)
    battery_calls: int = 0

    @property
    def kill_rate(self) -> float:
        graded = len(self.killed) + len(self.survivors)
        return len(self.killed) / graded if graded else 1.0

    def to_dict(self) -> dict:
        return {"topic": self.topic, "generated": self.generated, "mutants": self.sampled,
                "equivalent": len(self.equivalent), "killed": len(self.killed),
                "survived": len(self.survivors), "kill_rate": round(self.kill_rate, 4),
                "battery_calls": self.battery_calls,
                "survivors": [{"mutant": s.mutant.key, "operator": s.mutant.operator,
                               "function": s.mutant.function, "diff": s.diff, "input": s.witness,
                               "answer": s.answer} for s in self.survivors],
                "equivalent_mutants": [m.key for m in self.equivalent]}


def audit_topic(topic: Topic, *, max_mutants: int | None = DEFAULT_MAX_MUTANTS, seed: int = DEFAULT_SEED,
                seeds: tuple[int | None, ...] = BATTERY_SEEDS,
                progress: Callable[[str], None] | None = None) -> AuditReport:
    """Mutation-test ``topic``'s hidden tests (see the module); reproducible for ``seed``."""
    source = reference_path(topic).read_text(encoding="utf-8")
    reference = grade_source(topic, source, file=None, public=False, hidden=True)
    if reference.score != reference.max_score:
        raise ValueError(f"the reference of {topic.name} scores {reference.score:g} of "
                         f"{reference.max_score:g} on its hidden tests; fix that before auditing")
    mutants = generate_mutants(source)
    chosen = sample_mutants(mutants, max_mutants, seed)
    report = AuditReport(topic.name, len(mutants), len(chosen))
    battery = build_battery(topic, seeds)
    report.battery_calls = len(battery.calls)
    for number, mutant in enumerate(chosen, start=1):
        if progress:
            progress(f"{topic.name}: mutant {number}/{len(chosen)} {mutant.key}")
        wrong = disagreement(mutant, battery, f"_mutant_{topic.name}")
        if wrong is None:
            report.equivalent.append(mutant)
            continue
        result = grade_source(topic, mutant.source, file=None, public=False, hidden=True)
        if result.score < result.max_score:
            report.killed.append((mutant, [o.name for o in result.outcomes if not o.passed]))
        else:
            call, answer = wrong
            report.survivors.append(Survivor(mutant, unified_diff(source, mutant, f"{topic.name}.py"),
                                             call.describe(), answer))
    return report


def format_table(reports: list[AuditReport]) -> str:
    """The per-topic table (Markdown) of mutants, likely equivalent, killed, survived, kill rate."""
    lines = ["| topic | mutants | equivalent | killed | survived | kill rate |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| `{r.topic}` | {r.sampled} | {len(r.equivalent)} | {len(r.killed)} | "
              f"{len(r.survivors)} | {100 * r.kill_rate:.1f}% |" for r in reports]
    return "\n".join(lines)


def format_report(report: AuditReport) -> str:
    """The audit of one topic as text: the counts, then each survivor with its diff and input."""
    lines = [f"{report.topic}: {report.sampled} of {report.generated} mutants audited, "
             f"{len(report.equivalent)} likely equivalent (agree with the reference on all "
             f"{report.battery_calls} battery inputs), {len(report.killed)} killed, "
             f"{len(report.survivors)} survived: kill rate {100 * report.kill_rate:.1f}%"]
    for survivor in report.survivors:
        lines += ["", f"survivor {survivor.mutant.key}", survivor.diff.rstrip("\n"),
                  f"wrong on: {survivor.witness}", f"there it {survivor.answer}"]
    return "\n".join(lines)
