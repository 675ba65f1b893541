"""The Gradescope autograder: the zip, setup.sh in a fresh venv, run_autograder per submission.

One autograder tree (the zip unpacked as Gradescope unpacks it, setup.sh run in it, which
makes the grader's venv) is built once per test session, shared by xdist's workers under a
lock. Each submission is graded in a tree of its own (its own submission folder, metadata
and results) whose venv is that one, so tests never disturb each other. Every results.json
is validated against a JSON Schema written from Gradescope's published results format.
"""
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT
from grader.authoring.gradescope import VENV
from grader.batch import grade_one
from grader.cli import main

TOPICS = ("regularization", "shapes")
VISIBILITY = ["hidden", "after_due_date", "after_published", "visible"]
FORMATS = ["text", "html", "simple_format", "md", "ansi"]
# Gradescope's results.json (ECOSYSTEM_FACTS.md), plus ``max_score`` at the top, which
# SPEC.md asks for; nothing else. NaN cannot occur: it is not JSON.
RESULTS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "anyOf": [{"required": ["score"]}, {"required": ["tests"]}],
    "properties": {
        "score": {"type": "number"},
        "max_score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": {"enum": FORMATS},
        "visibility": {"enum": VISIBILITY},
        "stdout_visibility": {"enum": VISIBILITY},
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "score": {"type": "number"},
                "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]},
                "name": {"type": "string"},
                "number": {"type": "string"},
                "output": {"type": "string"},
                "output_format": {"enum": FORMATS},
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": {"enum": VISIBILITY},
                "extra_data": {"type": "object"},
            },
        }},
    },
}
METADATA = {"users": [{"email": "alice@uni.edu", "id": 4711, "name": "Alice Liddell", "sid": "S123"},
                      {"email": "bob@uni.edu", "id": 4712, "name": "Bob"}],
            "created_at": "2026-03-01T10:00:00.000000-08:00",
            "assignment": {"due_date": "2026-03-02T23:59:00-08:00", "total_points": "81.0"},
            "previous_submissions": []}


