"""End-to-end grading of a generated class: throughput, seconds per student, peak memory.

A seeded class of N students x every topic: mostly correct files (the test fixtures,
written differently from the references), realistic mistakes (the wrong-variant
tables), and broken work (syntax errors, crashes at import, missing files,
infinite loops). Each run is the `grader grade` command in its own process, timed
by wall clock, its peak resident memory (with its grading processes) read from
wait4. Each --jobs setting runs "cold" (an empty plan folder: the run records every
property test's examples and writes the plans) and "warm" (the plans the cold run
wrote, on disk, as a later run, a Dask worker or Gradescope reads them). Settings
alternate within one run so machine noise hits all. Round trips per student and the
share of CPU inside the students' own functions are printed by student_profile.py.

Usage: python benchmarks/generated_class.py [--students N] [--repeats R] [--jobs 1 2]
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from variants import correct_fixtures, fixture_source, table, variant_source  # noqa: E402

from grader.course.topics import discover_topics  # noqa: E402

# share of each kind of submission, per student and topic
MIX = {"correct": 0.55, "wrong": 0.33, "syntax_error": 0.04, "crash_at_import": 0.03,
       "missing": 0.045, "infinite_loop": 0.005}


def broken(kind: str, source: str) -> str | None:
    if kind == "syntax_error":
        return source.replace("def ", "def (", 1)
    if kind == "crash_at_import":
        return "import numpy as np\nraise RuntimeError('left-over debugging')\n" + source
    if kind == "infinite_loop":
        first = source.index("def ")
        body = source.index(":\n", first) + 2
        return source[:body] + "    while True:\n        pass\n" + source[body:]
    return None


def make_class(folder: Path, students: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    counts = {kind: 0 for kind in MIX}
    topics = list(discover_topics(ROOT))
    for number in range(students):
        student = folder / f"student{number:05d}"
        student.mkdir(parents=True)
        for topic in topics:
            kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
            counts[kind] += 1
            correct = fixture_source(topic, rng.choice(correct_fixtures(topic)))
            if kind == "correct":
                source = correct
            elif kind == "wrong":
                source = variant_source(topic, rng.choice(table(topic).VARIANTS))
            else:
                source = broken(kind, correct)
            if source is not None:
                (student / f"{topic}.py").write_text(source)
    return counts


def has_plans(tree: Path) -> bool:
    """Whether the grader in ``tree`` (a checkout) keeps test plans (``grade --plans``)."""
    return (tree / "grader" / "grading" / "plan.py").is_file()


def grade(submissions: Path, jobs: int, plans: Path, tree: Path = ROOT) -> tuple[float, int]:
    """Wall seconds and peak resident KiB of one `grader grade` run (with its children), by
    the grader in ``tree``."""
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    command = [sys.executable, "-m", "grader", "grade", str(submissions), "--out", str(out),
               "--jobs", str(jobs), "--no-progress"]
    if has_plans(tree):
        command += ["--plans", str(plans)]
    started = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(tree))
    process = subprocess.Popen(command, cwd=tree, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    shutil.rmtree(out)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"grader grade failed with status {status}")
    return seconds, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--trees", type=Path, nargs="+", default=[ROOT],
                        help="checkouts to compare side by side (e.g. one of main, and this one)")
    args = parser.parse_args()
    topics = len(discover_topics(ROOT))
    with tempfile.TemporaryDirectory(prefix="bench-class-") as scratch:
        counts = make_class(Path(scratch), args.students, args.seed)
        print(f"class: {args.students} students x {topics} topics, seed {args.seed}; "
              + ", ".join(f"{kind} {count}" for kind, count in counts.items()))
        one = Path(scratch + "-one")
        shutil.copytree(Path(scratch) / "student00000", one / "student00000")
        settings = [(tree, jobs, kind) for tree in args.trees for jobs in args.jobs
                    for kind in (("cold", "warm") if has_plans(tree) else ("cold",))]
        runs = {setting: [] for setting in settings}
        single = {(tree, kind): [] for tree, _, kind in settings}
        for repeat in range(args.repeats):
            for tree in args.trees:
                for jobs in args.jobs:
                    plans = Path(scratch).parent / f"bench-plans-{os.getpid()}-{jobs}-{repeat}"
                    shutil.rmtree(plans, ignore_errors=True)
                    single[tree, "cold"].append(grade(one, 1, plans, tree)[0])
                    shutil.rmtree(plans, ignore_errors=True)
                    runs[tree, jobs, "cold"].append(grade(Path(scratch), jobs, plans, tree))
                    if has_plans(tree):
                        runs[tree, jobs, "warm"].append(grade(Path(scratch), jobs, plans, tree))
                        single[tree, "warm"].append(grade(one, 1, plans, tree)[0])
                    shutil.rmtree(plans, ignore_errors=True)
        shutil.rmtree(one)
        submissions = args.students * topics
        medians = {}
        for (tree, jobs, kind), measured in runs.items():
            wall = medians[tree, jobs, kind] = statistics.median(seconds for seconds, _ in measured)
            peak = max(kib for _, kib in measured) / 1024
            print(f"{tree.name:10s} --jobs {jobs} {kind}: median {wall:7.1f} s  "
                  f"{submissions / wall:6.1f} submissions/s  {wall / args.students:6.3f} s/student  "
                  f"peak RSS {peak:6.0f} MiB  (runs: {', '.join(f'{s:.1f}' for s, _ in measured)})")
        for (tree, kind), measured in single.items():
            if measured:
                medians[tree, "one", kind] = statistics.median(measured)
                print(f"{tree.name:10s} one student, its own process, {kind}: median "
                      f"{medians[tree, 'one', kind]:6.2f} s  (runs: {', '.join(f'{s:.2f}' for s in measured)})")
        base = args.trees[0]
        for tree, jobs, kind in settings:
            if tree != base:
                print(f"{tree.name} {kind} vs {base.name} cold, --jobs {jobs}: "
                      f"{medians[base, jobs, 'cold'] / medians[tree, jobs, kind]:.2f}x")


if __name__ == "__main__":
    main()
