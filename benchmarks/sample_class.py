"""Wall time to grade the sample class in examples/class with --jobs 1 and --jobs 2.

Runs each setting several times, alternating, and prints medians and students per second.
Usage: python benchmarks/sample_class.py [REPEATS]
"""
import statistics
import sys
import tempfile
import time
from pathlib import Path

from grader.batch.grade import grade_batch

ROOT = Path(__file__).resolve().parent.parent


def main(repeats: int) -> None:
    times = {1: [], 2: []}
    students = 0
    for _ in range(repeats):
        for jobs in times:
            with tempfile.TemporaryDirectory() as out:
                started = time.perf_counter()
                rows = grade_batch(ROOT / "examples" / "class", Path(out), ROOT, jobs=jobs, progress=False)
                times[jobs].append(time.perf_counter() - started)
                students = len(rows)
    for jobs, values in times.items():
        median = statistics.median(values)
        print(f"--jobs {jobs}: median {median:.2f} s for {students} students "
              f"({students / median:.2f} students/s; runs: {', '.join(f'{v:.2f}' for v in values)})")
    print(f"speed-up of --jobs 2 over --jobs 1: {statistics.median(times[1]) / statistics.median(times[2]):.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
