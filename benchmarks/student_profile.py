"""Where one student's grading time goes: six topics, cold and warm, in one process.

For one correct student (the first correct fixture of each topic, written differently
from the reference) prints, per run: wall seconds, round trips to the worker (messages the
grader waits on: live calls, loads and batches of planned calls), calls answered ahead from
a batch (``grader.sandbox.speculation``), worker starts, CPU seconds in this process and in the workers, and the fraction of all that
CPU spent inside the student's own functions (as the worker measures it). "cold" is a
fresh grading session (nothing recorded or memoized: the plans on disk are read, as
``grader grade`` reads those beside OUT); "warm" grades the same files again in the same
session. The plans live in --plans, by default a temporary folder, built by a first run. With --profile,
the cold run is profiled with cProfile in this (the trusted) process and the top
entries by cumulative and by own time are printed. Each run is taken speculating and with
every call live, alternately, and the ratio of their medians is printed.

Usage: python benchmarks/student_profile.py [--repeats R] [--profile] [--plans DIR]
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import statistics
import tempfile
import time
from pathlib import Path

from grader.course.topics import discover_topics
from grader.grading import runner
from grader.grading.session import start_session
from grader.sandbox import submission as sandbox_submission

ROOT = Path(__file__).resolve().parent.parent


class Counters:
    """Round trips, worker starts and worker CPU, counted around the Submission class."""

    def __init__(self) -> None:
        self.round_trips = self.starts = self.ahead = 0
        self.student_cpu = self.worker_cpu = 0.0
        cls = sandbox_submission.Submission
        exchange, send_batch, take = cls._exchange, cls._send_batch, cls._take
        ensure, close, stats = cls._ensure_worker, cls.close, cls.worker_stats
        counters = self
        self._in_stats = False

        # A round trip is a message the grader sends and then waits on: a live call or map, a
        # load, or a batch of planned calls (whose replies, "answered ahead", need no message).
        def counted_exchange(self, *args, **kwargs):
            if not counters._in_stats:
                counters.round_trips += 1
            return exchange(self, *args, **kwargs)

        def counted_batch(self, *args, **kwargs):
            counters.round_trips += 1
            return send_batch(self, *args, **kwargs)

        def counted_take(self, *args, **kwargs):
            counters.ahead += 1
            return take(self, *args, **kwargs)

        def counted_stats(self):
            counters._in_stats = True
            try:
                return stats(self)
            finally:
                counters._in_stats = False

        def counted_ensure(self):
            if self._worker is None and self.load_error is None:
                counters.starts += 1
            return ensure(self)

        def measured_close(self):
            stats = self.worker_stats() if self._worker is not None else None
            if stats and isinstance(stats.get("cpu"), float):
                counters.student_cpu += stats["student_cpu"]
                counters.worker_cpu += stats["cpu"]
            return close(self)

        cls._exchange, cls._send_batch, cls._take = counted_exchange, counted_batch, counted_take
        cls._ensure_worker, cls.close, cls.worker_stats = counted_ensure, measured_close, counted_stats

    def reset(self) -> None:
        self.round_trips = self.starts = self.ahead = 0
        self.student_cpu = self.worker_cpu = 0.0


def correct_files() -> dict[str, Path]:
    files = {}
    for name in discover_topics(ROOT):
        fixtures = sorted((ROOT / "tests" / "fixtures" / name).glob("correct_*.py"))
        files[name] = fixtures[0] if fixtures else ROOT / "solutions" / name / f"{name}.py"
    return files


def grade_student(files: dict[str, Path], plans: Path | None) -> float:
    topics = discover_topics(ROOT)
    score = 0.0
    for name, path in files.items():
        options = {"plans": plans} if plans is not None else {}
        result = runner.grade_file(topics[name], path, **options)
        score += result.score
    return score


def measure(counters: Counters, files, plans, *, cold: bool) -> dict:
    if cold:
        start_session()
    counters.reset()
    wall, cpu = time.perf_counter(), time.process_time()
    grade_student(files, plans)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    total = cpu + counters.worker_cpu
    return {"wall": wall, "round_trips": counters.round_trips, "ahead": counters.ahead,
            "starts": counters.starts,
            "grader_cpu": cpu, "worker_cpu": counters.worker_cpu,
            "student_fraction": counters.student_cpu / total if total else 0.0}


def without_speculation():
    """Grading as before speculative batched calls: every call a round trip of its own."""
    return _patched(sandbox_submission.Submission, "expect_calls", lambda self, planned: None)


@contextlib.contextmanager
def _patched(owner, name, value):
    old = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, old)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--plans", type=Path, default=None,
                        help="the plan folder (default: a temporary one, built by a first run)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        run(args, args.plans or Path(scratch))


def run(args: argparse.Namespace, plans: Path) -> None:
    counters, files = Counters(), correct_files()
    args.plans = plans
    grade_student(files, args.plans)  # start the fork server, import everything, build the plans
    modes = {"speculating": contextlib.nullcontext, "every call live": without_speculation}
    runs: dict[str, list[dict]] = {f"{kind}, {mode}": [] for mode in modes for kind in ("cold", "warm")}
    for _ in range(args.repeats):  # alternating, so that the machine's noise hits both alike
        for mode, context in modes.items():
            with context():
                runs[f"cold, {mode}"].append(measure(counters, files, args.plans, cold=True))
                runs[f"warm, {mode}"].append(measure(counters, files, args.plans, cold=False))
    medians = {}
    for kind, measured in runs.items():
        median = medians[kind] = {key: statistics.median(m[key] for m in measured) for key in measured[0]}
        print(f"{kind:26s}: median {median['wall']:6.2f} s/student  round trips {median['round_trips']:5.0f}"
              f"  answered ahead {median['ahead']:5.0f}  worker starts {median['starts']:3.0f}  CPU grader "
              f"{median['grader_cpu']:5.2f} s  workers {median['worker_cpu']:5.2f} s  in student functions "
              f"{100 * median['student_fraction']:4.1f}%  (runs: "
              + ", ".join(f"{m['wall']:.2f}" for m in measured) + ")")
    for kind in ("cold", "warm"):
        print(f"{kind}: speculating takes {medians[f'{kind}, speculating']['wall'] / medians[f'{kind}, every call live']['wall']:.2f}"
              " of the time with every call live")
    if args.profile:
        start_session()
        profiler = cProfile.Profile()
        profiler.runcall(grade_student, files, args.plans)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
