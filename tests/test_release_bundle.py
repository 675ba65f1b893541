"""The student bundle is fit for students: their README, an install of only what they need,
the grader as a wheel. The heavy dependencies are extras the project's own install adds."""
import ast
import json
import os
import re
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from grader.cli import main
from grader.course.topics import discover_topics

TOPICS = discover_topics(ROOT)
HEAVY = {"otter-grader", "distributed", "dask", "pytest", "pytest-xdist", "nbclient", "ipykernel",
         "jupyter-client"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "bundle"
    assert main(["--course", str(ROOT), "release", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def wheel(bundle) -> Path:
    (found,) = (bundle / "wheels").glob("*.whl")
    return found


@pytest.fixture(scope="module")
def student_venv(bundle, tmp_path_factory) -> Path:
    """The bundle's own install script run once, in a fresh venv of its own."""
    venv = tmp_path_factory.mktemp("student") / "venv"
    subprocess.run(["python3.11", "-m", "venv", str(venv)], check=True, timeout=300)
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(["bash", str(bundle / "scripts" / "install")], capture_output=True, text=True,
                          env=environment | {"VIRTUAL_ENV": str(venv), "PYTHON": str(venv / "bin" / "python")},
                          timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return venv


def _installed(venv: Path) -> set[str]:
    listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json"],
                            capture_output=True, text=True, timeout=120, check=True)
    return {entry["name"].lower() for entry in json.loads(listed.stdout)}


def test_the_readme_is_for_students(bundle):
    readme = (bundle / "README.md").read_text()
    for needed in ("bash scripts/install", "pip install wheels/", "grader check", "-k FUNCTION",
                   "notebooks/", "Hidden tests", "Submitting", "backprop.py"):
        assert needed in readme, needed
    assert readme != (ROOT / "README.md").read_text()
    for instructor_only in ("grader grade ", "solutions/", "gradescope build", "otter"):
        assert instructor_only not in readme, instructor_only


def test_the_readme_lists_every_released_topic(bundle):
    readme = (bundle / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in TOPICS)


def test_the_install_script_installs_nothing_from_the_system_and_no_extras(bundle):
    script = (bundle / "scripts" / "install").read_text()
    assert "apt-get" not in script and "chromium" not in script and "[" not in script.split("pip install")[1]


def test_the_student_install_gets_the_grader_and_its_core_only(student_venv):
    installed = _installed(student_venv)
    assert {"ml-exercise-grader", "numpy", "hypothesis", "nbformat"} <= installed
    assert not installed & HEAVY, installed & HEAVY


def test_grader_check_works_from_the_installed_wheel_in_the_bundle(bundle, student_venv):
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run([str(student_venv / "bin" / "grader"), "check", "regularization"], cwd=bundle,
                          capture_output=True, text=True, timeout=300, env=environment)
    assert done.returncode == 1, done.stderr
    assert done.stdout.count("TODO") == len(TOPICS["regularization"].functions)


def test_the_wheel_holds_the_grader_with_core_requirements_and_the_extras(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(metadata_name).decode()
        entry_points = archive.read(metadata_name.replace("METADATA", "entry_points.txt")).decode()
    assert "grader/cli.py" in names and "grader/sandbox/inside/worker.py" in names
    core = {re.match(r"[\w.-]+", line.split(":", 1)[1].strip()).group(0).lower()
            for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line}
    assert core == {"numpy", "hypothesis", "nbformat", "jinja2", "tqdm"}
    extras = {line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Provides-Extra:")}
    assert {"otter", "cluster", "notebooks", "test", "lms"} <= extras
    assert "grader = grader.cli:main" in entry_points


def test_no_reference_body_or_hidden_test_is_inside_the_wheel(wheel):
    with zipfile.ZipFile(wheel) as archive:
        text = re.sub(r"\s+", "", "".join(archive.read(name).decode(errors="replace")
                                          for name in archive.namelist()))
    for topic in TOPICS.values():
        reference = topic.reference.read_text()
        for node in ast.parse(reference).body:
            if isinstance(node, ast.FunctionDef):
                body = node.body[1:] if ast.get_docstring(node) else node.body
                assert re.sub(r"\s+", "", "".join(ast.get_source_segment(reference, s) for s in body)) not in text
        hidden = topic.hidden_tests.read_text()
        for node in ast.parse(hidden).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                assert node.name not in text, node.name


def test_the_wheel_is_built_byte_for_byte_the_same_twice(tmp_path, wheel):
    from grader.authoring.wheel import build_wheel
    assert build_wheel(tmp_path).read_bytes() == wheel.read_bytes()


def test_heavy_dependencies_are_extras_and_the_projects_install_adds_them_all():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {re.match(r"[\w.-]+", requirement).group(0).lower() for requirement in project["dependencies"]}
    assert not core & HEAVY
    extras = set(project["optional-dependencies"])
    assert {"otter", "cluster", "notebooks", "test", "lms"} <= extras
    install = (ROOT / "scripts" / "install").read_text()
    (installed,) = re.findall(r'-e "\.\[([^\]]+)\]"', install)
    assert set(installed.split(",")) == extras
