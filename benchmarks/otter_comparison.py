"""Throughput of `grader grade` beside otter-grader's local runner, on the same notebooks.

Setup (not timed): `grader notebooks build` writes each topic's otter master notebook,
`otter assign` turns it into otter's autograder zip and student notebook, and a seeded
class of N students is written by filling otter's student notebook per topic (the whole
answer in the first answer cell, as the otter test does): correct fixtures (written
differently from the references), realistic mistakes from the wrong-variant tables, and
one broken notebook (a syntax error) per topic. The same files are graded by both tools.

Timed, by wall clock, each tool in a process of its own started per run:
  otter   `otter.api.grade_submission` on every notebook in turn, in one Python process
          (otter's fastest local way: `otter run` grades one notebook per command and pays
          otter's start-up each time; there is no folder mode without Docker). Otter runs
          the student's code unsandboxed, in a kernel per notebook.
  grader  `grader grade SUBMISSIONS --out OUT --jobs J` with SUBMISSIONS/<student>/<topic>.ipynb
          (sandboxed, bubblewrap when available), --jobs 1 and 2.
Tools alternate within each repeat so machine noise hits all; medians are printed, with
notebooks per second and the ratio otter serial vs grader --jobs 1 (the like-for-like
figure), then --jobs 2. A sanity line checks both give full marks to every correct notebook
and less to every wrong or broken one, so both did the same work.

Usage: python benchmarks/otter_comparison.py [--students N] [--repeats R] [--topics T ...]
       [--jobs 1 2] [--seed S]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from variants import correct_fixtures, fixture_source, table, variant_source  # noqa: E402

from grader.course.topics import discover_topics  # noqa: E402

BIN = Path(sys.executable).parent
# otter starts its kernels through the Jupyter found on PATH: make it this environment's
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
OTTER_CHILD = "--otter-child"

Scores = dict[tuple[str, str], tuple[float, float]]   # (student, topic) -> (points, max points)


def run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


def assign(topics: list[str], folder: Path) -> dict[str, tuple[Path, Path]]:
    """topic -> (otter's autograder zip, otter's student notebook)."""
    run([sys.executable, "-m", "grader", "notebooks", "build", "--out", str(folder / "nb"),
         "--topics", *topics], cwd=ROOT)
    assigned = {}
    for topic in topics:
        work = folder / "otter" / topic
        work.mkdir(parents=True)
        shutil.copy(folder / "nb" / "master" / f"{topic}.ipynb", work)
        for wheel in (folder / "nb" / "master").glob("*.whl"):  # the grader, which the config names
            shutil.copy(wheel, work)
        run([str(BIN / "otter"), "assign", f"{topic}.ipynb", "dist"], cwd=work)
        assigned[topic] = (next((work / "dist" / "autograder").glob("*.zip")),
                           work / "dist" / "student" / f"{topic}.ipynb")
    return assigned


def filled_notebook(template: Path, source: str) -> nbformat.NotebookNode:
    """Otter's student notebook with the whole answer in its first answer cell."""
    notebook = nbformat.read(template, as_version=4)
    answers = [c for c in notebook.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    answers[0].source = source
    for cell in answers[1:]:
        cell.source = ""
    return notebook


def answer(topic: str, kind: str, rng: random.Random) -> str:
    correct = fixture_source(topic, rng.choice(correct_fixtures(topic)))
    if kind == "correct":
        return correct
    if kind == "wrong":
        return variant_source(topic, rng.choice(table(topic).VARIANTS))
    return correct.replace("def ", "def (", 1)   # broken: a syntax error


def kinds_for(students: int, rng: random.Random) -> list[str]:
    """One broken notebook, the rest half correct, half wrong, in a seeded order."""
    rest = students - 1
    kinds = ["broken"] + ["correct"] * ((rest + 1) // 2) + ["wrong"] * (rest // 2)
    rng.shuffle(kinds)
    return kinds


def make_class(assigned: dict[str, tuple[Path, Path]], students: int, seed: int,
               folder: Path) -> dict[tuple[str, str], str]:
    """Writes folder/<student>/<topic>.ipynb; returns (student, topic) -> kind."""
    rng = random.Random(seed)
    kinds = {}
    for topic, (_, template) in assigned.items():
        for number, kind in enumerate(kinds_for(students, rng)):
            student = f"student{number:03d}"
            (folder / student).mkdir(parents=True, exist_ok=True)
            nbformat.write(filled_notebook(template, answer(topic, kind, rng)),
                           str(folder / student / f"{topic}.ipynb"))
            kinds[student, topic] = kind
    return kinds


def otter_child(plan_file: str, results_file: str) -> None:
    """Inside the timed otter process: grade every notebook of the plan in turn."""
    from otter.api import grade_submission

    scores = {}
    for key, (notebook, autograder) in json.loads(Path(plan_file).read_text()).items():
        results = grade_submission(notebook, autograder, quiet=True)
        scores[key] = [results.total, results.possible]
    Path(results_file).write_text(json.dumps(scores))


def time_otter(assigned: dict[str, tuple[Path, Path]], kinds: dict, submissions: Path,
               scratch: Path) -> tuple[float, Scores]:
    plan = {f"{student}/{topic}": [str(submissions / student / f"{topic}.ipynb"), str(assigned[topic][0])]
            for student, topic in kinds}
    plan_file, results_file = scratch / "otter-plan.json", scratch / "otter-results.json"
    plan_file.write_text(json.dumps(plan))
    command = [sys.executable, __file__, OTTER_CHILD, str(plan_file), str(results_file)]
    started = time.perf_counter()
    subprocess.run(command, cwd=scratch, env=ENV, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    seconds = time.perf_counter() - started
    scores = json.loads(results_file.read_text())
    return seconds, {tuple(key.split("/")): tuple(value) for key, value in scores.items()}


def grader_scores(out: Path) -> Scores:
    scores = {}
    for results in out.glob("*/results.json"):
        totals: dict[str, list[float]] = {}
        for test in json.loads(results.read_text())["tests"]:
            points = totals.setdefault(test["extra_data"]["topic"], [0.0, 0.0])
            points[0] += test["score"]
            points[1] += test["max_score"]
        scores.update({(results.parent.name, topic): tuple(p) for topic, p in totals.items()})
    return scores


def time_grader(submissions: Path, jobs: int, scratch: Path) -> tuple[float, Scores]:
    out = scratch / f"grader-out-{jobs}"
    command = [sys.executable, "-m", "grader", "grade", str(submissions), "--out", str(out),
               "--jobs", str(jobs), "--no-progress"]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, check=True)
    seconds = time.perf_counter() - started
    with (out / "grades.csv").open() as handle:   # the gradebook must have been written
        next(csv.reader(handle))
    scores = grader_scores(out)
    shutil.rmtree(out)
    return seconds, scores


def sanity(kinds: dict, scores: Scores) -> str:
    """How many correct notebooks got full marks and wrong or broken ones less."""
    correct = [key for key, kind in kinds.items() if kind == "correct"]
    other = [key for key, kind in kinds.items() if kind != "correct"]
    full = sum(scores[key][0] == scores[key][1] > 0 for key in correct)
    less = sum(scores[key][0] < scores[key][1] for key in other)
    return f"full marks {full}/{len(correct)} correct, less {less}/{len(other)} wrong or broken"


def measure(settings: list[str], repeats: int, timed) -> dict[str, list[tuple[float, Scores]]]:
    """Each repeat runs every setting once, the order rotated by one each time."""
    runs: dict[str, list[tuple[float, Scores]]] = {name: [] for name in settings}
    for repeat in range(repeats):
        shift = repeat % len(settings)
        for name in settings[shift:] + settings[:shift]:
            runs[name].append(timed(name))
            print(f"  repeat {repeat + 1}: {name} {runs[name][-1][0]:.1f} s", flush=True)
    return runs


def report(runs: dict, kinds: dict, notebooks: int) -> None:
    medians = {name: statistics.median(s for s, _ in measured) for name, measured in runs.items()}
    for name, measured in runs.items():
        print(f"{name:16s} median {medians[name]:7.1f} s  {notebooks / medians[name]:6.2f} notebooks/s  "
              f"(runs: {', '.join(f'{s:.1f}' for s, _ in measured)})")
    for name, measured in runs.items():
        print(f"sanity {name:16s} {sanity(kinds, measured[-1][1])}")
    otter, *graders = runs
    same = sum(runs[otter][-1][1][key] == runs[graders[0]][-1][1][key] for key in kinds)
    print(f"same score from otter and {graders[0]}: {same}/{len(kinds)} notebooks")
    for name in graders:
        print(f"throughput ratio {name} / otter serial: {medians[otter] / medians[name]:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--topics", nargs="+", default=None, help="default: every topic")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    topics = args.topics or list(discover_topics(ROOT))
    with tempfile.TemporaryDirectory(prefix="bench-otter-") as folder:
        scratch = Path(folder)
        assigned = assign(topics, scratch)
        submissions = scratch / "submissions"
        kinds = make_class(assigned, args.students, args.seed, submissions)
        counts = {kind: list(kinds.values()).count(kind) for kind in ("correct", "wrong", "broken")}
        print(f"class: {args.students} students x {len(topics)} topics ({', '.join(topics)}) = "
              f"{len(kinds)} notebooks, seed {args.seed}; "
              + ", ".join(f"{kind} {count}" for kind, count in counts.items()))

        def timed(name: str) -> tuple[float, Scores]:
            if name == "otter":
                return time_otter(assigned, kinds, submissions, scratch)
            return time_grader(submissions, int(name.split()[-1]), scratch)

        runs = measure(["otter"] + [f"grader --jobs {jobs}" for jobs in args.jobs], args.repeats, timed)
        report(runs, kinds, len(kinds))


if __name__ == "__main__":
    if sys.argv[1:2] == [OTTER_CHILD]:
        otter_child(*sys.argv[2:4])
    else:
        main()
