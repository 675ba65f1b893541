"""What one round trip on a worker's channel costs: a small live call and a small map.

First the grader's framing alone on a local pipe (grader.sandbox.pipes against the loop it
replaced), then live round trips.

Prints, for this checkout and (with --against REV, default HEAD) the grader package of a git
revision exported next to it, measured side by side in one run: the median round-trip time,
the grader process's CPU time per round trip, and the select.poll objects, polls and pipe
syscalls (read, readv, write) the grader makes per round trip (one request frame out, one
reply frame in; counted in a separate run of 200, as the counting wrappers cost time).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

CHILD = r'''
import os, select, statistics, sys, time
counts = {"poll objects": 0, "polls": 0, "reads": 0, "writes": 0}
originals = {name: getattr(os, name) for name in ("read", "readv", "write")}
_poll = select.poll

class CountingPoll:  # select.poll's objects cannot be patched, so the factory is wrapped
    def __init__(self):
        counts["poll objects"] += 1
        self._poll = _poll()
    def register(self, *args):
        self._poll.register(*args)
    def poll(self, *args):
        counts["polls"] += 1
        return self._poll.poll(*args)

def counting(on):
    for name, key in (("read", "reads"), ("readv", "reads"), ("write", "writes")):
        def wrapper(*args, _original=originals[name], _key=key):
            counts[_key] += 1
            return _original(*args)
        setattr(os, name, wrapper if on else originals[name])
    select.poll = CountingPoll if on else _poll

from grader.sandbox.launcher import Limits
from grader.sandbox.submission import Submission
repeat, label = int(sys.argv[1]), sys.argv[2]
for name, run in (("call", lambda student: student.call("f", 2.0)),
                  ("map of 4", lambda student: student.map("f", [(1.0,), (2.0,), (3.0,), (4.0,)]))):
    # Counted in a worker of its own (its poll objects, if any, made while counting), then
    # timed without the counting wrappers.
    for counted in (True, False):
        counting(counted)
        student = Submission("def f(x=1):\n    return x\n", module="m", filename="/submission/m.py",
                             signatures={"f": ["x"]}, limits=Limits())
        student.start()
        for _ in range(20):
            run(student)  # warm up
        for key in counts:
            counts[key] = 0
        times, cpu = [], time.process_time()
        for _ in range(repeat if not counted else 200):
            t0 = time.perf_counter()
            run(student)
            times.append(time.perf_counter() - t0)
        cpu = (time.process_time() - cpu) / len(times)
        student.close()
        if counted:
            per = ", ".join(f"{counts[key] / len(times):.2f} {key}" for key in counts)
    counting(False)
    print(f"  {label:8s} {name:9s} median {statistics.median(times) * 1e6:6.1f} us, grader CPU "
          f"{cpu * 1e6:5.1f} us; per round trip: {per}")
'''

# The framing alone, in this process, on a local pipe holding one small reply each time:
# grader.sandbox.pipes against the poll-per-read loop it replaced (copied here).
FRAMING = r'''
import os, select, statistics, sys, time
from grader.sandbox import pipes
from grader.sandbox.inside import wire
frame = wire.encode({"ok": True, "id": 5, "index": 0, "more": False, "value": 2.0, "printed": 0})
read_end, write_end = os.pipe()
os.set_blocking(read_end, False)

def poll_per_read(count, deadline):
    chunks = []
    while count:
        poller = select.poll()
        poller.register(read_end, select.POLLIN)
        if not poller.poll(max(0.0, deadline - time.monotonic()) * 1000):
            raise TimeoutError
        chunk = os.read(read_end, min(count, 1 << 20))
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)

def before(deadline):
    return poll_per_read(wire.frame_length(poll_per_read(8, deadline)), deadline)

reader = pipes.FrameReader(read_end)
results = {"poll per read (before)": [], "pipes.FrameReader": []}
for _ in range(5):
    for name, read in (("poll per read (before)", before), ("pipes.FrameReader", reader.read_frame)):
        started = time.process_time()
        for _ in range(20000):
            os.write(write_end, frame)
            read(time.monotonic() + 1.0)
        results[name].append((time.process_time() - started) / 20000)
for name, values in results.items():
    print(f"  framing  {name:22s} {statistics.median(values) * 1e6:5.2f} us CPU per small frame "
          "(write included)")
'''


def run(root: str, label: str, repeat: int) -> None:
    env = dict(os.environ, PYTHONPATH=root)
    subprocess.run([sys.executable, "-c", CHILD, str(repeat), label], env=env, check=True, cwd=root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--against", default="HEAD", help="git revision to compare with ('' for none)")
    parser.add_argument("--rounds", type=int, default=2, help="alternate old and new this many times")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([sys.executable, "-c", FRAMING], env=dict(os.environ, PYTHONPATH=root),
                   check=True, cwd=root)
    with tempfile.TemporaryDirectory() as old:
        if args.against:
            archive = subprocess.run(["git", "archive", args.against, "grader"], cwd=root,
                                     check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
        for _ in range(args.rounds):  # alternated, so that drift in the machine hits both
            if args.against:
                run(old, args.against[:8], args.repeat)
            run(root, "this", args.repeat)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.1f} s in all)")
