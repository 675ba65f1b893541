"""The student bundle holds what students need and nothing derived from the references."""
import ast
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from grader.cli import main
from grader.course.topics import discover_topics

TOPICS = discover_topics(ROOT)


def _normalized(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _reference_bodies() -> list[str]:
    """Each reference function's statements after its docstring."""
    bodies = []
    for topic in TOPICS.values():
        source = topic.reference.read_text()
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef):
                body = node.body[1:] if ast.get_docstring(node) else node.body
                bodies.append((topic.name, node.name, "".join(
                    ast.get_source_segment(source, statement) for statement in body)))
    return bodies


def _hidden_tests() -> list[tuple[str, str, str]]:
    found = []
    for topic in TOPICS.values():
        source = topic.hidden_tests.read_text()
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                found.append((topic.name, node.name, ast.get_source_segment(source, node)))
    return found


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "bundle"
    assert main(["release", "--out", str(out), "--seed", "11"]) == 0
    return out


@pytest.fixture(scope="module")
def bundle_text(bundle):
    return {path: path.read_text(errors="replace") for path in bundle.rglob("*") if path.is_file()}


def test_the_bundle_has_stubs_public_tests_notebooks_and_the_grader(bundle):
    for name in TOPICS:
        assert (bundle / "exercises" / name / f"{name}.py").is_file()
        assert (bundle / "exercises" / name / f"test_{name}.py").is_file()
        assert (bundle / "notebooks" / f"{name}.ipynb").is_file()
    assert len(list((bundle / "wheels").glob("ml_exercise_grader-*-py3-none-any.whl"))) == 1


def test_the_bundle_has_no_solutions_folder_master_notebooks_or_fixtures(bundle):
    names = {path.relative_to(bundle).parts[0] for path in bundle.rglob("*")}
    assert names == {"exercises", "wheels", "notebooks", "scripts", "README.md"}


@pytest.mark.parametrize("topic, function, body", _reference_bodies(),
                         ids=lambda value: value if isinstance(value, str) and len(value) < 40 else "")
def test_no_reference_function_body_is_in_the_bundle(bundle_text, topic, function, body):
    needle = _normalized(body)
    assert not any(needle in _normalized(text) for text in bundle_text.values())


def test_no_hidden_test_name_or_source_is_in_the_bundle(bundle_text):
    everything = "\n".join(bundle_text.values())
    flat = _normalized(everything)
    for topic, name, source in _hidden_tests():
        public = TOPICS[topic].public_tests.read_text()
        if not re.search(rf"\bdef {name}\b", public):  # a name both modules use is public anyway
            assert not re.search(rf"\b{name}\b", everything), (topic, name)
        assert _normalized(source) not in flat, (topic, name)


def test_grader_check_works_inside_the_bundle(bundle):
    result = subprocess.run([sys.executable, "-m", "grader", "check", "regularization"], cwd=bundle,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "TODO" in result.stdout and "not written yet" in result.stdout


def test_pytest_runs_the_public_tests_inside_the_bundle(bundle):
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "exercises/regularization"], cwd=bundle,
                            capture_output=True, text=True, timeout=300)
    assert (bundle / "exercises" / "conftest.py").is_file()
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("10 failed")
    assert "not implemented yet" in result.stdout


def test_a_bundle_is_not_written_over_an_existing_folder(tmp_path, capsys):
    (tmp_path / "old.txt").write_text("x")
    assert main(["release", "--out", str(tmp_path)]) == 2
    assert "is not empty" in capsys.readouterr().err