def _require(tool: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is not installed; these tests need it (run scripts/install as root)"
    return path


@contextlib.contextmanager
def _locked(path: Path):
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _session_folder(tmp_path_factory) -> Path:
    """This test session's folder, the same for all its xdist workers (each has its own
    basetemp below it); never shared with another session."""
    basetemp = tmp_path_factory.getbasetemp()
    return basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp


@pytest.fixture(scope="session")
def autograder_zip(tmp_path_factory) -> Path:
    shared = _session_folder(tmp_path_factory)
    out = shared / "gradescope-autograder.zip"
    with _locked(shared / "gradescope-zip.lock"):
        if not out.is_file():
            assert main(["--course", str(ROOT), "gradescope", "build", "--topics", *TOPICS,
                         "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def autograder(tmp_path_factory, autograder_zip) -> Path:
    """An /autograder-shaped tree with the zip in source/ and setup.sh run: the one venv."""
    _require("python3.11")
    shared = _session_folder(tmp_path_factory)
    root = shared / "gradescope-root"
    with _locked(shared / "gradescope-root.lock"):
        if not (root / VENV / "bin" / "python").exists():
            shutil.rmtree(root, ignore_errors=True)
            (root / "source").mkdir(parents=True)
            with zipfile.ZipFile(autograder_zip) as archive:
                archive.extractall(root / "source")
            setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True,
                                   text=True, env=os.environ | {"AUTOGRADER_ROOT": str(root)},
                                   timeout=900)
            assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    return root


def _tree(autograder: Path, tmp_path: Path, files: dict[str, str | bytes | Path],
          metadata: dict | None = METADATA, venv: bool = True) -> Path:
    """A per-submission /autograder tree sharing the session's source and venv."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").symlink_to(autograder / "source")
    if venv:
        (root / VENV).symlink_to(autograder / VENV)
    for name, content in files.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            path.symlink_to(content)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    return root


def _run(root: Path, *, drop_sys_admin: bool = False) -> tuple[dict, str]:
    command = ["bash", str(root / "source" / "run_autograder")]
    if drop_sys_admin:
        command = [_require("capsh"), "--drop=cap_sys_admin", "--", "-c",
                   f"exec bash {root / 'source' / 'run_autograder'}"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, timeout=600,
                          env={"PATH": os.environ["PATH"], "AUTOGRADER_ROOT": str(root), "LANG": "C.UTF-8"})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    data = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(data, RESULTS_SCHEMA)
    return data, done.stdout


def _reference(topic: str) -> str:
    return (ROOT / "solutions" / topic / f"{topic}.py").read_text()


def _instructor_entry(data: dict) -> dict:
    return next(t for t in data["tests"] if t["name"] == grade_one.INSTRUCTOR_TEST_NAME)


def _student_tests(data: dict) -> list[dict]:
    return [t for t in data["tests"] if t["name"] != grade_one.INSTRUCTOR_TEST_NAME]


def test_the_zip_holds_setup_and_run_autograder_at_its_root_and_the_course_with_solutions(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt", "gradescope.json", "plans/README.txt"} <= names
    assert not any(name.startswith(("autograder/", "/")) for name in names)
    for topic in TOPICS:
        assert f"course/solutions/{topic}/{topic}.py" in names
        assert f"course/solutions/{topic}/test_{topic}_hidden.py" in names
        assert f"course/exercises/{topic}/test_{topic}.py" in names
    assert any(name.startswith("wheels/") and name.endswith("-py3-none-any.whl") for name in names)
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111


def test_the_zip_is_built_byte_for_byte_the_same_twice(tmp_path, autograder_zip):
    again = tmp_path / "again.zip"
    assert main(["--course", str(ROOT), "gradescope", "build", "--topics", *TOPICS, "--out", str(again)]) == 0
    assert again.read_bytes() == autograder_zip.read_bytes()


def test_setup_installs_the_grader_and_its_core_dependencies_only(autograder):
    listed = subprocess.run([str(autograder / VENV / "bin" / "python"), "-m", "pip", "list",
                             "--format=json"], capture_output=True, text=True, timeout=120)
    installed = {entry["name"].lower() for entry in json.loads(listed.stdout)}
    assert {"ml-exercise-grader", "numpy", "hypothesis", "nbformat"} <= installed
    assert not installed & {"otter-grader", "distributed", "dask", "pytest", "nbclient", "ipykernel",
                            "jupyter-client"}


def test_the_venv_is_outside_source_so_the_sandbox_never_sees_the_solutions(autograder):
    venv = (autograder / VENV).resolve()
    assert (autograder / "source").resolve() not in venv.parents


def test_a_correct_submission_under_odd_names_scores_full_marks(autograder, tmp_path):
    root = _tree(autograder, tmp_path, {"Regularization (1).py": _reference("regularization"),
                                        "work/SHAPES.py": _reference("shapes"), "notes.txt": "hi"})
    data, _ = _run(root)
    assert data["score"] == data["max_score"] > 0
    assert all(t["status"] == "passed" for t in _student_tests(data))
    assert data["extra_data"]["gradescope"]["files"] == {"regularization": "Regularization (1).py",
                                                         "shapes": "work/SHAPES.py"}
    assert "notes.txt" in data["extra_data"]["gradescope"]["not_graded"]


def test_the_student_is_the_first_submitters_sid_and_every_group_member_is_kept(autograder, tmp_path):
    root = _tree(autograder, tmp_path, {"shapes.py": _reference("shapes")})
    data, _ = _run(root)
    assert data["extra_data"]["student"] == "S123"
    assert [u["email"] for u in data["extra_data"]["gradescope"]["users"]] == ["alice@uni.edu", "bob@uni.edu"]
    assert data["extra_data"]["gradescope"]["created_at"] == METADATA["created_at"]


def test_a_wrong_submission_loses_points_and_hidden_tests_wait_for_publication(autograder, tmp_path):
    wrong = _reference("regularization").replace("lam / (2 * m)", "lam / m")
    assert wrong != _reference("regularization"), "the mutation must change the reference"
    root = _tree(autograder, tmp_path, {"regularization.py": wrong, "shapes.py": _reference("shapes")})
    data, _ = _run(root)
    assert 0 < data["score"] < data["max_score"]
    failed = [t for t in _student_tests(data) if t["status"] == "failed"]
    assert failed and all(t["score"] == 0 for t in failed)
    for entry in _student_tests(data):
        assert entry["visibility"] == ("after_published" if entry["extra_data"]["hidden"] else "visible")


def test_a_broken_submission_scores_zero_for_that_topic_and_still_gets_results(autograder, tmp_path):
    root = _tree(autograder, tmp_path, {"regularization.py": "def linear_cost(:\n",
                                        "shapes.py": Path("/etc/passwd")})
    data, _ = _run(root)
    topics = data["extra_data"]["topics"]
    assert data["score"] == 0 and topics["regularization"]["score"] == 0
    assert "shapes.py" in data["extra_data"]["gradescope"]["not_graded"]  # a link: never opened
    assert "root:" not in json.dumps(data)


def test_a_missing_topic_file_says_which_files_were_found(autograder, tmp_path):
    root = _tree(autograder, tmp_path, {"shapes.py": _reference("shapes"), "Regularisation.py": "x = 1"})
    data, _ = _run(root)
    error = data["extra_data"]["topics"]["regularization"]["error"]
    assert "found Regularisation.py" in error and "expected regularization.py" in error


def test_isolation_is_named_in_instructor_only_output(autograder, tmp_path):
    root = _tree(autograder, tmp_path, {"shapes.py": _reference("shapes")})
    data, stdout = _run(root)
    entry = _instructor_entry(data)
    assert entry["visibility"] == "hidden" and entry["max_score"] == 0
    assert "Isolation: bubblewrap" in entry["output"] and "Isolation: bubblewrap" in stdout
    assert data["stdout_visibility"] == "hidden"


def test_without_cap_sys_admin_as_in_docker_grading_still_works_and_says_how(autograder, tmp_path):
    root = _tree(autograder, tmp_path, {"shapes.py": _reference("shapes"),
                                        "regularization.py": _reference("regularization")})
    data, _ = _run(root, drop_sys_admin=True)
    assert data["score"] == data["max_score"] > 0
    isolation = data["extra_data"]["isolation"]
    assert isolation.startswith(("bubblewrap (user namespace)", "limited process")), isolation
    assert f"Isolation: {isolation}" in _instructor_entry(data)["output"]


def test_a_grader_that_fails_still_writes_results_saying_so(autograder, tmp_path):
    root = _tree(autograder, tmp_path, {"shapes.py": _reference("shapes")})
    (root / "source").unlink()  # a source without the course: the grader raises
    (root / "source").mkdir()
    shutil.copy2(autograder / "source" / "run_autograder", root / "source" / "run_autograder")
    data, _ = _run(root)
    assert data["score"] == 0 and data["extra_data"]["grader_failed"] is True
    assert "could not grade" in data["output"]
    assert all(t["visibility"] == "hidden" for t in data["tests"])


def test_a_grader_that_cannot_start_still_writes_results(autograder, tmp_path):
    root = _tree(autograder, tmp_path, {"shapes.py": _reference("shapes")}, venv=False)
    data, stdout = _run(root)
    assert data["score"] == 0 and data["extra_data"]["grader_failed"] is True
    assert "wrote a failure results.json" in stdout


def test_missing_metadata_grades_the_submission_as_an_unknown_student(autograder, tmp_path):
    root = _tree(autograder, tmp_path, {"shapes.py": _reference("shapes")}, metadata=None)
    data, _ = _run(root)
    assert data["extra_data"]["student"] == "unknown" and data["score"] > 0


# In-process: how files map to topics and who the student is.

@pytest.mark.parametrize("name, expected", [
    ("regularization.py", ("regularization", ".py")), ("Regularization (2).PY", ("regularization", ".py")),
    ("linear classifiers-1.ipynb", ("linear_classifiers", ".ipynb")), ("shapes.txt", None),
    ("regularisation.py", None), ("regularization", None)])
def test_uploaded_names_map_to_topics_case_insensitively_despite_reupload_suffixes(name, expected):
    assert grade_one.topic_for(name, ["regularization", "linear_classifiers", "shapes"]) == expected


def test_a_file_at_the_top_wins_over_one_in_a_folder_and_the_other_is_listed(tmp_path):
    submission = tmp_path / "submission"
    (submission / "old").mkdir(parents=True)
    (submission / "shapes.py").write_text("A = 1\n")
    (submission / "old" / "shapes.py").write_text("A = 2\n")
    mapped = grade_one.map_submission(submission, ["shapes"], tmp_path / "staging")
    assert mapped.used == {"shapes": "shapes.py"} and "old/shapes.py" in mapped.unused
    assert (mapped.folder / "shapes.py").read_text() == "A = 1\n"


def test_identity_prefers_sid_then_email_then_gradescope_id(tmp_path):
    path = tmp_path / "metadata.json"
    for users, expected in [([{"sid": "S1", "email": "a@b", "id": 1}], "S1"),
                            ([{"sid": None, "email": "a@b", "id": 1}], "a@b"), ([{"id": 7}], "7"),
                            ([], "unknown")]:
        path.write_text(json.dumps({"users": users}))
        assert grade_one.read_identity(path).student == expected
    path.write_text("{not json")
    assert grade_one.read_identity(path).student == "unknown"


def test_the_watchdog_writes_results_when_the_deadline_passes(tmp_path):
    results = tmp_path / "results.json"
    script = (
        "import sys, time; from pathlib import Path; from grader.batch import grade_one as g\n"
        "g.grade_mapped = lambda *a, **k: time.sleep(120)\n"
        f"g.grade_one(Path({str(tmp_path)!r}), Path({str(results)!r}), Path({str(ROOT)!r}),\n"
        "            options=g.OneOptions(deadline_seconds=2.0))\n"
        "sys.exit(3)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(results.read_text())
    jsonschema.validate(data, RESULTS_SCHEMA)
    assert data["extra_data"]["grader_failed"] is True and "deadline" in data["output"]


def test_the_worker_memory_limit_leaves_room_for_the_grader_in_the_container():
    options = grade_one.OneOptions(memory_mb=768)
    assert options.limits().memory_bytes + grade_one.GRADER_RESERVE_MB * 2**20 <= 768 * 2**20
    assert options.limits().student_seconds < options.deadline_seconds < 600


def test_the_zip_carries_course_toml_so_its_limits_hold_on_gradescope(tmp_path):
    course = tmp_path / "course"
    for part in ("exercises", "solutions"):
        shutil.copytree(ROOT / part / "shapes", course / part / "shapes")
    shutil.copytree(ROOT / "templates", course / "templates")
    (course / "course.toml").write_text("[limits]\ncall_seconds = 9\n")
    assert main(["--course", str(course), "gradescope", "build", "--topics", "shapes",
                 "--out", str(tmp_path / "a.zip")]) == 0
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.read("course/course.toml") == b"[limits]\ncall_seconds = 9\n"


def test_grade_one_gives_each_call_the_courses_call_limit(tmp_path, monkeypatch):
    import grader.commands.grade as grade_command
    (tmp_path / "course.toml").write_text("[limits]\ncall_seconds = 9\n")
    for part in ("exercises", "solutions"):
        shutil.copytree(ROOT / part / "shapes", tmp_path / part / "shapes")
    seen = {}
    monkeypatch.setattr(grade_command, "grade_one",
                        lambda *args, options, **kwargs: seen.setdefault("limits", options.limits()) and {})
    main(["--course", str(tmp_path), "grade-one", str(tmp_path), "--results", str(tmp_path / "r.json")])
    assert seen["limits"].call_seconds == 9


def test_every_output_is_shown_as_plain_text_never_rendered_as_markup(tmp_path):
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "shapes.py").write_text(
        'def add_bias_column(X):\n    raise ValueError("<a href=https://evil>click</a>")\n')
    grade_one.grade_one(tmp_path / "submission", tmp_path / "results.json", ROOT,
                        options=grade_one.OneOptions(topics=("shapes",)))
    written = json.loads((tmp_path / "results.json").read_text())
    assert {written["output_format"], *(t["output_format"] for t in written["tests"])} == {"text"}
