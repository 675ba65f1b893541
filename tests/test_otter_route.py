"""The otter route works where otter grades: its autograder zip ships the grader and hypothesis.

``grader notebooks build`` writes the master notebooks and the grader's wheel beside them;
``otter assign`` (the instructor's otter) makes the autograder zip. The proof is otter's
own: a fresh virtual environment gets exactly the pip packages otter's Gradescope image
installs (the zip's environment.yml, with /autograder/source being where the zip was
unpacked, as on Gradescope) and nothing else, then ``otter run`` grades in it.
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from grader.authoring.otter_export import OTTER_FILES
from grader.cli import main
from grader.course.topics import get_topic
from grader.grading.runner import collect_tests

TOPIC = "regularization"
OTTER = Path(sys.executable).parent / "otter"


def _clean_environment(bin_folder: Path) -> dict:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return environment | {"PATH": f"{bin_folder}{os.pathsep}/usr/bin:/bin"}


@pytest.fixture(scope="module")
def assigned(tmp_path_factory) -> Path:
    """The otter dist folder built from our master notebook."""
    assert OTTER.exists(), f"otter is not installed in {OTTER.parent} (pip install -e '.[otter]')"
    out = tmp_path_factory.mktemp("otter-route")
    assert main(["--course", str(ROOT), "notebooks", "build", "--topics", TOPIC, "--out", str(out)]) == 0
    done = subprocess.run([str(OTTER), "assign", f"{TOPIC}.ipynb", "dist"], cwd=out / "master",
                          capture_output=True, text=True, timeout=600,
                          env=os.environ | {"PATH": f"{OTTER.parent}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out / "master" / "dist"


@pytest.fixture(scope="module")
def autograder_zip(assigned) -> Path:
    (found,) = (assigned / "autograder").glob("*.zip")
    return found


def _pip_requirements(autograder_zip: Path) -> list[str]:
    import yaml  # otter's own dependency

    with zipfile.ZipFile(autograder_zip) as archive:
        environment = yaml.safe_load(archive.read("environment.yml"))
    (pip,) = [entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict)]
    return pip


@pytest.fixture(scope="module")
def otter_venv(autograder_zip, tmp_path_factory) -> Path:
    """A fresh venv with only what otter's image installs from the zip."""
    _ = shutil.which("python3.11") or pytest.fail("python3.11 is not installed")
    folder = tmp_path_factory.mktemp("otter-venv")
    source = folder / "source"
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(source)
    venv = folder / "venv"
    subprocess.run(["python3.11", "-m", "venv", str(venv)], check=True, timeout=300)
    requirements = [r.replace(OTTER_FILES, str(source / "files")) for r in _pip_requirements(autograder_zip)]
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *requirements],
                          capture_output=True, text=True, timeout=1500,
                          env=_clean_environment(venv / "bin"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return venv


def _otter_run(venv: Path, autograder_zip: Path, notebook, folder: Path) -> dict:
    folder.mkdir()
    nbformat.write(notebook, str(folder / f"{TOPIC}.ipynb"))
    done = subprocess.run([str(venv / "bin" / "otter"), "run", "-a", str(autograder_zip), "-o", str(folder),
                           "--no-logo", f"{TOPIC}.ipynb"], cwd=folder, capture_output=True, text=True,
                          timeout=600, env=_clean_environment(venv / "bin"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((folder / "results.json").read_text())
    return next(test for test in results["tests"] if test["name"] == TOPIC)


def test_the_master_notebook_config_ships_the_grader_wheel_and_pins_hypothesis(assigned):
    config = nbformat.read(assigned.parent / f"{TOPIC}.ipynb", as_version=4).cells[0].source
    (wheel,) = [p.name for p in assigned.parent.glob("*.whl")]
    assert f"autograder_files:\n  - {wheel}" in config
    assert f"  - {OTTER_FILES}/{wheel}" in config and "  - hypothesis==" in config


def test_otters_zip_holds_the_wheel_and_requires_it_and_hypothesis(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        wheels = [name for name in archive.namelist() if name.startswith("files/") and name.endswith(".whl")]
    assert len(wheels) == 1
    requirements = _pip_requirements(autograder_zip)
    assert f"/autograder/source/{wheels[0]}" in requirements
    assert any(r.startswith("hypothesis==") for r in requirements)


def test_the_student_notebook_otter_gives_out_holds_no_wheel_of_the_grader(assigned):
    assert not list((assigned / "student").rglob("*.whl"))


def test_otter_run_in_a_venv_of_only_what_otter_installs_gives_the_reference_full_marks(
        otter_venv, autograder_zip, assigned, tmp_path):
    solution = nbformat.read(assigned / "autograder" / f"{TOPIC}.ipynb", as_version=4)
    result = _otter_run(otter_venv, autograder_zip, solution, tmp_path / "run")
    expected = sum(c.max_points for c in collect_tests(get_topic(ROOT, TOPIC), public=True, hidden=True))
    assert result["score"] == result["max_score"] == expected


def test_otter_run_there_grades_the_stub_zero_with_our_messages_not_import_errors(
        otter_venv, autograder_zip, assigned, tmp_path):
    stub = nbformat.read(assigned / "student" / f"{TOPIC}.ipynb", as_version=4)
    result = _otter_run(otter_venv, autograder_zip, stub, tmp_path / "run")
    assert result["score"] == 0
    assert "ModuleNotFoundError" not in result["output"] and "No module named" not in result["output"]
    assert "not implemented yet" in result["output"]
