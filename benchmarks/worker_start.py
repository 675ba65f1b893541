"""What one sandboxed worker costs: start (fork, confinement, load), one call, kill.

Prints the median over --repeat workers for each isolation mode this machine has
(bubblewrap, and the fallback with GRADER_NO_BWRAP=1), measured side by side in one run.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

CHILD = r'''
import statistics, sys, time
from grader.sandbox.launcher import Limits, detect_isolation
from grader.sandbox.submission import Submission
isolation = detect_isolation()
starts, calls, kills = [], [], []
for _ in range(int(sys.argv[1])):
    t0 = time.perf_counter()
    student = Submission("def f():\n    return 1\n", module="m", filename="/submission/m.py",
                         signatures={"f": []}, limits=Limits())
    student.start()
    t1 = time.perf_counter()
    student.call("f")
    t2 = time.perf_counter()
    student.close()
    t3 = time.perf_counter()
    starts.append(t1 - t0); calls.append(t2 - t1); kills.append(t3 - t2)
ms = lambda values: f"{statistics.median(values) * 1000:.1f}"
print(f"{isolation.mode:45s} start+load {ms(starts)} ms, call {ms(calls)} ms, kill {ms(kills)} ms")
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for fallback in (False, True):
        env = dict(os.environ, PYTHONPATH=root)
        env.pop("GRADER_NO_BWRAP", None)
        if fallback:
            env["GRADER_NO_BWRAP"] = "1"
        subprocess.run([sys.executable, "-c", CHILD, str(args.repeat)], env=env, check=True)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.1f} s in all)")
