"""Hostile submission files: links, pipes and linked folders, as an LMS archive can unpack them.

Only regular files inside a student's own folder are graded. A symbolic link (to the
reference, through /proc/self/cwd, to /etc/passwd, to a peer's file), a student folder
that is a link to a peer's folder, or a named pipe scores 0 for that topic with a
message naming the refusal; honest students are graded exactly as in a class without
attackers, and nothing the link points at reaches the attacker's results. Every batch
runs under bubblewrap and in the fallback, locally and, for the links, on a Dask cluster.
"""
import json
import os
import signal
from pathlib import Path

import pytest

from conftest import FIXTURES, ISOLATION_MODES, ROOT, grading_mode
from grader.batch.grade import BatchError, grade_batch
from grader.sandbox.launcher import Limits

CORRECT = (FIXTURES / "regularization" / "correct_vectorized.py").read_text()
HONEST_WRONG = CORRECT.replace("return float(cost + penalty)", "return 0.5 * float(cost + penalty)", 1)
REFERENCE = ROOT / "solutions" / "regularization" / "regularization.py"
LIMITS = Limits(call_seconds=2.0, load_seconds=4.0, cpu_seconds=30)
BATCH_SECONDS = 600  # a grader blocked on a pipe would never finish; this fails it instead
HONEST = ("peer", "honest_wrong")
REFUSED_FILE = "only regular files inside your own folder are graded, so this topic scores 0"
PASSWD_LINE = "root:x:0:0"

# attacker -> what their folder holds; each is built by plant() below
ATTACKS = {
    "link_to_reference": "regularization.py -> the reference, by a relative path",
    "link_through_proc_cwd": "regularization.py -> /proc/self/cwd/solutions/regularization/regularization.py",
    "link_to_passwd": "regularization.py -> /etc/passwd",
    "link_to_peer_file": "regularization.py -> ../peer/regularization.py",
    "linked_folder": "the student folder itself -> peer",
    "named_pipe": "regularization.py is a FIFO",
}
EXPECTED_MESSAGES = {
    "link_to_reference": "regularization.py is a symbolic link; " + REFUSED_FILE,
    "link_through_proc_cwd": "regularization.py is a symbolic link; " + REFUSED_FILE,
    "link_to_passwd": "regularization.py is a symbolic link; " + REFUSED_FILE,
    "link_to_peer_file": "regularization.py is a symbolic link; " + REFUSED_FILE,
    "linked_folder": "your submission folder is a symbolic link",
    "named_pipe": "regularization.py is a named pipe (FIFO); " + REFUSED_FILE,
}
CLUSTER_ATTACKS = ("link_to_reference", "link_to_passwd", "link_to_peer_file", "linked_folder")


def plant(submissions: Path, attack: str) -> None:
    folder = submissions / attack
    if attack == "linked_folder":
        folder.symlink_to("peer", target_is_directory=True)
        return
    folder.mkdir()
    target = folder / "regularization.py"
    if attack == "link_to_reference":
        target.symlink_to(os.path.relpath(REFERENCE, folder))
    elif attack == "link_through_proc_cwd":  # the grader runs from the course root
        target.symlink_to("/proc/self/cwd/solutions/regularization/regularization.py")
    elif attack == "link_to_passwd":
        target.symlink_to("/etc/passwd")
    elif attack == "link_to_peer_file":
        target.symlink_to("../peer/regularization.py")
    elif attack == "named_pipe":
        os.mkfifo(target)


def build_class(submissions: Path, attacks) -> Path:
    honest = {"peer": CORRECT, "honest_wrong": HONEST_WRONG}
    for student, source in honest.items():
        (submissions / student).mkdir(parents=True)
        (submissions / student / "regularization.py").write_text(source)
    for attack in attacks:
        plant(submissions, attack)
    return submissions


def _timed_out(signum, frame):
    raise TimeoutError(f"the batch did not finish within {BATCH_SECONDS} s")


def graded(submissions: Path, out: Path, **options) -> dict:
    """Grade from the course root (where /proc/self/cwd points), failing instead of hanging."""
    previous_dir, previous_handler = Path.cwd(), signal.signal(signal.SIGALRM, _timed_out)
    os.chdir(ROOT)
    signal.alarm(BATCH_SECONDS)
    try:
        rows = grade_batch(submissions, out, ROOT, progress=False, limits=LIMITS, **options)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous_handler)
        os.chdir(previous_dir)
    return {row["student"]: row for row in rows}


@pytest.fixture(scope="module", params=ISOLATION_MODES)
def isolation_mode(request):
    with grading_mode(request.param):
        yield request.param


