"""One CPU for a grading process and the sandboxed workers it starts.

Every call into a student's worker is a round trip over two pipes: the grader writes and
waits, the worker wakes, answers and waits again. On two CPUs each of those wake-ups crosses
CPUs, which on a virtual machine whose idle vCPUs halt costs tens of microseconds, in wall
time and in both processes' CPU time. Measured on this project's 2-vCPU machine with the
machine idle: a bare Python pipe ping-pong takes 107-120 us a round trip across CPUs and 9 us
on one; one student's six topics, graded warm, take 3.5 s floating and 2.4 s on one CPU.

A worker forked after ``keep_to_one_cpu`` inherits the CPU (the fork server is started from
this process, and each child from it). This is scheduling, not a boundary: a worker may widen
its own affinity again, which only lets it compete for another CPU as it could before. Only
processes the grader owns are pinned for good (a batch's grading processes); a command run
in the caller's process (``grade-one``, ``check``, ``grade --jobs 1``) pins it for the
command's time only (``on_one_cpu``), and a notebook kernel or pytest that imports the grader
is never pinned.
"""
from __future__ import annotations

import contextlib
import os
from typing import Iterator


def _current_cpu() -> int | None:
    """The CPU this process last ran on (field 39 of /proc/self/stat), or None."""
    try:
        with open("/proc/self/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return int(fields[36])  # fields after "pid (comm)" start at field 3
    except (OSError, IndexError, ValueError):
        return None


def keep_to_one_cpu(index: int | None = None) -> int | None:
    """Restrict this process, and what it starts from now on, to one CPU it may use: the
    ``index``-th of them (modulo their number), else the one it runs on. Returns that CPU, or
    None where the affinity cannot be read or set (it is then left as it was)."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None
    if not allowed:
        return None
    if index is not None:
        cpu = allowed[index % len(allowed)]
    else:
        current = _current_cpu()
        cpu = current if current in allowed else allowed[0]
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        return None
    return cpu


def has_a_core_to_spare() -> bool:
    """Whether a worker started now may run on another CPU than this process (speculation,
    ``grader.sandbox.speculation``, overlaps the two only then)."""
    try:
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) > 1


@contextlib.contextmanager
def on_one_cpu() -> Iterator[int | None]:
    """``keep_to_one_cpu`` for the block, then the affinity this process had before (a command
    run in-process, from tests say, leaves the caller as it found it)."""
    try:
        before = os.sched_getaffinity(0)
    except (AttributeError, OSError):
        before = None
    cpu = keep_to_one_cpu() if before is not None else None
    try:
        yield cpu
    finally:
        if cpu is not None:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, before)
