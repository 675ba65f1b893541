"""One cold ``run_autograder`` of a six-topic correct submission, as Gradescope runs it.

Builds the autograder zip, unpacks it into an /autograder-shaped folder, runs setup.sh
(once; --root reuses a folder already set up), then times run_autograder, a fresh process
each time, on the references of every topic. Prints each run, the median, and how much of
the grader's own time still goes to recording the reference's examples with the shipped
test plans. Target: under 5 s.

    .venv/bin/python benchmarks/gradescope.py [--runs 3] [--root /tmp/gradescope-bench]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.authoring.gradescope import VENV  # noqa: E402
from grader.cli import main  # noqa: E402
from grader.course.topics import discover_topics  # noqa: E402


def set_up(root: Path) -> None:
    if (root / VENV / "bin" / "python").exists():
        return
    shutil.rmtree(root, ignore_errors=True)
    (root / "source").mkdir(parents=True)
    archive = root / "autograder.zip"
    assert main(["--course", str(ROOT), "gradescope", "build", "--out", str(archive)]) == 0
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(root / "source")
    started = time.monotonic()
    subprocess.run(["bash", str(root / "source" / "setup.sh")], check=True, capture_output=True,
                   env=os.environ | {"AUTOGRADER_ROOT": str(root)})
    print(f"setup.sh: {time.monotonic() - started:.1f} s")


def submit_references(root: Path) -> int:
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    topics = discover_topics(ROOT)
    for name in topics:
        shutil.copy2(ROOT / "solutions" / name / f"{name}.py", submission / f"{name}.py")
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "bench@x", "id": 1}]}))
    return len(topics)


def run_once(root: Path) -> tuple[float, dict]:
    started = time.monotonic()
    subprocess.run(["bash", str(root / "source" / "run_autograder")], check=True, capture_output=True,
                   cwd=root, env={"PATH": os.environ["PATH"], "AUTOGRADER_ROOT": str(root)})
    seconds = time.monotonic() - started
    return seconds, json.loads((root / "results" / "results.json").read_text())


def recording_share(root: Path) -> float:
    """The fraction of one grade-one's time (as run_autograder runs it, with the shipped plans)
    spent recording the reference's examples."""
    profile = root / "grade-one.prof"
    subprocess.run([str(root / VENV / "bin" / "python"), "-I", "-m", "cProfile", "-o", str(profile),
                    "-m", "grader", "--course", str(root / "source" / "course"), "grade-one",
                    str(root / "submission"), "--results", str(root / "profiled.json"),
                    "--plans", str(root / "source" / "plans")],
                   check=True, capture_output=True, cwd=root)
    script = ("import pstats, sys; s = pstats.Stats(sys.argv[1]).stats; "
              "total = max(v[3] for v in s.values()); "
              "rec = sum(v[3] for k, v in s.items() if k[2] == '_recorded_examples'); print(rec / total)")
    done = subprocess.run([str(root / VENV / "bin" / "python"), "-c", script, str(profile)],
                          check=True, capture_output=True, text=True)
    return float(done.stdout)


def main_benchmark() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--root", help="an /autograder-shaped folder to set up or reuse")
    args = parser.parse_args()
    root = Path(args.root) if args.root else Path(tempfile.mkdtemp(prefix="gradescope-bench-"))
    set_up(root)
    topics = submit_references(root)
    times = []
    for run in range(1, args.runs + 1):
        seconds, data = run_once(root)
        times.append(seconds)
        print(f"run {run}: {seconds:.2f} s, {data['score']:g}/{data['max_score']:g} points, {topics} topics")
    print(f"median cold run_autograder: {statistics.median(times):.2f} s (target: under 5 s); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"share of grade-one spent recording the reference's examples: {recording_share(root):.0%} "
          "(with the plans shipped in plans/; without them it was about 70%)")


if __name__ == "__main__":
    main_benchmark()
