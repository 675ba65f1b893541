"""Grading a class on a Dask distributed cluster, for classes one machine cannot grade in time.

The client (``grader grade --scheduler ADDRESS``) reads each student's files, through
the same reader as local grading (``grader.course.sources.read_submissions``: no link is
followed), and sends what it read with the task, so workers need no access to the
submissions or the output folder; each worker grades in its own sandboxes and returns the result,
and the client writes it exactly as local grading does. Workers need this
package installed and the course (exercises/, solutions/) at the same path as on
the client. At most a few tasks per worker thread are in flight, so neither the
client nor the scheduler holds the whole class in memory.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator


TASKS_PER_THREAD = 2
CONNECT_SECONDS = 10


def run_on_cluster(address: str, students: list[Path], read: Callable[[Path], Any],
                   grade: Callable[[str, Any], Any],
                   failed: Callable[[Path], Any]) -> Iterator[tuple[Path, Any]]:
    """Grade ``students`` on the cluster at ``address``, yielding results as they finish:
    ``read(folder)`` runs here on the client, ``grade(student, what_read)`` on a worker."""
    from dask.distributed import Client, as_completed
    from distributed.scheduler import KilledWorker

    with Client(address, timeout=CONNECT_SECONDS) as client:
        in_flight = max(1, TASKS_PER_THREAD * sum(client.nthreads().values()))
        waiting = iter(students)
        owners = {}
        finished = as_completed()

        def submit_next() -> None:
            student = next(waiting, None)
            if student is not None:
                future = client.submit(grade, student.name, read(student),
                                       pure=False, key=f"grade-{student.name}-{id(student)}")
                owners[future.key] = student
                finished.add(future)

        for _ in range(in_flight):
            submit_next()
        for future in finished:
            student = owners.pop(future.key)
            try:
                result = future.result()
            except KilledWorker:
                result = failed(student)  # the student's grading killed workers repeatedly
            future.release()
            submit_next()
            yield student, result
