"""Isolation overhead: the same tests on the same correct code, in-process vs sandboxed.

Prints the median wall time of each over several runs, taken alternately in one run so
machine noise hits both, and their ratio. Usage: python benchmarks/isolation_overhead.py [REPEATS]
"""
import statistics
import sys
import time
from pathlib import Path

from grader.course.topics import discover_topics
from grader.grading.runner import grade_source, grade_trusted
from grader.grading.session import current_session

ROOT = Path(__file__).resolve().parent.parent


def correct_submission(topic: str) -> Path:
    fixtures = sorted((ROOT / "tests" / "fixtures" / topic).glob("correct_*.py"))
    return fixtures[0] if fixtures else ROOT / "solutions" / topic / f"{topic}.py"


def main(repeats: int) -> None:
    print(f"{'topic':20s} {'in-process s':>12s} {'sandboxed s':>12s} {'ratio':>6s} {'overhead ms':>11s}")
    totals = [0.0, 0.0]
    for name, topic in discover_topics(ROOT).items():
        path = correct_submission(name)
        module = current_session().load_module(path, f"_bench_{name}")
        source = path.read_text()
        floor, isolated = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            grade_trusted(topic, module)
            floor.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = grade_source(topic, source, file=path.name)
            isolated.append(time.perf_counter() - started)
            assert result.score == result.max_score, f"{path} is not a correct submission"
        a, b = statistics.median(floor), statistics.median(isolated)
        totals[0] += a
        totals[1] += b
        print(f"{name:20s} {a:12.3f} {b:12.3f} {b / a:6.2f} {1000 * (b - a):11.0f}")
    a, b = totals
    print(f"{'all topics':20s} {a:12.3f} {b:12.3f} {b / a:6.2f} {1000 * (b - a):11.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