@pytest.fixture(scope="module")
def clean_batch(isolation_mode, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"clean-{isolation_mode}")
    graded(build_class(root / "submissions", []), root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def linked_batch(isolation_mode, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"linked-{isolation_mode}")
    rows = graded(build_class(root / "submissions", ATTACKS), root / "out", jobs=2)
    return {"out": root / "out", "rows": rows}


@pytest.fixture(scope="module")
def cluster_batch(isolation_mode, tmp_path_factory):
    from distributed import LocalCluster

    root = tmp_path_factory.mktemp(f"cluster-{isolation_mode}")
    submissions = build_class(root / "submissions", CLUSTER_ATTACKS)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        rows = graded(submissions, root / "out", scheduler=cluster.scheduler_address)
    return {"out": root / "out", "rows": rows}


def outputs(batch, student: str) -> tuple[dict, str, str]:
    folder = batch["out"] / student
    text = (folder / "results.json").read_text()
    return json.loads(text), text, (folder / "report.html").read_text()


def reference_lines() -> list[str]:
    """Lines of the reference long enough to be its own, not boilerplate any file could hold."""
    return [line.strip() for line in REFERENCE.read_text().splitlines() if len(line.strip()) >= 30]


def assert_refused(batch, attack: str) -> None:
    data, text, html = outputs(batch, attack)
    assert batch["rows"][attack]["total"] == 0
    assert data["extra_data"]["topics"]["regularization"]["score"] == 0
    error = data["extra_data"]["topics"]["regularization"]["error"]
    assert EXPECTED_MESSAGES[attack] in error
    assert error.splitlines()[0] in data["output"]
    assert EXPECTED_MESSAGES[attack].split(";")[0] in html
    for leaked in [PASSWD_LINE] + reference_lines():
        assert leaked not in text and leaked not in html, f"{attack}: {leaked!r} in its results"


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_linked_or_special_file_scores_0_and_says_why(linked_batch, attack):
    assert_refused(linked_batch, attack)


def test_every_attacker_still_gets_a_result(linked_batch):
    assert set(linked_batch["rows"]) == set(ATTACKS) | set(HONEST)


@pytest.mark.parametrize("student", HONEST)
def test_honest_students_get_exactly_what_they_get_without_attackers(linked_batch, clean_batch, student):
    attacked = (linked_batch["out"] / student / "results.json").read_text()
    assert attacked == (clean_batch / student / "results.json").read_text()


def test_similarity_reads_no_linked_file(linked_batch):
    page = (linked_batch["out"] / "similarity.html").read_text()
    assert not any(attack in page for attack in ATTACKS)


@pytest.mark.parametrize("attack", CLUSTER_ATTACKS)
def test_the_cluster_client_refuses_the_same_links(cluster_batch, attack):
    assert_refused(cluster_batch, attack)


@pytest.mark.parametrize("student", HONEST)
def test_honest_students_on_the_cluster_get_what_they_get_locally(cluster_batch, clean_batch, student):
    attacked = (cluster_batch["out"] / student / "results.json").read_text()
    assert attacked == (clean_batch / student / "results.json").read_text()


def test_a_class_of_linked_folders_is_told_why_nothing_was_found(tmp_path):
    (tmp_path / "elsewhere" / "alice").mkdir(parents=True)
    (tmp_path / "elsewhere" / "alice" / "regularization.py").write_text(CORRECT)
    (tmp_path / "submissions").mkdir()
    (tmp_path / "submissions" / "alice").symlink_to(tmp_path / "elsewhere" / "alice")
    with pytest.raises(BatchError, match="1 of the student folders are symbolic links"):
        grade_batch(tmp_path / "submissions", tmp_path / "out", ROOT, progress=False)


def _swapped_after_the_check(monkeypatch, swap) -> None:
    """Win the race every time: ``swap()`` runs right after the reader's own check of the file."""
    real_stat = os.stat

    def checked_then_swapped(path, *args, **kwargs):
        result = real_stat(path, *args, **kwargs)
        if path == "regularization.py" and kwargs.get("dir_fd") is not None:
            monkeypatch.setattr(os, "stat", real_stat)
            swap()
        return result

    monkeypatch.setattr(os, "stat", checked_then_swapped)


def read_regularization(folder: Path):
    from grader.course.sources import read_submissions  # the reader the batch uses

    return read_submissions(folder, ["regularization"])["regularization"]


def test_a_file_swapped_for_a_link_after_the_check_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "submissions" / "mallory"
    folder.mkdir(parents=True)
    (folder / "regularization.py").write_text(CORRECT)
    (tmp_path / "link").symlink_to(REFERENCE)
    _swapped_after_the_check(monkeypatch, lambda: os.replace(tmp_path / "link", folder / "regularization.py"))
    submitted = read_regularization(folder)
    assert submitted.source is None
    assert submitted.error == "regularization.py is a symbolic link; " + REFUSED_FILE


def test_a_file_swapped_for_another_after_the_check_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "submissions" / "mallory"
    folder.mkdir(parents=True)
    (folder / "regularization.py").write_text(CORRECT)
    (tmp_path / "other.py").write_text(HONEST_WRONG)
    _swapped_after_the_check(monkeypatch,
                             lambda: os.replace(tmp_path / "other.py", folder / "regularization.py"))
    submitted = read_regularization(folder)
    assert submitted.source is None
    assert submitted.error == "regularization.py changed while it was being opened; " + REFUSED_FILE


def test_a_file_that_grows_after_the_check_is_read_only_up_to_the_limit(tmp_path, monkeypatch):
    folder = tmp_path / "submissions" / "mallory"
    folder.mkdir(parents=True)
    (folder / "regularization.py").write_text(CORRECT)
    real_fstat = os.fstat

    def checked_then_grown(fd):
        result = real_fstat(fd)
        if stat_is_the_submission(fd, folder):
            monkeypatch.setattr(os, "fstat", real_fstat)
            with open(folder / "regularization.py", "a") as stream:
                stream.write("#" * 3_000_000)
        return result

    monkeypatch.setattr(os, "fstat", checked_then_grown)
    submitted = read_regularization(folder)
    assert submitted.source is None
    assert submitted.error == "regularization.py is 1.0 MB; submissions are limited to 1 MB"


def stat_is_the_submission(fd: int, folder: Path) -> bool:
    return os.path.realpath(f"/proc/self/fd/{fd}") == str(folder.resolve() / "regularization.py")
