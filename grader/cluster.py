"""Grading a class on a Dask distributed cluster, for classes one machine cannot grade in time.

The client (``grader grade --scheduler ADDRESS``) reads each student's files and
sends them with the task, so workers need no access to the submissions or the
output folder; each worker grades in its own sandboxes and returns the result,
and the client writes it exactly as local grading does. Workers need this
package installed and the course (exercises/, solutions/) at the same path as on
the client. At most a few tasks per worker thread are in flight, so neither the
client nor the scheduler holds the whole class in memory.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable, Iterator

from grader.results import StudentResult
from grader.sources import SUBMISSION_SUFFIXES

TASKS_PER_THREAD = 2
CONNECT_SECONDS = 10
MAX_FILE_BYTES = 64 * 2**20  # far above what grading accepts (1 MB): big files still get its message


def student_files(student_dir: Path) -> dict[str, bytes]:
    """The files a student handed in that grading may read, by name."""
    files = {}
    for path in sorted(student_dir.iterdir()):
        if path.suffix in SUBMISSION_SUFFIXES and path.is_file():
            with path.open("rb") as stream:
                files[path.name] = stream.read(MAX_FILE_BYTES)
    return files


def grade_sent_files(grade: Callable[[Path], StudentResult], student: str,
                     files: dict[str, bytes]) -> StudentResult:
    """On a worker: rebuild the student's folder in a private temporary place and grade it."""
    with tempfile.TemporaryDirectory(prefix="grader-cluster-") as scratch:
        folder = Path(scratch) / student
        folder.mkdir()
        for name, data in files.items():
            (folder / Path(name).name).write_bytes(data)
        return grade(folder)


def run_on_cluster(address: str, students: list[Path], grade: Callable[[Path], StudentResult],
                   failed: Callable[[Path], StudentResult]) -> Iterator[tuple[Path, StudentResult]]:
    """Grade ``students`` on the cluster at ``address``, yielding results as they finish."""
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
                future = client.submit(grade_sent_files, grade, student.name, student_files(student),
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
