"""Grading on a Dask cluster gives exactly what local grading gives."""
import filecmp
from pathlib import Path

import pytest
from distributed import LocalCluster

from conftest import FIXTURES, ROOT
from grader.batch.grade import BatchError, grade_batch

CORRECT = (FIXTURES / "regularization" / "correct_vectorized.py").read_text()
CLASS = {
    "ada": CORRECT,
    "ben": CORRECT.replace("return float(cost + penalty)", "return 0.5 * float(cost + penalty)", 1),
    "cy": "def linear_cost(X, y, w, b, lam):\n    return (\n",
    "dee": None,  # no file at all
}


@pytest.fixture(scope="module")
def submissions(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    for student, source in CLASS.items():
        (folder / student).mkdir()
        if source is not None:
            (folder / student / "regularization.py").write_text(source)
    (folder / "dee" / "notes.txt").write_text("I ran out of time")
    return folder


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def test_cluster_grading_writes_the_same_files_as_local_grading(submissions, cluster, tmp_path):
    grade_batch(submissions, tmp_path / "local", ROOT, topics=["regularization"], progress=False)
    grade_batch(submissions, tmp_path / "dask", ROOT, topics=["regularization"], progress=False,
                scheduler=cluster.scheduler_address)
    for student in CLASS:
        for name in ("results.json", "report.html"):
            assert filecmp.cmp(tmp_path / "local" / student / name, tmp_path / "dask" / student / name,
                               shallow=False), f"{student}/{name} differs"
    assert (tmp_path / "local" / "grades.csv").read_text() == (tmp_path / "dask" / "grades.csv").read_text()


def test_an_unreachable_scheduler_is_a_clear_batch_error(submissions, tmp_path):
    with pytest.raises(BatchError, match="cannot reach the Dask scheduler"):
        grade_batch(submissions, tmp_path / "out", ROOT, topics=["regularization"], progress=False,
                    scheduler="tcp://127.0.0.1:9")
